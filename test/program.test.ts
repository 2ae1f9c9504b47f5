/**
 * Programs with named intermediates (issue 11): bindings that keep the graph, updates of leaves,
 * cycles, shadowing, diff inside bindings and functions; programs in files (`-f`, `repl < file`,
 * `:load`), comments, byte-order marks, errors with file:line:column; `repl --json`. The examples
 * are micrograd's own tests and DeZero's steps 16, 18, 28, 29 and 33, against closed forms and the
 * book's printed numbers. Each path runs through the built binary at least once.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Session } from '../src/cli/repl/session.js';
import './helpers/cache-home.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/dezero-grad.js');
const examples = join(root, 'examples');
const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined };
const dir = mkdtempSync(join(tmpdir(), 'dezero-grad-program-'));

/** The built binary with `args`, standard input `input`, in the repository root. */
function cli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { env, input, encoding: 'utf8', cwd: root });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Writes `text` to a file in the test's directory and returns its path. */
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The `NAME = number` lines of an output (result lines and updates), in order. */
function assignments(out: string): [string, number][] {
  const found: [string, number][] = [];
  for (const line of out.split('\n')) {
    const m = /^(\S+) = (-?[\d.e+-]+|NaN|-?Infinity)(?: {2}\(updated, was \S+\))?$/.exec(line);
    if (m !== null) found.push([m[1], Number(m[2])]);
  }
  return found;
}

/** The result lines as numbers by their left side. */
function results(out: string): Record<string, number> {
  return Object.fromEntries(assignments(out));
}

function close(actual: number, expected: number, what: string, rel = 1e-12): void {
  assert.ok(
    Math.abs(actual - expected) <= rel * Math.max(1, Math.abs(expected)),
    `${what}: got ${actual}, expected ${expected}`,
  );
}

/** Runs `lines` in a fresh session; returns the last line's result and the session. */
async function session(lines: readonly string[], options: ConstructorParameters<typeof Session>[0] = {}) {
  const s = new Session(options);
  let last = { out: '', err: '', ok: true, quit: false };
  for (const [i, line] of lines.entries()) {
    last = await s.run(line);
    if (i < lines.length - 1) assert.ok(last.ok, `line ${i + 1} (${line}) failed:\n${last.err}`);
  }
  return { last, s };
}

// ---- micrograd's test/test_engine.py, against closed forms ------------------------------------

// test_sanity_check at x = -4: z = 3x + 2 = -10 < 0, so relu(z) = 0 and relu(z*z) = z^2.
// y = z^2 + q(1 + x) with q = z*x; dy/dx = 2z*3 + (dq/dx)(1 + x) + q, dq/dx = 6x + 2.
const SANITY = (() => {
  const x = -4;
  const z = 3 * x + 2;
  const q = z * x;
  return { y: z * z + q * (1 + x), dx: 2 * z * 3 + (6 * x + 2) * (1 + x) + q };
})();

// test_more_ops at a = -4, b = 2 (b + a < 0 and b - a > 0): c = 3a + 4b + 3, d = 12ab + 12b^3 + b - a,
// e = c - d, g = e^2/2 + 10/e^2; dg/de = e - 20/e^3, de/da = 4 - 12b, de/db = 3 - 12a - 36b^2.
const MORE_OPS = (() => {
  const [a, b] = [-4, 2];
  const e = 3 * a + 4 * b + 3 - (12 * a * b + 12 * b ** 3 + b - a);
  const dge = e - 20 / e ** 3;
  return { g: e ** 2 / 2 + 10 / e ** 2, da: dge * (4 - 12 * b), db: dge * (3 - 12 * a - 36 * b ** 2) };
})();

const lines = (name: string): string[] => readFileSync(join(examples, name), 'utf8').trimEnd().split('\n');

describe("micrograd's tests as a session and as a program file", () => {
  test('test_sanity_check typed line by line: y = -20, dy/dx = 46 (PyTorch agrees)', async () => {
    const { last, s } = await session(lines('micrograd-sanity.dz'));
    assert.deepEqual(results(last.out), { y: SANITY.y, 'dy/dx': SANITY.dx });
    // The trace names the intermediates as the user did, with their gradients.
    const trace = (await s.run(':trace')).out;
    assert.match(trace, /\n {2}z = b \+ x +=/);
    assert.match(trace, /\n {2}q = d \+ f +=/);
    assert.match(trace, /\n {2}h = relu\(c\) =/);
    // dy/dz: through h = z^2 (2z), through q = relu(z) + z*x (x, twice: q and q*x) -> 2z + x(1 + x)
    assert.match(trace, new RegExp(`z\\.grad is now ${2 * -10 + -4 * (1 + -4)}\\)`));
  });

  test('test_sanity_check as a program file: dezero-grad -f', () => {
    const r = cli(['-f', 'examples/micrograd-sanity.dz', '-q']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(results(r.stdout), { y: SANITY.y, 'dy/dx': SANITY.dx });
  });

  test('test_more_ops typed line by line: the new c is built on the old one', async () => {
    const { last, s } = await session(lines('micrograd-more-ops.dz'));
    const r = results(last.out);
    close(r.g, MORE_OPS.g, 'g');
    close(r['dg/da'], MORE_OPS.da, 'dg/da');
    close(r['dg/db'], MORE_OPS.db, 'dg/db');
    const trace = (await s.run(':trace')).out;
    assert.match(trace, /\n {2}c₁ = a \+ b/);
    assert.match(trace, /\n {2}c₂ = \S+ \+ 1/);
  });

  test('test_more_ops as a program file, and through repl < file', () => {
    for (const r of [
      cli(['-f', 'examples/micrograd-more-ops.dz', '-q']),
      cli(['repl'], lines('micrograd-more-ops.dz').join('\n')),
    ]) {
      assert.equal(r.status, 0, r.stderr);
      const out = results(r.stdout);
      close(out.g, MORE_OPS.g, 'g');
      close(out['dg/da'], MORE_OPS.da, 'dg/da');
      close(out['dg/db'], MORE_OPS.db, 'dg/db');
    }
  });
});

// ---- DeZero (Deep Learning from Scratch 3) -------------------------------------------------

/** Step 29 and 33's printed iterates (`print(i, x)` before each update), from the book. */
const NEWTON = [
  2, 1.4545454545454546, 1.1510467893775467, 1.0253259289766978, 1.0009084519430513, 1.0000012353089454,
  1.000000000002289, 1, 1, 1,
];

describe("DeZero's steps written line by line", () => {
  test('step 16: y = 2x^4 at 2 is 32, dy/dx = 8x^3 = 64', () => {
    const r = cli(['-f', 'examples/step16.dz']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(results(r.stdout.split('\nbackward\n')[1]), { y: 2 * 2 ** 4, 'dy/dx': 8 * 2 ** 3 });
    assert.match(r.stdout, /\n {2}a = square\(x\) += 4\n/);
  });

  test('step 18: the intermediates keep their gradients (retain_grad); dy/dx0 = 2, dy/dx1 = 1', () => {
    const r = cli(['-f', 'examples/step18.dz', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const o = JSON.parse(r.stdout);
    assert.deepEqual(o.gradient, { x0: 2, x1: 1 });
    assert.deepEqual(
      o.forward.map((f: { name: string }) => f.name),
      ['t', 'y'],
    );
    assert.deepEqual(o.backward, [
      { name: 'y', grad: 1 },
      { name: 'x0', grad: 2 },
      { name: 't', grad: 1 },
      { name: 'x1', grad: 1 },
    ]);
  });

  for (const step of ['29', '33']) {
    test(`step ${step}: Newton's method prints the book's iterates, in a session and from a file`, async () => {
      const { s } = await session([]);
      const printed: number[] = [];
      for (const line of lines(`step${step}.dz`)) {
        const r = await s.run(line);
        assert.ok(r.ok, r.err);
        for (const [name, value] of assignments(r.out)) if (name === 'x') printed.push(value);
      }
      assert.deepEqual([2, ...printed], NEWTON);
      const f = cli(['-f', `examples/step${step}.dz`, '-q']);
      assert.equal(f.status, 0, f.stderr);
      // -q prints the result only: the minimum f(1) = -1 with f'(1) = 0
      assert.deepEqual(results(f.stdout), { y: -1, 'dy/dx': 0 });
      const updates = cli(['-f', `examples/step${step}.dz`]).stdout;
      assert.deepEqual([2, ...assignments(updates.split('forward')[0]).map(([, v]) => v)], NEWTON);
    });
  }

  test('step 28: Rosenbrock gradient descent from (0, 2), lr 0.001, prints (0.68349178, 0.4656506) after 999 steps', () => {
    // The same iteration with the closed-form gradient: d/dx0 = -400 x0 (x1 - x0^2) - 2(1 - x0), d/dx1 = 200 (x1 - x0^2)
    let [x0, x1] = [0, 2];
    for (let i = 0; i < 999; i++) {
      [x0, x1] = [x0 - 0.001 * (-400 * x0 * (x1 - x0 ** 2) - 2 * (1 - x0)), x1 - 0.001 * 200 * (x1 - x0 ** 2)];
    }
    const program = lines('rosenbrock.dz');
    const step = program[program.length - 1];
    const text = [...program, ...Array(998).fill(step), '# the end', 'x0'].join('\n');
    const r = cli(['-f', file('rosenbrock-999.dz', text), '-q']);
    assert.equal(r.status, 0, r.stderr);
    // the last line is x0 alone: printed under the output's own name (y is bound: z = x0)
    close(results(r.stdout).z, x0, 'x0', 1e-10);
    // The book prints variable(0.68349178) variable(0.4656506) at the last iteration.
    assert.equal(x0.toFixed(8), '0.68349178');
    assert.equal(x1.toFixed(7), '0.4656506');
    const piped = cli(['repl'], text);
    assert.equal(piped.status, 0, piped.stderr);
    const all = assignments(piped.stdout);
    const last1 = all.filter(([n]) => n === 'x1').at(-1)![1];
    close(last1, x1, 'x1', 1e-10);
  });
});

// ---- the semantics, in a session -------------------------------------------------------------

describe('bindings keep the graph', () => {
  test('the output takes a name no binding has', async () => {
    const { last } = await session(['x = 2', 'y = 5', 'x + 1']);
    assert.deepEqual(results(last.out), { z: 3, 'dz/dx': 1 });
  });

  test('an intermediate follows its leaf: rebinding x changes z', async () => {
    const { last } = await session(['x = 2', 'z = x^2 + 1', 'z', 'x = 3', 'z']);
    assert.deepEqual(results(last.out), { z: 3 ** 2 + 1, 'dz/dx': 2 * 3 });
  });

  test('a binding to itself updates a leaf and says so; an update of an intermediate builds on it', async () => {
    const { s } = await session([]);
    assert.equal((await s.run('x = 2')).out, '');
    assert.equal((await s.run('x = x + 1')).out, 'x = 3  (updated, was 2)\n');
    await s.run('z = 2*x');
    await s.run('z = z + x'); // z = 3x
    assert.deepEqual(results((await s.run('z')).out), { z: 3 * 3, 'dz/dx': 3 });
  });

  test('a, b = ... evaluates every right side first: a swap', async () => {
    const { last } = await session(['a = 1', 'b = 2', 'a, b = b, a', 'a - b']);
    assert.deepEqual(results(last.out), { y: 2 - 1, 'dy/da': 1, 'dy/db': -1 });
  });

  test('diff inside a binding, a function, and nested: 2x, 3t^2, its derivative 6x', async () => {
    const { s } = await session(['x = 2', 'd = diff(x^2, x)', 'g(t) = diff(t^3, t)']);
    assert.deepEqual(results((await s.run('d')).out), { d: 2 * 2, 'dd/dx': 2 });
    assert.deepEqual(results((await s.run('g(x)')).out), { y: 3 * 2 ** 2, 'dy/dx': 6 * 2 });
    await s.run('h = g(x)');
    assert.deepEqual(results((await s.run('diff(h, x)')).out), { y: 6 * 2, 'dy/dx': 6 });
  });

  test("the issue's Newton update, with f an intermediate: the book's iterates, not NaN", async () => {
    const { s } = await session(['x = 2', 'f = x^4 - 2*x^2']);
    for (const expected of NEWTON.slice(1, 6)) {
      const r = await s.run('x = x - diff(f, x)/diff(diff(f, x), x)');
      assert.deepEqual(assignments(r.out), [['x', expected]], r.err);
    }
  });

  test('shadowing a function by a binding, and back', async () => {
    const { s } = await session(['f(t) = t^2', 'x = 3']);
    assert.deepEqual(results((await s.run('f(x)')).out), { y: 9, 'dy/dx': 6 });
    assert.ok((await s.run('f = 5')).ok);
    assert.equal(s.functions.has('f'), false);
    assert.deepEqual(results((await s.run('f*x')).out), { y: 15, 'dy/df': 3, 'dy/dx': 5 });
    assert.ok((await s.run('f(t) = t^3')).ok);
    assert.equal(s.variables.has('f'), false);
    assert.deepEqual(results((await s.run('f(x)')).out), { y: 27, 'dy/dx': 27 });
    // On a terminal the replacement is said.
    const echo = new Session({ echo: true });
    await echo.run('f(t) = t');
    assert.match((await echo.run('f = 1')).out, /^f = 1 {2}\(replaces the function f\)\n$/);
    assert.match((await echo.run('f(t) = 2*t')).out, /\(replaces the variable f\)/);
  });
});

describe('what a terminal session shows', () => {
  test('a leaf, an intermediate with its value now, an update; :vars lists them, not the old versions', async () => {
    const s = new Session({ echo: true });
    assert.equal((await s.run('x = 2')).out, 'x = 2\n');
    assert.equal((await s.run('z = x^2 # a comment')).out, `z = x^2  (${2 ** 2} now)\n`);
    assert.equal((await s.run('x = x + 1')).out, 'x = 3  (updated, was 2)\n');
    // the new z is built on the old one, shown as z₁
    assert.equal((await s.run('z = z + 1')).out, `z = z₁ + 1  (${3 ** 2 + 1} now)\n`);
    assert.equal((await s.run(':vars')).out, `x = 3\nz = z₁ + 1  (${3 ** 2 + 1} now)\n`);
    assert.equal((await s.run('# only a comment')).out, '');
  });
});

describe('cycles are refused with a caret', () => {
  const cases: { name: string; lines: string[]; message: RegExp }[] = [
    {
      name: 'a = b after b = a',
      lines: ['b = 1', 'a = 2*b', 'b = a + 1'],
      message: /b would depend on itself: a uses b \(column 5\)\n {2}b = a \+ 1\n {6}\^/,
    },
    {
      name: 'through a chain',
      lines: ['x = 1', 'a = x', 'b = a + 1', 'c = b*2', 'x = c'],
      message: /x would depend on itself: c uses b, b uses a, a uses x \(column 5\)/,
    },
    {
      name: "through a function's free variable",
      lines: ['c = 1', 'f(t) = t + c', 'x = 2', 'c = f(x)'],
      message: /c would depend on itself: f uses c \(column 5\)/,
    },
    {
      name: 'a function through a binding',
      lines: ['f(t) = t', 'x = 1', 'z = f(x)', 'f(t) = t + z'],
      message: /f would call itself through z: recursive definitions are not supported \(column 12\)/,
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const { last, s } = await session(c.lines);
      assert.equal(last.ok, false);
      assert.match(last.err, c.message);
      assert.ok((await s.run('1 + 1')).ok, 'the session goes on');
    });
  }
});

// ---- files, comments, BOM, errors ---------------------------------------------------------------

describe('programs in files', () => {
  test('command-line values give the leaves; a constant binding in the file is the default', () => {
    const path = file(
      'step.dz',
      '# a Newton step\nf(t) = t^4 - 2*t^2\nx = 2   # the default\nx - diff(f(x), x)/diff(diff(f(x), x), x)\n',
    );
    // x - (4x^3 - 4x)/(12x^2 - 4)
    const step = (x: number): number => x - (4 * x ** 3 - 4 * x) / (12 * x ** 2 - 4);
    assert.deepEqual(results(cli(['-f', path, '-q']).stdout).y, step(2));
    assert.deepEqual(results(cli(['-f', path, '--x', '0.5', '-q']).stdout).y, step(0.5));
  });

  test('a command-line value is where a leaf starts: the updates run from it', () => {
    // Newton from 3 converges to the minimum at 1 as from 2: f(1) = -1
    const r = cli(['-f', 'examples/step29.dz', '--x', '3']);
    assert.equal(r.status, 0, r.stderr);
    const first = 3 - (4 * 3 ** 3 - 4 * 3) / (12 * 3 ** 2 - 4);
    assert.ok(r.stdout.startsWith(`x = ${first}  (updated, was 3)\n`), r.stdout.slice(0, 200));
    assert.deepEqual(results(r.stdout.split('\nbackward\n')[1]), { y: -1, 'dy/dx': 0 });
    // a value the program uses only before its last line is not "unused": x = 1 - lr*2x
    const lr = cli(['-f', file('lr.dz', 'lr = 0.1\nx = 1\nx = x - lr*diff(x^2, x)\nx\n'), '--lr', '0.25', '-q']);
    assert.equal(lr.stderr, '');
    assert.deepEqual(results(lr.stdout), { y: 1 - 0.25 * 2, 'dy/dx': 1 });
  });

  test('ranges go through the batch path', () => {
    const path = file('poly.dz', 'z = x^2 + 1\nq = z*x\nq\n');
    const r = cli(['-f', path, '--x', '0:1:0.5', '--format', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    // q = x^3 + x, dq/dx = 3x^2 + 1
    const rows = r.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').map(Number));
    assert.deepEqual(
      rows,
      [0, 0.5, 1].map((x) => [x, x ** 3 + x, 3 * x ** 2 + 1]),
    );
    const update = cli(['-f', file('upd.dz', 'x = x + 1\nx\n'), '--x', '0:1']);
    assert.equal(update.status, 2);
    assert.match(update.stderr, /upd\.dz:1:1: x is updated here, which takes its value at one point/);
  });

  test('a 10,000-line program runs fast: 9,998 intermediates in a chain, then 10,000 updates', () => {
    const chain = ['x = 0.5', 's0 = x', ...Array.from({ length: 9997 }, (_, i) => `s${i + 1} = s${i} + x`), 's9997'];
    assert.equal(chain.length, 10_000);
    let t = Date.now();
    const r = cli(['-f', file('chain.dz', chain.join('\n')), '-q']);
    const chainMs = Date.now() - t;
    assert.equal(r.status, 0, r.stderr);
    // s_k = (k + 1) x
    assert.deepEqual(results(r.stdout), { s9997: 9998 * 0.5, 'ds9997/dx': 9998 });
    const descent = ['x = 1', ...Array(9998).fill('x = x - 0.001*diff(x^2, x)'), 'x'];
    t = Date.now();
    const d = cli(['-f', file('descent.dz', descent.join('\n')), '-q']);
    const descentMs = Date.now() - t;
    assert.equal(d.status, 0, d.stderr);
    // each step multiplies x by 1 - 0.002
    close(results(d.stdout).y, 0.998 ** 9998, 'x', 1e-9);
    assert.ok(chainMs < 5000 && descentMs < 5000, `chain ${chainMs} ms, descent ${descentMs} ms`);
  });

  test('comments: whole lines, after code, and in a one-expression file', () => {
    const path = file('comments.dz', '# header\n\nx = 3 # a leaf\n  # indented\nx^2 # the end\n');
    assert.deepEqual(results(cli(['-f', path, '-q']).stdout), { y: 9, 'dy/dx': 6 });
    const one = file('one.txt', '# just an expression\nsin(x)\n');
    assert.deepEqual(results(cli(['-f', one, '--x', '0', '-q']).stdout), { y: 0, 'dy/dx': 1 });
  });

  test('a byte-order mark is read the same way by -f, by - and by repl <, and by :load', () => {
    const text = '\uFEFFx = 3\r\nx*x\r\n';
    const path = file('bom.dz', text);
    const expected = { y: 9, 'dy/dx': 6 };
    assert.deepEqual(results(cli(['-f', path, '-q']).stdout), expected);
    assert.deepEqual(results(cli(['-f', '-', '-q'], text).stdout), expected);
    assert.deepEqual(results(cli(['-', '-q'], text).stdout), expected);
    assert.deepEqual(results(cli(['repl'], text).stdout), expected);
    assert.deepEqual(results(cli(['repl'], `:load ${path}\n`).stdout), expected);
    // A one-expression file with a mark, too.
    assert.deepEqual(results(cli(['-f', file('bom1.txt', '\uFEFFx*x\n'), '--x', '3', '-q']).stdout), expected);
  });

  const errors: { name: string; text: string; args?: string[]; stderr: RegExp }[] = [
    {
      name: 'an unbound name in a binding',
      text: 'x = 1\n# two\nz = x + y\nz\n',
      stderr:
        /^dezero-grad: bad\.dz:3:9: no value for y\n {2}z = x \+ y\n {10}\^\n {2}hint: bind it first: y = 0\.5\n$/,
    },
    {
      name: 'a syntax error',
      text: 'x = 1\nf(t) = t +\nf(x)\n',
      stderr: /^dezero-grad: bad\.dz:2:11: expression ends after '\+'/,
    },
    {
      name: 'an unbound name in the last line says how to give it',
      text: 'x = 1\nx*y\n',
      stderr:
        /^dezero-grad: bad\.dz:2:3: no value for y\n[^]*hint: give it with --y VALUE, or bind it in [^:]*bad\.dz: y = 0\.5/,
    },
    {
      name: 'the last line is not an expression',
      text: 'x = 1\nz = x\n',
      stderr: /^dezero-grad: bad\.dz:2:1: the last line should be the expression to differentiate/,
    },
    {
      name: 'an expression before the last line',
      text: 'x = 1\nx^2\nx\n',
      stderr: /^dezero-grad: bad\.dz:2:1: only the last line is an expression/,
    },
    {
      name: 'a cycle',
      text: 'b = 1\na = b\nb = a\nb\n',
      stderr: /^dezero-grad: bad\.dz:3:5: b would depend on itself: a uses b/,
    },
  ];
  for (const e of errors) {
    test(`errors name file:line:column with a caret: ${e.name}`, () => {
      const r = cli(['-f', file('bad.dz', e.text), ...(e.args ?? [])]);
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr.replace(dir + '/', ''), e.stderr);
    });
  }

  test(':load FILE runs its lines; an error names the file, line and column', () => {
    const ok = file('lib.dz', 'f(t) = t^3\nx = 2\n');
    const bad = file('broken.dz', 'y = 1\ny = sin(\n');
    const r = cli(['repl'], `:load ${ok}\nf(x)\n:load ${bad}\n:vars\n`);
    assert.equal(r.status, 2);
    // f(x) = x^3 at 2, then :vars: the line before the error ran (y = 1)
    assert.equal(r.stdout, `y = ${2 ** 3}\ndy/dx = ${3 * 2 ** 2}\nx = 2\ny = 1\n`);
    assert.match(r.stderr, /^dezero-grad: \S*broken\.dz:2:9: expression ends after '\('/);
  });
});

describe('dezero-grad repl --json', () => {
  test('one JSON object a result line, the schema of the CLI --json; errors as {"error", "line"}', () => {
    const r = cli(['repl', '--json'], 'x = 0.5\nz = square(x)\n# a comment\nsquare(exp(z))\nsin(y)\nz\n');
    assert.equal(r.status, 2);
    const objects = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(objects.length, 3);
    const cliJson = JSON.parse(cli(['square(exp(square(x)))', '--x', '0.5', '--json']).stdout);
    assert.deepEqual(Object.keys(objects[0]), Object.keys(cliJson));
    assert.equal(objects[0].gradient.x, cliJson.gradient.x);
    assert.deepEqual(objects[1], { error: 'no value for y', line: 5, column: 5 });
    assert.equal(objects[2].value, 0.25);
    assert.equal(r.stderr, '');
  });
});

test('cleanup', () => rmSync(dir, { recursive: true, force: true }));
