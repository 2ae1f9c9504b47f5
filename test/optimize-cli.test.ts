/**
 * `dezero-grad minimize` and `dezero-grad root` in-process: the text (the book's layout), --json,
 * --format, and every bad option as one exit-2 message. Expected numbers from
 * test/fixtures/optim.json (scripts/optim-fixture.py) and closed forms.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { runCli } from './helpers/cli.js';
import { assertClose } from './helpers/numeric.js';

const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/optim.json', import.meta.url), 'utf8'));
const ROSENBROCK = '100*(y - x^2)^2 + (x - 1)^2';

describe('dezero-grad minimize', () => {
  test("step 29: Newton's iterates, one a row, and the stop at 1", async () => {
    const r = await runCli(['minimize', 'x^4 - 2*x^2', '--x', '2', '--method', 'newton']);
    assert.equal(r.code, 0, r.err);
    const xs = r.out
      .split('\n')
      .filter((l) => /^\s*\d+\s/.test(l))
      .map((l) => Number(l.trim().split(/\s+/)[1]));
    assert.deepEqual(xs, fixture.newton.slice(0, 8));
    assert.match(r.out, /^Newton's method on x\^4 - 2\*x\^2 from x = 2\n/);
    assert.match(r.out, /\nstopped after 7 iterations: converged \(/);
    assert.match(r.out, /\n {2}point {3}x = 1\n {2}value {3}-1\n/);
  });

  test('step 28: gradient descent shows iterations 0, 100, ..., 1000 and ends at the book loop’s point', async () => {
    const r = await runCli(['minimize', ROSENBROCK, '--x', '0', '--y', '2', '--method', 'gd']);
    assert.equal(r.code, 0, r.err);
    const ks = r.out
      .split('\n')
      .filter((l) => /^\s*\d+\s/.test(l))
      .map((l) => Number(l.trim().split(/\s+/)[0]));
    assert.deepEqual(
      ks,
      Array.from({ length: 11 }, (_, i) => 100 * i),
    );
    const [x, y] = fixture.gd['1000'];
    assert.match(r.out, new RegExp(`point {3}y = ${y}, x = ${x}\n`));
    assert.match(r.out, /^gradient descent \(lr 0\.001\) on /);
    assert.match(r.out, /iteration limit/);
  });

  test('--every K shows every K-th iteration', async () => {
    const r = await runCli([
      'minimize',
      'x^2',
      '--x',
      '1',
      '--method',
      'gd',
      '--lr',
      '0.25',
      '--iters',
      '6',
      '--every',
      '3',
    ]);
    // x <- x - 0.25 * 2x = x / 2: 1, 0.5, ..., 1/64
    const rows = r.out.split('\n').filter((l) => /^\s*\d+\s/.test(l));
    assert.deepEqual(
      rows.map((l) => l.trim().split(/\s+/).slice(0, 2).map(Number)),
      [
        [0, 1],
        [3, 1 / 8],
        [6, 1 / 64],
      ],
    );
  });

  test('--json: the trajectory, the point and why it stopped', async () => {
    const r = await runCli(['minimize', ROSENBROCK, '--x', '0', '--y', '2', '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.method, 'lbfgs');
    assert.deepEqual(j.names, ['y', 'x']);
    assert.equal(j.reason, 'converged');
    assert.ok(Math.abs(j.point.x - 1) < 1e-8 && Math.abs(j.point.y - 1) < 1e-8);
    assert.equal(j.trajectory.length, j.iterations + 1);
    assert.deepEqual(j.trajectory[0], { k: 0, x: [2, 0], value: 401, gradNorm: Math.hypot(400, -2) });
  });

  test('--format csv: every iterate, a header first', async () => {
    const r = await runCli([
      'minimize',
      ROSENBROCK,
      '--x',
      '0',
      '--y',
      '2',
      '--method',
      'gd',
      '--iters',
      '1000',
      '--format',
      'csv',
    ]);
    const lines = r.out.trimEnd().split('\n');
    assert.equal(lines[0], 'k,y,x,value,grad_norm');
    assert.equal(lines.length, 1 + 1001);
    assert.equal(lines[1], `0,2,0,401,${Math.hypot(400, -2)}`);
    assert.equal(lines[2].split(',').slice(0, 3).join(','), `1,${fixture.gd['1'][1]},${fixture.gd['1'][0]}`);
    const tsv = await runCli(['minimize', 'x^2', '--x', '1', '--format', 'tsv']);
    assert.match(tsv.out, /^k\tx\tvalue\tgrad_norm\n0\t1\t1\t2\n/);
  });

  test('a long run keeps the rows it shows: x_k = (1 - 2 lr)^k for gradient descent on x^2', async () => {
    const lr = 1e-7;
    const r = await runCli(['minimize', 'x^2', '--x', '1', '--method', 'gd', '--lr', String(lr), '--iters', '150000']);
    const rows = r.out
      .split('\n')
      .filter((l) => /^\s*\d+\s/.test(l))
      .map((l) => l.trim().split(/\s+/).map(Number));
    // 150000 / 10 rows: every 20000th (the round step of at least 15000), and the last.
    assert.deepEqual(
      rows.map(([k]) => k),
      [0, 20000, 40000, 60000, 80000, 100000, 120000, 140000, 150000],
    );
    for (const [k, x] of rows) assertClose(x, (1 - 2 * lr) ** k, `x at ${k}`, 1e-9);
  });

  test('--quiet: why it stopped and the end point only', async () => {
    const r = await runCli(['minimize', 'x^4 - 2*x^2', '--x', '2', '--method', 'newton', '-q']);
    assert.equal(
      r.out,
      'stopped after 7 iterations: converged (the last step, 2.29e-12, is at most tol 1e-10 times 1 + |x|)\n' +
        '  point   x = 1\n  value   -1\n  |grad|  0\n',
    );
  });

  test('colour with --color, none with NO_COLOR or in a pipe', async () => {
    const argv = ['minimize', 'x^2', '--x', '1'];
    assert.match((await runCli([...argv, '--color'])).out, /\x1b\[/);
    assert.doesNotMatch((await runCli(argv, { stdoutIsTTY: true, env: { NO_COLOR: '1' } })).out, /\x1b\[/);
    assert.doesNotMatch((await runCli(argv)).out, /\x1b\[/);
  });

  test('a start for a name the expression does not use is a warning', async () => {
    const r = await runCli(['minimize', 'x^2', '--x', '1', '--z', '2']);
    assert.equal(r.code, 0);
    assert.match(r.err, /warning: --z is given but the expression does not use z/);
  });
});

describe('dezero-grad root', () => {
  test('Newton: sqrt(2) from 1', async () => {
    const r = await runCli(['root', 'x^2 - 2', '--x', '1']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`\n {2}root {4}x = ${Math.SQRT2}\n`));
    assert.match(r.out, /\n1 +1\.5 +0\.25\n/); // 1 - 1/2 = 1.5, 1.5^2 - 2
  });
  test('bisect on a bracket; secant; two equations, as "[f, g]" or two arguments', async () => {
    const b = await runCli(['root', 'cos(x) - x', '--method', 'bisect', '--bracket', '0:1', '--json']);
    assert.ok(Math.abs(JSON.parse(b.out).point.x - fixture.roots.dottie) < 2e-10);
    const s = await runCli(['root', 'exp(x) - 3', '--x', '0', '--method', 'secant', '--json']);
    assert.ok(Math.abs(JSON.parse(s.out).point.x - fixture.roots.ln3) < 1e-15);
    for (const args of [['[x^2 + y^2 - 4, x - y]'], ['x^2 + y^2 - 4', 'x - y']]) {
      const r = await runCli(['root', ...args, '--x', '1', '--y', '2', '--json']);
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(JSON.parse(r.out).point, { x: Math.SQRT2, y: Math.SQRT2 });
    }
  });
  test('--format tsv: every iterate', async () => {
    const r = await runCli(['root', 'x^2 - 2', '--x', '1', '--format', 'tsv']);
    assert.match(r.out, /^k\tx\tf\n0\t1\t-1\n1\t1\.5\t0\.25\n/);
  });
});

describe('bad input: one message, exit 2', () => {
  const cases: [string, string[], RegExp][] = [
    ['lr 0', ['minimize', 'x^2', '--x', '1', '--method', 'gd', '--lr', '0'], /--lr takes a positive number, got '0'/],
    ['lr negative', ['minimize', 'x^2', '--x', '1', '--method', 'gd', '--lr', '-1'], /--lr takes a positive number/],
    ['lr not a number', ['minimize', 'x^2', '--x', '1', '--lr', 'fast'], /--lr takes a positive number, got 'fast'/],
    ['iters 0', ['minimize', 'x^2', '--x', '1', '--iters', '0'], /--iters takes a positive whole number, got '0'/],
    ['iters 1.5', ['minimize', 'x^2', '--x', '1', '--iters', '1.5'], /--iters takes a positive whole number/],
    ['tol negative', ['minimize', 'x^2', '--x', '1', '--tol', '-1'], /--tol takes a number 0 or more/],
    ['an unknown method', ['minimize', 'x^2', '--x', '1', '--method', 'bfgs'], /unknown method 'bfgs'[\s\S]*lbfgs, gd/],
    [
      'lr for L-BFGS',
      ['minimize', 'x^2', '--x', '1', '--lr', '0.1'],
      /--lr applies to gd, momentum and adam, not lbfgs/,
    ],
    ['no start', ['minimize', 'x^2 + y', '--x', '1'], /no value for y[\s\S]*give it with --y VALUE/],
    ['many points', ['minimize', 'x^2', '--x', '0:1:0.5'], /--x takes one start value/],
    ['no expression', ['minimize'], /minimize needs an expression/],
    ['two expressions', ['minimize', 'x', 'y'], /minimize takes one expression, got 2/],
    ['a syntax error', ['minimize', 'x^', '--x', '1'], /\^/],
    ['json and format', ['minimize', 'x^2', '--x', '1', '--json', '--format', 'csv'], /alternatives/],
    [
      'root: no sign change',
      ['root', 'x^2 + 1', '--method', 'bisect', '--bracket', '-1:1'],
      /no sign change in the bracket: f\(-1\) = 2 and f\(1\) = 2/,
    ],
    [
      'root: a flat derivative',
      ['root', 'x^2 - 1', '--x', '0'],
      /the derivative is 0 at x = 0[\s\S]*hint: start elsewhere/,
    ],
    ['root: bisect without a bracket', ['root', 'x - 1', '--method', 'bisect'], /bisection needs a bracket/],
    ['root: a bad bracket', ['root', 'x - 1', '--method', 'bisect', '--bracket', '1'], /--bracket takes a:b, got '1'/],
    ['root: equal ends', ['root', 'x - 1', '--method', 'bisect', '--bracket', '1:1'], /two different finite numbers/],
    ['root: too few equations', ['root', 'x + y', '--x', '1', '--y', '1'], /1 equation in 2 variables/],
    [
      'root: an unknown method',
      ['root', 'x', '--x', '1', '--method', 'brent'],
      /unknown method 'brent'[\s\S]*newton, secant, bisect/,
    ],
    [
      'root: a mistyped option',
      ['root', 'x', '--x', '1', '--brackett', '0:1'],
      /unknown option --brackett[\s\S]*did you mean --bracket\?/,
    ],
    [
      'a mistyped option',
      ['minimize', 'x^2', '--x', '1', '--tool', '3'],
      /unknown option --tool[\s\S]*did you mean --tol\?/,
    ],
    ['a start with one dash', ['minimize', 'x^2', '-x', '1'], /-x is not an option[\s\S]*write --x VALUE/],
  ];
  for (const [what, argv, message] of cases) {
    test(what, async () => {
      const r = await runCli(argv);
      assert.equal(r.code, 2, `${r.out}${r.err}`);
      assert.match(r.err, message);
      assert.match(r.err, /^dezero-grad: /);
      assert.doesNotMatch(r.err, /\n\s+at /);
      assert.equal(r.out, '');
    });
  }
});

describe('the REPL: :minimize and :root on the last expression', () => {
  test("from the values it was evaluated at; step 29's iterates", async () => {
    const r = await runCli(['repl'], { stdin: 'x = 2\nx^4 - 2*x^2\n:minimize newton\n:root bisect 0.5:3\n:root\n' });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Newton's method on x\^4 - 2\*x\^2 from x = 2\n/);
    assert.match(r.out, /\n1 +1\.4545454545454546 /);
    assert.match(r.out, /bisection on x\^4 - 2\*x\^2 = 0 in \[0\.5, 3\]/);
    // x^4 - 2x^2 = 0 at sqrt(2): Newton from 2 gets there to the last bit or one off.
    const roots = [...r.out.matchAll(/root {4}x = (\S+)/g)].map((m) => Number(m[1]));
    assert.equal(roots.length, 2);
    assert.ok(Math.abs(roots[0] - Math.SQRT2) <= 1e-10 * (1 + Math.SQRT2));
    assert.ok(Math.abs(roots[1] - Math.SQRT2) <= 2 * Number.EPSILON);
  });
  test('errors are one message', async () => {
    const r = await runCli(['repl'], { stdin: ':minimize\nx = 3\nx^2 + 1\n:root bisect 0:1\n:minimize sgd\n' });
    assert.equal(r.code, 2);
    assert.match(r.err, /line 1: :minimize shows the last expression, and there is none yet/);
    assert.match(r.err, /line 4: no sign change in the bracket/);
    assert.match(r.err, /line 5: :minimize takes an optional method and the variables to move, got 'sgd'/);
  });
});

describe('the words are subcommands only in first place', () => {
  test('an expression named minimize or root still evaluates', async () => {
    const r = await runCli(['minimize^2', '--minimize', '3', '-q']);
    assert.equal(r.out, 'y = 9\ndy/dminimize = 6\n');
    const r2 = await runCli(['root', '--root', '2', '-q']);
    assert.equal(r2.out, 'y = 2\ndy/droot = 1\n'); // a variable alone: y = root
    const r3 = await runCli(['x*root', '--x', '2', '--root', '3', '-q']);
    assert.equal(r3.code, 0, r3.err);
  });
  test('--help of each subcommand teaches the methods and the stops', async () => {
    const m = await runCli(['minimize', '--help']);
    assert.equal(m.code, 0);
    assert.match(m.out, /Usage: dezero-grad minimize/);
    for (const word of ['lbfgs', 'gd', 'momentum', 'adam', 'newton', 'converged', 'diverging', 'interrupted']) {
      assert.match(m.out, new RegExp(word));
    }
    const r = await runCli(['root', '--help']);
    assert.match(r.out, /Usage: dezero-grad root[\s\S]*bisect[\s\S]*--bracket/);
    const main = await runCli(['--help']);
    assert.match(main.out, /dezero-grad minimize "\(x - 1\)\^2 \+ 100\*\(y - x\^2\)\^2" --x 0 --y 2/);
  });
});
