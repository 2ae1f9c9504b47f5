/**
 * The arithmetic every op's forward is written in: JavaScript's own operators and `Math`, and three
 * selections (`step`, the comparisons, `where`). An op's forward is a function of such an algebra,
 * `(m, x) => m.exp(x)`: run on numbers (NUM, here) it is the op's value; run on code (the batch
 * compiler's CODE) it is the fused kernel's text for the same operations, so the two cannot drift.
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
  abs(a: Arg<T>): T;
  sign(a: Arg<T>): T;
  max(a: Arg<T>, b: Arg<T>): T;
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
  'equal', 'unequal', 'smaller', 'larger', 'smallerEq', 'largerEq',
  'erf', 'erfc', 'gamma', 'lgamma', 'digamma', 'polygamma',
] as const;

/** The names of the primitives that are `Math` functions of the same name. */
export const MATH_PRIMS = [
  'pow', 'sqrt', 'exp', 'log', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'abs', 'sign',
  'max',
] as const;

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
  abs: Math.abs,
  sign: Math.sign,
  max: Math.max,
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
