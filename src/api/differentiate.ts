/**
 * Backward through a built graph, as records: what a one-point run needs (grad.ts adds the batch
 * path, and is not loaded on the CLI's start-up path for that reason).
 */
import { filledLike, sameShape, ScalarOnlyError, scalarOf, ShapeError, shapeOf, type Value } from '../engine/tensor.js';
import { Variable } from '../engine/variable.js';
import type { Graph } from '../expr/build.js';
import { backwardRecord, forwardRecords, type BackwardRecord, type Trace } from './trace.js';

export interface GradResult<V extends Value = number> {
  /** A number, or a Tensor for a vector or matrix output. */
  value: V;
  /**
   * d(output)/d(name) for every variable the expression uses, in order of first appearance, shaped
   * like the variable. For an output that is not a scalar, the gradient of the sum of its elements
   * (DeZero's seed `np.ones_like(y)`), or of the seed given as the output's `grad` before backward.
   */
  gradient: Record<string, V>;
  trace: Trace;
}

export type Values = Readonly<Record<string, number>> | ReadonlyMap<string, number>;

/**
 * Runs backward on a built graph, recording every step. With `trace: false` nothing is recorded
 * (the trace's lists stay empty) and each intermediate gradient is freed as soon as backward has
 * used it: the lean path for `--quiet` on very deep graphs.
 */
export function differentiate(graph: Graph, options: { trace?: boolean; seed?: Value } = {}): GradResult<Value> {
  const { output } = graph;
  const traced = options.trace ?? true;
  const backward: BackwardRecord[] = [];
  for (const v of graph.variables.values()) v.cleargrad();
  // The seed: dy/dy = 1 (ones of y's shape), or the cotangent given for a vector-Jacobian product.
  const seed = options.seed ?? filledLike(output.data, 1);
  if (!sameShape(shapeOf(seed), shapeOf(output.data))) {
    throw new ShapeError('vjp', [shapeOf(seed), shapeOf(output.data)], `differ: the cotangent has the output's shape`);
  }
  output.grad = new Variable(seed, null, false);
  if (output.creator !== null) {
    output.backward(traced ? { retainGrad: true, onStep: (step) => backward.push(backwardRecord(step)) } : {});
  }
  const gradient: Record<string, Value> = Object.create(null);
  for (const [name, v] of graph.variables) {
    // A variable that is the whole expression has gradient 1; one that no gradient reached, 0.
    gradient[name] = v === output ? seed : v.grad === null ? filledLike(v.data, 0) : v.grad.data;
  }
  return {
    value: output.data,
    gradient,
    trace: {
      output: graph.outputName,
      value: output.data,
      seed,
      forward: traced ? forwardRecords(graph) : [],
      backward,
    },
  };
}

/** The gradients as numbers, for the paths that take scalars only: a tensor is a ScalarOnlyError. */
export function scalarGradients(result: GradResult<Value>): Record<string, number> {
  const out: Record<string, number> = Object.create(null);
  for (const [k, v] of Object.entries(result.gradient)) out[k] = scalarOf(v, 'this command');
  return out;
}

/**
 * The result of an expression over numbers as numbers (the library's `grad` at one point): a
 * vector or matrix output is a ScalarOnlyError that says to give tensor values instead.
 */
export function scalarResult(result: GradResult<Value>): GradResult<number> {
  if (typeof result.value !== 'number') throw new ScalarOnlyError('grad() of numbers', result.value.shape);
  return { ...result, value: result.value, gradient: scalarGradients(result) };
}
