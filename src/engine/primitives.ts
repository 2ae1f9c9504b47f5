/**
 * The arithmetic every op's forward is written in: JavaScript's own operators and `Math`, mathjs's
 * `round` (Math has no equal of it), and three selections (`step`, the comparisons, `where`). An
 * op's forward is a function of such an algebra, `(m, x) => m.exp(x)`: run on numbers (NUM, here)
 * it is the op's value; run on code (the batch compiler's CODE) it is the fused kernel's text for
 * the same operations, so the two cannot drift.
 * test/primitives.test.ts checks, for every primitive, that the code computes NUM's bits.
 */

import * as special from './special.js';

/** A primitive's operand: a value of the algebra, or a plain number written in a definition. */
export type Arg<T> = T | number;

export interface Prims<T> {
  add(a: Arg<T>, b: Arg<T>): T;
  sub(a: Arg<T>, b: Arg<T>): T;
  mul(a: Arg<T>, b: Arg<T>): T;
  div(a: Arg<T>, b: Arg<T>): T;
  neg(a: Arg<T>): T;
  pow(a: Arg<T>, b: Arg<T>): T;
  sqrt(a: Arg<T>): T;
  exp(a: Arg<T>): T;
  log(a: Arg<T>): T;
  sin(a: Arg<T>): T;
  cos(a: Arg<T>): T;
  tan(a: Arg<T>): T;
  asin(a: Arg<T>): T;
  acos(a: Arg<T>): T;
  atan(a: Arg<T>): T;
  sinh(a: Arg<T>): T;
  cosh(a: Arg<T>): T;
  tanh(a: Arg<T>): T;
  asinh(a: Arg<T>): T;
  acosh(a: Arg<T>): T;
  atanh(a: Arg<T>): T;
  atan2(a: Arg<T>, b: Arg<T>): T;
  cbrt(a: Arg<T>): T;
  log10(a: Arg<T>): T;
  log2(a: Arg<T>): T;
  log1p(a: Arg<T>): T;
  expm1(a: Arg<T>): T;
  floor(a: Arg<T>): T;
  ceil(a: Arg<T>): T;
  /** mathjs's round (halves away from zero, after its 12-decimal snap), not Math.round: see mathjsRound. */
  mathjsRound(a: Arg<T>): T;
  abs(a: Arg<T>): T;
  sign(a: Arg<T>): T;
  max(a: Arg<T>, b: Arg<T>): T;
  min(a: Arg<T>, b: Arg<T>): T;
  /** sqrt of the sum of squares, of any number of arguments, without overflow (Math.hypot). */
  hypot(...xs: Arg<T>[]): T;
  /** 1 where a > 0, 0 where a <= 0, NaN for NaN (relu's derivative). */
  step(a: Arg<T>): T;
  /** 1 where a === b, else 0. */
  eq(a: Arg<T>, b: Arg<T>): T;
  /** 1 where a >= b, else 0. */
  ge(a: Arg<T>, b: Arg<T>): T;
  /** a where c is neither 0 nor NaN, else b. */
  where(c: Arg<T>, a: Arg<T>, b: Arg<T>): T;
  /** 1 where c is 0 or NaN, else 0 (the branch `c ? a : b` takes when c is false). */
  not(c: Arg<T>): T;
  // mathjs's comparisons, 1 or 0: equal within a relative 1e-12 (absolute 1e-15), as its config says.
  equal(a: Arg<T>, b: Arg<T>): T;
  unequal(a: Arg<T>, b: Arg<T>): T;
  smaller(a: Arg<T>, b: Arg<T>): T;
  larger(a: Arg<T>, b: Arg<T>): T;
  smallerEq(a: Arg<T>, b: Arg<T>): T;
  largerEq(a: Arg<T>, b: Arg<T>): T;
  // The special functions of special.ts.
  erf(a: Arg<T>): T;
  erfc(a: Arg<T>): T;
  gamma(a: Arg<T>): T;
  lgamma(a: Arg<T>): T;
  digamma(a: Arg<T>): T;
  polygamma(n: Arg<T>, a: Arg<T>): T;
}

/**
 * mathjs's nearlyEqual with its default config (relTol 1e-12, absTol 1e-15): what its `==`, `<`
 * and the other comparisons mean for numbers.
 */
export function nearlyEqual(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  if (a === b) return true;
  return Math.abs(a - b) <= Math.max(1e-12 * Math.max(Math.abs(a), Math.abs(b)), 1e-15);
}

/**
 * The primitives that the fused kernel calls as functions of NUM (passed to it as `F`) rather than
 * writing them out: they are NUM's own code, so they agree by construction.
 */
export const CALLED_PRIMS = [
  'equal',
  'unequal',
  'smaller',
  'larger',
  'smallerEq',
  'largerEq',
  'erf',
  'erfc',
  'gamma',
  'lgamma',
  'digamma',
  'polygamma',
] as const;

/** The names of the primitives that are `Math` functions of the same name. */
export const MATH_PRIMS = [
  'pow',
  'sqrt',
  'exp',
  'log',
  'sin',
  'cos',
  'tan',
  'asin',
  'acos',
  'atan',
  'sinh',
  'cosh',
  'tanh',
  'abs',
  'sign',
  'max',
  'min',
  'hypot',
  'asinh',
  'acosh',
  'atanh',
  'atan2',
  'cbrt',
  'log10',
  'log2',
  'log1p',
  'expm1',
  'floor',
  'ceil',
] as const;

/**
 * mathjs 15's `round(x)` for numbers, bit for bit. mathjs first rounds x to 12 decimals (its
 * relTol, 1e-12) and keeps that when it is nearly equal to x (relTol, absTol 1e-15), which absorbs
 * rounding error: round(0.4999999999996) = 1. It then rounds on x's decimal digits, halves away
 * from zero: round(2.5) = 3 and round(-2.5) = -3 (Math.round(-2.5) is -2). A zero result keeps
 * the sign of a negative x below -1e-15 (round(-0.3) = -0; round(-0) = 0), as mathjs's does.
 *
 * Self-contained (no outer names): the fused kernel's code for it is this function's own text
 * (src/batch/codegen.ts), so the two cannot differ.
 */
export function mathjsRound(x: number): number {
  const a = Math.abs(x);
  if (a < 1073741824) {
    // Away from a half the 12-decimal snap cannot change the answer: plain arithmetic, exactly.
    const t = Math.floor(a);
    const f = a - t;
    if (f < 0.4999 || f >= 0.5) {
      const n = f >= 0.5 ? t + 1 : t;
      return x >= 0 ? n : n === 0 && x >= -1e-15 ? 0 : -n;
    }
  }
  // mathjs's toFixed(v, decimals), parsed back: v's shortest decimal digits rounded half up at the
  // given decimal (mathjs's splitNumber and roundDigits).
  const fixed = (v: number, decimals: number): number => {
    if (!Number.isFinite(v)) return v;
    const m = /^(-?)(\d+\.?\d*)(e([+-]?\d+))?$/.exec(String(v).toLowerCase());
    if (m === null) return NaN;
    const digits = m[2];
    let exponent = parseFloat(m[4] || '0');
    const dot = digits.indexOf('.');
    exponent += dot !== -1 ? dot - 1 : digits.length - 1;
    const c = digits
      .replace('.', '')
      .replace(/^0*/, (zeros) => {
        exponent -= zeros.length;
        return '';
      })
      .replace(/0*$/, '')
      .split('')
      .map(Number);
    if (c.length === 0) {
      c.push(0);
      exponent++;
    }
    let precision = exponent + 1 + decimals;
    while (precision <= 0) {
      c.unshift(0);
      exponent++;
      precision++;
    }
    if (c.length > precision && c.splice(precision)[0] >= 5) {
      let i = precision - 1;
      c[i]++;
      while (c[i] === 10) {
        c.pop();
        if (i === 0) {
          c.unshift(0);
          exponent++;
          i++;
        }
        i--;
        c[i]++;
      }
    }
    return parseFloat(`${m[1]}${c.join('')}e${exponent - c.length + 1}`);
  };
  const nearly = (p: number, q: number): boolean =>
    p === q || Math.abs(p - q) <= Math.max(1e-12 * Math.max(Math.abs(p), Math.abs(q)), 1e-15);
  const snapped = fixed(x, 12);
  return fixed(nearly(x, snapped) ? snapped : x, 0);
}

/** The primitives on numbers. */
export const NUM: Prims<number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  neg: (a) => -a,
  pow: Math.pow,
  sqrt: Math.sqrt,
  exp: Math.exp,
  log: Math.log,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  atan2: Math.atan2,
  cbrt: Math.cbrt,
  log10: Math.log10,
  log2: Math.log2,
  log1p: Math.log1p,
  expm1: Math.expm1,
  floor: Math.floor,
  ceil: Math.ceil,
  mathjsRound,
  abs: Math.abs,
  sign: Math.sign,
  max: Math.max,
  min: Math.min,
  hypot: Math.hypot,
  step: (a) => (a > 0 ? 1 : a === a ? 0 : NaN),
  eq: (a, b) => (a === b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  where: (c, a, b) => (c ? a : b),
  not: (c) => (c ? 0 : 1),
  equal: (a, b) => (nearlyEqual(a, b) ? 1 : 0),
  unequal: (a, b) => (nearlyEqual(a, b) ? 0 : 1),
  smaller: (a, b) => (a < b && !nearlyEqual(a, b) ? 1 : 0),
  larger: (a, b) => (a > b && !nearlyEqual(a, b) ? 1 : 0),
  smallerEq: (a, b) => (a <= b || nearlyEqual(a, b) ? 1 : 0),
  largerEq: (a, b) => (a >= b || nearlyEqual(a, b) ? 1 : 0),
  erf: special.erf,
  erfc: special.erfc,
  gamma: special.gamma,
  lgamma: special.lgamma,
  digamma: special.digamma,
  polygamma: special.polygamma,
};
