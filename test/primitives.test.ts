/**
 * The primitives every op's forward is written in: the code the batch compiler writes for each
 * (CODE) computes exactly NUM's bits, on random doubles of every magnitude and the specials.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NUM, mathjsRound, type Prims } from '../src/engine/primitives.js';
import { codeAlgebra, literalText } from '../src/batch/codegen.js';
import { random } from './helpers/random.js';

const SPECIALS = [0, -0, 1, -1, 2, 0.5, -0.5, 3, Infinity, -Infinity, NaN, 1e-310, -1e-310, 1e308, -1e308, Math.PI];

/** A random double: a random sign, mantissa and exponent, or a special value. */
function double(rnd: () => number): number {
  if (rnd() < 0.25) return SPECIALS[Math.floor(rnd() * SPECIALS.length)];
  const x = (rnd() * 2 - 1) * 2 ** Math.floor(rnd() * 80 - 40);
  return rnd() < 0.1 ? Math.round(x) : x;
}

test('every primitive written as code computes the same bits as on numbers', () => {
  const rnd = random(11);
  const keys = Object.keys(NUM) as (keyof Prims<number>)[];
  for (const key of keys) {
    const arity = (NUM[key] as (...a: number[]) => number).length || 2; // Math.max has length 2
    // Code over parameter names: no operand is known, so nothing is folded.
    const code = codeAlgebra({ fold: false });
    const params = ['a', 'b', 'c'].slice(0, arity);
    const text = (code.prims[key] as (...a: unknown[]) => { text: string })(...params.map((p) => code.name(p))).text;
    // F: the functions the kernel is passed (NUM), for the primitives it calls rather than writes out.
    const compiled = new Function('F', ...params, `"use strict"; return ${text};`).bind(null, NUM) as (
      ...a: number[]
    ) => number;
    for (let i = 0; i < 3000; i++) {
      const args = params.map(() => double(rnd));
      const want = (NUM[key] as (...a: number[]) => number)(...args);
      const got = compiled(...args);
      assert.ok(Object.is(got, want), `${key}(${args.join(', ')}): code ${text} gives ${got}, NUM gives ${want}`);
    }
  }
});

test("V8's Math.pow(x, 2) is x*x and Math.pow(x, 1) is x, bit for bit (the compiler writes them so)", () => {
  const rnd = random(12);
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer);
  for (let i = 0; i < 200_000; i++) {
    words[0] = Math.floor(rnd() * 2 ** 32);
    words[1] = Math.floor(rnd() * 2 ** 32);
    const x = i < SPECIALS.length ? SPECIALS[i] : bits[0];
    assert.ok(Object.is(Math.pow(x, 2), x * x), `pow(${x}, 2)`);
    assert.ok(Object.is(Math.pow(x, 1), x), `pow(${x}, 1)`);
  }
});

test('folding: a primitive of known values is computed now, with NUM, and passed as a constant', () => {
  const code = codeAlgebra();
  const three = code.constant('v1', 3);
  const r = code.prims.sub(three, 1);
  assert.equal(r.value, 2);
  assert.equal(r.text, 'k0');
  assert.deepEqual(code.folded, [2]);
  // x^2 with a known 2 is written x*x; a where with a known condition is its branch.
  const x = code.name('v0');
  assert.equal(code.prims.pow(x, code.constant('v2', 2)).text, '(v0 * v0)');
  assert.equal(code.prims.where(code.prims.eq(three, 0), 0, x).text, 'v0');
});

test('literals of our own numbers read back to the same double, -0 and negatives included', () => {
  for (const v of [0, -0, 2, -1, 0.1, -2.5e-300, 1e300, NaN, Infinity, -Infinity]) {
    assert.ok(Object.is(new Function(`return ${literalText(v)};`)(), v), literalText(v));
  }
});

test("mathjsRound is mathjs's round, bit for bit: halves away from zero, after its 12-decimal snap", async () => {
  const { create, all } = await import('mathjs');
  const math = create(all, { predictable: true });
  const rnd = random(13);
  const bits = new Float64Array(1);
  const words = new BigInt64Array(bits.buffer);
  /** The double `k` steps (ulps) from x. */
  const step = (x: number, k: number): number => {
    bits[0] = x;
    words[0] += BigInt(k);
    return bits[0];
  };
  const xs: number[] = [...SPECIALS, 2.5, -2.5, 0.5, -0.5, -0.3, -1e-15, -1.0000000000000002e-15, 2 ** 30 + 0.5];
  // Around every half and the snap's threshold (12 decimals: n + 0.4999999999995), both signs.
  for (const n of [0, 1, 2, 7, 511, 512, 4095, 9007, 123456, 2 ** 29, 2 ** 30, 2 ** 40]) {
    for (const base of [n + 0.5, n + 0.4999999999995, n + 0.4999]) {
      for (let k = -40; k <= 40; k++) xs.push(step(base, k), -step(base, k));
    }
  }
  for (let i = 0; i < 20000; i++) xs.push(double(rnd), Math.floor(rnd() * 1e6) + 0.5 - rnd() * 1e-12);
  for (const x of xs) {
    const want = math.round(x) as number;
    assert.ok(Object.is(mathjsRound(x), want), `round(${x}): ours ${mathjsRound(x)}, mathjs ${want}`);
  }
});
