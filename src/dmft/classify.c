/* The published classification rule of the normalised two-point function. */
#include <mrdyn/classify.h>
#include <math.h>

const char *const MrLabelNames[] = {"invalid", "chaos", "fixed point + chaos", "fixed point", "limit cycle + chaos", "limit cycle", NULL};

PetscErrorCode MrClassifyCurve(PetscInt n0, const PetscReal c0[], MrLabel *label)
{
  PetscReal *c, mean = 0, var = 0;
  PetscInt   n = 0, np = 0, pk[3] = {-1, -1, -1}, last2 = -1, last = -1;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(n0 + 1, &c));
  for (PetscInt i = 0; i < n0; i++)
    if (c0[i] != 0) c[n++] = c0[i]; /* NaN is kept: it makes every test below false */
  *label = MR_LABEL_INVALID;
  if (!n) goto done;
  for (PetscInt i = 0; i < n; i++) mean += c[i];
  mean /= n;
  for (PetscInt i = 0; i < n; i++) var += (c[i] - mean) * (c[i] - mean);
  if (sqrt(var / n) < 1e-2) {
    *label = MR_LABEL_FP;
    goto done;
  }
  for (PetscInt k = 1; k + 1 < n; k++)
    if (c[k - 1] < c[k] && c[k] > c[k + 1]) {
      if (np < 3) pk[np] = (np == 0 && k < 10) ? 0 : k; /* an early first peak stands for the start */
      last2 = last;
      last  = np == 0 && k < 10 ? 0 : k;
      np++;
    }
  if (!np) goto done;
  if (np == 1 && c[n - 1] > 0.05)
    *label = MR_LABEL_FP_CHAOS;
  else if ((np >= 2 && c[pk[1]] > 0.98) || (np >= 3 && c[pk[1]] > 0.97 && c[pk[2]] > 0.97))
    *label = MR_LABEL_LC;
  else if (np <= 2 || c[last2] > 1.05 * c[last])
    *label = MR_LABEL_CHAOS;
  else
    *label = MR_LABEL_LC_CHAOS;
done:
  PetscCall(PetscFree(c));
  PetscFunctionReturn(PETSC_SUCCESS);
}

void MrLabelMode(const PetscInt counts[], MrLabel *mode, PetscReal *entropy)
{
  PetscInt tot = 0, best = 0;
  for (int k = 0; k < MR_NUM_LABELS; k++) {
    tot += counts[k];
    if (counts[k] > counts[best]) best = k; /* strict: ties keep the smaller code */
  }
  *mode    = (MrLabel)best;
  *entropy = 0;
  for (int k = 0; k < MR_NUM_LABELS && tot > 0; k++)
    if (counts[k] > 0) {
      PetscReal p = (PetscReal)counts[k] / tot;
      *entropy -= p * log2(p);
    }
}

void MrLabelWatchInit(MrLabelWatch *w)
{
  PetscMemzero(w, sizeof(*w));
  w->c0 = NAN;
}

void MrLabelWatchPush(MrLabelWatch *w, PetscReal v)
{
  PetscReal d;
  if (v == 0) return; /* dropped, as the rule drops exact zeros */
  if (w->n >= 2 && w->a < w->b && w->b > v) {
    if (w->np < 3) w->pv[w->np] = (w->np == 0 && w->n - 1 < 10) ? w->c0 : w->b;
    w->np++;
  }
  if (w->n == 0) w->c0 = v;
  w->n++;
  d = v - w->mean; /* Welford */
  w->mean += d / w->n;
  w->m2 += d * (v - w->mean);
  w->a = w->b;
  w->b = v;
}

PetscBool MrLabelWatchSettled(const MrLabelWatch *w, PetscInt ntotal)
{
  /* the population variance of the whole curve is at least n/N times that of its
     first n values; the margin covers the rounding of this running sum */
  const PetscReal lower = w->n > 1 ? sqrt(w->m2 / ntotal) : 0;
  if (!(lower >= 1e-2 * (1 + 1e-6))) return PETSC_FALSE;
  return (PetscBool)((w->np >= 2 && w->pv[1] > 0.98) || (w->np >= 3 && w->pv[1] > 0.97 && w->pv[2] > 0.97));
}
