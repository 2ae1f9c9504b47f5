/**
 * The values of the ops that are not elementwise (stage 4): reductions, reshape, transpose,
 * matmul, indexing, stacking, and the small linear algebra. Values only; each op of ops.ts calls
 * one of these for its forward and writes its backward in differentiable ops. Axes are 0-based
 * here; the ops turn mathjs's 1-based `dim` into them.
 */
import {
  ShapeError,
  Tensor,
  TensorError,
  checkSize,
  elementsOf,
  sameShape,
  shapeOf,
  sizeOf,
  stridesOf,
  type Value,
  valueFrom,
} from './tensor.js';

/** A matrix that has no inverse. */
export class SingularMatrixError extends TensorError {
  constructor(op: string) {
    super(op, `${op}: the matrix is singular (its determinant is 0)`);
    this.name = 'SingularMatrixError';
  }
}

/** A value as a whole number in [0, n), or a ShapeError naming the op. */
function wholeIndex(op: string, shape: readonly number[], v: number, n: number): number {
  if (!Number.isInteger(v) || v < 0 || v >= n)
    throw new ShapeError(op, [shape], `has no index ${v} (0-based) on an axis of length ${n}`);
  return v;
}

/** The 0-based axis a 1-based mathjs `dim` names in a value of `shape`. */
export function axisOf(op: string, shape: readonly number[], dim: Value): number {
  const d = typeof dim === 'number' ? dim : NaN;
  if (!Number.isInteger(d) || d < 1 || d > shape.length)
    throw new ShapeError(op, [shape], `has no dimension ${String(dim)} (1-based, 1 to ${shape.length})`);
  return d - 1;
}

/** A shape given as a value: a 1-D vector of whole numbers (a number is a shape of one axis). */
export function shapeFrom(op: string, v: Value): number[] {
  const dims = Array.from(elementsOf(v));
  if (typeof v !== 'number' && v.shape.length !== 1) throw new ShapeError(op, [v.shape], 'is not a vector of sizes');
  for (const d of dims)
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(op, [dims], 'is not a shape (whole numbers >= 0)');
  return dims;
}

/** A shape as a constant vector value (the argument sum_to, broadcast_to and reshape take). */
export function shapeValue(shape: readonly number[]): Tensor {
  return Tensor.from([shape.length], Float64Array.from(shape));
}

/** The folds the reductions use, each defined once: reduce compiles its loops once per fold. */
export const plus = (a: number, b: number): number => a + b;
export const times = (a: number, b: number): number => a * b;
export const plusSquare = (a: number, v: number): number => a + v * v;

interface Folds {
  all(src: Float64Array, init: number): number;
  along(src: Float64Array, out: Float64Array, outer: number, n: number, inner: number): void;
}
const FOLDS = new WeakMap<object, Folds>();
let foldsMade = 0;

/**
 * The loops of one fold, each a function of its own (as tensor.ts's loopsOf): its call of `f`
 * then sees one function only, which V8 inlines. A loop shared by every fold calls them through a
 * megamorphic call that boxes each partial sum: sum of 1M elements 7 ms, against ~1 this way.
 */
function foldsOf(f: (a: number, b: number) => number): Folds {
  let folds = FOLDS.get(f);
  if (folds === undefined) {
    folds = new Function(
      'f',
      `"use strict"; // folds ${foldsMade++} (unique, as loopsOf's in tensor.ts)
      return {
        all(src, init) {
          let acc = init;
          for (let i = 0; i < src.length; i++) acc = f(acc, src[i]);
          return acc;
        },
        along(src, out, outer, n, inner) {
          for (let o = 0; o < outer; o++)
            for (let k = 0; k < n; k++) {
              const base = (o * n + k) * inner;
              for (let i = 0; i < inner; i++) out[o * inner + i] = f(out[o * inner + i], src[base + i]);
            }
        },
      };`,
    )(f) as Folds;
    FOLDS.set(f, folds);
  }
  return folds;
}

/**
 * x folded with `f` from `init`: over every element (a number), or along `axis` (that axis dropped,
 * as numpy's and mathjs's sum(A, dim)). `f` is one of the folds above or Math.max / Math.min, a
 * function defined once (its loops are compiled for it and cached).
 */
export function reduce(
  op: string,
  x: Value,
  axis: number | null,
  init: number,
  f: (a: number, b: number) => number,
): Value {
  const src = elementsOf(x);
  if (axis === null) return foldsOf(f).all(src, init);
  const shape = shapeOf(x);
  const n = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = sizeOf(shape.slice(0, axis));
  const out = new Float64Array(outer * inner).fill(init);
  foldsOf(f).along(src, out, outer, n, inner);
  return valueFrom([...shape.slice(0, axis), ...shape.slice(axis + 1)], out, op);
}

/** The shape a reduction along `axis` keeps when its axis is kept as 1 (numpy's keepdims). */
export function keptShape(shape: readonly number[], axis: number | null): number[] {
  return axis === null ? shape.map(() => 1) : shape.map((d, i) => (i === axis ? 1 : d));
}

/** x's elements in a new shape of the same size (row-major, not copied). */
export function reshape(op: string, x: Value, shape: readonly number[]): Value {
  const from = shapeOf(x);
  if (sizeOf(from) !== sizeOf(shape))
    throw new ShapeError(op, [from, shape], 'do not hold the same number of elements');
  return valueFrom(shape, elementsOf(x), op);
}

/** mathjs's transpose: a matrix's axes swapped; a vector or a number unchanged. */
export function transpose(op: string, x: Value): Value {
  if (typeof x === 'number' || x.shape.length === 1) return x;
  if (x.shape.length !== 2) throw new ShapeError(op, [x.shape], 'is not a vector or a matrix');
  const [m, n] = x.shape;
  const out = new Float64Array(m * n);
  const a = x.data;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = a[i * n + j];
  return Tensor.from([n, m], out, op);
}

/**
 * mathjs's multiply for two non-scalars: vector.vector a number, matrix x vector and vector x
 * matrix a vector, matrix x matrix a matrix. A number on either side scales.
 */
export function matmul(op: string, a: Value, b: Value): Value {
  if (typeof a === 'number' || typeof b === 'number') {
    if (typeof a === 'number' && typeof b === 'number') return a * b;
    const t = (typeof a === 'number' ? b : a) as Tensor;
    const s = (typeof a === 'number' ? a : b) as number;
    return Tensor.from(
      t.shape,
      t.data.map((v) => v * s),
      op,
    );
  }
  const sa = a.shape;
  const sb = b.shape;
  if (sa.length > 2 || sb.length > 2) throw new ShapeError(op, [sa, sb], 'are not vectors or matrices');
  const m = sa.length === 2 ? sa[0] : 1;
  const n = sa.length === 2 ? sa[1] : sa[0];
  const nb = sb.length === 2 ? sb[0] : sb[0];
  const p = sb.length === 2 ? sb[1] : 1;
  if (n !== nb) throw new ShapeError(op, [sa, sb], 'cannot be multiplied (inner sizes differ)');
  checkSize(op, [m, p]);
  const out = product(a.data, b.data, m, n, p);
  const shape = sa.length === 2 ? (sb.length === 2 ? [m, p] : [m]) : sb.length === 2 ? [p] : [];
  return valueFrom(shape, out, op);
}

/**
 * The matrix product's kernel: x (m x n) times y (n x p), all row-major. Each out[i][j] is
 * ((0 + x[i][0] y[0][j]) + x[i][1] y[1][j]) + ... with k ascending, rounded after each product and
 * each sum: the bits of the plain i-k-j loop (the tests compare the two). It is that loop with the
 * rows taken 8 at a time and k 8 at a time, so that 64 elements of x stay in locals (registers,
 * the rest spilled to the stack) while the inner loop runs along rows of y and of out: each
 * element of out is read and written once per 8 k, each element of y once per 8 rows. That runs
 * at about one multiply-add a cycle, the scalar limit: tiling for the caches gained nothing more.
 */
function product(x: Float64Array, y: Float64Array, m: number, n: number, p: number): Float64Array {
  const out = new Float64Array(m * p);
  let i = 0;
  for (; i + 8 <= m; i += 8) rows8(x, y, out, i, n, p);
  for (; i < m; i++) row1(x, y, out, i, n, p);
  return out;
}

/** Rows i to i + 7 of the product, added into `out` (zeros); k ascending for every element. */
function rows8(x: Float64Array, y: Float64Array, out: Float64Array, i: number, n: number, p: number): void {
  // Where rows i to i + 7 start in x and in out.
  // biome-ignore format: one line each
  const r0 = i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n, r4 = r3 + n, r5 = r4 + n, r6 = r5 + n, r7 = r6 + n;
  // biome-ignore format: one line each
  const o0 = i * p, o1 = o0 + p, o2 = o1 + p, o3 = o2 + p, o4 = o3 + p, o5 = o4 + p, o6 = o5 + p, o7 = o6 + p;
  let k = 0;
  for (; k + 8 <= n; k += 8) {
    // The 8 x 8 block x[i..i+7][k..k+7], in registers for the loop over j: vRQ = x[i + R][k + Q].
    // biome-ignore format: the block as a block
    const v00 = x[r0 + k], v01 = x[r0 + k + 1], v02 = x[r0 + k + 2], v03 = x[r0 + k + 3], v04 = x[r0 + k + 4], v05 = x[r0 + k + 5], v06 = x[r0 + k + 6], v07 = x[r0 + k + 7],
      v10 = x[r1 + k], v11 = x[r1 + k + 1], v12 = x[r1 + k + 2], v13 = x[r1 + k + 3], v14 = x[r1 + k + 4], v15 = x[r1 + k + 5], v16 = x[r1 + k + 6], v17 = x[r1 + k + 7],
      v20 = x[r2 + k], v21 = x[r2 + k + 1], v22 = x[r2 + k + 2], v23 = x[r2 + k + 3], v24 = x[r2 + k + 4], v25 = x[r2 + k + 5], v26 = x[r2 + k + 6], v27 = x[r2 + k + 7],
      v30 = x[r3 + k], v31 = x[r3 + k + 1], v32 = x[r3 + k + 2], v33 = x[r3 + k + 3], v34 = x[r3 + k + 4], v35 = x[r3 + k + 5], v36 = x[r3 + k + 6], v37 = x[r3 + k + 7],
      v40 = x[r4 + k], v41 = x[r4 + k + 1], v42 = x[r4 + k + 2], v43 = x[r4 + k + 3], v44 = x[r4 + k + 4], v45 = x[r4 + k + 5], v46 = x[r4 + k + 6], v47 = x[r4 + k + 7],
      v50 = x[r5 + k], v51 = x[r5 + k + 1], v52 = x[r5 + k + 2], v53 = x[r5 + k + 3], v54 = x[r5 + k + 4], v55 = x[r5 + k + 5], v56 = x[r5 + k + 6], v57 = x[r5 + k + 7],
      v60 = x[r6 + k], v61 = x[r6 + k + 1], v62 = x[r6 + k + 2], v63 = x[r6 + k + 3], v64 = x[r6 + k + 4], v65 = x[r6 + k + 5], v66 = x[r6 + k + 6], v67 = x[r6 + k + 7],
      v70 = x[r7 + k], v71 = x[r7 + k + 1], v72 = x[r7 + k + 2], v73 = x[r7 + k + 3], v74 = x[r7 + k + 4], v75 = x[r7 + k + 5], v76 = x[r7 + k + 6], v77 = x[r7 + k + 7];
    // Where rows k to k + 7 start in y.
    // biome-ignore format: one line
    const y0 = k * p, y1 = y0 + p, y2 = y1 + p, y3 = y2 + p, y4 = y3 + p, y5 = y4 + p, y6 = y5 + p, y7 = y6 + p;
    for (let j = 0; j < p; j++) {
      // biome-ignore format: one line
      const w0 = y[y0 + j], w1 = y[y1 + j], w2 = y[y2 + j], w3 = y[y3 + j], w4 = y[y4 + j], w5 = y[y5 + j], w6 = y[y6 + j], w7 = y[y7 + j];
      out[o0 + j] = out[o0 + j] + v00 * w0 + v01 * w1 + v02 * w2 + v03 * w3 + v04 * w4 + v05 * w5 + v06 * w6 + v07 * w7;
      out[o1 + j] = out[o1 + j] + v10 * w0 + v11 * w1 + v12 * w2 + v13 * w3 + v14 * w4 + v15 * w5 + v16 * w6 + v17 * w7;
      out[o2 + j] = out[o2 + j] + v20 * w0 + v21 * w1 + v22 * w2 + v23 * w3 + v24 * w4 + v25 * w5 + v26 * w6 + v27 * w7;
      out[o3 + j] = out[o3 + j] + v30 * w0 + v31 * w1 + v32 * w2 + v33 * w3 + v34 * w4 + v35 * w5 + v36 * w6 + v37 * w7;
      out[o4 + j] = out[o4 + j] + v40 * w0 + v41 * w1 + v42 * w2 + v43 * w3 + v44 * w4 + v45 * w5 + v46 * w6 + v47 * w7;
      out[o5 + j] = out[o5 + j] + v50 * w0 + v51 * w1 + v52 * w2 + v53 * w3 + v54 * w4 + v55 * w5 + v56 * w6 + v57 * w7;
      out[o6 + j] = out[o6 + j] + v60 * w0 + v61 * w1 + v62 * w2 + v63 * w3 + v64 * w4 + v65 * w5 + v66 * w6 + v67 * w7;
      out[o7 + j] = out[o7 + j] + v70 * w0 + v71 * w1 + v72 * w2 + v73 * w3 + v74 * w4 + v75 * w5 + v76 * w6 + v77 * w7;
    }
  }
  for (; k < n; k++) {
    // biome-ignore format: one line
    const v0 = x[r0 + k], v1 = x[r1 + k], v2 = x[r2 + k], v3 = x[r3 + k], v4 = x[r4 + k], v5 = x[r5 + k], v6 = x[r6 + k], v7 = x[r7 + k];
    const yk = k * p;
    for (let j = 0; j < p; j++) {
      const w = y[yk + j];
      out[o0 + j] += v0 * w;
      out[o1 + j] += v1 * w;
      out[o2 + j] += v2 * w;
      out[o3 + j] += v3 * w;
      out[o4 + j] += v4 * w;
      out[o5 + j] += v5 * w;
      out[o6 + j] += v6 * w;
      out[o7 + j] += v7 * w;
    }
  }
}

/** Row i of the product, added into `out` (zeros), k 8 at a time. */
function row1(x: Float64Array, y: Float64Array, out: Float64Array, i: number, n: number, p: number): void {
  const r = i * n;
  const o = i * p;
  let k = 0;
  for (; k + 8 <= n; k += 8) {
    // biome-ignore format: one line
    const v0 = x[r + k], v1 = x[r + k + 1], v2 = x[r + k + 2], v3 = x[r + k + 3], v4 = x[r + k + 4], v5 = x[r + k + 5], v6 = x[r + k + 6], v7 = x[r + k + 7];
    // biome-ignore format: one line
    const y0 = k * p, y1 = y0 + p, y2 = y1 + p, y3 = y2 + p, y4 = y3 + p, y5 = y4 + p, y6 = y5 + p, y7 = y6 + p;
    for (let j = 0; j < p; j++)
      out[o + j] =
        out[o + j] +
        v0 * y[y0 + j] +
        v1 * y[y1 + j] +
        v2 * y[y2 + j] +
        v3 * y[y3 + j] +
        v4 * y[y4 + j] +
        v5 * y[y5 + j] +
        v6 * y[y6 + j] +
        v7 * y[y7 + j];
  }
  for (; k < n; k++) {
    const v = x[r + k];
    const yk = k * p;
    for (let j = 0; j < p; j++) out[o + j] += v * y[yk + j];
  }
}

/** The positions each index argument selects (0-based), and whether its axis is kept. */
interface Selection {
  readonly shape: number[];
  readonly lists: number[][];
}

function select(op: string, shape: readonly number[], indices: readonly Value[]): Selection {
  if (shape.length === 0) throw new ShapeError(op, [shape], 'cannot be indexed');
  if (indices.length !== shape.length)
    throw new ShapeError(op, [shape], `needs ${shape.length} indices, one a dimension, and got ${indices.length}`);
  const out: number[] = [];
  const lists = indices.map((ix, axis) => {
    if (typeof ix !== 'number' && ix.shape.length !== 1)
      throw new ShapeError(op, [shape, ix.shape], 'cannot be indexed by the second (a number or a vector)');
    const list = Array.from(elementsOf(ix), (v) => wholeIndex(op, shape, v, shape[axis]));
    if (typeof ix !== 'number') out.push(list.length);
    return list;
  });
  checkSize(op, out);
  return { shape: out, lists };
}

/** Calls `visit(source offset, target offset)` for every selected element, row-major. */
function eachSelected(
  shape: readonly number[],
  lists: readonly number[][],
  visit: (src: number, dst: number) => void,
): void {
  const strides = stridesOf(shape);
  const ndim = lists.length;
  const pos = new Array<number>(ndim).fill(0);
  const total = lists.reduce((n, l) => n * l.length, 1);
  for (let k = 0; k < total; k++) {
    let offset = 0;
    for (let d = 0; d < ndim; d++) offset += lists[d][pos[d]] * strides[d];
    visit(offset, k);
    for (let d = ndim - 1; d >= 0; d--) {
      if (++pos[d] < lists[d].length) break;
      pos[d] = 0;
    }
  }
}

/** mathjs's indexing with 0-based indices: a number drops its axis, a vector keeps (gathers) it. */
export function index(op: string, x: Value, indices: readonly Value[]): Value {
  const shape = shapeOf(x);
  const { shape: out, lists } = select(op, shape, indices);
  const src = elementsOf(x);
  const data = new Float64Array(sizeOf(out));
  eachSelected(shape, lists, (s, d) => {
    data[d] = src[s];
  });
  return valueFrom(out, data, op);
}

/** Zeros of `shape` with g added at the positions `indices` select: the backward of index (scatter-add). */
export function indexGrad(op: string, g: Value, shape: readonly number[], indices: readonly Value[]): Value {
  const { shape: selected, lists } = select(op, shape, indices);
  if (!sameShape(selected, shapeOf(g))) throw new ShapeError(op, [shapeOf(g), selected], 'differ');
  checkSize(op, shape);
  const src = elementsOf(g);
  const data = new Float64Array(sizeOf(shape));
  eachSelected(shape, lists, (s, d) => {
    data[s] += src[d];
  });
  return valueFrom(shape, data, op);
}

/** Values of one shape s stacked along a new first axis: shape [n, ...s]. */
export function stack(op: string, xs: readonly Value[]): Value {
  if (xs.length === 0) throw new ShapeError(op, [], 'needs at least one value');
  const s = shapeOf(xs[0]);
  for (const x of xs) if (!sameShape(shapeOf(x), s)) throw new ShapeError(op, xs.map(shapeOf), 'differ');
  const shape = [xs.length, ...s];
  checkSize(op, shape);
  const n = sizeOf(s);
  const data = new Float64Array(xs.length * n);
  xs.forEach((x, i) => data.set(elementsOf(x), i * n));
  return valueFrom(shape, data, op);
}

/** Tensors of one rank joined along `axis`; the other sizes must agree. */
export function concat(op: string, xs: readonly Value[], axis: number): Value {
  if (xs.length === 0) throw new ShapeError(op, [], 'needs at least one value');
  const shapes = xs.map(shapeOf);
  const ndim = shapes[0].length;
  if (ndim === 0) throw new ShapeError(op, shapes, 'are not arrays');
  for (const s of shapes)
    if (s.length !== ndim || s.some((d, i) => i !== axis && d !== shapes[0][i]))
      throw new ShapeError(op, shapes, `cannot be joined along dimension ${axis + 1}`);
  const shape = [...shapes[0]];
  shape[axis] = shapes.reduce((n, s) => n + s[axis], 0);
  checkSize(op, shape);
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  const data = new Float64Array(sizeOf(shape));
  let start = 0;
  for (let k = 0; k < xs.length; k++) {
    const src = elementsOf(xs[k]);
    const w = shapes[k][axis] * inner;
    for (let o = 0; o < outer; o++) data.set(src.subarray(o * w, (o + 1) * w), o * shape[axis] * inner + start);
    start += w;
  }
  return valueFrom(shape, data, op);
}

/** The rows of a square matrix, or a ShapeError. */
function square(op: string, x: Value): { n: number; a: Float64Array } {
  const shape = shapeOf(x);
  if (shape.length !== 2 || shape[0] !== shape[1]) throw new ShapeError(op, [shape], 'is not a square matrix');
  return { n: shape[0], a: elementsOf(x) };
}

export function trace(op: string, x: Value): number {
  const { n, a } = square(op, x);
  let t = 0;
  for (let i = 0; i < n; i++) t += a[i * n + i];
  return t;
}

/** The n x n identity. */
export function eye(n: number): Tensor {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) data[i * n + i] = 1;
  return Tensor.from([n, n], data);
}

/** The determinant, by LU decomposition with partial pivoting. */
export function det(op: string, x: Value): number {
  const { n, a: src } = square(op, x);
  const a = Float64Array.from(src);
  let d = 1;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i * n + k]) > Math.abs(a[p * n + k])) p = i;
    if (a[p * n + k] === 0) return 0;
    if (p !== k) {
      d = -d;
      for (let j = 0; j < n; j++) [a[k * n + j], a[p * n + j]] = [a[p * n + j], a[k * n + j]];
    }
    const pivot = a[k * n + k];
    d *= pivot;
    for (let i = k + 1; i < n; i++) {
      const f = a[i * n + k] / pivot;
      for (let j = k; j < n; j++) a[i * n + j] -= f * a[k * n + j];
    }
  }
  return d;
}

/** The inverse, by Gauss-Jordan elimination with partial pivoting. */
export function inv(op: string, x: Value): Value {
  const { n, a: src } = square(op, x);
  const a = Float64Array.from(src);
  const b = eye(n).data;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i * n + k]) > Math.abs(a[p * n + k])) p = i;
    if (a[p * n + k] === 0) throw new SingularMatrixError(op);
    for (let j = 0; j < n; j++) {
      [a[k * n + j], a[p * n + j]] = [a[p * n + j], a[k * n + j]];
      [b[k * n + j], b[p * n + j]] = [b[p * n + j], b[k * n + j]];
    }
    const pivot = a[k * n + k];
    for (let j = 0; j < n; j++) {
      a[k * n + j] /= pivot;
      b[k * n + j] /= pivot;
    }
    for (let i = 0; i < n; i++) {
      if (i === k) continue;
      const f = a[i * n + k];
      if (f === 0) continue;
      for (let j = 0; j < n; j++) {
        a[i * n + j] -= f * a[k * n + j];
        b[i * n + j] -= f * b[k * n + j];
      }
    }
  }
  return Tensor.from([n, n], b, op);
}
