import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grad } from '../src/index.js';

test('the seed example: square(exp(square(x))) at 0.5', () => {
  const r = grad('square(exp(square(x)))', { x: 0.5 });
  assert.equal(r.value, 1.648721270700128);
  // The reference digits from DeZero's step 6 (and the issue).
  assert.equal(r.gradient.x, 3.297442541400256);
  // Closed form: d/dx exp(x^2)^2 = 4x exp(2x^2)
  assert.ok(Math.abs(r.gradient.x - 4 * 0.5 * Math.exp(2 * 0.25)) < 1e-15);
});
