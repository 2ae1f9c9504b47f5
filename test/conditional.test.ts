/**
 * Comparisons and mathjs's conditional `c ? a : b`. The gradient flows through the branch taken
 * only: a NaN or an Infinity in the branch not taken never reaches it, in the single-point engine,
 * in the fused batch kernel and in the tape interpreter (the failure users report most against
 * JAX's and PyTorch's `where`).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileKernel, grad, parse, plan, type Input } from '../src/index.js';
import { evaluateMathjsText, loadMathjs, toMathjs } from '../src/expr/mathjs.js';
import { derivativesAt } from '../src/index.js';
import { build } from '../src/expr/build.js';
import { print } from '../src/expr/print.js';
import { runCli as cli } from './helpers/cli.js';

const math = await loadMathjs();
const at = (values: Record<string, number>): Map<string, number> => new Map(Object.entries(values));

/** Value and gradient at one point, and the same from the fused kernel and the tape. */
function everyPath(
  expression: string,
  values: Record<string, number>,
): { value: number; gradient: Record<string, number> } {
  const one = grad(expression, values);
  const p = plan(parse(expression), expression);
  for (const mode of ['fused', 'tape'] as const) {
    const inputs: Input[] = p.names.map((n) => new Float64Array([values[n]]));
    const value = new Float64Array(1);
    const grads = p.names.map(() => new Float64Array(1));
    compileKernel(
      p,
      inputs.map(() => true),
      mode,
    )(0, 1, inputs, value, grads);
    assert.ok(Object.is(value[0], one.value), `${mode} ${expression}: value ${value[0]}, engine ${one.value}`);
    p.names.forEach((n, j) =>
      assert.ok(
        Object.is(grads[j][0], one.gradient[n]),
        `${mode} ${expression}: d/d${n} ${grads[j][0]}, engine ${one.gradient[n]}`,
      ),
    );
  }
  return one;
}

describe('the branch not taken sends no gradient', () => {
  const cases: [string, Record<string, number>, number, Record<string, number>][] = [
    // [expression, point, value, gradient], the gradient written as the taken branch's derivative
    ['x > 0 ? sqrt(x) : 0', { x: -1 }, 0, { x: 0 }],
    ['x > 0 ? sqrt(x) : 0', { x: 4 }, 2, { x: 1 / (2 * 2) }],
    ['x > 0 ? log(x) : x^2', { x: -3 }, 9, { x: 2 * -3 }],
    ['x != 0 ? sin(x)/x : 1', { x: 0 }, 1, { x: 0 }],
    ['x != 0 ? sin(x)/x : 1', { x: 2 }, Math.sin(2) / 2, { x: (2 * Math.cos(2) - Math.sin(2)) / 4 }],
    ['x < 1 ? x^2 : 2*x - 1', { x: 3 }, 5, { x: 2 }],
    // a variable used in both branches and outside: only the taken branch adds to it
    ['(y > 0 ? x*y : log(x - 10)) + x', { x: 2, y: 3 }, 8, { x: 3 + 1, y: 2 }],
    ['(y > 0 ? x*y : log(x - 10)) + x', { x: 2, y: -3 }, NaN, { x: 1 / (2 - 10) + 1, y: 0 }],
    // nested, right-associative
    ['x < -1 ? -x : x < 1 ? x^3 : sqrt(x)', { x: 0.5 }, 0.125, { x: 3 * 0.25 }],
    ['x < -1 ? -x : x < 1 ? x^3 : sqrt(x)', { x: -4 }, 4, { x: -1 }],
    ['x < -1 ? -x : x < 1 ? x^3 : sqrt(x)', { x: 9 }, 3, { x: 1 / 6 }],
    // the condition itself gets no gradient; a NaN condition takes the second branch, as mathjs
    ['x*y ? x : y', { x: 0, y: 5 }, 5, { x: 0, y: 1 }],
    ['log(x) ? 1/x : 7*x', { x: -1 }, -7, { x: 7 }],
  ];
  for (const [expression, values, value, gradient] of cases) {
    test(`${expression} at ${JSON.stringify(values)}`, () => {
      const r = everyPath(expression, values);
      assert.ok(Object.is(r.value, value) || Math.abs(r.value - value) < 1e-15, `value ${r.value}, expected ${value}`);
      for (const [name, g] of Object.entries(gradient)) {
        assert.ok(
          Math.abs(r.gradient[name] - g) <= 1e-15 * Math.max(1, Math.abs(g)),
          `d/d${name}: ${r.gradient[name]}, expected ${g}`,
        );
      }
    });
  }

  test('many points at once: each takes its own branch, bit for bit as one at a time', () => {
    const expression = 'x > 0 ? sqrt(x) * y : (y < 0 ? log(-y) : 1/x)';
    const xs = [-2, -1, -0, 0, 0.5, 4, NaN, Infinity];
    const ys = [-3, 2, -0.5, 1, -1, 0, 2, -2];
    const r = grad(expression, { x: xs, y: ys });
    xs.forEach((x, i) => {
      const one = grad(expression, { x, y: ys[i] });
      for (const n of ['x', 'y'] as const) {
        assert.ok(
          Object.is(r.gradient[n][i], one.gradient[n]),
          `d/d${n} at x=${x}: ${r.gradient[n][i]}, one point ${one.gradient[n]}`,
        );
      }
    });
    // x = -2, y = -3: the inner branch log(-y) is taken, so d/dx = 0 and d/dy = 1/y; 1/x is not taken
    assert.equal(r.gradient.x[0], 0);
    assert.equal(r.gradient.y[0], 1 / -3);
  });

  test('higher order through the branch taken: d2/dx2 of (x > 0 ? x^3 : -x^2)', () => {
    const graph = build(parse('x > 0 ? x^3 : -x^2'), at({ x: 2 }));
    assert.deepEqual(derivativesAt(graph, 'x', 3).derivatives, [3 * 4, 6 * 2, 6]);
    const neg = build(parse('x > 0 ? x^3 : -x^2'), at({ x: -2 }));
    assert.deepEqual(neg.output.data, -4);
    assert.deepEqual(derivativesAt(neg, 'x', 2).derivatives, [-2 * -2, -2]);
  });
});

describe('comparisons mean what mathjs makes of them', () => {
  test('values agree with mathjs, ties within its relative 1e-12 included', () => {
    const exprs = ['x < y', 'x > y', 'x <= y', 'x >= y', 'x == y', 'x != y', 'smaller(x, y)', 'largerEq(x, y)'];
    const points = [
      [1, 2],
      [2, 1],
      [1, 1],
      [0.1 + 0.2, 0.3],
      [1, 1 + 1e-13],
      [1, 1 + 1e-10],
      [0, 1e-16],
      [NaN, 1],
      [Infinity, Infinity],
      [-0, 0],
    ];
    for (const e of exprs) {
      for (const [x, y] of points) {
        const ours = grad(e, { x, y }).value;
        const theirs = evaluateMathjsText(math, toMathjs(parse(e)), at({ x, y }));
        assert.ok(Object.is(ours, theirs), `${e} at (${x}, ${y}): ours ${ours}, mathjs ${theirs}`);
      }
    }
  });
  test('precedence as mathjs parses it: comparisons below + -, the conditional lowest', () => {
    for (const [e, x] of [
      ['1 + x > 2 * x - 1', 3],
      ['x > 0 ? 1 : 2 + 10', -1],
      ['x ? 2 : 3 ? 4 : 5', 0],
      ['(-x < 2) == 1', 5],
      ['2 * (x > 1) + 1', 2],
    ] as const) {
      const ours = grad(e, { x }).value;
      const theirs = math.evaluate(e.replaceAll('x', `(${x})`));
      assert.equal(ours, typeof theirs === 'boolean' ? Number(theirs) : theirs, e);
      assert.equal(print(parse(e)), print(parse(print(parse(e)))), `${e} prints and reads back`);
    }
  });
  test('a gradient never flows through a comparison', () => {
    assert.deepEqual({ ...grad('(x > y) * x', { x: 2, y: 1 }).gradient }, { x: 1, y: 0 });
  });
});

describe('the CLI', () => {
  test('prints the trace through the branch taken, and --check still runs the numerical check', async () => {
    const r = await cli(['x > 0 ? sqrt(x) : 0', '--x', '-1', '--check', '--no-color']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /y = a \? b : 0/);
    assert.match(r.out, /dy\/dx = 0/);
    assert.match(r.out, /symbolic {2}none: mathjs cannot differentiate it/);
  });
});
