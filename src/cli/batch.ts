/**
 * The batch command: the expression at many points (lists, ranges, standard input), computed by
 * the compiled kernel chunk by chunk and printed as rows (table, TSV, CSV) or one JSON object.
 * Standard input is streamed: memory stays bounded however many lines arrive (JSON, which is one
 * object, keeps every point).
 */
import type { Node } from '../expr/ast.js';
import { CompiledExpression, LengthMismatchError, broadcastLength } from '../batch/run.js';
import type { Input } from '../batch/compile.js';
import {
  RowWriter,
  batchHeaders,
  batchJsonPieces,
  renderBatchJson,
  type BatchFormat,
  type BatchTrace,
  type Column,
  isShortestForm,
  shortestFormValue,
} from '../report/table.js';
import { jsonObject, type JsonValue } from '../report/json.js';
import type { RenderSettings } from '../report/settings.js';
import { differentiate } from '../api/differentiate.js';
import { build, outputNameAvoiding } from '../expr/build.js';
import { size } from '../expr/walk.js';
import { EXIT, UsageError } from './errors.js';
import { MAX_LINE_LENGTH, type IO } from './io.js';
import { boundedLines, LineSplitter } from './lines.js';
import { MAX_JSON_POINTS, parseLine, Range, type GivenValue } from './values.js';
import { derivativeName } from '../api/higher.js';
import { higher } from './graph-options.js';
import {
  CompiledDerivatives,
  compilableDerivatives,
  higherAtPoints,
  pointChecker,
  type PointChecker,
} from '../api/points.js';
import { verify, type SymbolicFormula } from '../api/check.js';
import { reasonText, renderSymbolicText, symbolicJson } from '../report/check.js';
import { formatNumber, jsonNumber } from '../report/format.js';
import { PLAIN } from '../report/style.js';
import type { PlotTarget } from './plot-options.js';

export interface BatchOptions {
  source: string;
  root: Node;
  /** A value for every variable the expression uses. */
  given: ReadonlyMap<string, GivenValue>;
  format: BatchFormat;
  json: boolean;
  /** With --json: leave out the per-node `forward` and `backward` records. */
  quiet: boolean;
  settings: RenderSettings;
  /** --order N: d^k y/d(wrt)^k for k = 2..N as more columns (the first is the gradient's). */
  order?: number;
  /** The variable --order differentiates by (checked by the caller). */
  wrt?: string;
  /** --plot: draw the curves instead of printing rows (`terminal`, or a file to write). */
  plot?: PlotTarget;
  /** --format was given: with --plot FILE, the rows are printed too. */
  rows?: boolean;
  /** --check at every point: columns for the central difference, mathjs's value and the verdict; exit 3 on a mismatch. */
  check?: boolean;
  /** --symbolic: the formulas after the rows (stderr for tsv and csv), or `"symbolic"` in JSON. */
  symbolic?: boolean;
  /** --simd: the value and gradient from the WebAssembly SIMD kernel. */
  simd?: boolean;
}

/** Points per chunk: big enough to amortise the loop, small enough to keep memory flat. */
const CHUNK = 1 << 16;

interface Chunk {
  inputs: Input[];
  n: number;
  /**
   * The streamed variable's lines as read, where each is already how its number prints
   * (isShortestForm), null for a line that is not: the rows print them instead of formatting again.
   */
  texts?: { index: number; cells: (string | null)[] };
  /** The number of points in all, when known before they are computed (lists and ranges). */
  total?: number;
}

/** Most per-node records --json without --quiet computes: the node-by-node engine at every point (~10 µs a record). */
export const MAX_JSON_RECORDS = 500_000;

/** Refuses, before the work, a JSON object past the limits: `total` points of a `nodes`-node expression. */
function checkJsonWork(o: BatchOptions, total: number): void {
  if (!o.json) return;
  if (total > MAX_JSON_POINTS) {
    throw new UsageError(
      `--json holds every point in one object, and ${total} points are more than its limit of ${MAX_JSON_POINTS}`,
      'stream the rows with --format tsv (any number of points), or give fewer points',
    );
  }
  const records = total * size(o.root);
  if (!o.quiet && records > MAX_JSON_RECORDS) {
    throw new UsageError(
      `--json without --quiet records every node at every point: about ${records} records, more than its limit of ${MAX_JSON_RECORDS}`,
      'add --quiet to leave the records out (value and gradient only), or give fewer points',
    );
  }
}

export async function batchCommand(o: BatchOptions, io: IO): Promise<number> {
  const compiled = new CompiledExpression(o.root, o.source, { simd: o.simd });
  const names = compiled.names;
  // Not a name given a value either: `x^2 --x 0:1 --y 2` has columns x, z, dz/dx.
  const output = o.given.has(compiled.outputName)
    ? outputNameAvoiding(new Set([...names, ...o.given.keys()]))
    : compiled.outputName;
  const order = o.order ?? 1;
  const higherNames = o.wrt === undefined ? [] : range(2, order).map((k) => derivativeName(output, o.wrt!, k));
  // --order: the gradient graphs compiled once when their shape is the same at every point.
  const compiledHigher =
    higherNames.length > 0 && compilableDerivatives(o.root)
      ? higher(() => new CompiledDerivatives(o.root, o.source, names, o.wrt!, order))
      : undefined;
  // --check: per variable the central difference and mathjs's derivative, then a verdict per point.
  const checker = o.check ? await pointChecker(o.root, names) : undefined;
  const checkNames = checker === undefined ? [] : [...names.flatMap((n) => checkColumns(output, n)), 'check'];
  const headers = [...batchHeaders(names, output), ...higherNames, ...checkNames];
  const writer = new RowWriter(o.format, headers, o.settings);
  // JSON and plots need every point at the end; rows are written as they come.
  const keep = o.json || o.plot !== undefined;
  // Rows on standard output: unless JSON is, or a figure takes their place (a file's leaves room for --format's).
  const printRows = !o.json && (o.plot === undefined || (o.plot.kind === 'file' && o.rows === true));
  const kept: Kept[] = [];
  const bad = { count: 0, first: -1 };
  const failed: CheckFailures = { count: 0, inconclusive: 0 };
  let total = 0;
  let value = new Float64Array(0);
  let grads: Float64Array[] = [];
  let more: Float64Array[] = [];

  for await (const chunk of chunks(o, names, io)) {
    const { n, inputs } = chunk;
    checkJsonWork(o, chunk.total ?? total + n); // a list or range: its whole length, before any work
    // Rows are written before the next chunk is computed, so the output buffers are reused.
    if (keep || value.length < n) {
      value = new Float64Array(n);
      grads = names.map(() => new Float64Array(n));
      more = higherNames.map(() => new Float64Array(n));
    }
    compiled.kernel(inputs)(0, n, inputs, value, grads);
    if (more.length > 0) {
      higher(() =>
        compiledHigher === undefined
          ? higherAtPoints(o.root, o.source, names, inputs, n, o.wrt!, order, more)
          : compiledHigher.run(inputs, n, more),
      );
    }
    const checked = checker === undefined ? undefined : checkChunk(checker, names, inputs, grads, n, total, failed);
    countNonFinite(value, [...grads, ...more], n, total, bad);
    if (keep)
      kept.push({
        inputs: inputs.map((x) => (typeof x === 'number' ? new Float64Array(n).fill(x) : x.slice(0, n))),
        value,
        grads,
        higher: more,
        checked,
      });
    if (printRows) {
      const columns: Column[] = [...inputs, value, ...grads, ...more, ...(checked?.columns ?? [])];
      // A streamed line that already reads as its number prints as read (the same text, less work).
      const texts = chunk.texts;
      if (texts !== undefined && o.settings.precision === undefined) {
        const x = inputs[texts.index] as Float64Array;
        const cells = texts.cells;
        for (let i = 0; i < n; i++) cells[i] ??= formatNumber(x[i]);
        columns[texts.index] = cells as string[];
      }
      if (io.outBytes === undefined) io.out(writer.rows(columns, n));
      else io.outBytes(writer.rowBytes(columns, n));
    }
    total += n;
  }

  const joined = (pick: (k: Kept) => Float64Array): Float64Array => concat(kept.map(pick), total);
  if (o.plot !== undefined) {
    const { plotCommand } = await import('./plot.js');
    const along = names.find((n) => o.given.get(n)!.kind !== 'number') ?? names[0];
    const wrt = o.wrt ?? along;
    const j = names.indexOf(wrt);
    await plotCommand(
      {
        target: o.plot,
        title: o.source.trim(),
        x: { name: along, values: joined((k) => k.inputs[names.indexOf(along)]) },
        curves: [
          { label: output, values: joined((k) => k.value) },
          ...(j < 0 ? [] : [{ label: derivativeName(output, wrt, 1), values: joined((k) => k.grads[j]) }]),
          ...higherNames.map((label, h) => ({ label, values: joined((k) => k.higher[h]) })),
        ],
        settings: o.settings,
      },
      io,
    );
  }
  if (o.json) {
    const inputs = names.map((_, j) => joined((k) => k.inputs[j]));
    const values = joined((k) => k.value);
    const gs = names.map((_, j) => joined((k) => k.grads[j]));
    const trace = o.quiet ? undefined : traceRecords(o, names, inputs, total);
    const derivatives =
      o.wrt === undefined
        ? undefined
        : {
            wrt: o.wrt,
            derivatives: [gs[names.indexOf(o.wrt)], ...higherNames.map((_, h) => joined((k) => k.higher[h]))],
          };
    if (checker === undefined && !o.symbolic) {
      // Written as it is made: a million points never become one string.
      for (const piece of batchJsonPieces(o.source.trim(), names, inputs, values, gs, o.settings, trace, derivatives))
        io.out(piece);
    } else {
      const text = renderBatchJson(o.source.trim(), names, inputs, values, gs, o.settings, trace, derivatives);
      const obj = JSON.parse(text);
      if (checker !== undefined) obj.check = checkJsonMany(checker, names, kept, total, failed, o.settings);
      if (o.symbolic) obj.symbolic = symbolicJson(await formulas(o.root, names));
      io.out(JSON.stringify(obj) + '\n');
    }
  } else if (total === 0 && printRows) {
    io.out(
      writer.rows(
        headers.map(() => 0),
        0,
      ),
    ); // the header alone
  }
  if (!o.json) {
    // The formulas and the check's verdict: after the table (or the figure); on stderr for tsv and
    // csv (their standard output is rows only, for the next program).
    const say = o.format === 'table' ? (s: string) => io.out(s) : (s: string) => io.err(s);
    if (o.symbolic) say(renderSymbolicText(await formulas(o.root, names), output, o.settings));
    if (checker !== undefined) say(checkSummary(checker, output, total, failed, o.settings));
  }
  if (bad.count > 0) {
    io.err(
      `dezero-grad: warning: ${bad.count} of ${total} points give a value or gradient that is not finite (the first is row ${bad.first + 1})\n`,
    );
  }
  return failed.count > 0 ? EXIT.CHECK_MISMATCH : EXIT.OK;
}

/** What JSON and plots keep of a chunk. */
interface Kept {
  inputs: Float64Array[];
  value: Float64Array;
  grads: Float64Array[];
  higher: Float64Array[];
  checked?: CheckedChunk;
}

/** The check of a chunk: its columns (numeric and symbolic per variable, then the verdicts). */
interface CheckedChunk {
  numeric: Float64Array[];
  symbolic: Float64Array[];
  /** Per point: every variable agrees. */
  ok: boolean[];
  /** Per variable, per point. */
  okBy: boolean[][];
  columns: Column[];
}

/** How many points disagree, and the first of them with its reason. */
interface CheckFailures {
  count: number;
  /** Points where the numeric estimate decided nothing (they count as agreeing, as for one point). */
  inconclusive: number;
  first?: { row: number; values: Map<string, number>; name: string; reason: string };
}

function checkColumns(output: string, name: string): string[] {
  return [`d${output}/d${name}(numeric)`, `d${output}/d${name}(symbolic)`];
}

/** gradcheck at each point of a chunk (rows offset + 0 .. n-1). */
function checkChunk(
  checker: PointChecker,
  names: readonly string[],
  inputs: readonly Input[],
  grads: readonly Float64Array[],
  n: number,
  offset: number,
  failed: CheckFailures,
): CheckedChunk {
  const numeric = names.map(() => new Float64Array(n));
  const symbolic = names.map(() => new Float64Array(n));
  const ok = new Array<boolean>(n);
  const okBy = names.map(() => new Array<boolean>(n));
  const verdicts = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const values = new Map(names.map((name, j) => [name, typeof inputs[j] === 'number' ? inputs[j] : inputs[j][i]]));
    const gradient: Record<string, number> = Object.create(null);
    names.forEach((name, j) => (gradient[name] = grads[j][i]));
    const entries = checker.check(values, gradient);
    ok[i] = true;
    let unsure = false;
    names.forEach((name, j) => {
      const e = entries.get(name)!;
      if (e.ok && e.numericInconclusive) unsure = true;
      numeric[j][i] = e.numeric;
      symbolic[j][i] = e.symbolic ?? Number.NaN;
      okBy[j][i] = e.ok;
      if (e.ok) return;
      if (ok[i]) failed.count++;
      ok[i] = false;
      if (failed.first === undefined) {
        const reason =
          e.reason === undefined ? 'unknown: please report it with the command you ran' : reasonText(e.reason);
        failed.first = { row: offset + i, values, name, reason };
      }
    });
    if (ok[i] && unsure) failed.inconclusive++;
    verdicts[i] = !ok[i] ? 'MISMATCH' : unsure ? 'inconclusive' : 'ok';
  }
  const columns: Column[] = names.flatMap((_, j) => [numeric[j], symbolic[j]]);
  columns.push(verdicts);
  return { numeric, symbolic, ok, okBy, columns };
}

/** The verdict after the rows: every point agrees, or how many do not and why the first. */
function checkSummary(
  checker: PointChecker,
  output: string,
  total: number,
  failed: CheckFailures,
  settings: RenderSettings,
): string {
  const style = settings.style ?? PLAIN;
  const lines: string[] = [];
  for (const [name, why] of checker.whyNot)
    lines.push(style.dim(`check: d${output}/d${name} has no symbolic form (${why}); the central difference decides`));
  if (failed.first === undefined) {
    const unsure =
      failed.inconclusive === 0 ? '' : ` (at ${failed.inconclusive} the central difference is inconclusive)`;
    lines.push(style.heading(`ok: the gradient agrees at all ${total} points${unsure}`));
  } else {
    const { row, values, name, reason } = failed.first;
    const at = [...values].map(([k, v]) => `${k} = ${formatNumber(v, settings.precision)}`).join(', ');
    lines.push(
      style.error(`check failed at ${failed.count} of ${total} points (exit ${EXIT.CHECK_MISMATCH})`),
      style.warn(`  the first is row ${row + 1} (${at}): d${output}/d${name}: ${reason}`),
    );
  }
  return lines.join('\n') + '\n';
}

/** `"check": {name: {"numeric": [...], "symbolic": [...] or null, "ok": [...]}}`, and the first mismatch. */
function checkJsonMany(
  checker: PointChecker,
  names: readonly string[],
  kept: readonly Kept[],
  total: number,
  failed: CheckFailures,
  settings: RenderSettings,
): { [key: string]: JsonValue } {
  const arr = (pick: (c: CheckedChunk) => Float64Array): JsonValue[] =>
    Array.from(
      concat(
        kept.map((k) => pick(k.checked!)),
        total,
      ),
      (v) => jsonNumber(v, settings.precision),
    );
  const obj: { [key: string]: JsonValue } = Object.create(null);
  names.forEach((name, j) => {
    const why = checker.whyNot.get(name);
    obj[name] = {
      numeric: arr((c) => c.numeric[j]),
      symbolic: why === undefined ? arr((c) => c.symbolic[j]) : null,
      ok: kept.flatMap((k) => k.checked!.okBy[j]),
      ...(why === undefined ? {} : { symbolicWhyNot: why }),
    };
  });
  if (failed.first !== undefined) {
    obj.mismatches = failed.count;
    obj.firstMismatch = { row: failed.first.row, variable: failed.first.name, reason: failed.first.reason };
  }
  return obj;
}

/** mathjs's derivative of each variable as a formula in our grammar (loads mathjs). */
async function formulas(root: Node, names: readonly string[]): Promise<Map<string, SymbolicFormula>> {
  const gradient: Record<string, number> = Object.create(null);
  for (const name of names) gradient[name] = 0;
  return (await verify(root, new Map(), gradient, { check: false, symbolic: true })).symbolic!;
}

/** [from, from + 1, ..., to]; empty when to < from. */
function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/**
 * The per-node records of the single-point JSON with an array per number: the node-by-node engine
 * runs at every point (the records are its trace; the graph's shape does not depend on the point).
 */
function traceRecords(o: BatchOptions, names: readonly string[], inputs: Float64Array[], total: number): BatchTrace {
  const at = (i: number): Map<string, number> => new Map(names.map((n, j) => [n, total === 0 ? 1 : inputs[j][i]]));
  const records = (i: number): { [key: string]: JsonValue } =>
    jsonObject('', at(i), differentiate(build(o.root, at(i), o.source, { reserved: [...o.given.keys()] })), o.settings);
  type Rec = { [key: string]: JsonValue };
  const first = records(0);
  const forward = (first.forward as Rec[]).map((r) => ({ ...r, value: [] as JsonValue[] }));
  const backward = (first.backward as Rec[]).map((r) => ({ ...r, grad: [] as JsonValue[] }));
  for (let i = 0; i < total; i++) {
    const r = i === 0 ? first : records(i);
    (r.forward as Rec[]).forEach((f, k) => forward[k].value.push(f.value));
    (r.backward as Rec[]).forEach((b, k) => backward[k].grad.push(b.grad));
  }
  return { forward, backward };
}

/** Joins chunks into one array of `total` points. */
function concat(parts: Float64Array[], total: number): Float64Array {
  const out = new Float64Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function countNonFinite(
  value: Float64Array,
  grads: Float64Array[],
  n: number,
  offset: number,
  bad: { count: number; first: number },
): void {
  for (let i = 0; i < n; i++) {
    let ok = Number.isFinite(value[i]);
    for (const g of grads) ok &&= Number.isFinite(g[i]);
    if (!ok) {
      if (bad.count === 0) bad.first = offset + i;
      bad.count++;
    }
  }
}

/** The points in chunks: lists and ranges sliced, standard input read as it arrives. */
async function* chunks(o: BatchOptions, names: readonly string[], io: IO): AsyncGenerator<Chunk> {
  const streamed = names.find((n) => o.given.get(n)!.kind === 'stdin');
  const fixed = new Map<string, Points>();
  for (const name of names) {
    const g = o.given.get(name)!;
    if (g.kind === 'number') fixed.set(name, g.value);
    else if (g.kind === 'array') fixed.set(name, g.values.length === 1 ? first(g.values) : g.values);
  }
  const arrayLength = lengthOf(fixed);
  // A range's points are computed a chunk at a time, into one buffer per variable.
  const buffers = new Map<string, Float64Array>();
  const slice = (name: string, start: number, end: number): Input => {
    const x = fixed.get(name)!;
    if (typeof x === 'number') return x;
    if (x instanceof Float64Array) return x.subarray(start, end);
    let buffer = buffers.get(name);
    if (buffer === undefined) buffers.set(name, (buffer = new Float64Array(CHUNK)));
    return x.into(buffer, start, end);
  };

  if (streamed === undefined) {
    const total = arrayLength ?? 1;
    for (let start = 0; start < total; start += CHUNK) {
      const end = Math.min(total, start + CHUNK);
      yield { n: end - start, total, inputs: names.map((name) => slice(name, start, end)) };
    }
    return;
  }

  const flag = `--${streamed}`;
  if (arrayLength !== undefined) {
    // Pairing with a list: read as many values as the list has (one more says they differ),
    // then check the lengths; a stream longer than the list is not read to its end.
    const all: number[] = [];
    for await (const x of stdinNumbers(io, flag)) {
      all.push(x);
      if (all.length > arrayLength) {
        const lists: string[] = [];
        for (const [n, v] of fixed) if (typeof v !== 'number') lists.push(`--${n} has ${v.length}`);
        throw new UsageError(
          `the values have different lengths: ${lists.join(', ')}, ${flag} - has more than ${arrayLength}`,
          'give lists of equal length; a single value repeats for every point',
        );
      }
    }
    fixed.set(streamed, all.length === 1 ? all[0] : Float64Array.from(all));
    const total = lengthOf(fixed) ?? 1;
    for (let start = 0; start < total; start += CHUNK) {
      const end = Math.min(total, start + CHUNK);
      yield { n: end - start, total, inputs: names.map((name) => slice(name, start, end)) };
    }
    return;
  }
  // Every other variable is one number: stream. The rows of the lines each piece of input
  // finishes are computed and written before the next piece is awaited, so a row follows its line
  // at once on a slow pipe, and a fast one is read 64 KB at a time, a chunk of rows each.
  const buffer = new Float64Array(CHUNK);
  let n = 0;
  let cells: (string | null)[] = [];
  const index = names.indexOf(streamed);
  const emit = (): Chunk => {
    const inputs = names.map((name) => (name === streamed ? buffer : (fixed.get(name) as number)));
    const chunk = { n, inputs, texts: { index, cells } };
    n = 0;
    cells = [];
    return chunk;
  };
  const splitter = new LineSplitter(MAX_LINE_LENGTH, `standard input (${flag} -)`);
  // Any line but a number already in its shortest form: trimmed, read as parseLine reads it.
  const read = (line: string, lineNumber: number): void => {
    const t = line.trim();
    if (t === '') return;
    const x = parseLine(t, lineNumber, flag); // before n moves: a bad line adds no row
    cells.push(isShortestForm(t) ? t : null);
    buffer[n++] = x;
  };
  try {
    for await (const text of stdinText(io)) {
      splitter.feed(text);
      while (splitter.next()) {
        const { text: s, from, to } = splitter;
        // Most lines are a number as formatNumber writes it: read in place, printed as read.
        const x = shortestFormValue(s, from, to);
        if (Number.isNaN(x)) {
          if (from < to) read(s.slice(from, to), splitter.line);
        } else {
          cells.push(s.slice(from, to));
          buffer[n++] = x;
        }
        if (n === CHUNK) yield emit();
      }
      splitter.check();
      if (n > 0) yield emit();
    }
    const last = splitter.end();
    if (last !== undefined) read(last, splitter.line);
  } catch (e) {
    // A bad line: the rows before it are printed first, then the error (exit 2).
    if (n > 0) yield emit();
    throw e;
  }
  if (n > 0) yield emit();
}

/** A variable's points: a list, a range (computed as needed) or one number. */
type Points = Float64Array | Range | number;

const first = (values: Float64Array | Range): number => (values instanceof Range ? values.at(0) : values[0]);

/** The common length of the arrays, undefined when all are single numbers; mismatches are exit 2. */
function lengthOf(values: ReadonlyMap<string, Points>): number | undefined {
  try {
    const arrays = [...values.values()].some((x) => typeof x !== 'number');
    const lengths = new Map<string, ArrayLike<number> | number>();
    for (const [name, x] of values) lengths.set(name, x instanceof Range ? { length: x.length } : x);
    const n = broadcastLength(lengths);
    return arrays ? n : undefined;
  } catch (e) {
    if (e instanceof LengthMismatchError) {
      const list = [...e.lengths].map(([name, l]) => `--${name} has ${l}`).join(', ');
      throw new UsageError(
        `the values have different lengths: ${list}`,
        'give lists of equal length; a single value repeats for every point',
      );
    }
    throw e;
  }
}

/** Standard input as it arrives (all at once where the IO cannot stream it). */
function stdinText(io: IO): AsyncIterable<string> {
  return (
    io.stdinChunks?.() ??
    (async function* () {
      yield await io.readStdin();
    })()
  );
}

/** Numbers from standard input, one a line (blank lines skipped), as they arrive; lines are bounded. */
async function* stdinNumbers(io: IO, flag: string): AsyncGenerator<number> {
  let line = 0;
  for await (const l of boundedLines(stdinText(io), MAX_LINE_LENGTH, `standard input (${flag} -)`)) {
    line++;
    if (l.trim() !== '') yield parseLine(l, line, flag);
  }
}
