/**
 * The REPL end to end on a real pseudo-terminal (tmux runs the built bin). Covers history loaded
 * from and saved to the file, Up recall, Tab completion, Ctrl-C and Ctrl-D. Skipped, with a
 * message, where tmux is not installed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hasTmux, quote, startTerminal } from './helpers/tmux.js';
import './helpers/cache-home.js';

const bin = fileURLToPath(new URL('../../bin/dezero-grad.js', import.meta.url));

test('the REPL on a terminal: history, completion, Ctrl-C, Ctrl-D', {
  skip: hasTmux ? false : 'tmux is not installed',
}, async () => {
  const term = startTerminal((dir) => {
    writeFileSync(join(dir, 'history'), 'x = 0.25\n'); // from an earlier session
    return `env DEZERO_GRAD_HISTORY=${quote(join(dir, 'history'))} NO_COLOR=1 ${quote(process.execPath)} ${quote(bin)}`;
  });
  const history = join(term.dir, 'history');
  try {
    await term.screenUntil('the prompt', (s, last) => s.includes(':help') && last === '>');

    // Up recalls the line saved by the earlier session.
    term.press('Up');
    await term.screenUntil('the recalled line', (_, last) => last === '> x = 0.25');
    term.press('Enter');
    await term.screenUntil('the binding', (s) => /^x = 0\.25$/m.test(s));

    // Tab completes a function name with its parenthesis.
    term.type('squ');
    term.press('Tab');
    await term.screenUntil('the completion', (_, last) => last === '> square(');
    term.type('x)');
    term.press('Enter');
    // d/dx x^2 = 2x
    await term.screenUntil('the result', (s) => s.includes(`dy/dx = ${2 * 0.25}`));

    // Ctrl-C clears the line; Up then recalls the last line entered.
    term.type('sin(garbage');
    term.press('C-c');
    await term.screenUntil('a cleared line', (_, last) => last === '>');
    term.press('Up');
    await term.screenUntil('the recalled expression', (_, last) => last === '> square(x)');
    term.press('Enter');
    await term.screenUntil('the result again', (s) => s.split(`dy/dx = ${2 * 0.25}`).length === 3);

    // Ctrl-D on an empty line leaves with exit code 0.
    term.press('C-d');
    assert.equal(await term.exitCode(), 0);
    // History: oldest first, the repeated line once.
    assert.deepEqual(readFileSync(history, 'utf8').trimEnd().split('\n'), ['x = 0.25', 'square(x)']);
  } finally {
    term.close();
  }
});

test('four sessions entering lines at once into one history file lose no line and corrupt none', {
  skip: hasTmux ? false : 'tmux is not installed',
}, async () => {
  const shared = mkdtempSync(join(tmpdir(), 'dezero-grad-shared-history-'));
  const history = join(shared, 'history');
  const sessions = 4;
  const lines = 60;
  /** Session k's lines: 59 bindings, then one whose echo is not the line itself. */
  const entered = (k: number): string[] => [
    ...Array.from({ length: lines - 1 }, (_, i) => `s${k}_${i} = ${i}`),
    `s${k}_last = 1000 + ${k}`,
  ];
  const terms = Array.from({ length: sessions }, () =>
    startTerminal(
      () => `env DEZERO_GRAD_HISTORY=${quote(history)} NO_COLOR=1 ${quote(process.execPath)} ${quote(bin)}`,
    ),
  );
  try {
    for (const term of terms) await term.screenUntil('the prompt', (s, last) => s.includes(':help') && last === '>');
    // Each session gets its lines as one paste (a carriage return ends each), all four at once.
    terms.forEach((term, k) => term.type(entered(k).join('\r') + '\r'));
    for (const [k, term] of terms.entries()) {
      // The last line's echo, which differs from the line typed (an echo of typeahead), says it ran.
      const last = new RegExp(`^s${k}_last = ${1000 + k}$`, 'm');
      await term.screenUntil(`session ${k}'s last line`, (screen) => last.test(screen));
      term.press('C-d');
    }
    for (const term of terms) assert.equal(await term.exitCode(), 0);
    const saved = readFileSync(history, 'utf8').split('\n');
    assert.equal(saved.pop(), '', 'the file ends with a newline');
    for (const line of saved) assert.match(line, /^s\d_(\d+ = \d+|last = 1000 \+ \d)$/, 'a corrupted line');
    const expected = terms.flatMap((_, k) => entered(k));
    assert.deepEqual([...saved].sort(), [...expected].sort());
    // Each session's lines are in the order it entered them.
    for (let k = 0; k < sessions; k++) {
      const own = saved.filter((l) => l.startsWith(`s${k}_`));
      assert.deepEqual(own, entered(k));
    }
    assert.deepEqual(readdirSync(shared), ['history'], 'no temporary file or lock left behind');
  } finally {
    for (const term of terms) term.close();
    rmSync(shared, { recursive: true, force: true });
  }
});

test('Ctrl-C stops long work in a session and returns to the prompt, the session intact', {
  skip: hasTmux ? false : 'tmux is not installed',
}, async () => {
  const term = startTerminal(() => `env DEZERO_GRAD_HISTORY= NO_COLOR=1 ${quote(process.execPath)} ${quote(bin)}`);
  try {
    await term.screenUntil('the prompt', (s, last) => s.includes(':help') && last === '>');
    // f9(x) expands to ~160,000 operations: seconds of work, under the session's limits.
    const defs = ['x = 0.5', 'f0(t) = sin(t)*cos(t)+t'];
    for (let i = 1; i <= 9; i++) defs.push(`f${i}(t) = f${i - 1}(t)*f${i - 1}(t)+f${i - 1}(t)`);
    term.type(defs.join('\r') + '\r');
    await term.screenUntil('the definitions', (s) => s.includes('f9(t) = f8(t)*f8(t)+f8(t)\n'));
    term.type('f9(x)\r');
    await term.screenUntil('the line entered', (s) => s.includes('> f9(x)'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    term.press('C-c');
    await term.screenUntil('the interruption', (s) =>
      s.includes('dezero-grad: interrupted (Ctrl-C): the line was stopped'),
    );
    // The session goes on: its variables and functions are as they were.
    term.type('sin(x) + f0(x)\r');
    // d/dx [sin(x) + sin(x)cos(x) + x] = cos(x) + cos(2x) + 1
    const slope = Math.cos(0.5) + Math.cos(2 * 0.5) + 1;
    const screen = await term.screenUntil('the next result', (s) => /^dy\/dx = \S+$/m.test(s));
    const shown = Number(/^dy\/dx = (\S+)$/m.exec(screen)![1]);
    assert.ok(Math.abs(shown - slope) < 1e-12, `dy/dx = ${shown}, expected ${slope}`);
    term.press('C-d');
    assert.equal(await term.exitCode(), 0);
  } finally {
    term.close();
  }
});
