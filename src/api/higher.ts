/**
 * Higher-order derivatives of a built expression, with everything the renderers need to tell the
 * story: the gradient graph each pass built (named, as forward records) and the backward records
 * of the pass that ran through it. Plain functions the CLI and the REPL call.
 */
import { scalarOf, type Value } from '../engine/tensor.js';
import { derivatives as derivativeVariables, gradients } from '../engine/gradients.js';
import type { DFunction, Variable } from '../engine/variable.js';
import { nameGradientGraph, type Graph } from '../expr/build.js';
import { backwardRecord, forwardRecords, type BackwardRecord, type ForwardRecord } from './trace.js';
import { functionsOf, type Cluster } from './view.js';

/** A gradient graph and the backward pass that ran through it. */
export interface GradientPass {
  /** What the pass differentiated, as the reader knows it: `dy/dx`. */
  of: string;
  /** Its variable's name in the records (`f` in `f.grad = 1`). */
  root: string;
  /** The steps of the gradient graph that computed `of`, in creation order. */
  graph: ForwardRecord[];
  /** The backward pass from `root`. */
  backward: BackwardRecord[];
}

export interface HigherOptions {
  /** Build a graph on the last pass too (for drawing it). */
  keepGraph?: boolean;
  /** Record each pass's gradient graph and backward steps (for --trace-grad). */
  tracePasses?: boolean;
  /**
   * Stop with a GraphTooLargeError before a pass that would take the gradient graphs together past
   * this many functions: each order of tanh roughly triples its graph. Default:
   * MAX_GRADIENT_FUNCTIONS, or 10 times the expression's own graph when that is larger.
   */
  maxFunctions?: number;
}

export interface HigherResult {
  /** [dy/dx, d2y/dx2, ...]. */
  derivatives: number[];
  /** The derivatives as Variables (with graphs, except the last unless `keepGraph`). */
  variables: Variable[];
  /** One per pass after the first (the first is the ordinary trace): pass k runs through graph k-1. */
  passes: GradientPass[];
  clusters: Cluster[];
  /** Each variable's gradient in the first pass that reached it, for labels in drawings. */
  grads: Map<Variable, number>;
}

/** `d2y/dx2`; `dy/dx` for the first. */
export function derivativeName(output: string, wrt: string, k: number): string {
  return k === 1 ? `d${output}/d${wrt}` : `d${k}${output}/d${wrt}${k}`;
}

export const MAX_GRADIENT_FUNCTIONS = 100_000;

/** The derivatives asked for would take the gradient graphs past the budget (`maxFunctions`). */
export class GraphTooLargeError extends RangeError {
  constructor(
    /** The order asked for. */
    readonly order: number,
    /** The last derivative built: `d11y/dx11`. */
    readonly derivative: string,
    /** The functions in its gradient graph. */
    readonly functions: number,
    /** About how many the next gradient graph would have. */
    readonly next: number,
    /** The budget for all the gradient graphs together. */
    readonly limit: number,
  ) {
    super(
      `order ${order} is too high for this expression: the gradient graph of ${derivative} already has ` +
        `${functions} functions and the next would have about ${next} (the limit for all is ${limit})`,
    );
    this.name = 'GraphTooLargeError';
  }
}

/**
 * d^k y/dx^k for k = 1..n at the graph's values, by repeated backward with `createGraph`. The
 * gradient graphs' nodes get names from the graph's name source.
 */
export function derivativesAt(graph: Graph, wrt: string, n: number, options: HigherOptions = {}): HigherResult {
  const x = graph.variables.get(wrt);
  if (x === undefined) throw new Error(`internal: ${wrt} is not a variable of the graph`);
  const budget = options.maxFunctions ?? Math.max(MAX_GRADIENT_FUNCTIONS, 10 * graph.steps.length);
  const grads = new Map<Variable, number>();
  const passes: GradientPass[] = [];
  const clusters: Cluster[] = [];
  let pending: BackwardRecord[] = [];
  let passGrads = new Map<Variable, number>([[graph.output, 1]]);
  let built = 0;
  let lastBuilt = Math.max(1, graph.steps.length);
  const variables = derivativeVariables(graph.output, x, n, {
    keepGraph: options.keepGraph,
    onStep: (k, step) => {
      passGrads.set(step.input, scalarOf(step.grad.data, 'higher derivatives'));
      if (options.tracePasses && k > 1) pending.push(backwardRecord(step));
    },
    onPass: (k, g) => {
      // Pass k is over: its records and gradients are complete.
      if (k > 1) passes[k - 2].backward = pending;
      mergeFirst(grads, passGrads);
      pending = [];
      passGrads = new Map([[g, 1]]);
      if (k === n && !options.keepGraph) return;
      const steps = nameGradientGraph(g, graph.freshName, true);
      built += steps.length;
      // Stop before a pass whose graph would pass the budget, guessing its size from the growth so far.
      const next = steps.length * Math.max(1, steps.length / lastBuilt);
      lastBuilt = Math.max(1, steps.length);
      if (k < n && built + next > budget) {
        const name = derivativeName(graph.outputName, wrt, k);
        throw new GraphTooLargeError(n, name, steps.length, Math.round(next), budget);
      }
      clusters.push({
        label: `gradient graph of ${derivativeName(graph.outputName, wrt, k)}`,
        functions: functionsOf(steps),
      });
      if (k < n) {
        const of = derivativeName(graph.outputName, wrt, k);
        passes.push({
          of,
          root: g.name ?? of,
          graph: options.tracePasses ? forwardRecords({ steps }) : [],
          backward: [],
        });
      }
    },
  });
  return {
    derivatives: variables.map((v) => scalarOf(v.data, 'higher derivatives')),
    variables,
    passes,
    clusters,
    grads,
  };
}

export interface HessianResult {
  names: string[];
  /** matrix[i][j] = d2y/(d names[i] d names[j]). */
  matrix: number[][];
  /** One backward pass per row, through the gradient graph (when `tracePasses`). */
  passes: GradientPass[];
  clusters: Cluster[];
  grads: Map<Variable, number>;
}

/** The Hessian over `names` (default: every variable), by one backward pass per gradient component. */
export function hessianAt(
  graph: Graph,
  names: readonly string[] = [...graph.variables.keys()],
  options: HigherOptions = {},
): HessianResult {
  const xs = names.map((name) => graph.variables.get(name)!);
  const grads = new Map<Variable, number>([[graph.output, 1]]);
  const g = gradients(graph.output, xs, {
    createGraph: true,
    onStep: (step) => grads.set(step.input, scalarOf(step.grad.data, 'higher derivatives')),
  });
  const functions = new Set<DFunction>();
  const passes: GradientPass[] = g.map((gi, i) => {
    // Each row's pass runs through the part of the gradient graph no earlier row has shown.
    const steps = nameGradientGraph(gi, graph.freshName, true);
    for (const f of functionsOf(steps)) functions.add(f);
    const of = derivativeName(graph.outputName, names[i], 1);
    return { of, root: gi.name ?? of, graph: options.tracePasses ? forwardRecords({ steps }) : [], backward: [] };
  });
  const clusters = functions.size > 0 ? [{ label: `gradient graph of the gradient`, functions }] : [];
  const matrix = g.map((gi, i) => {
    const passGrads = new Map<Variable, number>([[gi, 1]]);
    const row = gradients(gi, xs, {
      onStep: (step) => {
        passGrads.set(step.input, scalarOf(step.grad.data, 'higher derivatives'));
        if (options.tracePasses) passes[i].backward.push(backwardRecord(step));
      },
    }).map((h) => scalarOf(h.data, 'higher derivatives'));
    mergeFirst(grads, passGrads);
    return row;
  });
  return { names: [...names], matrix, passes, clusters, grads };
}

/** Adds `from`'s entries that `into` does not have yet. */
export function mergeFirst(into: Map<Variable, Value>, from: ReadonlyMap<Variable, Value>): void {
  for (const [v, n] of from) if (!into.has(v)) into.set(v, n);
}
