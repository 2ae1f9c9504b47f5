/**
 * The tensor ops reach the CLI by name before the tensor syntax does (`sum(x)`, `dot(x, x)`): through
 * the built binary, a value an op cannot take is bad input with the caret at the call (exit 2,
 * never a stack trace), and a tensor-valued step is in the trace.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { ROOT, node } from './helpers/process.js';

const BIN = 'bin/dezero-grad.js';

test('the ops on whole values on a number: sum(x) is x, max(x) is x', () => {
  const r = node([BIN, 'sum(x) + max(x)', '--x', '2', '-q']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'y = 4\ndy/dx = 2\n');
});

for (const [expression, message, caret] of [
  ['trace(stack(x, x))', 'trace: shape [2] is not a square matrix (column 1)', '  trace(stack(x, x))\n  ^'],
  [
    '1 + reshape(x, 2)',
    'reshape: shapes [] and [2] do not hold the same number of elements (column 5)',
    '  1 + reshape(x, 2)\n      ^',
  ],
  ['index(x, 0)', 'index: shape [] cannot be indexed (column 1)', '  index(x, 0)\n  ^'],
] as const)
  test(`${expression}: a ShapeError with the caret at the call, exit 2`, () => {
    const r = node([BIN, expression, '--x', '2']);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.startsWith(`dezero-grad: ${message}\n${caret}\n`), r.stderr);
    assert.doesNotMatch(r.stderr, /internal error|at /);
  });

test('a tensor-valued step shows in the trace: sum(stack(x, 2*x)) at x = 2 is 6, dy/dx = 3', () => {
  const r = node([BIN, 'sum(stack(x, 2*x))', '--x', '2']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /= stack\(x, a\) = \[2, 4\] {2}\[2\]/);
  assert.match(r.stdout, /\ny = 6\ndy\/dx = 3\n$/);
});

test('the REPL reports the same errors as one line each and goes on', () => {
  const r = spawnSync(process.execPath, [BIN, 'repl'], {
    cwd: ROOT,
    input: 'x = 2\ndot(x, x)\nsize(x)\nsum(x)\n',
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  assert.doesNotMatch(r.stderr, /internal error/);
  assert.match(r.stderr, /line 2: dot: shapes \[\] and \[\] are not two vectors of one length/);
  assert.match(r.stdout, /= 2\b/);
});
