/**
 * The reductions' loops (arrays.ts `reduce`, compiled once per fold), sum_to down to one element
 * (tensor.ts `sumTo`, without its odometer) and the elementwise loops (one compiled source an op)
 * give the bits of plain sequential loops; a constant broadcast input gets no gradient and its
 * variable partner the right one.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Tensor,
  type Value,
  Variable,
  add,
  cos,
  div,
  logsumexp,
  max,
  mean,
  mul,
  norm,
  prod,
  sin,
  softmax,
  sum,
  sumTo,
  tanh,
} from '../src/index.js';
import { random } from './helpers/random.js';

const elementsOf = (v: Value): Float64Array => (typeof v === 'number' ? Float64Array.of(v) : v.data);
const same = (got: Value, want: Float64Array, what: string): void => {
  const g = elementsOf(got);
  assert.equal(g.length, want.length, `${what}: length`);
  for (let i = 0; i < g.length; i++) assert.ok(Object.is(g[i], want[i]), `${what}[${i}]: ${g[i]}, want ${want[i]}`);
};
const values = (rnd: () => number, n: number): Float64Array =>
  Float64Array.from({ length: n }, () => (rnd() - 0.5) * 10 ** Math.floor(rnd() * 6 - 3));

describe('reductions and sum_to: the bits of sequential loops', () => {
  const rnd = random(2026);
  const [a, b, c] = [3, 40, 7];
  const data = values(rnd, a * b * c);
  const t = Tensor.from([a, b, c], data);
  const fold = (f: (acc: number, v: number) => number, init: number): number => data.reduce(f, init);
  /** Along axis 1 (0-based) of [a, b, c]: out[i][k] folds t[i][j][k] for j ascending. */
  const along = (f: (acc: number, v: number) => number, init: number): Float64Array => {
    const out = new Float64Array(a * c).fill(init);
    for (let i = 0; i < a; i++)
      for (let j = 0; j < b; j++)
        for (let k = 0; k < c; k++) out[i * c + k] = f(out[i * c + k], data[(i * b + j) * c + k]);
    return out;
  };

  test('sum, prod, mean, max and norm of every element, and along a dimension', () => {
    same(sum(t).data, Float64Array.of(fold((s, v) => s + v, 0)), 'sum');
    same(prod(t).data, Float64Array.of(fold((s, v) => s * v, 1)), 'prod');
    same(mean(t).data, Float64Array.of(fold((s, v) => s + v, 0) / data.length), 'mean');
    same(max(t).data, Float64Array.of(fold((p, q) => Math.max(p, q), -Infinity)), 'max');
    const v = Tensor.from([data.length], data);
    same(norm(v).data, Float64Array.of(Math.sqrt(fold((s, x) => s + x * x, 0))), 'norm');
    same(
      sum(t, 2).data,
      along((s, x) => s + x, 0),
      'sum(t, 2)',
    );
    same(
      prod(t, 2).data,
      along((s, x) => s * x, 1),
      'prod(t, 2)',
    );
  });

  test('softmax and logsumexp over the last dimension, element by element', () => {
    const m = Tensor.from([a * b, c], data);
    const want = new Float64Array(data.length);
    const lse = new Float64Array(a * b);
    for (let r = 0; r < a * b; r++) {
      const row = data.subarray(r * c, (r + 1) * c);
      const top = row.reduce((p, q) => Math.max(p, q), -Infinity);
      const e = row.map((x) => Math.exp(x - top));
      const total = e.reduce((p, q) => p + q, 0);
      want.set(
        e.map((x) => x / total),
        r * c,
      );
      lse[r] = Math.log(total) + top;
    }
    same(softmax(m).data, want, 'softmax');
    same(logsumexp(m).data, lse, 'logsumexp');
  });

  test('sum_to down to one element, [] or all ones: the sum in index order', () => {
    const total = fold((s, v) => s + v, 0);
    same(sumTo(t, []).data, Float64Array.of(total), 'sum_to []');
    same(sumTo(t, [1, 1, 1]).data, Float64Array.of(total), 'sum_to [1, 1, 1]');
    same(sumTo(t, [1, 1]).data, Float64Array.of(total), 'sum_to [1, 1]');
    const columns = new Float64Array(c);
    for (let q = 0; q < data.length; q++) columns[q % c] += data[q];
    same(sumTo(t, [1, c]).data, columns, 'sum_to [1, c]');
  });
});

describe('gradients through broadcasts', () => {
  test('a constant broadcast input gets no gradient; the variable beside it gets gy', () => {
    const y = new Variable(Tensor.from([2, 3], [1, 2, 3, 4, 5, 6]));
    const one = Tensor.from([1, 1], [1]);
    sum(mul(add(one, y), y)).backward();
    // d/dy sum((1 + y) y) = 1 + 2y
    same(
      y.grad!.data,
      Float64Array.from([1, 2, 3, 4, 5, 6], (v) => 1 + 2 * v),
      'y.grad',
    );
    const c = new Variable(Tensor.from([1, 3], [1, 2, 3]), null, false);
    const x = new Variable(Tensor.from([2, 3], [1, 2, 3, 4, 5, 6]));
    sum(mul(c, x)).backward();
    assert.equal(c.grad, null);
    same(x.grad!.data, Float64Array.of(1, 2, 3, 1, 2, 3), 'x.grad');
  });
  test('a variable broadcast input gets its gradient summed back', () => {
    const b = new Variable(Tensor.from([1, 3], [1, 2, 3]));
    const x = new Variable(Tensor.from([2, 3], [1, 2, 3, 4, 5, 6]));
    sum(mul(b, x)).backward();
    same(b.grad!.data, Float64Array.of(1 + 4, 2 + 5, 3 + 6), 'b.grad');
  });
});

describe('elementwise ops one after another: each its scalar self, bit for bit', () => {
  test('the tensor bench expression on random inputs, and the ops of its backward', () => {
    const rnd = random(13);
    const n = 5000;
    const xs = values(rnd, n);
    const ys = values(rnd, n);
    const X = Tensor.from([n], xs);
    const Y = Tensor.from([n], ys);
    // Many ops in a row, so that each op's loop has seen the others run first.
    const out = add(tanh(mul(X, Y)), div(sin(X), add(1, mul(Y, Y)))).data;
    same(
      out,
      xs.map((x, i) => Math.tanh(x * ys[i]) + Math.sin(x) / (1 + ys[i] * ys[i])),
      'value',
    );
    same(
      cos(X).data,
      xs.map((x) => Math.cos(x)),
      'cos',
    );
  });
});
