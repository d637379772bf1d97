/* The mean-field column kernels (src/dmft/kernels.c) against their plain loops, bit
   for bit; the arcsine against libm; the published classification rule on curves
   whose labels are known by construction. */
#include <mrdyn/classify.h>
#include <mrdyn/rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../../src/dmft/kernels.h"
#include "../../src/dmft/gauss.h"
#include "check.h"

static int same_bits(const double *a, const double *b, int n) { return memcmp(a, b, sizeof(double) * (size_t)n) == 0; }

static MrLabel label_of(int n, double (*f)(int, void *), void *ctx)
{
  double *c = malloc(sizeof(double) * (size_t)n);
  MrLabel l;
  for (int i = 0; i < n; i++) c[i] = f(i, ctx);
  MrClassifyCurve(n, c, &l);
  free(c);
  return l;
}

static double f_const(int i, void *ctx) { return 0.9 + 0 * i * *(double *)ctx; }
static double f_cos(int i, void *ctx) { return cos(2 * M_PI * i / *(double *)ctx); }                                                     /* a limit cycle */
static double f_decay(int i, void *ctx) { return exp(-i / *(double *)ctx) + 0.01 * sin(0.3 * i) * exp(-i / 40.0); }                      /* chaos: decays to 0, one early ripple */
static double f_plateau(int i, void *ctx) { return 0.7 + 0.3 * exp(-i / *(double *)ctx) + 0.05 * exp(-(i - 20.0) * (i - 20.0) / 25.0); } /* fixed point + chaos: one bump */
static double f_damped(int i, void *ctx) { return exp(-i / *(double *)ctx) * cos(2 * M_PI * i / 50.0); }                                 /* chaos: peaks fall by > 5% */
static double f_noisy(int i, void *ctx) { return 0.6 * cos(2 * M_PI * i / 50.0) + 0.3 + 0.01 * cos(2 * M_PI * i / *(double *)ctx); }     /* limit cycle + chaos: peaks at 0.9, not decaying */

int main(void)
{
  const int n = 1700, nins[] = {0, 1, 2, 3, 4, 6};
  double   *Dp = malloc(8 * n), *Gp = malloc(8 * n), *ri = malloc(8 * n), *H = malloc(8 * 6 * n), *Ih = malloc(8 * n), w[6];
  double   *Dc1 = malloc(8 * n), *Dc2 = malloc(8 * n), *o1 = malloc(8 * n), *o2 = malloc(8 * n);

  for (int i = 0; i < n; i++) { /* correlations spanning (-1, 1), diagonal near 2 */
    double u[4];
    MrUniform4(7, MR_STREAM_TEST, 0, (uint64_t)i, 0, u);
    Dp[i] = 4 * u[0] - 2;
    Gp[i] = u[1] - 0.5;
    ri[i] = 1.0 / sqrt(1.5 + u[2] + MR_2_PI);
    Ih[i] = u[3];
    MrNormalRow(8, MR_STREAM_TEST, 0, (uint64_t)i, 6, u);
    for (int a = 0; a < 6; a++) H[a * n + i] = u[a % 4];
  }
  for (int a = 0; a < 6; a++) w[a] = 0.3 * (a + 1) - 0.7;
  for (size_t t = 0; t < sizeof(nins) / sizeof(nins[0]); t++)
    for (int input = 0; input < 2; input++)
      for (int g = 0; g < 2; g++) {
        MrColumnArgs a = {3, n - 1, 0.95, 0.05, g ? 2.25 : 0.0, 1.0 / sqrt(2.0 + MR_2_PI), nins[t], n, H, w, (PetscBool)input, Ih, 0.4, Dp, Gp, ri, Dc1, o1};
        MrColumnArgs b = a;
        b.Dc           = Dc2;
        b.out          = o2;
        memset(Dc1, 0, 8 * n);
        memset(Dc2, 0, 8 * n);
        MrDmftColumnRef(&a);
        MrDmftColumnRef_ref(&b);
        CHECK(same_bits(Dc1, Dc2, n) && same_bits(o1, o2, n), "column (published recurrence), %s kernel, nin %d, input %d, g2 %g: the same bits as the plain loop", MrDmftKernelName(), nins[t], input, a.g2);
        memcpy(Dc1, Dp, 8 * n);
        a.Dc = b.Dc = Dc1;
        MrDmftColumnF(&a);
        MrDmftColumnF_ref(&b);
        CHECK(same_bits(o1, o2, n), "column F (second-order scheme), %s kernel, nin %d, input %d, g2 %g: the same bits as the plain loop", MrDmftKernelName(), nins[t], input, a.g2);
      }
  { /* the scan: the AVX-512 blocks and the plain loop give the same bits; both follow the sequential recurrence to rounding */
    const double h[2] = {0.95, exp(-0.05)};
    for (int t = 0; t < 2; t++) {
      double cpow[9], *G1 = malloc(8 * n), *G2 = malloc(8 * n), worst = 0;
      cpow[0] = 1;
      for (int k = 1; k < 9; k++) cpow[k] = cpow[k - 1] * h[t];
      for (int lo = 1; lo < 12; lo += 5)
        for (int hi = lo; hi < n; hi += 97) {
          G1[lo - 1] = G2[lo - 1] = 0.3;
          MrDmftScan(lo, hi, h[t], cpow, Dp, G1);
          MrDmftScan_ref(lo, hi, h[t], cpow, Dp, G2);
          if (!same_bits(G1 + lo, G2 + lo, hi - lo + 1)) worst = INFINITY;
          {
            long double g = 0.3L;
            for (int i = lo; i <= hi; i++) {
              g     = (long double)h[t] * g + Dp[i];
              worst = fmax(worst, fabs((double)(G1[i] - g)) / (1 + fabs((double)g)));
            }
          }
        }
      CHECK(worst < 1e-14, "scan (c = %g), %s kernel: the same bits as the plain loop, within %.1e of the sequential sum", h[t], MrDmftKernelName(), worst);
      free(G1), free(G2);
    }
  }
  {
    double worst = 0;
    for (int k = -200000; k <= 200000; k++) {
      double x = k / 200000.0, e = asin(x), u = e != 0 ? fabs(e) * 0x1p-52 : 1e-300;
      worst = fmax(worst, fabs(MrAsin(x) - e) / u);
    }
    CHECK(worst <= 2.5, "MrAsin within 2.5 ulp of libm on [-1, 1] (largest %.2f, libm itself <= 1)", worst);
    CHECK(MrAsin(1.5) == M_PI_2 && MrAsin(-1.0) == -MrAsin(1.0) && isnan(MrAsin(NAN)), "MrAsin clips |x| > 1 to pi/2, is odd, and passes NaN");
  }
  { /* the published rule on curves whose labels are known by construction */
    double p;
    p = 0;
    CHECK(label_of(1667, f_const, &p) == MR_LABEL_FP, "a constant curve is a fixed point");
    p = 37.5;
    CHECK(label_of(1667, f_cos, &p) == MR_LABEL_LC, "cos(2 pi tau / 37.5) is a limit cycle");
    p = 5;
    CHECK(label_of(1667, f_decay, &p) == MR_LABEL_CHAOS, "a curve decaying to 0 is chaos");
    p = 8;
    CHECK(label_of(1667, f_plateau, &p) == MR_LABEL_FP_CHAOS, "a decay to a plateau at 0.7 is a fixed point + chaos");
    p = 120;
    CHECK(label_of(1667, f_damped, &p) == MR_LABEL_CHAOS, "a damped oscillation (peaks falling 34%% per period) is chaos");
    p = 7.3;
    CHECK(label_of(1667, f_noisy, &p) == MR_LABEL_LC_CHAOS, "an oscillation whose peaks stay near 0.9 is a limit cycle + chaos");
    {
      double  z[3] = {0, 0, 0}, nanc[4] = {1, NAN, NAN, NAN};
      MrLabel l;
      MrClassifyCurve(3, z, &l);
      CHECK(l == MR_LABEL_INVALID, "an all-zero curve (empty after dropping zeros) is invalid");
      MrClassifyCurve(4, nanc, &l);
      CHECK(l == MR_LABEL_INVALID, "a curve with NaN is invalid");
    }
    { /* the early-stop watch agrees with the full rule on every prefix where it claims certainty */
      const double periods[] = {25, 37.5, 61, 90};
      for (size_t q = 0; q < 4; q++) {
        MrLabelWatch wt;
        int          settledAt = -1;
        MrLabelWatchInit(&wt);
        for (int i = 0; i < 1667; i++) {
          MrLabelWatchPush(&wt, f_cos(i, (void *)&periods[q]));
          if (settledAt < 0 && MrLabelWatchSettled(&wt, 1667)) settledAt = i;
        }
        CHECK(settledAt > 0 && settledAt < 4 * periods[q] + 12, "period %g: the watch settles on a limit cycle after its third peak (value %d)", periods[q], settledAt);
      }
      {
        MrLabelWatch wt;
        PetscBool    any = PETSC_FALSE;
        double       pp  = 120;
        MrLabelWatchInit(&wt);
        for (int i = 0; i < 1667; i++) {
          MrLabelWatchPush(&wt, f_damped(i, &pp));
          any = (PetscBool)(any || MrLabelWatchSettled(&wt, 1667));
        }
        CHECK(!any, "the watch never settles on a damped oscillation");
      }
    }
  }
  free(Dp), free(Gp), free(ri), free(H), free(Ih), free(Dc1), free(Dc2), free(o1), free(o2);
  return mr_failures ? 1 : 0;
}
