/* The dynamics class of a run from the autocovariance of its currents. */
#include <mrdyn/sweep.h>
#include <math.h>

const char *const MrDynClassNames[] = {"fixed point", "limit cycle", "chaos", "mixed", "failed", "missing"};

PetscErrorCode MrClassifyCurrents(PetscInt nt, PetscInt C, const PetscReal S[], PetscReal dt, PetscReal window, MrDynamics *d)
{
  PetscInt   n0, n, zero    = -1;
  PetscReal *mean, *ac, var = 0, lev = 0;

  PetscFunctionBegin;
  d->cls       = MR_DYN_MIXED;
  d->amplitude = d->level = d->peak = 0;
  d->period                         = NAN;
  n0                                = nt - PetscMax(4, (PetscInt)(window * nt));
  n0                                = PetscMax(0, n0);
  n                                 = nt - n0;
  PetscCall(PetscCalloc2(C, &mean, n, &ac));
  for (PetscInt t = n0; t < nt; t++)
    for (PetscInt c = 0; c < C; c++) mean[c] += S[t * C + c] / n;
  for (PetscInt t = n0; t < nt; t++)
    for (PetscInt c = 0; c < C; c++) {
      PetscReal x = S[t * C + c], dx = x - mean[c];
      var += dx * dx / (n * C);
      lev += x * x / (n * C);
    }
  d->amplitude = sqrt(var);
  d->level     = sqrt(lev);
  {
    /* still settling onto a fixed point: the last quarter of the window moves
       far less than the first (an oscillation or chaos keeps its size) */
    PetscInt  q = n / 4;
    PetscReal e = 0, l = 0;
    for (PetscInt t = 0; t < q; t++)
      for (PetscInt c = 0; c < C; c++) {
        PetscReal a = S[(n0 + t) * C + c] - S[(n0 + q - 1) * C + c], b = S[(nt - q + t) * C + c] - S[(nt - 1) * C + c];
        e += a * a;
        l += b * b;
      }
    if (isfinite(var) && q > 1 && sqrt(l) <= 0.25 * sqrt(e) && sqrt(l / (q * C)) <= 1e-2 * d->level + 1e-6) var = 0;
  }
  if (!isfinite(var)) {
    d->cls = MR_DYN_FAILED;
  } else if (var == 0 || d->amplitude <= 1e-3 * d->level + 1e-6) {
    d->cls = MR_DYN_FIXED_POINT;
  } else {
    /* normalised autocovariance over the overlap of each lag (lags up to half the
       window), on every k-th point so that a long window costs O(512^2) */
    PetscInt k = PetscMax(1, n / 512), nl = n / k / 2;
    for (PetscInt l = 0; l < nl; l++) {
      PetscReal sxy = 0, a = 0, b = 0;
      for (PetscInt t = n0; t + l * k < nt; t += k)
        for (PetscInt c = 0; c < C; c++) {
          PetscReal x = S[t * C + c] - mean[c], y = S[(t + l * k) * C + c] - mean[c];
          sxy += x * y;
          a += x * x;
          b += y * y;
        }
      ac[l] = sxy / sqrt(a * b + 1e-300);
      if (zero < 0 && ac[l] <= 0) zero = l;
    }
    d->peak = 0;
    if (zero > 0)
      for (PetscInt l = zero; l < nl; l++) d->peak = PetscMax(d->peak, ac[l]);
    /* the period: the first local maximum nearly as high as the highest one,
       refined between the sampled lags by a parabola */
    for (PetscInt l = zero > 0 ? zero + 1 : nl; l + 1 < nl; l++)
      if (ac[l] >= ac[l - 1] && ac[l] >= ac[l + 1] && ac[l] >= d->peak - 0.05) {
        PetscReal den = ac[l - 1] - 2 * ac[l] + ac[l + 1], off = den < 0 ? 0.5 * (ac[l - 1] - ac[l + 1]) / den : 0;
        d->period = (l + off) * k * dt;
        break;
      }
    if (zero < 0)
      d->cls = MR_DYN_MIXED; /* no decorrelation inside the window: a slow drift */
    else if (d->peak >= 0.9)
      d->cls = MR_DYN_LIMIT_CYCLE;
    else if (d->peak < 0.5)
      d->cls = MR_DYN_CHAOS;
    else
      d->cls = MR_DYN_MIXED;
    if (d->cls != MR_DYN_LIMIT_CYCLE) d->period = NAN;
  }
  PetscCall(PetscFree2(mean, ac));
  PetscFunctionReturn(PETSC_SUCCESS);
}
