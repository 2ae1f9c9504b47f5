/**
 * The interactive session: `dezero-grad` with no expression on a terminal, or `dezero-grad repl`.
 * A thin layer over node:readline that moves lines into a Session (session.ts) and its text
 * out. On a terminal: a prompt, line editing, history kept in a file, Tab completion, colour.
 * On piped input: the same language one line at a time, no prompt, no colour; the exit code says
 * whether every line succeeded.
 */
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import type { Interface } from 'node:readline';
import { CALLABLE, CONSTANTS } from '../../engine/registry.js';
import { VERSION } from '../../version.js';
import { renderSettings } from '../color.js';
import { EXIT, UsageError } from '../errors.js';
import { MAX_LINE_LENGTH, type IO } from '../io.js';
import { boundedLines } from '../lines.js';
import { formatError } from '../messages.js';
import { COMMANDS } from './commands.js';
import { interruptible, InterruptedError } from './interrupt.js';
import { Session } from './session.js';

export interface ReplOptions {
  precision?: number;
  /** JSON Lines: one object a result, errors as {"error", "line"} (see Session's `json`). */
  json?: boolean;
  /** --color / --no-color; undefined when neither was given. */
  color?: boolean;
}

/** Most lines kept in the history file. */
export const MAX_HISTORY = 1000;

const PROMPT = '> ';

type CreateInterface = typeof import('node:readline').createInterface;

export async function replCommand(options: ReplOptions, io: IO): Promise<number> {
  // Loaded here, not at start-up: only the session needs readline.
  const { createInterface } = await import('node:readline');
  if (io.stdinIsTTY && io.stdoutIsTTY && io.input !== undefined && io.output !== undefined) {
    return terminalRepl(createInterface, options, io, io.input, io.output);
  }
  return pipedRepl(options, io);
}

/** Piped input: each line runs as typed; exit 0 when every line succeeded, 2 when any failed. */
async function pipedRepl(options: ReplOptions, io: IO): Promise<number> {
  // Piped: colour only when forced, no width (the lines are not on a screen).
  const session = new Session({
    settings: await renderSettings({ ...options, color: options.json ? false : options.color }, io.env, false),
    lineNumbers: true,
    json: options.json,
    readFile: (path) => io.readFile(path),
    io: { env: io.env, writeFile: io.writeFile },
  });
  // Lines as they arrive, each bounded (a file with no newline, /dev/zero, is not read whole).
  const chunks: AsyncIterable<string> =
    io.stdinChunks?.() ??
    (async function* () {
      yield await io.readStdin();
    })();
  let failed = false;
  let first = true;
  try {
    for await (const text of boundedLines(chunks, MAX_LINE_LENGTH)) {
      const line = first ? text.replace(/^\uFEFF/, '') : text; // a byte-order mark from an editor
      first = false;
      const r = await session.run(line);
      if (r.out !== '') io.out(r.out);
      if (r.err !== '') io.err(r.err);
      if (!r.ok) failed = true;
      if (r.quit) break;
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(formatError(e)); // a line too long: the session ends there
    return EXIT.BAD_INPUT;
  }
  return failed ? EXIT.BAD_INPUT : EXIT.OK;
}

async function terminalRepl(
  createInterface: CreateInterface,
  options: ReplOptions,
  io: IO,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): Promise<number> {
  const history = new HistoryFile(historyPath(io.env), io);
  const lines: TerminalLines = new TerminalLines(
    createInterface,
    input,
    output,
    history.load(),
    (line) => complete(session, line),
    (h) => history.save(h),
    io.holdInterrupts,
  );
  const session: Session = new Session({
    settings: await renderSettings(options, io.env, io.stdoutIsTTY, io.columns),
    echo: true,
    json: options.json,
    readFile: (path) => io.readFile(path),
    guard: (work) => lines.interruptibly(work),
    io: { env: io.env, columns: io.columns, rows: io.rows, writeFile: io.writeFile },
    choose:
      io.choose === undefined ? undefined : (message, choices) => lines.suspend(() => io.choose!(message, choices)),
  });
  // With --json, standard output carries JSON Lines only.
  if (options.json !== true)
    io.out(
      session.style.dim(
        `dezero-grad ${VERSION}: type an expression, x = 0.5 or f(t) = ...; :help for more, Ctrl-D to leave`,
      ) + '\n',
    );
  for (;;) {
    const line = await lines.next();
    if (line === null) {
      io.out('\n');
      break;
    }
    const r = await session.run(line);
    if (r.out !== '') io.out(r.out);
    if (r.err !== '') io.err(r.err);
    if (r.quit) break;
  }
  lines.close();
  return EXIT.OK;
}

/**
 * Lines from a terminal through readline, one `next()` at a time. Lines typed (or pasted) while
 * the previous one runs wait in a queue. `suspend` hands the terminal to another reader (an
 * @inquirer/prompts question) and takes it back afterwards, history and queue intact.
 */
class TerminalLines {
  private rl: Interface | undefined;
  private readonly queue: (string | null)[] = [];
  private waiting: ((line: string | null) => void) | undefined;
  private ended = false;

  constructor(
    private readonly createInterface: CreateInterface,
    private readonly input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WritableStream,
    private history: string[],
    private readonly completer: (line: string) => [string[], string],
    private readonly onHistory: (history: readonly string[]) => void,
    private readonly holdInterrupts?: () => () => void,
  ) {}

  /** The next line, or null after Ctrl-D on an empty line (or the end of input). */
  next(): Promise<string | null> {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift()!);
    if (this.ended) return Promise.resolve(null);
    (this.rl ?? this.open()).prompt();
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /**
   * Runs a line's synchronous work so that Ctrl-C stops it (interrupt.ts): readline's raw mode is
   * left meanwhile, so that the terminal sends Ctrl-C as a signal rather than as a key readline
   * would read only after the work. A stray signal just outside the work is ignored, not fatal.
   */
  interruptibly<T>(work: () => T): T {
    const tty = this.input as NodeJS.ReadStream;
    const raw = tty.isTTY === true && tty.isRaw;
    const release = this.holdInterrupts?.();
    if (raw) tty.setRawMode(false);
    try {
      return interruptible(work);
    } catch (e) {
      if (e instanceof InterruptedError) this.output.write('\n'); // after the terminal's ^C
      throw e;
    } finally {
      if (raw) tty.setRawMode(true);
      release?.();
    }
  }

  async suspend<T>(run: () => Promise<T>): Promise<T> {
    this.close();
    return run(); // next() opens readline again
  }

  close(): void {
    const rl = this.rl;
    this.rl = undefined;
    rl?.close();
  }

  private open(): Interface {
    const rl = this.createInterface({
      input: this.input,
      output: this.output,
      terminal: true,
      prompt: PROMPT,
      completer: this.completer,
      history: this.history,
      historySize: MAX_HISTORY,
    });
    rl.on('line', (line) => this.push(line));
    rl.on('history', (history: string[]) => {
      this.history = history;
      this.onHistory(history);
    });
    // Ctrl-C clears the line (to the end, then everything left of the cursor).
    rl.on('SIGINT', () => {
      rl.write(null as unknown as string, { ctrl: true, name: 'e' });
      rl.write(null as unknown as string, { ctrl: true, name: 'u' });
    });
    // Ctrl-D on an empty line, or the end of input; not a close of our own.
    rl.on('close', () => {
      if (this.rl !== rl) return;
      this.rl = undefined;
      this.ended = true;
      this.push(null);
    });
    this.rl = rl;
    return rl;
  }

  private push(line: string | null): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting !== undefined) waiting(line);
    else this.queue.push(line);
  }
}

/**
 * Tab completion: after a leading `:`, the commands; after `:clear`, the names it can forget;
 * elsewhere the word before the cursor among the functions (completed with their `(`), the
 * variables and the constants.
 */
export function complete(session: Session, line: string): [string[], string] {
  const command = /^\s*(:[A-Za-z]*)$/.exec(line);
  if (command !== null) {
    const word = command[1];
    return [COMMANDS.map((c) => ':' + c.name).filter((c) => c.startsWith(word)), word];
  }
  const word = /[A-Za-z_][A-Za-z0-9_]*$/.exec(line)?.[0] ?? '';
  if (word === '') return [[], ''];
  const variables = [...session.variables.values()].filter((b) => b.kind === 'leaf' || !b.hidden).map((b) => b.name);
  const names = /^\s*:c[a-z]*\s/.test(line)
    ? [...variables, ...session.functions.keys()]
    : [
        ...CALLABLE.map((op) => op.name + '('),
        ...[...session.functions.keys()].map((name) => name + '('),
        ...variables,
        ...CONSTANTS.keys(),
      ];
  return [names.filter((n) => n.startsWith(word)).sort(), word];
}

/**
 * Where history is kept: DEZERO_GRAD_HISTORY (empty: nowhere), else
 * $XDG_STATE_HOME/dezero-grad/history, else ~/.local/state/dezero-grad/history. A HOME that is
 * empty or relative (`HOME=''`) keeps no history: never a file in the current directory.
 */
export function historyPath(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const given = env.DEZERO_GRAD_HISTORY;
  if (given !== undefined) return given === '' ? undefined : given;
  const state = env.XDG_STATE_HOME;
  // The XDG spec: a relative path is invalid and is ignored.
  if (state !== undefined && isAbsolute(state)) return join(state, 'dezero-grad', 'history');
  const home = env.HOME !== undefined ? env.HOME : homedir();
  if (!isAbsolute(home)) return undefined;
  return join(home, '.local', 'state', 'dezero-grad', 'history');
}

/** Most bytes of a history file read (1,000 lines of a few hundred characters, with room). */
const MAX_HISTORY_BYTES = 4 * 1024 * 1024;
/** How long a session waits for another to finish writing the history file (it then writes anyway). */
const LOCK_WAIT_MS = 2000;
/** A lock older than this was left by a session that died while writing: taken over. */
const STALE_LOCK_MS = 10_000;
const NAP = new Int32Array(new SharedArrayBuffer(4));

/**
 * The history file: one line per entry, oldest first, at most MAX_HISTORY, no entry equal to the
 * one before it. readline keeps history newest first; load turns it around. Each line entered is
 * added to what the file holds now (other sessions' lines included): under a lock file, the file
 * is read, the line appended, and the whole written to a temporary file renamed over it, so a
 * reader never sees half a file and two sessions never overwrite each other's lines. A symbolic
 * link, a FIFO or anything but a regular file is refused (never followed, never waited on), and
 * a file that cannot be read or written is a warning, once; the session goes on without history.
 */
export class HistoryFile {
  private warned = false;
  /** The last line added, so that readline's event for an unchanged history adds nothing. */
  private lastAdded: string | undefined;

  constructor(
    readonly path: string | undefined,
    private readonly io: Pick<IO, 'err'>,
  ) {}

  /** Newest first, as readline wants it. */
  load(): string[] {
    if (this.path === undefined || this.warned) return [];
    let text: string | undefined;
    try {
      text = this.read();
    } catch (e) {
      this.warn('read', e);
      return [];
    }
    const entries = entriesOf(text ?? '');
    return entries.slice(-MAX_HISTORY).reverse();
  }

  /**
   * Called with readline's history (newest first) each time a line is entered: adds the newest
   * entry to the file as it is now.
   */
  save(history: readonly string[]): void {
    const entry = history[0];
    if (this.path === undefined || this.warned || entry === undefined || entry === this.lastAdded) return;
    this.lastAdded = entry;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const unlock = this.lock();
      try {
        const entries = entriesOf(this.read() ?? '');
        if (entries[entries.length - 1] !== entry) entries.push(entry);
        const temp = `${this.path}.${Math.random().toString(36).slice(2)}.tmp`;
        try {
          writeFileSync(temp, entries.slice(-MAX_HISTORY).join('\n') + '\n', { mode: 0o600, flag: 'wx' });
          renameSync(temp, this.path);
        } catch (e) {
          rmSync(temp, { force: true });
          throw e;
        }
      } finally {
        unlock();
      }
    } catch (e) {
      this.warn('write', e);
    }
  }

  /**
   * The file's text, or undefined when there is none yet. Opened without following a symbolic
   * link and without waiting on a FIFO; anything but a regular file is refused.
   */
  private read(): string | undefined {
    let fd: number;
    try {
      fd = openSync(this.path!, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code === 'ELOOP') throw new Error('it is a symbolic link (not followed)');
      throw e;
    }
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile()) throw new Error(`it is not a regular file (${stat.isFIFO() ? 'a FIFO' : 'a special file'})`);
      if (stat.size > MAX_HISTORY_BYTES) throw new Error(`it is larger than ${MAX_HISTORY_BYTES} bytes`);
      return readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  }

  /** Takes the lock file beside the history file (waiting a little for another session); returns its release. */
  private lock(): () => void {
    const lock = `${this.path}.lock`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        closeSync(openSync(lock, 'wx', 0o600));
        return () => rmSync(lock, { force: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { force: true });
      } catch {
        // released meanwhile: try again
      }
      if (Date.now() > deadline) return () => {}; // a lock that is never released: write anyway
      Atomics.wait(NAP, 0, 0, 2);
    }
  }

  private warn(what: string, e: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.io.err(
      `dezero-grad: warning: cannot ${what} the history file ${this.path}: ${(e as Error).message}; history is not kept\n`,
    );
  }
}

/** The entries of a history file's text, oldest first, without blank lines or repeats in a row. */
function entriesOf(text: string): string[] {
  const entries: string[] = [];
  for (const line of text.split('\n')) {
    const entry = line.replace(/\r$/, '');
    if (entry.trim() !== '' && entry !== entries[entries.length - 1]) entries.push(entry);
  }
  return entries;
}
