#!/usr/bin/env python3
"""Write test/fixtures/simd-ulp.json: mpmath's correctly rounded exp, sin, cos and tanh at the points
that test the SIMD kernel's polynomials (src/batch/simd-math.ts).

Run: python3 scripts/simd-fixture.py   (mpmath; deterministic: a fixed seed, no clock)

Each function maps to rows [x, ref, corr]: x a double, ref the exact value rounded to the nearest
double, corr = exact - ref rounded to a double (so got - exact = (got - ref) - corr). Non-finite
numbers are the strings "Infinity", "-Infinity", "NaN".
Points: a dense uniform sample over each polynomial's range and near 0, the edge values (0, -0,
subnormals, huge, infinities, NaN), and the reduction boundaries: for exp the half-way points
(k + 1/2) ln 2 where the reduction's k changes and the range's ends; for sin and cos the doubles
nearest k pi/2 (r near 0, where cancellation would show: the 400 nearest of every k up to
SIN_MAX, and every 8th k) and (k + 1/2) pi/2 (r near +-pi/4, every 8th k); for tanh both sides of 0.625, where it changes formula, and of the clamp.
"""
import json
import math
import os
import random

import mpmath as mp

mp.mp.dps = 60
rng = random.Random(13)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'simd-ulp.json')
EXP_MAX = 708.0
SIN_MAX = 8192.0


def enc(v):
    if math.isnan(v):
        return 'NaN'
    if math.isinf(v):
        return 'Infinity' if v > 0 else '-Infinity'
    return v


def row(f, x):
    if math.isnan(x) or math.isinf(x):
        ref = {'exp': math.exp, 'sin': math.sin, 'cos': math.cos, 'tanh': math.tanh}
        try:
            r = ref[f](x)
        except ValueError:
            r = math.nan
        return [enc(x), enc(r), 0.0]
    exact = {'exp': mp.exp, 'sin': mp.sin, 'cos': mp.cos, 'tanh': mp.tanh}[f](mp.mpf(x))
    try:
        r = float(exact)
    except OverflowError:
        r = math.inf
    corr = 0.0 if math.isinf(r) else float(exact - mp.mpf(r))
    return [enc(x), enc(r), corr]


def near(xs):
    """Each x and its neighbouring doubles."""
    return [y for x in xs for y in (math.nextafter(x, -math.inf), x, math.nextafter(x, math.inf))]


EDGES = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-310, -1e-310, 1e-300, 1e-20, 1e-8,
         1.0, -1.0, 1e10, 1e300, 1.7976931348623157e308, -1.7976931348623157e308,
         math.inf, -math.inf, math.nan]


def exp_points():
    xs = [rng.uniform(-EXP_MAX, EXP_MAX) for _ in range(6000)] + [rng.uniform(-2, 2) for _ in range(4000)]
    ln2 = mp.log(2)
    xs += near([float((k + mp.mpf(1) / 2) * ln2) for k in range(-1022, 1022, 7)])
    xs += near([EXP_MAX, -EXP_MAX, 709.782712893384, -745.1332191019411, 710.0, -746.0])
    return xs + EDGES


def sin_points():
    xs = [rng.uniform(-SIN_MAX, SIN_MAX) for _ in range(5000)] + [rng.uniform(-4, 4) for _ in range(4000)]
    pio2 = mp.pi / 2
    kmax = int(SIN_MAX / float(pio2))
    # The doubles nearest k pi/2: the 400 nearest of all (relative to their r, the hardest for the
    # reduction) and every 8th of the rest; then every 8th quadrant boundary.
    multiples = [float(k * pio2) for k in range(1, kmax + 1)]
    multiples.sort(key=lambda x: abs(mp.mpf(x) - mp.nint(mp.mpf(x) / pio2) * pio2))
    chosen = multiples[:400] + multiples[400::8]
    xs += chosen + [-x for x in chosen]
    xs += [float((k + mp.mpf(1) / 2) * pio2) for k in range(-kmax - 1, kmax + 1, 8)]
    xs += near([SIN_MAX, -SIN_MAX, 1e6, 2.0**52])
    return xs + EDGES


def tanh_points():
    xs = [rng.uniform(-20, 20) for _ in range(6000)] + [rng.uniform(-1, 1) for _ in range(6000)]
    xs += near([0.625, -0.625, 20.0, -20.0, 19.0, 22.0, 0.5, 1e-8])
    return xs + EDGES


fixture = {
    'exp': [row('exp', x) for x in exp_points()],
    'sin': [row('sin', x) for x in sin_points()],
    'cos': [row('cos', x) for x in sin_points()],
    'tanh': [row('tanh', x) for x in tanh_points()],
}
with open(OUT, 'w') as f:
    json.dump(fixture, f, separators=(',', ':'))
    f.write('\n')
print(OUT, {k: len(v) for k, v in fixture.items()})
