/**
 * The real twins of the tests that fake a terminal (test/cli.test.ts's `stdoutIsTTY: true`,
 * test/repl.test.ts's `choose`): the built binary on a real terminal (tmux), for colour and for
 * the questions the session asks.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hasTmux, quote, startTerminal } from './helpers/tmux.js';
import './helpers/cache-home.js';

const bin = fileURLToPath(new URL('../../bin/dezero-grad.js', import.meta.url));
const dezero = (env: string, ...args: string[]): string =>
  `env -u NO_COLOR -u FORCE_COLOR TERM=xterm-256color ${env} ${quote(process.execPath)} ${quote(bin)} ${args.map(quote).join(' ')}`;

describe('on a real terminal', { skip: hasTmux ? false : 'tmux is not installed' }, () => {
  test('the result is coloured, and NO_COLOR turns it off', async () => {
    for (const [env, coloured] of [
      ['', true],
      ['NO_COLOR=1', false],
      ['TERM=dumb', false],
    ] as const) {
      const term = startTerminal(() => dezero(env, 'x^2', '--x', '3', '-q'));
      try {
        await term.screenUntil('the result', (s) => s.includes('dy/dx = 6'));
        assert.equal(await term.exitCode(), 0);
        assert.equal(/\x1b\[[0-9;]*m/.test(term.screenWithEscapes()), coloured, `${env || 'no NO_COLOR'}`);
      } finally {
        term.close();
      }
    }
  });

  test(':clear asks what to forget; :order asks which variable', async () => {
    const term = startTerminal(() => dezero('', 'repl'));
    try {
      await term.screenUntil('the prompt', (_, last) => last.startsWith('>'));
      for (const line of ['x = 1', 'y = 2', 'f(t) = t', 'x*y']) {
        term.type(line);
        term.press('Enter');
      }
      await term.screenUntil('the result', (s) => s.includes('dz/dy = 1'));
      term.type(':order 2');
      term.press('Enter');
      await term.screenUntil('the question', (s) => s.includes('Differentiate by which variable?'));
      term.press('Down');
      term.press('Enter');
      await term.screenUntil('the second derivative by y', (s) => s.includes('d2z/dy2 = 0'));
      term.type(':clear');
      term.press('Enter');
      await term.screenUntil('the choices', (s) => s.includes('the functions'));
      term.press('Down', 'Down');
      term.press('Enter');
      await term.screenUntil('the prompt again', (s, last) => s.includes('the functions') && last.startsWith('>'));
      term.type(':vars');
      term.press('Enter');
      const screen = await term.screenUntil('the variables', (s) =>
        /x = 1\s*\n.*y = 2/s.test(s.split(':vars')[1] ?? ''),
      );
      assert.doesNotMatch(screen.split(':vars')[1], /f\(t\)/);
      term.press('C-d');
      assert.equal(await term.exitCode(), 0);
    } finally {
      term.close();
    }
  });
});
