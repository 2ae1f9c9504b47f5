/**
 * Special functions on doubles, for erf, erfc, gamma and lgamma and their derivatives (issue 10):
 * erf, erfc, gamma, lgamma, logAbsGamma, digamma and polygamma. Pure functions of their number
 * arguments; this file imports nothing.
 *
 * Methods (published ones; the code and every constant are this file's own, the constants computed
 * by scripts/special-coeffs.py with mpmath and pasted between the markers below):
 * - erf, erfc: the plan of fdlibm's s_erf.c with our own polynomial fits. |x| < 0.84375:
 *   erf = x + x*P(x^2) (odd, so erf(-x) = -erf(x) and erf(-0) = -0), erfc = 1 - erf in
 *   double-double. Beyond: erfc = exp(-x^2) * G(x), G = exp(x^2) erfc(x) fitted on five pieces up
 *   to 10 and its asymptotic series after; exp(-x^2) to about 2^-60, from -x^2 = -z^2 -
 *   (x - z)(x + z) with z = x rounded to 24 bits (z^2 exact) and a table of 2^(j/32): erfc keeps
 *   its relative accuracy down to its underflow at x ~ 27.2. erf = 1 - erfc there.
 * - gamma: lgamma(1 + t) and lgamma(2 + t) for |t| <= 1/2 are fits (t times a polynomial, so
 *   relative at the zeros x = 1, 2), gamma there their exp; larger x are brought into [1.5, 2.5]
 *   by the recurrence, the product of the (exact) factors x - k kept in double-double; x <= -1/2
 *   by the reflection gamma(x) = pi / (sin(pi x) * (-x) * gamma(-x)), sin(pi x) with the argument
 *   reduced exactly, so it stays relative next to the poles.
 * - lgamma: the same fits up to 2.5, the recurrence up to 10, Stirling's series beyond.
 * - digamma, polygamma: the recurrence up to a point where the asymptotic (Bernoulli) series
 *   converges to double precision, every term of one sign for n >= 1; the reflection formula for
 *   x < 0 (the n-th derivative of pi*cot(pi x) as a polynomial in the cotangent). digamma on
 *   [1, 2] is (x - x0) times a fit, x0 its positive root, so it is relative there too.
 *
 * Accuracy, as test/special.test.ts asserts it against mpmath (test/fixtures/special.json, from
 * scripts/special-fixture.py; the test prints the measured maxima): erf, erfc within 1.5 ulp,
 * gamma 5 ulp, lgamma and logAbsGamma 4 ulp, digamma 3 ulp, polygamma(n, x) 2(n + 1) + 2 ulp
 * (the reflection's cot(pi x), good to about 1.5 ulp, enters the n-th derivative to the power
 * n + 1). Where a function of x < 0 has zeros (digamma, the even polygammas, logAbsGamma) the
 * error near them is bounded in units of eps * |x f'(x)| instead: what a relative change of x of
 * eps makes.
 *
 * Conventions at the special points:
 * - erf(+-Infinity) = +-1, erfc(+Infinity) = 0, erfc(-Infinity) = 2, NaN gives NaN.
 * - gamma and lgamma follow mathjs (15.2) at its special points: gamma(0) = gamma(-0) =
 *   gamma(-n) = Infinity, gamma(Infinity) = Infinity, gamma(-Infinity) = NaN; lgamma(0) =
 *   lgamma(-0) = Infinity, lgamma(Infinity) = Infinity, lgamma(x) = NaN for every x < 0 (mathjs's
 *   number lgamma: where mathjs would need a complex logarithm). Elsewhere they are the accurate
 *   values, which is where they differ from mathjs's approximations: gamma is finite up to
 *   171.6243... (mathjs: Infinity beyond 171.35), gamma(x) for x below -170 is the small value or
 *   its underflow (mathjs: +-0 from -170.5 on), lgamma(1) = lgamma(2) = 0 exactly.
 * - logAbsGamma(x) = log|gamma(x)| for every real x (C99's lgamma): +Infinity at the poles
 *   0, -1, -2, ... and at +-Infinity.
 * - digamma and polygamma(n, x) at the poles 0, -1, -2, ... (either zero): the two-sided limit
 *   where there is one, +Infinity for odd n; NaN where the two sides disagree (digamma and even n).
 *   At +Infinity: digamma = Infinity, polygamma(n) = (-1)^(n+1) * 0 (+0 for odd n, -0 for even
 *   n); at -Infinity NaN. polygamma(n, x) is NaN unless n is an integer >= 0; polygamma(0, x) is
 *   digamma(x).
 */

// ---------------------------------------------------------------------------------------------
// Constants: the output of `python3 scripts/special-coeffs.py`, pasted between these markers.
// BEGIN special-coeffs.py
/** lgamma(2 + t) / t for |t| <= 1/2, in powers of t (degree 19, fit error 3.0e-19) */
const LGAMMA2 = [
  0.42278433509846713, 0.3224670334241132, -0.06735230105319814, 0.02058080842778457, -0.0073855510286681535,
  0.002890510330738737, -0.0011927539120010226, 0.0005096695248853096, -0.00022315475074520367, 9.945750909889392e-5,
  -4.4926351103833334e-5, 2.050726741605779e-5, -9.438458716242811e-6, 4.374374916915131e-6, -2.0449201467015115e-6,
  9.578663334114758e-7, -4.303558760359961e-7, 2.0304806751615227e-7, -1.3412819758517287e-7, 6.379047507619774e-8,
];

/** lgamma(1 + t) / t for |t| <= 1/2, in powers of t (degree 30, fit error 8.19e-19) */
const LGAMMA1 = [
  -0.5772156649015329, 0.8224670334241132, -0.40068563438653143, 0.2705808084277805, -0.20738555102867004,
  0.16955717699817474, -0.14404989676959207, 0.12550966945679506, -0.11133426580344366, 0.1000994609278955,
  -0.0909540204690803, 0.08335373243821222, -0.07693241121304217, 0.07143524203437863, -0.06667093978988506,
  0.062466952204530614, -0.05879089238051795, 0.055915126213946904, -0.05298133871594109, 0.047262865873375186,
  -0.04495588106711661, 0.0604480395430051, -0.058065603982138676, -0.016423321859004927, 0.01651198209887316,
  0.19164667247429906, -0.1860437432140865, -0.21784522721159488, 0.2121143276249345, 0.24887978656777288,
  -0.24180563401438954,
];

/** erf(x) / x - 1 for |x| < 0.84375, in powers of y = x*x (degree 13, fit error 2.64e-20) */
const ERF_SMALL = [
  0.1283791670955126, -0.37612638903183754, 0.11283791670955126, -0.026866170645131214, 0.005223977625441474,
  -0.0008548327023370446, 0.00012055332975919006, -1.4925650067221512e-5, 1.6462104288440418e-6, -1.6365598526546128e-7,
  1.4802959692811836e-8, -1.224027313411101e-9, 9.027552555889268e-11, -4.82829654207977e-12,
];

/** exp(x*x) * erfc(x) on [lo, hi), in powers of x - centre: [lo, hi, centre, coefficients]. */
const ERFC_TAIL: readonly (readonly [number, number, number, readonly number[]])[] = [
  // degree 15, fit error 1.08e-19
  [
    0.84375,
    1.5,
    1.171875,
    [
      0.38481374714100164, -0.22647194723379002, 0.11941693397640399, -0.05768681848679443, 0.025907596781088553,
      -0.010930541403577057, 0.004366122858468708, -0.0016611403371352832, 0.0006048684865817917,
      -0.00021162445142731813, 7.137461080746129e-5, -2.326970722054446e-5, 7.3465740399016755e-6,
      -2.253477248044913e-6, 6.970099830818365e-7, -2.0225472029665963e-7,
    ],
  ],
  // degree 16, fit error 2.32e-19
  [
    1.5,
    2.5,
    2.0,
    [
      0.25539567631050575, -0.1067964618534896, 0.04180275260352655, -0.015460637764291286, 0.005440738537472337,
      -0.0018316642757227877, 0.0005924699953279592, -0.00018477836756104039, 5.572831534470746e-5,
      -1.629371397929793e-5, 4.628174096446473e-6, -1.279561360915426e-6, 3.448648004649786e-7, -9.05696037945163e-8,
      2.3298903586765155e-8, -6.260244834540432e-9, 1.5400336014072522e-9,
    ],
  ],
  // degree 17, fit error 2.15e-19
  [
    2.5,
    4.0,
    3.25,
    [
      0.16633534842682188, -0.047199402321170376, 0.01293729088301815, -0.0034354713009075726, 0.0008860045775346159,
      -0.00022238256956854283, 5.442040880596722e-5, -1.3004640264128073e-5, 3.0388320447180313e-6,
      -6.952080790781988e-7, 1.5588086019884214e-7, -3.428981968034029e-8, 7.407388954768393e-9, -1.5722810673856577e-9,
      3.266306933539362e-10, -6.711386363724971e-11, 1.5063100534287674e-11, -2.993498680330138e-12,
    ],
  ],
  // degree 17, fit error 1.86e-19
  [
    4.0,
    6.0,
    5.0,
    [
      0.11070463773306863, -0.02133278976482631, 0.004040688908937073, -0.0007528968134272884, 0.0001381024209003791,
      -2.4953883570293807e-5, 4.444334348981595e-6, -7.806319490791525e-7, 1.3529365427065687e-7,
      -2.3147488178706504e-8, 3.911232915259841e-9, -6.529576337919216e-10, 1.0775737192811558e-10,
      -1.757990804038389e-11, 2.8204188396422475e-12, -4.503657546309585e-13, 7.983531583885362e-14,
      -1.2459867609778513e-14,
    ],
  ],
  // degree 19, fit error 7.42e-19
  [
    6.0,
    10.0,
    8.0,
    [
      0.06998516620088092, -0.008616507881417731, 0.0010531031495390867, -0.00012778845673670005, 1.5397747822729558e-5,
      -1.8425896619007228e-6, 2.190101758849331e-7, -2.5859501481071245e-8, 3.0335409379114545e-9,
      -3.535940846532397e-10, 4.095771873778048e-11, -4.715072563769623e-12, 5.394851143953699e-13,
      -6.136412859000026e-14, 6.952230493524385e-15, -7.815960982202231e-16, 8.458871368624468e-17,
      -9.410694346712332e-18, 1.3687714760844254e-18, -1.5012554724199286e-19,
    ],
  ],
];

/** x * exp(x*x) * erfc(x) for x >= 10: its asymptotic series in u = 1/(x*x), 15 terms */
const ERFC_ASYMPTOTIC = [
  0.5641895835477563, -0.28209479177387814, 0.42314218766081724, -1.057855469152043, 3.7024941420321507,
  -16.661223639144676, 91.63673001529573, -595.6387450994222, 4467.290588245667, -37971.970000088164, 360733.7150008376,
  -3787704.007508795, 43558596.08635114, -544482451.0793892, 7350513089.571754,
];

/** The positive root of digamma, x0 = DIGAMMA_X0_HI + DIGAMMA_X0_LO. */
const DIGAMMA_X0_HI = 1.4616321449683622;
const DIGAMMA_X0_LO = 9.549995429965697e-17;

/** digamma(x) / (x - x0) for 1 <= x <= 2, in powers of x - x0 (degree 23, fit error 7.35e-19) */
const DIGAMMA_ROOT = [
  0.9676722454476212, -0.44276316898359214, 0.2584997609556509, -0.16394270544239933, 0.10782405069127954,
  -0.07219956125728176, 0.04880428816323914, -0.033161126430834756, 0.022597648248248545, -0.015424767205798105,
  0.010538791788919843, -0.0072045109574719185, 0.004926769418388227, -0.0033700709071922902, 0.0023053483271584774,
  -0.0015749355480831084, 0.0010766128230576774, -0.000747499595599249, 0.0005180490833340102, -0.0003193696671207108,
  0.00019075640343160688, -0.00019476490125987326, 0.00019426548768522768, -8.153978973309418e-5,
];

/** 2^(j/32), j = 0..31, rounded */
const EXP2_32_HI = [
  1.0, 1.0218971486541166, 1.0442737824274138, 1.0671404006768237, 1.0905077326652577, 1.1143867425958924,
  1.1387886347566916, 1.1637248587775775, 1.189207115002721, 1.215247359980469, 1.241857812073484, 1.2690509571917332,
  1.2968395546510096, 1.3252366431597413, 1.3542555469368927, 1.383909881963832, 1.4142135623730951, 1.4451808069770467,
  1.4768261459394993, 1.5091644275934228, 1.5422108254079407, 1.5759808451078865, 1.6104903319492543, 1.645755478153965,
  1.681792830507429, 1.718619298122478, 1.7562521603732995, 1.7947090750031072, 1.8340080864093424, 1.8741676341103,
  1.9152065613971474, 1.9571441241754002,
];

/** 2^(j/32) - EXP2_32_HI[j] */
const EXP2_32_LO = [
  0.0, 5.109225028973444e-17, 8.551889705537965e-17, -7.899853966841582e-17, -3.046782079812471e-17,
  1.0410278456845571e-16, 8.912812676025408e-17, 3.8292048369240935e-17, 3.982015231465646e-17, -7.712630692681488e-17,
  4.658027591836937e-17, 2.667932131342186e-18, 2.5382502794888315e-17, -2.8587312100388614e-17, 7.70094837980299e-17,
  -6.770511658794786e-17, -9.667293313452913e-17, -3.0237581349939873e-17, -3.483994556892796e-17,
  -1.016455327754295e-16, 7.949834809697621e-17, -1.0136916471278304e-17, 2.4707192569797888e-17,
  -1.0125679913674773e-16, 8.199010020581497e-17, -1.851380418263111e-17, 2.960140695448873e-17, 1.8227458427912087e-17,
  3.283107224245627e-17, -6.122763413004143e-17, -1.0619946056195963e-16, 8.960767791036668e-17,
];

const LN2_32_HI = 0.021660849392446835;
const LN2_32_LO = 5.145609244655338e-14;
const INV_LN2_32 = 46.16624130844683;

/** B_2, B_4, ..., B_40 */
const BERNOULLI = [
  0.16666666666666666, -0.03333333333333333, 0.023809523809523808, -0.03333333333333333, 0.07575757575757576,
  -0.2531135531135531, 1.1666666666666667, -7.092156862745098, 54.971177944862156, -529.1242424242424,
  6192.123188405797, -86580.25311355312, 1425517.1666666667, -27298231.067816094, 601580873.9006424,
  -15116315767.092157, 429614643061.1667, -13711655205088.332, 488332318973593.2, -1.9296579341940068e16,
];

/** pi^0 .. pi^20, correctly rounded */
const PI_POWERS = [
  1.0, 3.141592653589793, 9.869604401089358, 31.00627668029982, 97.40909103400244, 306.01968478528147,
  961.3891935753045, 3020.2932277767923, 9488.531016070574, 29809.09933344621, 93648.04747608303, 294204.0179738906,
  924269.1815233742, 2903677.2706132834, 9122171.181754353, 28658145.969387997, 90032220.84293328, 282844563.58653307,
  888582403.0712634, 2791563949.5978456, 8769956796.082699,
];

const EULER = 0.5772156649015329;
const HALF_LOG_2PI = 0.9189385332046728;
const LOG_PI = 1.1447298858494002;
// END special-coeffs.py

// ---------------------------------------------------------------------------------------------
// Helpers

/** c[0] + c[1] v + c[2] v^2 + ... */
function horner(c: readonly number[], v: number): number {
  let r = c[c.length - 1]!;
  for (let i = c.length - 2; i >= 0; i--) r = r * v + c[i]!;
  return r;
}

/** Dekker's splitting constant 2^27 + 1: a = hi + lo with 26-bit halves. */
const SPLIT = 134217729;

/** The rounding error of p = a * b (p + error = a * b exactly), for |a|, |b| below 2^996. */
function productError(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/**
 * x reduced to r = x - 2k in [-1, 1], exactly (x and 2k are within a factor 2 of each other when
 * |x| > 1, so the difference is exact). Every double beyond 2^53 is an even integer: r = 0.
 */
function reducePi(x: number): number {
  return Math.abs(x) <= 1 ? x : x - 2 * Math.round(x / 2);
}

/** pi - Math.PI */
const PI_LO = 1.2246467991473532e-16;

/**
 * sin(pi a) (cosine false) or cos(pi a) (cosine true) for |a| <= 1/4, with pi a carried as
 * th + tl, so that the rounding of pi and of the product is not in the result:
 * sin(th + tl) = sin(th) + cos(th) tl, cos(th + tl) = cos(th) - sin(th) tl.
 */
function trigPi(a: number, cosine: boolean): number {
  const th = Math.PI * a;
  const tl = productError(Math.PI, a, th) + PI_LO * a;
  return cosine ? Math.cos(th) - Math.sin(th) * tl : Math.sin(th) + Math.cos(th) * tl;
}

/** sin(pi x) with relative accuracy everywhere, including near the integers. */
function sinPi(x: number): number {
  const r = reducePi(x);
  const a = Math.abs(r);
  let s: number;
  if (a <= 0.25) s = trigPi(a, false);
  else if (a <= 0.75) s = trigPi(a - 0.5, true);
  else s = trigPi(1 - a, false);
  return r < 0 ? -s : s;
}

/** cos(pi x), likewise. */
function cosPi(x: number): number {
  const a = Math.abs(reducePi(x));
  if (a <= 0.25) return trigPi(a, true);
  if (a <= 0.75) return -trigPi(a - 0.5, false);
  return -trigPi(1 - a, true);
}

/** x <= 0 and a whole number: a pole of gamma, digamma and polygamma (x = -0 included). */
function isPole(x: number): boolean {
  return x <= 0 && Number.isInteger(x);
}

// ---------------------------------------------------------------------------------------------
// erf, erfc

/** Set by the functions that return a double-double: the low part of their result. */
let low = 0;

/** a + b exactly as the double-double (result, low). */
function twoSum(a: number, b: number): number {
  const s = a + b;
  const v = s - a;
  low = a - (s - v) + (b - v);
  return s;
}

/** exp(a^2) * erfc(a) for 0.84375 <= a < 28, as a double-double (result, low). */
function erfcScaled(a: number): number {
  if (a < 10) {
    let i = 0;
    while (a >= ERFC_TAIL[i]![1]) i++;
    const [, , centre, c] = ERFC_TAIL[i]!;
    const s = a - centre;
    let t = c[c.length - 1]!;
    for (let k = c.length - 2; k >= 1; k--) t = t * s + c[k]!;
    return twoSum(c[0]!, t * s);
  }
  // x * G(x) is the asymptotic series in u = 1/x^2; divide it by a in double-double
  const u = 1 / (a * a);
  let t = ERFC_ASYMPTOTIC[ERFC_ASYMPTOTIC.length - 1]!;
  for (let k = ERFC_ASYMPTOTIC.length - 2; k >= 1; k--) t = t * u + ERFC_ASYMPTOTIC[k]!;
  const sh = twoSum(ERFC_ASYMPTOTIC[0]!, t * u);
  const sl = low;
  const q = sh / a;
  const p = q * a;
  low = (sh - p - productError(q, a, p) + sl) / a;
  return q;
}

/**
 * erfc(a) for a >= 0.84375: exp(-a^2) * G(a), G = exp(a^2) erfc(a) a fit. exp(-a^2) is carried to
 * about 2^-60: -a^2 = y - (a - z)(a + z) with z = a rounded to 24 bits, so y = -z*z is exact;
 * exp(-a^2) = 2^m * 2^(j/32) * exp(r) with y = (32 m + j) ln2/32 + r, |r| <= ln2/64, ln2/32 and
 * 2^(j/32) in two parts. The product with G is rounded once.
 */
function erfcAbove(a: number): number {
  if (a >= 28) return 0; // erfc(27.3) is below half the least subnormal
  const gh = erfcScaled(a);
  const gl = low;
  const z = Math.fround(a);
  const y = -z * z;
  const n = Math.round(y * INV_LN2_32);
  const r = y - n * LN2_32_HI - n * LN2_32_LO + (z - a) * (z + a);
  const j = n & 31; // n mod 32, for negative n too
  const m = (n - j) / 32;
  const p = Math.expm1(r);
  const eh = EXP2_32_HI[j]!;
  const el = eh * p + EXP2_32_LO[j]! * (1 + p); // (eh + el) = 2^(j/32) exp(r)
  const hi = eh * gh;
  const v = hi + (productError(eh, gh, hi) + eh * gl + el * gh + el * gl);
  // times 2^m, m >= -1100: in two steps, so that no factor underflows on its own
  const m1 = Math.trunc(m / 2);
  return v * 2 ** m1 * 2 ** (m - m1);
}

/** The error function, 2/sqrt(pi) * integral of exp(-t^2) from 0 to x. */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 0.84375) return x + x * horner(ERF_SMALL, x * x);
  if (Number.isNaN(x)) return NaN;
  const r = a >= 6 ? 1 : 1 - erfcAbove(a); // 1 - erf(6) is below half an ulp of 1
  return x < 0 ? -r : r;
}

/** The complementary error function 1 - erf(x), accurate in the tail (relative to its size). */
export function erfc(x: number): number {
  const a = Math.abs(x);
  if (a < 0.84375) {
    // 1 - erf(x) with erf(x) = x + x*P(x^2) as a double-double: rounded once
    const e = twoSum(x, x * horner(ERF_SMALL, x * x));
    const el = low;
    const d = twoSum(1, -e);
    return d + (low - el);
  }
  if (Number.isNaN(x)) return NaN;
  if (x > 0) return erfcAbove(a);
  return a >= 6 ? 2 : 2 - erfcAbove(a);
}

// ---------------------------------------------------------------------------------------------
// gamma, lgamma

/** lgamma(2 + t) for |t| <= 1/2: exactly 0 at t = 0, relative accuracy near it. */
function lgammaNear2(t: number): number {
  return t * horner(LGAMMA2, t);
}

/** lgamma(1 + t) for |t| <= 1/2, likewise (+0 at t = 0, as lgamma(1) = +0). */
function lgammaNear1(t: number): number {
  return t === 0 ? 0 : t * horner(LGAMMA1, t);
}

/** Set by gammaScaled: its result times 2^gammaScale is gamma(x). */
let gammaScale = 0;
const TWO_600 = 2 ** 600;
const TWO_MINUS_600 = 2 ** -600;

/**
 * gamma(x) for 0.5 <= x < 2^52 as m * 2^gammaScale (gammaScale a multiple of 600, so that
 * gamma(x) beyond the double range can still be divided by). x - n in [1.5, 2.5], then the
 * product of the factors x - 1, ..., x - n, each exact, kept in double-double.
 */
function gammaScaled(x: number): number {
  gammaScale = 0;
  if (x < 1.5) return Math.exp(lgammaNear1(x - 1));
  if (x <= 2.5) return Math.exp(lgammaNear2(x - 2));
  const n = Math.floor(x - 1.5);
  let hi = Math.exp(lgammaNear2(x - n - 2));
  let lo = 0;
  for (let k = n; k >= 1; k--) {
    const b = x - k;
    const p = hi * b;
    const e = productError(hi, b, p) + lo * b;
    hi = p + e;
    lo = e - (hi - p);
    if (hi > TWO_600) {
      hi *= TWO_MINUS_600;
      lo *= TWO_MINUS_600;
      gammaScale += 600;
    }
  }
  return hi + lo;
}

/** v * 2^e for e a multiple of 600, by exact steps until the last. */
function scale600(v: number, e: number): number {
  for (; e > 0; e -= 600) v *= TWO_600;
  for (; e < 0; e += 600) v *= TWO_MINUS_600;
  return v;
}

/** The gamma function. Poles: Infinity at 0, -0 and the negative integers (as mathjs). */
export function gamma(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return NaN;
  if (isPole(x)) return Infinity;
  if (x > 171.625) return Infinity; // gamma(171.6243769563027) is the largest double
  if (Math.abs(x) < 0.5) return Math.exp(lgammaNear1(x)) / x; // gamma(1 + x) / x
  if (x > 0) return scale600(gammaScaled(x), gammaScale);
  // x <= -0.5, not an integer: gamma(x) = pi / (sin(pi x) * (-x) * gamma(-x))
  const s = sinPi(x);
  if (x < -190) return s > 0 ? 0 : -0; // |gamma(x)| < 1e-330: below the least subnormal
  const g = gammaScaled(-x);
  return scale600(Math.PI / (s * (-x * g)), -gammaScale);
}

/** Stirling's series coefficients B_2k / (2k (2k - 1)), k = 1..10. */
const STIRLING = BERNOULLI.slice(0, 10).map((b, i) => b / ((2 * i + 2) * (2 * i + 1)));

/** log(gamma(x)) for finite x > 0. */
function lgammaPositive(x: number): number {
  if (x < 0.5) return lgammaNear1(x) - Math.log(x); // lgamma(1 + x) - log(x)
  if (x < 1.5) return lgammaNear1(x - 1);
  if (x <= 2.5) return lgammaNear2(x - 2);
  if (x < 10) {
    const n = Math.floor(x - 1.5);
    let hi = x - 1;
    let lo = 0;
    for (let k = 2; k <= n; k++) {
      const b = x - k;
      const p = hi * b;
      const e = productError(hi, b, p) + lo * b;
      hi = p + e;
      lo = e - (hi - p);
    }
    return Math.log(hi) + (lo / hi + lgammaNear2(x - n - 2));
  }
  const r = 1 / x;
  const series = r * horner(STIRLING, r * r);
  return (x - 0.5) * Math.log(x) - x + (HALF_LOG_2PI + series);
}

/**
 * log(gamma(x)), mathjs's lgamma on numbers: defined for x >= 0 (Infinity at 0 and -0), NaN for
 * every x < 0. logAbsGamma is the function for the whole real line.
 */
export function lgamma(x: number): number {
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === 0 || x === Infinity) return Infinity;
  return lgammaPositive(x);
}

/** log|gamma(x)| for every real x (C99's lgamma): +Infinity at the poles and at +-Infinity. */
export function logAbsGamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (isPole(x) || !Number.isFinite(x)) return Infinity;
  if (x > 0) return lgammaPositive(x);
  if (x > -0.5) return lgammaNear1(x) - Math.log(-x);
  // |gamma(x)| = pi / (|sin(pi x)| * (-x) * gamma(-x))
  return LOG_PI - Math.log(Math.abs(sinPi(x)) * -x) - lgammaPositive(-x);
}

// ---------------------------------------------------------------------------------------------
// digamma, polygamma

/** B_2k / (2k), k = 1..10: psi(x) ~ log x - 1/(2x) - sum B_2k / (2k x^2k). */
const DIGAMMA_SERIES = BERNOULLI.slice(0, 10).map((b, i) => b / (2 * i + 2));

/** digamma(x) for finite x > 0. */
function digammaPositive(x: number): number {
  if (x >= 10) {
    const r = 1 / x;
    const r2 = r * r;
    return Math.log(x) - (0.5 * r + r2 * horner(DIGAMMA_SERIES, r2));
  }
  if (x < 1) return digammaPositive(x + 1) - 1 / x;
  if (x <= 2) {
    const d = x - DIGAMMA_X0_HI - DIGAMMA_X0_LO;
    return d * horner(DIGAMMA_ROOT, d);
  }
  // 2 < x < 10: psi(x) = psi(x - n) + 1/(x - 1) + ... + 1/(x - n), x - n in (1, 2], each x - k exact
  const n = Math.ceil(x) - 2;
  let sum = 0;
  for (let k = 1; k <= n; k++) sum += 1 / (x - k);
  return sum + digammaPositive(x - n);
}

/** The digamma function psi(x) = d/dx log|gamma(x)|. NaN at the poles 0, -1, -2, ... */
export function digamma(x: number): number {
  if (Number.isNaN(x) || x === -Infinity || isPole(x)) return NaN;
  if (x === Infinity) return Infinity;
  if (Math.abs(x) < 2 ** -30) return -1 / x - EULER; // the next term, pi^2/6 x, is below an ulp
  if (x > 0) return digammaPositive(x);
  // reflection: psi(x) = psi(1 - x) - pi cot(pi x)
  return digammaPositive(1 - x) - (Math.PI * cosPi(x)) / sinPi(x);
}

/** n! for n = 0..170 (exact up to 22!). */
const FACTORIAL: number[] = [1];
for (let k = 1; k <= 170; k++) FACTORIAL.push(FACTORIAL[k - 1]! * k);

function factorial(n: number): number {
  return n <= 170 ? FACTORIAL[n]! : Infinity;
}

/**
 * polygamma(n, x + xlo) for n >= 1 and finite x > 0, xlo a correction below an ulp of x (the
 * rounding error of 1 - x in the reflection). The recurrence psi_n(x) = psi_n(x + 1) +
 * (-1)^(n+1) n! / x^(n+1) up to z >= 12 + 1.5 n, then the asymptotic series
 * psi_n(z) ~ (-1)^(n+1) [(n-1)!/z^n + n!/(2 z^(n+1)) + sum B_2k (2k+n-1)!/((2k)! z^(2k+n))].
 * Every term has the same sign: no cancellation. Each x + k is carried with its rounding error
 * (first order: (s + ds)^-p = s^-p (1 - p ds/s)), which would otherwise count n + 1 times.
 */
function polygammaPositive(n: number, x: number, xlo: number): number {
  const start = 12 + 1.5 * n;
  const m = x < start ? Math.ceil(start - x) : 0;
  const z = twoSum(x, m);
  const zlo = low + xlo;
  const r = 1 / z;
  const rz = r * z;
  const rlo = 1 - rz - productError(r, z, rz) - zlo / z; // 1/(z + zlo) = r (1 + rlo)
  const r2 = r * r;
  // sum_k B_2k binomial(2k+n-1, n-1) r^2k, relative to (n-1)!/z^n; terms fall fast for z >= start
  let series = 0;
  let power = r2;
  for (let k = 1; k <= BERNOULLI.length; k++) {
    let binom = 1; // (2k+1)(2k+2)...(2k+n-1) / (n-1)!
    for (let j = 1; j < n; j++) binom = (binom * (2 * k + j)) / j;
    const term = BERNOULLI[k - 1]! * binom * power;
    series += term;
    if (Math.abs(term) < 1e-18 * (1 + series)) break;
    power *= r2;
  }
  // (n-1)! r^n (1 + ...) with r = 2^e * f, f in [1, 2): the power of two applied last, in two
  // exact steps, so that a result near the underflow is rounded once, not through a subnormal r^n
  const e = Math.floor(Math.log2(r));
  const f = r * 2 ** -e;
  const half = Math.trunc((e * n) / 2);
  const lead = factorial(n - 1) * Math.pow(f, n) * (1 + 0.5 * n * r + series + n * rlo);
  let total = lead * 2 ** half * 2 ** (e * n - half);
  let sum = 0;
  for (let k = m - 1; k >= 0; k--) {
    const t = twoSum(x, k);
    sum += Math.pow(t, -(n + 1)) * (1 - ((n + 1) * (low + xlo)) / t);
  }
  total += factorial(n) * sum;
  return n % 2 === 1 ? total : -total;
}

/** Coefficients of the n-th derivative of cot in terms of c = cot: D_0 = c, D_(k+1) = -(1 + c^2) D_k'. */
const COT_DERIVATIVES: number[][] = [[0, 1]];

function cotDerivative(n: number): number[] {
  while (COT_DERIVATIVES.length <= n) {
    const d = COT_DERIVATIVES[COT_DERIVATIVES.length - 1]!;
    const dc = d.slice(1).map((v, i) => v * (i + 1)); // D'
    const next = new Array<number>(dc.length + 2).fill(0);
    dc.forEach((v, i) => {
      next[i]! -= v;
      next[i + 2]! -= v;
    });
    COT_DERIVATIVES.push(next);
  }
  return COT_DERIVATIVES[n]!;
}

/** Past this order n! overflows (and the series' work grows with n): polygamma is NaN there. */
export const MAX_POLYGAMMA_ORDER = 170;

/**
 * The polygamma function: the n-th derivative of digamma, n an integer >= 0 (n = 1 trigamma,
 * n = 2 tetragamma, ...); polygamma(0, x) = digamma(x). At the poles 0, -1, -2, ...: +Infinity
 * for odd n (both sides agree), NaN for even n. NaN if n is not an integer from 0 to
 * MAX_POLYGAMMA_ORDER.
 */
export function polygamma(n: number, x: number): number {
  if (!Number.isInteger(n) || n < 0 || n > MAX_POLYGAMMA_ORDER) return NaN;
  if (n === 0) return digamma(x);
  if (Number.isNaN(x) || x === -Infinity) return NaN;
  if (x === Infinity) return n % 2 === 1 ? 0 : -0;
  if (isPole(x)) return n % 2 === 1 ? Infinity : NaN;
  if (Math.abs(x) < 2 ** -30) {
    // (-1)^(n+1) n! / x^(n+1); psi_n(1) = (-1)^(n+1) n! zeta(n+1) is below an ulp of it
    const v = factorial(n) * Math.pow(1 / x, n + 1);
    return n % 2 === 1 ? v : -v;
  }
  if (x > 0) return polygammaPositive(n, x, 0);
  // reflection, differentiated n times: psi_n(x) = (-1)^n psi_n(1 - x) - pi^(n+1) cot^(n)(pi x)
  const c = cosPi(x) / sinPi(x);
  const d = horner(cotDerivative(n), c);
  const piPower = n + 1 < PI_POWERS.length ? PI_POWERS[n + 1]! : Math.pow(Math.PI, n + 1);
  const reflected = polygammaPositive(n, twoSum(1, -x), low);
  return (n % 2 === 0 ? reflected : -reflected) - piPower * d;
}
