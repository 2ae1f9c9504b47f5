/**
 * Vectors and matrices through the built binary (issue 16): values from the command line and from
 * files, the trace with shapes, --json's nested arrays, and bad input with exit 2. Expected values
 * are closed forms: d sum(W*x)/dW[i][j] = x[j], d/dx[j] = sum_i W[i][j].
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { node, ROOT } from './helpers/process.js';

const bin = `${ROOT}bin/dezero-grad.js`;
const run = (...args: string[]) => node([bin, ...args]);
const fixture = (name: string): string => `${ROOT}test/fixtures/tensor/${name}`;
const noTrace = (stderr: string): void => assert.doesNotMatch(stderr, /\n\s+at |internal error/);

describe('tensor values on the command line', () => {
  test('the trace shows each value and gradient with its shape, as numpy prints them', () => {
    const r = run('sum(W*x)', '--W', '[1, 2; 3, 4]', '--x', '[1, 2]');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^ {2}W = \[\[1, 2\],\n {7}\[3, 4\]\] {2}\[2, 2\]$/m);
    assert.match(r.stdout, /^ {2}a = matmul\(W, x\) = \[5, 11\] {2}\[2\]$/m);
    assert.match(r.stdout, /x\.grad = MatMul\.backward\(a\.grad\) = matmul\(transpose\(W\), gy\) = \[4, 6\] {2}\[2\]/);
    assert.match(r.stdout, /\ny = 16\ndy\/dW = \[\[1, 2\],\n {9}\[1, 2\]\] {2}\[2, 2\]\ndy\/dx = \[4, 6\] {2}\[2\]\n$/);
  });

  test('--json gives nested arrays', () => {
    const r = run('sum(W*x)', '--W', '[[1, 2], [3, 4]]', '--x', '[1, 2]', '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.variables, {
      W: [
        [1, 2],
        [3, 4],
      ],
      x: [1, 2],
    });
    assert.equal(j.value, 16);
    assert.deepEqual(j.gradient, {
      W: [
        [1, 2],
        [1, 2],
      ],
      x: [4, 6],
    });
    assert.deepEqual(
      j.forward.map((s: { op: string; value: unknown }) => [s.op, s.value]),
      [
        ['matmul', [5, 11]],
        ['sum', 16],
      ],
    );
  });

  test('a broadcast is undone by sum_to in backward, and the trace says so', () => {
    const r = run('sum(x + b)', '--x', '[1, 2; 3, 4]', '--b', '[10, 20]');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /b\.grad = Add\.backward\(a\.grad\) = sum_to\(gy, \[2\]\) += \[2, 2\] {2}\[2\]/);
    assert.match(r.stdout, /\ndy\/db = \[2, 2\] {2}\[2\]\n$/);
  });

  test('a vector output is seeded with ones, with a note on standard error', () => {
    const r = run('[x, 2*x]', '--x', '0.5', '-q');
    assert.equal(r.status, 0);
    assert.equal(r.stdout, 'y = [0.5, 1]  [2]\ndy/dx = 3\n');
    assert.match(r.stderr, /y has shape \[2\], not a scalar: the gradients are those of sum\(y\)/);
  });
});

describe('tensor values from files', () => {
  const csvRows = readFileSync(fixture('matrix.csv'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(',').map(Number));

  test('@FILE.csv: a matrix, gradients against the closed form', () => {
    const x = [1, -2, 0.5, 3];
    const r = run('sum(W*x)', '--W', `@${fixture('matrix.csv')}`, '--x', `[${x.join(', ')}]`, '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.variables.W, csvRows);
    assert.deepEqual(
      j.gradient.W,
      csvRows.map(() => x),
    );
    const colSums = x.map((_, k) => csvRows.reduce((s, row) => s + row[k], 0));
    j.gradient.x.forEach((g: number, k: number) =>
      assert.ok(Math.abs(g - colSums[k]) <= 1e-15 * 8, `${g} vs ${colSums[k]}`),
    );
  });

  test('@FILE.npy and @FILE.json read the same values numpy wrote', () => {
    const expected = JSON.parse(readFileSync(fixture('expected.json'), 'utf8'));
    const r = run('sum(W .* W)', '--W', `@${fixture('f8.npy')}`, '-q', '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const flat = (a: unknown): number[] => (Array.isArray(a) ? a.flatMap(flat) : [a as number]);
    const w = flat(expected['f8.npy']?.data ?? expected['f8.npy']);
    assert.deepEqual(
      flat(j.gradient.W),
      w.map((v) => 2 * v),
    );
    const n = run('sum(W)', '--W', `@${fixture('nested.json')}`, '-q');
    assert.equal(n.status, 0, n.stderr);
  });

  test('a missing file, a bad extension and a huge header are one message each, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dz-tensor-'));
    const missing = run('sum(W)', '--W', `@${dir}/none.csv`);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read .*none\.csv for --W: no such file/);
    writeFileSync(`${dir}/w.txt`, '1,2\n');
    const ext = run('sum(W)', '--W', `@${dir}/w.txt`);
    assert.equal(ext.status, 2);
    assert.match(ext.stderr, /\.csv, \.json or \.npy/);
    // A .npy whose header claims 1e8 elements: refused by the limit before anything is allocated.
    const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000,), }";
    const padded = header + ' '.repeat(118 - header.length) + '\n';
    const bytes = Buffer.concat([
      Buffer.from([0x93]),
      Buffer.from('NUMPY'),
      Buffer.from([1, 0, 118, 0]),
      Buffer.from(padded),
    ]);
    writeFileSync(`${dir}/big.npy`, bytes);
    const big = run('sum(W)', '--W', `@${dir}/big.npy`);
    assert.equal(big.status, 2);
    assert.match(big.stderr, /100000000 elements is more than the limit of 10000000/);
    for (const r of [missing, ext, big]) noTrace(r.stderr);
  });
});

describe('bad tensor input: one message with its place, exit 2', () => {
  test('mismatched shapes name both shapes and the operator, with the caret', () => {
    const r = run('sum(x + y)', '--x', '[1, 2]', '--y', '[1, 2, 3]');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /add: shapes \[2\] and \[3\] cannot be broadcast/);
    assert.match(r.stderr, /\n {2}sum\(x \+ y\)\n {8}\^/);
    noTrace(r.stderr);
  });

  test('ragged and empty literals in a value', () => {
    const ragged = run('sum(W)', '--W', '[[1, 2], [3]]');
    assert.equal(ragged.status, 2);
    assert.match(ragged.stderr, /in --W/);
    const empty = run('sum(W)', '--W', '[]');
    assert.equal(empty.status, 2);
    for (const r of [ragged, empty]) noTrace(r.stderr);
  });

  test('the options that take scalars refuse a vector, naming it', () => {
    for (const extra of [['--hessian'], ['--order', '2'], ['--format', 'tsv']]) {
      const r = run('sum(x*x)', '--x', '[1, 2]', ...extra);
      assert.equal(r.status, 2, `${extra}: ${r.stderr}`);
      assert.match(r.stderr, /x is a \[2\] value, and .* scalar variables for now/);
      noTrace(r.stderr);
    }
    const symbolic = run('sum(x*x)', '--x', '[1, 2]', '--symbolic');
    assert.equal(symbolic.status, 2, symbolic.stderr);
    assert.match(
      symbolic.stderr,
      /--symbolic: mathjs's derivative takes scalar expressions only, and x has shape \[2\]/,
    );
    const out = run('x*2', '--x', '1', '--check', '--y', '0');
    assert.equal(out.status, 0, out.stderr);
  });
});
