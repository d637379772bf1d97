/* Gaussian integrals of phi(x) = erf(sqrt(pi)/2 x) (model.md section 2), written
   so that loops over them vectorise: a branch-free arcsine (below) instead of libm's. */
#pragma once
#include <math.h>

#define MR_2_PI 0.63661977236758134308 /* 2/pi */

/* psi(D) = <phi'(x)> = 1/sqrt(1 + pi/2 D), clipped as in the reference code. */
static inline double MrPsi(double D)
{
  const double v = 1.0 / (0.5 * M_PI * D + 1.0);
  return sqrt(v > 1e-20 ? v : 1e-20);
}

/* Arcsine from +, -, *, fma and one square root: no division, branch-free, so a
   loop over it vectorises and gives the same bits on every instruction set (fma
   and sqrt are correctly rounded everywhere). |x| <= 1/2: asin(a) = a + a z f(z),
   z = a^2; |x| > 1/2: asin(a) = pi/2 - 2 asin(s), s = sqrt(z), z = (1 - a)/2, with
   f the degree-11 Chebyshev fit of (asin(sqrt z) - sqrt z)/z^(3/2) on [0, 1/4]
   (error 2.3e-16 of f, 6e-17 relative in asin; tools/asin_fit.py). At most about 2 ulp. */
static inline double MrAsin(double x)
{
  const double ax = fabs(x), a = ax >= 1.0 ? 1.0 : ax; /* not fmin: it does not vectorise; NaN passes through */
  const int    big = a > 0.5;
  const double z = big ? 0.5 * (1.0 - a) : a * a, s = sqrt(big ? z : 0.25);
  double       f = 2.81692180608814138e-02;
  f              = fma(f, z, -1.07490503396978077e-02);
  f              = fma(f, z, 1.60355143491488217e-02);
  f              = fma(f, z, 7.80294947735331746e-03);
  f              = fma(f, z, 1.18754943826369225e-02);
  f              = fma(f, z, 1.39296529023266325e-02);
  f              = fma(f, z, 1.73552599557863230e-02);
  f              = fma(f, z, 2.23720476317445099e-02);
  f              = fma(f, z, 3.03819473670984795e-02);
  f              = fma(f, z, 4.46428571034236457e-02);
  f              = fma(f, z, 7.50000000002076367e-02);
  f              = fma(f, z, 1.66666666666666491e-01);
  {
    const double zf = z * f, rs = fma(a, zf, a);
    const double rb = (1.57079632679489655800e+00 - 2.0 * s) - (2.0 * (s * zf) - 6.12323399573676603587e-17); /* pi/2 in two parts */
    return copysign(big ? rb : rs, x);
  }
}

/* C(D11, D22, D12) = <phi(x1) phi(x2)> = (2/pi) asin(D12 r1 r2) with r = 1/sqrt(D + 2/pi).
   This equals the reference code's (2/pi) atan(D12 / sqrt(P)), P = (D11 + 2/pi)(D22 + 2/pi) - D12^2,
   wherever its clip of P at 1e-20 is inactive (|correlation| < 1). The engine keeps
   r per time point, so an element costs one square root and one division. */
static inline double MrCorrR(double r1, double r2, double D12) { return MR_2_PI * MrAsin(D12 * r1 * r2); }

static inline double MrCorr(double D11, double D22, double D12) { return MrCorrR(1.0 / sqrt(D11 + MR_2_PI), 1.0 / sqrt(D22 + MR_2_PI), D12); }
