import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileKernel, grad, parse, plan, type Input } from '../src/index.js';
import { expression, random, values } from './helpers/random.js';

/** Same double, NaN included, -0 distinct from 0. */
function same(a: number, b: number): boolean {
  return Object.is(a, b);
}

test('the fused kernel and the tape interpreter agree with the engine bit for bit on random expressions', () => {
  const rnd = random(20261127);
  const n = 9;
  for (let k = 0; k < 300; k++) {
    const source = expression(rnd, 1 + Math.floor(rnd() * 5));
    const x = values(rnd, n);
    const yScalar = rnd() < 0.3;
    const y = yScalar ? values(rnd, 1)[0] : values(rnd, n);
    const p = plan(parse(source), source);
    const inputs: Input[] = p.names.map((name) => (name === 'x' ? x : y));
    for (const mode of ['fused', 'tape'] as const) {
      const value = new Float64Array(n);
      const grads = p.names.map(() => new Float64Array(n));
      compileKernel(
        p,
        inputs.map((i) => typeof i !== 'number'),
        mode,
      )(0, n, inputs, value, grads);
      for (let i = 0; i < n; i++) {
        const point = { x: x[i], y: typeof y === 'number' ? y : y[i] };
        const ref = grad(source, point);
        const where = `${mode} ${source} at x=${point.x}, y=${point.y}`;
        assert.ok(same(value[i], ref.value), `${where}: value ${value[i]} vs engine ${ref.value}`);
        p.names.forEach((name, j) => {
          const want = ref.gradient[name];
          assert.ok(same(grads[j][i], want), `${where}: d/d${name} ${grads[j][i]} vs engine ${want}`);
        });
      }
    }
  }
});

test('grad takes Float64Array values and returns Float64Arrays', () => {
  const x = new Float64Array([0, 0.5, 1]);
  const r = grad('square(exp(square(x)))', { x });
  assert.ok(r.value instanceof Float64Array && r.gradient.x instanceof Float64Array);
  assert.equal(r.length, 3);
  // The seed's reference digits at the middle point; elsewhere the closed form 4x exp(2x^2).
  assert.equal(r.gradient.x[1], 3.297442541400256);
  assert.equal(r.gradient.x[0], 0);
  assert.ok(Math.abs(r.gradient.x[2] - 4 * Math.exp(2)) < 1e-13);
});

test('broadcasting: a number or an array of one repeats; different lengths are an error', () => {
  const r = grad('x * y', { x: [1, 2, 3], y: 10 });
  assert.deepEqual([...r.value], [10, 20, 30]);
  assert.deepEqual([...r.gradient.x], [10, 10, 10]);
  assert.deepEqual([...r.gradient.y], [1, 2, 3]);
  assert.deepEqual([...grad('x * y', { x: [1, 2, 3], y: [10] }).value], [10, 20, 30]);
  assert.throws(() => grad('x * y', { x: [1, 2, 3], y: [1, 2] }), /x has 3, y has 2/);
  assert.throws(() => grad('x * y', { x: [1, 2, 3] }), /no value for y/);
});

test('an expression that is a variable or a constant still gives a value and a gradient per point', () => {
  assert.deepEqual([...grad('x', { x: [4, 5] }).gradient.x], [1, 1]);
  const r = grad('x + 0*pi - x', { x: [4, 5] });
  assert.deepEqual([...r.gradient.x], [1 - 1, 1 - 1]);
  assert.deepEqual([...grad('y', { x: [4, 5], y: [1, 2] }).value], [1, 2]);
});

test('the generated code holds no text from the expression', () => {
  const source = 'process * constructor + exp(alert) / 123.456';
  const p = plan(parse(source), source);
  const kernel = compileKernel(
    p,
    p.names.map(() => true),
    'fused',
  );
  const text = kernel.toString();
  for (const word of ['process', 'constructor', 'alert', '123.456'])
    assert.ok(!text.includes(word), `${word} in ${text}`);
  const r = grad(source, { process: [1, 2], constructor: 3, alert: 0 });
  assert.deepEqual([...r.value], [1 * 3 + 1 / 123.456, 2 * 3 + 1 / 123.456]);
});

test('an op without kernel templates (diff) runs on the engine at every point, with the same answers', () => {
  const source = 'diff(x^2 * sin(y), x)^3 + relu(x) * y';
  const x = [1, -2, 0.5];
  const r = grad(source, { x, y: 0.25 });
  x.forEach((xi, i) => {
    const ref = grad(source, { x: xi, y: 0.25 });
    assert.ok(
      same(r.value[i], ref.value) && same(r.gradient.x[i], ref.gradient.x) && same(r.gradient.y[i], ref.gradient.y),
      `at x=${xi}`,
    );
  });
});
