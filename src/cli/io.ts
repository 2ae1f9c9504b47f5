import { close, constants, fstat, open, read, type Stats } from 'node:fs';
import { MAX_INPUT_LENGTH } from '../expr/parse.js';
import { UsageError } from './errors.js';

const { O_NONBLOCK, O_RDONLY } = constants;

/** What the program needs from its surroundings; the entry fills it from `process`, tests with fakes. */
export interface IO {
  /** Write to standard output / error. */
  out(text: string): void;
  err(text: string): void;
  /**
   * Standard output's bytes as they are (UTF-8 text already encoded: a stream's rows), the same
   * as `out` of their text. Absent: the caller decodes and calls `out`.
   */
  outBytes?(bytes: Uint8Array): void;
  /**
   * Standard error as it is, for our own terminal control only (a progress line's carriage return
   * and erase), never for text that holds input: `err` shows control characters visibly.
   */
  status?(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  /** Whether standard error is a terminal (asked only by the paths with a progress line). Absent: no. */
  stderrIsTTY?(): Promise<boolean>;
  /**
   * Calls `handler` on Ctrl-C (SIGINT) instead of ending the program, until the returned function
   * is called. Absent: Ctrl-C cannot be caught.
   */
  onInterrupt?(handler: () => void): () => void;
  /** Terminal width, when standard output is a terminal. */
  columns?: number;
  /** Terminal height, when standard output is a terminal (for --plot). */
  rows?: number;
  /** All of standard input as text. */
  readStdin(): Promise<string>;
  /** Standard input as it arrives, for streaming (`--x -`); absent: read it all with readStdin. */
  stdinChunks?(): AsyncIterable<string>;
  readFile(path: string): Promise<string>;
  /** A value file's bytes (`--W @weights.npy`), at most MAX_DATA_BYTES. Absent: @FILE is unavailable. */
  readBytes?(path: string): Promise<Uint8Array>;
  /**
   * Ask for a variable's value on a terminal; resolves to the text typed. Absent: never ask.
   * Rejects with ExitSignal(130) on Ctrl-C.
   */
  ask?(name: string, validate: (text: string) => string | true): Promise<string>;
  /** Text as UTF-8, bytes as they are (a PNG). */
  writeFile?(path: string, data: string | Uint8Array): Promise<void>;
  /**
   * Draws DOT text into `file` with Graphviz (`dot -T<format> -o <file>`): 'missing' when `dot` is
   * not installed. Absent: --graph is unavailable.
   */
  runGraphviz?(dot: string, format: string, file: string): Promise<'ok' | 'missing' | { error: string }>;
  /** Standard input and output as streams, for the REPL's readline. Absent: input via readStdin. */
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /**
   * Ask the user to pick one of `choices` on a terminal; resolves to the choice. Absent: never ask.
   * Rejects with ExitSignal(130) on Ctrl-C.
   */
  choose?(message: string, choices: readonly string[]): Promise<string>;
  /**
   * While a session's long work runs (Ctrl-C stops it, see repl/interrupt.ts): a SIGINT just
   * outside it is ignored rather than ending the program. Returns the release. Absent: nothing.
   */
  holdInterrupts?(): () => void;
}

// ---- reading with limits -----------------------------------------------------------------------

/**
 * Most bytes read from a file or standard input as a whole (`-f FILE`, `-`): 4 bytes for each of an
 * expression's 2,000,000 characters (UTF-8), so whatever the parser's own limit allows is read.
 */
export const MAX_READ_BYTES = 4 * MAX_INPUT_LENGTH;

/**
 * Most bytes of a value file (`--W @FILE`): a .npy of the engine's 10,000,000 elements takes 80 MB,
 * a CSV of them up to ~25 bytes each.
 */
export const MAX_DATA_BYTES = 256 * 1024 * 1024;

/** Most characters in one line of a stream (`--x -`, `dezero-grad repl < FILE`). */
export const MAX_LINE_LENGTH = MAX_INPUT_LENGTH;

/** How long `-f FIFO` waits for a program to write to the FIFO before giving up. */
export const FIFO_WAIT_MS = 5000;

const CHUNK_BYTES = 1 << 16;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const call = <T>(f: (cb: (e: NodeJS.ErrnoException | null, v: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => f((e, v) => (e ? reject(e) : resolve(v))));

/**
 * All of a file (`source` a path) or of an open descriptor (`source` a number: 0 for standard
 * input) as UTF-8 text, reading at most `limit` bytes: past it, a UsageError saying so, without
 * reading on (`/dev/zero` ends at once). A byte-order mark at the start is read as nothing;
 * invalid UTF-8 becomes U+FFFD, which the lexer then points at. A FIFO is opened without waiting
 * for a writer, and one that nothing writes to for FIFO_WAIT_MS is an error, not a silent hang.
 * Errors of the file system (no such file, a directory) are thrown as they are, for the caller to
 * word; `what` names the source in the messages (default: the path, or "standard input").
 */
export async function readBounded(source: string | number, limit: number, what?: string): Promise<string> {
  const decoder = new TextDecoder('utf-8');
  let text = '';
  const hint = 'an expression is at most 2000000 characters; stream many values one a line with --NAME -';
  await readChunks(source, limit, hint, what, (chunk) => {
    text += decoder.decode(chunk, { stream: true });
  });
  return text + decoder.decode();
}

/**
 * All of a file as bytes (a value file, `--W @weights.npy`), at most `limit` of them: past it, a
 * UsageError with `hint`. FIFOs and errors as readBounded.
 */
export async function readBoundedBytes(path: string, limit: number, hint: string): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  await readChunks(path, limit, hint, undefined, (chunk) => {
    parts.push(Buffer.from(chunk));
  });
  return Buffer.concat(parts);
}

async function readChunks(
  source: string | number,
  limit: number,
  hint: string,
  what: string | undefined,
  take: (chunk: Uint8Array) => void,
): Promise<void> {
  const name = what ?? (typeof source === 'number' ? 'standard input' : source);
  const fd = typeof source === 'number' ? source : await call<number>((cb) => open(source, O_RDONLY | O_NONBLOCK, cb));
  try {
    const fifo = typeof source === 'string' && (await call<Stats>((cb) => fstat(fd, cb))).isFIFO();
    const buffer = Buffer.alloc(CHUNK_BYTES);
    const deadline = Date.now() + FIFO_WAIT_MS;
    let total = 0;
    for (;;) {
      let n: number;
      try {
        n = await call<number>((cb) => read(fd, buffer, 0, CHUNK_BYTES, null, cb));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        await sleep(10); // a non-blocking pipe with its writer still busy
        continue;
      }
      if (n === 0) {
        // A FIFO opened without waiting reads as empty until some program opens it for writing.
        if (!fifo || total > 0) break;
        if (Date.now() > deadline) {
          throw new UsageError(
            `nothing was written to ${name} within ${FIFO_WAIT_MS / 1000} s (it is a FIFO, and no program wrote to it)`,
            `start the program that writes first, or pipe the text in: ... | dezero-grad -`,
          );
        }
        await sleep(20);
        continue;
      }
      total += n;
      if (total > limit) {
        throw new UsageError(`${name} is larger than ${limit} bytes, the most read as one input`, hint);
      }
      take(buffer.subarray(0, n));
    }
  } finally {
    if (typeof source === 'string') await call<void>((cb) => close(fd, (e) => cb(e, undefined))).catch(() => {});
  }
}
