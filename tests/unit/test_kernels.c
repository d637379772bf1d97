/* The optimised disorder kernels against their plain reference loops. */
#include <mrdyn/connectivity.h>
#include <mrdyn/rng.h>
#include <math.h>
#include <stdlib.h>
#include "check.h"

static double maxrel(const double *a, const double *b, int n)
{
  double e = 0, s = 0;
  for (int i = 0; i < n; i++) {
    e = fmax(e, fabs(a[i] - b[i]));
    s = fmax(s, fabs(b[i]));
  }
  return e / (s > 0 ? s : 1);
}

int main(void)
{
  const int sizes[][2] = {{1, 1}, {3, 15}, {7, 16}, {17, 33}, {64, 1000}, {5, 4099}};
  int       nchecks    = 0;

  for (size_t t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
    int     m = sizes[t][0], n = sizes[t][1], ld = (n + 7) / 8 * 8;
    double *A = malloc(sizeof(double) * m * ld), *x = malloc(sizeof(double) * n), *y1 = calloc(m, 8), *y2 = calloc(m, 8), *y3 = calloc(m, 8), *y4 = calloc(m, 8);
    float  *Af = malloc(sizeof(float) * m * ld), *xf = malloc(sizeof(float) * n);
    for (int i = 0; i < m; i++) {
      MrNormalRow(1, MR_STREAM_TEST, 0, (uint64_t)i, n, A + (size_t)i * ld);
      for (int j = 0; j < n; j++) Af[(size_t)i * ld + j] = (float)A[(size_t)i * ld + j];
    }
    MrNormalRow(2, MR_STREAM_TEST, 0, 0, n, x);
    for (int j = 0; j < n; j++) xf[j] = (float)x[j];
    for (int i = 0; i < m; i++) y1[i] = y2[i] = y3[i] = y4[i] = 0.5 * i;
    MrDenseMultAdd_d(m, n, ld, A, x, y1);
    MrDenseMultAdd_d_ref(m, n, ld, A, x, y2);
    MrDenseMultAdd_f(m, n, ld, Af, xf, y3);
    MrDenseMultAdd_f_ref(m, n, ld, Af, xf, y4);
    CHECK(maxrel(y1, y2, m) < 1e-13 * sqrt((double)n), "dense double %dx%d matches reference (rel %.1e)", m, n, maxrel(y1, y2, m));
    /* single precision sums in float over blocks of 256: float rounding, not more */
    CHECK(maxrel(y3, y4, m) < 1e-6 * sqrt((double)n), "dense single %dx%d matches reference to float rounding (rel %.1e)", m, n, maxrel(y3, y4, m));
    /* the AVX2 kernels (when the CPU has them) give the portable kernels' bits */
    {
      double *yp = malloc(sizeof(double) * m), *yq = malloc(sizeof(double) * m);
      for (int i = 0; i < m; i++) yp[i] = yq[i] = 0.5 * i;
      MrDenseMultAdd_d_portable(m, n, ld, A, x, yp);
      MrDenseMultAdd_f_portable(m, n, ld, Af, xf, yq);
      CHECK(maxrel(y1, yp, m) == 0 && maxrel(y3, yq, m) == 0, "dense %dx%d, double and single: bit-equal to the portable kernels", m, n);
      nchecks++;
      free(yp);
      free(yq);
    }
    /* a row computed alone gives the same bits as within a block of rows */
    if (m > 2) {
      double yr = 0.5 * 2;
      MrDenseMultAdd_d(1, n, ld, A + 2 * (size_t)ld, x, &yr);
      CHECK(yr == y1[2], "dense %dx%d: row result independent of the row block", m, n);
      nchecks++;
    }
    /* sparse kernel on a dense pattern equals the dense product */
    {
      PetscInt *col = malloc(sizeof(PetscInt) * m * n);
      double   *val = malloc(sizeof(double) * m * n), *ys = calloc(m, 8);
      for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
          col[(size_t)i * n + j] = j;
          val[(size_t)i * n + j] = A[(size_t)i * ld + j];
        }
      for (int i = 0; i < m; i++) ys[i] = 0.5 * i;
      MrSparseMultAdd(m, n, col, val, x, ys);
      CHECK(maxrel(ys, y2, m) < 1e-13 * sqrt((double)n), "sparse kernel %dx%d matches dense reference", m, n);
      free(col);
      free(val);
      free(ys);
    }
    nchecks += 3;
    free(A);
    free(Af);
    free(xf);
    free(x);
    free(y1);
    free(y2);
    free(y3);
    free(y4);
  }
  /* several trials at once: against the plain triple loop */
  for (int T = 1; T <= 37; T += 9) { /* the last two: many rows of long J rows, several cache blocks and trial chunks */
    int     m = T > 19 ? 39 : 5, n = T > 19 ? 4099 : 37, ld = T > 19 ? 4104 : 40;
    double *A = malloc(sizeof(double) * m * ld), *X = malloc(sizeof(double) * n * T), *Y = calloc((size_t)m * T, 8), *Yr = calloc((size_t)m * T, 8);
    float  *Af = malloc(sizeof(float) * m * ld);
    for (int i = 0; i < m; i++) MrNormalRow(3, MR_STREAM_TEST, 0, (uint64_t)i, ld, A + (size_t)i * ld);
    for (int i = 0; i < m * ld; i++) Af[i] = (float)A[i];
    MrNormalRow(4, MR_STREAM_TEST, 0, 0, n * T, X);
    MrDenseMultAddT_d(m, n, ld, A, T, X, Y);
    for (int i = 0; i < m; i++)
      for (int t = 0; t < T; t++) {
        double acc = 0;
        for (int j = 0; j < n; j++) acc += A[i * ld + j] * X[j * T + t];
        Yr[i * T + t] = acc;
      }
    CHECK(maxrel(Y, Yr, m * T) == 0, "dense, %d trials: bit-equal to the sequential reference sum", T);
    for (int i = 0; i < m * T; i++) Y[i] = 0;
    MrDenseMultAddT_f(m, n, ld, Af, T, X, Y);
    for (int i = 0; i < m; i++)
      for (int t = 0; t < T; t++) {
        double acc = 0;
        for (int j = 0; j < n; j++) acc += (double)Af[i * ld + j] * X[j * T + t];
        Yr[i * T + t] = acc;
      }
    CHECK(maxrel(Y, Yr, m * T) == 0, "single-precision J, %d trials: bit-equal to the reference", T);
    /* every vector width (what CPUs without AVX-512 or AVX2 run) gives the same bits */
    for (int w = 2; w <= 4; w *= 2) {
      for (int i = 0; i < m * T; i++) Y[i] = 0;
      MrDenseMultAddT_f_width(w, m, n, ld, Af, T, X, Y);
      CHECK(maxrel(Y, Yr, m * T) == 0, "single-precision J, %d trials, %d-wide panel: bit-equal", T, w);
    }
    for (int i = 0; i < m; i++)
      for (int t = 0; t < T; t++) {
        double acc = 0;
        for (int j = 0; j < n; j++) acc += A[i * ld + j] * X[j * T + t];
        Yr[i * T + t] = acc;
      }
    for (int w = 2; w <= 4; w *= 2) {
      for (int i = 0; i < m * T; i++) Y[i] = 0;
      MrDenseMultAddT_d_width(w, m, n, ld, A, T, X, Y);
      CHECK(maxrel(Y, Yr, m * T) == 0, "dense, %d trials, %d-wide panel: bit-equal", T, w);
    }
    nchecks += 6;
    free(A);
    free(Af);
    free(X);
    free(Y);
    free(Yr);
  }
  printf("%d passed, %d failed\n", nchecks - mr_failures, mr_failures);
  return mr_failures ? 1 : 0;
}
