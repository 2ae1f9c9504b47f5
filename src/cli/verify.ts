/**
 * `--check` and `--symbolic`: asks mathjs (loaded here, on these paths only) for the symbolic
 * derivatives, then runs the gradient check. Returns plain data for the renderers.
 */
import type { GradResult } from '../api/grad.js';
import { gradcheck, type CheckEntry, type SymbolicValue } from '../api/check.js';
import type { Node } from '../expr/ast.js';

export interface Verification {
  check?: Map<string, CheckEntry>;
  /** Per variable: the derivative in our grammar, or why there is none. */
  symbolic?: Map<string, { formula: string; note?: string } | { whyNot: string }>;
}

export async function verify(
  root: Node,
  values: ReadonlyMap<string, number>,
  result: GradResult,
  want: { check: boolean; symbolic: boolean },
): Promise<Verification> {
  const bridge = await import('../expr/mathjs.js');
  const { print } = await import('../expr/print.js');
  const math = await bridge.loadMathjs();
  const atPoint = new Map<string, SymbolicValue>();
  const formulas: NonNullable<Verification['symbolic']> = new Map();
  for (const name of Object.keys(result.gradient)) {
    try {
      const d = bridge.derivative(math, root, name);
      if (want.check) {
        try {
          atPoint.set(name, { value: bridge.evaluateMathjs(d, values) });
        } catch (e) {
          if (!(e instanceof bridge.SymbolicUnavailable)) throw e;
          atPoint.set(name, { whyNot: e.message });
        }
      }
      if (want.symbolic) {
        try {
          const s = bridge.simplified(math, d);
          formulas.set(name, {
            formula: print(bridge.fromMathjs(s.node)),
            ...(s.simplified ? {} : { note: `not simplified: the derivative has ${s.size} nodes and mathjs's simplify stops at ${bridge.MAX_SIMPLIFY_NODES}` }),
          });
        } catch (e) {
          if (!(e instanceof bridge.SymbolicUnavailable)) throw e;
          formulas.set(name, { whyNot: e.message });
        }
      }
    } catch (e) {
      if (!(e instanceof bridge.SymbolicUnavailable)) throw e;
      atPoint.set(name, { whyNot: e.message });
      formulas.set(name, { whyNot: e.message });
    }
  }
  return {
    ...(want.check ? { check: gradcheck(root, values, result.gradient, atPoint) } : {}),
    ...(want.symbolic ? { symbolic: formulas } : {}),
  };
}

/** True when every checked gradient agrees (or nothing was checked). */
