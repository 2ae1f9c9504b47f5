/**
 * Issue 16's outputs through the built binary: --jacobian (reverse mode, one backward pass per
 * output element), --vjp's cotangent, --check element by element on vectors and matrices, and
 * shapes in --dot and --tree. Expected values are closed forms written in the test: for
 * y = tanh(W*x), dy_i/dx_k = (1 - tanh(u_i)^2)·W[i][k] and dy_i/dW[j][k] = [i = j]·(1 - tanh(u_i)^2)·x_k
 * with u = W*x; a vjp is v^T J.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { node, ROOT } from './helpers/process.js';

const bin = `${ROOT}bin/dezero-grad.js`;
const run = (...args: string[]) => node([bin, ...args]);
const noTrace = (stderr: string): void => assert.doesNotMatch(stderr, /\n\s+at |internal error/);
const dir = mkdtempSync(join(tmpdir(), 'dz-outputs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const W = [
  [1, 2],
  [3, 4],
  [5, 6],
];
const x = [0.5, -1];
const u = W.map((row) => row[0] * x[0] + row[1] * x[1]);
const d = u.map((ui) => 1 - Math.tanh(ui) ** 2);
const Jx = W.map((row, i) => row.map((w) => d[i] * w));
const JW = W.map((_, i) => W.map((_, j) => x.map((xk) => (i === j ? d[i] * xk : 0))));
const TANH = ['tanh(W*x)', '--W', '[1, 2; 3, 4; 5, 6]', '--x', '[0.5, -1]'];

/** Every number of `actual` within 1e-14 relative (plus an absolute 1e-15) of `expected`, shapes equal. */
function close(actual: unknown, expected: unknown, where = ''): void {
  if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', where);
    const a = actual as number;
    assert.ok(Math.abs(a - expected) <= 1e-14 * Math.abs(expected) + 1e-15, `${where}: ${a} vs ${expected}`);
    return;
  }
  assert.ok(Array.isArray(actual) && Array.isArray(expected), where);
  assert.equal((actual as unknown[]).length, (expected as unknown[]).length, `${where}: length`);
  (expected as unknown[]).forEach((e, i) => close((actual as unknown[])[i], e, `${where}[${i}]`));
}

describe('--jacobian', () => {
  test('of tanh(W*x): shape [...y, ...v] per variable, against the closed form', () => {
    const r = run(...TANH, '--jacobian', '--json', '-q');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'no seed note: the Jacobian is not seeded with ones');
    const j = JSON.parse(r.stdout);
    close(j.value, u.map(Math.tanh), 'value');
    close(j.jacobian.x, Jx, 'x');
    close(j.jacobian.W, JW, 'W');
    assert.equal(j.gradient, undefined);
    assert.equal(j.forward, undefined);
  });

  test('as text: the forward trace, a line that says how, then each Jacobian as numpy prints it', () => {
    const r = run('x .* x', '--x', '[1, 2, 3]', '--jacobian');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^forward\n {2}x = \[1, 2, 3\] {2}\[3\]\n/);
    assert.doesNotMatch(r.stdout, /^backward$/m);
    assert.match(r.stdout, /one backward pass per element of y \(3 passes\)/);
    // d(x_i^2)/dx_k = 2·x_i·[i = k]
    assert.match(
      r.stdout,
      /\ny = \[1, 4, 9\] {2}\[3\]\ndy\/dx = \[\[2, 0, 0\],\n {9}\[0, 4, 0\],\n {9}\[0, 0, 6\]\] {2}\[3, 3\]\n$/,
    );
    const json = JSON.parse(run('x .* x', '--x', '[1, 2, 3]', '--jacobian', '--json').stdout);
    assert.deepEqual(
      json.forward.map((f: { name: string }) => f.name),
      ['y'],
    );
  });

  test('of a scalar output is its gradient; of a matrix product, the matrix', () => {
    const scalar = run('sum(x .* x)', '--x', '[1, 2, 3]', '--jacobian', '-q');
    assert.equal(scalar.stdout, `y = ${1 + 4 + 9}\ndy/dx = [${2 * 1}, ${2 * 2}, ${2 * 3}]  [3]\n`);
    const product = JSON.parse(run('W*x', '--W', '[1, 2; 3, 4]', '--x', '[5, 6]', '--jacobian', '--json', '-q').stdout);
    assert.deepEqual(product.jacobian.x, [
      [1, 2],
      [3, 4],
    ]);
  });

  test('refuses what it does not combine with, exit 2 with a hint', () => {
    for (const extra of [['--vjp', '[1, 0, 0]'], ['--check'], ['--symbolic'], ['--tree'], ['--x', '0,1']]) {
      const args = extra[0] === '--x' ? ['tanh(x)', '--x', '0,1', '--jacobian'] : [...TANH, '--jacobian', ...extra];
      const r = run(...args);
      assert.equal(r.status, 2, `${extra}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /hint: /);
      noTrace(r.stderr);
    }
  });
});

describe('--vjp', () => {
  const v = [1, -2, 0.5];
  const vd = v.map((vi, i) => vi * d[i]);
  test('the cotangent seeds backward: gradients are v^T J, the trace starts from y.grad = v', () => {
    const r = run(...TANH, '--vjp', '[1, -2, 0.5]', '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'no note about ones');
    const j = JSON.parse(r.stdout);
    close(
      j.gradient.x,
      [0, 1].map((k) => vd.reduce((s, c, i) => s + c * W[i][k], 0)),
      'x',
    );
    close(
      j.gradient.W,
      vd.map((c) => x.map((xk) => c * xk)),
      'W',
    );
    assert.deepEqual(j.backward[0], { name: 'y', grad: v });
    const text = run(...TANH, '--vjp', '[1, -2, 0.5]');
    assert.match(text.stdout, /^ {2}y\.grad = \[1, -2, 0\.5\] {2}\[3\]$/m);
  });

  test('agrees with the rows of --jacobian (two computations, one answer)', () => {
    const jac = JSON.parse(run(...TANH, '--jacobian', '--json', '-q').stdout).jacobian;
    for (let i = 0; i < 3; i++) {
      const onehot = `[${[0, 1, 2].map((k) => (k === i ? 1 : 0)).join(', ')}]`;
      const g = JSON.parse(run(...TANH, '--vjp', onehot, '--json', '-q').stdout).gradient;
      assert.deepEqual(g.x, jac.x[i]);
      assert.deepEqual(g.W, jac.W[i]);
    }
  });

  test('from a file, and a number for a scalar output (scales the gradient)', () => {
    const file = join(dir, 'v.json');
    writeFileSync(file, '[1, -2, 0.5]');
    const fromFile = JSON.parse(run(...TANH, '--vjp', `@${file}`, '--json', '-q').stdout);
    const inline = JSON.parse(run(...TANH, '--vjp', '[1, -2, 0.5]', '--json', '-q').stdout);
    assert.deepEqual(fromFile.gradient, inline.gradient);
    const scaled = run('x^3', '--x', '2', '--vjp', '10', '-q');
    assert.equal(scaled.stdout, `y = 8\ndy/dx = ${10 * 3 * 2 ** 2}\n`);
  });

  test('a cotangent of the wrong shape names both shapes, exit 2', () => {
    const r = run(...TANH, '--vjp', '[1, 0]');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--vjp has shape \[2\], and y has shape \[3\]: the cotangent takes the output's shape/);
    const n = run(...TANH, '--vjp', '1');
    assert.equal(n.status, 2);
    assert.match(n.stderr, /--vjp is a number, and y has shape \[3\]/);
    const list = run(...TANH, '--vjp', '1,0,0');
    assert.equal(list.status, 2);
    assert.match(list.stderr, /write a vector in brackets: --vjp "\[1,0,0\]"/);
    const missing = run(...TANH, '--vjp', `@${join(dir, 'none.json')}`);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read .*none\.json for --vjp: no such file/);
    for (const e of [r, n, list, missing]) noTrace(e.stderr);
  });
});

describe('--check on vectors and matrices', () => {
  test('each element against its own central difference; JSON indices count from 1', () => {
    const r = run('sum(W*x)', '--W', '[1, 2; 3, 4]', '--x', '[1, 2]', '--check');
    assert.equal(r.status, 0, r.stderr);
    // d sum(W*x)/dW[i][j] = x[j]; d/dx[j] = sum_i W[i][j]
    assert.match(r.stdout, /^ {2}dy\/dW\[2, 1\] +autodiff 1 +numeric \S+ +rel\. diff \S+ +ok/m);
    assert.match(r.stdout, /^ {2}dy\/dx\[2\] +autodiff 6 +numeric \S+ +rel\. diff \S+ +ok/m);
    assert.match(r.stdout, /\nok: all 6 elements agree\n$/);
    const j = JSON.parse(run('sum(W*x)', '--W', '[1, 2; 3, 4]', '--x', '[1, 2]', '--check', '--json', '-q').stdout);
    assert.deepEqual(
      j.check.W.map((e: { index: number[] }) => e.index),
      [
        [1, 1],
        [1, 2],
        [2, 1],
        [2, 2],
      ],
    );
    for (const e of [...j.check.W, ...j.check.x]) {
      assert.equal(e.ok, true);
      assert.ok(Math.abs(e.numeric - e.autodiff) <= 1e-9 * Math.abs(e.autodiff), `${e.numeric} vs ${e.autodiff}`);
    }
  });

  test('a mismatch at a kink is exit 3, naming the element and the reason', () => {
    // relu'(0) = 0 (PyTorch) while the central difference averages the sides: 1/2.
    const r = run('sum(relu(x))', '--x', '[0, 1]', '--check');
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stdout, /^ {2}dy\/dx\[1\] +autodiff 0 +numeric 0\.5 .*MISMATCH/m);
    assert.match(r.stdout, /why: relu\(x\) is at its kink/);
    assert.match(r.stdout, /^ {2}dy\/dx\[2\] +autodiff 1 .* ok/m);
    assert.match(r.stdout, /check failed: 1 of 2 elements disagrees \(exit 3\)\n$/);
  });

  test('an output that is not a scalar checks sum(y), or <v, y> with --vjp', () => {
    const ones = run(...TANH, '--check', '--json', '-q');
    assert.equal(ones.status, 0, ones.stderr);
    const j = JSON.parse(ones.stdout);
    close(
      j.check.x.map((e: { autodiff: number }) => e.autodiff),
      [0, 1].map((k) => d.reduce((s, c, i) => s + c * W[i][k], 0)),
    );
    assert.ok([...j.check.x, ...j.check.W].every((e: { ok: boolean }) => e.ok));
    const vjp = run(...TANH, '--vjp', '[1, -2, 0.5]', '--check', '-q');
    assert.equal(vjp.status, 0, vjp.stdout + vjp.stderr);
    assert.match(vjp.stdout, /ok: all 8 elements agree/);
  });

  test('--symbolic says mathjs cannot differentiate a matrix expression, exit 2', () => {
    const r = run('sum(x .* x)', '--x', '[1, 2]', '--symbolic');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--symbolic: mathjs's derivative takes scalar expressions only, and x has shape \[2\]/);
    const output = run('x .* 2', '--x', '1', '--symbolic');
    assert.equal(output.status, 0, 'a scalar x with a scalar output is still symbolic');
    const vector = run('[x, 2 * x]', '--x', '1', '--symbolic');
    assert.equal(vector.status, 2);
    assert.match(vector.stderr, /and y has shape \[2\]/);
  });
});

describe('the drawings label tensors with their shapes', () => {
  test('--dot: name and shape, the elements and the gradient when few', () => {
    const r = run('sum(W*x)', '--W', '[1, 2; 3, 4; 5, 6]', '--x', '[1, 2]', '--dot');
    assert.equal(r.status, 0, r.stderr);
    // d sum(W*x)/dW[i][j] = x[j]; d/dx[j] = sum_i W[i][j] = [1+3+5, 2+4+6]
    assert.match(
      r.stdout,
      /label="W \[3, 2\] \| \[\[1, 2\], \[3, 4\], \[5, 6\]\] \| grad \[\[1, 2\], \[1, 2\], \[1, 2\]\]"/,
    );
    assert.match(r.stdout, new RegExp(`label="x \\[2\\] \\| \\[1, 2\\] \\| grad \\[${1 + 3 + 5}, ${2 + 4 + 6}\\]"`));
    assert.match(r.stdout, /label="y \| 33 \| grad 1"/);
    const big = run('sum(x)', '--x', '[1, 2, 3, 4, 5, 6, 7, 8]', '--dot');
    assert.match(big.stdout, /label="x \[8\] \| grad \[8\]"/);
  });

  test('--tree: each value with its shape', () => {
    const r = run('sum(x + b)', '--x', '[1, 2; 3, 4]', '--b', '[10, 20]', '--tree');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^y = sum\(a\) = 70 {3}grad 1$/m);
    assert.match(r.stdout, /^ {3}└─ b = \[10, 20\] {2}\[2\] {3}grad \[2, 2\] {2}\[2\]$/m);
    const big = run('sum(x)', '--x', '[1, 2, 3, 4, 5, 6, 7, 8]', '--tree');
    assert.match(big.stdout, /└─ x = \[8\] {3}grad \[8\]$/m);
  });

  test('--hessian and --order still take scalars only, exit 2', () => {
    for (const args of [
      ['sum(x .* x)', '--x', '[1, 2]', '--hessian'],
      ['[x, x^2]', '--x', '1', '--order', '2'],
    ]) {
      const r = run(...args);
      assert.equal(r.status, 2, r.stderr);
      noTrace(r.stderr);
    }
  });
});

test('--check refuses more than 10,000 elements before the work, exit 2', () => {
  const r = run('sum(x)', '--x', `[${Array.from({ length: 10_001 }, (_, i) => i).join(', ')}]`, '--check');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--check differentiates at most 10000 elements numerically, and the variables have 10001/);
  noTrace(r.stderr);
});

describe('--jvp (forward mode, dual numbers: no backward rule is used)', () => {
  test('J·v of tanh(W*x) for a tangent of x, against the closed form and against --jacobian', () => {
    const r = run(...TANH, '--jvp', 'x=[2, -1]', '--json', '-q');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    close(
      j.jvp,
      Jx.map((row) => row[0] * 2 + row[1] * -1),
      'jvp',
    );
    assert.deepEqual(j.tangent, { x: [2, -1] });
    // Forward and reverse mode: column k of the Jacobian is J·e_k, to the last bits or nearly.
    const jac = JSON.parse(run(...TANH, '--jacobian', '--json', '-q').stdout).jacobian;
    for (let k = 0; k < 2; k++) {
      const e = JSON.parse(run(...TANH, '--jvp', `x=[${k === 0 ? '1, 0' : '0, 1'}]`, '--json', '-q').stdout).jvp;
      close(
        e,
        jac.x.map((row: number[]) => row[k]),
        `column ${k}`,
      );
    }
  });

  test('tangents for several variables add up: J_W·V + J_x·v', () => {
    const V = [
      [0, 1],
      [1, 0],
      [0.5, 0.5],
    ];
    const v = [1, 1];
    const r = run(...TANH, '--jvp', 'W=[0, 1; 1, 0; 0.5, 0.5]', '--jvp', 'x=[1, 1]', '--json', '-q');
    assert.equal(r.status, 0, r.stderr);
    // d tanh(u_i) = (1 - tanh(u_i)^2)·(sum_k V[i][k]·x_k + sum_k W[i][k]·v_k)
    const expected = d.map((di, i) => di * (V[i][0] * x[0] + V[i][1] * x[1] + W[i][0] * v[0] + W[i][1] * v[1]));
    close(JSON.parse(r.stdout).jvp, expected);
  });

  test('through the linear algebra: d det(A) = det(A)·trace(inv(A)·dA), d inv(A) = -inv(A)·dA·inv(A)', () => {
    // A = [2, 1; 1, 3]: det 5, inv = [3, -1; -1, 2]/5; dA = [1, 0; 0, 0]
    const det = run('det(A)', '--A', '[2, 1; 1, 3]', '--jvp', 'A=[1, 0; 0, 0]', '-q');
    assert.equal(det.status, 0, det.stderr);
    assert.equal(det.stdout, `y = 5\nJ·v = ${3}\n`);
    const inv = JSON.parse(run('inv(A)', '--A', '[2, 1; 1, 3]', '--jvp', 'A=[1, 0; 0, 0]', '--json', '-q').stdout);
    const Ai = [
      [3 / 5, -1 / 5],
      [-1 / 5, 2 / 5],
    ];
    close(inv.jvp, [
      [-Ai[0][0] * Ai[0][0], -Ai[0][0] * Ai[0][1]],
      [-Ai[1][0] * Ai[0][0], -Ai[1][0] * Ai[0][1]],
    ]);
  });

  test('as text, with the forward trace; scalars too', () => {
    const r = run('x*y + sin(x)', '--x', '1', '--y', '2', '--jvp', 'x=1');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^forward\n/);
    assert.match(r.stdout, /jvp: by forward mode \(dual numbers\)/);
    assert.match(r.stdout, new RegExp(`\\nJ·v = ${(2 + Math.cos(1)).toString().replace('.', '\\.')}\\n$`));
  });

  test('bad tangents: exit 2, naming the shapes or the name', () => {
    const cases: [string[], RegExp][] = [
      [
        ['--jvp', 'x=[1, 0, 0]'],
        /--jvp x has shape \[3\], and x has shape \[2\]: a tangent takes its variable's shape/,
      ],
      [['--jvp', 'z=[1, 0]'], /--jvp z: the expression has no variable z \(it has W, x\)/],
      [['--jvp', '[1, 0]'], /--jvp expects NAME=TANGENT/],
      [['--jvp', 'x=1,0'], /--jvp x takes one value/],
      [['--jvp', 'x=[1, 0]', '--vjp', '[1, 0, 0]'], /--vjp and --jvp are alternatives/],
      [['--jvp', 'x=[1, 0]', '--dot'], /--jvp does not combine with --dot, --graph or --tree/],
      [['--jvp', 'x=[1, 0]', '--check'], /--jvp does not combine with --check/],
    ];
    for (const [extra, message] of cases) {
      const r = run(...TANH, ...extra);
      assert.equal(r.status, 2, `${extra}: ${r.stderr}`);
      assert.match(r.stderr, message);
      noTrace(r.stderr);
    }
    const uncovered = run('diff(x^2, x)', '--x', '2', '--jvp', 'x=1');
    assert.equal(uncovered.status, 2);
    assert.match(uncovered.stderr, /forward mode does not cover diff yet/);
    const softmax = run('softmax(x)', '--x', '[1, 2]', '--jvp', 'x=[1, 0]', '-q');
    assert.equal(softmax.status, 0, softmax.stderr);
    const [p, q] = [Math.exp(1), Math.exp(2)].map((e) => e / (Math.exp(1) + Math.exp(2)));
    assert.match(softmax.stdout, new RegExp(`J·v = \\[${p * (1 - p)}, ${-q * p}\\]`));
  });
});
