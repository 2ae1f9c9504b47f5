/**
 * What the graph drawings (DOT, tree) show: the engine's Variables and Functions reachable from
 * some roots, the gradient each variable received, and which functions belong to gradient graphs.
 */
import { opOf } from '../engine/registry.js';
import type { DFunction, Variable } from '../engine/variable.js';
import { displayName } from '../expr/build.js';
import { formatNumber } from './format.js';

export interface GraphView {
  /** The output first, then any derivatives whose gradient graphs should be drawn too. */
  roots: readonly Variable[];
  /** Each variable's gradient (absent: no gradient reached it). */
  grads: ReadonlyMap<Variable, number>;
  /** Gradient graphs, drawn apart; functions in none belong to the forward graph. */
  clusters?: readonly { label: string; functions: ReadonlySet<DFunction> }[];
  /**
   * Dashed edges from a variable to the function of another (`a` to the Diff of `diff(a, x)`):
   * what a step was about when no data flows along it.
   */
  links?: readonly { from: Variable; to: Variable; label: string }[];
  /** How a variable was computed, when the builder knows better than the engine (`diff(a, x)`). */
  calls?: ReadonlyMap<Variable, string>;
  precision?: number;
}

/** A constant: a number with no creator that no gradient is computed for. */
export function isConstant(v: Variable): boolean {
  return v.creator === null && !v.requiresGrad;
}

export function num(n: number, precision?: number): string {
  return formatNumber(n, precision);
}

/** `square(b)`, `a * b`, `-a`, from the engine's Function and its inputs' names. */
export function callOf(v: Variable, view: GraphView): string {
  const known = view.calls?.get(v);
  if (known !== undefined) return known;
  const f = v.creator!;
  const op = opOf(f);
  const args = f.inputs.map(displayName);
  if (op?.symbol !== undefined) return args.length === 1 ? `${op.symbol}${args[0]}` : `${args[0]} ${op.symbol} ${args[1]}`;
  return `${op?.name ?? f.label}(${args.join(', ')})`;
}
