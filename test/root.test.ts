/**
 * root() on equations with known roots (closed forms and mpmath's, test/fixtures/optim.json), and
 * the cases where a search cannot start or go on.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { root, RootError, RootSearch } from '../src/index.js';
import { assertClose } from './helpers/numeric.js';

const roots: { sqrt2: number; dottie: number; ln3: number } = JSON.parse(
  readFileSync(new URL('../../test/fixtures/optim.json', import.meta.url), 'utf8'),
).roots;

describe('known roots', () => {
  test('Newton on x^2 - 2 from 1: 1, 1.5, 17/12, 577/408, ... to sqrt(2)', () => {
    const r = root('x^2 - 2', { x: 1 });
    // Newton's iterates for sqrt(2) are the convergents 3/2, 17/12, 577/408 (x <- x/2 + 1/x).
    assert.deepEqual(
      r.trajectory.slice(0, 4).map((it) => it.x[0]),
      [1, 3 / 2, 17 / 12, 577 / 408],
    );
    assert.equal(r.point.x, Math.SQRT2);
    assert.equal(r.point.x, roots.sqrt2);
    assert.equal(r.reason, 'converged');
  });
  test('the secant method on exp(x) - 3 from 0', () => {
    const r = root('exp(x) - 3', { x: 0 }, { method: 'secant' });
    assertClose(r.point.x, roots.ln3, 'ln 3', 1e-15);
    assert.equal(r.reason, 'converged');
  });
  test('the secant from a bracket takes its ends as the first two points', () => {
    const r = root('x^3 - 8', {}, { method: 'secant', bracket: [1, 3] });
    assert.deepEqual(
      r.trajectory.slice(0, 2).map((it) => it.x[0]),
      [1, 3],
    );
    assertClose(r.point.x, 2, 'cube root of 8', 1e-15);
  });
  test('bisection of cos(x) - x on [0, 1]: the Dottie number, the bracket halving each step', () => {
    const r = root('cos(x) - x', {}, { method: 'bisect', bracket: [0, 1] });
    assert.ok(Math.abs(r.point.x - roots.dottie) <= 1e-10 * (1 + roots.dottie), `${r.point.x}`);
    assert.deepEqual(
      r.trajectory.slice(0, 3).map((it) => it.x[0]),
      [0.5, 0.75, 0.625],
    );
    const [a, b] = r.bracket!;
    assert.ok(a <= roots.dottie && roots.dottie <= b, `[${a}, ${b}]`);
    // With tol 0 it goes on to two neighbouring doubles.
    const full = root('cos(x) - x', {}, { method: 'bisect', bracket: [1, 0], tol: 0 });
    assert.ok(Math.abs(full.point.x - roots.dottie) <= 2 * Number.EPSILON, `${full.point.x}`);
  });
  test('a bracket end that is a root', () => {
    const r = root('x^2 - 4', {}, { method: 'bisect', bracket: [2, 5] });
    assert.equal(r.point.x, 2);
  });
  test('two equations in two variables: Newton with the Jacobian ([f, g] or a list)', () => {
    for (const eqs of ['[x^2 + y^2 - 4, x - y]', ['x^2 + y^2 - 4', 'x - y']]) {
      const r = root(eqs, { x: 1, y: 2 });
      assert.equal(r.point.x, Math.SQRT2);
      assert.equal(r.point.y, Math.SQRT2);
      assert.deepEqual(r.expressions, ['x^2 + y^2 - 4', 'x - y']);
    }
    // A comma inside a call is not a separator. xy = 2 and x^2 + y^2 = 5 meet at (1, 2), the Jacobian regular.
    const r = root('[max(x, 0) * y - 2, x^2 + y^2 - 5]', { x: 0.8, y: 2.5 });
    assertClose(r.point.x, 1, 'x', 1e-14);
    assertClose(r.point.y, 2, 'y', 1e-14);
  });
});

describe('when a root search cannot start or go on', () => {
  const kind = (k: RootError['kind']) => (e: unknown) => e instanceof RootError && e.kind === k;
  test('a bracket with no sign change', () => {
    assert.throws(() => root('x^2 + 1', {}, { method: 'bisect', bracket: [-1, 1] }), kind('no sign change'));
    assert.throws(() => root('x^2 + 1', {}, { method: 'bisect', bracket: [-1, 1] }), /f\(-1\) = 2 and f\(1\) = 2/);
  });
  test("a flat derivative: Newton at x^2 - 1's minimum, the secant on a constant stretch", () => {
    assert.throws(() => root('x^2 - 1', { x: 0 }), kind('flat'));
    assert.throws(() => root('x^2 - 1', { x: 0 }), /derivative is 0 at x = 0/);
    assert.throws(() => root('max(x, 1) - 3', {}, { method: 'secant', bracket: [-2, 0] }), kind('flat'));
  });
  test('a singular Jacobian', () => {
    assert.throws(() => root('[x + y - 1, 2*x + 2*y - 3]', { x: 0, y: 0 }), kind('singular'));
  });
  test('equations and variables in different numbers, bisection without a bracket or with two variables', () => {
    assert.throws(() => root('x + y', { x: 0, y: 0 }), kind('shape'));
    assert.throws(() => root('x', {}, { method: 'bisect' }), kind('shape'));
    assert.throws(() => root(['x + y', 'x - y'], {}, { method: 'bisect', bracket: [0, 1] }), kind('shape'));
  });
  test('a start missing for Newton', () => {
    assert.throws(() => root('x^2 - 2', {}), { name: 'MissingValueError' });
  });
  test('interrupted', () => {
    const s = new RootSearch('x^2 - 2', { x: 1 });
    s.step();
    s.interrupt();
    assert.equal(s.result().reason, 'interrupted');
  });
  test('an iteration limit and a runaway', () => {
    assert.equal(root('x^2 - 2', { x: 1 }, { iters: 2 }).reason, 'iteration limit');
    // Newton on atan(x) from 2 overshoots further each step.
    assert.equal(root('atan(x)', { x: 2 }).reason, 'diverging');
  });
});
