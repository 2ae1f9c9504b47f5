#!/usr/bin/env python3
"""Write test/fixtures/special.json: mpmath's values of the special functions of src/engine/special.ts.

Run: python3 scripts/special-fixture.py   (mpmath; deterministic: a fixed seed, no clock)

Each function maps to rows [x, ref, corr] or [x, ref, corr, scale]:
- x is a double (every sample is a Python float, so mpmath sees it exactly);
- ref is the exact value rounded to the nearest double, corr = exact - ref rounded to a double, so a
  test measures got - exact = (got - ref) - corr to a fraction of an ulp;
- scale, on the rows where the function is a difference of larger terms that has zeros nearby
  (digamma, the even polygammas and logAbsGamma for x < 0), is |x f'(x)|: the change of f when x
  moves by a relative 1, so error / (eps * scale) is the error in units of x's own rounding.
Non-finite numbers are the strings "Infinity", "-Infinity", "NaN" (JSON has no literals for them).
polygamma is an object keyed by n.
"""
import json
import math
import os
import random

import mpmath as mp

mp.mp.dps = 50
rng = random.Random(10)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'special.json')


def enc(v):
    if isinstance(v, float):
        if math.isnan(v):
            return 'NaN'
        if math.isinf(v):
            return 'Infinity' if v > 0 else '-Infinity'
    return v


def to_double(v):
    """The double nearest to the real mpf v (through a decimal string: Python rounds it correctly,
    subnormals included), with overflow to infinity."""
    if mp.isnan(v):
        return math.nan
    if mp.isinf(v):
        return math.inf if v > 0 else -math.inf
    if v == 0:
        return 0.0
    return float(mp.nstr(v, 40, min_fixed=1, max_fixed=0))


def row(x, exact, deriv=None):
    """[x, ref, corr(, scale)] for an mpf exact (or a float for special values)."""
    if isinstance(exact, float):
        return [enc(x), enc(exact), 0.0]
    ref = to_double(exact)
    corr = 0.0 if math.isinf(ref) else to_double(exact - mp.mpf(ref))
    r = [enc(x), enc(ref), corr]
    if deriv is not None:
        r.append(enc(to_double(abs(mp.mpf(x) * deriv))))
    return r


def uniform(a, b, n):
    return [rng.uniform(a, b) for _ in range(n)]


def log_uniform(a, b, n):
    la, lb = math.log(a), math.log(b)
    return [math.exp(rng.uniform(la, lb)) for _ in range(n)]


def around(points, rel=(1e-15, 1e-8, 1e-4)):
    """Each point, and points just off it on both sides."""
    out = []
    for p in points:
        out.append(p)
        for r in rel:
            d = r * max(1.0, abs(p))
            out += [p - d, p + d]
        out += [math.nextafter(p, -math.inf), math.nextafter(p, math.inf)]
    return out


SPECIAL = [0.0, -0.0, math.inf, -math.inf, math.nan]


def unique(xs):
    seen, out = set(), []
    for x in xs:
        key = 'nan' if math.isnan(x) else (x, math.copysign(1, x))
        if key not in seen:
            seen.add(key)
            out.append(x)
    return out


def negative_non_integers(n, lo, hi):
    """Negative non-integers in (lo, hi): uniform ones, and ones near the poles."""
    xs = uniform(lo, hi, n)
    for k in range(1, 12):
        xs += [-k + 1e-12, -k - 1e-12, -k + 1e-6, -k - 1e-6, -k + 0.5, -k + 0.25, -k + 0.75]
    xs += [-100 + 1e-10, -100.5, -150.25, -170.5, -171.5, -175.3, -177.7, -183.2, -184.5, -190.5, -250.5]
    return [x for x in xs if x != math.floor(x)]


def fixture():
    out = {'generator': 'scripts/special-fixture.py', 'mpmath': mp.__version__}

    # erf, erfc
    xs = uniform(-6, 6, 220) + uniform(-1, 1, 60) + log_uniform(1e-300, 0.8, 30)
    xs += [-x for x in log_uniform(1e-300, 0.8, 15)] + [5e-324, -5e-324, 1e-310]
    xs += around([0.25, 0.5, 0.84375, 1, 1.5, 2.5, 4, 6, 10, 28]) + [-0.84375, -1.5, -6, -5.9]
    erf_x = unique(xs + SPECIAL)
    out['erf'] = [row(x, special_erf(x)) for x in erf_x]
    erfc_x = unique(xs + uniform(6, 27.3, 120) + uniform(-12, -6, 5) + [26.5, 27, 27.2, 27.25, 27.3, 30, 1e10, 1e300] + SPECIAL)
    out['erfc'] = [row(x, special_erfc(x)) for x in erfc_x]

    # gamma
    pos = log_uniform(1e-300, 0.5, 25) + uniform(0, 3, 80) + uniform(3, 30, 80) + uniform(30, 171.6, 60)
    pos += [k + 0.5 for k in range(0, 172)][::7] + list(range(1, 172))[::5] + [170, 171, 171.5, 171.6, 171.62, 171.624, 171.6243769563027, 171.62437695630275, 171.625, 172, 200, 1e10]
    pos += around([0.5, 1, 1.5, 2, 2.5], rel=(1e-14, 1e-7)) + [5e-324, 1e-310, 2.2250738585072014e-308]
    neg = negative_non_integers(120, -190, 0) + uniform(-0.5, 0, 15) + [-5e-324, -1e-300, -1e-30, -1e-8]
    gamma_x = unique(pos + neg + SPECIAL + [-1.0, -2.0, -3.0, -50.0, -1e20])
    out['gamma'] = [row(x, special_gamma(x)) for x in gamma_x]

    # lgamma (mathjs: NaN for every x < 0), logAbsGamma (the whole line)
    lpos = pos + log_uniform(30, 1e306, 60) + [1e307, 1.7976931348623157e308, 2.5e305]
    lpos += around([1.0, 2.0], rel=(1e-15, 1e-12, 1e-9, 1e-6, 1e-3, 0.1)) + uniform(0.5, 2.5, 60)
    lgamma_x = unique(lpos + SPECIAL + [-0.5, -1.0, -2.5, -1e-300])
    out['lgamma'] = [row(x, special_lgamma(x)) for x in lgamma_x]
    labs_x = unique(lpos[::2] + neg + uniform(-5, 0, 60) + SPECIAL + [-1.0, -2.0, -7.0])
    out['logAbsGamma'] = [row(x, special_log_abs_gamma(x), psi(0, x) if math.isfinite(x) and x < 0 and x != math.floor(x) else None) for x in labs_x]

    # digamma
    x0 = float(mp.findroot(mp.digamma, 1.46))
    dpos = log_uniform(1e-300, 1, 30) + uniform(0, 3, 80) + uniform(3, 30, 60) + log_uniform(30, 1e300, 40)
    dpos += around([x0], rel=(1e-16, 1e-13, 1e-10, 1e-7, 1e-4, 1e-2)) + around([1.0, 2.0, 10.0], rel=(1e-12,)) + [5e-324, 1e-310, 2 ** -30, 2 ** -31]
    dneg = negative_non_integers(80, -60, 0) + uniform(-3, 0, 40) + [-(2 ** -30), -(2 ** -31), -1e-300, -1e6 - 0.5, -1e15 - 0.5]
    for r in (-0.504, -1.573, -2.611, -3.635):  # the first negative roots of digamma
        dneg += around([float(mp.findroot(mp.digamma, r))], rel=(1e-12, 1e-6))
    digamma_x = unique(dpos + dneg + SPECIAL + [-1.0, -2.0, -10.0, 1.0, 2.0, 0.5])
    out['digamma'] = [row(x, special_polygamma(0, x), psi(1, x) if math.isfinite(x) and x < 0 and x != math.floor(x) else None) for x in digamma_x]

    # polygamma, n = 1..6 and 10
    out['polygamma'] = {}
    for n in (1, 2, 3, 4, 5, 6, 10):
        xs = log_uniform(1e-300, 1, 12) + uniform(0, 5, 40) + uniform(5, 60, 30) + log_uniform(60, 1e100, 15)
        xs += negative_non_integers(40, -60, 0) + uniform(-3, 0, 20) + [-(2 ** -31), 2 ** -31, -1e-200, 1e-200, -1e6 - 0.5]
        xs += [1.0, 2.0, 0.5, 1e300]
        xs = unique(xs + SPECIAL + [-1.0, -2.0])
        out['polygamma'][str(n)] = [
            row(x, special_polygamma(n, x), psi(n + 1, x) if n % 2 == 0 and math.isfinite(x) and x < 0 and x != math.floor(x) else None)
            for x in xs
        ]
    return out


def special_erf(x):
    if math.isnan(x):
        return math.nan
    if math.isinf(x):
        return math.copysign(1.0, x)
    if x == 0:
        return x  # the float keeps the sign of zero: erf(-0) = -0
    return mp.erf(x)


def special_erfc(x):
    if math.isnan(x):
        return math.nan
    if math.isinf(x):
        return 0.0 if x > 0 else 2.0
    if x > 1e6:  # mpmath's erfc fails this far out; the value is below 1e-1000000
        return 0.0
    return mp.erfc(x)


def psi(n, x):
    """mpmath's psi(n, x); for x < -1000 through the reflection formula, at 100 digits (mpmath's own
    recurrence would take -x steps there)."""
    if x >= -1000:
        return mp.psi(n, x)
    with mp.workdps(100):
        cot_n = mp.diff(lambda t: mp.cot(mp.pi * t), mp.mpf(x), n)
        return (-1) ** n * mp.psi(n, 1 - mp.mpf(x)) - mp.pi * cot_n


def is_pole(x):
    return x <= 0 and x == math.floor(x)


def special_gamma(x):
    if math.isnan(x) or x == -math.inf:
        return math.nan
    if x == math.inf or is_pole(x):
        return math.inf
    return mp.gamma(x)


def special_lgamma(x):
    if math.isnan(x) or x < 0:
        return math.nan
    if x == 0 or x == math.inf:
        return math.inf
    return mp.loggamma(x)


def special_log_abs_gamma(x):
    if math.isnan(x):
        return math.nan
    if not math.isfinite(x) or is_pole(x):
        return math.inf
    return mp.log(abs(mp.gamma(x)))


def special_polygamma(n, x):
    if math.isnan(x) or x == -math.inf:
        return math.nan
    if x == math.inf:
        return math.inf if n == 0 else (0.0 if n % 2 == 1 else -0.0)
    if is_pole(x):
        return math.inf if n % 2 == 1 else math.nan
    return psi(n, x)


if __name__ == '__main__':
    data = fixture()
    with open(OUT, 'w') as f:
        json.dump(data, f, separators=(',', ':'))
        f.write('\n')
    counts = {k: len(v) for k, v in data.items() if isinstance(v, list)}
    counts.update({f'polygamma {n}': len(v) for n, v in data['polygamma'].items()})
    print(OUT, counts)
