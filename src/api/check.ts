/**
 * `--check`: every gradient against two independent oracles, with PyTorch's gradcheck rules.
 *
 * - numeric: the central difference (f(x+h) - f(x-h)) / 2h (book step 4's `numerical_diff`), with
 *   h = 6e-6·max(1, |x|), about the cube root of machine epsilon scaled to the point. It agrees when
 *   |autodiff - numeric| <= 1e-5 + 1e-3·|numeric| (gradcheck's atol and rtol).
 * - symbolic: mathjs's `derivative` evaluated at the point (computed by the caller, which loads
 *   mathjs). It agrees when |autodiff - symbolic| <= 1e-10 + 1e-10·|symbolic|: relative, with an
 *   absolute floor for values near zero.
 *
 * Equal infinities agree; NaN agrees with nothing, not even NaN. When they disagree, the
 * reason is looked for in the graph: a kink (relu, abs) at or near the point, or a function at or
 * near the edge of its domain.
 */
import type { Node } from '../expr/ast.js';
import { build, type ForwardStep } from '../expr/build.js';
import { callText } from '../report/text.js';
import { forwardRecords } from './trace.js';
import { formatExponent, formatNumber } from '../report/format.js';

export const NUMERIC_ATOL = 1e-5;
export const NUMERIC_RTOL = 1e-3;
export const SYMBOLIC_TOL = 1e-10;

export interface CheckEntry {
  autodiff: number;
  numeric: number;
  /** mathjs's derivative at the point; null when mathjs has no answer (`symbolicWhyNot` says why). */
  symbolic: number | null;
  symbolicWhyNot?: string;
  /** The difference step used for `numeric`. */
  h: number;
  numericOk: boolean;
  /** True when symbolic agrees or is null. */
  symbolicOk: boolean;
  ok: boolean;
  /** Why they disagree, when that is known. */
  reason?: string;
}

/** The central-difference step for a value: about cbrt(machine epsilon), scaled to the value. */
export function differenceStep(x: number): number {
  return 6e-6 * Math.max(1, Math.abs(x));
}

/**
 * The expression's value at `values`. With backprop on: `diff(f, x)` inside the expression needs
 * its own backward pass to have a value.
 */
export function evaluateAt(root: Node, values: ReadonlyMap<string, number>): number {
  return build(root, values).output.data;
}

/** d(root)/d(name) by central difference at `values`. */
export function centralDifference(root: Node, values: ReadonlyMap<string, number>, name: string, h = differenceStep(values.get(name)!)): number {
  const x = values.get(name)!;
  const at = (v: number): number => evaluateAt(root, new Map(values).set(name, v));
  return (at(x + h) - at(x - h)) / (2 * h);
}

/** The same infinity (NaN agrees with nothing: a NaN gradient proves nothing). */
function sameSpecial(a: number, b: number): boolean {
  return a === b;
}

/** PyTorch gradcheck's rule: |a - n| <= atol + rtol·|n|. */
export function agreesNumeric(autodiff: number, numeric: number): boolean {
  return sameSpecial(autodiff, numeric) || Math.abs(autodiff - numeric) <= NUMERIC_ATOL + NUMERIC_RTOL * Math.abs(numeric);
}

/** 1e-10 relative, with the same absolute floor near zero. */
export function agreesSymbolic(autodiff: number, symbolic: number): boolean {
  return sameSpecial(autodiff, symbolic) || Math.abs(autodiff - symbolic) <= SYMBOLIC_TOL * (1 + Math.abs(symbolic));
}

/** |a - b| / |b| for display; 0 when equal, Infinity when b is 0 and a is not, NaN when not finite. */
export function relativeDifference(a: number, b: number): number {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.abs(b);
}

/** The symbolic oracle's answer for one variable: a value, or why there is none. */
export type SymbolicValue = { value: number } | { whyNot: string };

/**
 * Checks the gradient of every variable. `symbolic` holds mathjs's derivative at the point per
 * variable (absent entries count as unavailable).
 */
export function gradcheck(
  root: Node,
  values: ReadonlyMap<string, number>,
  gradient: Readonly<Record<string, number>>,
  symbolic: ReadonlyMap<string, SymbolicValue> = new Map(),
): Map<string, CheckEntry> {
  const entries = new Map<string, CheckEntry>();
  for (const name of Object.keys(gradient)) {
    const autodiff = gradient[name];
    const h = differenceStep(values.get(name)!);
    const numeric = centralDifference(root, values, name, h);
    const s = symbolic.get(name) ?? { whyNot: 'not computed' };
    const sym = 'value' in s ? s.value : null;
    const numericOk = agreesNumeric(autodiff, numeric);
    const symbolicOk = sym === null || agreesSymbolic(autodiff, sym);
    const entry: CheckEntry = {
      autodiff, numeric, symbolic: sym, h, numericOk, symbolicOk, ok: numericOk && symbolicOk,
      ...('whyNot' in s ? { symbolicWhyNot: s.whyNot } : {}),
    };
    if (!entry.ok) entry.reason = explain(root, values, name, entry);
    entries.set(name, entry);
  }
  return entries;
}

/** The known reasons for a disagreement, most specific first. */
function explain(root: Node, values: ReadonlyMap<string, number>, name: string, entry: CheckEntry): string | undefined {
  const x = values.get(name)!;
  const graph = build(root, values);
  const records = forwardRecords(graph);
  const here = graph.steps;
  const stepsAt = (v: number): ForwardStep[] => build(root, new Map(values).set(name, v)).steps;
  const below = stepsAt(x - entry.h);
  const above = stepsAt(x + entry.h);
  const input = (s: ForwardStep): number | undefined => s.output.creator?.inputs[0]?.data;
  const span = `${name} ± ${formatExponent(entry.h)}`;

  // A kink: the input of relu or abs sits on the kink, or crosses it within the difference step.
  for (let i = 0; i < here.length; i++) {
    const { op } = here[i];
    if (op.kink === undefined) continue;
    const [u0, u1, u2] = [input(below[i]), input(here[i]), input(above[i])];
    if (u0 === undefined || u1 === undefined || u2 === undefined) continue;
    // A periodic kink (floor's jumps at every integer): the one nearest the input.
    const { period } = op.kink;
    const at = period === undefined ? op.kink.at : op.kink.at + period * Math.round((u1 - op.kink.at) / period);
    const [s0, s1, s2] = [Math.sign(u0 - at), Math.sign(u1 - at), Math.sign(u2 - at)];
    const arg = records[i].inputs[0];
    const sides = `the one-sided derivatives are ${op.kink.left} and ${op.kink.right}`;
    // Equal one-sided derivatives: the value itself jumps there (floor, acot).
    const jump = op.kink.left === op.kink.right;
    const what = jump ? 'jump' : 'kink';
    const difference = jump
      ? 'the central difference sees the jump as a steep slope'
      : 'the central difference averages the two sides';
    if (s1 === 0 && (s0 !== 0 || s2 !== 0)) {
      return `${callText(records[i])} is at its ${what} (${arg} = ${at}): ${sides}; ` +
        `autodiff uses ${op.name}'(${at}) = ${op.kink.convention} (PyTorch's convention), ` +
        `${difference} and the symbolic formula is undefined there`;
    }
    if (s0 !== s2) {
      return `${callText(records[i])} crosses its ${what} (${arg} = ${at}) within ${span}: ${sides}, ` +
        `and ${difference}; check at a point farther from the ${what}`;
    }
  }
  // A domain edge: a value that is not finite here, or becomes so within the difference step.
  for (let i = 0; i < here.length; i++) {
    const r = records[i];
    const domain = here[i].op.domain !== undefined ? ` (defined for ${here[i].op.domain})` : '';
    if (!Number.isFinite(r.value)) {
      return `${r.name} = ${callText(r)} is ${formatNumber(r.value)} at this point${domain}`;
    }
    const bad = [below[i], above[i]].find((s) => !Number.isFinite(s.output.data));
    if (bad !== undefined) {
      return `${callText(r)} is ${formatNumber(bad.output.data)} within ${span}${domain}: ` +
        'the point is at the edge of its domain, where the central difference does not apply';
    }
  }
  if (!Number.isFinite(entry.autodiff)) return `the gradient is ${formatNumber(entry.autodiff)} at this point`;
  if (entry.symbolic !== null && !Number.isFinite(entry.symbolic)) {
    return `mathjs's formula is ${formatNumber(entry.symbolic)} at this point (an intermediate of its form ` +
      'overflows or divides by zero) while autodiff is finite';
  }
  return undefined;
}
