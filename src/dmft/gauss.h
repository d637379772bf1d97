/* Gaussian integrals of phi(x) = erf(sqrt(pi)/2 x) (model.md section 2), written
   so that loops over them vectorise: a branch-free arctangent (Cephes' rational
   approximation, about 1 ulp) instead of libm's. */
#pragma once
#include <math.h>

#define MR_2_PI 0.63661977236758134308 /* 2/pi */

/* psi(D) = <phi'(x)> = 1/sqrt(1 + pi/2 D), clipped as in the reference code. */
static inline double MrPsi(double D)
{
  const double v = 1.0 / (0.5 * M_PI * D + 1.0);
  return sqrt(v > 1e-20 ? v : 1e-20);
}

/* Branch-free atan, |error| <= ~2 ulp (Cephes atan.c coefficients); written with
   selects, fmax and copysign only, so that loops over it vectorise. */
static inline double MrAtan(double x)
{
  const double a = fabs(x), T3P8 = 2.41421356237309504880, MOREBITS = 6.123233995736765886130e-17;
  const double big = a > T3P8 ? 1.0 : 0.0, mid = (a > 0.66 ? 1.0 : 0.0) * (1.0 - big);
  const double num = big * -1.0 + mid * (a - 1.0) + (1.0 - big - mid) * a;
  const double den = big * a + mid * (a + 1.0) + (1.0 - big - mid);
  const double y0 = big * M_PI_2 + mid * M_PI_4, more = big * MOREBITS + mid * 0.5 * MOREBITS;
  const double t = num / den, z = t * t;
  const double p = ((((-8.750608600031904122785e-1 * z - 1.615753718733365076637e1) * z - 7.500855792314704667340e1) * z - 1.228866684490136173410e2) * z - 6.485021904942025371773e1);
  const double q = (((((z + 2.485846490142306297962e1) * z + 1.650270098316988542046e2) * z + 4.328810604912902668951e2) * z + 4.853903996359136964868e2) * z + 1.945506571482613964425e2);
  return copysign(y0 + ((t * (z * p / q) + t) + more), x);
}

/* C(D11, D22, D12) = <phi(x1) phi(x2)> = (2/pi) atan(D12 / sqrt(P)), P = (D11 + 2/pi)(D22 + 2/pi) - D12^2,
   with P clipped at 1e-20 as in the reference code. The arctangent is MrAtan's
   (Cephes) with the argument reduction scaled by sqrt(P), so no division is
   spent on the argument itself; the selects compile to blends (measured faster
   than arithmetic blending or a homogeneous single-division form). */
static inline double MrCorrShifted(double a11, double a22, double D12) /* a = D + 2/pi */
{
  const double P0 = a11 * a22 - D12 * D12;
  const double s = sqrt(P0 > 1e-20 ? P0 : 1e-20), a = fabs(D12); /* not fmax: it does not vectorise */
  const double T3P8 = 2.41421356237309504880, MOREBITS = 6.123233995736765886130e-17;
  const int    big = a > T3P8 * s, mid = a > 0.66 * s;
  const double num = big ? -s : (mid ? a - s : a), den = big ? a : (mid ? a + s : s);
  const double y0 = big ? M_PI_2 : (mid ? M_PI_4 : 0.0), more = big ? MOREBITS : (mid ? 0.5 * MOREBITS : 0.0);
  const double t = num / den, z = t * t;
  const double p = ((((-8.750608600031904122785e-1 * z - 1.615753718733365076637e1) * z - 7.500855792314704667340e1) * z - 1.228866684490136173410e2) * z - 6.485021904942025371773e1);
  const double q = (((((z + 2.485846490142306297962e1) * z + 1.650270098316988542046e2) * z + 4.328810604912902668951e2) * z + 4.853903996359136964868e2) * z + 1.945506571482613964425e2);
  return MR_2_PI * copysign(y0 + ((t * (z * p / q) + t) + more), D12);
}

static inline double MrCorr(double D11, double D22, double D12) { return MrCorrShifted(D11 + MR_2_PI, D22 + MR_2_PI, D12); }
