/**
 * --check's numeric oracle on random smooth expressions at points from 1e-8 to 1e8 in magnitude:
 * how often it calls a correct gradient a mismatch (a false alarm), and how often it catches a
 * gradient perturbed by 1e-6 relative where its error bound allows. The correct gradient is
 * autodiff's where mathjs's symbolic derivative agrees with it to 1e-10.
 * test/check.test.ts runs a few hundred; `npm run check:sweep` runs 10,000.
 */
import fc from 'fast-check';
import { agreesSymbolic, evaluateAt, gradcheck, NUMERIC_MARGIN } from '../../src/api/check.js';
import { grad } from '../../src/api/grad.js';
import type { Node } from '../../src/expr/ast.js';
import { derivative, evaluateMathjs, type Mathjs, SymbolicUnavailable } from '../../src/expr/mathjs.js';
import { print } from '../../src/expr/print.js';
import { tree } from './trees.js';

/** A value ±10^e with e uniform in [-8, 8]. */
const magnitude = fc
  .tuple(fc.integer({ min: -8_000_000, max: 8_000_000 }), fc.boolean())
  .map(([e, negative]) => (negative ? -1 : 1) * 10 ** (e / 1e6));

export interface SweepResult {
  /** Expression-variable pairs whose gradient was checked (finite value, gradient and symbolic agreeing). */
  checked: number;
  /** Pairs skipped: not finite at the point, or no symbolic oracle to call the gradient correct. */
  skipped: number;
  /** A correct gradient called a mismatch with no reason: must be none. */
  falseAlarms: string[];
  /** A mismatch with its reason: no finite difference near the point (the edge of a domain within the narrowest step). */
  explained: number;
  /** The numeric estimate could not decide (its error over 1% of the gradient). */
  inconclusive: number;
  /** Pairs whose error bound is below 1e-6 relative, so that a 1e-6 perturbation must be caught. */
  catchable: number;
  /** Of those, perturbations the check missed: must be none. */
  missed: string[];
}

/** One expression at one point, for every variable: what `--check` decides. */
function sweepOne(math: Mathjs, root: Node, values: Map<string, number>, r: SweepResult): void {
  let value: number;
  let gradient: Record<string, number>;
  try {
    value = evaluateAt(root, values);
    gradient = { ...grad(root, values).gradient };
  } catch {
    r.skipped++;
    return;
  }
  for (const [name, a] of Object.entries(gradient)) {
    let symbolic: number;
    try {
      symbolic = evaluateMathjs(derivative(math, root, name), values);
    } catch (e) {
      if (!(e instanceof SymbolicUnavailable)) throw e;
      r.skipped++;
      continue;
    }
    if (!Number.isFinite(value) || !Number.isFinite(a) || !agreesSymbolic(a, symbolic)) {
      r.skipped++;
      continue;
    }
    r.checked++;
    const where = () => `d/d${name} of ${print(root)} at ${[...values].map(([k, v]) => `${k} = ${v}`).join(', ')}`;
    const entry = gradcheck(root, values, { [name]: a }).get(name)!;
    const numeric = `${entry.numeric} ± ${entry.numericError}`;
    if (!entry.numericOk && entry.reason === undefined)
      r.falseAlarms.push(`${where()}: autodiff ${a}, numeric ${numeric}`);
    else if (!entry.numericOk) r.explained++;
    if (entry.numericOk && entry.numericInconclusive) r.inconclusive++;
    if (a !== 0 && !entry.numericInconclusive && NUMERIC_MARGIN * entry.numericError < 0.5e-6 * Math.abs(a)) {
      r.catchable++;
      const perturbed = a * (1 + 1e-6);
      if (gradcheck(root, values, { [name]: perturbed }).get(name)!.numericOk) {
        r.missed.push(`${where()}: ${perturbed} passed as ${numeric}`);
      }
    }
  }
}

/** `runs` random expressions (seeded) at random points of every magnitude. */
export function sweep(math: Mathjs, runs: number, seed: number): SweepResult {
  const r: SweepResult = {
    checked: 0,
    skipped: 0,
    falseAlarms: [],
    explained: 0,
    inconclusive: 0,
    catchable: 0,
    missed: [],
  };
  const sample = fc.sample(
    fc.tuple(
      tree(4),
      fc.tuple(magnitude, magnitude).map(
        ([x, y]) =>
          new Map([
            ['x', x],
            ['y', y],
          ]),
      ),
    ),
    { numRuns: runs, seed },
  );
  for (const [root, values] of sample) sweepOne(math, root, values, r);
  return r;
}
