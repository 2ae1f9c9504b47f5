/**
 * The trace as text for a terminal, told the way the book's step 6 tells it by hand:
 *
 *   forward
 *     x = 0.5
 *     a = square(x)   = 0.25
 *     ...
 *   backward
 *     y.grad = 1
 *     b.grad = Square.backward(y.grad) = 2·b·gy = 2.568050833375483
 *     ...
 *   dy/dx = 3.297442541400256
 */
import type { GradResult } from '../api/grad.js';
import type { Value } from '../engine/tensor.js';
import { formatArray, formatValue, valueShapeText } from './array.js';
import { formatNumber } from './format.js';
import type { RenderSettings } from './settings.js';
import { PLAIN, type Style } from './style.js';
import type { BackwardRecord, ForwardRecord } from '../api/trace.js';

export interface TextOptions extends RenderSettings {
  /** The result lines only. */
  quiet?: boolean;
}

/** Column widths past which alignment stops padding (a long rule should not push every line). */
const MAX_COLUMN = 32;

export function renderText(
  result: GradResult<Value>,
  variables: ReadonlyMap<string, Value>,
  options: TextOptions = {},
): string {
  return [...textPieces(result, variables, options)].join('');
}

/** Lines a piece of textPieces holds. */
const PIECE_LINES = 4096;

/**
 * The text of renderText in pieces of a few thousand lines, for writing as they are made: the
 * trace of a 200,000-deep chain never becomes one string. The column widths are measured first,
 * over every record, so the pieces joined are renderText's text byte for byte.
 */
export function* textPieces(
  result: GradResult<Value>,
  variables: ReadonlyMap<string, Value>,
  options: TextOptions = {},
): Generator<string> {
  const style = options.style ?? PLAIN;
  /** A value printed at `column` (where its line's text so far ends): a tensor's lines align under its first bracket. */
  const num = (v: Value, column = 0): string => valueText(v, column, style, options.precision);
  const { trace } = result;
  let lines: string[] = [];
  // Every line ends with a newline; a piece is the lines so far.
  const flush = (): string => {
    const text = lines.join('\n') + '\n';
    lines = [];
    return text;
  };

  if (!options.quiet) {
    for (const line of forwardLines(result, variables, options)) {
      lines.push(line);
      if (lines.length >= PIECE_LINES) yield flush();
    }
    lines.push(style.heading('backward'));
    if (trace.forward.length > 0 && trace.backward.length > 0) {
      lines.push(`  ${style.name(trace.output)}.grad = ${num(trace.seed ?? 1, trace.output.length + 10)}`);
      const anyAccumulated = trace.backward.some((r) => r.accumulated);
      const assign = (r: { accumulated: boolean }): string => (r.accumulated ? '+=' : anyAccumulated ? ' =' : '=');
      const lhsOf = (r: BackwardRecord): string => `${r.name}.grad ${assign(r)}`;
      const callOf = (r: BackwardRecord): string => `${r.label}.backward(${r.from}.grad)`;
      const w0 = columnWidth(trace.backward, lhsOf);
      const w1 = columnWidth(trace.backward, callOf);
      const w2 = columnWidth(trace.backward, (r) => r.rule);
      for (const r of trace.backward) {
        const lhs = lhsOf(r);
        const call = callOf(r);
        const rule = r.rule;
        const total = r.accumulated
          ? typeof r.grad === 'number'
            ? style.dim(`  (${r.name}.grad is now ${formatNumber(r.grad, options.precision)})`)
            : `\n${style.dim(`    (${r.name}.grad is now`)} ${num(r.grad, r.name.length + 20)}${style.dim(')')}`
          : '';
        const aligned = `  ${lhs}${pad(lhs, w0)} ${call}${pad(call, w1)} = ${rule}${pad(rule, w2)} = `;
        const tight = options.width !== undefined && aligned.length + 20 > options.width;
        const before = tight ? `  ${lhs} ${call} = ${rule} = ` : aligned;
        lines.push(
          `  ${style.name(r.name)}.grad${tight ? '' : pad(lhs, w0)} ${assign(r)} ` +
            `${style.fn(r.label)}.backward(${style.name(r.from)}.grad)${tight ? '' : pad(call, w1)} = ` +
            `${style.rule(rule)}${tight ? '' : pad(rule, w2)} = ${num(r.value, before.length)}${total}`,
        );
        if (lines.length >= PIECE_LINES) yield flush();
      }
    } else {
      const [only] = Object.keys(result.gradient);
      lines.push(
        style.dim(
          only === undefined
            ? '  (no variables: nothing to differentiate)'
            : trace.forward.length > 0
              ? `  (no gradient flows back from ${trace.output}: its gradients are 0)`
              : `  (${result.trace.output} is ${only} itself: d${result.trace.output}/d${only} = 1)`,
        ),
      );
    }
  }
  lines.push(...resultLines(result, style, options.precision));
  yield flush();
}

/** The trace's forward part, line by line: `forward`, each variable, then each step with its value. */
export function* forwardLines(
  result: Pick<GradResult<Value>, 'trace'>,
  variables: ReadonlyMap<string, Value>,
  options: TextOptions = {},
): Generator<string> {
  const style = options.style ?? PLAIN;
  const num = (v: Value, column = 0): string => valueText(v, column, style, options.precision);
  const { trace } = result;
  yield style.heading('forward');
  for (const [name, value] of variables) yield `  ${style.name(name)} = ${num(value, name.length + 5)}`;
  const plain = (r: ForwardRecord): string => `${r.name} = ${callText(r)}`;
  const w = columnWidth(trace.forward, plain);
  for (const r of trace.forward) {
    const text = plain(r);
    // A gradient graph's steps (inside diff) are indented under the step they compute.
    const indent = r.gradient === true ? '    ' : '  ';
    const before = `${indent}${text}${pad(text, w - indent.length + 2)} = `;
    yield `${indent}${style.name(r.name)} = ${callText(r, style)}${pad(text, w - indent.length + 2)} = ${num(r.value, before.length)}`;
  }
}

/** `y = 1.6487...` when quiet or when there is nothing to differentiate, then `dy/dx = ...` per variable. */
export function resultLines(result: GradResult<Value>, style: Style, precision?: number): string[] {
  const out = result.trace.output;
  const lines: string[] = [];
  const names = Object.keys(result.gradient);
  lines.push(`${style.heading(`${out} =`)} ${valueText(result.value, out.length + 3, style, precision)}`);
  for (const name of names) {
    const head = `d${out}/d${name} =`;
    lines.push(`${style.heading(head)} ${valueText(result.gradient[name], head.length + 1, style, precision)}`);
  }
  return lines;
}

/**
 * A value for the trace: a number as it is; a tensor as numpy prints it, its continuation lines
 * indented to `column` (under the first bracket), then its shape, dimmed: `[[1, 2],\n [3, 4]]  [2, 2]`.
 */
export function valueText(v: Value, column: number, style: Style, precision?: number): string {
  if (typeof v === 'number') return style.value(formatValue(v, precision));
  const lines = formatArray(v, { precision, lineWidth: Math.max(40, 100 - column) }).split('\n');
  const indent = ' '.repeat(column);
  const body = lines.map((l, i) => (l === '' ? '' : `${i === 0 ? '' : indent}${style.value(l)}`)).join('\n');
  return `${body}  ${style.dim(valueShapeText(v))}`;
}

/** `square(x)`, `a + b`, `-a`, `c ? a : b`. */
export function callText(r: Pick<ForwardRecord, 'op' | 'symbol' | 'inputs'>, style: Style = PLAIN): string {
  const inputs = r.inputs.map((s) => style.name(s));
  if (r.symbol !== undefined) {
    if (inputs.length === 3) return `${inputs[0]} ? ${inputs[1]} : ${inputs[2]}`;
    return inputs.length === 1 ? `${r.symbol}${inputs[0]}` : `${inputs[0]} ${r.symbol} ${inputs[1]}`;
  }
  return `${style.fn(r.op)}(${inputs.join(', ')})`;
}

/** The widest cell of at most MAX_COLUMN characters, of `cell` over the records. */
function columnWidth<R>(records: readonly R[], cell: (r: R) => string): number {
  let w = 0;
  for (const r of records) {
    const n = cell(r).length;
    if (n <= MAX_COLUMN && n > w) w = n;
  }
  return w;
}

function pad(s: string, width: number): string {
  return s.length < width ? ' '.repeat(width - s.length) : '';
}
