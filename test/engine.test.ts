/** The engine itself: the book's steps 14-18 (accumulation, generations, no-grad, memory). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Config, Variable, add, exp, grad, mul, noGrad, sin, square } from '../src/index.js';

describe('Variable.backward', () => {
  test('step 14: a variable used twice accumulates its gradient (x + x at 3 gives 2)', () => {
    const x = new Variable(3, 'x');
    add(x, x).backward();
    assert.equal(x.grad!.data, 2);
    assert.equal(grad('x + x', { x: 3 }).gradient.x, 2);
  });

  test('cleargrad lets one variable be reused for a second computation', () => {
    const x = new Variable(3, 'x');
    add(x, x).backward();
    x.cleargrad();
    add(add(x, x), x).backward();
    assert.equal(x.grad!.data, 3);
  });

  test('step 16: generations order a diamond (y = a^2 + a^2, a = x^2 at 2 gives 32 and 64)', () => {
    const x = new Variable(2, 'x');
    const a = square(x);
    const y = add(square(a), square(a));
    y.backward();
    assert.equal(y.data, 32);
    assert.equal(x.grad!.data, 64);
  });

  test('step 18: intermediate gradients are dropped unless retained', () => {
    const x = new Variable(0.5, 'x');
    const a = square(x);
    const y = exp(a);
    y.backward();
    assert.equal(a.grad, null);
    assert.equal(y.grad, null);
    assert.ok(x.grad !== null);
    const x2 = new Variable(0.5, 'x');
    const a2 = square(x2);
    exp(a2).backward({ retainGrad: true });
    assert.equal(a2.grad!.data, Math.exp(0.25));
  });

  test('step 18: no-grad mode builds no graph', () => {
    const x = new Variable(2, 'x');
    const y = noGrad(() => square(x));
    assert.equal(y.data, 4);
    assert.equal(y.creator, null);
    assert.equal(Config.enableBackprop, true);
  });

  test('constants get no gradient and make no graph', () => {
    const y = mul(2, 3);
    assert.equal(y.creator, null);
    assert.equal(y.requiresGrad, false);
  });

  test('createGraph makes the gradient differentiable: d2/dx2 sin(x) = -sin(x)', () => {
    const x = new Variable(0.5, 'x');
    sin(x).backward({ createGraph: true });
    const gx = x.grad!;
    assert.ok(gx.creator !== null);
    x.cleargrad();
    gx.backward();
    assert.equal(x.grad!.data, -Math.sin(0.5));
  });

  test('a 100,000-deep chain runs backward without touching the stack limit', () => {
    const x = new Variable(0.1, 'x');
    let y = x;
    for (let i = 0; i < 100_000; i++) y = sin(y);
    y.backward();
    // d/dx sin^n(x) = product of cos along the chain: recompute it forward.
    let v = 0.1;
    let d = 1;
    for (let i = 0; i < 100_000; i++) {
      d *= Math.cos(v);
      v = Math.sin(v);
    }
    assert.equal(y.data, v);
    assert.ok(Math.abs((x.grad!.data as number) - d) <= 1e-12 * Math.abs(d));
  });
});

describe('the book step 24 benchmark functions', () => {
  test('Sphere at (1, 1): gradient (2, 2)', () => {
    const r = grad('x^2 + y^2', { x: 1, y: 1 });
    assert.deepEqual({ ...r.gradient }, { x: 2, y: 2 });
  });
  test('Matyas at (1, 1): DeZero prints 0.040000000000000036 for both', () => {
    const r = grad('0.26 * (x^2 + y^2) - 0.48 * x * y', { x: 1, y: 1 });
    assert.equal(r.gradient.x, 0.040000000000000036);
    assert.equal(r.gradient.y, 0.040000000000000036);
  });
  test('Goldstein-Price at (1, 1): 1876 and gradient (-5376, 8064)', () => {
    const gp =
      '(1 + (x + y + 1)^2 * (19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2)) * ' +
      '(30 + (2*x - 3*y)^2 * (18 - 32*x + 12*x^2 + 48*y - 36*x*y + 27*y^2))';
    const r = grad(gp, { x: 1, y: 1 });
    assert.equal(r.value, 1876);
    assert.equal(r.gradient.x, -5376);
    assert.equal(r.gradient.y, 8064);
  });
});
