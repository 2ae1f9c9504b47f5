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
import { elementsOf, shapeOf, Tensor, tensor, type Value } from '../src/engine/tensor.js';
import { build } from '../src/expr/build.js';
import { parse } from '../src/expr/parse.js';

const graphOf = (source: string, values: Record<string, Value>) =>
  build(parse(source), new Map(Object.entries(values)), source);
const tensorOf = (shape: readonly number[], data: Float64Array): Value =>
  shape.length === 0 ? data[0] : Tensor.from(shape, data, 'test');
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

  test('softmax, logsumexp, prod and max/min of one tensor: J·e_k is column k of the Jacobian', () => {
    const M = tensor([
      [0.3, -1.2, 0.5],
      [2, 0.1, -0.4],
    ]);
    const x = tensor([0.7, -0.2, 1.1]);
    const cases: [string, Record<string, Value>, string][] = [
      ['softmax(x)', { x }, 'x'],
      ['softmax(M) .* M', { M }, 'M'],
      ['logsumexp(x * 3)', { x }, 'x'],
      ['logsumexp(M) + sum(M, 2)', { M }, 'M'],
      ['prod(x)', { x }, 'x'],
      ['prod(M, 1) + prod(M, 2)[1]', { M }, 'M'],
      ['prod(M)', { M }, 'M'],
      ['max(x .* x) - min(M * 2)', { x, M }, 'x'],
      ['max(x .* x) - min(M * 2)', { x, M }, 'M'],
      ['softmax(x[1] * x) + logsumexp(x[2]) + prod(x[3]) + max(x[1]) + min(x[2])', { x }, 'x'],
    ];
    for (const [source, values, name] of cases) {
      const J = jacobian(graphOf(source, values)).jacobian[name];
      assert.ok(J !== undefined, source);
      const n = elementsOf(values[name]).length;
      const rows = elementsOf(J).length / n;
      const shape = shapeOf(values[name]);
      for (let k = 0; k < n; k++) {
        const e = new Float64Array(n);
        e[k] = 1;
        const column = elementsOf(jvp(graphOf(source, values), new Map([[name, tensorOf(shape, e)]])).jvp);
        assert.equal(column.length, rows, source);
        for (let i = 0; i < rows; i++) agree(column[i], elementsOf(J)[i * n + k], `${source} d/d${name} [${i}, ${k}]`);
      }
    }
  });

  test('prod with a 0 among the elements: the product of the others, where reverse mode has y/x = NaN', () => {
    const x = tensor([2, 0, 3]);
    const column = (k: number): number =>
      jvp(graphOf('prod(x)', { x }), new Map([['x', tensor([0, 1, 2].map((i) => (i === k ? 1 : 0)))]])).jvp as number;
    assert.deepEqual([0, 1, 2].map(column), [0, 6, 0]);
    const M = tensor([
      [0, 0],
      [5, 7],
    ]);
    const t = jvp(
      graphOf('prod(M, 1)', { M }),
      new Map([
        [
          'M',
          tensor([
            [1, 1],
            [1, 1],
          ]),
        ],
      ]),
    ).jvp;
    assert.deepEqual([...elementsOf(t)], [5, 7]);
  });

  test('max and min of one tensor share the tangent among ties, as the backward shares the gradient', () => {
    const x = tensor([1, 3, 3, -2]);
    const v = tensor([0.5, 1, 4, 9]);
    assert.equal(jvp(graphOf('max(x)', { x }), new Map([['x', v]])).jvp, 2.5);
    assert.equal(jvp(graphOf('min(x)', { x }), new Map([['x', v]])).jvp, 9);
    const reverse = differentiate(graphOf('max(x)', { x }), { trace: false }).gradient.x;
    const dot = [...elementsOf(reverse)].reduce((s, g, i) => s + g * elementsOf(v)[i], 0);
    assert.equal(dot, 2.5);
  });

  test('an op forward mode does not cover is a ForwardModeError naming it', () => {
    assert.throws(
      () => jvp(graphOf('diff(x^2, x)', { x: 1 }), new Map([['x', 1]])),
      (e: unknown) => e instanceof ForwardModeError && /diff/.test((e as Error).message),
    );
  });
});
