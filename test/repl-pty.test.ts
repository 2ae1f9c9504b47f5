/**
 * The REPL end to end on a real pseudo-terminal: tmux runs `dezero-grad` (the built bin), the test
 * types with send-keys and reads the screen with capture-pane, polling until what it waits for
 * shows up or a deadline passes. Covers history loaded from and saved to the file, Up recall, Tab
 * completion, Ctrl-C and Ctrl-D. Skipped, with a message, where tmux is not installed.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const bin = fileURLToPath(new URL('../../bin/dezero-grad.js', import.meta.url));
const DEADLINE_MS = 15_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

test('the REPL on a terminal: history, completion, Ctrl-C, Ctrl-D', { skip: hasTmux ? false : 'tmux is not installed' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dezero-grad-pty-'));
  const socket = `dezero-grad-test-${process.pid}`;
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  const history = join(dir, 'history');
  const exitFile = join(dir, 'exit');
  writeFileSync(history, 'x = 0.25\n'); // from an earlier session

  /** Polls the screen until `done` holds for it; fails with the screen when the deadline passes. */
  const screenUntil = async (what: string, done: (screen: string, lastLine: string) => boolean): Promise<string> => {
    const deadline = Date.now() + DEADLINE_MS;
    for (;;) {
      const screen = tmux('capture-pane', '-p', '-t', 'repl').trimEnd();
      const lines = screen.split('\n');
      if (done(screen, lines[lines.length - 1])) return screen;
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; the screen:\n${screen}`);
      await sleep(50);
    }
  };
  const type = (text: string): void => void tmux('send-keys', '-t', 'repl', '-l', text);
  const press = (...keys: string[]): void => void tmux('send-keys', '-t', 'repl', ...keys);

  try {
    const command = `env DEZERO_GRAD_HISTORY=${quote(history)} NO_COLOR=1 ${quote(process.execPath)} ${quote(bin)}; echo $? > ${quote(exitFile)}`;
    tmux('new-session', '-d', '-s', 'repl', '-x', '120', '-y', '40', command);
    await screenUntil('the prompt', (s, last) => s.includes(':help') && last === '>');

    // Up recalls the line saved by the earlier session.
    press('Up');
    await screenUntil('the recalled line', (_, last) => last === '> x = 0.25');
    press('Enter');
    await screenUntil('the binding', (s) => /^x = 0\.25$/m.test(s));

    // Tab completes a function name with its parenthesis.
    type('squ');
    press('Tab');
    await screenUntil('the completion', (_, last) => last === '> square(');
    type('x)');
    press('Enter');
    // d/dx x^2 = 2x
    await screenUntil('the result', (s) => s.includes(`dy/dx = ${2 * 0.25}`));

    // Ctrl-C clears the line; Up then recalls the last line entered.
    type('sin(garbage');
    press('C-c');
    await screenUntil('a cleared line', (_, last) => last === '>');
    press('Up');
    await screenUntil('the recalled expression', (_, last) => last === '> square(x)');
    press('Enter');
    await screenUntil('the result again', (s) => s.split(`dy/dx = ${2 * 0.25}`).length === 3);

    // Ctrl-D on an empty line leaves with exit code 0.
    press('C-d');
    const deadline = Date.now() + DEADLINE_MS;
    while (!existsSync(exitFile) || readFileSync(exitFile, 'utf8') === '') {
      if (Date.now() > deadline) assert.fail('timed out waiting for the REPL to exit after Ctrl-D');
      await sleep(50);
    }
    assert.equal(readFileSync(exitFile, 'utf8').trim(), '0');
    // History: oldest first, the repeated line once.
    assert.deepEqual(readFileSync(history, 'utf8').trimEnd().split('\n'), ['x = 0.25', 'square(x)']);
  } finally {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
    rmSync(dir, { recursive: true, force: true });
  }
});
