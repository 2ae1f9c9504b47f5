/**
 * src/engine/special.ts against mpmath (test/fixtures/special.json, written by
 * scripts/special-fixture.py), in ulps; its conventions at the special points (mathjs's for gamma
 * and lgamma); and the identities that tie the functions together.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { gamma as mathjsGamma, lgamma as mathjsLgamma } from 'mathjs';
import { digamma, erf, erfc, gamma, lgamma, logAbsGamma, polygamma } from '../src/engine/special.js';
import { assertClose } from './helpers/numeric.js';

type Cell = number | string;
/** [x, ref, corr] or [x, ref, corr, scale]: see scripts/special-fixture.py. */
type Row = [Cell, Cell, number] | [Cell, Cell, number, number];
interface Fixture {
  erf: Row[];
  erfc: Row[];
  gamma: Row[];
  lgamma: Row[];
  logAbsGamma: Row[];
  digamma: Row[];
  polygamma: Record<string, Row[]>;
}

const fixture = JSON.parse(
  readFileSync(new URL('../../test/fixtures/special.json', import.meta.url), 'utf8'),
) as Fixture;

function num(c: Cell): number {
  return typeof c === 'number' ? c : Number(c); // "Infinity", "-Infinity", "NaN"
}

/** The spacing of the doubles at |v|: 2^(exponent - 52), 2^-1074 among the subnormals. */
function ulp(v: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(v));
  const biased = view.getUint16(0) >> 4;
  return biased === 0 ? 2 ** -1074 : 2 ** (biased - 1075);
}

interface Measured {
  /** The largest error in ulps of the exact value over the rows without a scale. */
  maxUlp: number;
  maxUlpAt: number;
  /** Rows with a scale (near zeros of a difference): the largest min(ulp error, error / (eps * scale)). */
  maxScaled: number;
  maxScaledAt: number;
  failures: string[];
}

/**
 * Every row of one function: non-finite expectations and exact zeros must be met exactly (signed
 * zero included); finite ones within tolUlp ulps, or, on the rows with a scale, within
 * tolScaled * eps * scale.
 */
function measure(name: string, f: (x: number) => number, rows: Row[], tolUlp: number, tolScaled = 0): Measured {
  const m: Measured = { maxUlp: 0, maxUlpAt: NaN, maxScaled: 0, maxScaledAt: NaN, failures: [] };
  for (const r of rows) {
    const x = num(r[0]);
    const ref = num(r[1]);
    const corr = r[2];
    const got = f(x);
    const what = `${name}(${Object.is(x, -0) ? '-0' : x}): got ${Object.is(got, -0) ? '-0' : got}, expected ${Object.is(ref, -0) ? '-0' : ref}`;
    if (!Number.isFinite(ref) || (ref === 0 && corr === 0)) {
      if (!Object.is(got, ref)) m.failures.push(`${what} exactly`);
      continue;
    }
    if (!Number.isFinite(got)) {
      m.failures.push(`${what} (+ ${corr})`);
      continue;
    }
    const err = Math.abs(got - ref - corr);
    const inUlps = err / ulp(ref);
    if (r.length === 4) {
      const scaled = Math.min(inUlps, err / (Number.EPSILON * r[3]));
      if (scaled > m.maxScaled) [m.maxScaled, m.maxScaledAt] = [scaled, x];
      if (scaled > tolScaled)
        m.failures.push(
          `${what} (+ ${corr}), error ${inUlps.toFixed(2)} ulp, ${(err / (Number.EPSILON * r[3])).toFixed(2)} eps * |x f'(x)| (allowed ${tolScaled})`,
        );
    } else {
      if (inUlps > m.maxUlp) [m.maxUlp, m.maxUlpAt] = [inUlps, x];
      if (inUlps > tolUlp) m.failures.push(`${what} (+ ${corr}), error ${inUlps.toFixed(2)} ulp (allowed ${tolUlp})`);
    }
  }
  return m;
}

function check(
  t: { diagnostic(message: string): void },
  name: string,
  f: (x: number) => number,
  rows: Row[],
  tolUlp: number,
  tolScaled = 0,
): void {
  const m = measure(name, f, rows, tolUlp, tolScaled);
  const scaled = rows.some((r) => r.length === 4)
    ? `; near zeros ${m.maxScaled.toFixed(2)} (x = ${m.maxScaledAt})`
    : '';
  t.diagnostic(`${name}: ${rows.length} points, max ${m.maxUlp.toFixed(2)} ulp (x = ${m.maxUlpAt})${scaled}`);
  assert.equal(
    m.failures.length,
    0,
    `${m.failures.length} of ${rows.length} points off:\n${m.failures.slice(0, 12).join('\n')}`,
  );
}

// The bounds asserted: a little above what was measured (the measured maxima print as diagnostics).
// polygamma's reflection for x < 0 computes cot(pi x) to about 1.5 ulp and the n-th derivative of
// cot, a polynomial of degree n + 1 in it, multiplies that by up to n + 1: hence 2(n + 1) + 2.
describe('special functions against mpmath (test/fixtures/special.json)', () => {
  test('erf', (t) => check(t, 'erf', erf, fixture.erf, 1.5));
  test('erfc', (t) => check(t, 'erfc', erfc, fixture.erfc, 1.5));
  test('gamma', (t) => check(t, 'gamma', gamma, fixture.gamma, 5));
  test('lgamma', (t) => check(t, 'lgamma', lgamma, fixture.lgamma, 4));
  test('logAbsGamma', (t) => check(t, 'logAbsGamma', logAbsGamma, fixture.logAbsGamma, 4, 4));
  test('digamma', (t) => check(t, 'digamma', digamma, fixture.digamma, 3, 2));
  for (const [n, rows] of Object.entries(fixture.polygamma)) {
    const tol = 2 * (Number(n) + 1) + 2;
    test(`polygamma(${n}, x)`, (t) => check(t, `polygamma(${n}, .)`, (x) => polygamma(Number(n), x), rows, tol, 2));
  }
});

/** Object.is, with a readable message that shows -0. */
function assertSame(got: number, expected: number, what: string): void {
  const show = (v: number) => (Object.is(v, -0) ? '-0' : String(v));
  assert.ok(Object.is(got, expected), `${what}: got ${show(got)}, expected ${show(expected)}`);
}

describe('special functions: conventions at the special points', () => {
  const SPECIAL = [0, -0, -1, -2, -3, -100, -1e20, Infinity, -Infinity, NaN];

  test("gamma and lgamma give mathjs's values at 0, -0, the negative integers, +-Infinity and NaN", () => {
    for (const x of SPECIAL) {
      assertSame(gamma(x), mathjsGamma(x) as number, `gamma(${x})`);
      assertSame(lgamma(x), mathjsLgamma(x) as number, `lgamma(${x})`);
    }
    for (const x of [-0.5, -2.5, -1e-300]) assertSame(lgamma(x), mathjsLgamma(x) as number, `lgamma(${x})`);
    // and the ordinary values agree with mathjs's to its own accuracy
    for (const x of [0.5, 1.5, 3.7, 10.25, 100.5, -0.5, -3.3]) {
      assertClose(gamma(x), mathjsGamma(x) as number, `gamma(${x})`, 1e-12);
    }
  });

  test('gamma: Infinity at the poles, finite up to 171.6243769563027, signed underflow far left', () => {
    assertSame(gamma(171.6243769563027), 1.7976931348622299e308, 'gamma(171.6243769563027)'); // mpmath's value, rounded
    assertSame(gamma(171.62437695630275), Infinity, 'gamma(171.62437695630275)');
    // the sign of gamma on (-n - 1, -n) is (-1)^(n + 1)
    assertSame(gamma(-250.5), -0, 'gamma(-250.5)');
    assertSame(gamma(-251.5), 0, 'gamma(-251.5)');
    for (let n = 1; n <= 23; n++) {
      let f = 1;
      for (let k = 2; k < n; k++) f *= k;
      assertSame(gamma(n), f, `gamma(${n}) = ${n - 1}!`); // exact: the factors are exact in double-double
    }
  });

  test('lgamma: NaN for every x < 0 (as mathjs); logAbsGamma: log|gamma| on the whole line, +Infinity at the poles', () => {
    for (const x of [-0.5, -1.5, -100.25, -1e-300]) {
      assertSame(lgamma(x), NaN, `lgamma(${x})`);
      assertClose(logAbsGamma(x), Math.log(Math.abs(gamma(x))), `logAbsGamma(${x})`, 1e-13);
    }
    for (const x of [0, -0, -1, -7, Infinity, -Infinity]) assertSame(logAbsGamma(x), Infinity, `logAbsGamma(${x})`);
    assertSame(logAbsGamma(NaN), NaN, 'logAbsGamma(NaN)');
    assertSame(lgamma(1), 0, 'lgamma(1)');
    assertSame(lgamma(2), 0, 'lgamma(2)');
  });

  test('erf and erfc: odd erf with erf(-0) = -0, the limits at +-Infinity, NaN', () => {
    assertSame(erf(-0), -0, 'erf(-0)');
    assertSame(erf(0), 0, 'erf(0)');
    assertSame(erf(Infinity), 1, 'erf(Infinity)');
    assertSame(erf(-Infinity), -1, 'erf(-Infinity)');
    assertSame(erfc(Infinity), 0, 'erfc(Infinity)');
    assertSame(erfc(-Infinity), 2, 'erfc(-Infinity)');
    assertSame(erfc(0), 1, 'erfc(0)');
    assertSame(erf(NaN), NaN, 'erf(NaN)');
    assertSame(erfc(NaN), NaN, 'erfc(NaN)');
    for (const r of fixture.erf) {
      const x = num(r[0]);
      assertSame(erf(-x), -erf(x), `erf(-(${x})) = -erf(${x})`);
    }
  });

  test('digamma and polygamma: NaN at the poles where the sides disagree, +Infinity for odd n; the limits at Infinity', () => {
    for (const x of [0, -0, -1, -2, -50, -1e300]) {
      assertSame(digamma(x), NaN, `digamma(${x})`);
      for (const n of [1, 2, 3, 4]) assertSame(polygamma(n, x), n % 2 === 1 ? Infinity : NaN, `polygamma(${n}, ${x})`);
    }
    assertSame(digamma(Infinity), Infinity, 'digamma(Infinity)');
    assertSame(digamma(-Infinity), NaN, 'digamma(-Infinity)');
    for (const n of [1, 2, 3, 4]) {
      assertSame(polygamma(n, Infinity), n % 2 === 1 ? 0 : -0, `polygamma(${n}, Infinity)`);
      assertSame(polygamma(n, -Infinity), NaN, `polygamma(${n}, -Infinity)`);
      assertSame(polygamma(n, NaN), NaN, `polygamma(${n}, NaN)`);
    }
    for (const x of [0.3, 2, -1.5]) assertSame(polygamma(0, x), digamma(x), `polygamma(0, ${x})`);
    for (const n of [-1, 1.5, NaN, Infinity]) assertSame(polygamma(n, 1), NaN, `polygamma(${n}, 1)`);
  });
});

/** Central difference with step h: error O(h^2 f''') + O(eps f / h). */
function diff(f: (x: number) => number, x: number, h: number): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}

describe('special functions: identities', () => {
  test('erf(x) + erfc(x) = 1 and erfc(-x) = 2 - erfc(x)', () => {
    for (let x = -4; x <= 4; x += 1 / 64) {
      assert.ok(Math.abs(erf(x) + erfc(x) - 1) <= 2 * Number.EPSILON, `erf(${x}) + erfc(${x}) = ${erf(x) + erfc(x)}`);
      const reflected = 2 - erfc(-x);
      assert.ok(
        Math.abs(erfc(x) - reflected) <= 2 * Number.EPSILON,
        `erfc(${x}) = ${erfc(x)}, 2 - erfc(${-x}) = ${reflected}`,
      );
    }
  });

  test('gamma(x + 1) = x gamma(x)', () => {
    for (const x of [0.3, 0.5, 1.7, 4.25, 10.5, 50.125, 150.75, -0.3, -0.5, -2.75, -10.25, -100.5]) {
      assertClose(gamma(x + 1), x * gamma(x), `gamma(${x} + 1) = ${x} * gamma(${x})`, 1e-14);
    }
  });

  test('exp(lgamma(x)) = gamma(x) and lgamma(x + 1) = lgamma(x) + log(x)', () => {
    for (const x of [0.1, 0.9, 2.5, 7.3, 33.3, 120.5]) {
      assertClose(Math.exp(lgamma(x)), gamma(x), `exp(lgamma(${x}))`, 1e-13);
      assertClose(lgamma(x + 1), lgamma(x) + Math.log(x), `lgamma(${x} + 1)`, 1e-13, 1e-15);
    }
  });

  test('digamma is the derivative of lgamma (of logAbsGamma for x < 0)', () => {
    for (const x of [0.2, 0.75, 1.4616, 2, 3.5, 12, 80, 1000]) {
      assertClose(digamma(x), diff(lgamma, x, 1e-5 * Math.max(1, x)), `digamma(${x})`, 1e-8, 1e-9);
    }
    for (const x of [-0.3, -1.5, -2.25, -10.7]) {
      assertClose(digamma(x), diff(logAbsGamma, x, 1e-6), `digamma(${x})`, 1e-7, 1e-8);
    }
  });

  test('polygamma(n + 1) is the derivative of polygamma(n), n = 0..5', () => {
    for (let n = 0; n <= 5; n++) {
      for (const x of [0.6, 1.5, 4.2, 30, -0.4, -3.7]) {
        const h = 1e-5 * Math.max(1, Math.abs(x));
        assertClose(
          polygamma(n + 1, x),
          diff((v) => polygamma(n, v), x, h),
          `polygamma(${n + 1}, ${x})`,
          1e-6,
          1e-8,
        );
      }
    }
  });

  test('known values: gamma(1/2) = sqrt(pi), digamma(1) = -Euler, trigamma(1) = pi^2/6, erfc(10)', () => {
    assertClose(gamma(0.5), Math.sqrt(Math.PI), 'gamma(1/2)', 2 * Number.EPSILON);
    assertClose(digamma(1), -0.5772156649015329, 'digamma(1)', 2 * Number.EPSILON);
    assertClose(polygamma(1, 1), Math.PI ** 2 / 6, 'polygamma(1, 1)', 2 * Number.EPSILON);
    assertClose(erf(1), 0.8427007929497149, 'erf(1)', Number.EPSILON);
    assertClose(erfc(10), 2.088487583762545e-45, 'erfc(10)', 2 * Number.EPSILON);
  });
});
