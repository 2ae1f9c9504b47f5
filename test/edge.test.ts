/**
 * The edge cases, decided as PyTorch decides them and documented in the README ("Edge cases").
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grad } from '../src/api/grad.js';
import { MissingValueError } from '../src/index.js';
import { runCli as cli } from './helpers/cli.js';

const g = (expr: string, values: Record<string, number>) => grad(expr, values);

test("kinks: abs'(0) = 0 and relu'(0) = 0; sqrt'(0) = Infinity", () => {
  assert.equal(g('abs(x)', { x: 0 }).gradient.x, 0);
  assert.equal(g('relu(x)', { x: 0 }).gradient.x, 0);
  assert.equal(g('relu(x)', { x: -1e-300 }).gradient.x, 0);
  assert.equal(g('relu(x)', { x: 1e-300 }).gradient.x, 1);
  assert.equal(g('sqrt(x)', { x: 0 }).gradient.x, Infinity);
});

test('log(0) is -Infinity with gradient Infinity', () => {
  const r = g('log(x)', { x: 0 });
  assert.equal(r.value, -Infinity);
  assert.equal(r.gradient.x, Infinity);
});

test('0^0 = 1, and x^0 has gradient 0 everywhere, 0 included', () => {
  assert.equal(g('0^0 + x', { x: 1 }).value, 1 + 1);
  assert.equal(g('x^0', { x: 0 }).value, 1);
  assert.equal(g('x^0', { x: 0 }).gradient.x, 0);
});

test('powers with a constant exponent never go through exp(y·log(x))', () => {
  assert.equal(g('x^2', { x: -2 }).gradient.x, 2 * -2);
  assert.equal(g('x^3', { x: -2 }).gradient.x, 3 * (-2) ** 2);
  assert.equal(g('x**-1', { x: -2 }).gradient.x, -1 * (-2) ** -2);
  assert.equal(g('x^(1+1)', { x: -2 }).gradient.x, 2 * -2);
  // The exponent's gradient x^y·log(x) is not even computed: no backward step reaches the constant.
  const trace = g('x^2', { x: -2 }).trace;
  assert.deepEqual(
    trace.backward.map((r) => r.name),
    ['x'],
  );
});

test('x^y at (0, 2): d/dx = 2·0^1 = 0 and d/dy = 0 (the limit of x^y·log(x)), never NaN', () => {
  const r = g('x^y', { x: 0, y: 2 });
  assert.equal(r.value, 0);
  assert.equal(r.gradient.x, 0);
  assert.equal(r.gradient.y, 0);
  // Away from 0 the exponent's gradient is x^y·log(x).
  assert.equal(g('x^y', { x: 3, y: 2 }).gradient.y, 3 ** 2 * Math.log(3));
});

test("saturation: tanh'(800) = 0 and sigmoid'(±800) = 0, not NaN", () => {
  assert.equal(g('tanh(x)', { x: 800 }).gradient.x, 0);
  assert.equal(g('tanh(x)', { x: -800 }).gradient.x, 0);
  assert.equal(g('sigmoid(x)', { x: 800 }).gradient.x, 0);
  assert.equal(g('sigmoid(x)', { x: -800 }).gradient.x, 0);
});

const WARNINGS: [string, string, number, RegExp][] = [
  [
    'log(x)',
    '-1',
    NaN,
    /warning: y = log\(x\) is NaN at x = -1: domain error \(log is defined for x > 0; results are real, never complex\)/,
  ],
  ['sqrt(x)', '-1', NaN, /warning: y = sqrt\(x\) is NaN at x = -1: domain error \(sqrt is defined for x >= 0/],
  [
    'x^(1/3)',
    '-8',
    NaN,
    /warning: y = x \^ a is NaN at x = -8, a = 0\.3333333333333333: domain error \(pow is defined for x >= 0, or x < 0 with an integer exponent/,
  ],
  [
    'asin(x)*2',
    '2',
    NaN,
    /warning: a = asin\(x\) is NaN at x = 2: domain error .*; what depends on it may not be finite either/,
  ],
  [
    'exp(x)',
    '1000',
    Infinity,
    /warning: y = exp\(x\) is Infinity at x = 1000: overflow \(beyond the largest double, about 1\.8e308\)/,
  ],
  ['log(x)', '0', -Infinity, /warning: y = log\(x\) is -Infinity at x = 0: pole \(log has a pole at 0\)/],
  ['1/x', '0', Infinity, /warning: y = 1 \/ x is Infinity at x = 0: pole \(division by zero\)/],
];

for (const [expr, x, value, warning] of WARNINGS) {
  test(`${expr} at ${x} is ${value} with a warning, exit 0, never a complex number`, async () => {
    const r = await cli([expr, '--x', x, '--json', '-q']);
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out).value, String(value));
    assert.match(r.err, warning);
    assert.equal(r.err.split('\n').filter(Boolean).length, 1, r.err);
  });
}

const BAD_NUMBERS: [string, number, RegExp][] = [
  ['1e', 2, /malformed number '1e': the exponent has no digits/],
  ['1e+', 2, /malformed number '1e': the exponent has no digits/],
  ['1..2', 3, /malformed number '1\.\.': a second decimal point/],
  ['1.2.3', 4, /a second decimal point/],
  ['1_000', 2, /digit separators are not supported/],
  ['0x10', 2, /hexadecimal, binary and octal literals are not supported/],
  ['0b101', 2, /hexadecimal, binary and octal literals are not supported/],
  ['1e309', 1, /number '1e309' is larger than the largest double/],
  ['2*1e400', 3, /number '1e400' is larger than the largest double/],
];

for (const [expr, column, message] of BAD_NUMBERS) {
  test(`the number literal in ${expr} is an error at column ${column}`, async () => {
    const r = await cli([expr]);
    assert.equal(r.code, 2);
    assert.match(r.err, message);
    assert.match(r.err, new RegExp(`\\(column ${column}\\)\\n {2}.*\\n {2}${' '.repeat(column - 1)}\\^\\n`));
  });
}

test('.5 and 5. are numbers; 1e-3 and 2E+2 too', () => {
  assert.equal(g('.5 + 5. + 1e-3 + 2E+2', {}).value, 0.5 + 5 + 0.001 + 200);
});

const VALUES: [string[], number, RegExp | number][] = [
  [['x', '--x', ''], 2, /bad value for --x: the value is empty/],
  [['x', '--x='], 2, /bad value for --x: the value is empty/],
  [['x', '--x', '1abc'], 2, /bad value for --x: '1abc' is not a number/],
  [['x', '--x', '0x10'], 2, /bad value for --x: malformed number/],
  [['x', '--x', '1e309'], 2, /bad value for --x: number '1e309' is larger than the largest double/],
  [['x', '--x', '1', '--x', '2'], 2, /x is given twice/],
  [['x', '--x', '1', '-v', 'x=2'], 2, /x is given twice/],
  [['x^2', '--x', '-1'], 0, -1],
  [['x^2', '--x=-1'], 0, -1],
  [['x^2', '-v', 'x=-1'], 0, -1],
  [['x', '--x', 'pi/4'], 0, Math.PI / 4],
];

for (const [argv, code, expected] of VALUES) {
  test(`values: ${argv.slice(1).join(' ') || "''"} -> exit ${code}`, async () => {
    const r = await cli([...argv, '--json', '-q']);
    assert.equal(r.code, code, r.err);
    if (typeof expected === 'number') assert.equal(JSON.parse(r.out).variables.x, expected);
    else assert.match(r.err, expected);
  });
}

const IMPLICIT: [string, number][] = [
  ['2x', 2 * 3],
  ['3(x+1)', 3 * (3 + 1)],
  ['2 sin(x)', 2 * Math.sin(3)],
  ['2pi', 2 * Math.PI],
];
for (const [expr, value] of IMPLICIT) {
  test(`implicit multiplication after a number: ${expr}`, () => assert.equal(g(expr, { x: 3 }).value, value));
}

const AMBIGUOUS: [string, RegExp][] = [
  ['1/2x', /ambiguous implicit multiplication after '\/': 1\/2x[^]*hint: write 1\/\(2\*x\) or \(1\/2\)\*x/],
  ['x y', /missing operator between 'x' and 'y'[^]*hint: write x\*y/],
  ['sin x', /sin is a function: call it with parentheses[^]*hint: write sin\(x\)/],
  ['x(2)', /unknown function 'x'/],
  ['(x)(y)', /missing operator/],
];
for (const [expr, message] of AMBIGUOUS) {
  test(`implicit multiplication is an error where it is ambiguous: ${expr}`, async () => {
    const r = await cli([expr, '--x', '1', '--y', '2']);
    assert.equal(r.code, 2);
    assert.match(r.err, message);
  });
}

/** The caret must sit under the offending code point: count code points, not UTF-16 units. */
const UNICODE: [string, number, RegExp][] = [
  ['x \u2212 1', 3, /minus sign '\u2212' \(U\+2212\)[^]*hint: write -/],
  ['2 \u00d7 x', 3, /multiplication sign/],
  ['x\u00b2', 2, /superscript two[^]*hint: write \^2/],
  ['\uff58 + 1', 1, /full-width 'ｘ' \(U\+FF58\)[^]*write the ASCII 'x'/],
  ['x\u200b+1', 2, /invisible character: zero-width space \(U\+200B\)/],
  ['x + y\u202e', 6, /right-to-left override \(U\+202E\)/],
  ['\u2066x', 1, /left-to-right isolate/],
  ['x + \u{1d465}', 5, /unexpected character '\u{1d465}' \(U\+1D465\)/u],
  ['\u03c0/2', 1, /Greek pi[^]*write pi/],
];
for (const [expr, column, message] of UNICODE) {
  test(`unicode look-alike in ${JSON.stringify(expr)}: caret at column ${column}`, async () => {
    const r = await cli([expr, '--x', '1', '--y', '1']);
    assert.equal(r.code, 2);
    assert.match(r.err, message);
    assert.match(r.err, new RegExp(`\\(column ${column}\\)`));
    const caretLine = r.err.split('\n')[2];
    assert.equal(caretLine, '  ' + ' '.repeat(column - 1) + '^');
  });
}

test("a missing value is a MissingValueError naming the variable, in the library's words (no CLI flag)", () => {
  assert.throws(
    () => grad('x + y', { x: 1 }),
    (e) => {
      assert.ok(e instanceof MissingValueError);
      assert.equal(e.message, 'no value for y');
      assert.equal(e.variable, 'y');
      assert.equal(e.index, 'x + '.length);
      assert.equal(e.hint, undefined);
      return true;
    },
  );
});
