/**
 * The CLI entry: the only module that touches `process`. argv in, exit code out.
 */
import {
  fstatSync,
  readFileSync,
  readlinkSync,
  type Stats,
  statSync,
  writeFile as writeFileCallback,
  writeSync,
} from 'node:fs';
import { run } from './program.js';
import { EXIT, ExitSignal } from './errors.js';
import { MAX_DATA_BYTES, MAX_READ_BYTES, readBounded, readBoundedBytes, type IO } from './io.js';

/** Standard input as text, chunk by chunk (UTF-8 sequences split across chunks are kept whole). */
const stdinChunks = (): AsyncIterable<string> => streams().stdin.setEncoding('utf8') as AsyncIterable<string>;

let streamsMade = false;
/**
 * process.stdin, .stdout and .stderr, for the paths that read or write through streams (the
 * session, prompts, streaming input). Everything else writes with writeSync, so when no stream was
 * used nothing is left to flush at the end and the process may exit at once (see main). (On a
 * terminal process.stdout is made for its width only, never written to.)
 */
function streams(): NodeJS.Process {
  streamsMade = true;
  return process;
}

/** All of standard input, or of a file, at most MAX_READ_BYTES (io.ts). */
const readStdin = (): Promise<string> => readBounded(0, MAX_READ_BYTES);
const readFile = (path: string): Promise<string> => readBounded(path, MAX_READ_BYTES);
const readBytes = (path: string): Promise<Uint8Array> =>
  readBoundedBytes(path, MAX_DATA_BYTES, 'a value file holds at most 10000000 elements');

// node:fs, not node:fs/promises: the promises module loads readline and streams at start-up.
const writeFile = (path: string, data: string | Uint8Array): Promise<void> =>
  new Promise((resolve, reject) => writeFileCallback(path, data, 'utf8', (e) => (e ? reject(e) : resolve())));

/** A buffer to sleep on (Atomics.wait) while a non-blocking pipe is full. */
let sleep: Int32Array | undefined;

/**
 * Writes to a file descriptor synchronously. Not through process.stdout: creating that stream loads
 * Node's net and stream modules, ~10% of start-up for a one-point run whose output is a pipe. A
 * closed pipe (`| head`) ends the program quietly; other errors on standard output exit 1 (so does
 * a closed standard output, `>&-`: the result would be lost). Standard error that cannot be
 * written to (`2> /dev/full`) is given up on, and the exit code stays the program's. Synchronous
 * writes also give backpressure for free: a long stream of rows waits for its reader.
 */
function writer(write: (buffer: Uint8Array) => void): (text: string) => void {
  return (text) => write(Buffer.from(text, 'utf8'));
}

/** What `writer` writes with: bytes already encoded (see there). */
function bytesWriter(fd: 1 | 2): (buffer: Uint8Array) => void {
  let broken = false;
  return (buffer) => {
    if (broken) return;
    if (fd === 1 && stdoutClosed()) fail(new Error('it is closed'));
    let offset = 0;
    while (offset < buffer.length) {
      try {
        offset += writeSync(fd, buffer, offset);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          sleep ??= new Int32Array(new SharedArrayBuffer(4));
          Atomics.wait(sleep, 0, 0, 1);
          continue;
        }
        if (fd === 2) {
          broken = true; // nowhere left to say anything
          return;
        }
        if (code === 'EPIPE') process.exit(EXIT.OK);
        fail(e as Error);
      }
    }
  };
}

/** Standard output cannot take the result: say so on standard error and exit 1. */
function fail(e: Error): never {
  try {
    writeSync(2, `dezero-grad: cannot write to standard output: ${e.message}\n`);
  } catch {
    // nothing left to report to
  }
  process.exit(EXIT.INTERNAL);
}

let closedStdout: boolean | undefined;
/**
 * Was standard output closed when the program started (`>&-`)? Node then opens /dev/null in its
 * place, read-write, so writes vanish with exit 0. A shell's `> /dev/null` opens it write-only.
 * Known only where /proc tells (Linux); elsewhere false. Only /dev/null is looked at more closely
 * (reading /proc costs start-up time on every run whose output is a pipe or a file).
 */
function stdoutClosed(): boolean {
  if (closedStdout === undefined) {
    try {
      const flags = isDevNull(1) ? /^flags:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/fdinfo/1', 'utf8')) : null;
      closedStdout =
        flags !== null && readlinkSync('/proc/self/fd/1') === '/dev/null' && (parseInt(flags[1], 8) & 3) === 2;
    } catch {
      closedStdout = false;
    }
  }
  return closedStdout;
}

/** The file a descriptor is open on, or undefined when it is not open. */
function statOf(fd: number): Stats | undefined {
  try {
    return fstatSync(fd);
  } catch {
    return undefined;
  }
}

/** Is the descriptor open on /dev/null (a character device, but never a terminal)? */
function isDevNull(fd: number): boolean {
  const stats = statOf(fd);
  if (stats === undefined || !stats.isCharacterDevice()) return false;
  try {
    return stats.rdev === statSync('/dev/null').rdev;
  } catch {
    return false;
  }
}

/**
 * isatty without creating the stdio streams; node:tty (which loads net, through the ES module
 * loader: ~3 ms) only for a character device other than /dev/null (`> /dev/null` is common).
 */
async function isTerminal(fd: number): Promise<boolean> {
  if (!statOf(fd)?.isCharacterDevice() || isDevNull(fd)) return false;
  const { isatty } = await import('node:tty');
  return isatty(fd);
}

/** Runs an @inquirer/prompts question; Ctrl-C at it ends the program quietly with 130. */
async function prompting<T>(question: (prompts: typeof import('@inquirer/prompts')) => Promise<T>): Promise<T> {
  streams(); // the prompts read process.stdin and write process.stdout
  const prompts = await import('@inquirer/prompts');
  try {
    return await question(prompts);
  } catch (e) {
    if (e instanceof Error && e.name === 'ExitPromptError') throw new ExitSignal(EXIT.INTERRUPTED);
    throw e;
  }
}

const ask = (name: string, validate: (text: string) => string | true): Promise<string> =>
  prompting(({ input }) => input({ message: `${name} =`, validate }));

const choose = (message: string, choices: readonly string[]): Promise<string> =>
  prompting(({ select }) => select({ message, choices: choices.map((value) => ({ value })) }));

/** `dot -T<format> -o <file>` with the DOT on standard input (only for --graph). */
async function runGraphviz(dot: string, format: string, file: string): Promise<'ok' | 'missing' | { error: string }> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    const child = spawn('dot', [`-T${format}`, '-o', file], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ENOENT' ? 'missing' : { error: e.message }));
    child.on('close', (code) => {
      resolve(
        code === 0 ? 'ok' : { error: stderr || `dot exited with ${code === null ? 'a signal' : `code ${code}`}` },
      );
    });
    child.stdin.on('error', () => {}); // reported through 'error' or 'close'
    child.stdin.end(dot);
  });
}

/**
 * Runs the program on process.argv and sets process.exitCode. Resolves to true when the run used
 * no stream (the output went out with writeSync): the caller may then end the process at once,
 * without Node's teardown of the heap (~0.5-1 ms of a one-point run).
 */
export async function main(): Promise<boolean> {
  const stdoutIsTTY = await isTerminal(1);
  const stdout = bytesWriter(1);
  const io: IO = {
    out: writer(stdout),
    outBytes: stdout,
    err: writer(bytesWriter(2)),
    env: process.env,
    // Every use asks for both (prompts, the REPL), so stdin is examined only when stdout is a terminal.
    stdinIsTTY: stdoutIsTTY && (await isTerminal(0)),
    stdoutIsTTY,
    stderrIsTTY: () => isTerminal(2),
    onInterrupt: (handler) => {
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
    columns: stdoutIsTTY ? process.stdout.columns : undefined,
    rows: stdoutIsTTY ? process.stdout.rows : undefined,
    readStdin,
    stdinChunks,
    readFile,
    readBytes,
    ask,
    writeFile,
    runGraphviz,
    // Getters: the streams are created only by the paths that use them (the REPL on a terminal).
    get input() {
      return streams().stdin;
    },
    get output() {
      return streams().stdout;
    },
    choose,
    holdInterrupts: () => {
      const ignore = (): void => {};
      process.on('SIGINT', ignore);
      return () => void process.off('SIGINT', ignore);
    },
  };
  process.exitCode = await run(process.argv.slice(2), io);
  return !streamsMade;
}
