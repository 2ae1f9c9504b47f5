/**
 * The library checks its values at the boundary: a plain object or a Map, each value a number, a
 * typed array or an array of numbers; anything else is a TypeError that names the variable.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompiledExpression, createPool, grad, parse } from '../src/index.js';

test('bad values are a TypeError naming the variable and what it got', () => {
  const cases: [unknown, RegExp][] = [
    [{ x: '12' }, /the value of x must be a number or an array of numbers, got the string "12"/],
    [{ x: {} }, /the value of x must be a number or an array of numbers, got an object \(Object\)/],
    [{ x: null }, /the value of x must be a number or an array of numbers, got null/],
    [{ x: [1, '2'] }, /x\[1\] must be a number, got the string "2"/],
    [{ x: new BigInt64Array(2) }, /the value of x must be a number/],
    [null, /the values must be an object or a Map of name to value, got null/],
    ['x=1', /the values must be an object or a Map/],
    [new Map([[1, 2]]), /a variable's name must be a string, got a number/],
  ];
  for (const [values, message] of cases) {
    assert.throws(
      () => grad('x^2', values as never),
      (e: Error) => e instanceof TypeError && message.test(e.message),
      String(values),
    );
  }
});

test('a plain object or a Map everywhere: grad, CompiledExpression.run, Pool.run', async () => {
  assert.equal(grad('x^2', { x: 3 }).gradient.x, 6);
  assert.equal(grad('x^2', new Map([['x', 3]])).gradient.x, 6);
  const c = new CompiledExpression(parse('x*y'));
  assert.deepEqual([...c.run({ x: [1, 2], y: 3 }).gradient.x], [3, 3]);
  assert.deepEqual(
    [
      ...c.run(
        new Map<string, number | number[]>([
          ['x', [1, 2]],
          ['y', 3],
        ]),
      ).value,
    ],
    [3, 6],
  );
  assert.throws(() => c.run({ x: 'ab', y: 1 } as never), TypeError);
  const pool = createPool({ threads: 2 });
  try {
    assert.deepEqual([...(await pool.run(c, { x: [1, 2], y: 4 })).value], [4, 8]);
    await assert.rejects(pool.run(c, { x: {}, y: 1 } as never), TypeError);
  } finally {
    await pool.close();
  }
});
