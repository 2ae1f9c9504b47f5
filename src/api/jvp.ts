/**
 * Forward mode (issue 16's `--jvp`): the Jacobian-vector product J·v of the output, for a tangent v
 * per variable, computed without backward at all. Each elementwise op's forward is a function of
 * the primitives (src/engine/primitives.ts); run on dual numbers (value, tangent) it carries the
 * tangent along, so no op's backward rule is used: reverse mode and this check each other.
 * The ops on whole values are linear in their data (sum, reshape, transpose, index, stack, ...),
 * bilinear (matmul, dot), or have their differential written here (inv, det, norm, softmax,
 * logsumexp, prod, and max and min of one tensor).
 *
 * The derivatives of the primitives below are the textbook ones; at a kink they follow the
 * primitive's own convention (abs'(0) = 0, a tie of max shares the tangent equally), which can
 * differ from an op's backward convention there (relu is max(0, x): its tangent at 0 is half).
 * prod's tangent is the sum of each element's tangent times the product of the others, so it is
 * finite where an element is 0 (reverse mode's y/x is NaN there); the largest (smallest) element
 * of one tensor shares the tangent equally among its ties, as its backward shares the gradient.
 */
import { ALL_OPS, type OpSpec } from '../engine/registry.js';
import type { Arg, Prims } from '../engine/primitives.js';
import { NUM } from '../engine/primitives.js';
import { axisOf } from '../engine/arrays.js';
import {
  broadcastTo,
  elementsOf,
  elementwise,
  filledLike,
  sameShape,
  shapeOf,
  sizeOf,
  TensorError,
  valueFrom,
  type Value,
} from '../engine/tensor.js';
import type { Variable } from '../engine/variable.js';
import type { Graph } from '../expr/build.js';

/** An op forward mode does not cover yet: a typed error the CLI turns into exit 2. */
export class ForwardModeError extends TensorError {
  constructor(op: string) {
    super(op, `--jvp: forward mode does not cover ${op} yet (reverse mode does: --vjp, --jacobian)`);
    this.name = 'ForwardModeError';
  }
}

/** A dual number: the value and its tangent. */
interface Dual {
  v: number;
  d: number;
}

const lift = (a: Arg<Dual>): Dual => (typeof a === 'number' ? { v: a, d: 0 } : a);
const dual = (v: number, d: number): Dual => ({ v, d });
/** f applied to the value, f' times the tangent: `chain(Math.sin, Math.cos)`. */
const chain =
  (f: (x: number) => number, df: (x: number, y: number) => number) =>
  (a: Arg<Dual>): Dual => {
    const x = lift(a);
    const y = f(x.v);
    return dual(y, x.d === 0 ? 0 : df(x.v, y) * x.d);
  };
/** A function whose value is piecewise constant: tangent 0. */
const flat =
  (f: (...xs: number[]) => number) =>
  (...xs: Arg<Dual>[]): Dual =>
    dual(f(...xs.map((x) => lift(x).v)), 0);
const LN10 = Math.LN10;
const LN2 = Math.LN2;

/** The primitives on dual numbers. */
const DUAL: Prims<Dual> = {
  add: (a, b) => {
    const [x, y] = [lift(a), lift(b)];
    return dual(x.v + y.v, x.d + y.d);
  },
  sub: (a, b) => {
    const [x, y] = [lift(a), lift(b)];
    return dual(x.v - y.v, x.d - y.d);
  },
  mul: (a, b) => {
    const [x, y] = [lift(a), lift(b)];
    return dual(x.v * y.v, (x.d === 0 ? 0 : x.d * y.v) + (y.d === 0 ? 0 : x.v * y.d));
  },
  div: (a, b) => {
    const [x, y] = [lift(a), lift(b)];
    const q = x.v / y.v;
    return dual(q, (x.d === 0 ? 0 : x.d / y.v) - (y.d === 0 ? 0 : (q * y.d) / y.v));
  },
  neg: (a) => {
    const x = lift(a);
    return dual(-x.v, -x.d);
  },
  pow: (a, b) => {
    const [x, y] = [lift(a), lift(b)];
    const p = x.v ** y.v;
    // The exponent's term only where the exponent moves (x^2 at x = -2 never takes log(-2)).
    const base = x.d === 0 ? 0 : y.v * x.v ** (y.v - 1) * x.d;
    const exponent = y.d === 0 ? 0 : p * Math.log(x.v) * y.d;
    return dual(p, base + exponent);
  },
  sqrt: chain(Math.sqrt, (_, y) => 1 / (2 * y)),
  exp: chain(Math.exp, (_, y) => y),
  log: chain(Math.log, (x) => 1 / x),
  sin: chain(Math.sin, Math.cos),
  cos: chain(Math.cos, (x) => -Math.sin(x)),
  tan: chain(Math.tan, (x) => 1 / Math.cos(x) ** 2),
  asin: chain(Math.asin, (x) => 1 / Math.sqrt(1 - x * x)),
  acos: chain(Math.acos, (x) => -1 / Math.sqrt(1 - x * x)),
  atan: chain(Math.atan, (x) => 1 / (1 + x * x)),
  sinh: chain(Math.sinh, Math.cosh),
  cosh: chain(Math.cosh, Math.sinh),
  tanh: chain(Math.tanh, (_, y) => 1 - y * y),
  asinh: chain(Math.asinh, (x) => 1 / Math.sqrt(x * x + 1)),
  acosh: chain(Math.acosh, (x) => 1 / Math.sqrt(x * x - 1)),
  atanh: chain(Math.atanh, (x) => 1 / (1 - x * x)),
  atan2: (a, b) => {
    const [y, x] = [lift(a), lift(b)];
    const r = x.v * x.v + y.v * y.v;
    return dual(Math.atan2(y.v, x.v), (x.v * y.d - y.v * x.d) / r);
  },
  cbrt: chain(Math.cbrt, (_, y) => 1 / (3 * y * y)),
  log10: chain(Math.log10, (x) => 1 / (x * LN10)),
  log2: chain(Math.log2, (x) => 1 / (x * LN2)),
  log1p: chain(Math.log1p, (x) => 1 / (1 + x)),
  expm1: chain(Math.expm1, (_, y) => y + 1),
  floor: flat(Math.floor),
  ceil: flat(Math.ceil),
  mathjsRound: flat(NUM.mathjsRound),
  abs: chain(Math.abs, Math.sign),
  sign: flat(Math.sign),
  max: (a, b) => {
    const [x, y] = [lift(a), lift(b)];
    return x.v > y.v ? x : y.v > x.v ? y : dual(Math.max(x.v, y.v), (x.d + y.d) / 2);
  },
  min: (a, b) => {
    const [x, y] = [lift(a), lift(b)];
    return x.v < y.v ? x : y.v < x.v ? y : dual(Math.min(x.v, y.v), (x.d + y.d) / 2);
  },
  hypot: (...xs) => {
    const ds = xs.map(lift);
    const h = Math.hypot(...ds.map((x) => x.v));
    return dual(h, h === 0 ? 0 : ds.reduce((s, x) => s + (x.d === 0 ? 0 : x.v * x.d), 0) / h);
  },
  step: flat(NUM.step),
  eq: flat(NUM.eq),
  ge: flat(NUM.ge),
  where: (c, a, b) => (lift(c).v ? lift(a) : lift(b)),
  not: flat(NUM.not),
  equal: flat(NUM.equal),
  unequal: flat(NUM.unequal),
  smaller: flat(NUM.smaller),
  larger: flat(NUM.larger),
  smallerEq: flat(NUM.smallerEq),
  largerEq: flat(NUM.largerEq),
  erf: chain(NUM.erf, (x) => (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x)),
  erfc: chain(NUM.erfc, (x) => (-2 / Math.sqrt(Math.PI)) * Math.exp(-x * x)),
  gamma: chain(NUM.gamma, (x, y) => y * NUM.digamma(x)),
  lgamma: chain(NUM.lgamma, (x) => NUM.digamma(x)),
  digamma: chain(NUM.digamma, (x) => NUM.polygamma(1, x)),
  polygamma: (n, a) => {
    const [k, x] = [lift(n).v, lift(a)];
    return dual(NUM.polygamma(k, x.v), x.d === 0 ? 0 : NUM.polygamma(k + 1, x.v) * x.d);
  },
};

/** Ops on whole values that are linear in their first input (the others are constant: shapes, dims, indices). */
const LINEAR_IN_FIRST = new Set(['sum_to', 'broadcast_to', 'sum', 'mean', 'reshape', 'transpose', 'trace', 'index']);
const OP = new Map<string, OpSpec>(ALL_OPS.map((op) => [op.name, op]));
const arrayOf = (name: string): ((...xs: Value[]) => Value) => OP.get(name)!.array!;
const plus = (a: Value, b: Value): Value => elementwise('add', (m, x, y) => m.add(x, y), [a, b]);
const times = (a: Value, b: Value): Value => elementwise('mul', (m, x, y) => m.mul(x, y), [a, b]);

export interface JvpResult {
  value: Value;
  /** J·v: the output's tangent, of the output's shape. */
  jvp: Value;
}

/**
 * The output's tangent for `tangents` (variable name -> a value of that variable's shape; a
 * variable left out has tangent 0), in one forward sweep over the built graph's steps.
 */
export function jvp(graph: Graph, tangents: ReadonlyMap<string, Value>): JvpResult {
  const tangent = new Map<Variable, Value>();
  for (const [name, v] of graph.variables) {
    const t = tangents.get(name);
    if (t !== undefined && !sameShape(shapeOf(t), shapeOf(v.data)))
      throw new TypeError(`internal: the tangent of ${name} has another shape`);
    tangent.set(v, t ?? filledLike(v.data, 0));
  }
  const of = (x: Variable): Value => tangent.get(x) ?? filledLike(x.data, 0);
  for (const step of graph.steps) {
    const y = step.output;
    // A step the builder computed without a graph (a constant such as the -1 of [1, -1]): tangent 0.
    if (y.creator === null) tangent.set(y, filledLike(y.data, 0));
    else tangent.set(y, stepTangent(step.op, y.creator.inputs, y, of));
  }
  return { value: graph.output.data, jvp: of(graph.output) };
}

/** The tangent of one step's output from its inputs' values and tangents. */
function stepTangent(op: OpSpec, xs: readonly Variable[], y: Variable, of: (x: Variable) => Value): Value {
  const values = xs.map((x) => x.data);
  const ts = xs.map(of);
  const elementwiseOp = op.array === undefined || ((op.name === 'max' || op.name === 'min') && xs.length > 1);
  if (elementwiseOp) {
    if (op.name === 'diff') throw new ForwardModeError('diff');
    const shape = shapeOf(y.data);
    const vs = values.map((v) => elementsOf(broadcastTo(op.name, v, shape)));
    const ds = ts.map((t) => elementsOf(broadcastTo(op.name, t, shape)));
    const out = new Float64Array(vs.length === 0 ? 1 : vs[0].length);
    for (let i = 0; i < out.length; i++) {
      const r = op.forward(DUAL, ...vs.map((v, k) => dual(v[i], ds[k][i])));
      out[i] = lift(r).d;
    }
    return valueFrom(shape, out, op.name);
  }
  const array = op.array!;
  if (LINEAR_IN_FIRST.has(op.name)) return array(ts[0], ...values.slice(1));
  switch (op.name) {
    case 'stack':
      return array(...ts);
    case 'concat': {
      const hasDim = xs.length > 1 && typeof values[values.length - 1] === 'number';
      return hasDim ? array(...ts.slice(0, -1), values[values.length - 1]) : array(...ts);
    }
    case 'matmul':
    case 'dot':
      return plus(array(ts[0], values[1]), array(values[0], ts[1]));
    case 'size':
      return filledLike(y.data, 0);
    case 'inv': {
      // d(A^-1) = -A^-1 dA A^-1; of a number, -dx/x^2.
      const mm = arrayOf('matmul');
      const negative = mm(mm(y.data, ts[0]), y.data);
      return times(negative, -1);
    }
    case 'det': {
      // d det(A) = det(A) trace(A^-1 dA); of a number, dx.
      if (typeof values[0] === 'number') return ts[0];
      return times(y.data, arrayOf('trace')(arrayOf('matmul')(arrayOf('inv')(values[0]), ts[0])));
    }
    case 'norm': {
      // d |v| = (v . dv)/|v|, 0 at the origin; of a number, sign(x) dx.
      const n = y.data as number;
      if (typeof values[0] === 'number') return Math.sign(values[0]) * (ts[0] as number);
      return n === 0 ? 0 : (arrayOf('dot')(values[0], ts[0]) as number) / n;
    }
    case 'max':
    case 'min': {
      // One tensor's largest (smallest) element: the mean of the tangents of the elements equal
      // to it (a NaN among them: NaN, as the gradient).
      if (typeof values[0] === 'number') return ts[0];
      const v = elementsOf(values[0]);
      const d = elementsOf(ts[0]);
      let total = 0;
      let count = 0;
      for (let i = 0; i < v.length; i++) {
        if (v[i] === y.data) {
          total += d[i];
          count++;
        }
      }
      return total / count;
    }
    case 'prod': {
      // d prod = sum over each run along the axis of d_k times the product of the others
      // (prefix times suffix: no division, so a 0 among them is no NaN).
      const dim = values[1];
      const shape = shapeOf(values[0]);
      const { outer, n, inner } = runs(shape, dim === undefined ? null : axisOf('prod', shape, dim));
      const v = elementsOf(values[0]);
      const d = elementsOf(ts[0]);
      const out = new Float64Array(outer * inner);
      const suffix = new Float64Array(n + 1);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const at = (k: number): number => (o * n + k) * inner + i;
          suffix[n] = 1;
          for (let k = n - 1; k >= 0; k--) suffix[k] = suffix[k + 1] * v[at(k)];
          let prefix = 1;
          let t = 0;
          for (let k = 0; k < n; k++) {
            t += prefix * suffix[k + 1] * d[at(k)];
            prefix *= v[at(k)];
          }
          out[o * inner + i] = t;
        }
      }
      return valueFrom(shapeOf(y.data), out, op.name);
    }
    case 'softmax': {
      // Over the last axis: dy = y (dx - sum(y dx)); of a number (softmax 1), 0.
      if (typeof values[0] === 'number') return 0;
      const shape = shapeOf(values[0]);
      const { outer, n } = runs(shape, shape.length - 1);
      const p = elementsOf(y.data);
      const d = elementsOf(ts[0]);
      const out = new Float64Array(p.length);
      for (let o = 0; o < outer; o++) {
        let s = 0;
        for (let k = o * n; k < (o + 1) * n; k++) s += p[k] * d[k];
        for (let k = o * n; k < (o + 1) * n; k++) out[k] = p[k] * (d[k] - s);
      }
      return valueFrom(shape, out, op.name);
    }
    case 'logsumexp': {
      // Over the last axis, dropped: dy = sum(softmax(x) dx); of a number (itself), dx.
      if (typeof values[0] === 'number') return ts[0];
      const shape = shapeOf(values[0]);
      const { outer, n } = runs(shape, shape.length - 1);
      const v = elementsOf(values[0]);
      const m = elementsOf(y.data);
      const d = elementsOf(ts[0]);
      const out = new Float64Array(outer);
      for (let o = 0; o < outer; o++) {
        let t = 0;
        for (let k = o * n; k < (o + 1) * n; k++) t += Math.exp(v[k] - m[o]) * d[k];
        out[o] = t;
      }
      return valueFrom(shapeOf(y.data), out, op.name);
    }
    default:
      throw new ForwardModeError(op.name);
  }
}

/** A shape's elements (row-major) as `outer` runs of `n` along `axis`, `inner` apart (null: one run of all). */
function runs(shape: readonly number[], axis: number | null): { outer: number; n: number; inner: number } {
  if (axis === null) return { outer: 1, n: sizeOf(shape), inner: 1 };
  return { outer: sizeOf(shape.slice(0, axis)), n: shape[axis], inner: sizeOf(shape.slice(axis + 1)) };
}
