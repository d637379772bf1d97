/* Hot kernels of the network step. The disorder product is memory-bound: J is
   streamed once per step. Each row's dot product has a fixed summation order
   (four 4-wide partial sums, then a fixed tree), so a row gives the same bits
   wherever it lives, which keeps results independent of the decomposition. */
#include <mrdyn/connectivity.h>
#include <string.h>

typedef double v4d __attribute__((vector_size(32)));
typedef float  v4f __attribute__((vector_size(16)));

static inline v4d MrLoad4d(const double *p)
{
  v4d v;
  memcpy(&v, p, sizeof(v));
  return v;
}

static inline v4d MrLoad4f(const float *p)
{
  v4f v;
  memcpy(&v, p, sizeof(v));
  return __builtin_convertvector(v, v4d);
}

static inline double MrHsum(v4d s0, v4d s1, v4d s2, v4d s3)
{
  v4d s = (s0 + s1) + (s2 + s3);
  return (s[0] + s[1]) + (s[2] + s[3]);
}

void MrDenseMultAdd_d(PetscInt m, PetscInt n, PetscInt ld, const double *A, const double *x, double *y)
{
  for (PetscInt i = 0; i < m; i++) {
    const double *a  = A + (size_t)i * (size_t)ld;
    v4d           s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
    PetscInt      j  = 0;
    for (; j + 16 <= n; j += 16) {
      s0 += MrLoad4d(a + j) * MrLoad4d(x + j);
      s1 += MrLoad4d(a + j + 4) * MrLoad4d(x + j + 4);
      s2 += MrLoad4d(a + j + 8) * MrLoad4d(x + j + 8);
      s3 += MrLoad4d(a + j + 12) * MrLoad4d(x + j + 12);
    }
    double t = MrHsum(s0, s1, s2, s3);
    for (; j < n; j++) t += a[j] * x[j];
    y[i] += t;
  }
}

void MrDenseMultAdd_f(PetscInt m, PetscInt n, PetscInt ld, const float *A, const double *x, double *y)
{
  for (PetscInt i = 0; i < m; i++) {
    const float *a  = A + (size_t)i * (size_t)ld;
    v4d          s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
    PetscInt     j  = 0;
    for (; j + 16 <= n; j += 16) {
      s0 += MrLoad4f(a + j) * MrLoad4d(x + j);
      s1 += MrLoad4f(a + j + 4) * MrLoad4d(x + j + 4);
      s2 += MrLoad4f(a + j + 8) * MrLoad4d(x + j + 8);
      s3 += MrLoad4f(a + j + 12) * MrLoad4d(x + j + 12);
    }
    double t = MrHsum(s0, s1, s2, s3);
    for (; j < n; j++) t += (double)a[j] * x[j];
    y[i] += t;
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

void MrDenseMultAdd_f_ref(PetscInt m, PetscInt n, PetscInt ld, const float *A, const double *x, double *y)
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
