/**
 * Forward mode (src/api/jvp.ts) against reverse mode, op by op: the dual numbers run each
 * elementwise op's forward and never its backward rule, so where both are finite and the point is
 * away from a kink, J·v of forward mode and vᵀJ of reverse mode (one element each) must agree.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { differentiate } from '../src/api/differentiate.js';
import { jacobian } from '../src/api/jacobian.js';
import { ForwardModeError, jvp } from '../src/api/jvp.js';
import { CALLABLE } from '../src/engine/registry.js';
import { elementsOf, tensor, type Value } from '../src/engine/tensor.js';
import { build } from '../src/expr/build.js';
import { parse } from '../src/expr/parse.js';

const graphOf = (source: string, values: Record<string, Value>) =>
  build(parse(source), new Map(Object.entries(values)), source);
const agree = (a: number, b: number, where: string): void =>
  assert.ok(a === b || Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b)), `${where}: ${a} vs ${b}`);

describe('forward mode agrees with reverse mode', () => {
  // Points inside every domain and away from kinks and jumps (no integers, no 0).
  const points = [0.3, 0.71, 1.7, 2.45, -0.6, -1.3];
  const elementwise = CALLABLE.filter((op) => op.array === undefined && !op.variableArgs && op.name !== 'diff');

  test(`every elementwise function of one or two arguments (${elementwise.length} of them), at ${points.length} points`, () => {
    let compared = 0;
    for (const op of elementwise) {
      const args = op.minArity === 1 ? ['x'] : op.minArity === 2 ? ['x', 'y'] : undefined;
      if (args === undefined) continue;
      const source = `${op.name}(${args.join(', ')})`;
      for (const p of points) {
        const values: Record<string, Value> = op.minArity === 1 ? { x: p } : { x: p, y: 0.37 + p / 3 };
        const g = graphOf(source, values);
        if (!Number.isFinite(g.output.data as number)) continue; // outside the domain
        const reverse = differentiate(g, { trace: false }).gradient;
        for (const name of args) {
          const r = reverse[name] as number;
          const f = jvp(graphOf(source, values), new Map([[name, 1]])).jvp as number;
          if (!Number.isFinite(r) || !Number.isFinite(f)) continue;
          agree(f, r, `${source} d/d${name} at ${JSON.stringify(values)}`);
          compared++;
        }
      }
    }
    assert.ok(compared > 300, `only ${compared} comparisons`);
  });

  test('tensor expressions: J·e_k is column k of the Jacobian', () => {
    const W = tensor([
      [0.3, -1.2, 0.5],
      [2, 0.1, -0.4],
    ]);
    const x = tensor([0.7, -0.2, 1.1]);
    const cases = [
      'sigmoid(W*x) .* exp(-x[1:2])',
      "sum(W' .* W', 2) + log1p(x .^ 2)",
      'concat(x, [sin(x[2]), 3], 1) * 2',
      "inv(W*W' + x[1]) * [1; 2] + det(W*W' * x[2])",
      'norm(W*x) * x + reshape(W, [3, 2]) * [1, -1]',
      'stack(tanh(x), x ./ (1 + abs(x)))',
      'hypot(x, 1) + max(x, 0.5) + atan2(x, 2) + mod(x, 0.3)',
    ];
    for (const source of cases) {
      const J = jacobian(graphOf(source, { W, x })).jacobian.x;
      assert.ok(J !== undefined, source);
      const rows = elementsOf(J).length / 3;
      for (let k = 0; k < 3; k++) {
        const e = tensor([0, 1, 2].map((i) => (i === k ? 1 : 0)));
        const column = elementsOf(jvp(graphOf(source, { W, x }), new Map([['x', e]])).jvp);
        assert.equal(column.length, rows, source);
        for (let i = 0; i < rows; i++) agree(column[i], elementsOf(J)[i * 3 + k], `${source} [${i}, ${k}]`);
      }
    }
  });

  test('an op forward mode does not cover is a ForwardModeError naming it', () => {
    assert.throws(
      () => jvp(graphOf('softmax(x)', { x: tensor([1, 2]) }), new Map([['x', tensor([1, 0])]])),
      (e: unknown) => e instanceof ForwardModeError && /softmax/.test((e as Error).message),
    );
  });
});
