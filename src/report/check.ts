/**
 * `--check` and `--symbolic` as text and as JSON fields:
 *
 *   check: autodiff against central differences and mathjs's symbolic derivative
 *     dy/dx  autodiff  3.297442541400256
 *            numeric   3.2974425414001396  rel. diff 3.5e-14  ok  (± 5.3e-12, h = 5.5e-3; ...)
 *            symbolic  3.297442541400256    rel. diff 0        ok
 *   ok: every gradient agrees
 */
import {
  AUTODIFF_ROUNDING,
  NUMERIC_MARGIN,
  relativeDifference,
  SYMBOLIC_TOL,
  type CheckEntry,
  type CheckReason,
  type ElementCheck,
  type Span,
  type SymbolicFormula,
} from '../api/check.js';
import { scalarOf } from '../engine/tensor.js';
import { formatExponent as sci, formatNumber, jsonNumber } from './format.js';
import type { JsonValue } from './json.js';
import type { RenderSettings } from './settings.js';
import { PLAIN } from './style.js';
import { callText } from './text.js';

export type SymbolicFormulas = ReadonlyMap<string, SymbolicFormula>;

/** The check as text; `exitCode`, when given, ends the line that says the check failed: `(exit 3)`. */
export function renderCheckText(
  entries: ReadonlyMap<string, CheckEntry>,
  output: string,
  settings: RenderSettings = {},
  exitCode?: number,
): string {
  const style = settings.style ?? PLAIN;
  const num = (n: number): string => formatNumber(n, settings.precision);
  const lines = [style.heading("check: autodiff against central differences and mathjs's symbolic derivative")];
  if (entries.size === 0) return `${lines[0]}\n  ${style.dim('nothing to check: the expression has no variables')}\n`;
  const labels = [...entries.keys()].map((name) => `d${output}/d${name}`);
  const w = Math.max(...labels.map((l) => l.length));
  const nums = [...entries.values()].flatMap((e) => [
    num(e.autodiff),
    num(e.numeric),
    e.symbolic === null ? '' : num(e.symbolic),
  ]);
  const nw = Math.max(...nums.map((s) => s.length));
  const verdict = (ok: boolean): string => (ok ? 'ok' : style.error('MISMATCH'));
  const short = (x: number): string => sci(Number(x.toPrecision(2)));
  const numericVerdict = (e: CheckEntry): string =>
    e.numericOk && e.numericInconclusive ? style.warn('inconclusive') : verdict(e.numericOk);
  const numericNote = (e: CheckEntry): string =>
    e.numericOk && e.numericInconclusive
      ? `  (± ${short(e.numericError)}: rounding or a jump swamps every step; this oracle decides nothing here)`
      : Number.isFinite(e.numericError)
        ? `  (± ${short(e.numericError)}, h = ${short(e.h)}; ok when |a - n| <= ${NUMERIC_MARGIN}·error + ${sci(AUTODIFF_ROUNDING)}·|a|)`
        : `  (no finite difference down to h = ${short(e.h)})`;
  const rel = (a: number, b: number): string =>
    `rel. diff ${formatNumber(Number(relativeDifference(a, b).toPrecision(2)))}`;
  let bad = 0;
  [...entries].forEach(([, e], i) => {
    const indent = ' '.repeat(w + 4);
    lines.push(`  ${style.heading(labels[i].padEnd(w))}  autodiff  ${style.value(num(e.autodiff))}`);
    lines.push(
      `${indent}numeric   ${style.value(num(e.numeric).padEnd(nw))}  ${rel(e.autodiff, e.numeric).padEnd(18)} ${numericVerdict(e)}` +
        style.dim(numericNote(e)),
    );
    if (e.symbolic === null) {
      lines.push(`${indent}symbolic  ${style.dim(`none: ${e.symbolicWhyNot ?? 'not computed'}`)}`);
    } else {
      lines.push(
        `${indent}symbolic  ${style.value(num(e.symbolic).padEnd(nw))}  ${rel(e.autodiff, e.symbolic).padEnd(18)} ${verdict(e.symbolicOk)}` +
          style.dim(`  (|a - s| <= ${sci(SYMBOLIC_TOL)}·(1 + |s|))`),
      );
    }
    if (!e.ok) {
      bad++;
      const why =
        e.reason === undefined
          ? 'unknown: autodiff disagrees with an oracle; please report it with the command you ran'
          : reasonText(e.reason);
      lines.push(`${indent}${style.warn(`why: ${why}`)}`);
    }
  });
  lines.push(
    bad === 0
      ? style.heading(entries.size === 1 ? 'ok: the gradient agrees' : `ok: all ${entries.size} gradients agree`)
      : style.error(
          `check failed: ${bad} of ${entries.size} ${disagree(bad, entries.size)}` +
            (exitCode === undefined ? '' : ` (exit ${exitCode})`),
        ),
  );
  return lines.join('\n') + '\n';
}

/** `gradient disagrees`, `gradients disagree`, `gradients disagrees` (one of several). */
function disagree(bad: number, total: number): string {
  return `gradient${total === 1 ? ' disagrees' : bad === 1 ? 's disagrees' : 's disagree'}`;
}

export function renderSymbolicText(formulas: SymbolicFormulas, output: string, settings: RenderSettings = {}): string {
  const style = settings.style ?? PLAIN;
  const lines = [style.heading("symbolic: mathjs's derivative, simplified, in dezero-grad's grammar")];
  if (formulas.size === 0) lines.push(`  ${style.dim('no variables: nothing to differentiate')}`);
  for (const [name, f] of formulas) {
    lines.push(
      `  ${style.heading(`d${output}/d${name} =`)} ${'formula' in f ? f.formula : style.dim(`none: ${f.whyNot}`)}`,
    );
    if ('unsimplified' in f && f.unsimplified !== undefined) {
      const { size, limit } = f.unsimplified;
      const note = `not simplified: the derivative has ${size} nodes and mathjs's simplify stops at ${limit}`;
      lines.push(`  ${style.dim(`(${note})`)}`);
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * `"check": {name: {"autodiff", "numeric", "numericError", "symbolic", "ok"}}`, plus
 * `"inconclusive": true` when the numeric estimate decides nothing and `"reason"` on a mismatch.
 */
export function checkJson(entries: ReadonlyMap<string, CheckEntry>, settings: RenderSettings = {}): JsonValue {
  const n = (x: number): number | string => jsonNumber(x, settings.precision);
  const obj: { [key: string]: JsonValue } = Object.create(null);
  for (const [name, e] of entries) {
    obj[name] = {
      autodiff: n(e.autodiff),
      numeric: n(e.numeric),
      numericError: n(e.numericError),
      ...(e.numericOk && e.numericInconclusive ? { inconclusive: true } : {}),
      symbolic: e.symbolic === null ? null : n(e.symbolic),
      ok: e.ok,
      ...(e.symbolicWhyNot !== undefined ? { symbolicWhyNot: e.symbolicWhyNot } : {}),
      ...(e.reason !== undefined ? { reason: reasonText(e.reason) } : {}),
    };
  }
  return obj;
}

/** `"symbolic": {name: "formula"}`, null where mathjs has no answer. */
export function symbolicJson(formulas: SymbolicFormulas): JsonValue {
  const obj: { [key: string]: JsonValue } = Object.create(null);
  for (const [name, f] of formulas) obj[name] = 'formula' in f ? f.formula : null;
  return obj;
}

/** A kink, or a jump where both one-sided derivatives are equal (floor, acot): what the difference sees. */
function kindOf(kink: { left: number; right: number }): { what: string; difference: string } {
  return kink.left === kink.right
    ? { what: 'jump', difference: 'the central difference sees the jump as a steep slope' }
    : { what: 'kink', difference: 'the central difference averages the two sides' };
}

/** A disagreement's reason in words. */
export function reasonText(r: CheckReason): string {
  const span = (s: Span): string => `${s.variable} ± ${sci(Number(s.h.toPrecision(2)))}`;
  const domain = (d: string | undefined): string => (d !== undefined ? ` (defined for ${d})` : '');
  switch (r.kind) {
    case 'at-kink': {
      const { step, kink, at } = r;
      const { what, difference } = kindOf(kink);
      return (
        `${callText(step)} is at its ${what} (${step.inputs[0]} = ${at}): ` +
        `the one-sided derivatives are ${kink.left} and ${kink.right}; ` +
        `autodiff uses ${step.op}'(${at}) = ${kink.convention} (PyTorch's convention), ` +
        `${difference} and the symbolic formula is undefined there`
      );
    }
    case 'crosses-kink': {
      const { step, kink, at } = r;
      const { what, difference } = kindOf(kink);
      return (
        `${callText(step)} crosses its ${what} (${step.inputs[0]} = ${at}) within ${span(r.span)}: ` +
        `the one-sided derivatives are ${kink.left} and ${kink.right}, ` +
        `and ${difference}; check at a point farther from the ${what}`
      );
    }
    case 'not-finite':
      return `${r.step.name} = ${callText(r.step)} is ${formatNumber(scalarOf(r.step.value))} at this point${domain(r.domain)}`;
    case 'domain-edge':
      return (
        `${callText(r.step)} is ${formatNumber(r.value)} within ${span(r.span)}${domain(r.domain)}: ` +
        'the point is at the edge of its domain, where the central difference does not apply'
      );
    case 'gradient-not-finite':
      return `the gradient is ${formatNumber(r.value)} at this point`;
    case 'symbolic-not-finite':
      return (
        `mathjs's formula is ${formatNumber(r.value)} at this point (an intermediate of its form ` +
        'overflows or divides by zero) while autodiff is finite'
      );
  }
}

/** Past this many elements, the element check lists only the ones that disagree. */
export const MAX_LISTED_ELEMENTS = 100;

/**
 * The element-by-element check of vectors and matrices as text, one line an element, its index
 * 1-based as the expression writes it (`dy/dW[2, 1]`):
 *
 *   check: autodiff against central differences, element by element
 *     dy/dx[1]  autodiff  2  numeric  2.0000000000000004  rel. diff 2.2e-16  ok  (± 3.1e-13, h = 0.088)
 *   ok: all 2 elements agree
 */
export function renderElementCheckText(
  entries: ReadonlyMap<string, readonly ElementCheck[]>,
  output: string,
  settings: RenderSettings = {},
  exitCode?: number,
): string {
  const style = settings.style ?? PLAIN;
  const num = (n: number): string => formatNumber(n, settings.precision);
  const short = (x: number): string => sci(Number(x.toPrecision(2)));
  const lines = [
    style.heading('check: autodiff against central differences, element by element') +
      style.dim(" (mathjs's symbolic derivative takes scalar expressions only)"),
  ];
  const all = [...entries].flatMap(([name, es]) =>
    es.map((e) => ({
      label: `d${output}/d${name}${e.index.length === 0 ? '' : `[${e.index.map((i) => i + 1).join(', ')}]`}`,
      e,
    })),
  );
  if (all.length === 0) return `${lines[0]}\n  ${style.dim('nothing to check: the expression has no variables')}\n`;
  const listed = all.length <= MAX_LISTED_ELEMENTS ? all : all.filter(({ e }) => !e.ok);
  const w = Math.max(0, ...listed.map((r) => r.label.length));
  const aw = Math.max(0, ...listed.map((r) => num(r.e.autodiff).length));
  const nw = Math.max(0, ...listed.map((r) => num(r.e.numeric).length));
  for (const { label, e } of listed) {
    const verdict =
      e.numericOk && e.numericInconclusive ? style.warn('inconclusive') : e.ok ? 'ok' : style.error('MISMATCH');
    const note = Number.isFinite(e.numericError)
      ? `  (± ${short(e.numericError)}, h = ${short(e.h)})`
      : `  (no finite difference down to h = ${short(e.h)})`;
    const rel = `rel. diff ${formatNumber(Number(relativeDifference(e.autodiff, e.numeric).toPrecision(2)))}`;
    lines.push(
      `  ${style.heading(label.padEnd(w))}  autodiff ${style.value(num(e.autodiff).padEnd(aw))}  numeric ${style.value(num(e.numeric).padEnd(nw))}  ${rel.padEnd(18)} ${verdict}${style.dim(note)}`,
    );
    if (!e.ok && e.reason !== undefined)
      lines.push(`  ${' '.repeat(w)}  ${style.warn(`why: ${reasonText(e.reason)}`)}`);
  }
  const bad = all.filter(({ e }) => !e.ok).length;
  if (listed.length < all.length) lines.push(style.dim(`  (${all.length - listed.length} elements agree, not listed)`));
  lines.push(
    bad === 0
      ? style.heading(all.length === 1 ? 'ok: the element agrees' : `ok: all ${all.length} elements agree`)
      : style.error(
          `check failed: ${bad} of ${all.length} element${all.length === 1 ? '' : 's'} disagree${bad === 1 && all.length > 1 ? 's' : ''}` +
            (exitCode === undefined ? '' : ` (exit ${exitCode})`),
        ),
  );
  return lines.join('\n') + '\n';
}

/**
 * `"check": {name: [{"index", "autodiff", "numeric", "numericError", "ok"}, ...]}`, the index
 * 1-based as the expression writes it, `"inconclusive"` and `"reason"` as for numbers.
 */
export function elementCheckJson(
  entries: ReadonlyMap<string, readonly ElementCheck[]>,
  settings: RenderSettings = {},
): JsonValue {
  const n = (x: number): number | string => jsonNumber(x, settings.precision);
  const obj: { [key: string]: JsonValue } = Object.create(null);
  for (const [name, es] of entries) {
    obj[name] = es.map((e) => ({
      index: e.index.map((i) => i + 1),
      autodiff: n(e.autodiff),
      numeric: n(e.numeric),
      numericError: n(e.numericError),
      ...(e.numericOk && e.numericInconclusive ? { inconclusive: true } : {}),
      ok: e.ok,
      ...(e.reason !== undefined ? { reason: reasonText(e.reason) } : {}),
    }));
  }
  return obj;
}
