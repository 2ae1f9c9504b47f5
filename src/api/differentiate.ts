/**
 * Backward through a built graph, as records: what a one-point run needs (grad.ts adds the batch
 * path, and is not loaded on the CLI's start-up path for that reason).
 */
import { scalarOf } from '../engine/tensor.js';
import type { Graph } from '../expr/build.js';
import { backwardRecord, forwardRecords, type BackwardRecord, type Trace } from './trace.js';

export interface GradResult {
  value: number;
  /** d(output)/d(name) for every variable the expression uses, in order of first appearance. */
  gradient: Record<string, number>;
  trace: Trace;
}

export type Values = Readonly<Record<string, number>> | ReadonlyMap<string, number>;

/**
 * Runs backward on a built graph, recording every step. With `trace: false` nothing is recorded
 * (the trace's lists stay empty) and each intermediate gradient is freed as soon as backward has
 * used it: the lean path for `--quiet` on very deep graphs.
 */
export function differentiate(graph: Graph, options: { trace?: boolean } = {}): GradResult {
  const { output } = graph;
  const traced = options.trace ?? true;
  const backward: BackwardRecord[] = [];
  for (const v of graph.variables.values()) v.cleargrad();
  if (output.creator !== null) {
    output.backward(traced ? { retainGrad: true, onStep: (step) => backward.push(backwardRecord(step)) } : {});
  }
  const gradient: Record<string, number> = Object.create(null);
  for (const [name, v] of graph.variables) {
    // A variable that is the whole expression has gradient 1; one that no gradient reached, 0.
    gradient[name] = v === output ? 1 : v.grad === null ? 0 : scalarOf(v.grad.data, 'the gradient of one output');
  }
  return {
    value: scalarOf(output.data, 'the gradient of one output'),
    gradient,
    trace: {
      output: graph.outputName,
      value: scalarOf(output.data, 'the gradient of one output'),
      forward: traced ? forwardRecords(graph) : [],
      backward,
    },
  };
}
