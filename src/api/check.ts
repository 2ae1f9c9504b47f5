/**
 * `--check`: every gradient against two independent oracles.
 *
 * - numeric: central differences (f(x+h) - f(x-h)) / 2h (book step 4's `numerical_diff`) over a
 *   range of steps, Richardson-extrapolated, each estimate with its own error (numericDerivative).
 *   It agrees when |autodiff - numeric| <= 10·error + 1e-9·|autodiff|: a mismatch is called only when it exceeds what
 *   the differences themselves can tell, so a steep log(x) at 1e-4 or sin(1e5·x) is no false alarm,
 *   and a gradient off by 1e-6 relative is still caught wherever the error is below that.
 * - symbolic: mathjs's `derivative` evaluated at the point (`verify` loads mathjs, on this path
 *   only). It agrees when |autodiff - symbolic| <= 1e-10 + 1e-10·|symbolic|: relative, with an
 *   absolute floor for values near zero.
 *
 * Equal infinities agree; NaN agrees with nothing, not even NaN. When they disagree, the
 * reason is looked for in the graph: a kink (relu, abs) at or near the point, or a function at or
 * near the edge of its domain.
 */
import { elementsOf, scalarOf, shapeOf, valueFrom, type Value } from '../engine/tensor.js';
import { Variable } from '../engine/variable.js';

const scalarOrUndefined = (v: Value | undefined): number | undefined =>
  v === undefined ? undefined : scalarOf(v, '--check');
import type { OpSpec } from '../engine/registry.js';
import type { Node } from '../expr/ast.js';
import { build, type ForwardStep, type Graph } from '../expr/build.js';
import { forwardRecords, type ForwardRecord } from './trace.js';

/** The numeric estimate agrees within this many times its own error estimate. */
export const NUMERIC_MARGIN = 10;
/** Autodiff's own rounding, relative: the numeric oracle never calls a smaller difference a mismatch. */
export const AUTODIFF_ROUNDING = 1e-9;
/** An error estimate above this fraction of the gradient decides nothing. */
const INCONCLUSIVE = 1e-2;
export const SYMBOLIC_TOL = 1e-10;

export interface CheckEntry {
  autodiff: number;
  numeric: number;
  /** mathjs's derivative at the point; null when mathjs has no answer (`symbolicWhyNot` says why). */
  symbolic: number | null;
  symbolicWhyNot?: string;
  /** The estimated error of `numeric` (numericDerivative). */
  numericError: number;
  /** The difference step of `numeric`. */
  h: number;
  numericOk: boolean;
  /** The numeric estimate's error is too large to decide (then it counts as agreeing, unless at a kink). */
  numericInconclusive: boolean;
  /** True when symbolic agrees or is null. */
  symbolicOk: boolean;
  ok: boolean;
  /** Why they disagree, when that is known. */
  reason?: CheckReason;
}

/** The difference step around the point: `x ± h`. */
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

/** Machine epsilon: the relative rounding of one double. */
const EPS = Number.EPSILON;
/**
 * The largest step, relative to max(1, |x|): wide enough for a function that is nearly linear. 16/√2,
 * no binary fraction, so that x ± h never lands on the integers where floor and round jump.
 */
const WIDEST = 16 / Math.SQRT2;
/** The smallest step: 2^-30·min(1, |x|) (a point's own scale), but at least 2^-40·|x| (~4,000 ulps of x). */
const NARROWEST = 2 ** -30;
const NARROWEST_OF_X = 2 ** -40;
/** How many ulps an evaluation of f may be off, in the rounding part of the error estimate. */
const EVALUATION_ULPS = 4;

/** One evaluation of f for the numeric derivative. */
export interface Sample {
  value: number;
  /** f's rounding is a few ulps of this (`sensitivity`). */
  scale: number;
  /** False when the point lies across a kink or jump from the point being checked. */
  sameSide: boolean;
}

/**
 * f'(x) estimated from central differences, with an estimate of its own error (numdifftools'
 * method): the difference D(h) = (f(x+h) - f(x-h)) / 2h over steps h = 11.3·max(1, |x|)·2^-k down
 * to the point's own scale, two rounds of Richardson extrapolation over each three neighbours
 * (which remove the h^2 and h^4 terms of D's error), and of those the estimate whose neighbours
 * agree best, rounding included, relative to its value.
 */
export interface NumericDerivative {
  value: number;
  /** The estimate's error: how far it lies from its neighbours, plus its rounding (eps·|f|/h). */
  error: number;
  /** The step of the estimate (its narrowest difference is at h/4); the narrowest step tried when there is no estimate. */
  h: number;
}

export function numericDerivative(f: (v: number) => Sample, x: number): NumericDerivative {
  // No step around a point that is not finite (and halving an infinite step never ends).
  if (!Number.isFinite(x)) return { value: NaN, error: NaN, h: NaN };
  const widest = WIDEST * Math.max(1, Math.abs(x));
  const narrowest = Math.max(NARROWEST * (x === 0 ? 1 : Math.min(1, Math.abs(x))), NARROWEST_OF_X * Math.abs(x));
  // The differences, each over the step actually taken (x + h rounds), and their rounding errors.
  const d: number[] = [];
  const rounding: number[] = [];
  const steps: number[] = [];
  // Past the last unusable step: one that reaches across a kink or jump or past the domain (so
  // does every wider one, whatever it returns: acoth(x) 3 ulps from its pole is finite again at
  // x ± 1).
  let first = 0;
  for (let h = widest; h >= narrowest; h /= 2) {
    const above = x + h;
    const below = x - h;
    if (above === below) break;
    const fa = f(above);
    const fb = f(below);
    const k = d.length;
    d.push((fa.value - fb.value) / (above - below));
    const scale = Math.max(fa.scale, fb.scale);
    rounding.push((EVALUATION_ULPS * (EPS * scale + Number.MIN_VALUE)) / (above - below));
    steps.push(h);
    if (!Number.isFinite(d[k]) || !fa.sameSide || !fb.sameSide) first = k + 1;
  }
  // Two rounds of Richardson extrapolation, step ratio 2: r[i] from d[k], d[k+1], d[k+2].
  const r: number[] = [];
  const rr: number[] = [];
  const at: number[] = [];
  for (let k = first; k + 2 < d.length; k++) {
    r.push((64 * d[k + 2] - 20 * d[k + 1] + d[k]) / 45);
    rr.push((64 * rounding[k + 2] + 20 * rounding[k + 1] + rounding[k]) / 45);
    at.push(steps[k]);
  }
  const candidates: { estimate: NumericDerivative; relative: number }[] = [];
  for (let i = 0; i < r.length; i++) {
    if (!Number.isFinite(r[i]) || !Number.isFinite(rr[i])) continue;
    const near = [r[i - 1], r[i + 1]].filter((v) => v !== undefined && Number.isFinite(v));
    if (near.length === 0) continue;
    const error = Math.max(...near.map((v) => Math.abs(v - r[i]))) + rr[i];
    candidates.push({ estimate: { value: r[i], error, h: at[i] }, relative: error === 0 ? 0 : error / Math.abs(r[i]) });
  }
  // An estimate must also agree with every narrower one that knows better: tanh(16·x^2)·x at
  // 0.0013 is x ± h for every h > 1 (slope 1, consistently), and sin(y)/y - y at 1.5e7 averages
  // the oscillation away, while the narrow steps see the derivative.
  for (let i = candidates.length - 2; i >= 0; i--) {
    const c = candidates[i].estimate;
    for (let j = i + 1; j < candidates.length; j++) {
      const n = candidates[j].estimate;
      c.error = Math.max(c.error, Math.abs(c.value - n.value) - n.error);
    }
    candidates[i].relative = c.error === 0 ? 0 : c.error / Math.abs(c.value);
  }
  // Of those, the estimate with the least relative error (the narrower on a tie: the derivative is
  // the limit h -> 0).
  let best: NumericDerivative | undefined;
  let least = Infinity;
  for (const c of candidates) {
    if (c.relative <= least) {
      least = c.relative;
      best = c.estimate;
    }
  }
  if (best !== undefined) return best;
  // No estimate: the narrowest difference, with no error bound (NaN when it is not finite either).
  const k = d.length - 1;
  return { value: d[k], error: Number.isFinite(d[k]) ? Infinity : NaN, h: steps[k] };
}

/**
 * The expression's value at `values`. With backprop on: `diff(f, x)` inside the expression needs
 * its own backward pass to have a value.
 */
export function evaluateAt(root: Node, values: ReadonlyMap<string, number>): number {
  return scalarOf(build(root, values).output.data, '--check');
}

/** d(root)/d(name) at `values`, estimated from central differences with its error (numericDerivative). */
export function numericGradient(root: Node, values: ReadonlyMap<string, number>, name: string): NumericDerivative {
  const center = build(root, values);
  const sides = kinkSides(center.steps);
  const at = new Map(values);
  const scale = sensitivity(center);
  return numericDerivative((v) => {
    const { steps, output } = build(root, at.set(name, v));
    const here = kinkSides(steps);
    return {
      value: scalarOf(output.data, '--check'),
      scale,
      sameSide: here.every((side, i) => sides[i] === 0 || side === sides[i]),
    };
  }, values.get(name)!);
}

/**
 * How much f's rounding can amount to, in units of eps: the sum over every value v of the graph
 * of |v|·|df/dv| (each value rounds by eps·|v|, and reaches f scaled by its gradient). Far more
 * than |f| where f is ill-conditioned: acoth(x) near 1 amplifies the rounding of 1/x 10^5 times.
 * Taken at the point itself, with backprop on a copy of the graph.
 */
function sensitivity(graph: Graph): number {
  let sum = Math.abs(scalarOf(graph.output.data, '--check'));
  try {
    graph.output.backward({ retainGrad: true });
  } catch {
    return sum;
  }
  const seen = new Set<unknown>();
  for (const v of [...graph.steps.map((s) => s.output), ...graph.variables.values()]) {
    if (seen.has(v)) continue;
    seen.add(v);
    const g = v.grad === null ? undefined : scalarOf(v.grad.data, '--check');
    if (g !== undefined && Number.isFinite(g * scalarOf(v.data, '--check')))
      sum += Math.abs(g * scalarOf(v.data, '--check'));
  }
  return sum;
}

/**
 * Per step of a kink or jump, which side of it the input lies on: -1 or 1 (for a periodic one,
 * the number of the period), 0 on it; 0 for every other step (no side to keep).
 */
function kinkSides(steps: readonly ForwardStep[]): number[] {
  return steps.map((s) => {
    const { kink } = s.op;
    const u = scalarOrUndefined(s.output.creator?.inputs[0]?.data);
    if (kink === undefined || u === undefined) return 0;
    if (kink.period === undefined) return Math.sign(u - kink.at);
    const cell = (u - kink.at) / kink.period;
    return Number.isInteger(cell) ? 0 : Math.floor(cell) + 0.5;
  });
}

/**
 * The numeric estimate agrees when |autodiff - numeric| <= 10·error (its own error estimate, with a
 * margin) + 1e-9·|autodiff| (autodiff's own rounding: d/dy of y/y is 1/y - y/y², which cancels). Equal infinities agree (`===`); NaN agrees with nothing, not even
 * NaN: a NaN gradient proves nothing.
 */
export function agreesNumeric(autodiff: number, numeric: NumericDerivative): boolean {
  const { value, error } = numeric;
  return (
    autodiff === value ||
    Math.abs(autodiff - value) <=
      NUMERIC_MARGIN * error + AUTODIFF_ROUNDING * Math.max(Math.abs(autodiff), Math.abs(value))
  );
}

/**
 * True when the numeric estimate cannot decide: its error is more than 1% of its value or of the
 * gradient (rounding swamps every step, as for cosh(710) + y; the differences never settle, as at a
 * jump; or cot(cosh(coth(y))) turns too fast for any step), and it is not exactly the gradient.
 */
export function inconclusive(autodiff: number, numeric: NumericDerivative): boolean {
  // No finite difference at all (NaN) is no estimate to be unsure of: the point is at a domain's edge.
  if (autodiff === numeric.value || Number.isNaN(numeric.error)) return false;
  return !(numeric.error <= INCONCLUSIVE * Math.min(Math.abs(autodiff), Math.abs(numeric.value)));
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
    const numeric = numericGradient(root, values, name);
    const s = symbolic.get(name) ?? { whyNot: 'not computed' };
    const sym = 'value' in s ? s.value : null;
    const symbolicOk = sym === null || agreesSymbolic(autodiff, sym);
    const undecided = inconclusive(autodiff, numeric);
    const entry: CheckEntry = {
      autodiff,
      numeric: numeric.value,
      numericError: numeric.error,
      symbolic: sym,
      h: numeric.h,
      numericOk: agreesNumeric(autodiff, numeric) || undecided,
      numericInconclusive: undecided,
      symbolicOk,
      ok: false,
      ...('whyNot' in s ? { symbolicWhyNot: s.whyNot } : {}),
    };
    // An estimate that decides nothing is no mismatch, except at a kink or a jump: the one-sided
    // derivatives differ there, and that is the reason to give, not a wide error bar.
    if (undecided && entry.numericOk) {
      const reason = explain(root, values, name, entry);
      if (reason?.kind === 'at-kink' || reason?.kind === 'crosses-kink') entry.numericOk = false;
    }
    entry.ok = entry.numericOk && entry.symbolicOk;
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
  const input = (s: ForwardStep): number | undefined => scalarOrUndefined(s.output.creator?.inputs[0]?.data);
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
    const bad = [below[i], above[i]].find((s) => !Number.isFinite(scalarOf(s.output.data, '--check')));
    if (bad !== undefined)
      return { kind: 'domain-edge', step: r, value: scalarOf(bad.output.data, '--check'), span, domain };
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

/** One element of a vector or matrix variable, checked against central differences. */
export interface ElementCheck {
  /** The element's place, 0-based, one index a dimension ([] for a scalar variable). */
  index: number[];
  autodiff: number;
  numeric: number;
  numericError: number;
  h: number;
  numericOk: boolean;
  numericInconclusive: boolean;
  ok: boolean;
  reason?: CheckReason;
}

/** The most elements `--check` differentiates numerically, over all variables: each costs ~80 evaluations. */
export const MAX_CHECK_ELEMENTS = 10_000;

/**
 * The gradient check on vectors and matrices (issue 16): every element of every variable gets a
 * central difference of its own (numericDerivative, one element moved at a time). The function
 * checked is <seed, y> = sum(seed .* y), the one whose gradient backward computed from `seed`
 * (ones for an output that is not a scalar: the gradient of sum(y)). mathjs has no derivative of
 * matrix expressions, so this oracle is numerical only.
 */
export function tensorGradcheck(
  root: Node,
  values: ReadonlyMap<string, Value>,
  gradient: Readonly<Record<string, Value>>,
  seed: Value,
): Map<string, ElementCheck[]> {
  const weights = elementsOf(seed);
  const scalar = (output: Value): number => {
    const y = elementsOf(output);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += weights[i] * y[i];
    return s;
  };
  const center = build(root, values);
  const sides = elementKinkSides(center.steps);
  const scale = tensorSensitivity(center, seed);
  const out = new Map<string, ElementCheck[]>();
  for (const name of Object.keys(gradient)) {
    const x = values.get(name)!;
    const shape = shapeOf(x);
    const grads = elementsOf(gradient[name]);
    const entries: ElementCheck[] = [];
    for (let k = 0; k < grads.length; k++) {
      const moved = elementsOf(x).slice();
      const at = new Map(values);
      const numeric = numericDerivative((v) => {
        moved[k] = v;
        at.set(name, valueFrom(shape, moved, '--check'));
        const { steps, output } = build(root, at);
        const here = elementKinkSides(steps);
        return {
          value: scalar(output.data),
          scale,
          sameSide: here.every((s, i) => s.every((side, j) => sides[i][j] === 0 || side === sides[i][j])),
        };
      }, elementsOf(x)[k]);
      const autodiff = grads[k];
      const undecided = inconclusive(autodiff, numeric);
      const entry: ElementCheck = {
        index: indexOf(k, shape),
        autodiff,
        numeric: numeric.value,
        numericError: numeric.error,
        h: numeric.h,
        numericOk: agreesNumeric(autodiff, numeric) || undecided,
        numericInconclusive: undecided,
        ok: false,
      };
      const reason = elementReason(center, entry);
      // Undecided at a kink is the kink's mismatch, as for numbers.
      if (undecided && entry.numericOk && reason?.kind === 'at-kink') entry.numericOk = false;
      entry.ok = entry.numericOk;
      if (!entry.ok && reason !== undefined) entry.reason = reason;
      entries.push(entry);
    }
    out.set(name, entries);
  }
  return out;
}

/** The 0-based place of the k-th element (row-major) in `shape`. */
function indexOf(k: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = k % shape[d];
    k = Math.floor(k / shape[d]);
  }
  return index;
}

/** kinkSides element by element: per step, per element of its first input, the side of its kink. */
function elementKinkSides(steps: readonly ForwardStep[]): number[][] {
  return steps.map((s) => {
    const { kink } = s.op;
    const input = s.output.creator?.inputs[0]?.data;
    if (kink === undefined || input === undefined) return [];
    return Array.from(elementsOf(input), (u) => {
      if (kink.period === undefined) return Math.sign(u - kink.at);
      const cell = (u - kink.at) / kink.period;
      return Number.isInteger(cell) ? 0 : Math.floor(cell) + 0.5;
    });
  });
}

/** `sensitivity` over elements: |<seed, y>| plus, over every value of the graph, sum |v|·|d<seed, y>/dv|. */
function tensorSensitivity(graph: Graph, seed: Value): number {
  const w = elementsOf(seed);
  const y = elementsOf(graph.output.data);
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += w[i] * y[i];
  sum = Math.abs(sum);
  try {
    graph.output.grad = new Variable(seed, null, false);
    graph.output.backward({ retainGrad: true });
  } catch {
    return sum;
  }
  const seen = new Set<unknown>();
  for (const v of [...graph.steps.map((s) => s.output), ...graph.variables.values()]) {
    if (seen.has(v) || v.grad === null) continue;
    seen.add(v);
    const g = elementsOf(v.grad.data);
    const d = elementsOf(v.data);
    for (let i = 0; i < g.length && i < d.length; i++) {
      const t = Math.abs(g[i] * d[i]);
      if (Number.isFinite(t)) sum += t;
    }
  }
  return sum;
}

/** Why an element disagrees, when the graph shows it: a gradient that is not finite, or a kink sat on. */
function elementReason(graph: Graph, entry: ElementCheck): CheckReason | undefined {
  if (!Number.isFinite(entry.autodiff)) return { kind: 'gradient-not-finite', value: entry.autodiff };
  const records = forwardRecords(graph);
  for (let i = 0; i < graph.steps.length; i++) {
    const { kink } = graph.steps[i].op;
    const input = graph.steps[i].output.creator?.inputs[0]?.data;
    if (kink === undefined || input === undefined || kink.period !== undefined) continue;
    if (elementsOf(input).some((u) => u === kink.at)) return { kind: 'at-kink', step: records[i], kink, at: kink.at };
  }
  return undefined;
}
