/**
 * What the graph drawings (DOT, tree) show, as a record: the engine's Variables and Functions
 * reachable from some roots, the gradient each variable received, which functions belong to
 * gradient graphs, and how the builder wrote each step. report/dot.ts and report/tree.ts draw it.
 */
import type { Value } from '../engine/tensor.js';
import { graphOf } from '../engine/gradients.js';
import type { DFunction, Variable } from '../engine/variable.js';
import type { ForwardStep, Graph } from '../expr/build.js';
import { forwardRecords, type ForwardRecord } from './trace.js';

/** The functions of a gradient graph, grouped for drawing apart from the forward graph. */
export interface Cluster {
  label: string;
  functions: ReadonlySet<DFunction>;
}

export interface GraphView {
  /** The output first, then any derivatives whose gradient graphs should be drawn too. */
  roots: readonly Variable[];
  /** Each variable's gradient (absent: no gradient reached it). */
  grads: ReadonlyMap<Variable, Value>;
  /** Gradient graphs, drawn apart; functions in none belong to the forward graph. */
  clusters?: readonly Cluster[];
  /**
   * Dashed edges from a variable to the function of another (`a` to the Diff of `diff(a, x)`):
   * what a step was about when no data flows along it.
   */
  links?: readonly { from: Variable; to: Variable; label: string }[];
  /** How a variable was computed, when the builder knows better than the engine (`diff(a, x)`). */
  calls?: ReadonlyMap<Variable, ForwardRecord>;
}

/**
 * The clusters for `diff(f, x)` steps in a built graph: each run of gradient steps, labelled by the
 * diff step that follows it.
 */
export function diffClusters(steps: readonly ForwardStep[]): Cluster[] {
  const clusters: Cluster[] = [];
  let run: ForwardStep[] = [];
  for (const s of steps) {
    if (s.gradient === true) run.push(s);
    else {
      const label = `gradient graph of ${s.op.name}(${s.inputs.join(', ')})`;
      if (run.length > 0) clusters.push({ label, functions: functionsOf(run) });
      run = [];
    }
  }
  return clusters;
}

/**
 * What --dot, --graph and --tree draw: the expression's graph as written (even a step the result no
 * longer depends on, such as the `a` of `diff(a, x)`), the gradient graphs of its diff() steps, and
 * `extra` roots and clusters (the derivatives of --order).
 */
export function drawingView(
  graph: Graph,
  extra: { grads: ReadonlyMap<Variable, Value>; roots?: readonly Variable[]; clusters?: readonly Cluster[] },
): GraphView {
  const roots: Variable[] = [graph.output];
  for (const v of extra.roots ?? []) roots.push(v);
  for (const s of graph.steps) if (s.gradient !== true) roots.push(s.output);
  const records = forwardRecords(graph);
  const byName = new Map<string, Variable>(graph.variables);
  for (const s of graph.steps) byName.set(s.name, s.output);
  return {
    roots,
    grads: extra.grads,
    clusters: [...diffClusters(graph.steps), ...(extra.clusters ?? [])],
    // For each `b = diff(a, x)`: a dashed `d/dx` edge from a to b's function.
    links: graph.steps
      .filter((s) => s.op.name === 'diff' && byName.has(s.inputs[0]))
      .map((s) => ({ from: byName.get(s.inputs[0])!, to: s.output, label: `d/d${s.inputs[1]}` })),
    // How the builder wrote each step: `diff(a, x)` rather than the engine's Diff(d).
    calls: new Map(graph.steps.map((s, i) => [s.output, records[i]])),
  };
}

/**
 * Every variable's gradient as the last backward pass left it (run with retainGrad), the output's
 * as its seed (1, ones of its shape, or a given cotangent).
 */
export function gradSnapshot(output: Variable): Map<Variable, Value> {
  const grads = new Map<Variable, Value>();
  if (output.requiresGrad) grads.set(output, output.grad?.data ?? 1);
  for (const v of graphOf([output]).variables) if (v.grad !== null) grads.set(v, v.grad.data);
  return grads;
}

/** The functions that computed `steps`, for a cluster. */
export function functionsOf(steps: readonly ForwardStep[]): Set<DFunction> {
  return new Set(steps.map((s) => s.output.creator!).filter((f) => f !== null));
}
