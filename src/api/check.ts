/**
 * `--check`: every gradient against two independent oracles, with PyTorch's gradcheck rules.
 *
 * - numeric: the central difference (f(x+h) - f(x-h)) / 2h (book step 4's `numerical_diff`), with
 *   h = 6e-6·max(1, |x|), about the cube root of machine epsilon scaled to the point. It agrees when
 *   |autodiff - numeric| <= 1e-5 + 1e-3·|numeric| (gradcheck's atol and rtol).
 * - symbolic: mathjs's `derivative` evaluated at the point (`verify` loads mathjs, on this path
 *   only). It agrees when |autodiff - symbolic| <= 1e-10 + 1e-10·|symbolic|: relative, with an
 *   absolute floor for values near zero.
 *
 * Equal infinities agree; NaN agrees with nothing, not even NaN. When they disagree, the
 * reason is looked for in the graph: a kink (relu, abs) at or near the point, or a function at or
 * near the edge of its domain.
 */
import type { OpSpec } from '../engine/registry.js';
import type { Node } from '../expr/ast.js';
import { build, type ForwardStep } from '../expr/build.js';
import { forwardRecords, type ForwardRecord } from './trace.js';

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
  reason?: CheckReason;
}

/** The difference step around the point: `x ± 6e-6`. */
export interface Span {
  variable: string;
  h: number;
}

/**
 * Why autodiff and an oracle disagree, as found in the graph (report/check.ts says it in words).
 * `step` is the forward step where it happens.
 */
export type CheckReason =
  /** The input of relu or abs sits on its kink, where the one-sided derivatives differ. */
  | { kind: 'at-kink'; step: ForwardRecord; kink: NonNullable<OpSpec['kink']>; at: number }
  /** The input of relu or abs crosses its kink within the difference step. */
  | { kind: 'crosses-kink'; step: ForwardRecord; kink: NonNullable<OpSpec['kink']>; at: number; span: Span }
  /** A step's value is not finite at the point. */
  | { kind: 'not-finite'; step: ForwardRecord; domain?: string }
  /** A step's value becomes `value`, not finite, within the difference step: the edge of its domain. */
  | { kind: 'domain-edge'; step: ForwardRecord; value: number; span: Span; domain?: string }
  /** The gradient itself is not finite. */
  | { kind: 'gradient-not-finite'; value: number }
  /** mathjs's formula is not finite while autodiff is. */
  | { kind: 'symbolic-not-finite'; value: number };

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
export function centralDifference(
  root: Node,
  values: ReadonlyMap<string, number>,
  name: string,
  h = differenceStep(values.get(name)!),
): number {
  const x = values.get(name)!;
  const at = (v: number): number => evaluateAt(root, new Map(values).set(name, v));
  return (at(x + h) - at(x - h)) / (2 * h);
}

/**
 * PyTorch gradcheck's rule: |a - n| <= atol + rtol·|n|. Equal infinities agree (`===`); NaN agrees
 * with nothing, not even NaN: a NaN gradient proves nothing.
 */
export function agreesNumeric(autodiff: number, numeric: number): boolean {
  return autodiff === numeric || Math.abs(autodiff - numeric) <= NUMERIC_ATOL + NUMERIC_RTOL * Math.abs(numeric);
}

/** 1e-10 relative, with the same absolute floor near zero; infinities and NaN as in agreesNumeric. */
export function agreesSymbolic(autodiff: number, symbolic: number): boolean {
  return autodiff === symbolic || Math.abs(autodiff - symbolic) <= SYMBOLIC_TOL * (1 + Math.abs(symbolic));
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
      autodiff,
      numeric,
      symbolic: sym,
      h,
      numericOk,
      symbolicOk,
      ok: numericOk && symbolicOk,
      ...('whyNot' in s ? { symbolicWhyNot: s.whyNot } : {}),
    };
    if (!entry.ok) entry.reason = explain(root, values, name, entry);
    entries.set(name, entry);
  }
  return entries;
}

/** The known reasons for a disagreement, most specific first. */
function explain(
  root: Node,
  values: ReadonlyMap<string, number>,
  name: string,
  entry: CheckEntry,
): CheckReason | undefined {
  const x = values.get(name)!;
  const graph = build(root, values);
  const records = forwardRecords(graph);
  const here = graph.steps;
  const stepsAt = (v: number): ForwardStep[] => build(root, new Map(values).set(name, v)).steps;
  const below = stepsAt(x - entry.h);
  const above = stepsAt(x + entry.h);
  const input = (s: ForwardStep): number | undefined => s.output.creator?.inputs[0]?.data;
  const span: Span = { variable: name, h: entry.h };

  // A kink: the input of relu or abs sits on the kink, or crosses it within the difference step.
  for (let i = 0; i < here.length; i++) {
    const { kink } = here[i].op;
    if (kink === undefined) continue;
    const [u0, u1, u2] = [input(below[i]), input(here[i]), input(above[i])];
    if (u0 === undefined || u1 === undefined || u2 === undefined) continue;
    // A periodic kink (floor's jumps at every integer): the one nearest the input.
    const at = kink.period === undefined ? kink.at : kink.at + kink.period * Math.round((u1 - kink.at) / kink.period);
    const [s0, s1, s2] = [Math.sign(u0 - at), Math.sign(u1 - at), Math.sign(u2 - at)];
    if (s1 === 0 && (s0 !== 0 || s2 !== 0)) return { kind: 'at-kink', step: records[i], kink, at };
    if (s0 !== s2) return { kind: 'crosses-kink', step: records[i], kink, at, span };
  }
  // A domain edge: a value that is not finite here, or becomes so within the difference step.
  for (let i = 0; i < here.length; i++) {
    const r = records[i];
    const { domain } = here[i].op;
    if (!Number.isFinite(r.value)) return { kind: 'not-finite', step: r, domain };
    const bad = [below[i], above[i]].find((s) => !Number.isFinite(s.output.data));
    if (bad !== undefined) return { kind: 'domain-edge', step: r, value: bad.output.data, span, domain };
  }
  if (!Number.isFinite(entry.autodiff)) return { kind: 'gradient-not-finite', value: entry.autodiff };
  if (entry.symbolic !== null && !Number.isFinite(entry.symbolic)) {
    return { kind: 'symbolic-not-finite', value: entry.symbolic };
  }
  return undefined;
}

/** mathjs's derivative for one variable as a formula in our grammar, or why there is none. */
export type SymbolicFormula =
  /** `unsimplified`: the derivative was too large for mathjs's simplify (its size and the limit). */
  { formula: string; unsimplified?: { size: number; limit: number } } | { whyNot: string };

export interface Verification {
  /** The gradient check, per variable. */
  check?: Map<string, CheckEntry>;
  /** Per variable: the derivative in our grammar, or why there is none. */
  symbolic?: Map<string, SymbolicFormula>;
}

/**
 * The gradient check (`want.check`) and the derivatives as formulas (`want.symbolic`) for every
 * variable of `gradient`, asking mathjs for the symbolic derivatives. mathjs is loaded here, on
 * first use: never at start-up.
 */
export async function verify(
  root: Node,
  values: ReadonlyMap<string, number>,
  gradient: Readonly<Record<string, number>>,
  want: { check: boolean; symbolic: boolean },
): Promise<Verification> {
  return (await verifier())(root, values, gradient, want);
}

/** What `verify` does once mathjs is loaded: synchronous, for callers that time or interrupt it. */
export type Verifier = (
  root: Node,
  values: ReadonlyMap<string, number>,
  gradient: Readonly<Record<string, number>>,
  want: { check: boolean; symbolic: boolean },
) => Verification;

/** Loads mathjs and the bridge (the only asynchronous part of `verify`) and returns the rest. */
export async function verifier(): Promise<Verifier> {
  const bridge = await import('../expr/mathjs.js');
  const { print } = await import('../expr/print.js');
  const math = await bridge.loadMathjs();
  return (root, values, gradient, want) => verifyWith(bridge, print, math, root, values, gradient, want);
}

function verifyWith(
  bridge: typeof import('../expr/mathjs.js'),
  print: typeof import('../expr/print.js').print,
  math: Awaited<ReturnType<typeof import('../expr/mathjs.js').loadMathjs>>,
  root: Node,
  values: ReadonlyMap<string, number>,
  gradient: Readonly<Record<string, number>>,
  want: { check: boolean; symbolic: boolean },
): Verification {
  const atPoint = new Map<string, SymbolicValue>();
  const formulas = new Map<string, SymbolicFormula>();
  for (const name of Object.keys(gradient)) {
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
            ...(s.simplified ? {} : { unsimplified: { size: s.size, limit: bridge.MAX_SIMPLIFY_NODES } }),
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
    ...(want.check ? { check: gradcheck(root, values, gradient, atPoint) } : {}),
    ...(want.symbolic ? { symbolic: formulas } : {}),
  };
}
