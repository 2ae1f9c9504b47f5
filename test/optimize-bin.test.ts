/**
 * minimize and root through the built binary, as a user meets them: the output, exit codes, and
 * what only a real process shows: Ctrl-C (a real SIGINT) stops a long run and prints the point
 * so far with exit 130; a terminal sees a progress line, a pipe never does.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hasTmux, quote, startTerminal } from './helpers/tmux.js';
import './helpers/cache-home.js';

const bin = fileURLToPath(new URL('../../bin/dezero-grad.js', import.meta.url));
const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined };
const ROSENBROCK = '100*(y - x^2)^2 + (x - 1)^2';
/** A run far longer than any test waits: gradient descent for 10^8 iterations, tol 0. */
const LONG = ['minimize', ROSENBROCK, '--x', '0', '--y', '2', '--method', 'gd', '--tol', '0', '--iters', '100000000'];

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the binary, sends SIGINT after `ms`, and collects what it wrote and how it ended. */
function interruptAfter(
  args: string[],
  ms: number,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGINT'), ms);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('the binary', () => {
  test("minimize: step 29's Newton iterates", () => {
    const r = cli(['minimize', 'x^4 - 2*x^2', '--x', '2', '--method', 'newton']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\n1 +1\.4545454545454546 /);
    assert.match(r.stdout, /\n2 +1\.1510467893775467 /);
    assert.match(r.stdout, /stopped after 7 iterations: converged/);
    assert.equal(r.stderr, '');
  });
  test('root: sqrt(2), and a bracket without a sign change (exit 2, one message)', () => {
    const r = cli(['root', 'x^2 - 2', '--x', '1', '--json']);
    assert.equal(JSON.parse(r.stdout).point.x, Math.SQRT2);
    const bad = cli(['root', 'x^2 + 1', '--method', 'bisect', '--bracket', '-1:1']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^dezero-grad: no sign change in the bracket/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /);
  });
  test('bad options exit 2', () => {
    for (const args of [
      ['minimize', 'x^2', '--x', '1', '--method', 'gd', '--lr', '0'],
      ['minimize', 'x^2', '--x', '1', '--iters', '2.5'],
      ['minimize', 'x^2', '--x', '1', '--method', 'sgd'],
    ]) {
      const r = cli(args);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, /^dezero-grad: /);
    }
  });
  test('the one-shot form and the session are unchanged', () => {
    assert.equal(cli(['x^2', '--x', '3', '-q']).stdout, 'y = 9\ndy/dx = 6\n');
    const repl = spawnSync(process.execPath, [bin, 'repl'], { env, input: 'x = 2\nx^3\n', encoding: 'utf8' });
    assert.equal(repl.status, 0, repl.stderr);
    assert.match(repl.stdout, /dy\/dx = 12/);
  });
});

describe('Ctrl-C', () => {
  test('SIGINT stops a long run: the point so far, why it stopped, exit 130; no progress line in a pipe', async () => {
    const r = await interruptAfter(LONG, 1500);
    assert.equal(r.code, 130, `signal ${r.signal}, stderr ${r.stderr}`);
    const m = /stopped after (\d+) iterations: interrupted \(Ctrl-C\)/.exec(r.stdout);
    assert.ok(m !== null, r.stdout);
    assert.ok(Number(m[1]) > 0);
    // The last row of the table is the end point, on the way from (0, 2) towards (1, 1).
    const point = /point {3}y = (\S+), x = (\S+)\n/.exec(r.stdout);
    assert.ok(point !== null, r.stdout);
    const [y, x] = [Number(point[1]), Number(point[2])];
    assert.ok(x > 0 && x <= 1 && y > 0 && y < 2, `${x}, ${y}`);
    assert.equal(r.stderr, '', 'no progress line when standard error is a pipe');
  });
  test('with --json: the record so far, reason "interrupted"', async () => {
    const r = await interruptAfter([...LONG.slice(0, 10), '--iters', '3000000', '--json'], 1500);
    assert.equal(r.code, 130, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.reason, 'interrupted');
    assert.equal(j.trajectory.length, j.iterations + 1);
    assert.ok(j.best.value <= j.trajectory[0].value);
  });
});

test('a terminal sees a progress line after half a second; Ctrl-C there stops the run', {
  skip: hasTmux ? false : 'tmux is not installed',
}, async () => {
  const term = startTerminal(
    (dir) =>
      `env NO_COLOR=1 ${quote(process.execPath)} ${quote(bin)} ${LONG.map(quote).join(' ')} > ${quote(join(dir, 'out'))}`,
  );
  try {
    const screen = await term.screenUntil('the progress line', (s) =>
      /iteration \d+ {2}value \S+ {2}\|grad\| \S+/.test(s),
    );
    assert.match(screen, /iteration \d+/);
    term.press('C-c');
    assert.equal(await term.exitCode(), 130);
    const out = readFileSync(join(term.dir, 'out'), 'utf8');
    assert.match(out, /stopped after \d+ iterations: interrupted/);
    // The progress line is cleared at the end.
    const after = await term.screenUntil('the cleared line', (s) => !/iteration \d+ {2}value/.test(s));
    assert.doesNotMatch(after, /\|grad\|/);
  } finally {
    term.close();
  }
});
