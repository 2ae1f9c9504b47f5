/**
 * The REPL end to end on a real pseudo-terminal (tmux runs the built bin). Covers history loaded
 * from and saved to the file, Up recall, Tab completion, Ctrl-C and Ctrl-D. Skipped, with a
 * message, where tmux is not installed.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hasTmux, quote, startTerminal } from './helpers/tmux.js';

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
