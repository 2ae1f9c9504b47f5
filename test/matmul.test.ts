/**
 * The matrix product's kernel (src/engine/arrays.ts, `product`: rows and k taken 8 at a time) gives
 * the bits of the plain loops it replaced, on random shapes around its block edges (1, 7, 8, 9,
 * ...), vectors on either side, and values that round, overflow, vanish or are NaN: each element
 * against the i-k-j loop the engine had, and against the textbook triple loop (one sum an element,
 * k ascending from 0).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Tensor, Variable, matmul, sum, transpose } from '../src/index.js';
import { random } from './helpers/random.js';

/** The engine's kernel before the blocked one: i-k-j, the inner loop along rows of y and of out. */
function ikj(x: Float64Array, y: Float64Array, m: number, n: number, p: number): Float64Array {
  const out = new Float64Array(m * p);
  for (let i = 0; i < m; i++)
    for (let k = 0; k < n; k++) {
      const v = x[i * n + k];
      for (let j = 0; j < p; j++) out[i * p + j] += v * y[k * p + j];
    }
  return out;
}

/** The textbook product: each element one sum, k ascending from 0. */
function naive(x: Float64Array, y: Float64Array, m: number, n: number, p: number): Float64Array {
  const out = new Float64Array(m * p);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < p; j++) {
      let c = 0;
      for (let k = 0; k < n; k++) c += x[i * n + k] * y[k * p + j];
      out[i * p + j] = c;
    }
  return out;
}

const SIZES = [1, 2, 3, 7, 8, 9, 15, 16, 17, 24, 31, 33, 64, 70];
const SPECIAL = [0, -0, 1e308, -1e308, 5e-324, -5e-324, Number.NaN, Number.POSITIVE_INFINITY, 1 / 3];

/** Random elements with mixed signs and scales; a share `special` of them from SPECIAL. */
function elements(rnd: () => number, size: number, special: number): Float64Array {
  return Float64Array.from({ length: size }, () =>
    rnd() < special ? SPECIAL[Math.floor(rnd() * SPECIAL.length)] : (rnd() - 0.5) * 10 ** Math.floor(rnd() * 8 - 4),
  );
}

/** The first element where two arrays' bits differ, as a message, or null. */
function firstDifference(got: Float64Array, want: Float64Array, p: number): string | null {
  if (got.length !== want.length) return `length ${got.length}, want ${want.length}`;
  for (let q = 0; q < got.length; q++)
    if (!Object.is(got[q], want[q])) return `[${Math.floor(q / p)}][${q % p}] is ${got[q]}, want ${want[q]}`;
  return null;
}

const dataOf = (v: Variable): Float64Array => (typeof v.data === 'number' ? Float64Array.of(v.data) : v.data.data);

describe('matmul kernel: the bits of the plain loops', () => {
  test('random matrices around the 8 x 8 block edges, some elements 0, -0, huge, tiny, NaN, Infinity', () => {
    const rnd = random(16);
    const pick = () => SIZES[Math.floor(rnd() * SIZES.length)];
    for (let c = 0; c < 300; c++) {
      const [m, n, p] = [pick(), pick(), pick()];
      const special = c % 3 === 0 ? 0.1 : 0;
      const x = elements(rnd, m * n, special);
      const y = elements(rnd, n * p, special);
      const got = dataOf(matmul(Tensor.from([m, n], x), Tensor.from([n, p], y)));
      const shapes = `[${m}, ${n}] x [${n}, ${p}]`;
      assert.equal(firstDifference(got, ikj(x, y, m, n, p), p), null, `${shapes} against the i-k-j loop`);
      assert.equal(firstDifference(got, naive(x, y, m, n, p), p), null, `${shapes} against the triple loop`);
    }
  });

  test('vectors as mathjs: [n] x [n, p] a row, [m, n] x [n] a column, [n] x [n] their dot product', () => {
    const rnd = random(41);
    for (const n of [1, 7, 8, 9, 100]) {
      for (const other of [1, 8, 13]) {
        const v = elements(rnd, n, 0);
        const A = elements(rnd, n * other, 0);
        const row = dataOf(matmul(Tensor.from([n], v), Tensor.from([n, other], A)));
        assert.equal(firstDifference(row, naive(v, A, 1, n, other), other), null, `[${n}] x [${n}, ${other}]`);
        const col = dataOf(matmul(Tensor.from([other, n], A), Tensor.from([n], v)));
        assert.equal(firstDifference(col, naive(A, v, other, n, 1), 1), null, `[${other}, ${n}] x [${n}]`);
      }
      const [a, b] = [elements(rnd, n, 0), elements(rnd, n, 0)];
      const dot = matmul(Tensor.from([n], a), Tensor.from([n], b)).data;
      assert.ok(Object.is(dot, naive(a, b, 1, n, 1)[0]), `[${n}] x [${n}]: ${dot}`);
    }
  });

  test('a sum that starts from +0: products that are all -0 give +0, as 0 + -0 does', () => {
    for (const [m, n, p] of [
      [1, 1, 1],
      [8, 8, 8],
      [9, 17, 3],
    ]) {
      const x = new Float64Array(m * n).fill(-0);
      const y = new Float64Array(n * p).fill(1);
      const got = dataOf(matmul(Tensor.from([m, n], x), Tensor.from([n, p], y)));
      assert.ok(
        got.every((c) => Object.is(c, 0)),
        `[${m}, ${n}] x [${n}, ${p}] of -0 and 1: ${Array.from(got.slice(0, 3), (c) => (Object.is(c, -0) ? '-0' : c))}`,
      );
    }
  });

  test("the gradients are the same products: gx = gy W^T and gW = x^T gy, bit for bit the loops' ", () => {
    const rnd = random(7);
    const [m, n, p] = [9, 17, 10];
    const xs = elements(rnd, m * n, 0);
    const ws = elements(rnd, n * p, 0);
    const x = new Variable(Tensor.from([m, n], xs));
    const W = new Variable(Tensor.from([n, p], ws));
    sum(matmul(x, W)).backward();
    const ones = new Float64Array(m * p).fill(1);
    const wT = dataOf(transpose(Tensor.from([n, p], ws)));
    const xT = dataOf(transpose(Tensor.from([m, n], xs)));
    assert.equal(firstDifference(dataOf(x.grad!), naive(ones, wT, m, p, n), n), null, 'gx');
    assert.equal(firstDifference(dataOf(W.grad!), naive(xT, ones, n, m, p), p), null, 'gW');
  });
});
