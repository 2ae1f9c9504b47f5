/**
 * minimize() against references computed without dezero-grad (test/fixtures/optim.json, written
 * by scripts/optim-fixture.py: DeZero's loops and optimizers in Python, mpmath's minima) and
 * against published minima of the standard test functions.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Minimization, minimize, type Method } from '../src/index.js';
import { keepIterate, THINNED_SIZE, thinning } from '../src/api/minimize.js';
import { assertClose } from './helpers/numeric.js';

interface Fixture {
  gd: Record<string, [number, number]>;
  momentum: Record<string, [number, number]>;
  adam: Record<string, [number, number]>;
  newton: number[];
  himmelblau: [number, number][];
}
const fixture: Fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/optim.json', import.meta.url), 'utf8'));

/** The book's x0, x1 as x, y. */
const ROSENBROCK = '100*(y - x^2)^2 + (x - 1)^2';

/** The point of iterate k as [x, y] (the record's names are in order of first appearance: y, x). */
function xy(r: ReturnType<typeof minimize>, k: number): [number, number] {
  const it = r.trajectory[k];
  return [it.x[r.names.indexOf('x')], it.x[r.names.indexOf('y')]];
}

describe('step 28: gradient descent on Rosenbrock from (0, 2), lr 0.001', () => {
  const r = minimize(ROSENBROCK, { x: 0, y: 2 }, { method: 'gd', iters: 10000 });
  for (const k of Object.keys(fixture.gd)) {
    test(`the point after ${k} updates is DeZero's`, () => {
      const [x, y] = xy(r, Number(k));
      assertClose(x, fixture.gd[k][0], `x${k}`);
      assertClose(y, fixture.gd[k][1], `y${k}`);
    });
  }
  test('the last lines step28.py prints (it prints before each update): iterates 999 and 9999, to 8 digits', () => {
    // From the fixture's transcription of steps/step28.py, rounded as the book quotes points.
    assert.deepEqual(
      xy(r, 999).map((v) => Number(v.toFixed(8))),
      fixture.gd['999'].map((v) => Number(v.toFixed(8))),
    );
    assert.deepEqual(
      xy(r, 9999).map((v) => Number(v.toFixed(8))),
      [0.99449622, 0.98900063],
    );
    assert.equal(r.reason, 'iteration limit');
    assert.equal(r.iterations, 10000);
  });
});

describe("DeZero's MomentumSGD and Adam on the same run", () => {
  for (const method of ['momentum', 'adam'] as const) {
    const r = minimize(ROSENBROCK, { x: 0, y: 2 }, { method, iters: 1000 });
    for (const k of Object.keys(fixture[method])) {
      test(`${method}: the point after ${k} updates`, () => {
        const [x, y] = xy(r, Number(k));
        assertClose(x, fixture[method][k][0], `x${k}`, 1e-11);
        assertClose(y, fixture[method][k][1], `y${k}`, 1e-11);
      });
    }
  }
});

test("step 29: Newton on x^4 - 2x^2 from 2 prints the book's iterates and stops at 1", () => {
  const r = minimize('x^4 - 2*x^2', { x: 2 }, { method: 'newton' });
  // The book prints 2.0, 1.4545454545454546, 1.1510467893775467, ..., 1.000000000002289, 1.0, 1.0, 1.0.
  const path = r.trajectory.map((it) => it.x[0]);
  assert.deepEqual(path, fixture.newton.slice(0, 8));
  assert.deepEqual(path.slice(0, 3), [2, 1.4545454545454546, 1.1510467893775467]);
  assert.equal(r.point.x, 1);
  assert.equal(r.value, -1); // 1 - 2
  assert.equal(r.reason, 'converged');
});

test("L-BFGS reaches Rosenbrock's minimum (1, 1) to 1e-8 in under 100 iterations", () => {
  const r = minimize(ROSENBROCK, { x: 0, y: 2 });
  assert.equal(r.method, 'lbfgs');
  assert.equal(r.reason, 'converged');
  assert.ok(r.iterations < 100, `${r.iterations} iterations`);
  assert.ok(Math.abs(r.point.x - 1) < 1e-8 && Math.abs(r.point.y - 1) < 1e-8, JSON.stringify(r.point));
  // From the classic start (-1.2, 1) too.
  const classic = minimize(ROSENBROCK, { x: -1.2, y: 1 });
  assert.ok(classic.iterations < 100, `${classic.iterations} iterations`);
  assert.ok(Math.abs(classic.point.x - 1) < 1e-8 && Math.abs(classic.point.y - 1) < 1e-8);
});

/** Standard test functions (Jamil & Yang 2013, "A literature survey of benchmark functions"). */
const FUNCTIONS: {
  name: string;
  expr: string;
  start: Record<string, number>;
  minima: [number, number][];
  min: number;
}[] = [
  { name: 'Sphere', expr: 'x^2 + y^2', start: { x: 1, y: -2 }, minima: [[0, 0]], min: 0 },
  { name: 'Matyas', expr: '0.26*(x^2 + y^2) - 0.48*x*y', start: { x: 1, y: -2 }, minima: [[0, 0]], min: 0 },
  {
    name: 'Goldstein-Price',
    expr:
      '(1 + (x + y + 1)^2*(19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2)) * ' +
      '(30 + (2*x - 3*y)^2*(18 - 32*x + 12*x^2 + 48*y - 36*x*y + 27*y^2))',
    start: { x: 0.5, y: -0.5 },
    minima: [[0, -1]],
    min: 3,
  },
  {
    name: 'Himmelblau',
    expr: '(x^2 + y - 11)^2 + (x + y^2 - 7)^2',
    start: { x: 1, y: 1 },
    minima: fixture.himmelblau,
    min: 0,
  },
];

/** Each method's learning rate and iteration budget per function (first-order methods need tuning). */
const SETTINGS: Record<Method, Record<string, { lr?: number; iters: number; near: number }>> = {
  lbfgs: {
    Sphere: { iters: 100, near: 1e-9 },
    Matyas: { iters: 100, near: 1e-9 },
    'Goldstein-Price': { iters: 100, near: 1e-9 },
    Himmelblau: { iters: 100, near: 1e-9 },
  },
  newton: {
    Sphere: { iters: 20, near: 1e-12 },
    Matyas: { iters: 20, near: 1e-12 },
    'Goldstein-Price': { iters: 50, near: 1e-12 },
    Himmelblau: { iters: 50, near: 1e-12 },
  },
  gd: {
    Sphere: { lr: 0.1, iters: 1000, near: 1e-9 },
    Matyas: { lr: 1, iters: 2000, near: 1e-8 },
    'Goldstein-Price': { lr: 1e-5, iters: 20000, near: 1e-9 },
    Himmelblau: { lr: 0.01, iters: 2000, near: 1e-9 },
  },
  momentum: {
    Sphere: { lr: 0.01, iters: 2000, near: 1e-9 },
    Matyas: { lr: 0.1, iters: 2000, near: 1e-8 },
    'Goldstein-Price': { lr: 1e-5, iters: 5000, near: 1e-9 },
    Himmelblau: { lr: 0.001, iters: 2000, near: 1e-9 },
  },
  adam: {
    Sphere: { lr: 0.01, iters: 20000, near: 1e-7 },
    Matyas: { lr: 0.01, iters: 20000, near: 1e-7 },
    'Goldstein-Price': { lr: 0.001, iters: 20000, near: 1e-7 },
    Himmelblau: { lr: 0.01, iters: 20000, near: 1e-7 },
  },
};

describe('every method on Sphere, Matyas, Goldstein-Price and Himmelblau', () => {
  for (const method of ['lbfgs', 'newton', 'gd', 'momentum', 'adam'] as const) {
    for (const f of FUNCTIONS) {
      test(`${method} on ${f.name}`, () => {
        const s = SETTINGS[method][f.name];
        const r = minimize(f.expr, f.start, { method, lr: s.lr, iters: s.iters });
        assert.equal(r.reason, 'converged', `${r.reason}: ${r.detail} at ${JSON.stringify(r.point)}`);
        const distance = Math.min(...f.minima.map(([x, y]) => Math.hypot(r.point.x - x, r.point.y - y)));
        assert.ok(distance < s.near, `${JSON.stringify(r.point)} is ${distance} from the nearest minimum`);
        assertClose(r.value, f.min, 'the value', 1e-12, 1e-12);
      });
    }
  }
});

describe('why a search stops', () => {
  test("momentum with DeZero's default lr 0.01 leaves Rosenbrock's valley: diverging, the best point kept", () => {
    const r = minimize(ROSENBROCK, { x: 0, y: 2 }, { method: 'momentum', lr: 0.01 });
    assert.ok(r.reason === 'diverging' || r.reason === 'non-finite', r.reason);
    assert.ok(r.iterations < 1000);
    assert.ok(Number.isFinite(r.best.value) && r.best.value <= r.trajectory[0].value);
  });
  test('a value that is not finite: sqrt(x) stepped past 0', () => {
    const r = minimize('sqrt(x)', { x: 1 }, { method: 'gd', lr: 10 });
    assert.equal(r.reason, 'non-finite');
    assert.match(r.detail, /NaN/);
  });
  test('a function unbounded below: L-BFGS on x is diverging', () => {
    assert.equal(minimize('x', { x: 1 }).reason, 'diverging');
  });
  test("Newton on a line: the Hessian is singular, Newton's step undefined", () => {
    const r = minimize('x + y', { x: 1, y: 2 }, { method: 'newton' });
    assert.equal(r.reason, 'stalled');
    assert.match(r.detail, /singular/);
  });
  test('the iteration limit', () => {
    const r = minimize(ROSENBROCK, { x: 0, y: 2 }, { method: 'gd', iters: 3 });
    assert.equal(r.reason, 'iteration limit');
    assert.equal(r.trajectory.length, 4);
  });
  test('interrupted: the record so far, with the best point', () => {
    const m = new Minimization(ROSENBROCK, { x: 0, y: 2 }, { method: 'gd' });
    for (let i = 0; i < 10; i++) m.step();
    m.interrupt();
    assert.equal(m.step(), false);
    const r = m.result();
    assert.equal(r.reason, 'interrupted');
    assert.equal(r.iterations, 9);
    assert.deepEqual(r.best, r.trajectory[9]); // gradient descent with a small lr only goes down
  });
});

describe('bad input', () => {
  test('a variable without a start names it', () => {
    assert.throws(() => minimize('x^2 + y^2', { x: 1 }), { name: 'MissingValueError', message: /no value for y/ });
  });
  test('bad options are RangeErrors', () => {
    assert.throws(() => minimize('x^2', { x: 1 }, { method: 'gd', lr: 0 }), RangeError);
    assert.throws(() => minimize('x^2', { x: 1 }, { iters: 1.5 }), RangeError);
    assert.throws(() => minimize('x^2', { x: 1 }, { method: 'bfgs' as Method }), /unknown method 'bfgs'/);
    assert.throws(() => minimize('x^2', { x: 1 }, { method: 'toString' as Method }), /unknown method 'toString'/);
    assert.throws(() => minimize('3', {}), /no variable/);
  });
});

describe("a thinned trajectory (the text's record of a long run)", () => {
  const run = (n: number, keepEvery?: number): number[] => {
    const trajectory: { k: number }[] = [];
    const state = thinning({ trajectory: 'thinned', keepEvery });
    for (let k = 0; k <= n; k++) keepIterate(trajectory, { k }, state);
    return trajectory.map((t) => t.k);
  };
  test('every iterate up to the limit', () => {
    assert.deepEqual(
      run(THINNED_SIZE - 1),
      Array.from({ length: THINNED_SIZE }, (_, k) => k),
    );
  });
  test('then the multiples of 10, 100, ...: the start, the round rows and the newest stay', () => {
    const n = 2_345_678;
    const ks = run(n);
    assert.ok(ks.length <= THINNED_SIZE + 1, `${ks.length} kept`);
    assert.equal(ks[0], 0);
    assert.equal(ks[ks.length - 1], n);
    const kept = new Set(ks);
    for (let k = 0; k <= n; k += 100) assert.ok(kept.has(k), `k = ${k} is gone`);
  });
  test('and the multiples of keepEvery (--every), whatever their number', () => {
    const kept = new Set(run(400_000, 3));
    for (let k = 0; k <= 400_000; k += 3) assert.ok(kept.has(k), `k = ${k} is gone`);
    assert.ok(kept.size < 400_000 / 3 + 400_000 / 100 + 2, `${kept.size} kept`);
  });
});
