/**
 * src/report/array.ts against numpy's own text for the same arrays (test/fixtures/array-format.json,
 * written by scripts/array-format-fixture.py): brackets, wrapping, blank lines between blocks and the
 * `...` of a summarised array are numpy's; the nested JSON arrays read back to the same elements.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { formatArray, jsonArray } from '../src/report/array.js';

interface Case {
  shape: number[];
  data: number[];
  text: string;
  lineWidth?: number;
}

const cases: Case[] = JSON.parse(
  readFileSync(new URL('../../test/fixtures/array-format.json', import.meta.url), 'utf8'),
);

describe('formatArray prints as numpy does (array2string with separator ", ")', () => {
  test('the fixture covers scalars, 1-4 dimensions, wrapping and summaries', () => {
    assert.ok(cases.length >= 60);
    assert.ok(cases.some((c) => c.shape.length === 0));
    assert.ok(cases.some((c) => c.shape.length === 4));
    assert.ok(cases.some((c) => c.text.includes('...')));
    assert.ok(cases.some((c) => c.text.includes('\n\n')));
  });
  for (const [i, c] of cases.entries()) {
    test(`case ${i}: shape [${c.shape}]${c.lineWidth ? `, width ${c.lineWidth}` : ''}`, () => {
      const got = formatArray({ shape: c.shape, data: Float64Array.from(c.data) }, { lineWidth: c.lineWidth });
      assert.equal(got, c.text);
    });
  }
  test('precision and negative zero follow the scalar formatting', () => {
    assert.equal(formatArray({ shape: [3], data: [1 / 3, -0, 2] }, { precision: 3 }), '[0.333, -0, 2]');
    assert.equal(formatArray({ shape: [2], data: [NaN, -Infinity] }), '[NaN, -Infinity]');
  });
  test('an empty axis prints as empty brackets', () => {
    assert.equal(formatArray({ shape: [2, 0], data: [] }), '[[]]');
  });
});

describe('jsonArray nests the elements row-major', () => {
  for (const c of cases.filter((c) => c.shape.length > 0).slice(0, 20)) {
    test(`shape [${c.shape}]`, () => {
      const nested = jsonArray({ shape: c.shape, data: c.data });
      const flat: unknown[] = [];
      const dims: number[] = [];
      const walk = (v: unknown, depth: number): void => {
        if (Array.isArray(v)) {
          if (dims[depth] === undefined) dims[depth] = v.length;
          else assert.equal(v.length, dims[depth]);
          for (const w of v) walk(w, depth + 1);
        } else flat.push(v);
      };
      walk(nested, 0);
      assert.deepEqual(dims, c.shape);
      assert.deepEqual(flat, c.data);
    });
  }
  test('non-finite elements are strings, as for scalars', () => {
    assert.deepEqual(jsonArray({ shape: [3], data: [NaN, Infinity, 1] }), ['NaN', 'Infinity', 1]);
    assert.equal(jsonArray({ shape: [], data: [2] }), 2);
  });
});
