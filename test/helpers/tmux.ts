/**
 * A real pseudo-terminal for end-to-end tests: tmux runs a command on its own socket, the test
 * types with send-keys and reads the screen with capture-pane, polling until what it waits for
 * shows up or a deadline passes.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import './cache-home.js';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const DEADLINE_MS = 15_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
export const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export interface Terminal {
  /** A scratch folder, removed by close(). */
  dir: string;
  /** Polls the screen until `done` holds for it; fails with the screen when the deadline passes. */
  screenUntil(what: string, done: (screen: string, lastLine: string) => boolean): Promise<string>;
  /** The screen now, with its colours as escape sequences (capture-pane -e). */
  screenWithEscapes(): string;
  /** Types text literally. */
  type(text: string): void;
  /** Presses keys by tmux name: Enter, Up, Tab, C-c, C-d. */
  press(...keys: string[]): void;
  /** Waits for the command to end and returns its exit code. */
  exitCode(): Promise<number>;
  close(): void;
}

/** Starts `command` (a shell command line) in a 120x40 terminal; the terminal stays open after it ends, so its last screen can be read. */
export function startTerminal(command: (dir: string) => string): Terminal {
  const dir = mkdtempSync(join(tmpdir(), 'dezero-grad-pty-'));
  const socket = `dezero-grad-test-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const tmux = (...args: string[]): string =>
    execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  const exitFile = join(dir, 'exit');
  tmux(
    'new-session',
    '-d',
    '-s',
    'term',
    '-x',
    '120',
    '-y',
    '40',
    `${command(dir)}; echo $? > ${quote(exitFile)}; sleep 600`,
  );
  return {
    dir,
    async screenUntil(what, done) {
      const deadline = Date.now() + DEADLINE_MS;
      for (;;) {
        const screen = tmux('capture-pane', '-p', '-t', 'term').trimEnd();
        const lines = screen.split('\n');
        if (done(screen, lines[lines.length - 1])) return screen;
        if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; the screen:\n${screen}`);
        await sleep(50);
      }
    },
    screenWithEscapes: () => tmux('capture-pane', '-p', '-e', '-t', 'term'),
    type: (text) => void tmux('send-keys', '-t', 'term', '-l', text),
    press: (...keys) => void tmux('send-keys', '-t', 'term', ...keys),
    async exitCode() {
      const deadline = Date.now() + DEADLINE_MS;
      while (!existsSync(exitFile) || readFileSync(exitFile, 'utf8') === '') {
        if (Date.now() > deadline) assert.fail('timed out waiting for the command to exit');
        await sleep(50);
      }
      return Number(readFileSync(exitFile, 'utf8').trim());
    },
    close() {
      spawnSync('tmux', ['-L', socket, 'kill-server']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
