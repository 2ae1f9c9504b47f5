// Higher-order derivatives by double backprop (book steps 32-36), against independent oracles:
// closed forms, mathjs's symbolic `derivative` applied k times, and central differences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  add,
  build,
  clearGrads,
  derivatives,
  derivativesAt,
  grad,
  GraphTooLargeError,
  graphOf,
  hessian,
  hessianAt,
  hessianOf,
  higherDerivatives,
  parse,
  sin,
  Variable,
} from '../src/index.js';

/** The graph of `expression` at `values`, and its variables by name. */
function graphAt(expression: string, values: Record<string, number>) {
  const graph = build(parse(expression), new Map(Object.entries(values)), expression);
  const v = (name: string): Variable => graph.variables.get(name)!;
  return { y: graph.output, v };
}

/** d^k/dx^k f(x) for k = 1..n, as numbers. */
function nth(expression: string, x: number, n: number): number[] {
  const { y, v } = graphAt(expression, { x });
  return derivatives(y, v('x'), n).map((d) => d.data as number);
}

function assertClose(actual: number, expected: number, rel: number, what: string): void {
  const scale = Math.max(1, Math.abs(expected));
  assert.ok(
    Math.abs(actual - expected) <= rel * scale,
    `${what}: got ${actual}, expected ${expected} (difference ${actual - expected}, tolerance ${rel * scale})`,
  );
}

test('backward with createGraph leaves a gradient with a graph of its own; without, a plain number', () => {
  const { y, v } = graphAt('sin(x) * x', { x: 0.5 });
  y.backward({ createGraph: true });
  const gx = v('x').grad!;
  assert.notEqual(gx.creator, null);
  assert.ok(gx.requiresGrad);
  clearGrads([y]);
  y.backward();
  assert.equal(v('x').grad!.creator, null);
  assert.equal(v('x').grad!.data, gx.data);
  // Backward on the gradient is the second derivative: 2cos(x) - x sin(x).
  v('x').cleargrad();
  gx.backward();
  assertClose(v('x').grad!.data as number, 2 * Math.cos(0.5) - 0.5 * Math.sin(0.5), 1e-15, "(x sin x)''");
});

test('tanh at 1 up to the 8th derivative agrees with the closed form (book step 35)', () => {
  // tanh^(k) is a polynomial P_k(t) in t = tanh(x): P_0 = t, P_{k+1} = P_k'(t) * (1 - t^2).
  const t = Math.tanh(1);
  let p = [0, 1]; // coefficients, lowest power first
  const got = nth('tanh(x)', 1, 8);
  for (let k = 1; k <= 8; k++) {
    const dp = p.slice(1).map((c, i) => c * (i + 1));
    const next = new Array<number>(dp.length + 2).fill(0);
    dp.forEach((c, i) => {
      next[i] += c;
      next[i + 2] -= c;
    });
    p = next;
    const expected = p.reduce((sum, c, i) => sum + c * t ** i, 0);
    assertClose(got[k - 1], expected, 1e-9, `tanh^(${k})(1)`);
  }
});

test("x^4 - 2x^2: the second derivative Newton's method needs (book step 33)", () => {
  const [d1, d2] = nth('x^4 - 2*x^2', 2, 2);
  assert.equal(d1, 4 * 2 ** 3 - 4 * 2);
  assert.equal(d2, 12 * 2 ** 2 - 4);
  // Newton's method from 2 reaches the minimum at 1, as in the book's table.
  let x = 2;
  for (let i = 0; i < 7; i++) {
    const [g, h] = nth('x^4 - 2*x^2', x, 2);
    x -= g / h;
  }
  assertClose(x, 1, 1e-12, 'Newton from 2');
});

const MATHJS_CASES: [expression: string, x: number][] = [
  ['sin(x) * exp(x)', 0.7],
  ['log(x) / x', 1.3],
  ['sqrt(x) * cos(x)', 0.4],
  ['atan(x^2)', 0.9],
  ['x^3 - 2*x + tan(x)', 0.3],
  ['cosh(x) / (1 + sinh(x)^2)', 0.6],
  ['asin(x) + acos(x/2)', 0.25],
];

test('derivatives up to 4th order agree with mathjs derivative applied k times', async () => {
  const math = await import('mathjs');
  for (const [expression, x] of MATHJS_CASES) {
    const got = nth(expression, x, 4);
    let node = math.parse(expression);
    for (let k = 1; k <= 4; k++) {
      // Unsimplified: simplify is slow on 4th derivatives, and evaluating needs no tidy form.
      node = math.derivative(node, 'x', { simplify: false });
      assertClose(got[k - 1], node.evaluate({ x }) as number, 1e-9, `d^${k}/dx^${k} ${expression} at ${x}`);
    }
  }
});

test('the second derivative agrees with central differences of the first', () => {
  const h = 1e-5;
  for (const [expression, x] of MATHJS_CASES) {
    const first = (at: number): number => nth(expression, at, 1)[0];
    const central = (first(x + h) - first(x - h)) / (2 * h);
    assertClose(nth(expression, x, 2)[1], central, 1e-6, `d2/dx2 ${expression} at ${x}`);
  }
});

test('gradients are cleared between passes: repeating a pass gives the same numbers', () => {
  const { y, v } = graphAt('x^3 * sin(x)', { x: 0.8 });
  const first = derivatives(y, v('x'), 3).map((d) => d.data as number);
  const again = derivatives(y, v('x'), 3).map((d) => d.data as number);
  assert.deepEqual(again, first);
  // ... and leave nothing behind in the forward graph.
  assert.ok(graphOf([y]).variables.every((u) => u.grad === null));
});

test('derivatives of a polynomial run out to exact zeros', () => {
  assert.deepEqual(nth('x^3', 2, 5), [3 * 2 ** 2, 6 * 2, 6, 0, 0]);
  assert.deepEqual(nth('x', 5, 3), [1, 0, 0]);
  assert.deepEqual(nth('3*x + 1', 5, 2), [3, 0]);
});

test('hessian of x*y + sin(x)*y^2 matches the closed form', () => {
  const [x, y] = [0.5, -1.5];
  const g = graphAt('x*y + sin(x)*y^2', { x, y });
  const H = hessian(g.y, [g.v('x'), g.v('y')]);
  const expected = [
    [-Math.sin(x) * y ** 2, 1 + 2 * y * Math.cos(x)],
    [1 + 2 * y * Math.cos(x), 2 * Math.sin(x)],
  ];
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 2; j++) assertClose(H[i][j], expected[i][j], 1e-12, `H[${i}][${j}]`);
  }
});

test('diff(x^2, x)^3 + x^2 at 2: value 68, gradient 100 (book step 36)', () => {
  const r = grad('diff(x^2, x)^3 + x^2', { x: 2 });
  assert.equal(r.value, (2 * 2) ** 3 + 2 ** 2);
  assert.equal(r.gradient.x, 3 * (2 * 2) ** 2 * 2 + 2 * 2);
});

test('diff nests and mixes with other variables', () => {
  const x = 0.7;
  const r = grad('diff(diff(sin(x), x), x)', { x });
  assert.equal(r.value, -Math.sin(x));
  assertClose(r.gradient.x, -Math.cos(x), 1e-15, 'd/dx of -sin');
  const m = grad('diff(x^2 * y, x) + y', { x: 3, y: 5 });
  assert.equal(m.value, 2 * 3 * 5 + 5);
  assert.equal(m.gradient.x, 2 * 5);
  assert.equal(m.gradient.y, 2 * 3 + 1);
  // Constants and variables f does not use.
  assert.equal(grad('diff(x, x)', { x: 4 }).value, 1);
  assert.equal(grad('diff(y^2, x) + x', { x: 1, y: 3 }).value, 0 + 1);
  assert.equal(grad('diff(3, x)', { x: 1 }).value, 0);
});

test('diff: the second argument must be a variable name', () => {
  for (const [expression, column] of [
    ['diff(x^2, 2*x)', 11],
    ['diff(x^2, pi)', 11],
    ['diff(x^2, 3)', 11],
    ['diff(x, -x)', 9],
  ] as const) {
    assert.throws(
      () => parse(expression),
      (e: Error & { column?: number }) => {
        assert.match(e.message, /second argument of diff must be a variable name/);
        assert.equal(e.column, column, expression);
        return true;
      },
    );
  }
  assert.throws(() => parse('diff(x)'), /diff takes 2 arguments, got 1/);
});

test('a 200,000-deep chain: the graph walk and a second derivative need no deep stack', () => {
  const x = new Variable(0.1, 'x');
  let y = x;
  for (let i = 0; i < 200_000; i++) y = add(y, 1e-6);
  y = sin(y);
  assert.equal(graphOf([y]).functions.length, 200_001);
  const [d1, d2] = derivatives(y, x, 2);
  assertClose(d1.data as number, Math.cos(y.creator!.inputs[0].data as number), 1e-15, 'cos');
  assertClose(d2.data as number, -Math.sin(y.creator!.inputs[0].data as number), 1e-15, '-sin');
});

test('derivativesAt stops before a pass whose gradient graph would pass the budget', () => {
  const graph = build(parse('tanh(x)'), new Map([['x', 1]]));
  assert.throws(
    () => derivativesAt(graph, 'x', 30, { maxFunctions: 1000 }),
    (e) => {
      // A typed error carrying the numbers, in the library's words (no CLI flag): the CLI says `--order 30`.
      assert.ok(e instanceof GraphTooLargeError && e instanceof RangeError);
      assert.match(e.message, /^order 30 is too high for this expression: /);
      assert.match(e.message, /the gradient graph of d(\d+)y\/dx\1 already has \d+ functions/);
      assert.equal(e.order, 30);
      assert.equal(e.limit, 1000);
      const numbers = `of ${e.derivative} already has ${e.functions} functions and the next would have about ${e.next}`;
      assert.ok(e.message.includes(numbers), e.message);
      return true;
    },
  );
  // Within the budget: the same numbers as derivatives(), plus names for the gradient graphs.
  const ok = derivativesAt(build(parse('tanh(x)'), new Map([['x', 1]])), 'x', 4, { tracePasses: true });
  assert.deepEqual(ok.derivatives, nth('tanh(x)', 1, 4));
  assert.equal(ok.passes.length, 3);
  assert.ok(ok.passes.every((p) => p.graph.length > 0 && p.backward.length > 0));
});

test('the old names higherDerivatives and hessianOf are deprecated aliases of derivativesAt and hessianAt', () => {
  assert.equal(higherDerivatives, derivativesAt);
  assert.equal(hessianOf, hessianAt);
});
