/**
 * The interactive session: `dezero-grad` with no expression on a terminal, or `dezero-grad repl`.
 * A thin layer over node:readline that moves lines into a Session (session.ts) and its text
 * out. On a terminal: a prompt, line editing, history kept in a file, Tab completion, colour.
 * On piped input: the same language one line at a time, no prompt, no colour; the exit code says
 * whether every line succeeded.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import type { Interface } from 'node:readline';
import { Readable } from 'node:stream';
import { CALLABLE, CONSTANTS } from '../../engine/registry.js';
import { VERSION } from '../../version.js';
import { renderSettings } from '../color.js';
import { EXIT } from '../errors.js';
import type { IO } from '../io.js';
import { COMMANDS } from './commands.js';
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
  return pipedRepl(createInterface, options, io);
}

/** Piped input: each line runs as typed; exit 0 when every line succeeded, 2 when any failed. */
async function pipedRepl(createInterface: CreateInterface, options: ReplOptions, io: IO): Promise<number> {
  // Piped: colour only when forced, no width (the lines are not on a screen).
  const session = new Session({
    settings: await renderSettings({ ...options, color: options.json ? false : options.color }, io.env, false),
    lineNumbers: true,
    json: options.json,
    readFile: (path) => io.readFile(path),
    io: { env: io.env, writeFile: io.writeFile },
  });
  const input = io.input ?? Readable.from([await io.readStdin()]);
  const rl = createInterface({ input, crlfDelay: Infinity, terminal: false });
  let failed = false;
  let first = true;
  for await (const text of rl) {
    const line = first ? text.replace(/^\uFEFF/, '') : text; // a byte-order mark from an editor
    first = false;
    const r = await session.run(line);
    if (r.out !== '') io.out(r.out);
    if (r.err !== '') io.err(r.err);
    if (!r.ok) failed = true;
    if (r.quit) break;
  }
  rl.close();
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
  );
  const session: Session = new Session({
    settings: await renderSettings(options, io.env, io.stdoutIsTTY, io.columns),
    echo: true,
    json: options.json,
    readFile: (path) => io.readFile(path),
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
  ) {}

  /** The next line, or null after Ctrl-D on an empty line (or the end of input). */
  next(): Promise<string | null> {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift()!);
    if (this.ended) return Promise.resolve(null);
    (this.rl ?? this.open()).prompt();
    return new Promise((resolve) => (this.waiting = resolve));
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
 * $XDG_STATE_HOME/dezero-grad/history, else ~/.local/state/dezero-grad/history.
 */
export function historyPath(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const given = env.DEZERO_GRAD_HISTORY;
  if (given !== undefined) return given === '' ? undefined : given;
  const state = env.XDG_STATE_HOME;
  // The XDG spec: a relative path is invalid and is ignored.
  if (state !== undefined && isAbsolute(state)) return join(state, 'dezero-grad', 'history');
  const home = env.HOME !== undefined && env.HOME !== '' ? env.HOME : homedir();
  return join(home, '.local', 'state', 'dezero-grad', 'history');
}

/**
 * The history file: one line per entry, oldest first, at most MAX_HISTORY, no entry equal to the
 * one before it. readline keeps history newest first; load and save turn it around. A file that
 * cannot be read or written is a warning, once, and the session goes on without it.
 */
export class HistoryFile {
  private warned = false;

  constructor(
    readonly path: string | undefined,
    private readonly io: Pick<IO, 'err'>,
  ) {}

  /** Newest first, as readline wants it. */
  load(): string[] {
    if (this.path === undefined) return [];
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.warn('read', e);
      return [];
    }
    const entries: string[] = [];
    for (const line of text.split('\n')) {
      const entry = line.replace(/\r$/, '');
      if (entry.trim() !== '' && entry !== entries[entries.length - 1]) entries.push(entry);
    }
    return entries.slice(-MAX_HISTORY).reverse();
  }

  /** Writes the whole history (newest first, as readline keeps it). */
  save(history: readonly string[]): void {
    if (this.path === undefined || this.warned) return;
    const entries = history.slice(0, MAX_HISTORY).reverse();
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(this.path, entries.join('\n') + '\n', { mode: 0o600 });
    } catch (e) {
      this.warn('write', e);
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
