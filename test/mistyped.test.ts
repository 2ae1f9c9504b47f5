/**
 * A mistyped option is not taken for a variable: `--precison 3` names --precision (exit 2), and a
 * variable given with one dash says how to give it. Through the built binary, for real.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import './helpers/cache-home.js';

const bin = join(fileURLToPath(new URL('../../', import.meta.url)), 'bin', 'dezero-grad.js');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

test('a --NAME close to an option, which the expression does not use, is that option mistyped (exit 2)', () => {
  for (const [flag, value, option] of [
    ['--precison', '3', '--precision'],
    ['--formt', 'csv', '--format'],
    ['--jsn', '', '--json'],
  ]) {
    const r = run('x^2', '--x', '1', flag, ...(value === '' ? [] : [value]));
    assert.equal(r.status, 2, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`unknown option ${flag}( \\(and the expression has no variable ${flag.slice(2)}\\))?\\n`),
    );
    assert.match(r.stderr, new RegExp(`did you mean ${option}\\?`));
    assert.equal(r.stdout, '');
  }
});

test('a variable of that name is still a variable; an unused far-off name is still a warning', () => {
  const r = run('jsn^2', '--jsn', '3', '-q');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /dy\/djsn = 6/);
  const w = run('x^2', '--x', '1', '--y', '2', '-q');
  assert.equal(w.status, 0);
  assert.match(w.stderr, /warning: --y is given but the expression does not use y/);
});

test('-x 3 says to write --x 3', () => {
  const r = run('x^2', '-x', '3');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /-x is not an option\n {2}hint: to give x a value write --x VALUE/);
});
