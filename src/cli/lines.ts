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
 */
export class LineSplitter {
  private pieces: string[] = [];
  private length = 0;
  /** Lines finished so far. */
  line = 0;
  constructor(
    private readonly maxLine: number,
    private readonly what = 'standard input',
  ) {}

  /** Set when a line passed the limit: `check` throws it once the lines before it are used. */
  private failure: UsageError | undefined;

  /** The lines `chunk` finishes, in order (up to a line that is too long: then call `check`). */
  push(chunk: string): string[] {
    const lines: string[] = [];
    if (this.failure !== undefined) return lines;
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      if (this.length + nl - start > this.maxLine) {
        this.failure = this.tooLong();
        return lines;
      }
      lines.push(this.finish(chunk.slice(start, nl)));
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.length += chunk.length - start;
      if (this.length > this.maxLine) {
        this.failure = this.tooLong();
        return lines;
      }
      this.pieces.push(chunk.slice(start));
    }
    return lines;
  }

  /** Throws the error of a line that was too long, if there was one. */
  check(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** The last line, when the text does not end with a newline. */
  end(): string | undefined {
    return this.length > 0 ? this.finish('') : undefined;
  }

  private finish(last: string): string {
    let text = last;
    if (this.pieces.length > 0) {
      this.pieces.push(last);
      text = this.pieces.join('');
      this.pieces = [];
    }
    this.length = 0;
    this.line++;
    return text.endsWith('\r') ? text.slice(0, -1) : text;
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
