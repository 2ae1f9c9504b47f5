/**
 * Numbers as text: by default the shortest string that reads back as the same double (JavaScript's
 * own `String(n)`); with a precision, that many significant digits, trailing zeros dropped. Negative
 * zero prints as `-0` (String(-0) is "0"), so the output reads back as the same value.
 */
export function formatNumber(n: number, precision?: number): string {
  if (Object.is(n, -0)) return '-0';
  if (precision === undefined || !Number.isFinite(n)) return String(n);
  return String(Number(n.toPrecision(precision)));
}

/** What JSON holds. */
export type JsonValue = number | string | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** For JSON: a number, or the strings "NaN", "Infinity", "-Infinity" (JSON has no such numbers). */
export function jsonNumber(n: number, precision?: number): number | string {
  if (!Number.isFinite(n)) return String(n);
  return precision === undefined ? n : Number(n.toPrecision(precision));
}

/** Steps and tolerances in exponent form: 6e-6 rather than 0.000006. */
export function formatExponent(n: number): string {
  return n.toExponential().replace('e+', 'e');
}

// ---- formatNumber's text as bytes, for many rows -----------------------------------------------

/** Exact powers of ten, 10^0 to 10^22: a product or quotient with one is rounded once. */
export const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

/** A double's bits: the word holding its sign, exponent and top 20 bits of significand is HIGH. */
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
/** The ASCII digits of 00 to 99, two bytes each. */
const PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i & 1 ? (i >> 1) % 10 : Math.floor((i >> 1) / 10)));
/** Half an ulp of a double with binary exponent e, 2^(e - 53), for e from -21 (below 1e-6) to 49 (above 1e15). */
const HALF_ULP = Array.from({ length: 71 }, (_, i) => 2 ** (i - 21 - 53));

/**
 * Writes formatNumber(n)'s text (full precision) into `out` at `at` as ASCII bytes and returns
 * where it ends; `out` needs 25 bytes free. Between 1e-6 and 1e15 in size it finds the digits
 * itself, without a string: String(n) is the shortest decimal that reads back as n (the nearest
 * such when there are several), so with P = |n| * 10^k exactly (k making P a 17-digit number,
 * as a double and its rounding error) it tries the nearest 15-digit decimal, then the nearest
 * 16-digit one, each checked by reading it back (D / 10^j, exact when D < 2^53: one rounding,
 * as Number() does), and else takes the nearest 17-digit one, which always reads back. Whatever
 * it cannot decide (P's remainder within 1e-6 of a half, a 16-digit D from 2^53 up, sizes outside
 * that range, zero, NaN, infinities) is String(n)'s own text.
 */
export function writeNumber(out: Uint8Array, at: number, n: number): number {
  const v = n < 0 ? -n : n;
  if (v >= 1e-6 && v < 1e15) {
    const end = writeDigits(out, n < 0 ? writeMinus(out, at) : at, v);
    if (end >= 0) return end;
  }
  return writeText(out, at, formatNumber(n));
}

function writeMinus(out: Uint8Array, at: number): number {
  out[at] = 45; // '-'
  return at + 1;
}

/** A string's characters as bytes (formatNumber's text is ASCII). */
export function writeText(out: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
  return at + text.length;
}

/** writeNumber's digits for 1e-6 <= v < 1e15, or -1 when they are not certain (see there). */
function writeDigits(out: Uint8Array, at: number, v: number): number {
  bits[0] = v;
  const high = words[HIGH];
  const e2 = (high >>> 20) - 1023; // v's binary exponent (v is normal here)
  let e = Math.floor(e2 * 0.3010299956639812); // its decimal exponent, perhaps one low: mended below
  if (e < -6) e = -6; // v >= 1e-6: either so, or 10^k past the exact powers (and String's below)
  let k = 16 - e;
  let p10 = POW10[k];
  let hi = v * p10;
  if (hi < 1e16 || hi >= 1e17) {
    e += hi < 1e16 ? -1 : 1;
    k = 16 - e;
    if (k > 22 || k < 0) return -1;
    p10 = POW10[k];
    hi = v * p10;
    if (hi < 1e16 || hi >= 1e17) return -1;
  }
  // P = hi + lo exactly (Dekker's product: each factor split into two 26-bit halves).
  let c = 134217729 * v;
  const vh = c - (c - v);
  const vl = v - vh;
  c = 134217729 * p10;
  const ph = c - (c - p10);
  const pl = p10 - ph;
  const lo = vh * ph - hi + vh * pl + vl * ph + vl * pl;
  // hi is an integer (at least 2^53): P = a * 10^8 + r, a exactly, r = b + lo within 1e-8.
  let a = Math.floor(hi * 1e-8);
  let b = hi - a * 1e8;
  if (b < 0) {
    a--;
    b += 1e8;
  } else if (b >= 1e8) {
    a++;
    b -= 1e8;
  }
  const r = b + lo;
  // A decimal reads back as v when it is inside v's rounding interval: half an ulp each side of
  // v (times 10^k, as P is), the lower half halved below a power of two. D15 = a * 10^6 + r15 is
  // 100 * D15 = a * 10^8 + 100 * r15, at r - 100 * r15 from P; D16 likewise.
  const above = HALF_ULP[e2 + 21] * p10;
  const below = (high & 0xfffff) === 0 && words[1 - HIGH] === 0 ? above / 2 : above;
  const r15 = nearest(r * 0.01);
  if (r15 < 0) return -1;
  const in15 = inside(r - 100 * r15, below, above);
  if (in15 !== 0) {
    if (in15 < 0) return -1;
    // (a * 10^6 + r15) / 10^(k - 2), as high * 10^8 + low.
    const h = (a / 100) | 0;
    return writeDecimal(out, at, h, (a - h * 100) * 1e6 + r15, k - 2);
  }
  const r16 = nearest(r * 0.1);
  if (r16 < 0) return -1;
  const in16 = inside(r - 10 * r16, below, above);
  if (in16 !== 0) {
    if (in16 < 0) return -1;
    const h = (a / 10) | 0;
    return writeDecimal(out, at, h, (a - h * 10) * 1e7 + r16, k - 1);
  }
  // The nearest 17-digit decimal always reads back.
  const r17 = nearest(r);
  if (r17 < 0) return -1;
  return writeDecimal(out, at, a, r17, k);
}

/** x rounded to the nearest integer, or -1 when x is within 1e-6 of a half (or below -1/2). */
function nearest(x: number): number {
  const t = x + 0.5;
  const f = Math.floor(t);
  const d = t - f;
  return d < 1e-6 || d > 1 - 1e-6 || f < 0 ? -1 : f;
}

/**
 * 1 when a decimal `delta` below P (above, when negative) is inside v's rounding interval, 0 when
 * outside, -1 when within 1e-6 of its edge (r is good to 1e-8; an exact edge is a tie).
 */
function inside(delta: number, below: number, above: number): number {
  const room = delta >= 0 ? below - delta : above + delta;
  return room > 1e-6 ? 1 : room < -1e-6 ? 0 : -1;
}

/**
 * Writes the decimal (high * 10^8 + low) / 10^j, 10^6 <= high < 10^9 and low <= 10^8, as String
 * writes it (-1 for 10^17, eighteen digits): no trailing zeros, `0.000ddd` below 1, no point for an integer. The digits go
 * straight to their place: after `0.` and the zeros below 1, else one byte on, the integer part
 * then moved back over that byte to make room for the point.
 */
function writeDecimal(out: Uint8Array, at: number, high: number, low: number, j: number): number {
  if (low >= 1e8) {
    // a carry: the nearest decimal rounded up to the next power of ten in low
    high++;
    low -= 1e8;
    if (high >= 1e9) return -1;
  }
  const hd = high >= 1e8 ? 9 : high >= 1e7 ? 8 : 7; // digits of high
  const nd = hd + 8;
  const point = nd - j; // digits before the point
  if (point <= 0) {
    out[at] = 48;
    out[at + 1] = 46;
    let p = at + 2;
    for (let i = point; i < 0; i++) out[p++] = 48;
    writeDigits17(out, p, high, low, hd);
    p += nd;
    while (out[p - 1] === 48) p--;
    return p;
  }
  writeDigits17(out, at + 1, high, low, hd);
  let p = at + 1 + nd;
  const fraction = at + 1 + point;
  while (p > fraction && out[p - 1] === 48) p--;
  for (let i = 0; i < point; i++) out[at + i] = out[at + 1 + i];
  if (p === fraction) return at + point;
  out[at + point] = 46; // '.'
  return p;
}

/**
 * The hd digits of high then the 8 of low (leading zeros kept) at `at`, two at a time (PAIRS)
 * from the right; both below 2^31, so each division by 100 is an integer multiply and shift.
 */
function writeDigits17(out: Uint8Array, at: number, high: number, low: number, hd: number): void {
  let l = low | 0;
  for (let i = at + hd + 6; i >= at + hd; i -= 2) {
    const q = (l / 100) | 0;
    const r = (l - q * 100) << 1;
    out[i] = PAIRS[r];
    out[i + 1] = PAIRS[r + 1];
    l = q;
  }
  let h = high | 0;
  let i = at + hd - 2;
  for (; i >= at; i -= 2) {
    const q = (h / 100) | 0;
    const r = (h - q * 100) << 1;
    out[i] = PAIRS[r];
    out[i + 1] = PAIRS[r + 1];
    h = q;
  }
  if (i === at - 1) out[at] = 48 + h;
}
