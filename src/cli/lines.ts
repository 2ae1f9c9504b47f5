/**
 * Standard input (or a session's input) as lines, as it arrives: for `--x -` and the REPL, both
 * loaded on their own paths, so a one-point run does not load this.
 */
import { UsageError } from './errors.js';

/**
 * Splits text arriving in chunks into lines (the `\n` dropped, and a `\r` before it), each at most
 * `maxLine` characters: a longer line is a UsageError naming it, raised as soon as the line passes
 * the limit (a stream with no newline at all is not read to its end). Linear in the input: a line
 * split over many chunks is joined once.
 *
 * Two ways to read it: `push(chunk)` returns the lines as strings; `feed(chunk)` then `next()`
 * until it is false steps through them without making any, each line being `text` from `from`
 * to `to` (for a stream of a million lines, where a substring each is most of the cost).
 */
export class LineSplitter {
  private pieces: string[] = [];
  private length = 0;
  /** Lines finished so far. */
  line = 0;
  /** After `next()` returned true: the line is text.slice(from, to). */
  text = '';
  from = 0;
  to = 0;
  /** The chunk being split, and where its next line starts. */
  private chunk = '';
  private at = 0;
  constructor(
    private readonly maxLine: number,
    private readonly what = 'standard input',
  ) {}

  /** Set when a line passed the limit: `check` throws it once the lines before it are used. */
  private failure: UsageError | undefined;

  /** The lines `chunk` finishes, in order (up to a line that is too long: then call `check`). */
  push(chunk: string): string[] {
    const lines: string[] = [];
    this.feed(chunk);
    while (this.next()) lines.push(this.text.slice(this.from, this.to));
    return lines;
  }

  /** Starts on `chunk`: its lines come from `next()` (the end of the last one waits for more). */
  feed(chunk: string): void {
    this.chunk = chunk;
    this.at = 0;
  }

  /**
   * Moves to the next line `chunk` finishes (`text`, `from`, `to`): false when there is none,
   * the rest of the chunk kept for the next, or when a line is too long (then call `check`).
   */
  next(): boolean {
    if (this.failure !== undefined) return false;
    const chunk = this.chunk;
    const at = this.at;
    const nl = chunk.indexOf('\n', at);
    if (nl < 0) {
      if (at < chunk.length) {
        this.length += chunk.length - at;
        if (this.length > this.maxLine) {
          this.failure = this.tooLong();
          return false;
        }
        this.pieces.push(chunk.slice(at));
      }
      this.chunk = '';
      this.at = 0;
      return false;
    }
    if (this.length + nl - at > this.maxLine) {
      this.failure = this.tooLong();
      return false;
    }
    this.at = nl + 1;
    if (this.pieces.length > 0) this.finish(chunk.slice(at, nl));
    else {
      this.text = chunk;
      this.from = at;
      this.to = nl;
      this.line++;
    }
    if (this.to > this.from && this.text.charCodeAt(this.to - 1) === 13) this.to--; // '\r'
    return true;
  }

  /** Throws the error of a line that was too long, if there was one. */
  check(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** The last line, when the text does not end with a newline. */
  end(): string | undefined {
    if (this.length === 0) return undefined;
    this.finish('');
    return this.text.endsWith('\r') ? this.text.slice(0, -1) : this.text;
  }

  /** The pieces of a line split over chunks, and `last`, joined as the current line. */
  private finish(last: string): void {
    this.pieces.push(last);
    this.text = this.pieces.join('');
    this.pieces = [];
    this.from = 0;
    this.to = this.text.length;
    this.length = 0;
    this.line++;
  }

  private tooLong(): UsageError {
    return new UsageError(
      `line ${this.line + 1} of ${this.what} is longer than ${this.maxLine} characters`,
      'give one value or expression a line',
    );
  }
}

/** The lines of a stream of text as they arrive, as LineSplitter splits them. */
export async function* boundedLines(
  chunks: AsyncIterable<string>,
  maxLine: number,
  what = 'standard input',
): AsyncGenerator<string> {
  const splitter = new LineSplitter(maxLine, what);
  for await (const chunk of chunks) {
    yield* splitter.push(chunk);
    splitter.check();
  }
  const last = splitter.end();
  if (last !== undefined) yield last;
}
