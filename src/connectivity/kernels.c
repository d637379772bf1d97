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

#if defined(__x86_64__) && defined(__GNUC__)
/* AVX2 and AVX-512 variants of the kernels, chosen at run time by CPU feature
   (not by CPU model, which virtual machines hide); each gives the portable
   kernel's bits. */
#  define MR_X86_DISPATCH 1
typedef double v4d __attribute__((vector_size(32)));
typedef double v8d __attribute__((vector_size(64)));
typedef float  v8f __attribute__((vector_size(32)));
#endif

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
  static void NAME(PetscInt m, PetscInt n, PetscInt ld, const T *A, const double *x, double *y)                                                                                                                                                          \
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

MR_DENSE_KERNEL(MrDenseMultAdd_d_v2, double, MR_LOAD4_D)

#ifdef MR_X86_DISPATCH
/* AVX2: one 4-wide accumulator per row holds the two 2-wide partial sums of
   the portable kernel (lane k sums the entries j = k mod 4), and the final
   (p0 + p2) + (p1 + p3) is its reduction tree: the same bits. Eight rows at a
   time keep more loads in flight. */
__attribute__((target("avx2"))) static void MrDenseMultAdd_d_v4(PetscInt m, PetscInt n, PetscInt ld, const double *A, const double *x, double *y)
{
  PetscInt i = 0;
  for (; i + 8 <= m; i += 8) {
    const double *a    = A + (size_t)i * (size_t)ld;
    v4d           p[8] = {{0}};
    PetscInt      j    = 0;
    for (; j + 4 <= n; j += 4) {
      v4d xv;
      memcpy(&xv, x + j, sizeof(xv));
      for (int r = 0; r < 8; r++) {
        v4d av;
        memcpy(&av, a + (size_t)r * ld + j, sizeof(av));
        p[r] += av * xv;
      }
    }
    for (int r = 0; r < 8; r++) {
      double t = (p[r][0] + p[r][2]) + (p[r][1] + p[r][3]);
      for (PetscInt k = j; k < n; k++) t += a[(size_t)r * ld + k] * x[k];
      y[i + r] += t;
    }
  }
  if (i < m) MrDenseMultAdd_d_v2(m - i, n, ld, A + (size_t)i * ld, x, y + i);
}
#endif

void MrDenseMultAdd_d_portable(PetscInt m, PetscInt n, PetscInt ld, const double *A, const double *x, double *y) { MrDenseMultAdd_d_v2(m, n, ld, A, x, y); }

void MrDenseMultAdd_d(PetscInt m, PetscInt n, PetscInt ld, const double *A, const double *x, double *y)
{
#ifdef MR_X86_DISPATCH
  if (__builtin_cpu_supports("avx2")) {
    MrDenseMultAdd_d_v4(m, n, ld, A, x, y);
    return;
  }
#endif
  MrDenseMultAdd_d_v2(m, n, ld, A, x, y);
}

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
static void MrDenseMultAdd_f_v4(PetscInt m, PetscInt n, PetscInt ld, const float *A, const float *x, double *y)
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

#ifdef MR_X86_DISPATCH
/* AVX2: one 8-wide float accumulator per row holds the two 4-wide partial
   sums of the portable kernel (lanes 0-3 and 4-7), reduced by the same tree:
   the same bits. Eight rows at a time. */
__attribute__((target("avx2"))) static void MrDenseMultAdd_f_v8(PetscInt m, PetscInt n, PetscInt ld, const float *A, const float *x, double *y)
{
  PetscInt i = 0;
  for (; i + 8 <= m; i += 8) {
    const float *a    = A + (size_t)i * (size_t)ld;
    double       t[8] = {0};
    PetscInt     j    = 0;
    for (; j + 8 <= n;) {
      const PetscInt e    = PetscMin(n - 7, j + MR_FBLOCK);
      v8f            p[8] = {{0}};
      for (; j < e; j += 8) {
        v8f xv;
        memcpy(&xv, x + j, sizeof(xv));
        for (int r = 0; r < 8; r++) {
          v8f av;
          memcpy(&av, a + (size_t)r * ld + j, sizeof(av));
          p[r] += av * xv;
        }
      }
      for (int r = 0; r < 8; r++) {
        const float s0 = p[r][0] + p[r][4], s1 = p[r][1] + p[r][5], s2 = p[r][2] + p[r][6], s3 = p[r][3] + p[r][7];
        t[r] += (s0 + s1) + (s2 + s3);
      }
    }
    for (int r = 0; r < 8; r++) {
      for (PetscInt k = j; k < n; k++) t[r] += (double)(a[(size_t)r * ld + k] * x[k]);
      y[i + r] += t[r];
    }
  }
  if (i < m) MrDenseMultAdd_f_v4(m - i, n, ld, A + (size_t)i * ld, x, y + i);
}
#endif

void MrDenseMultAdd_f_portable(PetscInt m, PetscInt n, PetscInt ld, const float *A, const float *x, double *y) { MrDenseMultAdd_f_v4(m, n, ld, A, x, y); }

void MrDenseMultAdd_f(PetscInt m, PetscInt n, PetscInt ld, const float *A, const float *x, double *y)
{
#ifdef MR_X86_DISPATCH
  if (__builtin_cpu_supports("avx2")) {
    MrDenseMultAdd_f_v8(m, n, ld, A, x, y);
    return;
  }
#endif
  MrDenseMultAdd_f_v4(m, n, ld, A, x, y);
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
   A panel is a block of rows times a chunk of eight trials whose accumulators
   stay in registers while j runs; rows go in cache-sized blocks so J is read
   from memory once for all trials. Each (row, trial) sum runs over j in order
   with a separate multiply and add (ISO C: no contraction to FMA), so every
   vector width, chunking and blocking gives the same bits. J is double (A) or
   single precision (Af, A NULL). */
#define MR_PANEL_ARGS PetscInt m, PetscInt n, PetscInt ld, const double *restrict A, const float *restrict Af, const double *restrict Xc, PetscInt xs, PetscInt T, double *restrict Y
typedef void (*MrPanelFn)(MR_PANEL_ARGS);
#define MR_JB 256 /* columns per step of a panel's j loop */

/* nr rows from row i over columns [j0, j0 + jn) as doubles (*la apart): J
   itself, or single-precision J widened into buf (nr x MR_JB), which stays in
   L1; converting in the inner loop instead took the arithmetic ports. */
static inline __attribute__((always_inline)) const double *MrRows(int nr, PetscInt i, PetscInt j0, PetscInt jn, PetscInt ld, const double *A, const float *Af, double *buf, PetscInt *la)
{
  if (A) {
    *la = ld;
    return A + (size_t)i * ld + j0;
  }
  for (int r = 0; r < nr; r++) {
    const float *row = Af + (size_t)(i + r) * ld + j0;
    for (PetscInt j = 0; j < jn; j++) buf[r * MR_JB + j] = (double)row[j];
    /* ask for the next chunk now: the panel's arithmetic then hides its latency */
    for (PetscInt j = MR_JB; j < 2 * MR_JB && j0 + j < ld; j += 16) __builtin_prefetch(row + j);
  }
  *la = MR_JB;
  return buf;
}

/* Portable panel: two rows x eight trials in 2-wide vectors (16 registers). */
static void MrPanel_v2(MR_PANEL_ARGS)
{
  double buf[2 * MR_JB];
  for (PetscInt i = 0; i < m; i += 2) {
    const int nr      = i + 2 <= m ? 2 : 1;
    v2d       s[2][4] = {{{0}}};
    for (PetscInt j0 = 0; j0 < n; j0 += MR_JB) {
      PetscInt      la, jn = PetscMin(MR_JB, n - j0);
      const double *a = MrRows(nr, i, j0, jn, ld, A, Af, buf, &la);
      for (PetscInt j = 0; j < jn; j++) {
        const double *xj = Xc + (size_t)(j0 + j) * xs;
        const v2d     x0 = MrLd(xj), x1 = MrLd(xj + 2), x2 = MrLd(xj + 4), x3 = MrLd(xj + 6);
        for (int r = 0; r < nr; r++) {
          s[r][0] += a[r * la + j] * x0;
          s[r][1] += a[r * la + j] * x1;
          s[r][2] += a[r * la + j] * x2;
          s[r][3] += a[r * la + j] * x3;
        }
      }
    }
    for (int r = 0; r < nr; r++)
      for (int k = 0; k < 8; k++) Y[(size_t)(i + r) * T + k] += s[r][k / 2][k % 2];
  }
}

#ifdef MR_X86_DISPATCH
/* Wider panels: once J comes from cache the eight-trial product is bound by
   arithmetic, so the width is the speed. */

/* AVX2: four rows x eight trials in 4-wide vectors (8 of 16 registers). */
__attribute__((target("avx2"))) static void MrPanel_v4(MR_PANEL_ARGS)
{
  double   buf[4 * MR_JB];
  PetscInt i = 0;
  for (; i + 4 <= m; i += 4) {
    v4d s[4][2] = {{{0}}};
    for (PetscInt j0 = 0; j0 < n; j0 += MR_JB) {
      PetscInt      la, jn = PetscMin(MR_JB, n - j0);
      const double *a = MrRows(4, i, j0, jn, ld, A, Af, buf, &la);
      for (PetscInt j = 0; j < jn; j++) {
        v4d x0, x1;
        memcpy(&x0, Xc + (size_t)(j0 + j) * xs, sizeof(x0));
        memcpy(&x1, Xc + (size_t)(j0 + j) * xs + 4, sizeof(x1));
        for (int r = 0; r < 4; r++) {
          s[r][0] += a[r * la + j] * x0;
          s[r][1] += a[r * la + j] * x1;
        }
      }
    }
    for (int r = 0; r < 4; r++)
      for (int k = 0; k < 8; k++) Y[(size_t)(i + r) * T + k] += s[r][k / 4][k % 4];
  }
  if (i < m) MrPanel_v2(m - i, n, ld, A ? A + (size_t)i * ld : NULL, Af ? Af + (size_t)i * ld : NULL, Xc, xs, T, Y + (size_t)i * T);
}

/* AVX-512: eight rows x eight trials, one 8-wide register per row. */
__attribute__((target("avx512f"))) static void MrPanel_v8(MR_PANEL_ARGS)
{
  double   buf[8 * MR_JB];
  PetscInt i = 0;
  for (; i + 8 <= m; i += 8) {
    v8d s[8] = {{0}};
    for (PetscInt j0 = 0; j0 < n; j0 += MR_JB) {
      PetscInt      la, jn = PetscMin(MR_JB, n - j0);
      const double *a = MrRows(8, i, j0, jn, ld, A, Af, buf, &la);
      for (PetscInt j = 0; j < jn; j++) {
        v8d x;
        memcpy(&x, Xc + (size_t)(j0 + j) * xs, sizeof(x));
        for (int r = 0; r < 8; r++) s[r] += a[r * la + j] * x;
      }
    }
    for (int r = 0; r < 8; r++)
      for (int k = 0; k < 8; k++) Y[(size_t)(i + r) * T + k] += s[r][k];
  }
  if (i < m) MrPanel_v4(m - i, n, ld, A ? A + (size_t)i * ld : NULL, Af ? Af + (size_t)i * ld : NULL, Xc, xs, T, Y + (size_t)i * T);
}

/* The widest panel the CPU has, up to width (2, 4 or 8 doubles). */
static MrPanelFn MrPanelPick(PetscInt width)
{
  if (width >= 8 && __builtin_cpu_supports("avx512f")) return MrPanel_v8;
  if (width >= 4 && __builtin_cpu_supports("avx2")) return MrPanel_v4;
  return MrPanel_v2;
}
#else
static MrPanelFn MrPanelPick(PetscInt width) { return MrPanel_v2; }
#endif

/* Rows go in blocks of ~256 KiB: a block stays in cache while every chunk of
   eight trials passes over it. For more than eight trials each chunk's x
   values are made contiguous (n x 8) first, so a panel streams them like the
   eight-trial case instead of taking one cache line out of every T / 8. */
static void MrDenseMultAddT(MrPanelFn panel, PetscInt m, PetscInt n, PetscInt ld, const double *A, const float *Af, PetscInt T, const double *X, double *Y)
{
  const size_t   es = A ? sizeof(double) : sizeof(float);
  const PetscInt rb = PetscMax(8, (PetscInt)((256 * 1024) / ((size_t)PetscMax(ld, 1) * es)) / 8 * 8);
  PetscInt       T8 = T / 8 * 8;
  double        *Xp = T > 8 ? (double *)malloc(sizeof(double) * (size_t)n * (size_t)T8) : NULL;
  if (T > 8 && !Xp) T8 = 0; /* no memory: every trial goes the slow way below */
  for (PetscInt c = 0; Xp && c < T8; c += 8)
    for (PetscInt j = 0; j < n; j++) memcpy(Xp + ((size_t)c * n + (size_t)j * 8), X + (size_t)j * T + c, 8 * sizeof(double));
  for (PetscInt i0 = 0; i0 < m; i0 += rb)
    for (PetscInt c = 0; c < T8; c += 8) panel(PetscMin(m, i0 + rb) - i0, n, ld, A ? A + (size_t)i0 * ld : NULL, Af ? Af + (size_t)i0 * ld : NULL, Xp ? Xp + (size_t)c * n : X + c, Xp ? 8 : T, T, Y + (size_t)i0 * T + c);
  free(Xp);
  for (PetscInt i = 0; i < m && T8 < T; i++) /* the remaining trials, one row at a time */
    for (PetscInt t = T8; t < T; t++) {
      double acc = 0;
      for (PetscInt j = 0; j < n; j++) acc += (A ? A[(size_t)i * ld + j] : (double)Af[(size_t)i * ld + j]) * X[(size_t)j * T + t];
      Y[(size_t)i * T + t] += acc;
    }
}

void MrDenseMultAddT_d(PetscInt m, PetscInt n, PetscInt ld, const double *A, PetscInt T, const double *X, double *Y) { MrDenseMultAddT(MrPanelPick(8), m, n, ld, A, NULL, T, X, Y); }
void MrDenseMultAddT_f(PetscInt m, PetscInt n, PetscInt ld, const float *A, PetscInt T, const double *X, double *Y) { MrDenseMultAddT(MrPanelPick(8), m, n, ld, NULL, A, T, X, Y); }
void MrDenseMultAddT_d_width(PetscInt width, PetscInt m, PetscInt n, PetscInt ld, const double *A, PetscInt T, const double *X, double *Y) { MrDenseMultAddT(MrPanelPick(width), m, n, ld, A, NULL, T, X, Y); }
void MrDenseMultAddT_f_width(PetscInt width, PetscInt m, PetscInt n, PetscInt ld, const float *A, PetscInt T, const double *X, double *Y) { MrDenseMultAddT(MrPanelPick(width), m, n, ld, NULL, A, T, X, Y); }

void MrSparseMultAddT(PetscInt m, PetscInt K, const PetscInt *col, const double *val, PetscInt T, const double *X, double *Y)
{
  for (PetscInt i = 0; i < m; i++)
    for (PetscInt k = 0; k < K; k++) {
      const double  a  = val[(size_t)i * K + k];
      const double *xj = X + (size_t)col[(size_t)i * K + k] * T;
      for (PetscInt t = 0; t < T; t++) Y[(size_t)i * T + t] += a * xj[t];
    }
}
