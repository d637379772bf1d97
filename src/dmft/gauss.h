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

/* Branch-free arcsine, |error| <= ~1 ulp (Cephes asin.c coefficients): both
   branches are evaluated and one division is shared. */
static inline double MrAsin(double x)
{
  const double ax = fabs(x), a = ax >= 1.0 ? 1.0 : ax, MOREBITS = 6.123233995736765886130e-17; /* not fmin: it does not vectorise; NaN passes through */
  const int    big = a > 0.625;
  const double zb = 1.0 - a, zs = a * a;
  const double pr    = (((2.967721961301243206100e-3 * zb - 5.634242780008963776856e-1) * zb + 6.968710824104713396794e0) * zb - 2.556901049652824852289e1) * zb + 2.853665548261061424989e1;
  const double qs    = (((zb - 2.194779531642920639778e1) * zb + 1.470656354026814941758e2) * zb - 3.838770957603691357202e2) * zb + 3.424398657913078477438e2;
  const double pp    = ((((4.253011369004428248960e-3 * zs - 6.019598008014123785661e-1) * zs + 5.444622390564711410273e0) * zs - 1.626247967210700244449e1) * zs + 1.956261983317594739197e1) * zs - 8.198089802484824371615e0;
  const double qq    = ((((zs - 1.474091372988853791896e1) * zs + 7.049610280856842141659e1) * zs - 1.471791292232726029859e2) * zs + 1.395105614657485689735e2) * zs - 4.918853881490881290097e1;
  const double ratio = (big ? zb * pr : zs * pp) / (big ? qs : qq), sq = sqrt(zb + zb);
  const double rb = ((M_PI_4 - sq) - (sq * ratio - MOREBITS)) + M_PI_4, rs = a * ratio + a;
  return copysign(big ? rb : rs, x);
}

/* C(D11, D22, D12) = <phi(x1) phi(x2)> = (2/pi) asin(D12 r1 r2) with r = 1/sqrt(D + 2/pi).
   This equals the reference code's (2/pi) atan(D12 / sqrt(P)), P = (D11 + 2/pi)(D22 + 2/pi) - D12^2,
   wherever its clip of P at 1e-20 is inactive (|correlation| < 1). The engine keeps
   r per time point, so an element costs one square root and one division. */
static inline double MrCorrR(double r1, double r2, double D12) { return MR_2_PI * MrAsin(D12 * r1 * r2); }

static inline double MrCorr(double D11, double D22, double D12) { return MrCorrR(1.0 / sqrt(D11 + MR_2_PI), 1.0 / sqrt(D22 + MR_2_PI), D12); }
