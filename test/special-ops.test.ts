/**
 * The special functions as ops (their numerics: test/special.test.ts): polygamma's two inputs,
 * second derivatives against closed forms, the conventions at poles, the fused kernel.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build, derivativesAt, grad, parse } from '../src/index.js';

const EULER = 0.5772156649015329;
const ZETA3 = 1.2020569031595942; // mpmath zeta(3)
const close = (a: number, b: number, what: string, rel = 1e-13): void =>
  assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)), `${what}: ${a}, expected ${b}`);
const nth = (expression: string, x: number, n: number): number[] =>
  derivativesAt(build(parse(expression), new Map([['x', x]])), 'x', n).derivatives;

test('polygamma(n, x): the n-th derivative of digamma; d/dx is polygamma(n + 1, x), n gets none', () => {
  const r = grad('polygamma(1, x)', { x: 1 });
  close(r.value, Math.PI ** 2 / 6, 'trigamma(1)');
  close(r.gradient.x, -2 * ZETA3, 'polygamma(2, 1)');
  assert.deepEqual({ ...grad('polygamma(n, x)', { n: 1, x: 1 }).gradient }, { n: 0, x: r.gradient.x });
  assert.ok(Number.isNaN(grad('polygamma(1.5, x)', { x: 1 }).value), 'NaN unless n is a whole number');
  assert.ok(Number.isNaN(grad('polygamma(171, x)', { x: 1 }).value), 'NaN past order 170');
});

test('second and third derivatives against closed forms', () => {
  // lgamma'' = polygamma(1, x): trigamma(1) = pi^2/6, polygamma(2, 1) = -2 zeta(3)
  const lg = nth('lgamma(x)', 1, 3);
  close(lg[0], -EULER, "lgamma'(1)");
  close(lg[1], Math.PI ** 2 / 6, "lgamma''(1)");
  close(lg[2], -2 * ZETA3, "lgamma'''(1)");
  // gamma'' = gamma (digamma^2 + trigamma): at 1, EULER^2 + pi^2/6
  close(nth('gamma(x)', 1, 2)[1], EULER ** 2 + Math.PI ** 2 / 6, "gamma''(1)");
  // erf'' = -4x/sqrt(pi) exp(-x^2)
  for (const x of [0.3, -1.2])
    close(nth('erf(x)', x, 2)[1], ((-4 * x) / Math.sqrt(Math.PI)) * Math.exp(-x * x), `erf''(${x})`);
  for (const x of [0.3, -1.2])
    close(nth('erfc(x)', x, 2)[1], ((4 * x) / Math.sqrt(Math.PI)) * Math.exp(-x * x), `erfc''(${x})`);
  // gelu'' = phi(x) (2 - x^2)
  for (const x of [0.7, -1.1])
    close(nth('gelu(x)', x, 2)[1], (Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI)) * (2 - x * x), `gelu''(${x})`);
  // digamma'' = polygamma(2, x)
  close(nth('digamma(x)', 1, 2)[1], -2 * ZETA3, "digamma''(1)");
});

test('poles and tails: gamma at 0 and the negative integers, erfc far out, gelu far left', () => {
  assert.equal(grad('gamma(x)', { x: 0 }).value, Infinity);
  assert.equal(grad('gamma(x)', { x: -2 }).value, Infinity);
  assert.ok(Number.isNaN(grad('lgamma(x)', { x: -0.5 }).value), 'lgamma is NaN for x < 0, as mathjs');
  // erfc keeps its relative accuracy in the tail, where 1 - erf would be 0
  close(grad('erfc(x)', { x: 10 }).value, 2.088487583762545e-45, 'erfc(10)', 1e-15);
  // gelu far left is tiny, not 0: x·erfc(-x/sqrt 2)/2
  assert.ok(grad('gelu(x)', { x: -10 }).value < 0 && grad('gelu(x)', { x: -10 }).value > -1e-20);
});

test('many points: the fused kernel calls the same functions, bit for bit', () => {
  const xs = [0.1, 0.5, 1, 2.5, -1.5, 10];
  for (const e of ['erf(x) * gamma(x)', 'lgamma(abs(x) + 1) + gelu(x) - erfc(x)', 'digamma(x) + polygamma(1, x)']) {
    const r = grad(e, { x: xs });
    xs.forEach((x, i) => {
      const one = grad(e, { x });
      assert.ok(Object.is(r.value[i], one.value) && Object.is(r.gradient.x[i], one.gradient.x), `${e} at ${x}`);
    });
  }
});

test('max, min and hypot take any number of arguments; a tie shares the gradient equally', () => {
  const r = grad('max(x, y, z)', { x: 1, y: 3, z: 2 });
  assert.equal(r.value, 3);
  assert.deepEqual({ ...r.gradient }, { x: 0, y: 1, z: 0 });
  assert.deepEqual({ ...grad('max(x, y, z)', { x: 3, y: 3, z: 3 }).gradient }, { x: 1 / 3, y: 1 / 3, z: 1 / 3 });
  assert.deepEqual({ ...grad('min(x, y)', { x: 2, y: 2 }).gradient }, { x: 0.5, y: 0.5 });
  assert.deepEqual({ ...grad('min(x, 1)', { x: 0.5 }).gradient }, { x: 1 });
  const h = grad('hypot(x, y, z)', { x: 3, y: 4, z: 12 });
  assert.equal(h.value, 13);
  assert.deepEqual({ ...h.gradient }, { x: 3 / 13, y: 4 / 13, z: 12 / 13 });
  assert.deepEqual({ ...grad('hypot(x, y)', { x: 0, y: 0 }).gradient }, { x: 0, y: 0 }, 'a subgradient at the origin');
  assert.equal(grad('hypot(x, y)', { x: 1e200, y: 1e200 }).value, Math.SQRT2 * 1e200, 'no overflow');
  // second derivative of hypot(x, 3) = 3^2 / hypot^3
  close(nth('hypot(x, 3)', 4, 2)[1], 9 / 125, "hypot''");
  // One argument: the largest element of it, as mathjs's max(3) = 3 (on a tensor, a reduction).
  assert.deepEqual({ ...grad('max(x)', { x: 2 }).gradient }, { x: 1 });
  assert.throws(() => parse('max()'), /max\(\) needs 1 or more arguments/);
});

test('max over many points in the fused kernel, ties included, bit for bit', () => {
  const xs = [1, 2, 2, -0, 0, NaN, 5];
  const r = grad('max(x, 2, y) + hypot(x, y)', { x: xs, y: 0 });
  xs.forEach((x, i) => {
    const one = grad('max(x, 2, y) + hypot(x, y)', { x, y: 0 });
    assert.ok(Object.is(r.gradient.x[i], one.gradient.x) && Object.is(r.value[i], one.value), `at ${x}`);
  });
});
