/**
 * Depth: a chain sin(sin(...sin(x)...)) far deeper than any recursion could go (a recursive walk
 * overflows between 10k and 20k levels) parses, builds, runs forward and backward, and prints as
 * text, JSON and rows. Not timed: `npm run bench` measures time and memory.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, type CliRun } from './helpers/cli.js';

function chain(n: number): string {
  return 'sin('.repeat(n) + 'x' + ')'.repeat(n);
}

/** The closed form: the value is sin applied n times; the derivative the product of cos along the way. */
function closedForm(n: number, x: number): { value: number; grad: number } {
  let v = x;
  let d = 1;
  for (let i = 0; i < n; i++) {
    d *= Math.cos(v);
    v = Math.sin(v);
  }
  return { value: v, grad: d };
}

/** Runs the CLI in-process with `file` as the content of every file it reads. */
function cli(argv: string[], file: string): Promise<CliRun> {
  return runCli(argv, { env: { NO_COLOR: '1' }, file });
}

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-12 * Math.abs(b);

test('200,000 deep with --quiet: parse, build, forward, backward', async () => {
  const n = 200_000;
  const r = await cli(['-f', 'chain.txt', '--x', '0.5', '--quiet'], chain(n));
  assert.equal(r.code, 0, r.err.slice(0, 500));
  const [y, dydx] = r.out
    .trim()
    .split('\n')
    .map((l) => Number(l.split(' = ')[1]));
  const want = closedForm(n, 0.5);
  assert.ok(close(y, want.value), `${y} vs ${want.value}`);
  assert.ok(close(dydx, want.grad), `${dydx} vs ${want.grad}`);
});

test('50,000 deep: the text trace and the JSON trace', async () => {
  const n = 50_000;
  const want = closedForm(n, 0.5);
  const text = await cli(['-f', 'chain.txt', '--x', '0.5'], chain(n));
  assert.equal(text.code, 0, text.err.slice(0, 500));
  const lines = text.out.trimEnd().split('\n');
  assert.ok(close(Number(lines[lines.length - 1].split(' = ')[1]), want.grad));
  assert.ok(lines.length > 2 * n);

  const json = await cli(['-f', 'chain.txt', '--x', '0.5', '--json'], chain(n));
  assert.equal(json.code, 0, json.err.slice(0, 500));
  const o = JSON.parse(json.out);
  assert.equal(o.forward.length, n);
  assert.equal(o.backward.length, n + 1);
  assert.ok(close(o.gradient.x, want.grad));
});

test('50,000 deep at many points: the tape interpreter', async () => {
  const n = 50_000;
  const r = await cli(['-f', 'chain.txt', '--x', '0.5,-1', '--format', 'tsv'], chain(n));
  assert.equal(r.code, 0, r.err.slice(0, 500));
  const rows = r.out
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t').map(Number));
  for (const [x, y, dydx] of rows) {
    const want = closedForm(n, x);
    assert.ok(close(y, want.value) && close(dydx, want.grad), `at ${x}: ${y} ${dydx} vs ${want.value} ${want.grad}`);
  }
});

test('memory: backward frees intermediate gradients; no-grad mode keeps no graph', async () => {
  const { build, parse, noGrad } = await import('../src/index.js');
  const root = parse('tanh(sin(x) * exp(x)) + square(x)');
  const g = build(root, new Map([['x', 0.3]]));
  g.output.backward();
  // Only the variable keeps its gradient; every intermediate's was dropped once its creator ran.
  for (const s of g.steps) assert.equal(s.output.grad, null, `${s.name}.grad kept`);
  assert.notEqual(g.variables.get('x')!.grad, null);
  const lean = noGrad(() => build(root, new Map([['x', 0.3]])));
  assert.equal(lean.output.creator, null);
  for (const s of lean.steps) assert.equal(s.output.creator, null);
  assert.equal(lean.output.data, g.output.data);
});
