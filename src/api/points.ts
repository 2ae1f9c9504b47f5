/**
 * Many points beyond the first derivatives: higher orders for `--order` over a list, a range or a
 * stream (and the curves of `--plot`), and `--check` at every point. The compiled kernel gives the value and the first derivatives; the orders
 * after it run on the engine point by point: the expression is built at each point and
 * differentiated again with `createGraph` (derivativesAt), so every number is the single-point
 * answer by construction, conditionals and `diff()` included.
 *
 * Measured on tanh over -5:5:0.01 (1001 points, `node` on dist/): order 2 in 0.1 s, order 4 in
 * 0.13 s, order 8 in 3.1 s (each order roughly triples the gradient graph). That is the plotting
 * range's size; a million points at order 4 is about two minutes, said in the README.
 */
import type { Input } from '../batch/compile.js';
import type { Node } from '../expr/ast.js';
import { build } from '../expr/build.js';
import { gradcheck, type CheckEntry, type SymbolicValue } from './check.js';
import { derivativesAt, type HigherOptions } from './higher.js';

/**
 * d^k y/d(wrt)^k for k = 2..n at points [0, count) of `inputs` (one per name, an array or a number
 * repeated), written into `out[k - 2][offset + i]`. Throws GraphTooLargeError as derivativesAt does,
 * at the first point.
 */
export function higherAtPoints(
  root: Node,
  source: string,
  names: readonly string[],
  inputs: readonly Input[],
  count: number,
  wrt: string,
  n: number,
  out: readonly Float64Array[],
  offset = 0,
  options: HigherOptions = {},
): void {
  const values = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    names.forEach((name, j) => {
      const x = inputs[j];
      values.set(name, typeof x === 'number' ? x : x[i]);
    });
    const d = derivativesAt(build(root, values, source), wrt, n, options).derivatives;
    for (let k = 2; k <= n; k++) out[k - 2][offset + i] = d[k - 1];
  }
}

/** Checks the gradient at one point after another, with mathjs's derivatives found once. */
export interface PointChecker {
  /** The check at `values`, as gradcheck gives it for one point. */
  check(values: ReadonlyMap<string, number>, gradient: Readonly<Record<string, number>>): Map<string, CheckEntry>;
  /** Per variable: why there is no symbolic derivative, when there is none at all. */
  whyNot: ReadonlyMap<string, string>;
}

/**
 * `--check` over many points: mathjs's derivative of each variable is taken once (mathjs is loaded
 * here, on this path only) and evaluated at every point; the central difference and the pass rules
 * are gradcheck's, point by point.
 */
export async function pointChecker(root: Node, names: readonly string[]): Promise<PointChecker> {
  const bridge = await import('../expr/mathjs.js');
  const math = await bridge.loadMathjs();
  const derivatives = new Map<string, ReturnType<typeof bridge.derivative>>();
  const whyNot = new Map<string, string>();
  for (const name of names) {
    try {
      derivatives.set(name, bridge.derivative(math, root, name));
    } catch (e) {
      if (!(e instanceof bridge.SymbolicUnavailable)) throw e;
      whyNot.set(name, e.message);
    }
  }
  return {
    whyNot,
    check: (values, gradient) => {
      const atPoint = new Map<string, SymbolicValue>();
      for (const name of names) {
        const d = derivatives.get(name);
        if (d === undefined) {
          atPoint.set(name, { whyNot: whyNot.get(name)! });
          continue;
        }
        try {
          atPoint.set(name, { value: bridge.evaluateMathjs(d, values) });
        } catch (e) {
          if (!(e instanceof bridge.SymbolicUnavailable)) throw e;
          atPoint.set(name, { whyNot: e.message });
        }
      }
      return gradcheck(root, values, gradient, atPoint);
    },
  };
}
