/**
 * Every op: a forward value, a known backward value, and a central-difference check (DeZero's
 * tests/). Expected values are written as the formulas that produce them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OPS, Variable } from '../src/index.js';
import { assertClose, assertGradClose, centralDiff } from './helpers/numeric.js';

interface UnaryCase {
  /** Known values: [x, f(x), f'(x)], each written as its formula. */
  known: [number, number, number][];
  /** Points for the numerical check, inside the domain and away from kinks. */
  points: number[];
}

const E = Math.E;
/** The Euler-Mascheroni constant: digamma(1) = -EULER. */
const EULER = 0.5772156649015329;
const unary: Record<string, UnaryCase> = {
  neg: { known: [[3, -3, -1]], points: [-2, 0.5, 4] },
  square: {
    known: [
      [3, 9, 2 * 3],
      [-2, 4, 2 * -2],
    ],
    points: [-2, 0.5, 3],
  },
  sqrt: {
    known: [
      [9, 3, 1 / (2 * 3)],
      [0.25, 0.5, 1 / (2 * 0.5)],
    ],
    points: [0.3, 2, 9],
  },
  exp: {
    known: [
      [0, 1, 1],
      [1, E, E],
    ],
    points: [-1, 0.5, 2],
  },
  log: {
    known: [
      [1, 0, 1],
      [E, 1, 1 / E],
    ],
    points: [0.5, 1, 3],
  },
  sin: {
    known: [
      [0, 0, 1],
      [Math.PI / 2, 1, Math.cos(Math.PI / 2)],
    ],
    points: [-1, 0.5, 2],
  },
  cos: {
    known: [
      [0, 1, -0],
      [Math.PI / 2, Math.cos(Math.PI / 2), -1],
    ],
    points: [-1, 0.5, 2],
  },
  tan: {
    known: [
      [0, 0, 1],
      [Math.PI / 4, Math.tan(Math.PI / 4), 1 + Math.tan(Math.PI / 4) ** 2],
    ],
    points: [-1, 0.5, 1.2],
  },
  asin: {
    known: [
      [0, 0, 1],
      [0.5, Math.PI / 6, 1 / Math.sqrt(1 - 0.25)],
    ],
    points: [-0.7, 0.1, 0.9],
  },
  acos: {
    known: [
      [0, Math.PI / 2, -1],
      [0.5, Math.PI / 3, -1 / Math.sqrt(1 - 0.25)],
    ],
    points: [-0.7, 0.1, 0.9],
  },
  // the special functions: references from mpmath (erf(1), erfc(1), erf(1/sqrt 2)) and closed forms
  erf: {
    known: [
      [0, 0, 2 / Math.sqrt(Math.PI)],
      [1, 0.8427007929497149, (2 / Math.sqrt(Math.PI)) * Math.exp(-1)],
    ],
    points: [-2, 0.5, 1.5],
  },
  erfc: {
    known: [
      [0, 1, -2 / Math.sqrt(Math.PI)],
      [1, 0.15729920705028513, (-2 / Math.sqrt(Math.PI)) * Math.exp(-1)],
    ],
    points: [-2, 0.5, 3],
  },
  gamma: {
    known: [
      [1, 1, -EULER],
      [5, 24, 24 * (25 / 12 - EULER)],
      [0.5, Math.sqrt(Math.PI), Math.sqrt(Math.PI) * (-EULER - 2 * Math.LN2)],
    ],
    points: [-1.5, 0.5, 3.2],
  },
  lgamma: {
    known: [
      [1, 0, -EULER],
      [5, Math.log(24), 25 / 12 - EULER],
    ],
    points: [0.3, 2.5, 7],
  },
  digamma: {
    known: [
      [1, -EULER, Math.PI ** 2 / 6],
      [0.5, -EULER - 2 * Math.LN2, Math.PI ** 2 / 2],
    ],
    points: [-1.5, 0.5, 4],
  },
  gelu: {
    known: [
      [0, 0, 0.5],
      [1, 0.5 * (1 + 0.6826894921370859), 0.8413447460685429 + Math.exp(-0.5) / Math.sqrt(2 * Math.PI)],
    ],
    points: [-3, 0.5, 2],
  },
  sign: {
    known: [
      [-2, -1, 0],
      [3, 1, 0],
      [0, 0, 0],
    ],
    points: [-2, 0.5, 3],
  },
  sec: {
    known: [
      [0, 1, 0],
      [Math.PI / 3, 1 / Math.cos(Math.PI / 3), Math.tan(Math.PI / 3) / Math.cos(Math.PI / 3)],
    ],
    points: [-1, 0.5, 1.2],
  },
  atan: {
    known: [
      [0, 0, 1],
      [1, Math.PI / 4, 1 / (1 + 1)],
    ],
    points: [-3, 0.5, 10],
  },
  tanh: {
    known: [
      [0, 0, 1],
      [0.5, (E - 1) / (E + 1), 1 - ((E - 1) / (E + 1)) ** 2],
    ],
    points: [-2, 0.5, 3],
  },
  sinh: {
    known: [
      [0, 0, 1],
      [1, (E - 1 / E) / 2, (E + 1 / E) / 2],
    ],
    points: [-2, 0.5, 3],
  },
  cosh: {
    known: [
      [0, 1, 0],
      [1, (E + 1 / E) / 2, (E - 1 / E) / 2],
    ],
    points: [-2, 0.5, 3],
  },
  sigmoid: {
    known: [
      [0, 0.5, 0.5 * (1 - 0.5)],
      [1, 1 / (1 + 1 / E), (1 / (1 + 1 / E)) * (1 - 1 / (1 + 1 / E))],
    ],
    points: [-3, 0.5, 4],
  },
  relu: {
    known: [
      [2, 2, 1],
      [-2, 0, 0],
      [0, 0, 0],
    ],
    points: [-2, 0.5, 3],
  },
  abs: {
    known: [
      [-2, 2, -1],
      [3, 3, 1],
      [0, 0, 0],
    ],
    points: [-2, 0.5, 3],
  },
  // powers and logarithms
  cube: {
    known: [
      [3, 27, 3 * 3 ** 2],
      [-2, -8, 3 * (-2) ** 2],
    ],
    points: [-2, 0.5, 3],
  },
  cbrt: {
    known: [
      [8, 2, 1 / (3 * 2 ** 2)],
      [-27, -3, 1 / (3 * (-3) ** 2)],
    ],
    points: [-2, 0.5, 9],
  },
  log10: {
    known: [
      [1000, 3, 1 / (1000 * Math.LN10)],
      [1, 0, 1 / Math.LN10],
    ],
    points: [0.5, 1, 30],
  },
  log2: {
    known: [
      [8, 3, 1 / (8 * Math.LN2)],
      [0.5, -1, 1 / (0.5 * Math.LN2)],
    ],
    points: [0.5, 1, 30],
  },
  log1p: {
    known: [
      [0, 0, 1],
      [E - 1, 1, 1 / E],
    ],
    points: [-0.5, 1e-3, 3],
  },
  expm1: {
    known: [
      [0, 0, 1],
      [1, E - 1, E],
    ],
    points: [-2, 1e-3, 2],
  },
  // trigonometric, as mathjs defines them
  csc: {
    known: [[Math.PI / 6, 1 / Math.sin(Math.PI / 6), -Math.cos(Math.PI / 6) / Math.sin(Math.PI / 6) ** 2]],
    points: [-1, 0.5, 2],
  },
  cot: {
    known: [
      [Math.PI / 4, 1 / Math.tan(Math.PI / 4), -1 / Math.sin(Math.PI / 4) ** 2],
      [1, 1 / Math.tan(1), -1 / Math.sin(1) ** 2],
    ],
    points: [-1, 0.5, 2],
  },
  asec: {
    known: [
      [2, Math.PI / 3, 1 / (2 * Math.sqrt(3))],
      [-2, (2 * Math.PI) / 3, 1 / (2 * Math.sqrt(3))],
    ],
    points: [-3, 1.5, 4],
  },
  acsc: {
    known: [
      [2, Math.PI / 6, -1 / (2 * Math.sqrt(3))],
      [-2, -Math.PI / 6, -1 / (2 * Math.sqrt(3))],
    ],
    points: [-3, 1.5, 4],
  },
  acot: {
    known: [
      [1, Math.PI / 4, -1 / 2],
      [-1, -Math.PI / 4, -1 / 2],
      [0, Math.PI / 2, -1],
    ],
    points: [-2, 0.5, 3],
  },
  // hyperbolic
  sech: {
    known: [
      [0, 1, -0],
      [1, 1 / Math.cosh(1), -Math.tanh(1) / Math.cosh(1)],
    ],
    points: [-2, 0.5, 3],
  },
  csch: {
    known: [
      [1, 1 / Math.sinh(1), -Math.cosh(1) / Math.sinh(1) ** 2],
      [-1, -1 / Math.sinh(1), -Math.cosh(1) / Math.sinh(1) ** 2],
    ],
    points: [-2, 0.5, 3],
  },
  coth: {
    known: [
      [1, 1 / Math.tanh(1), -1 / Math.sinh(1) ** 2],
      [0.5, 1 / Math.tanh(0.5), -1 / Math.sinh(0.5) ** 2],
    ],
    points: [-2, 0.5, 3],
  },
  asinh: {
    known: [
      [0, 0, 1],
      [1, Math.log(1 + Math.SQRT2), 1 / Math.SQRT2],
    ],
    points: [-2, 0.5, 3],
  },
  acosh: {
    known: [
      [1, 0, Infinity],
      [2, Math.log(2 + Math.sqrt(3)), 1 / Math.sqrt(3)],
    ],
    points: [1.5, 2, 5],
  },
  atanh: {
    known: [
      [0, 0, 1],
      [0.5, Math.log(3) / 2, 1 / (1 - 0.5 ** 2)],
    ],
    points: [-0.7, 0.1, 0.9],
  },
  asech: {
    known: [
      [1, 0, -Infinity],
      [0.5, Math.log(2 + Math.sqrt(3)), -1 / (0.5 * Math.sqrt(1 - 0.5 ** 2))],
    ],
    points: [0.2, 0.5, 0.9],
  },
  acsch: {
    known: [
      [1, Math.log(1 + Math.SQRT2), -1 / Math.SQRT2],
      [-1, -Math.log(1 + Math.SQRT2), -1 / Math.SQRT2],
    ],
    points: [-2, 0.5, 3],
  },
  acoth: {
    known: [
      [2, Math.log(3) / 2, 1 / (1 - 2 ** 2)],
      [-2, -Math.log(3) / 2, 1 / (1 - 2 ** 2)],
    ],
    points: [-3, 1.5, 4],
  },
  // steps: gradient 0
  floor: {
    known: [
      [2.5, 2, 0],
      [-2.5, -3, 0],
      [3, 3, 0],
    ],
    points: [-1.5, 0.5, 2.7],
  },
  ceil: {
    known: [
      [2.5, 3, 0],
      [-2.5, -2, 0],
      [3, 3, 0],
    ],
    points: [-1.5, 0.5, 2.7],
  },
  round: {
    known: [
      [2.5, 3, 0],
      [-2.5, -3, 0],
      [2.4, 2, 0],
    ],
    points: [-1.3, 0.2, 2.7],
  },
  fix: {
    known: [
      [2.7, 2, 0],
      [-2.7, -2, 0],
    ],
    points: [-1.5, 0.5, 2.7],
  },
  // activations
  softplus: {
    known: [
      [0, Math.LN2, 0.5],
      [1, Math.log(1 + E), 1 / (1 + 1 / E)],
      [30, 30, 1],
    ],
    points: [-3, 0.5, 4],
  },
  silu: {
    known: [
      [0, 0, 0.5],
      [1, 1 / (1 + 1 / E), (1 / (1 + 1 / E)) * (1 + 1 * (1 - 1 / (1 + 1 / E)))],
    ],
    points: [-3, 0.5, 4],
  },
  // leaky_relu(x): the slope left out is 0.2
  leaky_relu: {
    known: [
      [2, 2, 1],
      [-2, -2 * 0.2, 0.2],
      [0, 0, 0.2],
    ],
    points: [-2, 0.5, 3],
  },
};

interface BinaryCase {
  /** [x0, x1, f, df/dx0, df/dx1] */
  known: [number, number, number, number, number][];
  points: [number, number][];
}

const binary: Record<string, BinaryCase> = {
  // comparisons: 1 or 0, gradient 0 (away from ties, where they jump; test/conditional.test.ts)
  smaller: {
    known: [
      [1, 2, 1, 0, 0],
      [2, 1, 0, 0, 0],
      [1, 1, 0, 0, 0],
    ],
    points: [
      [-1, 2],
      [0.5, 0.25],
    ],
  },
  larger: {
    known: [
      [1, 2, 0, 0, 0],
      [2, 1, 1, 0, 0],
      [1, 1, 0, 0, 0],
    ],
    points: [
      [-1, 2],
      [0.5, 0.25],
    ],
  },
  smallerEq: {
    known: [
      [1, 2, 1, 0, 0],
      [2, 1, 0, 0, 0],
      [1, 1, 1, 0, 0],
    ],
    points: [
      [-1, 2],
      [0.5, 0.25],
    ],
  },
  largerEq: {
    known: [
      [1, 2, 0, 0, 0],
      [2, 1, 1, 0, 0],
      [1, 1, 1, 0, 0],
    ],
    points: [
      [-1, 2],
      [0.5, 0.25],
    ],
  },
  equal: {
    known: [
      [1, 2, 0, 0, 0],
      [1, 1, 1, 0, 0],
    ],
    points: [
      [-1, 2],
      [0.5, 0.25],
    ],
  },
  unequal: {
    known: [
      [1, 2, 1, 0, 0],
      [1, 1, 0, 0, 0],
    ],
    points: [
      [-1, 2],
      [0.5, 0.25],
    ],
  },
  add: {
    known: [[2, 3, 2 + 3, 1, 1]],
    points: [
      [-1, 2],
      [0.5, 0.25],
    ],
  },
  sub: {
    known: [[2, 3, 2 - 3, 1, -1]],
    points: [
      [-1, 2],
      [0.5, 0.25],
    ],
  },
  mul: {
    known: [[2, 3, 2 * 3, 3, 2]],
    points: [
      [-1, 2],
      [0.5, 0.25],
    ],
  },
  div: {
    known: [[2, 4, 2 / 4, 1 / 4, -2 / 4 ** 2]],
    points: [
      [-1, 2],
      [0.5, 0.25],
    ],
  },
  pow: {
    known: [
      [2, 3, 8, 3 * 2 ** 2, 8 * Math.log(2)],
      // a negative base with an integer exponent: never through exp(c*log(x))
      [-2, 2, 4, 2 * -2, 4 * Math.log(-2)],
    ],
    points: [
      [1.5, 2],
      [0.5, 3.5],
      [2, -1],
    ],
  },
  nthRoot: {
    // d/dx = y/(n·x), d/dn = -y·log|x|/n²; a negative x with an odd n has a real root
    known: [
      [8, 3, 2, 2 / (3 * 8), (-2 * Math.log(8)) / 3 ** 2],
      [-8, 3, -2, -2 / (3 * -8), (2 * Math.log(8)) / 3 ** 2],
    ],
    points: [
      [2, 3],
      [0.5, 2.5],
      [5, -2],
    ],
  },
  atan2: {
    // d/dy = x/(x²+y²), d/dx = -y/(x²+y²)
    known: [
      [1, 1, Math.PI / 4, 1 / 2, -1 / 2],
      [1, -1, (3 * Math.PI) / 4, -1 / 2, -1 / 2],
    ],
    points: [
      [1, 2],
      [-0.5, 0.3],
      [2, -1],
    ],
  },
  mod: {
    // x - y·floor(x/y): the sign of y; d/dy = -floor(x/y); mod(x, 0) = x
    known: [
      [5, 3, 5 - 3 * 1, 1, -1],
      [-5, 3, -5 - 3 * -2, 1, 2],
      [5, -3, 5 - -3 * -2, 1, 2],
      [7, 0, 7, 1, 0],
    ],
    points: [
      [5.5, 3],
      [-2.5, 1.5],
      [7.3, -2],
    ],
  },
  leaky_relu: {
    known: [
      [-2, 0.1, -2 * 0.1, 0.1, -2],
      [3, 0.1, 3, 1, 0],
    ],
    points: [
      [-2, 0.3],
      [0.5, 0.1],
    ],
  },
};

function gradOf(opName: string, xs: number[]): { y: number; gxs: number[] } {
  const op = OPS.get(opName)!;
  const vars = xs.map((x, i) => new Variable(x, `x${i}`));
  const y = op.fn(...vars);
  y.backward();
  // No gradient reached an input (floor's backward sends none): 0, as the library reports it.
  return { y: y.data as number, gxs: vars.map((v) => (v.grad?.data as number | undefined) ?? 0) };
}

describe('every op in the registry has a test here', () => {
  test('no op is left out', () => {
    // diff is not a function of numbers but of a graph: test/higher.test.ts checks it; the
    // conditional takes three inputs: test/conditional.test.ts.
    // polygamma(n, x) takes a whole n, max, min and hypot any number of arguments: test/special-ops.test.ts.
    const covered = new Set([
      ...Object.keys(unary),
      ...Object.keys(binary),
      'diff',
      'cond',
      'polygamma',
      'max',
      'min',
      'hypot',
      // the ops on whole values: test/tensor-ops.test.ts
      ...[...OPS.values()].filter((op) => op.array !== undefined).map((op) => op.name),
    ]);
    assert.deepEqual(
      [...OPS.keys()].filter((k) => !covered.has(k)),
      [],
    );
  });
});

for (const [name, c] of Object.entries(unary)) {
  describe(`${name}`, () => {
    test('forward and backward at known points', () => {
      for (const [x, fx, dfx] of c.known) {
        const { y, gxs } = gradOf(name, [x]);
        assertClose(y, fx, `${name}(${x})`, 1e-15);
        assertClose(gxs[0], dfx, `${name}'(${x})`, 1e-15);
      }
    });
    test('backward agrees with central differences', () => {
      const f = (x: number): number => OPS.get(name)!.fn(new Variable(x)).data as number;
      for (const x of c.points) assertGradClose(gradOf(name, [x]).gxs[0], centralDiff(f, x), `${name}'(${x})`);
    });
  });
}

for (const [name, c] of Object.entries(binary)) {
  describe(`${name}`, () => {
    test('forward and backward at known points', () => {
      for (const [x0, x1, f, d0, d1] of c.known) {
        const { y, gxs } = gradOf(name, [x0, x1]);
        assertClose(y, f, `${name}(${x0}, ${x1})`, 1e-15);
        assertClose(gxs[0], d0, `d${name}/dx0 at (${x0}, ${x1})`, 1e-15);
        if (!Number.isNaN(d1)) assertClose(gxs[1], d1, `d${name}/dx1 at (${x0}, ${x1})`, 1e-15);
      }
    });
    test('backward agrees with central differences in both inputs', () => {
      const op = OPS.get(name)!;
      for (const [x0, x1] of c.points) {
        const { gxs } = gradOf(name, [x0, x1]);
        assertGradClose(
          gxs[0],
          centralDiff((t) => op.fn(new Variable(t), new Variable(x1)).data as number, x0),
          `d${name}/dx0 at (${x0}, ${x1})`,
        );
        assertGradClose(
          gxs[1],
          centralDiff((t) => op.fn(new Variable(x0), new Variable(t)).data as number, x1),
          `d${name}/dx1 at (${x0}, ${x1})`,
        );
      }
    });
  });
}

describe('conventions at kinks and domain edges (PyTorch)', () => {
  test("abs'(0) = 0 and relu'(0) = 0", () => {
    assert.equal(gradOf('abs', [0]).gxs[0], 0);
    assert.equal(gradOf('relu', [0]).gxs[0], 0);
  });
  test("sqrt'(0) = Infinity", () => {
    assert.equal(gradOf('sqrt', [0]).gxs[0], Infinity);
  });
  test('x^c at x = 0: d/dc is 0 for c >= 0; d/dx of x^0 is 0', () => {
    const { y, gxs } = gradOf('pow', [0, 2]);
    assert.equal(y, 0);
    assert.equal(gxs[0], 0);
    assert.equal(gxs[1], 0);
    assert.equal(gradOf('pow', [0, 0]).gxs[0], 0);
    assert.equal(gradOf('pow', [0, 0]).y, 1);
  });
  test('tanh saturates to a gradient of exactly 0, not NaN', () => {
    assert.equal(gradOf('tanh', [800]).gxs[0], 0);
  });
  test('a constant exponent gets no gradient and no log(x) is computed', () => {
    const x = new Variable(-2, 'x');
    const y = OPS.get('pow')!.fn(x, new Variable(3, '3', false));
    y.backward();
    assert.equal(x.grad!.data, 3 * (-2) ** 2);
  });
});
