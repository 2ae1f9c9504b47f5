/**
 * Vectors and matrices in programs, the REPL and minimize (issue 16). Expected values are closed
 * forms written as their formulas, numpy's lstsq (scripts/lstsq-fixture.py) and the book's step 43
 * losses made by numpy-DeZero (scripts/dezero-fixtures.py).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { minimize, root as findRoot } from '../src/index.js';
import { Program } from '../src/api/program.js';
import { Session } from '../src/cli/repl/session.js';
import { ShapeError, Tensor, tensor, type Nested, type Value } from '../src/engine/tensor.js';
import { ExprError } from '../src/expr/errors.js';
import { parse } from '../src/expr/parse.js';
import { tensorObjectiveOf } from '../src/api/objective.js';
import './helpers/cache-home.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(repo, 'bin/dezero-grad.js');
const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined };
const dir = mkdtempSync(join(tmpdir(), 'dezero-grad-tensor-programs-'));

function cli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { env, input, encoding: 'utf8', cwd: repo });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A value as nested arrays (a number as itself). */
const nested = (v: Value | undefined): unknown => (v instanceof Tensor ? v.toArray() : v);

function assertNear(actual: Value, expected: Nested, tol: number, what: string): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual.data);
  const e = [expected].flat(Infinity as 1) as number[];
  assert.equal(a.length, e.length, `${what}: ${a.length} elements, expected ${e.length}`);
  a.forEach((x, i) =>
    assert.ok(Math.abs(x - e[i]) <= tol * (1 + Math.abs(e[i])), `${what}[${i}]: ${x}, expected ${e[i]}`),
  );
}

// W x - t with W = [1, 2; 3, 4], x = [1; 1], t = [2; 5]: r = [1*1 + 2*1 - 2; 3*1 + 4*1 - 5] = [1; 2]
const r = [1 * 1 + 2 * 1 - 2, 3 * 1 + 4 * 1 - 5];
// y = sum(r.^2); dy/dW = 2 r x^T; dy/dx = 2 W^T r; dy/dt = -2 r
const gW = [
  [2 * r[0] * 1, 2 * r[0] * 1],
  [2 * r[1] * 1, 2 * r[1] * 1],
];
const gx = [[2 * (1 * r[0] + 3 * r[1])], [2 * (2 * r[0] + 4 * r[1])]];
const LINES = ['W = [1, 2; 3, 4]', 'x = [1; 1]', 't = [2; 5]', 'y = sum((W*x - t).^2)'];

describe('programs over vectors and matrices', () => {
  test('leaves hold tensors, an intermediate follows them, gradients are shaped like the leaves', () => {
    const p = new Program();
    for (const line of LINES) p.run(line);
    const leaf = p.bindings.get('W');
    assert.equal(leaf?.kind, 'leaf');
    assert.deepEqual(nested((leaf as { value: Value }).value), [
      [1, 2],
      [3, 4],
    ]);
    const out = p.run('y');
    assert.equal(out.type, 'result');
    if (out.type !== 'result') return;
    assert.equal(out.result.value, r[0] ** 2 + r[1] ** 2);
    assert.deepEqual(nested(out.result.gradient.W), gW);
    assert.deepEqual(nested(out.result.gradient.x), gx);
    assert.deepEqual(nested(out.result.gradient.t), [[-2 * r[0]], [-2 * r[1]]]);
    assert.deepEqual(nested(p.valueOf('y')), r[0] ** 2 + r[1] ** 2);
  });

  test('W = W - 0.1 * diff(y, W) updates the matrix, and y follows it', () => {
    const p = new Program();
    for (const line of LINES) p.run(line);
    const out = p.run('W = W - 0.1 * diff(y, W)');
    assert.equal(out.type, 'bound');
    if (out.type !== 'bound') return;
    const W1 = [
      [1 - 0.1 * gW[0][0], 2 - 0.1 * gW[0][1]],
      [3 - 0.1 * gW[1][0], 4 - 0.1 * gW[1][1]],
    ];
    assertNear((out.bindings[0].binding as { value: Value }).value, W1, 1e-15, 'W');
    assert.deepEqual(nested(out.bindings[0].was), [
      [1, 2],
      [3, 4],
    ]);
    // y at the new W: r' = W1 [1; 1] - t
    const r1 = [W1[0][0] + W1[0][1] - 2, W1[1][0] + W1[1][1] - 5];
    assertNear(p.valueOf('y'), r1[0] ** 2 + r1[1] ** 2, 1e-14, 'y');
  });

  test('a tensor leaf must be finite: the element that is not is named', () => {
    const p = new Program();
    assert.throws(
      () => p.run('v = log([1, -1])'),
      (e: unknown) => e instanceof ExprError && /v would hold NaN: a leaf needs a finite value/.test(e.message),
    );
  });

  test('-f: the update prints as numpy does, and --json gives nested gradients', () => {
    const path = file('lsq.dz', [...LINES, 'W = W - 0.1 * diff(y, W)', 'y', ''].join('\n'));
    const text = cli(['-f', path]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^W = \[\[0\.8, 1\.8\],\n {5}\[2\.6, 3\.6\]\] {2}\[2, 2\] {2}\(updated\)\n/);
    const json = cli(['-f', path, '--json', '-q']);
    assert.equal(json.status, 0, json.stderr);
    const obj = JSON.parse(json.stdout);
    assert.deepEqual(obj.variables.x, [[1], [1]]);
    // at W1 = W - 0.1 gW: dy/dx = 2 W1^T r1
    const W1 = [
      [0.8, 1.8],
      [2.6, 3.6],
    ];
    const r1 = [W1[0][0] + W1[0][1] - 2, W1[1][0] + W1[1][1] - 5];
    assertNear(
      tensor(obj.gradient.x),
      [[2 * (W1[0][0] * r1[0] + W1[1][0] * r1[1])], [2 * (W1[0][1] * r1[0] + W1[1][1] * r1[1])]],
      1e-14,
      'dy/dx',
    );
  });

  test('-f: a command-line matrix replaces the default the file binds', () => {
    const path = file('given.dz', [...LINES, 'y', ''].join('\n'));
    const res = cli(['-f', path, '--W', '[0, 0; 0, 0]', '--json', '-q']);
    assert.equal(res.status, 0, res.stderr);
    const obj = JSON.parse(res.stdout);
    // W = 0: y = sum(t.^2)
    assert.equal(obj.value, 2 ** 2 + 5 ** 2);
    assert.deepEqual(obj.gradient.W, [
      [-2 * 2, -2 * 2],
      [-2 * 5, -2 * 5],
    ]);
  });

  test('-f: --check on a program with a matrix checks every element of every leaf', () => {
    const path = file('check.dz', [...LINES, 'y', ''].join('\n'));
    const res = cli(['-f', path, '--check', '-q']);
    assert.equal(res.status, 0, res.stderr);
    // y = |W x - t|^2 with W x - t = [1; 2]: dy/dW = 2 r x' = [[2, 2], [4, 4]], closed form.
    assert.match(res.stdout, /^dy\/dW = \[\[2, 2\],\n {9}\[4, 4\]\] {2}\[2, 2\]$/m);
    assert.match(res.stdout, /ok: all 8 elements agree/);
  });
});

describe('the REPL over vectors and matrices', () => {
  async function session(lines: string[]): Promise<{ out: string; err: string; ok: boolean }[]> {
    const s = new Session({ echo: true });
    const results = [];
    for (const line of lines) results.push(await s.run(line));
    return results;
  }

  test('bindings echo as numpy prints them, :vars too, and the gradient is shaped like W', async () => {
    const [W, , , y, expr, vars] = await session([...LINES, 'y', ':vars']);
    assert.equal(W.out, 'W = [[1, 2],\n     [3, 4]]  [2, 2]\n');
    assert.equal(y.out, `y = sum((W*x - t).^2)  (${r[0] ** 2 + r[1] ** 2} now)\n`);
    assert.match(expr.out, /^y = 5\ndy\/dW = \[\[2, 2\],\n {9}\[4, 4\]\] {2}\[2, 2\]\n/);
    assert.match(vars.out, /^W = \[\[1, 2\],\n {5}\[3, 4\]\] {2}\[2, 2\]\nx = \[\[1\],\n {5}\[1\]\] {2}\[2, 1\]\n/);
    assert.match(vars.out, /\ny = sum\(\(W\*x - t\)\.\^2\) {2}\(5 now\)\n$/);
  });

  test('an intermediate with a matrix value longer than a line shows its shape in :vars', async () => {
    const [, z] = await session(['W = [1, 2; 3, 4]', 'z = 2*W']);
    assert.equal(z.out, 'z = 2*W  (shape [2, 2] now)\n');
  });

  test(':check, :order, :root and :plot refuse a matrix with one message; :minimize takes it', async () => {
    const results = await session([...LINES, 'y', ':check', ':order 2', ':root', ':plot x 0:1', ':minimize gd']);
    for (const [i, cmd] of ['check', 'order', 'root', 'plot'].entries()) {
      const res = results[5 + i];
      assert.equal(res.ok, false, cmd);
      assert.equal(
        res.err,
        `dezero-grad: :${cmd} takes scalar variables for now, and W has shape [2, 2]\n  hint: :trace, :json and :minimize take vectors and matrices\n`,
      );
    }
    const min = results[9];
    assert.equal(min.ok, true, min.err);
    assert.match(min.out, /^gradient descent \(lr 0\.001\) on y over W \[2, 2\], x \[2, 1\], t \[2, 1\]\n/);
  });

  test(':minimize lbfgs w moves w only: least squares from the session reaches the closed form', async () => {
    // X's rows [1, x] for x = 0..4 and y = [1; 3; 4; 7; 9]: slope sum((x-2)(y-4.8))/sum((x-2)^2) = 20/10,
    // intercept 4.8 - 2*2
    const results = await session([
      'X = [1, 0; 1, 1; 1, 2; 1, 3; 1, 4]',
      'y = [1; 3; 4; 7; 9]',
      'w = [0; 0]',
      'sum((X*w - y).^2)',
      ':minimize lbfgs w',
      ':minimize sgd',
    ]);
    const out = results[4].out;
    assert.equal(results[4].ok, true, results[4].err);
    assert.match(out, / over w \[2, 1\]\n/);
    const [a, b] = [...out.matchAll(/\[\[?(-?[\d.e-]+)\]/g)].map((m) => Number(m[1]));
    assertNear(a, 4.8 - 2 * (20 / 10), 1e-9, 'intercept');
    assertNear(b, 20 / 10, 1e-9, 'slope');
    assert.match(results[5].err, /:minimize takes an optional method and the variables to move, got 'sgd'/);
  });

  test(':json gives nested arrays', async () => {
    const s = new Session();
    for (const line of LINES) await s.run(line);
    await s.run('y');
    const obj = JSON.parse((await s.run(':json')).out);
    assert.deepEqual(obj.gradient.W, gW);
  });
});

interface Lstsq {
  X: number[][];
  y: number[][];
  w: number[][];
  loss: number;
}
const L: Lstsq = JSON.parse(readFileSync(join(repo, 'test/fixtures/lstsq.json'), 'utf8'));
const LOSS = 'sum((X*w - y).^2)';

describe('minimize over vectors and matrices', () => {
  const start = { X: tensor(L.X), y: tensor(L.y), w: tensor([[0], [0], [0]]) };
  for (const [method, options] of [
    ['lbfgs', {}],
    ['gd', { lr: 0.02, iters: 20000 }],
    ['momentum', { lr: 0.005, iters: 20000 }],
    ['adam', { lr: 0.05, iters: 20000 }],
  ] as const) {
    test(`${method}: least squares reaches numpy's lstsq`, () => {
      const res = minimize(LOSS, start, { method, wrt: ['w'], tol: 1e-9, ...options });
      assert.equal(res.reason, 'converged', res.detail);
      assert.deepEqual(res.names, ['w']);
      assert.deepEqual({ ...res.shapes }, { w: [3, 1] });
      assertNear(res.point.w, L.w, 1e-8, 'w');
      assertNear(res.value, L.loss, 1e-12, 'loss');
      assert.equal(res.gradient.w instanceof Tensor && res.gradient.w.shape.join(), '3,1');
      assert.equal(res.trajectory[0].x.length, 3);
    });
  }

  test("gd on the book's step 43 network reaches its losses (lr 0.2, 10,000 iterations)", () => {
    const F = JSON.parse(readFileSync(join(repo, 'test/fixtures/dezero-stage4.json'), 'utf8')).step43;
    const values = Object.fromEntries(['x', 'y', 'W1', 'b1', 'W2', 'b2'].map((k) => [k, tensor(F[k])]));
    const res = minimize('mean((y - (sigmoid(x*W1 + b1)*W2 + b2)).^2)', values, {
      method: 'gd',
      lr: 0.2,
      iters: 10000,
      wrt: ['W1', 'b1', 'W2', 'b2'],
      trajectory: 'thinned',
      keepEvery: 1000,
    });
    assert.equal(res.reason, 'iteration limit');
    const losses = res.trajectory.filter((it) => it.k % 1000 === 0 && it.k < 10000).map((it) => it.value);
    assert.equal(losses.length, F.losses.length);
    // the book prints 0.8473695850105871 first and 0.07722132399559317 at iteration 9000
    losses.forEach((l, i) => assertNear(l, F.losses[i], 1e-9, `loss at ${i * 1000}`));
    assertNear(res.value, F.final_loss, 1e-9, 'the loss after 10,000 updates');
    assert.deepEqual({ ...res.shapes }, { W1: [1, 10], b1: [10], W2: [10, 1], b2: [1] });
  });

  test("Newton's method over the flattened elements: one step to lstsq, the Hessian 2 X'X", () => {
    const res = minimize(LOSS, start, { method: 'newton', wrt: ['w'] });
    assert.equal(res.reason, 'converged', res.detail);
    assertNear(tensor(res.trajectory[1].x), L.w.flat(), 1e-9, 'w after one step');
    assertNear(res.point.w, L.w, 1e-10, 'w');
    const f = tensorObjectiveOf(
      parse(LOSS),
      ['w'],
      [[3, 1]],
      new Map([
        ['X', start.X],
        ['y', start.y],
      ]),
    );
    const H = f.hessian([0.5, -1, 2]);
    const XtX = [0, 1, 2].map((i) => [0, 1, 2].map((j) => L.X.reduce((acc, row) => acc + row[i] * row[j], 0)));
    assertNear(
      tensor(H),
      XtX.map((row) => row.map((v) => 2 * v)),
      1e-12,
      "2 X'X",
    );
  });

  test('the flattened Hessian mixes numbers and vectors: c * sum(w.^3)', () => {
    const f = tensorObjectiveOf(parse('c * sum(w.^3)'), ['c', 'w'], [[], [2]], new Map());
    const [c, w0, w1] = [2, 3, -1];
    // d2/dc2 = 0, d2/dc dwi = 3 wi^2, d2/dwi dwj = 6 c wi (i = j)
    assertNear(
      tensor(f.hessian([c, w0, w1])),
      [
        [0, 3 * w0 ** 2, 3 * w1 ** 2],
        [3 * w0 ** 2, 6 * c * w0, 0],
        [3 * w1 ** 2, 0, 6 * c * w1],
      ],
      1e-15,
      'H',
    );
  });

  test('a non-scalar expression and an unknown wrt are refused', () => {
    assert.throws(
      () => minimize('X*w', start, { wrt: ['w'] }),
      (e: unknown) => e instanceof ShapeError && /minimize: shape \[20, 1\] is not a scalar/.test(e.message),
    );
    assert.throws(() => minimize(LOSS, start, { wrt: ['v'] }), /wrt: the expression has no variable v/);
    assert.throws(
      () => findRoot('sum(w)', { w: tensor([1, 2]) as unknown as number }),
      (e: unknown) => e instanceof ShapeError && /root takes numbers/.test(e.message),
    );
  });

  test('numbers as data: wrt keeps a scalar fixed too (the engine path, not the kernel)', () => {
    // (a - c)^2 + b^2 over a, b with c = 3 fixed: the minimum at a = c, b = 0
    const res = minimize('(a - c)^2 + b^2', { a: 0, b: 1, c: 3 }, { wrt: ['a', 'b'] });
    assertNear(res.point.a, 3, 1e-9, 'a');
    assertNear(res.point.b, 0, 1e-9, 'b');
    assert.deepEqual(res.names, ['a', 'b']);
  });
});

describe('dezero-grad minimize over vectors and matrices', () => {
  const csv = (rows: number[][]): string => rows.map((row) => row.map((x) => String(x)).join(',')).join('\n') + '\n';
  const X = file('X.csv', csv(L.X));
  const y = file('y.csv', csv(L.y));
  const args = ['minimize', LOSS, '--X', `@${X}`, '--y', `@${y}`, '--w', '[0; 0; 0]', '--wrt', 'w'];

  test('--json: the point as nested arrays, the shapes, flattened iterates', () => {
    const res = cli([...args, '--json']);
    assert.equal(res.status, 0, res.stderr);
    const obj = JSON.parse(res.stdout);
    assert.deepEqual(obj.shapes, { w: [3, 1] });
    assertNear(tensor(obj.point.w), L.w, 1e-8, 'w');
    assert.equal(obj.gradient.w.length, 3);
    assert.deepEqual(obj.trajectory[0].x, [0, 0, 0]);
  });

  test('the text shows the point as numpy prints it; csv names each element', () => {
    const text = cli([...args, '-q']);
    assert.equal(text.status, 0, text.stderr);
    assert.match(
      text.stdout,
      /^stopped after \d+ iterations: converged .*\n {2}point {3}w = \[\[1\.58843683\d*\],\n {15}\[/,
    );
    const rows = cli([...args, '--format', 'csv']);
    assert.equal(rows.stdout.split('\n')[0], 'k,w[1,1],w[2,1],w[3,1],value,grad_norm');
  });

  test('--method newton converges in one step (2 iterations recorded)', () => {
    const res = cli([...args, '--method', 'newton', '--json']);
    assert.equal(res.status, 0, res.stderr);
    const obj = JSON.parse(res.stdout);
    assertNear(tensor(obj.point.w), L.w, 1e-10, 'w');
    assert.ok(obj.iterations <= 3, `${obj.iterations} iterations`);
  });

  test('--plot, root and a missing --wrt variable: exit 2, one message', () => {
    const cases: [string[], RegExp][] = [
      [[...args, '--plot'], /^dezero-grad: --plot draws numbers, and X is a \[20, 3\] value\n/],
      [['root', 'sum(w)', '--w', '[1, 2]'], /^dezero-grad: --w is a \[2\] value, and root takes numbers for now\n/],
      [[...args.slice(0, -1), 'q'], /^dezero-grad: --wrt q: the expression has no variable q\n/],
    ];
    for (const [argv, message] of cases) {
      const res = cli(argv);
      assert.equal(res.status, 2, argv.join(' '));
      assert.match(res.stderr, message);
      assert.doesNotMatch(res.stderr, /\n\s+at /);
    }
  });
});
