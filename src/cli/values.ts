/**
 * A variable's value as given on the command line:
 *   0.5  pi/4          one value (a constant expression, as before)
 *   0,0.5,1            a list
 *   START:STOP:STEP    a range, STOP included when it lies on the grid (like `seq`); STEP defaults to 1
 *   -                  one number per line from standard input, streamed
 *   [1, 2; 3, 4]       a vector or matrix (one value: the expression sees it whole)
 *   @FILE              a vector or matrix from FILE.csv, FILE.json or FILE.npy
 */
import { evaluateConstant } from '../expr/constant.js';
import { parseValue as parseTensorText, type TensorData } from '../expr/data.js';
import { Tensor, type Value } from '../engine/tensor.js';
import { ExprError } from '../expr/errors.js';
import type { Assignment } from './args.js';
import { UsageError } from './errors.js';
import { ValueError } from './messages.js';

export type GivenValue =
  | { kind: 'number'; value: number }
  | { kind: 'array'; values: Float64Array | Range }
  | { kind: 'stdin' }
  /** A vector or matrix: one value that the expression sees whole. */
  | { kind: 'tensor'; value: Value }
  /** A vector or matrix in a file, read and decoded by the command (values.ts does no I/O). */
  | { kind: 'file'; path: string; flag: string };

/** Largest range accepted, in points; past it, stream with `--x -`. */
export const MAX_RANGE = 50_000_000;

/** The most points a range may have, and what to say past it (`--json` takes fewer). */
export interface RangeLimit {
  points: number;
  hint: string;
}

const STREAM_HINT = 'stream more points with --NAME - (one a line on standard input)';

export function parseAssignments(
  assignments: readonly Assignment[],
  limit: RangeLimit = { points: MAX_RANGE, hint: STREAM_HINT },
): Map<string, GivenValue> {
  const values = new Map<string, GivenValue>();
  for (const a of assignments) {
    if (values.has(a.name)) throw new UsageError(`${a.name} is given twice`, `give --${a.name} once`);
    values.set(a.name, parseValue(a, limit));
  }
  const fromStdin = [...values].filter(([, v]) => v.kind === 'stdin').map(([n]) => `--${n} -`);
  if (fromStdin.length > 1) {
    throw new UsageError(
      `only one variable can read standard input, got ${fromStdin.join(' and ')}`,
      'give the others as lists or ranges',
    );
  }
  return values;
}

function parseValue(a: Assignment, limit: RangeLimit): GivenValue {
  const text = a.value;
  if (text.trim() === '-') return { kind: 'stdin' };
  if (text.startsWith('@')) {
    if (text.length === 1) throw new UsageError(`${a.flag} @ needs a file name`, `write ${a.flag} @weights.csv`);
    return { kind: 'file', path: text.slice(1), flag: a.flag };
  }
  try {
    if (text.trimStart().startsWith('[')) return { kind: 'tensor', value: tensorValue(parseTensorText(text)) };
    if (text.includes(','))
      return { kind: 'array', values: Float64Array.from(parts(text, ','), (p) => constantAt(text, p)) };
    if (text.includes(':')) return { kind: 'array', values: range(text, limit) };
    return { kind: 'number', value: evaluateConstant(text) };
  } catch (e) {
    if (e instanceof ExprError) throw new ValueError(a.flag, e);
    throw e;
  }
}

/** A decoded vector or matrix as the engine's value (a number when its shape is []). */
export function tensorValue(d: TensorData): Value {
  return d.shape.length === 0 ? d.data[0] : Tensor.from(d.shape, d.data);
}

/** The pieces of `text` between separators, with their start index. */
function parts(text: string, sep: string): { text: string; start: number }[] {
  const out: { text: string; start: number }[] = [];
  let start = 0;
  for (const piece of text.split(sep)) {
    out.push({ text: piece, start });
    start += piece.length + 1;
  }
  return out;
}

/** A piece of a list or range evaluated as a constant; an error points into the whole text. */
function constantAt(whole: string, part: { text: string; start: number }): number {
  try {
    return evaluateConstant(part.text);
  } catch (e) {
    if (e instanceof ExprError) throw new ExprError(e.message, whole, part.start + e.index, e.hint);
    throw e;
  }
}

function range(text: string, limit: RangeLimit): Range {
  const ps = parts(text, ':');
  if (ps.length < 2 || ps.length > 3) {
    throw new ExprError(`a range is START:STOP or START:STOP:STEP, got ${ps.length} parts`, text, 0, 'write 0:1:0.25');
  }
  const [start, stop] = [constantAt(text, ps[0]), constantAt(text, ps[1])];
  const step = ps.length === 3 ? constantAt(text, ps[2]) : 1;
  if (step === 0) throw new ExprError('the range step is 0', text, ps[2].start, 'write a step such as 0.1');
  const span = (stop - start) / step;
  if (span < 0) {
    throw new ExprError(
      `the range is empty: a step of ${step} never goes from ${start} to ${stop}`,
      text,
      ps[2]?.start ?? 0,
      `write ${stop}:${start}:${step} or use a ${step > 0 ? 'negative' : 'positive'} step`,
    );
  }
  // STOP is on the grid when the span is a whole number up to the rounding of (stop - start) / step
  // (0:1:0.1 has 11 points), and only then: 0:2.9999999999:1 stops at 2, 0:1e12:1 has 1e12 + 1.
  const rounding = (2 * (Math.abs(start) + Math.abs(stop))) / Math.abs(step) + 4 * span;
  const count = Math.floor(span + rounding * Number.EPSILON) + 1;
  if (count > limit.points) {
    throw new ExprError(`the range has ${count} points (the limit is ${limit.points})`, text, 0, limit.hint);
  }
  // Short decimals stay short (0:1:0.1 gives 0.3, not 0.30000000000000004), as seq prints them;
  // values that need more digits (pi/4) are left exactly as computed.
  const short = [start, stop, step].every((v) => Number(v.toPrecision(12)) === v);
  return new Range(start, step, count, short);
}

/**
 * The points of a range, computed a slice at a time as they are needed: a range of 50,000,000
 * points never sits in memory whole (rows stream; --json takes at most MAX_JSON_POINTS).
 */
export class Range {
  constructor(
    readonly start: number,
    readonly step: number,
    readonly length: number,
    /** Round each point to 12 significant digits (the range was written in short decimals). */
    readonly short: boolean,
  ) {}

  /** The i-th point. */
  at(i: number): number {
    const v = this.start + i * this.step;
    return this.short ? Number(v.toPrecision(12)) : v;
  }

  /** Points [from, to) written into `buffer` (at least to - from long); returns that part of it. */
  into(buffer: Float64Array, from: number, to: number): Float64Array {
    for (let i = from; i < to; i++) buffer[i - from] = this.at(i);
    return buffer.subarray(0, to - from);
  }
}

/** A line of standard input as a number: a plain decimal quickly, else a constant expression (`pi/4`). */
const PLAIN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
export function parseLine(line: string, lineNumber: number, flag: string): number {
  const t = line.trim();
  if (PLAIN.test(t)) {
    const n = Number(t);
    // 1e309 and 1e-400 (Infinity, 0) go on to the grammar, which says what is wrong with them.
    if (Number.isFinite(n) && (n !== 0 || !/[1-9]/.test(t.replace(/[eE].*$/, '')))) return n;
  }
  try {
    return evaluateConstant(t);
  } catch (e) {
    if (e instanceof ExprError) {
      throw new ValueError(
        `${flag} -`,
        new ExprError(`line ${lineNumber} of standard input: ${e.message}`, e.input, e.index, e.hint),
      );
    }
    throw e;
  }
}

/** Most points --json takes: it is one object holding every point (rows stream; JSON cannot). */
export const MAX_JSON_POINTS = 1_000_000;
