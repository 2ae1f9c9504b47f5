/**
 * What the graph drawings (DOT, tree) share: how they tell constants from variables and how they
 * write the call that computed a variable. The view itself is a record from api/view.ts.
 */
import { opOf } from '../engine/registry.js';
import type { Variable } from '../engine/variable.js';
import { displayName } from '../expr/build.js';
import type { GraphView } from '../api/view.js';
import { callText } from './text.js';

/** A constant: a number with no creator that no gradient is computed for. */
export function isConstant(v: Variable): boolean {
  return v.creator === null && !v.requiresGrad;
}

/** `square(b)`, `a * b`, `-a`, from the engine's Function and its inputs' names. */
export function callOf(v: Variable, view: GraphView): string {
  const known = view.calls?.get(v);
  if (known !== undefined) return callText(known);
  const f = v.creator!;
  const op = opOf(f);
  const args = f.inputs.map(displayName);
  return callText({ op: op?.name ?? f.label, symbol: op?.symbol, inputs: args });
}
