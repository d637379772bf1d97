/* Realised connectivity of the rows a rank owns: the disorder J^r (dense double,
   dense single, or sparse with K per row) and the low-rank vectors (N x D per
   region, row-major: out-channels n, in-channels m, then the input direction u).
   Every entry comes from Philox keyed by (seed, stream, region, row, column). */
#pragma once
#include <mrdyn/layout.h>

typedef enum { MR_DISORDER_DENSE, MR_DISORDER_SPARSE } MrDisorderType;
typedef enum { MR_PRECISION_DOUBLE, MR_PRECISION_SINGLE } MrPrecision;

typedef struct {
  PetscInt       nrows, ncols, ld; /* ld: padded row stride of dense storage */
  PetscBool      present;          /* g > 0 */
  MrDisorderType type;
  MrPrecision    precision;
  double        *Jd;  /* dense double, nrows x ld */
  float         *Jf;  /* dense single */
  float         *xf;  /* dense single: float copy of the rates */
  PetscInt       K;   /* sparse: nonzeros per row */
  PetscInt      *col; /* sparse: nrows x K column indices */
  double        *val; /* sparse values */
  void          *mem; /* allocation behind the aligned pointers */
} MrDisorder;

typedef struct {
  PetscInt   D, nout, nin; /* vector dimension: out-channels, in-channels, (+1 input) */
  PetscBool  hasInput;
  PetscReal  sigma2; /* readout variance used */
  PetscReal *vec;    /* nrows x D */
} MrVectors;

/* Generates J rows [rstart, rend) of region r. Not collective. */
PETSC_EXTERN PetscErrorCode MrDisorderGenerate(PetscInt64 seed, PetscInt r, PetscInt N, PetscReal g, PetscInt rstart, PetscInt rend, MrDisorderType type, MrPrecision prec, PetscInt K, MrDisorder *J);
PETSC_EXTERN PetscErrorCode MrDisorderDestroy(MrDisorder *J);
/* y[i] += sum_j J_ij x[j] over owned rows; with T > 1 trials x and y hold T
   values per row (row-major) and J is streamed once for all. Not collective. */
PETSC_EXTERN PetscErrorCode MrDisorderMultAdd(const MrDisorder *J, PetscInt T, const PetscReal x[], PetscReal y[]);
/* Generates the vectors of rows [rstart, rend) of region s. Not collective. */
PETSC_EXTERN PetscErrorCode MrVectorsGenerate(MrModel model, PetscInt64 seed, PetscInt s, PetscInt rstart, PetscInt rend, MrVectors *v);
PETSC_EXTERN PetscErrorCode MrVectorsDestroy(MrVectors *v);

/* Hot kernels, with the simple reference versions the tests compare against. */
PETSC_EXTERN void MrDenseMultAdd_d(PetscInt m, PetscInt n, PetscInt ld, const double *A, const double *x, double *y);
/* single precision: x is the float copy of the rates */
PETSC_EXTERN void MrDenseMultAdd_f(PetscInt m, PetscInt n, PetscInt ld, const float *A, const float *x, double *y);
/* The portable 2-wide kernels whatever the CPU (the above take AVX2 when the CPU
   has it, with the same bits), for tests. */
PETSC_EXTERN void MrDenseMultAdd_d_portable(PetscInt m, PetscInt n, PetscInt ld, const double *A, const double *x, double *y);
PETSC_EXTERN void MrDenseMultAdd_f_portable(PetscInt m, PetscInt n, PetscInt ld, const float *A, const float *x, double *y);
PETSC_EXTERN void MrDenseMultAdd_d_ref(PetscInt m, PetscInt n, PetscInt ld, const double *A, const double *x, double *y);
PETSC_EXTERN void MrDenseMultAdd_f_ref(PetscInt m, PetscInt n, PetscInt ld, const float *A, const float *x, double *y);
PETSC_EXTERN void MrDenseMultAddT_d(PetscInt m, PetscInt n, PetscInt ld, const double *A, PetscInt T, const double *X, double *Y); /* T <= 64 */
PETSC_EXTERN void MrDenseMultAddT_f(PetscInt m, PetscInt n, PetscInt ld, const float *A, PetscInt T, const double *X, double *Y);
/* The same with vectors of at most width doubles (2: portable, 4: AVX2, 8: AVX-512;
   the CPU's widest if narrower), for tests: every width gives the same bits. */
PETSC_EXTERN void MrDenseMultAddT_d_width(PetscInt width, PetscInt m, PetscInt n, PetscInt ld, const double *A, PetscInt T, const double *X, double *Y);
PETSC_EXTERN void MrDenseMultAddT_f_width(PetscInt width, PetscInt m, PetscInt n, PetscInt ld, const float *A, PetscInt T, const double *X, double *Y);
PETSC_EXTERN void MrSparseMultAddT(PetscInt m, PetscInt K, const PetscInt *col, const double *val, PetscInt T, const double *X, double *Y);
PETSC_EXTERN void MrSparseMultAdd(PetscInt m, PetscInt K, const PetscInt *col, const double *val, const double *x, double *y);
