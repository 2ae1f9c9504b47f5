/**
 * Many points as rows: a column per variable, the value, a column per partial derivative.
 *
 *   table (default)   x     y                   dy/dx        aligned, for people
 *   tsv / csv         x<TAB>y<TAB>dy/dx         one header line, then one line a point, for scripts
 *   JSON              the single-point schema with arrays: {"expression", "variables": {x: [...]},
 *                     "value": [...], "gradient": {x: [...]}, "forward": [{"name", "op", "inputs",
 *                     "value": [...]}], "backward": [{"name", "grad": [...]}]} (records: not with --quiet);
 *                     with --order, "wrt" and "derivatives": [[...], [...]] (an array per order)
 *
 * Rows arrive in chunks (a stream from standard input has no known end), so the table sets its
 * column widths from the first chunk and widens later if it must.
 */
import { formatNumber, jsonNumber, POW10, writeNumber } from './format.js';
import type { RenderSettings } from './settings.js';
import { PLAIN } from './style.js';
import type { JsonValue } from './json.js';

export { BATCH_FORMATS, type BatchFormat } from './settings.js';
import type { BatchFormat } from './settings.js';

/** A column's numbers for one chunk: an array, or one number on every row; or words (`ok`). */
export type Column = ArrayLike<number> | number | readonly string[];

/** The header: the variables, the output, then d<output>/d<variable> for each. */
export function batchHeaders(names: readonly string[], output: string): string[] {
  return [...names, output, ...names.map((n) => `d${output}/d${n}`)];
}

export class RowWriter {
  private widths: number[] | null = null;

  constructor(
    private readonly format: BatchFormat,
    private readonly headers: readonly string[],
    private readonly settings: RenderSettings = {},
  ) {}

  /** TSV and CSV rows at full precision are written as bytes here first (see delimited). */
  private bytes = Buffer.allocUnsafe(0);

  /** Text for `n` rows (with the header before the first chunk). */
  rows(columns: readonly Column[], n: number): string {
    let text = '';
    if (this.format !== 'table') {
      const sep = this.format === 'tsv' ? '\t' : ',';
      if (this.widths === null) {
        this.widths = [];
        text += this.headers.join(sep) + '\n';
      }
      if (this.settings.precision === undefined) {
        const end = this.delimited(columns, n, sep.charCodeAt(0));
        if (end >= 0) return text + this.bytes.toString('latin1', 0, end);
      }
      const cells = columns.map((c) => this.cells(c, n));
      for (let i = 0; i < n; i++) {
        let line = cells[0][i];
        for (let k = 1; k < cells.length; k++) line += sep + cells[k][i];
        text += line + '\n';
      }
      return text;
    }
    const style = this.settings.style ?? PLAIN;
    const first = this.widths === null;
    if (style === PLAIN && this.settings.precision === undefined) {
      const end = this.aligned(columns, n);
      if (end >= 0) return (first ? this.tableHeader() : '') + this.bytes.toString('latin1', 0, end);
    }
    const cells = columns.map((c) => this.cells(c, n));
    const widths = this.widths ?? this.headers.map((h) => h.length);
    cells.forEach((c, k) => {
      for (const s of c) if (s.length > widths[k]) widths[k] = s.length;
    });
    this.widths = widths;
    if (first) text += this.headers.map((h, k) => style.heading(h.padStart(widths[k]))).join('  ') + '\n';
    for (let i = 0; i < n; i++) {
      let line = style.value(cells[0][i].padStart(widths[0]));
      for (let k = 1; k < cells.length; k++) line += '  ' + style.value(cells[k][i].padStart(widths[k]));
      text += line + '\n';
    }
    return text;
  }

  /**
   * `rows` as UTF-8 bytes (valid until the next call): TSV and CSV rows at full precision are
   * written as bytes to begin with (see delimited), the rest is `rows`' text encoded.
   */
  rowBytes(columns: readonly Column[], n: number): Uint8Array {
    if (this.format === 'table' && (this.settings.style ?? PLAIN) === PLAIN && this.settings.precision === undefined) {
      const first = this.widths === null;
      const end = this.aligned(columns, n);
      if (end >= 0) {
        const body = this.bytes.subarray(0, end);
        return first ? Buffer.concat([Buffer.from(this.tableHeader()), body]) : body;
      }
    }
    if (this.format !== 'table' && this.settings.precision === undefined) {
      const end = this.delimited(columns, n, this.format === 'tsv' ? 9 : 44);
      if (end >= 0) {
        const body = this.bytes.subarray(0, end);
        if (this.widths !== null) return body;
        this.widths = [];
        return Buffer.concat([Buffer.from(this.headers.join(this.format === 'tsv' ? '\t' : ',') + '\n'), body]);
      }
    }
    return Buffer.from(this.rows(columns, n), 'utf8');
  }

  /**
   * TSV or CSV rows at full precision, the same text as formatNumber's cells joined, but written
   * byte by byte into `bytes` (writeNumber: no string a number, no rope, a tenth of the garbage
   * for a million rows); returns where they end, or -1 when a word is not ASCII (then the cells
   * are joined as strings).
   */
  private delimited(columns: readonly Column[], n: number, sep: number): number {
    // Each column as text for every row (a number the same on every row, or words), or numbers.
    const texts = columns.map((c) => (typeof c === 'number' ? formatNumber(c) : isWords(c) ? c : undefined));
    const last = columns.length - 1;
    let out = this.bytes;
    let p = 0;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k <= last; k++) {
        const t = texts[k];
        const word = t === undefined ? undefined : typeof t === 'string' ? t : t[i];
        out = this.bytes = roomy(out, p, 26 + (word === undefined ? 0 : word.length));
        p = word === undefined ? writeNumber(out, p, (columns[k] as ArrayLike<number>)[i]) : writeWord(out, p, word);
        if (p < 0) return -1;
        out[p++] = k === last ? 10 : sep;
      }
    }
    return p;
  }

  /** The table's header line, its columns as wide as `widths`. */
  private tableHeader(): string {
    const widths = this.widths!;
    const style = this.settings.style ?? PLAIN;
    return this.headers.map((h, k) => style.heading(h.padStart(widths[k]))).join('  ') + '\n';
  }

  /** Cells written as bytes (aligned's), and where each ends. */
  private cellBytes = Buffer.allocUnsafe(0);

  /**
   * Plain table rows at full precision as bytes in `bytes`, the same text as the cells padded and
   * joined (see delimited): every cell written first, to know the columns' widths (which it
   * updates), then the rows. Returns where they end, or -1 when a word is not ASCII.
   */
  private aligned(columns: readonly Column[], n: number): number {
    const count = columns.length;
    let cells = this.cellBytes;
    const ends = new Int32Array(count * n);
    let p = 0;
    const lengths = new Int32Array(count);
    for (let k = 0; k < count; k++) {
      const c = columns[k];
      const text = typeof c === 'number' ? formatNumber(c) : undefined;
      const words = isWords(c) ? c : undefined;
      let widest = 0;
      for (let i = 0; i < n; i++) {
        const word = text ?? words?.[i];
        cells = this.cellBytes = roomy(cells, p, 26 + (word === undefined ? 0 : word.length));
        const start = p;
        p = word === undefined ? writeNumber(cells, p, (c as ArrayLike<number>)[i]) : writeWord(cells, p, word);
        if (p < 0) return -1;
        ends[k * n + i] = p;
        if (p - start > widest) widest = p - start;
      }
      lengths[k] = widest;
    }
    const widths = this.widths ?? this.headers.map((h) => h.length);
    for (let k = 0; k < count; k++) if (lengths[k] > widths[k]) widths[k] = lengths[k];
    this.widths = widths;
    let line = count - 1;
    for (let k = 0; k < count; k++) line += 2 + widths[k];
    if (this.bytes.length < n * line) this.bytes = Buffer.allocUnsafe(Math.max(1 << 16, 2 * n * line));
    const out = this.bytes;
    let q = 0;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < count; k++) {
        const end = ends[k * n + i];
        const start = i > 0 ? ends[k * n + i - 1] : k > 0 ? ends[k * n - 1] : 0;
        if (k > 0) {
          out[q++] = 32;
          out[q++] = 32;
        }
        for (let pad = widths[k] - (end - start); pad > 0; pad--) out[q++] = 32;
        for (let j = start; j < end; j++) out[q++] = cells[j];
      }
      out[q++] = 10;
    }
    return q;
  }

  private cells(c: Column, n: number): readonly string[] {
    const out = new Array<string>(n);
    const { precision } = this.settings;
    if (typeof c === 'number') return out.fill(formatNumber(c, precision));
    if (isWords(c)) return c.length === n ? c : c.slice(0, n);
    for (let i = 0; i < n; i++) out[i] = formatNumber(c[i], precision);
    return out;
  }
}

/** `buffer`, or a bigger copy of its first `p` bytes, with room for `room` bytes after them. */
function roomy(buffer: Buffer<ArrayBuffer>, p: number, room: number): Buffer<ArrayBuffer> {
  if (buffer.length - p >= room) return buffer;
  const bigger = Buffer.allocUnsafe(Math.max(1 << 16, 2 * buffer.length + room));
  buffer.copy(bigger, 0, 0, p);
  return bigger;
}

/** A word's bytes at `p` (where they end), or -1 when it is not ASCII (the caller joins strings instead). */
function writeWord(out: Uint8Array, p: number, word: string): number {
  for (let j = 0; j < word.length; j++) {
    const ch = word.charCodeAt(j);
    if (ch > 127) return -1;
    out[p++] = ch;
  }
  return p;
}

/**
 * True when `text` is what formatNumber writes for Number(text) at full precision, so a row can
 * print the text as read instead of formatting the number again (see shortestFormValue).
 */
export function isShortestForm(t: string): boolean {
  return !Number.isNaN(shortestFormValue(t, 0, t.length));
}

/**
 * Number(text.slice(start, end)) when that text is what formatNumber writes for it at full
 * precision, NaN otherwise: a plain decimal of at most 15 significant digits (two such decimals are
 * never the same double, so the shortest form of the number has the same digits), written as
 * JavaScript writes numbers (`-` or no sign, no leading or trailing zero, no exponent, no lone
 * `.`, at least 0.000001 in size or 0). Read without a substring: its digits D (below 10^15, so
 * exact) over 10^p (p <= 20, exact) is one correctly rounded division, which is what Number()
 * gives for the same decimal.
 */
export function shortestFormValue(t: string, start: number, end: number): number {
  const n = end;
  const negative = t.charCodeAt(start) === 45; // '-'
  let i = negative ? start + 1 : start;
  if (i >= n || n - start > 24) return Number.NaN;
  let c = t.charCodeAt(i);
  let digits = 0;
  let d = 0;
  let fraction = 0; // where the digits after the point start
  if (c === 48) {
    // 0, -0, or 0.000ddd with at most five zeros (0.0000001 is written 1e-7)
    i++;
    if (i === n) return negative ? -0 : 0;
    if (t.charCodeAt(i) !== 46) return Number.NaN;
    fraction = ++i;
    let zeros = 0;
    while (i < n && t.charCodeAt(i) === 48) {
      zeros++;
      i++;
    }
    if (zeros > 5 || i === n) return Number.NaN;
  } else {
    if (c < 49 || c > 57) return Number.NaN;
    while (i < n && (c = t.charCodeAt(i)) >= 48 && c <= 57) {
      d = d * 10 + (c - 48);
      digits++;
      i++;
    }
    if (i === n) return digits <= 15 ? (negative ? -d : d) : Number.NaN;
    if (c !== 46) return Number.NaN;
    fraction = ++i;
  }
  // The fraction's digits (after an integer part of 0, its leading zeros are not significant).
  const significant = i;
  while (i < n && (c = t.charCodeAt(i)) >= 48 && c <= 57) {
    d = d * 10 + (c - 48);
    i++;
  }
  if (i !== n || significant === n || t.charCodeAt(n - 1) === 48 || digits + (n - significant) > 15) return Number.NaN;
  const x = d / POW10[n - fraction];
  return negative ? -x : x;
}

function isWords(c: Column): c is readonly string[] {
  return Array.isArray(c) && typeof c[0] === 'string';
}

/** The per-node records with arrays: forward values and backward gradients, one per point. */
export interface BatchTrace {
  forward: { [key: string]: JsonValue }[];
  backward: { [key: string]: JsonValue }[];
}

/** The JSON object for many points, the single-point schema with arrays: batchJsonPieces joined. */
export function renderBatchJson(...args: Parameters<typeof batchJsonPieces>): string {
  return [...batchJsonPieces(...args)].join('');
}

/** Points a piece of batchJsonPieces holds: a few hundred kilobytes of text. */
const PIECE = 16_384;

/**
 * The text of renderBatchJson in pieces, for writing as they are made: a million points never
 * become one string. Each array is written a slice at a time, each slice as JSON.stringify writes it.
 */
export function* batchJsonPieces(
  expression: string,
  names: readonly string[],
  inputs: readonly (ArrayLike<number> | number)[],
  value: ArrayLike<number>,
  grads: readonly ArrayLike<number>[],
  settings: RenderSettings = {},
  trace?: BatchTrace,
  higher?: { wrt: string; derivatives: readonly ArrayLike<number>[] },
): Generator<string> {
  const n = value.length;
  function* arr(c: ArrayLike<number> | number): Generator<string> {
    yield '[';
    for (let start = 0; start < n; start += PIECE) {
      const end = Math.min(n, start + PIECE);
      const part = new Array<number | string>(end - start);
      for (let i = start; i < end; i++)
        part[i - start] = jsonNumber(typeof c === 'number' ? c : c[i], settings.precision);
      const text = JSON.stringify(part);
      yield (start > 0 ? ',' : '') + text.slice(1, -1);
    }
    yield ']';
  }
  function* object(columns: readonly (ArrayLike<number> | number)[]): Generator<string> {
    yield '{';
    for (const [j, name] of names.entries()) {
      yield `${j > 0 ? ',' : ''}${JSON.stringify(name)}:`;
      yield* arr(columns[j]);
    }
    yield '}';
  }
  yield `{"expression":${JSON.stringify(expression)},"variables":`;
  yield* object(inputs);
  yield ',"value":';
  yield* arr(value);
  yield ',"gradient":';
  yield* object(grads);
  // --order: `"wrt"` and `"derivatives": [[d1 at every point], [d2 ...], ...]`, as for one point.
  if (higher !== undefined) {
    yield `,"wrt":${JSON.stringify(higher.wrt)},"derivatives":[`;
    for (const [k, d] of higher.derivatives.entries()) {
      if (k > 0) yield ',';
      yield* arr(d);
    }
    yield ']';
  }
  if (trace !== undefined)
    yield `,"forward":${JSON.stringify(trace.forward)},"backward":${JSON.stringify(trace.backward)}`;
  yield '}\n';
}
