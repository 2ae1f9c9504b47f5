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

/**
 * True when `text` is what formatNumber writes for Number(text) at full precision, so a row can
 * print the text as read instead of formatting the number again: a plain decimal of at most 15
 * significant digits (two such decimals are never the same double, so the shortest form of
 * Number(text) has the same digits), written as JavaScript writes numbers (`-` or no sign, no
 * leading or trailing zero, no exponent, no lone `.`, at least 0.000001 in size or 0).
 */
export function isShortestForm(t: string): boolean {
  const n = t.length;
  let i = t.charCodeAt(0) === 45 ? 1 : 0; // '-'
  if (i >= n || n > 24) return false;
  let c = t.charCodeAt(i);
  let digits = 0;
  if (c === 48) {
    // 0, -0, or 0.000ddd with at most five zeros (0.0000001 is written 1e-7)
    i++;
    if (i === n) return true;
    if (t.charCodeAt(i) !== 46) return false;
    i++;
    let zeros = 0;
    while (i < n && t.charCodeAt(i) === 48) {
      zeros++;
      i++;
    }
    if (zeros > 5 || i === n) return false;
  } else {
    if (c < 49 || c > 57) return false;
    while (i < n && (c = t.charCodeAt(i)) >= 48 && c <= 57) {
      digits++;
      i++;
    }
    if (i === n) return digits <= 15;
    if (c !== 46) return false;
    i++;
  }
  // The fraction's digits (after an integer part of 0, its leading zeros are not significant).
  const start = i;
  while (i < n && (c = t.charCodeAt(i)) >= 48 && c <= 57) i++;
  if (i !== n || start === n || t.charCodeAt(n - 1) === 48) return false;
  return digits + (n - start) <= 15;
}

/** For JSON: a number, or the strings "NaN", "Infinity", "-Infinity" (JSON has no such numbers). */
export function jsonNumber(n: number, precision?: number): number | string {
  if (!Number.isFinite(n)) return String(n);
  return precision === undefined ? n : Number(n.toPrecision(precision));
}

/** Steps and tolerances in exponent form: 6e-6 rather than 0.000006. */
export function formatExponent(n: number): string {
  return n.toExponential().replace('e+', 'e');
}
