/**
 * What a new user hit on a fresh clone (issue 14), each through the built binary: labels that
 * read right, values nobody loses, and a clear message for every slip.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Session } from '../src/cli/repl/session.js';
import './helpers/cache-home.js';

const bin = join(fileURLToPath(new URL('../../', import.meta.url)), 'bin', 'dezero-grad.js');
const run = (args: string[], input?: string) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input, env: { ...process.env, NO_COLOR: '1' } });

test('a bare variable has an output of its own: y = x, dy/dx = 1 (not dx/dx after "nothing to differentiate")', () => {
  const r = run(['x', '--x', '2']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /backward\n {2}\(y is x itself: dy\/dx = 1\)\ny = 2\ndy\/dx = 1\n$/);
  const csv = run(['x', '--x', '1:2', '--format', 'csv']);
  assert.equal(csv.stdout.split('\n')[0], 'x,y,dy/dx');
});

test('a constant prints y = 3, not 3 = 3', () => {
  const r = run(['3']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\(no variables: nothing to differentiate\)\ny = 3\n$/);
});

test('a value the expression does not use: its partial derivative is 0, printed and in --json, with the warning', () => {
  const t = run(['x^2', '--x', '1', '--y', '2', '-q']);
  assert.equal(t.status, 0, t.stderr);
  // y is given, so the output is z
  assert.equal(t.stdout, 'z = 1\ndz/dx = 2\ndz/dy = 0\n');
  assert.match(t.stderr, /warning: --y is given but the expression does not use y/);
  const j = JSON.parse(run(['x^2', '--x', '1', '--y', '2', '--json', '-q']).stdout);
  assert.deepEqual(j.gradient, { x: 2, y: 0 });
  assert.deepEqual(j.variables, { x: 1, y: 2 });
});

test('over many points too, the output is not named after a given value: x^2 --x 0:1 --y 2 has columns x, z, dz/dx', () => {
  const csv = run(['x^2', '--x', '0:1', '--y', '2', '--format', 'csv']);
  assert.equal(csv.stdout, 'x,z,dz/dx\n0,0,0\n1,1,2\n');
  const j = JSON.parse(run(['x^2', '--x', '0:1', '--y', '2', '--json']).stdout);
  assert.equal(j.forward[0].name, 'z');
});

test('--precision rounds the results, never the echoed inputs in --json', () => {
  const j = JSON.parse(run(['x^2', '--x', '1.23456', '--precision', '2', '--json', '-q']).stdout);
  assert.equal(j.variables.x, 1.23456);
  assert.equal(j.value, 1.5);
});

test('an option with no value says so (not "got \'--\'")', () => {
  for (const args of [
    ['x^2', '--x', '1', '--precision'],
    ['x^2', '--x', '1', '--order'],
    ['x^2', '--x', '1', '--format'],
  ]) {
    const r = run(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, new RegExp(`${args[3]} needs a value\\n`));
    assert.doesNotMatch(r.stderr, /'--'/);
  }
});

test('--tree with -q still prints the tree it was asked for', () => {
  const r = run(['x^2', '--x', '1', '--tree', '-q']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^y = x \^ 2 = 1 {3}grad 1\n├─ x = 1 {3}grad 2\n/);
  assert.match(r.stdout, /dy\/dx = 2\n$/);
});

test('dezero-grad repl --x 1 is a session, whose values are bound inside it (and repl --repl 2 an expression)', () => {
  const r = run(['repl', '--x', '1']);
  assert.equal(r.status, 2);
  assert.match(
    r.stderr,
    /the session takes its values inside it, not on the command line\n {2}hint: .*bind them: x = 1\n/,
  );
  const e = run(['repl', '--repl', '2', '-q']);
  assert.equal(e.status, 0, e.stderr);
  assert.equal(e.stdout, 'y = 2\ndy/drepl = 1\n');
});

test('in a session: `y =` hints with the name, a bare variable reads y = x, :order 0 is refused before asking', async () => {
  const r = run(['repl'], 'y =\nx = pi/4\nx\n');
  assert.match(r.stderr, /nothing after '=' \(column 4\)\n {2}y =\n {5}\^\n {2}hint: write y = 0\.5\n/);
  assert.match(r.stdout, /y = 0\.7853981633974483\ndy\/dx = 1\n/);
  let asked = false;
  const session = new Session({
    choose: async () => {
      asked = true;
      return 'x';
    },
  });
  for (const line of ['x = 1', 'y = 2', 'x*y']) assert.ok((await session.run(line)).ok);
  const o = await session.run(':order 0');
  assert.equal(o.ok, false);
  assert.match(o.err, /:order takes a whole number from 1 to 30, got 0/);
  assert.equal(asked, false);
});
