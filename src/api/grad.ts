/**
 * The library entry: `grad(expression, values)` parses, builds the graph at the given values, runs
 * backward and returns the value, the gradient and the trace.
 */
import { parse } from '../expr/parse.js';
import { build, type Graph } from '../expr/build.js';
import { backwardRecord, forwardRecords, type BackwardRecord, type Trace } from './trace.js';
import type { Node } from '../expr/ast.js';
import { CompiledExpression, valuesMap, type BatchResult } from '../batch/run.js';

export interface GradResult {
  value: number;
  /** d(output)/d(name) for every variable the expression uses, in order of first appearance. */
  gradient: Record<string, number>;
  trace: Trace;
}

export type Values = Readonly<Record<string, number>> | ReadonlyMap<string, number>;

/** Values where some variables hold many points: `{ x: Float64Array }`. */
export type BatchValues =
  | Readonly<Record<string, Float64Array | ArrayLike<number> | number>>
  | ReadonlyMap<string, Float64Array | ArrayLike<number> | number>;

/**
 * Value and gradient of `expression` at `values`.
 *
 *     grad('square(exp(square(x)))', { x: 0.5 }).gradient.x  // 3.297442541400256
 *
 * Throws ExprError (with a position) for a syntax error, its MissingValueError for a variable
 * without a value. Values for names the expression does not use are ignored.
 */
export function grad(expression: string | Node, values?: Values): GradResult;
/**
 * Value and gradient at many points: any value that is an array (`Float64Array` or any array of
 * numbers) makes a batch. Equal lengths pair up; numbers and arrays of one value repeat.
 * Returns `value` and `gradient[name]` as `Float64Array`s. The graph is compiled into one fused
 * loop (src/batch/compile.ts) that agrees with the engine bit for bit.
 *
 *     grad('tanh(x)', { x: new Float64Array([0, 0.5, 1]) }).gradient.x
 *
 * Throws ExprError for a bad expression, RangeError for a missing value or mismatched lengths.
 */
export function grad(expression: string | Node, values: BatchValues): BatchResult;
export function grad(expression: string | Node, values: BatchValues = {}): GradResult | BatchResult {
  const map = valuesMap(values);
  if ([...map.values()].some((x) => typeof x !== 'number')) return compiled(expression).run(map);
  const source = typeof expression === 'string' ? expression : '';
  const root = typeof expression === 'string' ? parse(expression) : expression;
  const graph = build(root, map as Map<string, number>, source);
  return differentiate(graph);
}

/**
 * The compiled form of an expression, kept by its text (or its syntax tree, by identity): a second
 * grad() over arrays of the same expression skips parsing, planning and compiling, and reuses the
 * kernel V8 has already optimised. Nothing in it depends on the points.
 */
function compiled(expression: string | Node): CompiledExpression {
  if (typeof expression !== 'string') {
    let c = byTree.get(expression);
    if (c === undefined) byTree.set(expression, (c = new CompiledExpression(expression)));
    return c;
  }
  let c = byText.get(expression);
  if (c === undefined) {
    c = new CompiledExpression(parse(expression), expression);
    if (byText.size >= 64) byText.clear();
    byText.set(expression, c);
  }
  return c;
}

const byText = new Map<string, CompiledExpression>();
const byTree = new WeakMap<Node, CompiledExpression>();

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
    gradient[name] = v === output ? 1 : (v.grad?.data ?? 0);
  }
  return {
    value: output.data,
    gradient,
    trace: { output: graph.outputName, value: output.data, forward: traced ? forwardRecords(graph) : [], backward },
  };
}
