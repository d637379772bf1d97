/* Hot kernels of the network step. The disorder product is memory-bound: J is
   streamed once per step. Each row's dot product has a fixed summation order
   (four 2-wide partial sums, then a fixed tree), so a row gives the same bits
   wherever it lives, which keeps results independent of the decomposition. */
#include <mrdyn/connectivity.h>
#include <string.h>
#include <stdlib.h>

/* 2-wide vectors map to SSE2/NEON registers on any 64-bit target, so the eight
   accumulators below stay in registers (4-wide ones spill without AVX). */
typedef double v2d __attribute__((vector_size(16)));
typedef float  v4f __attribute__((vector_size(16)));

static inline v2d MrLd(const double *p)
{
  v2d v;
  memcpy(&v, p, sizeof(v));
  return v;
}

/* Fixed reduction tree of the two 2-wide partial sums of one row. */
static inline double MrHsum2(v2d s0, v2d s1)
{
  v2d s = s0 + s1;
  return s[0] + s[1];
}

/* Four entries of a row starting at j as two 2-wide vectors e0, e1. */
#define MR_LOAD4_D(row, j, e0, e1) const v2d e0 = MrLd((row) + (j)), e1 = MrLd((row) + (j) + 2)

/* Four rows at a time (four streams keep the prefetchers busy and share the
   loads of x); each row has two 2-wide partial sums over blocks of four entries.
   A row's arithmetic is the same in a group of four or alone (the last rows). */
#define MR_DENSE_KERNEL(NAME, T, LOAD4)                                                                                                                                                                                                                  \
  void NAME(PetscInt m, PetscInt n, PetscInt ld, const T *A, const double *x, double *y)                                                                                                                                                                 \
  {                                                                                                                                                                                                                                                      \
    PetscInt i = 0;                                                                                                                                                                                                                                      \
    for (; i + 4 <= m; i += 4) {                                                                                                                                                                                                                         \
      const T *a = A + (size_t)i * (size_t)ld, *b = a + ld, *c = b + ld, *d = c + ld;                                                                                                                                                                    \
      v2d      a0 = {0}, a1 = {0}, b0 = {0}, b1 = {0}, c0 = {0}, c1 = {0}, d0 = {0}, d1 = {0};                                                                                                                                                           \
      PetscInt j = 0;                                                                                                                                                                                                                                    \
      for (; j + 4 <= n; j += 4) {                                                                                                                                                                                                                       \
        const v2d x0 = MrLd(x + j), x1 = MrLd(x + j + 2);                                                                                                                                                                                                \
        LOAD4(a, j, p0, p1);                                                                                                                                                                                                                             \
        a0 += p0 * x0;                                                                                                                                                                                                                                   \
        a1 += p1 * x1;                                                                                                                                                                                                                                   \
        LOAD4(b, j, q0, q1);                                                                                                                                                                                                                             \
        b0 += q0 * x0;                                                                                                                                                                                                                                   \
        b1 += q1 * x1;                                                                                                                                                                                                                                   \
        LOAD4(c, j, r0, r1);                                                                                                                                                                                                                             \
        c0 += r0 * x0;                                                                                                                                                                                                                                   \
        c1 += r1 * x1;                                                                                                                                                                                                                                   \
        LOAD4(d, j, s0, s1);                                                                                                                                                                                                                             \
        d0 += s0 * x0;                                                                                                                                                                                                                                   \
        d1 += s1 * x1;                                                                                                                                                                                                                                   \
      }                                                                                                                                                                                                                                                  \
      double ta = MrHsum2(a0, a1), tb = MrHsum2(b0, b1), tc = MrHsum2(c0, c1), td = MrHsum2(d0, d1);                                                                                                                                                     \
      for (; j < n; j++) {                                                                                                                                                                                                                               \
        ta += (double)a[j] * x[j];                                                                                                                                                                                                                       \
        tb += (double)b[j] * x[j];                                                                                                                                                                                                                       \
        tc += (double)c[j] * x[j];                                                                                                                                                                                                                       \
        td += (double)d[j] * x[j];                                                                                                                                                                                                                       \
      }                                                                                                                                                                                                                                                  \
      y[i] += ta;                                                                                                                                                                                                                                        \
      y[i + 1] += tb;                                                                                                                                                                                                                                    \
      y[i + 2] += tc;                                                                                                                                                                                                                                    \
      y[i + 3] += td;                                                                                                                                                                                                                                    \
    }                                                                                                                                                                                                                                                    \
    for (; i < m; i++) {                                                                                                                                                                                                                                 \
      const T *a  = A + (size_t)i * (size_t)ld;                                                                                                                                                                                                          \
      v2d      a0 = {0}, a1 = {0};                                                                                                                                                                                                                       \
      PetscInt j = 0;                                                                                                                                                                                                                                    \
      for (; j + 4 <= n; j += 4) {                                                                                                                                                                                                                       \
        const v2d x0 = MrLd(x + j), x1 = MrLd(x + j + 2);                                                                                                                                                                                                \
        LOAD4(a, j, p0, p1);                                                                                                                                                                                                                             \
        a0 += p0 * x0;                                                                                                                                                                                                                                   \
        a1 += p1 * x1;                                                                                                                                                                                                                                   \
      }                                                                                                                                                                                                                                                  \
      double ta = MrHsum2(a0, a1);                                                                                                                                                                                                                       \
      for (; j < n; j++) ta += (double)a[j] * x[j];                                                                                                                                                                                                      \
      y[i] += ta;                                                                                                                                                                                                                                        \
    }                                                                                                                                                                                                                                                    \
  }

MR_DENSE_KERNEL(MrDenseMultAdd_d, double, MR_LOAD4_D)

static inline v4f MrLdf(const float *p)
{
  v4f v;
  memcpy(&v, p, sizeof(v));
  return v;
}

static inline float MrHsumf(v4f s0, v4f s1)
{
  v4f s = s0 + s1;
  return (s[0] + s[1]) + (s[2] + s[3]);
}

/* Single precision: J and x in float, products summed in float over blocks of
   MR_FBLOCK columns (two 4-wide partial sums per row), block sums added in
   double. Halves the bytes streamed; the error is that of float storage. */
#define MR_FBLOCK 256
void MrDenseMultAdd_f(PetscInt m, PetscInt n, PetscInt ld, const float *A, const float *x, double *y)
{
  PetscInt i = 0;
  for (; i + 4 <= m; i += 4) {
    const float *a = A + (size_t)i * (size_t)ld, *b = a + ld, *c = b + ld, *d = c + ld;
    double       ta = 0, tb = 0, tc = 0, td = 0;
    PetscInt     j = 0;
    for (; j + 8 <= n;) {
      const PetscInt e  = PetscMin(n - 7, j + MR_FBLOCK);
      v4f            a0 = {0}, a1 = {0}, b0 = {0}, b1 = {0}, c0 = {0}, c1 = {0}, d0 = {0}, d1 = {0};
      for (; j < e; j += 8) {
        const v4f x0 = MrLdf(x + j), x1 = MrLdf(x + j + 4);
        a0 += MrLdf(a + j) * x0;
        a1 += MrLdf(a + j + 4) * x1;
        b0 += MrLdf(b + j) * x0;
        b1 += MrLdf(b + j + 4) * x1;
        c0 += MrLdf(c + j) * x0;
        c1 += MrLdf(c + j + 4) * x1;
        d0 += MrLdf(d + j) * x0;
        d1 += MrLdf(d + j + 4) * x1;
      }
      ta += MrHsumf(a0, a1);
      tb += MrHsumf(b0, b1);
      tc += MrHsumf(c0, c1);
      td += MrHsumf(d0, d1);
    }
    for (; j < n; j++) {
      ta += (double)(a[j] * x[j]);
      tb += (double)(b[j] * x[j]);
      tc += (double)(c[j] * x[j]);
      td += (double)(d[j] * x[j]);
    }
    y[i] += ta;
    y[i + 1] += tb;
    y[i + 2] += tc;
    y[i + 3] += td;
  }
  for (; i < m; i++) {
    const float *a  = A + (size_t)i * (size_t)ld;
    double       ta = 0;
    PetscInt     j  = 0;
    for (; j + 8 <= n;) {
      const PetscInt e  = PetscMin(n - 7, j + MR_FBLOCK);
      v4f            a0 = {0}, a1 = {0};
      for (; j < e; j += 8) {
        a0 += MrLdf(a + j) * MrLdf(x + j);
        a1 += MrLdf(a + j + 4) * MrLdf(x + j + 4);
      }
      ta += MrHsumf(a0, a1);
    }
    for (; j < n; j++) ta += (double)(a[j] * x[j]);
    y[i] += ta;
  }
}

/* Reference versions: the plain loops, for tests. */
void MrDenseMultAdd_d_ref(PetscInt m, PetscInt n, PetscInt ld, const double *A, const double *x, double *y)
{
  for (PetscInt i = 0; i < m; i++) {
    double t = 0;
    for (PetscInt j = 0; j < n; j++) t += A[(size_t)i * (size_t)ld + (size_t)j] * x[j];
    y[i] += t;
  }
}

void MrDenseMultAdd_f_ref(PetscInt m, PetscInt n, PetscInt ld, const float *A, const float *x, double *y)
{
  for (PetscInt i = 0; i < m; i++) {
    double t = 0;
    for (PetscInt j = 0; j < n; j++) t += (double)A[(size_t)i * (size_t)ld + (size_t)j] * x[j];
    y[i] += t;
  }
}

void MrSparseMultAdd(PetscInt m, PetscInt K, const PetscInt *col, const double *val, const double *x, double *y)
{
  for (PetscInt i = 0; i < m; i++) {
    double t = 0;
    for (PetscInt k = 0; k < K; k++) t += val[(size_t)i * K + k] * x[col[(size_t)i * K + k]];
    y[i] += t;
  }
}

/* Several trials at once: Y[i][k] += sum_j A_ij X[j][k] (row-major, T trials).
   Two rows times eight trials of accumulators stay in registers while j runs;
   rows go in cache-sized blocks so J is read from memory once for all trials.
   Each (row, trial) sum runs over j in order, so the result does not depend on
   the decomposition, the chunking or the blocking. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#  define MR_KCLONES __attribute__((target_clones("arch=haswell", "default")))
#else
#  define MR_KCLONES
#endif

#define MR_DENSE_KERNEL_T(NAME, TYPE)                                                                                                                                                                                                                    \
  MR_KCLONES void NAME(PetscInt m, PetscInt n, PetscInt ld, const TYPE *restrict A, PetscInt T, const double *restrict X, double *restrict Y)                                                                                                            \
  {                                                                                                                                                                                                                                                      \
    PetscInt T8 = T / 8 * 8;                                                                                                                                                                                                                             \
    /* rows in blocks of ~256 KiB: a block stays in cache while every chunk of                                                                                                                                                                           \
       eight trials passes over it, so J comes from memory once for all trials */                                                                                                                                                                        \
    const PetscInt rb = PetscMax(2, (PetscInt)((256 * 1024) / ((size_t)ld * sizeof(TYPE))) / 2 * 2);                                                                                                                                                     \
    /* more than eight trials: each chunk's x values made contiguous (n x 8), so                                                                                                                                                                         \
       the inner loop streams them like the eight-trial case instead of taking one                                                                                                                                                                       \
       cache line out of every T / 8 */                                                                                                                                                                                                                  \
    double *Xp = T > 8 ? (double *)malloc(sizeof(double) * (size_t)n * (size_t)T8) : NULL;                                                                                                                                                               \
    if (T > 8 && !Xp) T8 = 0; /* no memory: every trial goes the slow way below */                                                                                                                                                                       \
    for (PetscInt c = 0; Xp && c < T8; c += 8)                                                                                                                                                                                                           \
      for (PetscInt j = 0; j < n; j++) memcpy(Xp + ((size_t)c * n + (size_t)j * 8), X + (size_t)j * T + c, 8 * sizeof(double));                                                                                                                          \
    for (PetscInt i0 = 0; i0 < m; i0 += rb) {                                                                                                                                                                                                            \
      const PetscInt i1 = PetscMin(m, i0 + rb);                                                                                                                                                                                                          \
      for (PetscInt c = 0; c < T8; c += 8) {                                                                                                                                                                                                             \
        const double  *Xc = Xp ? Xp + (size_t)c * n : X + c;                                                                                                                                                                                             \
        const PetscInt xs = Xp ? 8 : T;                                                                                                                                                                                                                  \
        PetscInt       i  = i0;                                                                                                                                                                                                                          \
        for (; i + 2 <= i1; i += 2) {                                                                                                                                                                                                                    \
          const TYPE *a = A + (size_t)i * ld, *b = a + ld;                                                                                                                                                                                               \
          v2d         p0 = {0}, p1 = {0}, p2 = {0}, p3 = {0}, q0 = {0}, q1 = {0}, q2 = {0}, q3 = {0};                                                                                                                                                    \
          for (PetscInt j = 0; j < n; j++) {                                                                                                                                                                                                             \
            const double *xj = Xc + (size_t)j * xs;                                                                                                                                                                                                      \
            const v2d     x0 = MrLd(xj), x1 = MrLd(xj + 2), x2 = MrLd(xj + 4), x3 = MrLd(xj + 6);                                                                                                                                                        \
            const double  av = (double)a[j], bv = (double)b[j];                                                                                                                                                                                          \
            p0 += av * x0;                                                                                                                                                                                                                               \
            p1 += av * x1;                                                                                                                                                                                                                               \
            p2 += av * x2;                                                                                                                                                                                                                               \
            p3 += av * x3;                                                                                                                                                                                                                               \
            q0 += bv * x0;                                                                                                                                                                                                                               \
            q1 += bv * x1;                                                                                                                                                                                                                               \
            q2 += bv * x2;                                                                                                                                                                                                                               \
            q3 += bv * x3;                                                                                                                                                                                                                               \
          }                                                                                                                                                                                                                                              \
          double *ya = Y + (size_t)i * T + c, *yb = ya + T;                                                                                                                                                                                              \
          ya[0] += p0[0];                                                                                                                                                                                                                                \
          ya[1] += p0[1];                                                                                                                                                                                                                                \
          ya[2] += p1[0];                                                                                                                                                                                                                                \
          ya[3] += p1[1];                                                                                                                                                                                                                                \
          ya[4] += p2[0];                                                                                                                                                                                                                                \
          ya[5] += p2[1];                                                                                                                                                                                                                                \
          ya[6] += p3[0];                                                                                                                                                                                                                                \
          ya[7] += p3[1];                                                                                                                                                                                                                                \
          yb[0] += q0[0];                                                                                                                                                                                                                                \
          yb[1] += q0[1];                                                                                                                                                                                                                                \
          yb[2] += q1[0];                                                                                                                                                                                                                                \
          yb[3] += q1[1];                                                                                                                                                                                                                                \
          yb[4] += q2[0];                                                                                                                                                                                                                                \
          yb[5] += q2[1];                                                                                                                                                                                                                                \
          yb[6] += q3[0];                                                                                                                                                                                                                                \
          yb[7] += q3[1];                                                                                                                                                                                                                                \
        }                                                                                                                                                                                                                                                \
        for (; i < i1; i++) {                                                                                                                                                                                                                            \
          const TYPE *a  = A + (size_t)i * ld;                                                                                                                                                                                                           \
          v2d         p0 = {0}, p1 = {0}, p2 = {0}, p3 = {0};                                                                                                                                                                                            \
          for (PetscInt j = 0; j < n; j++) {                                                                                                                                                                                                             \
            const double *xj = Xc + (size_t)j * xs;                                                                                                                                                                                                      \
            const double  av = (double)a[j];                                                                                                                                                                                                             \
            p0 += av * MrLd(xj);                                                                                                                                                                                                                         \
            p1 += av * MrLd(xj + 2);                                                                                                                                                                                                                     \
            p2 += av * MrLd(xj + 4);                                                                                                                                                                                                                     \
            p3 += av * MrLd(xj + 6);                                                                                                                                                                                                                     \
          }                                                                                                                                                                                                                                              \
          double *ya = Y + (size_t)i * T + c;                                                                                                                                                                                                            \
          ya[0] += p0[0];                                                                                                                                                                                                                                \
          ya[1] += p0[1];                                                                                                                                                                                                                                \
          ya[2] += p1[0];                                                                                                                                                                                                                                \
          ya[3] += p1[1];                                                                                                                                                                                                                                \
          ya[4] += p2[0];                                                                                                                                                                                                                                \
          ya[5] += p2[1];                                                                                                                                                                                                                                \
          ya[6] += p3[0];                                                                                                                                                                                                                                \
          ya[7] += p3[1];                                                                                                                                                                                                                                \
        }                                                                                                                                                                                                                                                \
      }                                                                                                                                                                                                                                                  \
    }                                                                                                                                                                                                                                                    \
    free(Xp);                                                                                                                                                                                                                                            \
    for (PetscInt i = 0; i < m && T8 < T; i++) /* the remaining trials, one row at a time */                                                                                                                                                             \
      for (PetscInt t = T8; t < T; t++) {                                                                                                                                                                                                                \
        double acc = 0;                                                                                                                                                                                                                                  \
        for (PetscInt j = 0; j < n; j++) acc += (double)A[(size_t)i * ld + j] * X[(size_t)j * T + t];                                                                                                                                                    \
        Y[(size_t)i * T + t] += acc;                                                                                                                                                                                                                     \
      }                                                                                                                                                                                                                                                  \
  }

MR_DENSE_KERNEL_T(MrDenseMultAddT_d, double)
MR_DENSE_KERNEL_T(MrDenseMultAddT_f, float)

void MrSparseMultAddT(PetscInt m, PetscInt K, const PetscInt *col, const double *val, PetscInt T, const double *X, double *Y)
{
  for (PetscInt i = 0; i < m; i++)
    for (PetscInt k = 0; k < K; k++) {
      const double  a  = val[(size_t)i * K + k];
      const double *xj = X + (size_t)col[(size_t)i * K + k] * T;
      for (PetscInt t = 0; t < T; t++) Y[(size_t)i * T + t] += a * xj[t];
    }
}
