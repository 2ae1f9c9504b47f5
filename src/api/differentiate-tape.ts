/**
 * `differentiate` without the Variables: the value and gradient from the tape (src/engine/tape.ts),
 * the same bits as building the graph and running backward, with no trace: for the paths that
 * want only the numbers (`--quiet`, `grad()` at one point).
 */
import type { Node } from '../expr/ast.js';
import type { BuildOptions } from '../expr/build.js';
import { buildTape } from '../expr/build-tape.js';
import type { Postfix } from '../expr/postfix.js';
import type { GradResult } from './differentiate.js';

export interface TapeResult {
  result: GradResult;
  /** True when the value, every gradient and every op's value are finite (nothing to warn about). */
  finite: boolean;
}

/**
 * Value and gradient of `expression` (the parser's compact form, or a tree) at `values` on the
 * tape, with an empty trace; undefined where the tape cannot take the expression (then `build`
 * and `differentiate` do, and report any error).
 */
export function differentiateOnTape(
  expression: Postfix | Node,
  values: ReadonlyMap<string, number>,
  options: BuildOptions = {},
): TapeResult | undefined {
  const g = buildTape(expression, values, options);
  if (g === undefined) return undefined;
  const { tape, output } = g;
  const back = tape.backward(output);
  if (back === undefined) return undefined;
  const { grad, reached } = back;
  const value = tape.value[output];
  const gradient: Record<string, number> = Object.create(null);
  let finite = Number.isFinite(value);
  for (const [name, s] of g.variables) {
    // A variable that is the whole expression has gradient 1; one that no gradient reached, 0.
    const d = s === output ? 1 : reached[s] === 1 ? grad[s] : 0;
    gradient[name] = d;
    if (!Number.isFinite(d)) finite = false;
  }
  if (!tape.finite) finite = false;
  return { result: { value, gradient, trace: { output: g.outputName, value, forward: [], backward: [] } }, finite };
}
