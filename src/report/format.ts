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

/** For JSON: a number, or the strings "NaN", "Infinity", "-Infinity" (JSON has no such numbers). */
export function jsonNumber(n: number, precision?: number): number | string {
  if (!Number.isFinite(n)) return String(n);
  return precision === undefined ? n : Number(n.toPrecision(precision));
}

/** Steps and tolerances in exponent form: 6e-6 rather than 0.000006. */
export function formatExponent(n: number): string {
  return n.toExponential().replace('e+', 'e');
}
