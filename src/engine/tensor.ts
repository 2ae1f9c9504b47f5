/**
 * Tensors (DeZero's stage 4): an n-dimensional row-major array, `shape` + `data`. A Variable's
 * data is a `Value`: a plain number (shape []) or a Tensor of one or more dimensions; every result
 * of shape [] is kept as a number, so the scalar paths never see a Tensor. This module computes
 * values only (no Variables, no gradients): the ops of ops.ts call it for their forward and build
 * their backward from the differentiable ops.
 */

import { NUM, type Prims } from './primitives.js';

/** A Variable's data: a number (shape []) or a Tensor. */
export type Value = number | Tensor;

/** Nested arrays of numbers, as `tensor([[1, 2], [3, 4]])` takes them. */
export type Nested = number | readonly Nested[];

/** The most elements a tensor may hold: more is refused with a TensorSizeError, never an out-of-memory. */
export const MAX_ELEMENTS = 10_000_000;

/** `[2, 3]`: a shape as messages and the trace print it. */
export const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** A value an op cannot take: the base of the engine's errors about shapes, sizes and matrices. */
export class TensorError extends Error {
  constructor(
    /** The op's registry name. */
    readonly op: string,
    message: string,
  ) {
    super(message);
    this.name = 'TensorError';
  }
}

/** Shapes an op cannot combine: `add: shapes [2,3] and [4] cannot be broadcast`. */
export class ShapeError extends TensorError {
  constructor(
    op: string,
    /** The shapes it was given, in argument order. */
    readonly shapes: readonly (readonly number[])[],
    /** What is wrong, after the shapes: `cannot be broadcast`. */
    readonly reason: string,
  ) {
    const list = shapes.map(shapeText);
    const text =
      list.length === 0
        ? ''
        : list.length === 1
          ? `shape ${list[0]} `
          : `shapes ${list.slice(0, -1).join(', ')} and ${list.at(-1)} `;
    super(op, `${op}: ${text}${reason}`);
    this.name = 'ShapeError';
  }
}

/** A tensor of more than MAX_ELEMENTS elements. */
export class TensorSizeError extends TensorError {
  constructor(
    op: string,
    readonly shape: readonly number[],
  ) {
    super(op, `${op}: shape ${shapeText(shape)} has ${sizeOf(shape)} elements, more than the limit of ${MAX_ELEMENTS}`);
    this.name = 'TensorSizeError';
  }
}

/**
 * A tensor reached a path that handles numbers only: today the CLI's output, the trace, --check,
 * programs, minimize and the batch kernel (their tensor forms come with the tensor syntax).
 */
export class ScalarOnlyError extends TensorError {
  constructor(
    readonly where: string,
    readonly shape: readonly number[],
  ) {
    super(where, `a value of shape ${shapeText(shape)} reached ${where}, which handles numbers only for now`);
    this.name = 'ScalarOnlyError';
  }
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides: the step in `data` for one step along each axis. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let k = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = k;
    k *= shape[i];
  }
  return s;
}

export class Tensor {
  readonly shape: readonly number[];
  readonly data: Float64Array;

  private constructor(shape: readonly number[], data: Float64Array) {
    this.shape = shape;
    this.data = data;
  }

  /** A tensor of `shape` over `data` (row-major, not copied). Refused past MAX_ELEMENTS. */
  static from(shape: readonly number[], data: Float64Array | readonly number[], op = 'tensor'): Tensor {
    for (const d of shape)
      if (!Number.isInteger(d) || d < 0) throw new ShapeError(op, [shape], 'is not a shape (whole numbers >= 0)');
    if (sizeOf(shape) > MAX_ELEMENTS) throw new TensorSizeError(op, shape);
    const array = data instanceof Float64Array ? data : Float64Array.from(data);
    if (array.length !== sizeOf(shape)) throw new ShapeError(op, [shape], `does not hold ${array.length} elements`);
    return new Tensor(Object.freeze([...shape]), array);
  }

  /** A zero-filled tensor of `shape`. */
  static zeros(shape: readonly number[], op = 'tensor'): Tensor {
    checkSize(op, shape);
    return Tensor.from(shape, new Float64Array(sizeOf(shape)), op);
  }

  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    return this.data.length;
  }

  /** The nested arrays (numpy's `tolist`). */
  toArray(): Nested {
    const build = (axis: number, offset: number, stride: number): Nested => {
      const n = this.shape[axis];
      const inner = stride / n;
      if (axis === this.shape.length - 1) return Array.from(this.data.subarray(offset, offset + n));
      return Array.from({ length: n }, (_, i) => build(axis + 1, offset + i * inner, inner));
    };
    return this.shape.length === 0 ? this.data[0] : build(0, 0, this.data.length);
  }

  toString(): string {
    return JSON.stringify(this.toArray());
  }
}

/** `c` in every element of a value's shape: ones for backward's seed, zeros for a gradient that no path reached. */
export function filledLike(v: Value, c: number): Value {
  return typeof v === 'number' ? c : Tensor.from(v.shape, new Float64Array(v.data.length).fill(c));
}

/** Refuses a shape of more than MAX_ELEMENTS elements before anything is allocated. */
export function checkSize(op: string, shape: readonly number[]): void {
  if (sizeOf(shape) > MAX_ELEMENTS) throw new TensorSizeError(op, shape);
}

/**
 * A value from nested arrays: `tensor([[1, 2], [3, 4]])` has shape [2, 2]; `tensor(3)` is 3.
 * Ragged arrays are a ShapeError; more than MAX_ELEMENTS a TensorSizeError.
 */
export function tensor(x: Nested): Value {
  if (typeof x === 'number') return x;
  const shape: number[] = [];
  for (let t: Nested = x; typeof t !== 'number'; t = t[0]) {
    shape.push(t.length);
    if (t.length === 0) break;
  }
  checkSize('tensor', shape);
  const data = new Float64Array(sizeOf(shape));
  let k = 0;
  // An explicit stack: nesting depth is the rank, but the input is the caller's.
  const todo: [Nested, number][] = [[x, 0]];
  while (todo.length > 0) {
    const [t, axis] = todo.pop()!;
    if (typeof t === 'number') {
      if (axis !== shape.length) throw new ShapeError('tensor', [shape], 'has a ragged row');
      data[k++] = t;
      continue;
    }
    if (axis >= shape.length || t.length !== shape[axis]) throw new ShapeError('tensor', [shape], 'has a ragged row');
    for (let i = t.length - 1; i >= 0; i--) todo.push([t[i], axis + 1]);
  }
  return Tensor.from(shape, data);
}

/** The shape of a value: [] for a number. */
export function shapeOf(v: Value): readonly number[] {
  return typeof v === 'number' ? [] : v.shape;
}

/** A value of `shape` over `data`: a number when the shape is []. */
export function valueFrom(shape: readonly number[], data: Float64Array, op: string): Value {
  return shape.length === 0 ? data[0] : Tensor.from(shape, data, op);
}

/** The elements of a value, row-major (a number is one element). */
export function elementsOf(v: Value): Float64Array {
  return typeof v === 'number' ? Float64Array.of(v) : v.data;
}

/** The number of a value of shape [], or a ScalarOnlyError naming `where`. */
export function scalarOf(v: Value, where = 'a path'): number {
  if (typeof v === 'number') return v;
  throw new ScalarOnlyError(where, v.shape);
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** numpy's broadcasting rule (DeZero step 40): align on the right; each pair equal, or one of them 1. */
export function broadcastShapes(op: string, shapes: readonly (readonly number[])[]): number[] {
  const ndim = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(ndim).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = ndim - s.length + i;
      const d = s[i];
      if (d === out[j] || d === 1) continue;
      if (out[j] === 1) out[j] = d;
      else throw new ShapeError(op, shapes, 'cannot be broadcast');
    }
  }
  return out;
}

/** The strides of `shape` read inside a broadcast `out` shape: 0 along every axis it is broadcast on. */
function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const own = stridesOf(shape);
  const s = new Array<number>(out.length).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const j = out.length - shape.length + i;
    s[j] = shape[i] === 1 ? 0 : own[i];
  }
  return s;
}

interface Loops {
  one(a: Float64Array, out: Float64Array): void;
  two(a: Float64Array, b: Float64Array, sa: number, sb: number, out: Float64Array): void;
}
const LOOPS = new WeakMap<object, Loops>();
let loopsMade = 0;

/**
 * The loops of one forward, each a function of its own: its call of `f` then sees one function
 * only, which V8 inlines (a loop shared by every op calls them all, and inlines none: 3-4x slower).
 * Each source is made unique by a number in a comment: V8 caches `new Function` by its source
 * text, and functions compiled from one cached source share their call-site feedback, so without
 * it every op's loop saw every op's forward, inlined none and boxed each result (a scavenge every
 * 130,000 elements; 1000x1000 add 2x slower).
 */
function loopsOf(f: (m: Prims<number>, ...xs: number[]) => number): Loops {
  let loops = LOOPS.get(f);
  if (loops === undefined) {
    loops = new Function(
      'f',
      'M',
      `"use strict"; // loops ${loopsMade++}
      return {
        one(a, out) { for (let i = 0; i < out.length; i++) out[i] = f(M, a[i]); },
        two(a, b, sa, sb, out) {
          if (sa === 1 && sb === 1) for (let i = 0; i < out.length; i++) out[i] = f(M, a[i], b[i]);
          else for (let i = 0; i < out.length; i++) out[i] = f(M, a[i * sa], b[i * sb]);
        },
      };`,
    )(f, NUM) as Loops;
    LOOPS.set(f, loops);
  }
  return loops;
}

/**
 * `f` (an op's forward, in the primitives) applied on numbers element by element with numpy
 * broadcasting (DeZero step 39): the generic path every elementwise op's forward takes when an
 * input is a Tensor.
 */
export function elementwise(op: string, f: (m: Prims<number>, ...xs: number[]) => number, xs: readonly Value[]): Value {
  const shapes = xs.map(shapeOf);
  const shape = broadcastShapes(op, shapes);
  checkSize(op, shape);
  const size = sizeOf(shape);
  const out = new Float64Array(size);
  const datas = xs.map(elementsOf);
  // The common case: every input is a number or has the output's shape.
  if (xs.every((x) => typeof x === 'number' || x.data.length === size)) {
    if (xs.length === 1) loopsOf(f).one(datas[0], out);
    else if (xs.length === 2) {
      const [a, b] = datas;
      loopsOf(f).two(a, b, a.length === size ? 1 : 0, b.length === size ? 1 : 0, out);
    } else {
      const steps = datas.map((d) => (d.length === size ? 1 : 0));
      const args = new Array<number>(xs.length);
      for (let i = 0; i < size; i++) {
        for (let j = 0; j < args.length; j++) args[j] = datas[j][i * steps[j]];
        out[i] = f(NUM, ...args);
      }
    }
    return valueFrom(shape, out, op);
  }
  // An odometer over the output's index, with each input's offset moved by its broadcast strides.
  const strides = shapes.map((s) => broadcastStrides(s, shape));
  const ndim = shape.length;
  const index = new Array<number>(ndim).fill(0);
  const offsets = new Array<number>(xs.length).fill(0);
  const args = new Array<number>(xs.length);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < args.length; j++) args[j] = datas[j][offsets[j]];
    out[i] = f(NUM, ...args);
    for (let d = ndim - 1; d >= 0; d--) {
      index[d]++;
      for (let j = 0; j < offsets.length; j++) offsets[j] += strides[j][d];
      if (index[d] < shape[d]) break;
      for (let j = 0; j < offsets.length; j++) offsets[j] -= strides[j][d] * shape[d];
      index[d] = 0;
    }
  }
  return valueFrom(shape, out, op);
}

/** x repeated along the axes of `shape` it is broadcast on (numpy's broadcast_to). */
export function broadcastTo(op: string, x: Value, shape: readonly number[]): Value {
  const from = shapeOf(x);
  if (sameShape(from, shape)) return x;
  const to = broadcastShapes(op, [from, shape]);
  if (!sameShape(to, shape)) throw new ShapeError(op, [from, shape], 'cannot be broadcast to the second');
  return spread(op, x, shape);
}

/** x's elements laid out in the broadcast `shape` (shape already checked). */
function spread(op: string, x: Value, shape: readonly number[]): Value {
  checkSize(op, shape);
  const size = sizeOf(shape);
  const out = new Float64Array(size);
  if (typeof x === 'number') return valueFrom(shape, out.fill(x), op);
  const strides = broadcastStrides(x.shape, shape);
  const ndim = shape.length;
  const index = new Array<number>(ndim).fill(0);
  const src = x.data;
  let offset = 0;
  for (let i = 0; i < size; i++) {
    out[i] = src[offset];
    for (let d = ndim - 1; d >= 0; d--) {
      index[d]++;
      offset += strides[d];
      if (index[d] < shape[d]) break;
      offset -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
  return valueFrom(shape, out, op);
}

/**
 * x summed down to `shape` (DeZero's sum_to, step 40): over the leading axes x has beyond `shape`
 * and over every axis where `shape` has a 1. The inverse of broadcastTo, so the backward of either.
 */
export function sumTo(op: string, x: Value, shape: readonly number[]): Value {
  const from = shapeOf(x);
  if (sameShape(from, shape)) return x;
  const to = broadcastShapes(op, [from, shape]);
  if (!sameShape(to, from)) throw new ShapeError(op, [from, shape], 'cannot be summed to the second');
  const out = new Float64Array(sizeOf(shape));
  const src = elementsOf(x);
  if (out.length === 1) {
    // Down to one element: the same sum in the same order (i ascending), without the odometer.
    let total = 0;
    for (let i = 0; i < src.length; i++) total += src[i];
    out[0] = total;
    return valueFrom(shape, out, op);
  }
  const strides = broadcastStrides(shape, from);
  const ndim = from.length;
  const index = new Array<number>(ndim).fill(0);
  let offset = 0;
  for (let i = 0; i < src.length; i++) {
    out[offset] += src[i];
    for (let d = ndim - 1; d >= 0; d--) {
      index[d]++;
      offset += strides[d];
      if (index[d] < from[d]) break;
      offset -= strides[d] * from[d];
      index[d] = 0;
    }
  }
  return valueFrom(shape, out, op);
}
