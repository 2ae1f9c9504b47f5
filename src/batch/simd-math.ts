/**
 * The functions of the SIMD kernel (`simd: true`), written once over a small algebra of lanes
 * (Lanes): run on numbers (SCALAR, here) each is the function's scalar form; run on the WASM
 * emitter (simd.ts) it is the f64x2 code computing the same operations in the same order, so
 * the two agree bit for bit (test/simd.test.ts checks it). No fused multiply-add: WebAssembly's
 * f64x2 has none, and JavaScript's numbers round each operation the same way.
 *
 * exp: x = k ln2 + r (ln 2 in two parts, so k * LN2_HI is exact), a polynomial of degree 12 on
 * |r| <= 0.35, times 2^k built in the exponent bits. sin, cos: x = k pi/2 + r (three parts of
 * pi/2, |k| small enough that each k * part is exact), polynomials of degree 13 and 12 on
 * |r| <= pi/4, the quadrant choosing and signing. tanh: x + x z P(z) for |x| < 0.625,
 * 1 - 2 / (exp(2|x|) + 1) above, the sign copied. The polynomials are fitted by mpmath
 * (scripts/simd-coeffs.py prints them). Outside each
 * polynomial's range (exp: |x| > 708, sin and cos: |x| > SIN_MAX, NaN and infinities) a lane
 * takes `Math`'s value instead.
 *
 * Accuracy against correctly rounded values (mpmath): see SIMD_ULP_BOUND, measured by
 * test/simd-ulp.test.ts over the fixture scripts/simd-fixture.py writes.
 */
import { NUM, type Prims } from '../engine/primitives.js';

/** What a function body computes with: one lane (a number) or two (a WASM f64x2 value). */
export interface Lanes<T> {
  /** A constant in every lane. */
  c(v: number): T;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  div(a: T, b: T): T;
  abs(a: T): T;
  /** Math.min's (and f64x2.min's) minimum: NaN if either is. */
  min(a: T, b: T): T;
  /** A lane mask: true where a < b. */
  less(a: T, b: T): T;
  /** a where the mask is true, else b. */
  select(mask: T, a: T, b: T): T;
  /** 2^k for kd = k + MAGIC (k an integer in kd's low bits, -1022 < k < 1024). */
  pow2(kd: T): T;
  /** A lane mask: true where the k in kd = k + MAGIC is odd. */
  odd(kd: T): T;
  /** -v where bit 1 of the k in kd = k + MAGIC is set, else v. */
  flip(kd: T, v: T): T;
  /** |v| with the sign of x. */
  copysign(v: T, x: T): T;
}

/** 1.5 * 2^52: adding it rounds to an integer (ties to even) and leaves the integer in the low bits. */
export const MAGIC = 6755399441055744;

// From scripts/simd-coeffs.py (mpmath): Cody-Waite parts, then the fitted polynomials.
const LN2_HI = 0.6931471805598903;
const LN2_LO = 5.497923018708371e-14;
const PIO2_1 = 1.5707963267341256;
const PIO2_2 = 6.077100506303966e-11;
const PIO2_3 = 2.0222662487959506e-21;
// EXP_P: chebyfit degree 10, max error 1.56e-18; highest degree first
const EXP_P = [
  2.0915433598076003e-9, 2.5106262550879078e-8, 2.755727183153613e-7, 2.755725286336732e-6, 2.480158732699005e-5,
  0.00019841269876840357, 0.0013888888888883332, 0.008333333333325551, 0.04166666666666667, 0.1666666666666667, 0.5,
];
// SIN_P: chebyfit degree 5, max error 2.38e-17; highest degree first
const SIN_P = [
  1.5914533820346306e-10, -2.5051081300319015e-8, 2.755731585691312e-6, -0.00019841269836278898, 0.008333333333330627,
  -0.16666666666666663,
];
// COS_P: chebyfit degree 5, max error 1.49e-18; highest degree first
const COS_P = [
  -1.1380383100821594e-11, 2.0876114647930045e-9, -2.7557317118060557e-7, 2.4801587298465612e-5, -0.0013888888888887196,
  0.041666666666666664,
];
// TANH_P: chebyfit degree 11, max error 3.94e-18; highest degree first
const TANH_P = [
  6.485163482793113e-6, -3.12011014257974e-5, 9.257116129556769e-5, -0.0002375906496055562, 0.0005896606577757043,
  -0.0014557754120478055, 0.0035921217511549622, -0.008863235103240878, 0.021869488519008305, -0.05396825396789699,
  0.13333333333333042, -0.3333333333333333,
];

/** Largest |x| whose exp is computed by the polynomial (2^k stays normal). */
export const EXP_MAX = 708;
/** Largest |x| whose sin and cos are computed by the polynomial (the reduction stays exact enough). */
export const SIN_MAX = 8192;
/** Below this |x|, sin(x) is x (x^3/6 is below half an ulp of x). */
const SIN_TINY = 2 ** -27;
/** Below this |x|, tanh is its own polynomial; above, it is computed from exp. */
export const TANH_SMALL = 0.625;
/** Above this |x|, tanh(x) rounds to +-1: the polynomial sees min(|x|, TANH_CLAMP). */
const TANH_CLAMP = 20;

/**
 * A polynomial by Estrin's scheme (coefficients highest degree first): pairs c + d z, then pairs of
 * those with z^2, z^4, ...: a dependency chain of log2(degree) steps instead of Horner's degree,
 * so that the processor overlaps the multiplications.
 */
function poly<T>(L: Lanes<T>, z: T, coefficients: readonly number[]): T {
  const cs = [...coefficients].reverse();
  let terms: T[] = [];
  for (let i = 0; i < cs.length; i += 2) {
    terms.push(i + 1 < cs.length ? L.add(L.c(cs[i]), L.mul(L.c(cs[i + 1]), z)) : L.c(cs[i]));
  }
  let power = z;
  while (terms.length > 1) {
    power = L.mul(power, power);
    const next: T[] = [];
    for (let i = 0; i < terms.length; i += 2) {
      next.push(i + 1 < terms.length ? L.add(terms[i], L.mul(terms[i + 1], power)) : terms[i]);
    }
    terms = next;
  }
  return terms[0];
}

/** e^x for |x| <= EXP_MAX. */
export function expPoly<T>(L: Lanes<T>, x: T): T {
  const kd = L.add(L.mul(x, L.c(Math.LOG2E)), L.c(MAGIC));
  const k = L.sub(kd, L.c(MAGIC));
  const r = L.sub(L.sub(x, L.mul(k, L.c(LN2_HI))), L.mul(k, L.c(LN2_LO)));
  const p = L.add(L.c(1), L.add(r, L.mul(L.mul(r, r), poly(L, r, EXP_P))));
  return L.mul(p, L.pow2(kd));
}

/** sin(r) and cos(r) for |r| <= pi/4 (about), z = r^2. */
function sinCosKernel<T>(L: Lanes<T>, r: T): { s: T; c: T } {
  const z = L.mul(r, r);
  const s = L.add(r, L.mul(L.mul(r, z), poly(L, z, SIN_P)));
  // cos r = 1 - z/2 + z^2 C(z), the 1 - z/2 summed with its rounding error.
  const hz = L.mul(L.c(0.5), z);
  const w = L.sub(L.c(1), hz);
  const c = L.add(w, L.add(L.sub(L.sub(L.c(1), w), hz), L.mul(L.mul(z, z), poly(L, z, COS_P))));
  return { s, c };
}

/** sin(x) (quadrant 0) or cos(x) (quadrant 1) for |x| <= SIN_MAX. */
export function sinCosPoly<T>(L: Lanes<T>, x: T, quadrant: 0 | 1): T {
  const kd = L.add(L.mul(x, L.c(2 / Math.PI)), L.c(MAGIC));
  const k = L.sub(kd, L.c(MAGIC));
  const r = L.sub(L.sub(L.sub(x, L.mul(k, L.c(PIO2_1))), L.mul(k, L.c(PIO2_2))), L.mul(k, L.c(PIO2_3)));
  const { s, c } = sinCosKernel(L, r);
  // cos x = sin(x + pi/2): one quadrant on. Odd quadrants take the other polynomial; 2 and 3 negate.
  const q = quadrant === 0 ? kd : L.add(kd, L.c(1));
  const y = L.flip(q, L.select(L.odd(q), c, s));
  // sin x rounds to x below 2^-27; taking x there keeps sin(-0) = -0 (r + r z S(z) is +0).
  return quadrant === 0 ? L.select(L.less(L.abs(x), L.c(SIN_TINY)), x, y) : y;
}

/** tanh(x) for every x (NaN gives NaN). */
export function tanhPoly<T>(L: Lanes<T>, x: T): T {
  const a = L.min(L.abs(x), L.c(TANH_CLAMP));
  const z = L.mul(a, a);
  const small = L.add(a, L.mul(L.mul(a, z), poly(L, z, TANH_P)));
  const e = expPoly(L, L.add(a, a));
  const big = L.sub(L.c(1), L.div(L.c(2), L.add(e, L.c(1))));
  return L.copysign(L.select(L.less(a, L.c(TANH_SMALL)), small, big), x);
}

const bits = new Float64Array(1);
const ints = new BigInt64Array(bits.buffer);
const integer = (kd: number): number => kd - MAGIC;

/** The lanes as one number: the functions' scalar forms. Masks are 1 and 0. */
export const SCALAR: Lanes<number> = {
  c: (v) => v,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  abs: Math.abs,
  min: Math.min,
  less: (a, b) => (a < b ? 1 : 0),
  select: (m, a, b) => (m ? a : b),
  pow2: (kd) => {
    const k = integer(kd);
    if (!Number.isFinite(k)) return NaN;
    ints[0] = BigInt(k + 1023) << 52n;
    return bits[0];
  },
  odd: (kd) => integer(kd) & 1,
  flip: (kd, v) => (integer(kd) & 2 ? -v : v),
  copysign: (v, x) => (x < 0 || Object.is(x, -0) ? -Math.abs(v) : Math.abs(v)),
};

/** The SIMD kernel's exp, one lane: the polynomial in range, Math.exp outside. */
export const simdExp = (x: number): number => (Math.abs(x) <= EXP_MAX ? expPoly(SCALAR, x) : Math.exp(x));
export const simdSin = (x: number): number => (Math.abs(x) <= SIN_MAX ? sinCosPoly(SCALAR, x, 0) : Math.sin(x));
export const simdCos = (x: number): number => (Math.abs(x) <= SIN_MAX ? sinCosPoly(SCALAR, x, 1) : Math.cos(x));
export const simdTanh = (x: number): number => tanhPoly(SCALAR, x);

/**
 * The largest error of each SIMD function in units in the last place of the correctly rounded
 * result, as test/simd-ulp.test.ts measures it (the bound the README states, rounded up).
 */
export const SIMD_ULP_BOUND = { exp: 1, sin: 1.5, cos: 1.5, tanh: 1.5 } as const;

/** The primitives as the SIMD kernel computes them, one point at a time (its scalar reference). */
export const SIMD_NUM: Prims<number> = { ...NUM, exp: simdExp, sin: simdSin, cos: simdCos, tanh: simdTanh };
