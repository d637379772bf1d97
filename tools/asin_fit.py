"""The polynomial of MrAsin (src/dmft/gauss.h): a Chebyshev fit (mpmath.chebyfit,
50 digits) of f(z) = (asin(sqrt z) - sqrt z) / z^(3/2) on [0, 1/4], degree 11, so
that asin(s) = s + s z f(z) with z = s^2. Prints the coefficients (highest degree
first, as MrAsin's Horner steps use them), the fit error, and the largest error of
the double-precision MrAsin formula in ulp over a dense sample (needs Python 3.13's
math.fma for the exact fused steps; otherwise mpmath emulates them).
usage: /usr/bin/python3 tools/asin_fit.py"""
import mpmath as mp

mp.mp.dps = 50


def f(z):
    if z == 0:
        return mp.mpf(1) / 6
    s = mp.sqrt(z)
    return (mp.asin(s) - s) / (z * s)


poly, err = mp.chebyfit(f, [0, 0.25], 12, error=True)
c = [float(x) for x in poly]
print("coefficients (highest degree first):")
print(",\n".join("%.17e" % x for x in c))
print("fit error in f: %.3g (relative in asin <= %.3g)" % (err, err * 0.25 / (mp.asin(0.5) / 0.5)))


def fma(a, b, d):
    return float(mp.mpf(a) * mp.mpf(b) + mp.mpf(d))


def masin(x):
    a = min(abs(x), 1.0)
    big = a > 0.5
    z = 0.5 * (1.0 - a) if big else a * a
    s = float(mp.sqrt(z if big else 0.25))
    fz = c[0]
    for k in c[1:]:
        fz = fma(fz, z, k)
    zf = z * fz
    r = ((1.57079632679489655800 - 2.0 * s) - (2.0 * (s * zf) - 6.12323399573676603587e-17)) if big else fma(a, zf, a)
    return r if x >= 0 else -r


worst = 0.0
for k in range(1, 4001):
    x = k / 4000.0
    ex = mp.asin(mp.mpf(x))
    ulp = mp.mpf(2) ** (mp.floor(mp.log(ex, 2)) - 52)
    worst = max(worst, float(abs(mp.mpf(masin(x)) - ex) / ulp))
print("largest error of MrAsin on 4000 points of (0, 1]: %.2f ulp" % worst)
