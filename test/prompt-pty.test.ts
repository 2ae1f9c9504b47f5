/**
 * A variable with no value, on a real terminal: @inquirer/prompts asks for it, rejects a malformed
 * value with the same message as the command line, and Ctrl-C at the prompt exits 130 quietly.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hasTmux, quote, startTerminal } from './helpers/tmux.js';
import './helpers/cache-home.js';

const bin = fileURLToPath(new URL('../../bin/dezero-grad.js', import.meta.url));
const command = (expr: string): string => `env NO_COLOR=1 ${quote(process.execPath)} ${quote(bin)} ${quote(expr)} -q`;

describe('asking for a missing value', { skip: hasTmux ? false : 'tmux is not installed' }, () => {
  test('asks, validates, and evaluates with the answers', async () => {
    const term = startTerminal(() => command('x^2 + y'));
    try {
      await term.screenUntil('the question for x', (s) => s.includes('? x ='));
      term.type('1abc');
      term.press('Enter');
      await term.screenUntil('the validation message', (s) => s.includes("'1abc' is not a number"));
      term.press('BSpace', 'BSpace', 'BSpace', 'BSpace');
      term.type('3');
      term.press('Enter');
      await term.screenUntil('the question for y', (s) => s.includes('? y ='));
      term.type('pi');
      term.press('Enter');
      const screen = await term.screenUntil('the result', (s) => s.includes('dz/dy'));
      assert.match(screen, new RegExp(`z = ${String(9 + Math.PI).replace('.', '\\.')}\\ndz/dx = 6\\ndz/dy = 1`));
      assert.equal(await term.exitCode(), 0);
    } finally {
      term.close();
    }
  });

  test('Ctrl-C at the question exits 130 without a message', async () => {
    const term = startTerminal((dir) => `${command('x^2')} 2> ${quote(join(dir, 'stderr'))}`);
    try {
      await term.screenUntil('the question', (s) => s.includes('? x ='));
      term.press('C-c');
      assert.equal(await term.exitCode(), 130);
      assert.equal(readFileSync(join(term.dir, 'stderr'), 'utf8'), '');
    } finally {
      term.close();
    }
  });
});
