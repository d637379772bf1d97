/* The dynamics class of a run from its currents over the last part of the run
   (the rule is stated in include/mrdyn/sweep.h and docs/sweep.md). */
#include <mrdyn/sweep.h>
#include <math.h>

const char *const MrDynClassNames[] = {"fixed point", "limit cycle", "chaos", "mixed", "failed", "missing", "undetermined"};

/* rms fluctuation about its own mean of the points [a, b) of a (nt, C) series */
static PetscReal MrSegmentRms(PetscInt C, const PetscReal S[], PetscInt a, PetscInt b)
{
  PetscReal v = 0;
  for (PetscInt c = 0; c < C; c++) {
    PetscReal m = 0;
    for (PetscInt t = a; t < b; t++) m += S[t * C + c] / (b - a);
    for (PetscInt t = a; t < b; t++) v += (S[t * C + c] - m) * (S[t * C + c] - m);
  }
  return sqrt(v / ((b - a) * C));
}

PetscErrorCode MrClassifyCurrents(PetscInt nt, PetscInt C, const PetscReal S[], PetscReal dt, PetscReal window, MrDynamics *d)
{
  PetscInt   n0, n, zero = -1, tmin = -1;
  PetscReal *mean, *ac, *re, *im, var = 0, lev = 0;
  PetscBool  settled = PETSC_FALSE;

  PetscFunctionBegin;
  d->cls       = MR_DYN_MIXED;
  d->amplitude = d->level = d->peak = 0;
  d->period                         = NAN;
  n0                                = nt - PetscMax(4, (PetscInt)(window * nt));
  n0                                = PetscMax(0, n0);
  n                                 = nt - n0;
  PetscCall(PetscCalloc4(C, &mean, n, &ac, 2 * C, &re, 2 * C, &im));
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
    settled = (PetscBool)(q > 1 && sqrt(l) <= 0.25 * sqrt(e) && sqrt(l / (q * C)) <= 1e-2 * d->level + 1e-6);
  }
  {
    /* or decaying onto one, oscillating or not: the speed falls by at least 20% from
       each sixth of the window to the next (a relaxation oscillation's slow phase
       keeps its speed, a switch raises it) */
    PetscInt  s     = (n - 1) / 6;
    PetscReal sp[6] = {0};
    PetscBool dec   = (PetscBool)(s > 1);
    for (PetscInt i = 0; i < 6 && s > 1; i++) {
      for (PetscInt t = n0 + i * s; t < n0 + (i + 1) * s; t++)
        for (PetscInt c = 0; c < C; c++) sp[i] += (S[(t + 1) * C + c] - S[t * C + c]) * (S[(t + 1) * C + c] - S[t * C + c]);
      if (i > 0 && !(sqrt(sp[i]) <= 0.8 * sqrt(sp[i - 1]))) dec = PETSC_FALSE;
    }
    settled = (PetscBool)(settled || dec);
  }
  if (!isfinite(var)) {
    d->cls = MR_DYN_FAILED;
  } else if (var == 0 || settled || d->amplitude <= 1e-3 * d->level + 1e-6) {
    d->cls = MR_DYN_FIXED_POINT;
  } else {
    /* normalised autocovariance over the overlap of each lag (lags up to half the
       window), on every k-th point so that a long window costs O(512^2) */
    PetscInt  k = PetscMax(1, n / 512), nl = n / k / 2;
    PetscReal W = n * dt, per = NAN, slow, P, slowfrac = 0, a0, a1;
    PetscBool steady = PETSC_FALSE;
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
    /* half the period of the slowest oscillation: the first minimum after the zero */
    for (PetscInt l = PetscMax(zero, 1); zero >= 0 && l + 1 < nl; l++)
      if (ac[l] <= ac[l - 1] && ac[l] <= ac[l + 1]) {
        tmin = l;
        break;
      }
    d->peak = 0;
    if (zero > 0)
      for (PetscInt l = zero; l < nl; l++) d->peak = PetscMax(d->peak, ac[l]);
    /* the period: the first local maximum nearly as high as the highest one,
       refined between the sampled lags by a parabola */
    for (PetscInt l = zero > 0 && d->peak >= 0.9 ? zero + 1 : nl; l + 1 < nl; l++)
      if (ac[l] >= ac[l - 1] && ac[l] >= ac[l + 1] && ac[l] >= d->peak - 0.05) {
        PetscReal den = ac[l - 1] - 2 * ac[l] + ac[l + 1], off = den < 0 ? 0.5 * (ac[l - 1] - ac[l + 1]) / den : 0;
        per = (l + off) * k * dt;
        break;
      }
    slow = tmin > 0 ? 2 * tmin * k * dt : INFINITY;
    if (isfinite(per)) slow = PetscMax(slow, per);
    if (3 * slow <= W) {
      /* the share of the variance in the window's first two Fourier harmonics
         (one and two periods per window: components the window cannot resolve) */
      PetscReal p = 0;
      for (PetscInt t = 0; t < n; t++)
        for (PetscInt j = 1; j <= 2; j++) {
          PetscReal ph = 2 * PETSC_PI * j * t / n, cs = cos(ph), sn = sin(ph);
          for (PetscInt c = 0; c < C; c++) {
            PetscReal x = S[(n0 + t) * C + c] - mean[c];
            re[(j - 1) * C + c] += x * cs;
            im[(j - 1) * C + c] -= x * sn;
          }
        }
      for (PetscInt i = 0; i < 2 * C; i++) p += re[i] * re[i] + im[i] * im[i];
      slowfrac = 2 * p / (n * n * var * C);
    }
    /* the amplitude keeps its size: the first and the last whole periods that fit in a
       third of the window (a decaying oscillation is no limit cycle) */
    P = isfinite(per) ? per : slow;
    if (3 * slow <= W) {
      PetscInt L = PetscMin(n / 2, PetscMax(2, (PetscInt)round(floor(W / (3 * P)) * P / dt)));
      a0         = MrSegmentRms(C, S, n0, n0 + L);
      a1         = MrSegmentRms(C, S, nt - L, nt);
      steady     = (PetscBool)(a1 >= 0.9 * a0 && 0.9 * a1 <= a0);
    }
    if (zero < 0 || tmin < 0 || 3 * slow > W || slowfrac > 0.25 || !steady)
      d->cls = MR_DYN_UNDETERMINED; /* a component slower than a third of the window, or a changing amplitude */
    else if (d->peak >= 0.9)
      d->cls = isfinite(per) ? MR_DYN_LIMIT_CYCLE : MR_DYN_UNDETERMINED;
    else if (d->peak < 0.5)
      d->cls = MR_DYN_CHAOS;
    else
      d->cls = MR_DYN_MIXED;
    if (d->cls == MR_DYN_LIMIT_CYCLE) d->period = per;
  }
  PetscCall(PetscFree4(mean, ac, re, im));
  PetscFunctionReturn(PETSC_SUCCESS);
}
