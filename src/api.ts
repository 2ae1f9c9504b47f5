/**
 * The library entry: `grad(expression, values)` parses, builds the graph at the given values, runs
 * backward and returns the value, the gradient and the trace.
 */
import { parse } from './expr/parse.js';
import { build, type Graph } from './expr/build.js';
import { backwardRecord, forwardRecords, type BackwardRecord, type Trace } from './report/trace.js';
import type { Node } from './expr/ast.js';

export interface GradResult {
  value: number;
  /** d(output)/d(name) for every variable the expression uses, in order of first appearance. */
  gradient: Record<string, number>;
  trace: Trace;
}

export type Values = Readonly<Record<string, number>> | ReadonlyMap<string, number>;

/**
 * Value and gradient of `expression` at `values`.
 *
 *     grad('square(exp(square(x)))', { x: 0.5 }).gradient.x  // 3.297442541400256
 *
 * Throws ExprError (with a position) for a syntax error or a variable without a value. Values for
 * names the expression does not use are ignored.
 */
export function grad(expression: string | Node, values: Values = {}): GradResult {
  const source = typeof expression === 'string' ? expression : '';
  const root = typeof expression === 'string' ? parse(expression) : expression;
  const graph = build(root, toMap(values), source);
  return differentiate(graph);
}

/** Runs backward on a built graph, recording every step. */
export function differentiate(graph: Graph): GradResult {
  const { output } = graph;
  const backward: BackwardRecord[] = [];
  for (const v of graph.variables.values()) v.cleargrad();
  if (output.creator !== null) {
    output.backward({ retainGrad: true, onStep: (step) => backward.push(backwardRecord(step)) });
  }
  const gradient: Record<string, number> = Object.create(null);
  for (const [name, v] of graph.variables) {
    // A variable that is the whole expression has gradient 1; one that no gradient reached, 0.
    gradient[name] = v === output ? 1 : v.grad?.data ?? 0;
  }
  return {
    value: output.data,
    gradient,
    trace: { output: graph.outputName, value: output.data, forward: forwardRecords(graph), backward },
  };
}

function toMap(values: Values): Map<string, number> {
  if (values instanceof Map) return new Map(values);
  const map = new Map<string, number>();
  for (const key of Object.keys(values)) map.set(key, (values as Record<string, number>)[key]);
  return map;
}
