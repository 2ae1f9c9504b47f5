// The graph renderers (DOT and tree) on their own: shapes, labels, shared nodes, and a
// 200,000-deep chain that must not touch the stack limit or print quadratic indentation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { add, gradSnapshot, mul, neg, renderDot, renderTree, sin, Variable } from '../src/index.js';
import { MAX_INDENT } from '../src/report/tree.js';

test('a variable used twice: one DOT node, two edges; the tree says (see above)', () => {
  const x = new Variable(3, 'x');
  const a = sin(x);
  a.name = 'a';
  const y = mul(a, a);
  y.name = 'y';
  y.backward({ retainGrad: true });
  const view = { roots: [y], grads: gradSnapshot(y) };
  const dot = renderDot(view);
  assert.equal(dot.match(/shape=ellipse/g)?.length, 3);
  assert.equal(dot.match(/ -> f1\n/g)?.length, 2, dot);
  assert.match(dot, new RegExp(`label="a \\| ${Math.sin(3)} \\| grad ${2 * Math.sin(3)}"`));
  const tree = renderTree(view);
  assert.equal(
    tree,
    [
      `y = a * a = ${Math.sin(3) ** 2}   grad 1`,
      `├─ a = sin(x) = ${Math.sin(3)}   grad ${2 * Math.sin(3)}`,
      `│  └─ x = 3   grad ${2 * Math.sin(3) * Math.cos(3)}`,
      '└─ a (see above)',
      '',
    ].join('\n'),
  );
});

test('variables are numbered within the drawing, in the order they were made: the same graph, the same DOT', () => {
  const draw = (): string => {
    const x = new Variable(0.5, 'x');
    const y = sin(mul(x, x));
    y.name = 'y';
    y.backward({ retainGrad: true });
    return renderDot({ roots: [y], grads: gradSnapshot(y) });
  };
  const first = draw();
  for (let i = 0; i < 5; i++) new Variable(i); // made before the second drawing, not in it
  assert.equal(draw(), first);
  assert.deepEqual(
    [...first.matchAll(/^ {2}(v\d+) \[/gm)].map((m) => m[1]),
    ['v0', 'v1', 'v2'],
  );
  assert.match(first, /v0 -> f0\n {2}v0 -> f0\n {2}f0 -> v1\n {2}v1 -> f1\n {2}f1 -> v2\n/);
});

test('constants are drawn lighter and labelled by their value; quotes in labels are escaped', () => {
  const x = new Variable(2, 'x"1');
  const y = add(mul(x, 2), 1);
  const dot = renderDot({ roots: [y], grads: new Map() });
  assert.match(dot, /label="2", shape=ellipse, color="#ffe0b3"/);
  assert.match(dot, /label="x\\"1 \| 2"/);
});

test('a 200,000-deep chain renders as DOT and as a tree in linear space', () => {
  const n = 200_000;
  const x = new Variable(0, 'x');
  let y = x;
  for (let i = 0; i < n; i++) y = neg(y);
  const view = { roots: [y], grads: new Map<Variable, number>() };
  const dot = renderDot(view);
  assert.equal(dot.match(/shape=box/g)?.length, n);
  assert.equal(dot.match(/shape=ellipse/g)?.length, n + 1);
  const lines = renderTree(view).trimEnd().split('\n');
  assert.equal(lines.length, n + 1);
  assert.match(lines[n], new RegExp(`^ +└─ \\[depth ${n}\\] x = 0$`));
  // Indentation stops growing past MAX_INDENT levels.
  assert.equal(lines[n].indexOf('└─'), 3 * MAX_INDENT);
});
