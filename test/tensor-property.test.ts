/**
 * Property tests of the engine's tensors (issue 16): broadcasting agrees with numpy's rule on every
 * pair of small shapes (numpy's answers in test/fixtures/tensor-ops.json, scripts/tensor-fixtures.py),
 * values agree with an index-by-index oracle written here, and the gradients of random elementwise
 * tensor expressions agree with central differences on every element.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  ShapeError,
  Tensor,
  type Value,
  Variable,
  add,
  broadcastShapes,
  cos,
  div,
  exp,
  gradients,
  mul,
  noGrad,
  sigmoid,
  sin,
  square,
  sub,
  sum,
  tanh,
} from '../src/index.js';
import { assertGradClose } from './helpers/numeric.js';

const BROADCAST: [number[], number[], number[] | null][] = JSON.parse(
  readFileSync(new URL('../../test/fixtures/tensor-ops.json', import.meta.url), 'utf8'),
).broadcast;

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const filled = (shape: readonly number[], f: (i: number) => number): Value =>
  shape.length === 0
    ? f(0)
    : Tensor.from(
        shape,
        Float64Array.from({ length: size(shape) }, (_, i) => f(i)),
      );
const elements = (v: Value): number[] => (typeof v === 'number' ? [v] : Array.from(v.data));
const shapeOfValue = (v: Value): readonly number[] => (typeof v === 'number' ? [] : v.shape);

/** The element of `shape` that output index `index` (of shape `out`) reads, by numpy's rule, spelled out. */
function source(shape: readonly number[], out: readonly number[], index: readonly number[]): number {
  let offset = 0;
  for (let i = 0; i < shape.length; i++) {
    const j = out.length - shape.length + i;
    offset = offset * shape[i] + (shape[i] === 1 ? 0 : index[j]);
  }
  return offset;
}

test("broadcasting every pair of shapes of rank 0-3 (sizes 1-3) gives numpy's shape, or a ShapeError where numpy refuses", () => {
  assert.equal(BROADCAST.length, 40 * 40);
  for (const [a, b, want] of BROADCAST) {
    if (want === null) {
      assert.throws(() => broadcastShapes('add', [a, b]), ShapeError, `${a} with ${b}`);
      assert.throws(
        () =>
          add(
            filled(a, () => 1),
            filled(b, () => 1),
          ),
        ShapeError,
      );
    } else assert.deepEqual(broadcastShapes('add', [a, b]), want, `[${a}] with [${b}]`);
  }
});

test('a broadcast sum and its gradients, element by element, against the rule spelled out', () => {
  const pairs = BROADCAST.filter(([, , out]) => out !== null);
  fc.assert(
    fc.property(fc.constantFrom(...pairs), fc.integer({ min: 1, max: 1000 }), ([a, b, out], seed) => {
      const av = filled(a, (i) => ((i * 7 + seed) % 11) - 5);
      const bv = filled(b, (i) => ((i * 3 + seed) % 13) / 4);
      const w = filled(out!, (i) => ((i * 5 + seed) % 7) - 3);
      const x = new Variable(av);
      const y = new Variable(bv);
      const z = add(x, y);
      assert.deepEqual(shapeOfValue(z.data), out);
      // every output element is a[its source] + b[its source]
      const strides = out!.map((_, i) => size(out!.slice(i + 1)));
      elements(z.data).forEach((v, k) => {
        const index = strides.map((s, i) => Math.floor(k / s) % out![i]);
        assert.equal(v, elements(av)[source(a, out!, index)] + elements(bv)[source(b, out!, index)]);
      });
      // d sum(w .* (x + y)) / dx[i] is the sum of w over the outputs that read x[i]
      const [gx, gy] = gradients(sum(mul(z, w)), [x, y]);
      assert.deepEqual(shapeOfValue(gx.data), a);
      assert.deepEqual(shapeOfValue(gy.data), b);
      const wantX = new Array(size(a)).fill(0);
      const wantY = new Array(size(b)).fill(0);
      elements(w).forEach((wk, k) => {
        const index = strides.map((s, i) => Math.floor(k / s) % out![i]);
        wantX[source(a, out!, index)] += wk;
        wantY[source(b, out!, index)] += wk;
      });
      assert.deepEqual(elements(gx.data), wantX);
      assert.deepEqual(elements(gy.data), wantY);
    }),
    { numRuns: 300 },
  );
});

/** A random elementwise expression over X [2,3], v [3], c [2,1] and s (a number), smooth everywhere. */
type Expr =
  | { kind: 'leaf'; index: number }
  | { kind: 'unary'; f: number; a: Expr }
  | { kind: 'binary'; f: number; a: Expr; b: Expr };
const UNARY = [sin, cos, tanh, sigmoid, (x: Variable) => exp(mul(0.3, tanh(x))), square];
const BINARY = [add, sub, mul, (a: Variable, b: Variable) => div(a, add(1.5, square(b)))];
const expr: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: fc.constant('leaf' as const), index: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ kind: fc.constant('unary' as const), f: fc.integer({ min: 0, max: UNARY.length - 1 }), a: tie('e') }),
    fc.record({
      kind: fc.constant('binary' as const),
      f: fc.integer({ min: 0, max: BINARY.length - 1 }),
      a: tie('e'),
      b: tie('e'),
    }),
  ),
})).e;

function evaluate(e: Expr, leaves: readonly Variable[]): Variable {
  // The trees are a few levels deep (fast-check's small depth): recursion is safe here.
  if (e.kind === 'leaf') return leaves[e.index];
  if (e.kind === 'unary') return UNARY[e.f](evaluate(e.a, leaves));
  return BINARY[e.f](evaluate(e.a, leaves), evaluate(e.b, leaves));
}

const SHAPES = [[2, 3], [3], [2, 1], []];

test('random elementwise tensor expressions: every gradient element agrees with a central difference', () => {
  fc.assert(
    fc.property(
      expr,
      fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 12, maxLength: 12 }),
      (e, seeds) => {
        const values = SHAPES.map((s, j) => filled(s, (i) => seeds[(i + 3 * j) % seeds.length] + 0.1 * i));
        const f = (vs: readonly Value[]): number =>
          noGrad(
            () =>
              sum(
                evaluate(
                  e,
                  vs.map((v) => new Variable(v)),
                ),
              ).data as number,
          );
        const leaves = values.map((v) => new Variable(v));
        const gs = gradients(sum(evaluate(e, leaves)), leaves);
        values.forEach((v, j) => {
          assert.deepEqual(shapeOfValue(gs[j].data), SHAPES[j]);
          elements(v).forEach((x, k) => {
            const h = 1e-6;
            const at = (t: number): Value[] =>
              values.map((u, i) => {
                if (i !== j) return u;
                if (typeof u === 'number') return t;
                const d = Float64Array.from(u.data);
                d[k] = t;
                return Tensor.from(u.shape, d);
              });
            const numeric = (f(at(x + h)) - f(at(x - h))) / (2 * h);
            assertGradClose(elements(gs[j].data)[k], numeric, `leaf ${j}[${k}]`, 1e-6, 1e-5);
          });
        });
      },
    ),
    { numRuns: 200 },
  );
});
