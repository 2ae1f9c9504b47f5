/**
 * Arrays as text, the way numpy prints them, in the expression language's own brackets so that a
 * printed value can be pasted back: `[[1, 2], [3, 4]]`. Every element is padded to one width (right
 * aligned, as numpy does); an array of more than `threshold` elements shows only `edgeItems` at
 * each end of every axis, with `...` between (numpy's `threshold=1000, edgeitems=3`); a row longer
 * than `lineWidth` wraps under its first element. Blocks of three or more dimensions are separated
 * by blank lines, as numpy does.
 */
import { shapeText, type Value } from '../engine/tensor.js';
import { formatNumber, jsonNumber } from './format.js';
import type { JsonValue } from './format.js';

/** An n-dimensional array in row-major order: shape `[]` is a scalar. */
export interface ArrayValue {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

export interface ArrayFormat {
  /** Significant digits (default: the shortest text that reads back as the same double). */
  precision?: number;
  /** Above this many elements, abbreviate. Default 1000. */
  threshold?: number;
  /** Elements kept at each end of an abbreviated axis. Default 3. */
  edgeItems?: number;
  /** Where a row wraps, counting from the array's first bracket. Default 75. */
  lineWidth?: number;
}

const ELLIPSIS = '...';
const SEPARATOR = ', ';

/** numpy's `_extendLine`: wrap before `word` when it would pass `width`, unless wrapping would not help. */
function extendLine(out: { s: string; line: string }, word: string, width: number, prefix: string): void {
  if (out.line.length + word.length > width && out.line.length > prefix.length) {
    out.s += `${out.line.trimEnd()}\n`;
    out.line = prefix;
  }
  out.line += word;
}

/**
 * The array as text, numpy's `array2string(a, separator=', ')` with a formatter (so elements are not
 * padded): `[[1, 2],\n [3, 4]]`. Multi-line; the caller indents continuation lines by whatever it
 * printed before the array. The recursion goes one level per dimension, never deeper.
 */
export function formatArray(value: ArrayValue, options: ArrayFormat = {}): string {
  const { shape, data } = value;
  const fmt = (x: number): string => formatNumber(x, options.precision);
  if (shape.length === 0) return fmt(data[0]);
  const threshold = options.threshold ?? 1000;
  const edge = options.edgeItems ?? 3;
  const lineWidth = options.lineWidth ?? 75;
  const summarise = data.length > threshold;
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const ndim = shape.length;

  const recurse = (axis: number, offset: number, hanging: string, width: number): string => {
    if (axis === ndim) return fmt(data[offset]);
    const nextHanging = `${hanging} `;
    const nextWidth = width - 1;
    const n = shape[axis];
    const summary = summarise && 2 * edge < n;
    const lead = summary ? edge : 0;
    const trail = summary ? edge : n;
    const at = (i: number): number => offset + i * strides[axis];
    let s = '';
    if (axis === ndim - 1) {
      // The last axis: elements on a line, wrapped at the width less the separator or bracket.
      const elemWidth = width - 1;
      const out = { s: '', line: hanging };
      for (let i = 0; i < lead; i++) {
        extendLine(out, recurse(axis + 1, at(i), nextHanging, nextWidth), elemWidth, hanging);
        out.line += SEPARATOR;
      }
      if (summary) {
        extendLine(out, ELLIPSIS, elemWidth, hanging);
        out.line += SEPARATOR;
      }
      for (let i = trail; i > 1; i--) {
        extendLine(out, recurse(axis + 1, at(n - i), nextHanging, nextWidth), elemWidth, hanging);
        out.line += SEPARATOR;
      }
      extendLine(out, recurse(axis + 1, at(n - 1), nextHanging, nextWidth), elemWidth, hanging);
      s = out.s + out.line;
    } else {
      // Other axes: one nested block a line, blank lines between blocks of three or more dimensions.
      const lineSep = `,${'\n'.repeat(ndim - axis - 1)}`;
      for (let i = 0; i < lead; i++) s += hanging + recurse(axis + 1, at(i), nextHanging, nextWidth) + lineSep;
      if (summary) s += hanging + ELLIPSIS + lineSep;
      for (let i = trail; i > 1; i--) s += hanging + recurse(axis + 1, at(n - i), nextHanging, nextWidth) + lineSep;
      s += hanging + recurse(axis + 1, at(n - 1), nextHanging, nextWidth);
    }
    return `[${s.slice(hanging.length)}]`;
  };
  if (shape.includes(0)) return `${'['.repeat(ndim)}${']'.repeat(ndim)}`;
  return recurse(0, 0, ' ', lineWidth);
}

/** The array as nested JSON arrays (numbers, or "NaN"/"Infinity" strings as for scalars). */
export function jsonArray(value: ArrayValue, precision?: number): unknown {
  const { shape, data } = value;
  if (shape.length === 0) return jsonNumber(data[0], precision);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const nest = (axis: number, offset: number): unknown[] => {
    const out: unknown[] = [];
    for (let i = 0; i < shape[axis]; i++) {
      const at = offset + i * strides[axis];
      out.push(axis === shape.length - 1 ? jsonNumber(data[at], precision) : nest(axis + 1, at));
    }
    return out;
  };
  return nest(0, 0);
}

/** A value as text: a number as always, a tensor as numpy prints it (lines after the first unindented). */
export function formatValue(v: Value, precision?: number): string {
  return typeof v === 'number' ? formatNumber(v, precision) : formatArray(v, { precision });
}

/** A value in JSON: a number (or "NaN"...), or nested arrays for a tensor. */
export function jsonValue(v: Value, precision?: number): JsonValue {
  return typeof v === 'number' ? jsonNumber(v, precision) : (jsonArray(v, precision) as JsonValue);
}

/** `[2, 3]`: a tensor's shape as the trace prints it after the value; '' for a number. */
export function valueShapeText(v: Value): string {
  return typeof v === 'number' ? '' : shapeText(v.shape);
}

/** Every element finite (a number is its own element). */
export function allFiniteValue(v: Value): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  for (const x of v.data) if (!Number.isFinite(x)) return false;
  return true;
}

/** Past this many elements, a drawing's label gives a tensor's shape only. */
export const MAX_INLINE_ELEMENTS = 6;

/**
 * A value on one line, for the drawings' labels: a number as always, a small tensor as its
 * elements (`[[1, 2], [3, 4]]`), undefined for one of more than MAX_INLINE_ELEMENTS elements.
 */
export function inlineValue(v: Value, precision?: number): string | undefined {
  if (typeof v === 'number') return formatNumber(v, precision);
  if (v.data.length > MAX_INLINE_ELEMENTS) return undefined;
  return formatArray(v, { precision, lineWidth: Infinity }).replace(/\n\s*/g, ' ');
}
