/**
 * mathjs's own derivative test suite (test/unit-tests/function/algebra/derivative.test.js in
 * josdejong/mathjs), the cases that are in our grammar: each row is an expression as that test
 * writes it, the derivative the test expects (its text, as the test states it) and the variable.
 * At two points each, our value of the expression must equal mathjs's evaluate of the same text,
 * and our gradient must equal mathjs's evaluate of the EXPECTED derivative's text (so it checks
 * mathjs's stated answer, not mathjs's derivative at run time; simplify does not matter, the value
 * is what is compared).
 *
 * A row calling a function (or a form, such as log(x, base)) that our parser does not yet accept
 * is skipped with the name it needs, and runs as soon as the function lands in the registry.
 *
 * mathjs's cases left out, and why:
 * - `f(x) = 5x + x + 2`, `f(x) = 5 + 2`, `f(y) = 5y + 2` and the OperatorNode around
 *   `f(x) = x + 2`: derivatives of FunctionAssignmentNodes; we have no function assignment in
 *   an expression.
 * - `pow(0, ...)`, `pow(1, ...)`, `pow(10, 2x + 2)`, `pow(x^x^x^x, 0)`, `pow(x + 2, 1)`,
 *   `2 * pow(x, 2)`, `2 * pow(x, -2)`, `pow(x^3 + x, 5x + 2)`: pow() is not a function of our
 *   grammar (we write a^b); every one of them is in the table as its ^ form.
 * - `1 + $x` with respect to `$x`: `$` is not a character of our names.
 * - `derivative("x^2", "x")` and `derivative(parse("x^2"), parse("x"))` in mathjs's expression
 *   parser, and x^2 given as a string or a Node: how mathjs takes its arguments; the expression
 *   and its expected derivative are the row `x^2` -> `2 * x`.
 * - `min(x, y)`, `max(x)`, `max(x, y)`, `max(x, 1)`, `x << 2`, `subset(x)`, `add(2,3,x)`,
 *   `foo(x)`, the `myDivide`/`myPow` nodes with three arguments, `derivative('42', '42')`,
 *   matrices `[1, 2; 3, 4]` and missing or extra arguments: mathjs expects an error there and
 *   states no derivative to compare with (and `<<`, subset, matrices, `foo` are not our grammar).
 * - the LaTeX (toTex) cases: no derivative is stated.
 * The n-ary OperatorNodes mathjs's test builds by hand (3 * 7^4 * 123.124, 3 * x * sin(x),
 * x + sin(x) + 5x, x * sin(x) * 5x) are here as their text (node.toString()); mathjs's expected
 * derivative is the same number whether the text is read as one n-ary node or as a binary chain.
 * Cases the test repeats (2x with `simplify: true` and by default) are one row each.
 *
 * One case mathjs's test expects wrongly: acoth (its sign; see the row). Ours is checked against
 * the right derivative there, and the row keeps mathjs's text beside it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grad, OPS, parse } from '../src/index.js';
import { loadMathjs } from '../src/expr/mathjs.js';

/**
 * Where mathjs's test expects a wrong derivative: the right one, which ours must give instead, and
 * why. mathjs's stated answer stays in the row as its test has it.
 */
interface Wrong {
  readonly correct: string;
  readonly why: string;
}

/** [expression as in mathjs's test, its expected derivative as the test states it, variable, points, wrong]. */
type Row = readonly [expression: string, expected: string, variable: string, points?: readonly number[], wrong?: Wrong];

/** Where a row has no points of its own. */
const POINTS = [0.7, 1.9] as const;
/** For 2x inside (-1, 1): asin, acos, atanh. */
const INSIDE = [0.2, -0.35] as const;
/** For 2x inside (0, 1]: asech. */
const UNIT = [0.2, 0.4] as const;
/** The other free variables, held fixed. */
const FIXED: Readonly<Record<string, number>> = { y: 0.3, z: 1.3 };

const ROWS: readonly Row[] = [
  // should take the derivative of a constant
  ['1', '0', 'x'],
  ['10000000', '0', 'x'],
  // should reckon with option simplify (simplify: true and the default give '2')
  ['2x', '2', 'x'],
  ['2x', '2 * 1', 'x'],
  // should create a function node
  ['sin(2x)', '2 * cos(2 x)', 'x'],
  // should take the derivative of a SymbolNodes
  ['x', '1', 'x'],
  // should maintain parenthesis of ParenthesisNodes
  ['(1)', '(0)', 'x'],
  ['(x)', '(1)', 'x'],
  // should take the derivative of a OperatorNodes with ConstantNodes
  ['1 + 2', '0', 'x'],
  ['-100^2 + 3*3/2 - 12', '0', 'x'],
  ['3 * 7 ^ 4 * 123.124', '0', 'x'], // built as one three-argument multiply
  // should take the derivative of a OperatorNodes with SymbolNodes
  ['-4x', '-4 * 1', 'x'],
  ['+4x', '+4 * 1', 'x'],
  ['3 * x * sin(x)', '3 * (1 * sin(x) + x * 1 * cos(x))', 'x'], // built as one three-argument multiply
  ['5x + x + 2', '5 * 1 + 1 + 0', 'x'],
  ['5x - x - 2', '5 * 1 - 1 - 0', 'x'],
  ['x + sin(x) + 5 x', '1 + 1 * cos(x) + 5 * 1', 'x'], // built as one three-argument add
  ['x * sin(x) * 5 x', '1 * sin(x) * 5 x + x * 1 * cos(x) * 5 x + x * sin(x) * 5 * 1', 'x'], // three-argument multiply
  ['2(x + x)', '2 * (1 + 1)', 'x'],
  ['(x + x)*2', '2 * (1 + 1)', 'x'],
  ['5x*3x', '5 * 1 * 3 x + 5 x * 3 * 1', 'x'],
  ['7x / 2', '7 * 1 / 2', 'x'],
  ['5 / (3x)', '-5 * (3 * 1) / (3 x) ^ 2', 'x'],
  ['(2x) / (3x + 2)', '((2 * 1) * (3 x + 2) - (2 x) * (3 * 1 + 0)) / (3 x + 2) ^ 2', 'x'],
  ['0^(2^x + x^3 + 2)', '0', 'x'],
  ['1^(2^x + x^3 + 2)', '0', 'x'],
  ['10^(2x + 2)', '10 ^ (2 x + 2) * log(10) * (2 * 1 + 0)', 'x'],
  ['(x^x^x^x)^0', '0', 'x'],
  ['(x+2)^1', '(1 + 0)', 'x'],
  ['2x^2', '2 * 2 * 1 * x ^ (2 - 1)', 'x'],
  ['2x^-2', '2 * -2 * 1 * x ^ (-2 - 1)', 'x'],
  [
    '(x^3 + x)^(5x + 2)',
    '(x ^ 3 + x) ^ (5 x + 2) * ((3 * 1 * x ^ (3 - 1) + 1) * (5 x + 2) / (x ^ 3 + x) + (5 * 1 + 0) * log((x ^ 3 + x)))',
    'x',
  ],
  ['-x', '-1', 'x'],
  ['1 - (-x)', '0 - (-1)', 'x'],
  // should properly take the derivative of mathematical functions
  ['cbrt(6x)', '6 * 1 / (3 * (6 x) ^ (2 / 3))', 'x'],
  ['sqrt(6x)', '6 * 1 / (2 * sqrt(6 x))', 'x'],
  ['nthRoot(6x)', '6 * 1 / (2 * sqrt(6 x))', 'x'],
  ['nthRoot(6x, 3)', '1 / 3 * 6 * 1 * (6 x) ^ (1 / 3 - 1)', 'x'],
  [
    'nthRoot((6x), (2x))',
    '(6 x) ^ (1 / (2 x)) * ((6 * 1) * 1 / (2 x) / (6 x) + -1 * (2 * 1) / (2 x) ^ 2 * log((6 x)))',
    'x',
  ],
  ['log((6*x))', '(6 * 1) / (6 * x)', 'x'],
  ['log10((6x))', '(6 * 1) / ((6 x) * log(10))', 'x'],
  ['log((6x), 10)', '(6 * 1) / ((6 x) * log(10))', 'x'],
  ['log((2x), (3x))', '((2 * 1) / (2 x) * log((3 x)) - log((2 x)) * (3 * 1) / (3 x)) / log((3 x)) ^ 2', 'x'],
  ['log(x)', '1 / x', 'x'],
  ['sin(2x)', '2 * 1 * cos(2 x)', 'x'],
  ['cos(2x)', '2 * 1 * -sin(2 x)', 'x'],
  ['tan(2x)', '2 * 1 * sec(2 x) ^ 2', 'x'],
  ['sec(2x)', '2 * 1 * sec(2 x) * tan(2 x)', 'x'],
  ['csc(2x)', '-(2 * 1) * csc(2 x) * cot(2 x)', 'x'],
  ['cot((2x))', '-(2 * 1) * csc((2 x)) ^ 2', 'x'],
  ['asin((2x))', '(2 * 1) / sqrt(1 - (2 x) ^ 2)', 'x', INSIDE],
  ['acos((2x))', '-(2 * 1) / sqrt(1 - (2 x) ^ 2)', 'x', INSIDE],
  ['atan((2x))', '(2 * 1) / ((2 x) ^ 2 + 1)', 'x'],
  ['asec((2x))', '(2 * 1) / (abs((2 x)) * sqrt((2 x) ^ 2 - 1))', 'x'],
  ['acsc((2x))', '-(2 * 1) / (abs((2 x)) * sqrt((2 x) ^ 2 - 1))', 'x'],
  ['acot((2x))', '-(2 * 1) / ((2 x) ^ 2 + 1)', 'x'],
  ['sinh(2x)', '2 * 1 * cosh(2 x)', 'x'],
  ['cosh(2x)', '2 * 1 * sinh(2 x)', 'x'],
  ['tanh(2x)', '2 * 1 * sech(2 x) ^ 2', 'x'],
  ['sech(2x)', '-(2 * 1) * sech(2 x) * tanh(2 x)', 'x'],
  ['csch(2x)', '-(2 * 1) * csch(2 x) * coth(2 x)', 'x'],
  ['coth(2x)', '-(2 * 1) * csch(2 x) ^ 2', 'x'],
  ['asinh((2x))', '(2 * 1) / sqrt((2 x) ^ 2 + 1)', 'x'],
  ['acosh((2x))', '(2 * 1) / sqrt((2 x) ^ 2 - 1)', 'x'],
  ['atanh((2x))', '(2 * 1) / (1 - (2 x) ^ 2)', 'x', INSIDE],
  ['asech((2x))', '-(2 * 1) / ((2 x) * sqrt(1 - (2 x) ^ 2))', 'x', UNIT],
  ['acsch((2x))', '-(2 * 1) / (abs((2 x)) * sqrt((2 x) ^ 2 + 1))', 'x'],
  // mathjs's derivative.js has d/dx acoth(x) = -1 / (1 - x^2), and its test expects that; but
  // acoth(u) = atanh(1/u), so d/du = (1/(1 - 1/u^2)) * (-1/u^2) = 1/(1 - u^2), as atanh's.
  [
    'acoth((2x))',
    '-(2 * 1) / (1 - (2 x) ^ 2)',
    'x',
    POINTS,
    {
      correct: '(2 * 1) / (1 - (2 x) ^ 2)',
      why: "mathjs's sign is wrong: d/du acoth(u) = 1/(1 - u^2), as atanh(u)'s",
    },
  ],
  ['abs(2x)', '2 * 1 * abs(2 x) / 2 x', 'x'],
  ['exp(2x)', '2 * 1 * exp(2 x)', 'x'],
  // should take the partial derivative of an expression
  ['x + y', '1 + 0', 'x'],
  ['x + log(y)*y', '1 + 0', 'x'],
  ['x + y + z', '1 + 0 + 0', 'x'],
  ['x + log(y)*z', '1 + 0', 'x'],
  ['x + log(y)*x', '1 + log(y) * 1', 'x'],
  ['x^2 + x*y + y^2', '2 * 1 * x ^ (2 - 1) + y * 1 + 0', 'x'],
  // should function properly even without being called within an evaluate
  ['2x^3', '2 * 3 * 1 * x ^ (3 - 1)', 'x'],
  // should accept string and Node input
  ['x^2', '2 * x', 'x'],
  // should accept string input containing special characters
  ['1 + x', '1', 'x'],
];

/** Each call in `text`: the function's name and its number of arguments. */
function calls(text: string): { name: string; argc: number }[] {
  const found: { name: string; argc: number }[] = [];
  for (const m of text.matchAll(/[A-Za-z_][A-Za-z0-9_]*(?=\s*\()/g)) {
    let depth = 0;
    let argc = 1;
    for (let i = text.indexOf('(', m.index + m[0].length); i < text.length; i++) {
      const c = text[i];
      if (c === '(') depth++;
      else if (c === ')' && --depth === 0) break;
      else if (c === ',' && depth === 1) argc++;
    }
    found.push({ name: m[0], argc });
  }
  return found;
}

/** Whether our parser takes `name` with `argc` arguments (so log(x, base) waits for its form). */
function accepts(name: string, argc: number): boolean {
  if (!OPS.has(name)) return false;
  try {
    parse(`${name}(${Array.from({ length: argc }, () => '1').join(', ')})`);
    return true;
  } catch {
    return false;
  }
}

/** The functions a row needs that the registry does not have yet, as `name` or `name(_, _)`. */
function missing(expression: string): string[] {
  const names = calls(expression)
    .filter(({ name, argc }) => !accepts(name, argc))
    .map(({ name, argc }) => (OPS.has(name) ? `${name}(${Array.from({ length: argc }, () => '_').join(', ')})` : name));
  return [...new Set(names)];
}

/** Within 1e-12 relative, plus 1e-14 absolute. */
function close(ours: number, theirs: number): boolean {
  return Math.abs(ours - theirs) <= 1e-12 * Math.abs(theirs) + 1e-14;
}

for (const [expression, stated, variable, points = POINTS, wrong] of ROWS) {
  const expected = wrong?.correct ?? stated;
  const needs = missing(expression);
  const skip = needs.length > 0 ? `needs ${needs.join(', ')} (function library)` : false;
  const name = `d/d${variable} ${expression} = ${stated}${wrong === undefined ? '' : ` (wrong in mathjs; we check ${wrong.correct})`}`;
  test(name, { skip }, async () => {
    const math = await loadMathjs();
    for (const point of points) {
      const scope: Record<string, number> = { [variable]: point };
      for (const [k, v] of Object.entries(FIXED)) if (k !== variable) scope[k] = v;
      const used = Object.entries(scope).filter(([k]) => k === variable || new RegExp(`\\b${k}\\b`).test(expression));
      const at = `at ${used.map(([k, v]) => `${k} = ${v}`).join(', ')}`;
      const value = math.evaluate(expression, { ...scope }) as unknown;
      const slope = math.evaluate(expected, { ...scope }) as unknown;
      assert.ok(
        typeof value === 'number' && Number.isFinite(value),
        `${expression} ${at}: mathjs's value ${String(value)} (a point outside the domain?)`,
      );
      assert.ok(
        typeof slope === 'number' && Number.isFinite(slope),
        `${expected} ${at}: mathjs's value ${String(slope)} (a point outside the domain?)`,
      );
      if (wrong !== undefined) {
        const theirs = math.evaluate(stated, { ...scope }) as number;
        assert.ok(
          !close(theirs, slope),
          `${expression} ${at}: mathjs's stated ${stated} = ${theirs} agrees with ${wrong.correct}; the correction is stale`,
        );
      }
      const result = grad(expression, scope);
      // A variable the expression does not use (a constant such as 10000000) has no entry: its derivative is 0.
      const ours = result.gradient[variable] ?? 0;
      assert.ok(close(result.value, value), `value of ${expression} ${at}: ours ${result.value}, mathjs ${value}`);
      const whose = wrong === undefined ? "mathjs's expected" : `the correct (${wrong.why})`;
      assert.ok(
        close(ours, slope),
        `d/d${variable} ${expression} ${at}: ours ${ours}, ${whose} ${expected} = ${slope}`,
      );
    }
  });
}
