/**
 * grad() over arrays keeps what it compiled by the expression (its text, or its syntax tree): a
 * second call must give the same numbers as the first, for fresh inputs, other lengths and other
 * patterns of arrays and numbers.
 * At one point, grad() keeps the parse by the text: the same again at other points, other
 * variables missing, and a text that does not parse failing every time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExprError, grad, MissingValueError, parse } from '../src/index.js';

// square(exp(square(x))) = exp(2x^2); d/dx = 4x exp(2x^2) (closed form).
const f = (x: number): number => Math.exp(2 * x * x);
const df = (x: number): number => 4 * x * Math.exp(2 * x * x);
const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-14 * Math.abs(b);

test('the same expression again, on other points: the same answers as a first call', () => {
  const source = 'square(exp(square(x)))';
  const xs = [new Float64Array([-1, 0, 0.5]), new Float64Array([0.25, 2]), new Float64Array([0.5, -1, 0, 3])];
  for (const x of xs) {
    const r = grad(source, { x });
    assert.equal(r.length, x.length);
    x.forEach((xi, i) => {
      assert.ok(close(r.value[i], f(xi)), `value at ${xi}: ${r.value[i]} vs ${f(xi)}`);
      assert.ok(close(r.gradient.x[i], df(xi)), `gradient at ${xi}: ${r.gradient.x[i]} vs ${df(xi)}`);
    });
  }
  // The outputs are new arrays each call, never the previous call's.
  const a = grad(source, { x: xs[0] });
  const b = grad(source, { x: xs[0] });
  assert.notEqual(a.value, b.value);
  assert.deepEqual([...a.value], [...b.value]);
});

test('one expression with an array, then a number, for each variable: both patterns compile', () => {
  const source = 'x * y + sin(y)';
  const x = new Float64Array([1, 2]);
  const r1 = grad(source, { x, y: 0.5 });
  const r2 = grad(source, { x: 3, y: new Float64Array([0, 1]) });
  assert.deepEqual([...r1.gradient.y], [1 + Math.cos(0.5), 2 + Math.cos(0.5)]);
  assert.deepEqual([...r2.gradient.x], [0, 1]);
  assert.deepEqual([...r2.gradient.y], [3 + Math.cos(0), 3 + Math.cos(1)]);
});

test('a syntax tree is kept by identity; another tree of other text is compiled for itself', () => {
  const t1 = parse('x^3');
  const t2 = parse('x^2');
  const x = new Float64Array([2, 3]);
  assert.deepEqual([...grad(t1, { x }).gradient.x], [3 * 4, 3 * 9]);
  assert.deepEqual([...grad(t2, { x }).gradient.x], [2 * 2, 2 * 3]);
  assert.deepEqual([...grad(t1, { x }).gradient.x], [3 * 4, 3 * 9]);
});

test('one point: the same text again at other points gives the first call’s answers, trace and all', () => {
  const source = 'square(exp(square(x)))';
  for (const x of [0.5, -1, 0, 0.5, 2]) {
    const r = grad(source, { x });
    assert.ok(close(r.value, f(x)), `value at ${x}`);
    assert.ok(x === 0 ? r.gradient.x === 0 : close(r.gradient.x, df(x)), `gradient at ${x}`);
    // The trace (made from the kept form on reading) is the one of this call's point.
    assert.equal(r.trace.forward[0].value, x * x);
    assert.equal(r.trace.forward.at(-1)?.value, r.value);
  }
  assert.equal(grad(source, { x: 0.5 }).gradient.x, 3.297442541400256);
});

test('one point: a kept text with a variable left out, then given, then a text that does not parse', () => {
  const source = 'x * y + sin(y)';
  assert.throws(() => grad(source, { x: 1 }), MissingValueError);
  assert.equal(grad(source, { x: 2, y: 0 }).gradient.y, 3);
  assert.throws(() => grad(source, { y: 1 }), MissingValueError);
  for (let i = 0; i < 2; i++) assert.throws(() => grad('x * (y', { x: 1, y: 1 }), ExprError);
});
