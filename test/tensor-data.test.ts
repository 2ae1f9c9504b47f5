/**
 * Values for vectors and matrices (issue 16): the grammar's literals as values (`--W "[1, 2; 3, 4]"`)
 * and the .csv, .json and .npy decoders, against files numpy wrote (scripts/make-tensor-fixtures.py)
 * and what numpy reads back from them (expected.json).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DataFileError, decodeCsv, decodeFile, decodeJson, decodeNpy, parseValue } from '../src/expr/data.js';
import { MAX_ELEMENTS } from '../src/engine/tensor.js';
import { ExprError } from '../src/expr/errors.js';

const DIR = new URL('../../test/fixtures/tensor/', import.meta.url);
const expected = JSON.parse(readFileSync(new URL('expected.json', DIR), 'utf8')) as Record<
  string,
  { shape: number[]; data: number[] }
>;
const bytes = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, DIR)));

test('every fixture numpy wrote decodes to the shape and elements numpy reads from it', () => {
  for (const [name, want] of Object.entries(expected)) {
    const got = decodeFile(name, bytes(name));
    assert.deepEqual(got.shape, want.shape, name);
    assert.deepEqual([...got.data], want.data, name);
  }
});

test('.npy files numpy cannot give us as C-ordered little-endian numbers are refused, saying why', () => {
  const cases: [string, RegExp][] = [
    ['fortran.npy', /fortran\.npy: is in Fortran order/],
    ['object.npy', /object\.npy: holds Python objects/],
    ['big-endian.npy', /big-endian\.npy: holds >f8 elements; .*little-endian/],
    ['complex.npy', /complex\.npy: holds <c16 elements/],
  ];
  for (const [name, message] of cases) {
    assert.throws(
      () => decodeFile(name, bytes(name)),
      (e: unknown) => e instanceof DataFileError && message.test(e.message),
      name,
    );
  }
  assert.throws(() => decodeNpy('x.npy', new TextEncoder().encode('hello, world')), /x\.npy: is not a \.npy file/);
  const cut = bytes('f8.npy').subarray(0, 140);
  assert.throws(
    () => decodeNpy('cut.npy', cut),
    /cut\.npy: is cut short: shape \(2, 3\) needs 48 bytes of data, it has 12/,
  );
});

test('a .npy header over the element limit is refused before anything is allocated', () => {
  const f8 = bytes('f8.npy');
  const header = new TextDecoder('latin1').decode(f8.subarray(10, 10 + (f8[8] | (f8[9] << 8))));
  // the same file, its shape changed to 10,000 x 10,000 (1e8 elements) with the header's length kept
  const big = header.replace(/\(2, 3\)/, '(10000, 10000)').slice(0, header.length - 1);
  const patched = new Uint8Array(f8);
  patched.set(new TextEncoder().encode(`${big.trimEnd().padEnd(header.length - 1)}\n`), 10);
  assert.throws(
    () => decodeNpy('big.npy', patched),
    new RegExp(`big\\.npy: has 100000000 elements is more than the limit of ${MAX_ELEMENTS}`),
  );
});

test('CSV: one line is a vector, several a matrix; errors name the file, the line and the column', () => {
  assert.deepEqual(decodeCsv('a.csv', '1, 2, 3\n'), { shape: [3], data: Float64Array.of(1, 2, 3) });
  assert.deepEqual(decodeCsv('a.csv', '# weights\n1,2\r\n3,4\n\n'), {
    shape: [2, 2],
    data: Float64Array.of(1, 2, 3, 4),
  });
  assert.deepEqual(decodeCsv('a.csv', '1\n2\n'), { shape: [2, 1], data: Float64Array.of(1, 2) });
  const cases: [string, string][] = [
    ['1,2\n3,x\n', "w.csv:2:3: 'x' is not a number"],
    ['1,2\n3\n', 'w.csv:2:1: this row has 1 number but the row on line 1 has 2'],
    ['1,,2\n', 'w.csv:1:3: an empty field (a number is missing)'],
    ['1,  0x10\n', "w.csv:1:5: '0x10' is not a number"],
    ['1e999\n', "w.csv:1:1: '1e999' is beyond the largest double"],
    ['\n# nothing\n', 'w.csv: holds no numbers (an empty value is not supported)'],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => decodeCsv('w.csv', text),
      (e: unknown) => e instanceof DataFileError && e.message === message,
      text,
    );
  }
});

test('JSON: nested arrays, rectangular at every level; errors say where', () => {
  assert.deepEqual(decodeJson('a.json', '[[1, 2], [3, 4]]'), { shape: [2, 2], data: Float64Array.of(1, 2, 3, 4) });
  assert.deepEqual(decodeJson('a.json', '2.5'), { shape: [], data: Float64Array.of(2.5) });
  const cases: [string, RegExp][] = [
    ['[[1, 2], [3]]', /a\.json:1:10: ragged: this array has 1 element where the first at its level has 2$/],
    ['[[1, 2], 3]', /a\.json:1:10: ragged: a number where the first element at this level is an array$/],
    ['[1, [2]]', /a\.json:1:5: ragged: an array where the first element at this level is a number$/],
    ['[1, "2"]', /a\.json:1:5: a string where a number or '\[' belongs$/],
    ['[[]]', /a\.json:1:3: an empty array/],
    ['[1, 2,\n 3,]', /a\.json:2:3: a ',' before '\]'/],
    ['{"w": [1]}', /a\.json:1:1: an object where a number or '\[' belongs$/],
    ['[1, 2', /a\.json:1:6: the file ends inside an array/],
    ['[1] [2]', /a\.json:1:5: more after the value$/],
    ['[NaN]', /a\.json:1:2: 'NaN' where a number or '\[' belongs/],
  ];
  for (const [text, message] of cases) assert.throws(() => decodeJson('a.json', text), message, text);
});

test('too many numbers in a CSV or JSON file are refused before they are stored', () => {
  const many = '0,'.repeat(MAX_ELEMENTS + 1_000_001);
  assert.throws(() => decodeCsv('big.csv', many), /big\.csv: has at least \d+ elements is more than the limit/);
  assert.throws(
    () => decodeJson('big.json', `[${many}0]`),
    /big\.json:1:\d+: holds more than 10000000 numbers \(the limit\)/,
  );
});

test('a value in the grammar: numbers, constant expressions, literals, ranges', () => {
  assert.deepEqual(parseValue('[1, 2; 3, 4]'), { shape: [2, 2], data: Float64Array.of(1, 2, 3, 4) });
  assert.deepEqual(parseValue('[[1, 2], [3, 4]]'), parseValue('[1, 2; 3, 4]'));
  assert.deepEqual(parseValue('[pi/4, -1e-3]'), { shape: [2], data: Float64Array.of(Math.PI / 4, -1e-3) });
  assert.deepEqual(parseValue('[1; 2; 3]').shape, [3, 1]);
  assert.deepEqual(parseValue('0.5'), { shape: [], data: Float64Array.of(0.5) });
  // mathjs's 0:0.1:0.3 adds 0.1 three times: 0.30000000000000004, still within its tolerance of 0.3
  assert.deepEqual([...parseValue('0:0.1:0.3').data], [0, 0.1, 0.1 + 0.1, 0.1 + 0.1 + 0.1]);
  const bad: [string, RegExp, number][] = [
    ['[1, x]', /'x' is not a known constant|not a number/, 5],
    ['[1, 2; 3]', /ragged matrix: row 2 has 1 element but row 1 has 2/, 8],
    ['[]', /an empty matrix \[\] is not supported/, 1],
    ['3:1', /the range 3:1 is empty/, 1],
    ['1:1e8', /the range has 100000000 elements; the limit is 10000000/, 1],
  ];
  for (const [text, message, column] of bad) {
    assert.throws(
      () => parseValue(text),
      (e: unknown) => e instanceof ExprError && message.test(e.message) && e.column === column,
      text,
    );
  }
});
