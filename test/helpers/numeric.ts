/** Oracles shared by the tests: central differences and closeness with readable failures. */
import assert from 'node:assert/strict';

/** The book's step 4 `numerical_diff`, with a step scaled to the point (about the cube root of eps). */
export function centralDiff(f: (x: number) => number, x: number): number {
  const h = 6e-6 * Math.max(1, Math.abs(x));
  return (f(x + h) - f(x - h)) / (2 * h);
}

/** PyTorch gradcheck's rule: |a - n| <= atol + rtol * |n|. */
export function assertGradClose(autodiff: number, numeric: number, what: string, atol = 1e-5, rtol = 1e-3): void {
  assert.ok(
    Math.abs(autodiff - numeric) <= atol + rtol * Math.abs(numeric),
    `${what}: autodiff ${autodiff} vs central difference ${numeric}`,
  );
}

/** Relative closeness with an absolute floor near zero; equal non-finite values pass. */
export function assertClose(actual: number, expected: number, what: string, rel = 1e-12, abs = 1e-300): void {
  if (Object.is(actual, expected) || (Number.isNaN(actual) && Number.isNaN(expected))) return;
  assert.ok(
    Math.abs(actual - expected) <= Math.max(abs, rel * Math.abs(expected)),
    `${what}: got ${actual}, expected ${expected} (difference ${Math.abs(actual - expected)})`,
  );
}
