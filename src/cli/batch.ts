/**
 * The batch command: the expression at many points (lists, ranges, standard input), computed by
 * the compiled kernel chunk by chunk and printed as rows (table, TSV, CSV) or one JSON object.
 * Standard input is streamed: memory stays bounded however many lines arrive (JSON, which is one
 * object, keeps every point).
 */
import type { Node } from '../expr/ast.js';
import { CompiledExpression, LengthMismatchError, broadcastLength } from '../batch/run.js';
import type { Input } from '../batch/compile.js';
import { RowWriter, batchHeaders, batchJsonPieces, type BatchFormat, type BatchTrace } from '../report/table.js';
import { jsonObject, type JsonValue } from '../report/json.js';
import type { RenderSettings } from '../report/settings.js';
import { differentiate } from '../api/grad.js';
import { build } from '../expr/build.js';
import { size } from '../expr/walk.js';
import { EXIT, UsageError } from './errors.js';
import { boundedLines, MAX_LINE_LENGTH, type IO } from './io.js';
import { parseLine, Range, type GivenValue } from './values.js';

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
}

/** Points per chunk: big enough to amortise the loop, small enough to keep memory flat. */
const CHUNK = 1 << 16;

interface Chunk {
  inputs: Input[];
  n: number;
  /** The number of points in all, when known before they are computed (lists and ranges). */
  total?: number;
}

/** Most points --json takes: it is one object holding every point (rows stream; JSON cannot). */
export const MAX_JSON_POINTS = 1_000_000;
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
  const compiled = new CompiledExpression(o.root, o.source);
  const names = compiled.names;
  const headers = batchHeaders(names, compiled.outputName);
  const writer = new RowWriter(o.format, headers, o.settings);
  const kept: { inputs: Float64Array[]; value: Float64Array; grads: Float64Array[] }[] = [];
  const bad = { count: 0, first: -1 };
  let total = 0;
  let value = new Float64Array(0);
  let grads: Float64Array[] = [];

  for await (const chunk of chunks(o, names, io)) {
    const { n, inputs } = chunk;
    checkJsonWork(o, chunk.total ?? total + n); // a list or range: its whole length, before any work
    // Rows are written before the next chunk is computed, so the output buffers are reused.
    if (o.json || value.length < n) {
      value = new Float64Array(n);
      grads = names.map(() => new Float64Array(n));
    }
    compiled.kernel(inputs)(0, n, inputs, value, grads);
    countNonFinite(value, grads, n, total, bad);
    if (o.json)
      kept.push({
        inputs: inputs.map((x) => (typeof x === 'number' ? new Float64Array(n).fill(x) : x.slice(0, n))),
        value,
        grads,
      });
    else io.out(writer.rows([...inputs, value, ...grads], n));
    total += n;
  }

  if (o.json) {
    const inputs = names.map((_, j) =>
      concat(
        kept.map((k) => k.inputs[j]),
        total,
      ),
    );
    const values = concat(
      kept.map((k) => k.value),
      total,
    );
    const gs = names.map((_, j) =>
      concat(
        kept.map((k) => k.grads[j]),
        total,
      ),
    );
    const trace = o.quiet ? undefined : traceRecords(o, names, inputs, total);
    for (const piece of batchJsonPieces(o.source.trim(), names, inputs, values, gs, o.settings, trace)) io.out(piece);
  } else if (total === 0) {
    io.out(
      writer.rows(
        headers.map(() => 0),
        0,
      ),
    ); // the header alone
  }
  if (bad.count > 0) {
    io.err(
      `dezero-grad: warning: ${bad.count} of ${total} points give a value or gradient that is not finite (the first is row ${bad.first + 1})\n`,
    );
  }
  return EXIT.OK;
}

/**
 * The per-node records of the single-point JSON with an array per number: the node-by-node engine
 * runs at every point (the records are its trace; the graph's shape does not depend on the point).
 */
function traceRecords(o: BatchOptions, names: readonly string[], inputs: Float64Array[], total: number): BatchTrace {
  const at = (i: number): Map<string, number> => new Map(names.map((n, j) => [n, total === 0 ? 1 : inputs[j][i]]));
  const records = (i: number): { [key: string]: JsonValue } =>
    jsonObject('', at(i), differentiate(build(o.root, at(i), o.source)), o.settings);
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
  // Every other variable is one number: stream.
  const buffer = new Float64Array(CHUNK);
  let n = 0;
  const emit = (): Chunk => ({
    n,
    inputs: names.map((name) => (name === streamed ? buffer : (fixed.get(name) as number))),
  });
  try {
    for await (const x of stdinNumbers(io, flag)) {
      buffer[n++] = x;
      if (n === CHUNK) {
        yield emit();
        n = 0;
      }
    }
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

/** Numbers from standard input, one a line (blank lines skipped), as they arrive; lines are bounded. */
async function* stdinNumbers(io: IO, flag: string): AsyncGenerator<number> {
  const source: AsyncIterable<string> =
    io.stdinChunks?.() ??
    (async function* () {
      yield await io.readStdin();
    })();
  let line = 0;
  for await (const l of boundedLines(source, MAX_LINE_LENGTH, `standard input (${flag} -)`)) {
    line++;
    if (l.trim() !== '') yield parseLine(l, line, flag);
  }
}
