"""The constants of the SIMD kernel's functions (src/batch/simd-math.ts), from mpmath.

usage: python3 scripts/simd-coeffs.py  ->  TypeScript constants to paste into simd-math.ts

- ln 2 and pi/2 split for Cody-Waite reduction: the high parts have trailing zero bits, so that
  k * high is exact for the |k| the kernel allows (ln 2: 42 bits, |k| <= 1024; pi/2: three parts
  of 33, 33 and 53 bits, |k| <= 2^20).
- Polynomials fitted by mpmath's chebyfit (near minimax), each to the part of the function left
  after its first terms:
  exp(r) = 1 + (r + r^2 E(r)) on |r| <= 0.35 (|r| <= ln2/2 after the reduction, and a little);
  sin(r) = r + r z S(z), cos(r) = 1 - z/2 + z^2 C(z), z = r^2, on |r| <= pi/4 + 0.01;
  tanh(x) = x + x z T(z), z = x^2, on |x| < TANH_SMALL.
"""
import mpmath as mp

mp.mp.dps = 60


def top_bits(x, bits):
    """x rounded to `bits` significant bits (a double with trailing zeros)."""
    e = mp.floor(mp.log(abs(x), 2))
    scale = mp.mpf(2) ** (bits - 1 - e)
    return mp.nint(x * scale) / scale


def js(x):
    return repr(float(x))


ln2 = mp.log(2)
ln2_hi = top_bits(ln2, 42)
print(f"const LN2_HI = {js(ln2_hi)};")
print(f"const LN2_LO = {js(ln2 - ln2_hi)};")
pio2 = mp.pi / 2
p1 = top_bits(pio2, 33)
p2 = top_bits(pio2 - p1, 33)
p3 = pio2 - p1 - p2
print(f"const PIO2_1 = {js(p1)};")
print(f"const PIO2_2 = {js(p2)};")
print(f"const PIO2_3 = {js(p3)};")

TANH_SMALL = mp.mpf("0.625")


def fit(name, f, interval, n):
    coeffs, err = mp.chebyfit(f, interval, n, error=True)
    print(f"// {name}: chebyfit degree {n - 1}, max error {mp.nstr(err, 3)}; highest degree first")
    print(f"const {name} = [{', '.join(js(c) for c in coeffs)}];")


fit("EXP_P", lambda r: mp.mpf(1) / 2 if r == 0 else (mp.exp(r) - 1 - r) / r**2, [-0.35, 0.35], 11)
PIO4 = (mp.pi / 4 + mp.mpf("0.01")) ** 2
fit("SIN_P", lambda z: -mp.mpf(1) / 6 if z == 0 else (mp.sin(mp.sqrt(z)) - mp.sqrt(z)) / (mp.sqrt(z) * z), [0, PIO4], 6)
fit("COS_P", lambda z: mp.mpf(1) / 24 if z == 0 else (mp.cos(mp.sqrt(z)) - 1 + z / 2) / (z * z), [0, PIO4], 6)


def f(z):
    if z == 0:
        return mp.mpf(-1) / 3
    s = mp.sqrt(z)
    return (mp.tanh(s) - s) / (s * z)


fit("TANH_P", f, [0, TANH_SMALL**2], 12)
