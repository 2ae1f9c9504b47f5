/**
 * The engine's tensors (issue 16, DeZero stage 4): every op on tensors against numpy's values
 * (test/fixtures/tensor-ops.json, written by scripts/tensor-fixtures.py), every gradient element
 * against central differences, the second derivative through the gradient graph likewise, every
 * elementwise op on a tensor bit for bit its scalar self, and the typed errors.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  MAX_ELEMENTS,
  type Nested,
  OPS,
  ShapeError,
  SingularMatrixError,
  Tensor,
  TensorSizeError,
  type Value,
  Variable,
  add,
  gradients,
  matmul,
  mul,
  noGrad,
  sum,
  tensor,
} from '../src/index.js';
import { random } from './helpers/random.js';
import { assertGradClose } from './helpers/numeric.js';

interface Case {
  op: string;
  inputs: Nested[];
  expected: Nested;
}
const CASES: Case[] = JSON.parse(
  readFileSync(new URL('../../test/fixtures/tensor-ops.json', import.meta.url), 'utf8'),
).cases;

const shape = (v: Value): readonly number[] => (typeof v === 'number' ? [] : v.shape);
const elements = (v: Value): number[] => (typeof v === 'number' ? [v] : Array.from(v.data));

/** Same shape as the nested expected value, each element within rel (and 1e-14 absolute). */
function assertValue(actual: Value, expected: Nested, what: string, rel = 1e-12): void {
  const want = tensor(expected);
  assert.deepEqual(shape(actual), shape(want), `${what}: shape`);
  const [a, e] = [elements(actual), elements(want)];
  a.forEach((x, i) =>
    assert.ok(Math.abs(x - e[i]) <= Math.max(1e-14, rel * Math.abs(e[i])), `${what}[${i}]: got ${x}, numpy ${e[i]}`),
  );
}

/** The inputs a gradient flows into: not the shapes, dims and indices (constants). */
function differentiable(c: Case): boolean[] {
  const n = c.inputs.length;
  switch (c.op) {
    case 'reshape':
    case 'sum':
    case 'mean':
    case 'prod':
    case 'index':
      return c.inputs.map((_, i) => i === 0);
    case 'concat':
      return c.inputs.map((x, i) => !(i === n - 1 && typeof x === 'number'));
    case 'size':
      return c.inputs.map(() => false);
    default:
      return c.inputs.map(() => true);
  }
}

/** A fixed random cotangent of `y`'s shape, so that sum(y .* r) checks every output element. */
function cotangent(y: Value, seed: number): Value {
  const rnd = random(seed);
  if (typeof y === 'number') return 0.5 + rnd();
  return Tensor.from(
    y.shape,
    Float64Array.from(y.data, () => rnd() * 2 - 1),
  );
}

const withElement = (v: Value, k: number, x: number): Value => {
  if (typeof v === 'number') return x;
  const data = Float64Array.from(v.data);
  data[k] = x;
  return Tensor.from(v.shape, data);
};

/**
 * Every element of every differentiable input: the engine's gradient of f = sum(op(...) .* r)
 * against a central difference of f, and the gradient of g = sum(grad .* s) (the second
 * derivative, through the gradient graph) against a central difference of g.
 */
function checkGradients(c: Case, label: string): void {
  const op = OPS.get(c.op)!;
  const values: Value[] = c.inputs.map(tensor);
  const needs = differentiable(c);
  const r = cotangent(
    noGrad(() => op.fn(...values).data),
    7,
  );
  const f = (xs: readonly Value[]): number => noGrad(() => sum(mul(op.fn(...xs), r)).data as number);
  const firstGrads = (xs: readonly Value[], createGraph: boolean): { vars: Variable[]; gs: Variable[] } => {
    const vars = xs.map((x, i) => new Variable(x, null, needs[i]));
    const y = sum(mul(op.fn(...vars), r));
    return { vars, gs: gradients(y, vars, { createGraph }) };
  };
  const { vars, gs } = firstGrads(values, true);
  const s = gs.map((g, i) => cotangent(g.data, 11 + i));
  const gsum = (gs2: readonly Variable[]): Variable =>
    gs2.reduce<Variable>((acc, g, i) => (needs[i] ? add(acc, sum(mul(g, s[i]))) : acc), new Variable(0, null, false));
  const g = (xs: readonly Value[]): number => gsum(firstGrads(xs, false).gs).data as number;
  const second = gradients(gsum(gs), vars);
  values.forEach((v, i) => {
    if (!needs[i]) return;
    assert.deepEqual(shape(gs[i].data), shape(v), `${label}: the gradient of input ${i} has its shape`);
    elements(v).forEach((x, k) => {
      const h = 1e-6 * Math.max(1, Math.abs(x));
      const at = (t: number): Value[] => values.map((u, j) => (j === i ? withElement(u, k, t) : u));
      const numeric = (f(at(x + h)) - f(at(x - h))) / (2 * h);
      assertGradClose(elements(gs[i].data)[k], numeric, `${label}: d/d input ${i}[${k}]`, 1e-6, 1e-5);
      const numeric2 = (g(at(x + h)) - g(at(x - h))) / (2 * h);
      assertGradClose(elements(second[i].data)[k], numeric2, `${label}: second order, input ${i}[${k}]`, 1e-5, 1e-4);
    });
  });
}

describe('every tensor op agrees with numpy, and its gradients with central differences', () => {
  for (const [n, c] of CASES.entries()) {
    const label = `${c.op}(${c.inputs.map((x) => JSON.stringify(shape(tensor(x)))).join(', ')}) #${n}`;
    test(label, () => {
      const y = OPS.get(c.op)!.fn(...c.inputs.map(tensor));
      assertValue(y.data, c.expected, label, c.op === 'det' || c.op === 'inv' ? 1e-12 : 1e-13);
      if (differentiable(c).some(Boolean)) checkGradients(c, label);
    });
  }
  test('every op on whole values has a case', () => {
    const covered = new Set(CASES.map((c) => c.op));
    const missing = [...OPS.values()]
      .filter((op) => op.array !== undefined && !covered.has(op.name))
      .map((op) => op.name);
    assert.deepEqual(missing, []);
  });
});

describe('an elementwise op on a tensor is its scalar self, element by element, bit for bit', () => {
  const rnd = random(3);
  const points = Array.from({ length: 12 }, () => (rnd() * 6 - 3) * 2 ** Math.floor(rnd() * 4 - 2));
  points.push(0, -0, 1, -1, Infinity, NaN);
  for (const op of OPS.values()) {
    if (op.array !== undefined || op.variableArgs !== undefined) continue;
    test(op.name, () => {
      const arity = op.arity;
      const columns = Array.from({ length: arity }, (_, a) =>
        points.map((_, k) => points[(k * (a + 1) + a) % points.length]),
      );
      const xs = columns.map((col) => new Variable(Tensor.from([col.length], col)));
      const y = op.fn(...xs);
      const gs = gradients(sum(y), xs);
      for (let k = 0; k < points.length; k++) {
        const scalars = columns.map((col) => new Variable(col[k]));
        const ys = op.fn(...scalars);
        const gss = gradients(ys, scalars);
        assert.ok(Object.is((y.data as Tensor).data[k], ys.data), `${op.name} value at ${k}`);
        gss.forEach((g, a) =>
          assert.ok(
            Object.is(elements(gs[a].data)[k], g.data) ||
              (Number.isNaN(elements(gs[a].data)[k]) && Number.isNaN(g.data as number)),
            `${op.name} gradient ${a} at ${columns.map((c) => c[k]).join(', ')}: ${elements(gs[a].data)[k]} vs ${g.data}`,
          ),
        );
      }
    });
  }
});

describe('broadcasting in backward: sum_to gives each input a gradient of its own shape (DeZero step 40)', () => {
  test('[2,3] + [3]: the row gets the column sums of gy', () => {
    const x = new Variable(
      tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]),
    );
    const b = new Variable(tensor([10, 20, 30]));
    const w = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const y = sum(mul(add(x, b), w));
    y.backward();
    assertValue(
      x.grad!.data,
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      'x.grad',
    );
    assertValue(b.grad!.data, [1 + 4, 2 + 5, 3 + 6], 'b.grad');
  });
  test('a scalar broadcast over a matrix gets the sum of gy', () => {
    const c = new Variable(2);
    const y = sum(
      mul(
        c,
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ),
    );
    y.backward();
    assert.equal(c.grad!.data, 1 + 2 + 3 + 4);
  });
  test('[2,1] * [1,3] -> [2,3]; both gradients summed back', () => {
    const a = new Variable(tensor([[1], [2]]));
    const b = new Variable(tensor([[3, 4, 5]]));
    sum(mul(a, b)).backward();
    assertValue(a.grad!.data, [[3 + 4 + 5], [3 + 4 + 5]], 'a.grad');
    assertValue(b.grad!.data, [[1 + 2, 1 + 2, 1 + 2]], 'b.grad');
  });
  test("matmul's gradient shapes (step 41): gx = gy W^T, gW = x^T gy", () => {
    const x = new Variable(
      tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]),
    );
    const W = new Variable(
      tensor([
        [1, 0],
        [0, 1],
        [1, 1],
      ]),
    );
    sum(matmul(x, W)).backward();
    // gy is ones [2,2]: gx[i][k] = sum_j W[k][j], gW[k][j] = sum_i x[i][k]
    assertValue(
      x.grad!.data,
      [
        [1, 1, 2],
        [1, 1, 2],
      ],
      'x.grad',
    );
    assertValue(
      W.grad!.data,
      [
        [5, 5],
        [7, 7],
        [9, 9],
      ],
      'W.grad',
    );
  });
});

describe('typed errors', () => {
  test('a broadcast that cannot be: ShapeError naming the op and both shapes', () => {
    assert.throws(
      () =>
        add(
          tensor([
            [1, 2, 3],
            [4, 5, 6],
          ]),
          tensor([1, 2, 3, 4]),
        ),
      (e: unknown) =>
        e instanceof ShapeError &&
        e.op === 'add' &&
        e.message === 'add: shapes [2, 3] and [4] cannot be broadcast' &&
        JSON.stringify(e.shapes) === '[[2,3],[4]]',
    );
    assert.throws(
      () => matmul(tensor([[1, 2]]), tensor([[1, 2]])),
      /matmul: shapes \[1, 2\] and \[1, 2\] cannot be multiplied/,
    );
  });
  test('ragged nested arrays', () => {
    assert.throws(() => tensor([[1, 2], [3]]), ShapeError);
    assert.throws(() => tensor([[1, 2], 3] as Nested), ShapeError);
  });
  test('more than MAX_ELEMENTS elements: TensorSizeError before any allocation', () => {
    assert.equal(MAX_ELEMENTS, 10_000_000);
    assert.throws(() => Tensor.zeros([10_000, 10_000]), TensorSizeError);
    const col = Tensor.zeros([10_000, 1]);
    const row = Tensor.zeros([1, 10_000]);
    assert.throws(() => add(col, row), /add: shape \[10000, 10000\] has 100000000 elements, more than the limit/);
    assert.throws(() => matmul(col, row), TensorSizeError);
  });
  test('index out of range, wrong number of indices, a bad dim, a singular matrix', () => {
    const A = tensor([
      [1, 2],
      [3, 4],
    ]);
    const index = OPS.get('index')!.fn;
    assert.throws(() => index(A, 2, 0), /index: shape \[2, 2\] has no index 2/);
    assert.throws(() => index(A, 0), /needs 2 indices/);
    assert.throws(() => OPS.get('sum')!.fn(A, 3), /sum: shape \[2, 2\] has no dimension 3/);
    assert.throws(
      () =>
        OPS.get('inv')!.fn(
          tensor([
            [1, 2],
            [2, 4],
          ]),
        ),
      SingularMatrixError,
    );
    assert.throws(() => OPS.get('det')!.fn(tensor([1, 2])), /det: shape \[2\] is not a square matrix/);
    assert.throws(() => OPS.get('stack')!.fn(), /^ShapeError: stack: needs at least one value$/);
    assert.throws(() => OPS.get('concat')!.fn(), /^ShapeError: concat: needs at least one value$/);
    assert.throws(() => OPS.get('concat')!.fn(2, 1), /concat: shape \[\] has no dimension 1/);
  });
});
