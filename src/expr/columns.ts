/**
 * Typed arrays of one length laid over one ArrayBuffer: the parser's flat structures (tokens, the
 * operator stack, the compact form) hold several columns each, and a typed array of its own each
 * cost a small parse more than the parse itself (an allocation outside the heap apiece, and the
 * collections they bring on): `grad()` at one point of a small expression took twice as long.
 */
export interface Columns {
  f64: Float64Array[];
  i32: Int32Array[];
  u8: Uint8Array[];
}

/** `f64`, `i32` and `u8` columns of `n` entries each, over one buffer (zeros). */
export function columns(n: number, f64: number, i32: number, u8: number): Columns {
  const buffer = new ArrayBuffer(n * (8 * f64 + 4 * i32 + u8));
  const out: Columns = { f64: [], i32: [], u8: [] };
  // Widest first, so that every column is aligned.
  let at = 0;
  for (let k = 0; k < f64; k++, at += 8 * n) out.f64.push(new Float64Array(buffer, at, n));
  for (let k = 0; k < i32; k++, at += 4 * n) out.i32.push(new Int32Array(buffer, at, n));
  for (let k = 0; k < u8; k++, at += n) out.u8.push(new Uint8Array(buffer, at, n));
  return out;
}

/** Columns of the same widths as `c`, `n` entries each (n at least c's), holding c's entries first. */
export function grown(c: Columns, n: number): Columns {
  const out = columns(n, c.f64.length, c.i32.length, c.u8.length);
  c.f64.forEach((column, k) => out.f64[k].set(column));
  c.i32.forEach((column, k) => out.i32[k].set(column));
  c.u8.forEach((column, k) => out.u8[k].set(column));
  return out;
}
