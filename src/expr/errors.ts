/**
 * Errors about the expression a user typed. Each knows where in the input it happened, so the CLI
 * can print the input with a caret under the spot. Positions are UTF-16 indices internally and are
 * shown as 1-based columns counted in code points (what a person counts).
 */
import { visibleChar } from './visible.js';

export class ExprError extends Error {
  /** UTF-16 index of the offending spot in `input`. */
  readonly index: number;
  readonly input: string;
  /** A second line of advice, e.g. what to write instead. */
  readonly hint: string | undefined;

  constructor(message: string, input: string, index: number, hint?: string) {
    super(message);
    this.name = 'ExprError';
    this.input = input;
    this.index = Math.max(0, Math.min(index, input.length));
    this.hint = hint;
  }

  /** 1-based column in code points. */
  get column(): number {
    return codePointLength(this.input.slice(0, this.index)) + 1;
  }
}

/** A variable the expression uses has no value: `no value for y`, pointing at its first use. */
export class MissingValueError extends ExprError {
  constructor(
    readonly variable: string,
    input: string,
    index: number,
    hint?: string,
  ) {
    super(`no value for ${variable}`, input, index, hint);
    this.name = 'MissingValueError';
  }
}

export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * The input (or a window of it, for long or multi-line input) with a caret under `index`:
 *
 *     sin x
 *         ^
 */
export function caretLines(input: string, index: number, width = 72): [string, string] {
  // Work on the line that holds the spot.
  let lineStart = input.lastIndexOf('\n', index - 1) + 1;
  let lineEnd = input.indexOf('\n', index);
  if (lineEnd < 0) lineEnd = input.length;
  // On a very long line only the neighbourhood of the spot can be shown: cut it out first, so a
  // 10 MB input is never split into code points as a whole.
  if (lineEnd - lineStart > 8 * width) {
    let from = Math.max(lineStart, index - 2 * width);
    const lo = input.charCodeAt(from);
    if (from > lineStart && lo >= 0xdc00 && lo <= 0xdfff) from++;
    lineStart = from;
    lineEnd = Math.min(lineEnd, index + 2 * width);
  }
  // Each code point as shown: controls and invisibles written out (`\x1b`, `<U+202E>`), so the
  // caret counts the columns they take.
  const line = Array.from(input.slice(lineStart, lineEnd), visibleChar);
  const col = codePointLength(input.slice(lineStart, index));
  let from = 0;
  let to = line.length;
  // A window around the spot when the line is long.
  if (line.length > width) {
    from = Math.max(0, col - Math.floor(width / 2));
    to = Math.min(line.length, from + width);
    from = Math.max(0, to - width);
  }
  const prefix = from > 0 ? '…' : '';
  const suffix = to < line.length ? '…' : '';
  const shown = line.slice(from, to);
  const before = shown.slice(0, col - from).reduce((n, s) => n + codePointLength(s), 0);
  return [prefix + shown.join('') + suffix, ' '.repeat(before + prefix.length) + '^'];
}
