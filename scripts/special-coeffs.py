#!/usr/bin/env python3
"""Print the constant tables of src/engine/special.ts (run: python3 scripts/special-coeffs.py).

Every table is computed here with mpmath, at 60 digits, and rounded to double only when printed:

- polynomial fits: Chebyshev interpolation (mpmath.chebyfit, near-minimax) of a smooth function on
  an interval, re-expanded in the variable special.ts evaluates it in (x - centre, y = x*x, t),
  of the least degree whose error bound is below TARGET times the function's least magnitude on
  the interval;
- the asymptotic series of exp(x^2) erfc(x), the digamma root, 2^(j/32), ln2/32 split in two,
  Bernoulli numbers B_2 .. B_40, powers of pi and the other constants, correctly rounded.

special.ts holds this output verbatim between its `// BEGIN special-coeffs.py` and
`// END special-coeffs.py` lines; after changing an interval, rerun and paste it there.
"""
import mpmath as mp

mp.mp.dps = 60
TARGET = mp.mpf(2) ** -60


def fit(f, a, b, centre, max_degree=40):
    """Coefficients (lowest first) of a polynomial p with f(x) ~= p(x - centre) on [a, b].

    The fit is made in u in [-1, 1], x = mid + half*u, then re-expanded in v = x - centre
    (u = (centre - mid)/half + v/half). Returns (coefficients, degree, relative error bound).
    """
    a, b, centre = mp.mpf(a), mp.mpf(b), mp.mpf(centre)
    mid, half = (a + b) / 2, (b - a) / 2
    least = min(abs(f(mid + half * mp.cos(mp.pi * k / 200))) for k in range(201))
    for n in range(4, max_degree + 2):
        poly, err = mp.chebyfit(lambda u: f(mid + half * u), [-1, 1], n, error=True)
        if err < TARGET * least:
            break
    else:
        raise SystemExit(f'no fit below the target on [{a}, {b}] up to degree {max_degree}')
    cu = list(reversed(poly))  # chebyfit gives the highest power first
    shift, scale = (centre - mid) / half, 1 / half
    out = [mp.mpf(0)] * len(cu)
    for k, c in enumerate(cu):  # sum_k cu[k] (shift + scale v)^k
        for j in range(k + 1):
            out[j] += c * mp.binomial(k, j) * shift ** (k - j) * scale ** j
    return out, n - 1, err / least


def ts_array(name, values, comment):
    body = ',\n'.join(f'  {float(v)!r}' for v in values)
    return f'/** {comment} */\nconst {name} = [\n{body},\n];\n'


def main():
    out = []
    euler = mp.euler

    # lgamma(2 + t) = t * LG(t), |t| <= 0.5 (lgamma(2 + t) has no singularity within 2 of t = 0).
    def lg_over_t(t):
        if abs(t) < mp.mpf(10) ** -25:  # the Chebyshev nodes include 0 up to rounding
            return 1 - euler + (mp.zeta(2) - 1) / 2 * t
        return mp.loggamma(2 + t) / t

    c, d, e = fit(lg_over_t, -0.5, 0.5, 0)
    out.append(ts_array('LGAMMA2', c, f'lgamma(2 + t) / t for |t| <= 1/2, in powers of t (degree {d}, fit error {mp.nstr(e, 3)})'))

    # lgamma(1 + t) = t * LG1(t), |t| <= 0.5 (the singularity at t = -1: a higher degree).
    def lg1_over_t(t):
        if abs(t) < mp.mpf(10) ** -25:
            return -euler + mp.zeta(2) / 2 * t
        return mp.loggamma(1 + t) / t

    c, d, e = fit(lg1_over_t, -0.5, 0.5, 0)
    out.append(ts_array('LGAMMA1', c, f'lgamma(1 + t) / t for |t| <= 1/2, in powers of t (degree {d}, fit error {mp.nstr(e, 3)})'))

    # erf(x) = x + x * ERF_SMALL(x*x), |x| < 0.84375: fit in y = x^2 on [0, 0.84375^2].
    ymax = mp.mpf(0.84375) ** 2

    def erf_over_x_minus_1(y):
        return 2 / mp.sqrt(mp.pi) * mp.hyp1f1(0.5, 1.5, -y) - 1

    c, d, e = fit(erf_over_x_minus_1, 0, ymax, 0)
    out.append(ts_array('ERF_SMALL', c, f'erf(x) / x - 1 for |x| < 0.84375, in powers of y = x*x (degree {d}, fit error {mp.nstr(e, 3)})'))

    # G(x) = exp(x^2) * erfc(x) on pieces of [0.84375, 10], in powers of x - centre (x - centre is
    # exact: every x of a piece is within a factor 2 of its centre).
    def big_g(x):
        return mp.exp(x * x) * mp.erfc(x)

    def big_f(x):
        return x * big_g(x)

    pieces = [(0.84375, 1.5, 1.171875), (1.5, 2.5, 2), (2.5, 4, 3.25), (4, 6, 5), (6, 10, 8)]
    rows = []
    for a, b, centre in pieces:
        c, d, e = fit(big_g, a, b, centre)
        rows.append((a, b, centre, c, d, e))
    lines = ['/** exp(x*x) * erfc(x) on [lo, hi), in powers of x - centre: [lo, hi, centre, coefficients]. */',
             'const ERFC_TAIL: readonly (readonly [number, number, number, readonly number[]])[] = [']
    for a, b, centre, c, d, e in rows:
        lines.append(f'  // degree {d}, fit error {mp.nstr(e, 3)}')
        lines.append(f'  [{float(a)!r}, {float(b)!r}, {float(centre)!r}, [{", ".join(repr(float(v)) for v in c)}]],')
    lines.append('];\n')
    out.append('\n'.join(lines))

    # x >= 10: the asymptotic series of F in u = 1/x^2, sum_n (-1)^n (2n-1)!! / 2^n u^n / sqrt(pi),
    # truncated where its next term at u = 1/100 is below the target (a polynomial fit in u does
    # worse: F is not analytic at u = 0).
    c, n = [], 0
    while True:
        term = (-1) ** n * mp.fac2(2 * n - 1) / mp.mpf(2) ** n / mp.sqrt(mp.pi)
        if abs(term) * mp.mpf(100) ** -n < TARGET * big_f(mp.mpf(10)):
            break
        c.append(term)
        n += 1
    out.append(ts_array('ERFC_ASYMPTOTIC', c, f'x * exp(x*x) * erfc(x) for x >= 10: its asymptotic series in u = 1/(x*x), {len(c)} terms'))

    # digamma on [1, 2]: psi(x) = (x - x0) * DIGAMMA_ROOT(x - x0), x0 the positive root.
    x0 = mp.findroot(mp.digamma, 1.46)
    x0hi = float(x0)
    x0lo = float(x0 - mp.mpf(x0hi))

    def psi_over_dx(dx):
        if abs(dx) < mp.mpf(10) ** -25:
            return mp.psi(1, x0) + mp.psi(2, x0) / 2 * dx
        return mp.digamma(x0 + dx) / dx

    c, d, e = fit(psi_over_dx, 1 - x0, 2 - x0, 0)
    out.append(f'/** The positive root of digamma, x0 = DIGAMMA_X0_HI + DIGAMMA_X0_LO. */\n'
               f'const DIGAMMA_X0_HI = {x0hi!r};\nconst DIGAMMA_X0_LO = {x0lo!r};\n')
    out.append(ts_array('DIGAMMA_ROOT', c, f'digamma(x) / (x - x0) for 1 <= x <= 2, in powers of x - x0 (degree {d}, fit error {mp.nstr(e, 3)})'))

    # exp(y) = 2^m * 2^(j/32) * exp(r), y = (32 m + j) ln2/32 + r: the table 2^(j/32) as hi + lo, and
    # ln2/32 as hi + lo with hi of 36 bits (N * hi exact for |N| < 2^17).
    hi_parts = [float(mp.mpf(2) ** (mp.mpf(j) / 32)) for j in range(32)]
    lo_parts = [float(mp.mpf(2) ** (mp.mpf(j) / 32) - mp.mpf(h)) for j, h in enumerate(hi_parts)]
    out.append(ts_array('EXP2_32_HI', hi_parts, '2^(j/32), j = 0..31, rounded'))
    out.append(ts_array('EXP2_32_LO', lo_parts, '2^(j/32) - EXP2_32_HI[j]'))
    l = mp.log(2) / 32
    l_hi = mp.floor(l * mp.mpf(2) ** 41) / mp.mpf(2) ** 41  # l < 2^-5: 36 significant bits
    out.append(f'const LN2_32_HI = {float(l_hi)!r};\nconst LN2_32_LO = {float(l - l_hi)!r};\n'
               f'const INV_LN2_32 = {float(1 / l)!r};\n')

    bern = [mp.bernoulli(2 * k) for k in range(1, 21)]
    out.append(ts_array('BERNOULLI', bern, 'B_2, B_4, ..., B_40'))
    out.append(ts_array('PI_POWERS', [mp.pi ** k for k in range(0, 21)], 'pi^0 .. pi^20, correctly rounded'))
    out.append(f'const EULER = {float(euler)!r};\n'
               f'const HALF_LOG_2PI = {float(mp.log(2 * mp.pi) / 2)!r};\n'
               f'const LOG_PI = {float(mp.log(mp.pi))!r};\n'
               )
    print('\n'.join(out))


if __name__ == '__main__':
    main()
