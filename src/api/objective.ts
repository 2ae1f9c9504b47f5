/**
 * An expression as the searches of minimize.ts and root.ts see it: a function of a point (one
 * number per variable, in order of first appearance) that gives its value and gradient, and its
 * Hessian. The value and the gradient come from the compiled kernel (src/batch, bit for bit the
 * engine's backward pass, without building a graph per point); the Hessian from double backprop
 * on the engine's graph (DeZero step 33).
 */
import type { Node } from '../expr/ast.js';
import { build, variableNames } from '../expr/build.js';
import { parse } from '../expr/parse.js';
import { gradients, hessian } from '../engine/gradients.js';
import { index } from '../engine/ops.js';
import type { Variable } from '../engine/variable.js';
import { CompiledExpression } from '../batch/run.js';
import type { Kernel } from '../batch/compile.js';
import { elementsOf, ShapeError, sizeOf, Tensor, type Value } from '../engine/tensor.js';
import { differentiate } from './differentiate.js';

export interface Objective {
  /** The expression as given, for records and errors. */
  source: string;
  root: Node;
  /** The variables, in order of first appearance: the point's coordinates. */
  names: string[];
  /** f(x); writes the gradient into `gradient`. */
  evaluate(x: ArrayLike<number>, gradient: Float64Array): number;
  /** The matrix of second derivatives at x (double backprop). */
  hessian(x: ArrayLike<number>): number[][];
  /** How many times `evaluate` ran. */
  evaluations: number;
}

/** The expression (text or a parsed tree) as an Objective over `names` (default: its own variables). */
export function objectiveOf(expression: string | Node, names?: readonly string[], source?: string): Objective {
  const text = source ?? (typeof expression === 'string' ? expression : '');
  const root = typeof expression === 'string' ? parse(expression) : expression;
  const own = variableNames(root);
  const all = names === undefined ? own : [...names];
  const compiled = new CompiledExpression(root, text);
  // The kernel's inputs are its own variables; `index[j]` is where compiled.names[j] sits in the point.
  const index = compiled.names.map((n) => all.indexOf(n));
  const value = new Float64Array(1);
  const grads = compiled.names.map(() => new Float64Array(1));
  const inputs: number[] = compiled.names.map(() => 0);
  let kernel: Kernel | undefined;
  const objective: Objective = {
    source: text,
    root,
    names: all,
    evaluations: 0,
    evaluate(x, gradient) {
      objective.evaluations++;
      for (let j = 0; j < index.length; j++) inputs[j] = x[index[j]];
      kernel ??= compiled.kernel(inputs);
      kernel(0, 1, inputs, value, grads);
      gradient.fill(0);
      for (let j = 0; j < index.length; j++) gradient[index[j]] = grads[j][0];
      return value[0];
    },
    hessian(x) {
      const graph = build(root, new Map(all.map((n, i) => [n, x[i]])), text);
      const xs = all.map((n) => graph.variables.get(n));
      const h = all.map(() => all.map(() => 0));
      const present = xs.flatMap((v, i) => (v === undefined ? [] : [i]));
      const sub = hessian(
        graph.output,
        present.map((i) => xs[i]!),
      );
      present.forEach((i, a) => present.forEach((j, b) => (h[i][j] = sub[a][b])));
      return h;
    },
  };
  return objective;
}

/**
 * An expression over vectors and matrices as an Objective: the point is every variable of `names`
 * flattened (row-major, in that order, `shapes` giving each one's shape, [] for a number), and
 * `fixed` holds the values that stay as they are (data such as X and y in sum((X*w - y).^2)).
 * Each evaluation builds the engine's graph and runs backward on it (the compiled kernel takes
 * numbers only). There is no Hessian: Newton refuses tensors before it gets here.
 */
export function tensorObjectiveOf(
  root: Node,
  names: readonly string[],
  shapes: readonly (readonly number[])[],
  fixed: ReadonlyMap<string, Value>,
  source = '',
): Objective {
  const offsets: number[] = [];
  let size = 0;
  for (const shape of shapes) {
    offsets.push(size);
    size += sizeOf(shape);
  }
  const values = new Map(fixed);
  /** The values at x: `fixed`, and each name's part of x in its shape. */
  const pointValues = (x: ArrayLike<number>): Map<string, Value> => {
    names.forEach((n, i) => {
      const shape = shapes[i];
      const part = Float64Array.from({ length: sizeOf(shape) }, (_, j) => x[offsets[i] + j]);
      values.set(n, shape.length === 0 ? part[0] : Tensor.from(shape, part));
    });
    return values;
  };
  const objective: Objective = {
    source,
    root,
    names: [...names],
    evaluations: 0,
    evaluate(x, gradient) {
      objective.evaluations++;
      const graph = build(root, pointValues(x), source);
      const result = differentiate(graph, { trace: false });
      if (typeof result.value !== 'number') {
        throw new ShapeError(
          'minimize',
          [result.value.shape],
          'is not a scalar: minimize takes an expression with one value, e.g. sum(...)',
        );
      }
      names.forEach((n, i) => {
        const g = result.gradient[n];
        if (g === undefined) gradient.fill(0, offsets[i], offsets[i] + sizeOf(shapes[i]));
        else if (typeof g === 'number') gradient[offsets[i]] = g;
        else gradient.set(g.data, offsets[i]);
      });
      return result.value;
    },
    hessian(x) {
      const graph = build(root, pointValues(x), source);
      return flatHessian(
        graph.output,
        names.map((n) => graph.variables.get(n)!),
      );
    },
  };
  return objective;
}

/**
 * The Hessian over every element of `xs`, flattened row-major in order (a number is one element):
 * one backward pass with `createGraph` for the gradients, then one backward pass from each of
 * their elements, picked out with `index` (DeZero's GetItem, so the pass runs through it).
 */
export function flatHessian(y: Variable, xs: readonly Variable[]): number[][] {
  if (xs.every((x) => x.ndim === 0)) return hessian(y, xs);
  const g = gradients(y, xs, { createGraph: true });
  const rows: number[][] = [];
  for (const gi of g) {
    const shape = gi.shape;
    for (let flat = 0; flat < gi.size; flat++) {
      const at: number[] = [];
      for (let d = shape.length - 1, rest = flat; d >= 0; d--) {
        at.unshift(rest % shape[d]);
        rest = Math.floor(rest / shape[d]);
      }
      const element = shape.length === 0 ? gi : index(gi, ...at);
      rows.push(gradients(element, xs).flatMap((h) => Array.from(elementsOf(h.data))));
    }
  }
  return rows;
}

/**
 * Solves A d = b by Gaussian elimination with partial pivoting (A is n x n, copied). Returns
 * undefined when A is singular (a zero or non-finite pivot). For n = 1 it is the one division b/a.
 */
export function solveLinear(a: readonly (readonly number[])[], b: ArrayLike<number>): number[] | undefined {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    if (m[pivot][col] === 0 || !Number.isFinite(m[pivot][col])) return undefined;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    for (let r = col + 1; r < n; r++) {
      const factor = m[r][col] / m[col][col];
      if (factor === 0) continue;
      for (let c = col; c <= n; c++) m[r][c] -= factor * m[col][c];
    }
  }
  const d = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = m[i][n];
    for (let c = i + 1; c < n; c++) s -= m[i][c] * d[c];
    d[i] = s / m[i][i];
  }
  return d;
}

/** The Euclidean norm (hypot: no overflow for large components). */
export function norm(v: ArrayLike<number>): number {
  return v.length === 1 ? Math.abs(v[0]) : Math.hypot(...Array.from(v));
}
