/* Realised connectivity: disorder J and low-rank vectors of the owned rows. */
#include <mrdyn/connectivity.h>
#include <mrdyn/rng.h>
#include <mrdyn/error.h>
#include <math.h>
#include <stdint.h>
#include <sys/mman.h>
#include "connectivity_impl.h"

/* Aligned storage (rows padded to 8 elements) so rows stream well; large
   blocks are 2 MiB aligned and asked to use transparent huge pages, which saves
   TLB misses when J is streamed every step. */
PetscErrorCode MrAlignedAlloc(size_t bytes, void **mem, void **aligned)
{
  const size_t huge = (size_t)2 << 20, align = bytes >= 2 * huge ? huge : 64;

  PetscFunctionBegin;
  PetscCall(PetscMalloc(bytes + align, mem));
  *aligned = (void *)(((uintptr_t)*mem + align - 1) & ~(uintptr_t)(align - 1));
#if defined(MADV_HUGEPAGE)
  if (align == huge) (void)madvise(*aligned, bytes / huge * huge, MADV_HUGEPAGE); /* a hint; failure is harmless */
#endif
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDisorderGenerate(PetscInt64 seed, PetscInt r, PetscInt N, PetscReal g, PetscInt rstart, PetscInt rend, MrDisorderType type, MrPrecision prec, PetscInt K, MrDisorder *J)
{
  PetscInt m = rend - rstart;
  double  *z;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(J, sizeof(*J)));
  J->nrows     = m;
  J->ncols     = N;
  J->type      = type;
  J->precision = prec;
  J->present   = (PetscBool)(g > 0);
  if (!J->present || m == 0) PetscFunctionReturn(PETSC_SUCCESS);
  if (type == MR_DISORDER_DENSE) {
    const double scale = g / sqrt((double)N);
    J->ld              = (N + 7) / 8 * 8;
    PetscCall(PetscMalloc1(N, &z));
    if (prec == MR_PRECISION_DOUBLE)
      PetscCall(MrAlignedAlloc(sizeof(double) * (size_t)m * (size_t)J->ld, &J->mem, (void **)&J->Jd));
    else {
      PetscCall(MrAlignedAlloc(sizeof(float) * (size_t)m * (size_t)J->ld, &J->mem, (void **)&J->Jf));
      PetscCall(PetscMalloc1(N, &J->xf));
    }
    for (PetscInt i = 0; i < m; i++) {
      MrNormalRow((uint64_t)seed, MR_STREAM_J, (uint64_t)r, (uint64_t)(rstart + i), N, z);
      if (prec == MR_PRECISION_DOUBLE) {
        double *row = J->Jd + (size_t)i * (size_t)J->ld;
        for (PetscInt j = 0; j < N; j++) row[j] = scale * z[j];
        for (PetscInt j = N; j < J->ld; j++) row[j] = 0;
      } else {
        float *row = J->Jf + (size_t)i * (size_t)J->ld;
        for (PetscInt j = 0; j < N; j++) row[j] = (float)(scale * z[j]);
        for (PetscInt j = N; j < J->ld; j++) row[j] = 0;
      }
    }
    PetscCall(PetscFree(z));
  } else {
    const double scale = g / sqrt((double)K);
    J->K               = K;
    PetscCall(PetscMalloc2((size_t)m * K, &J->col, (size_t)m * K, &J->val));
    PetscCall(PetscMalloc1(K, &z));
    for (PetscInt i = 0; i < m; i++) {
      PetscInt *col = J->col + (size_t)i * K, n = 0;
      /* K distinct columns: Floyd's algorithm, uniform over subsets */
      for (PetscInt j = N - K; j < N; j++) {
        double   u[4];
        PetscInt t, dup = 0;
        MrUniform4((uint64_t)seed, MR_STREAM_JCOL, (uint64_t)r, (uint64_t)(rstart + i), (uint64_t)j, u);
        t = PetscMin((PetscInt)(u[0] * (double)(j + 1)), j);
        for (PetscInt k = 0; k < n && !dup; k++) dup = col[k] == t;
        col[n++] = dup ? j : t;
      }
      PetscCall(PetscSortInt(K, col));
      MrNormalRow((uint64_t)seed, MR_STREAM_J, (uint64_t)r, (uint64_t)(rstart + i), K, z);
      for (PetscInt k = 0; k < K; k++) J->val[(size_t)i * K + k] = scale * z[k];
    }
    PetscCall(PetscFree(z));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDisorderDestroy(MrDisorder *J)
{
  PetscFunctionBegin;
  PetscCall(PetscFree(J->mem));
  PetscCall(PetscFree(J->xf));
  PetscCall(PetscFree2(J->col, J->val));
  PetscCall(PetscMemzero(J, sizeof(*J)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDisorderMultAdd(const MrDisorder *J, PetscInt T, const PetscReal x[], PetscReal y[])
{
  PetscFunctionBegin;
  if (!J->present || !J->nrows) PetscFunctionReturn(PETSC_SUCCESS);
  if (T > 1) { /* several trials: J read once for all of them */
    PetscCheck(T <= 64, PETSC_COMM_SELF, PETSC_ERR_SUP, "at most 64 trials");
    if (J->type == MR_DISORDER_SPARSE)
      MrSparseMultAddT(J->nrows, J->K, J->col, J->val, T, x, y);
    else if (J->precision == MR_PRECISION_DOUBLE)
      MrDenseMultAddT_d(J->nrows, J->ncols, J->ld, J->Jd, T, x, y);
    else
      MrDenseMultAddT_f(J->nrows, J->ncols, J->ld, J->Jf, T, x, y);
  } else if (J->type == MR_DISORDER_SPARSE)
    MrSparseMultAdd(J->nrows, J->K, J->col, J->val, x, y);
  else if (J->precision == MR_PRECISION_DOUBLE)
    MrDenseMultAdd_d(J->nrows, J->ncols, J->ld, J->Jd, x, y);
  else {
    for (PetscInt j = 0; j < J->ncols; j++) J->xf[j] = (float)x[j];
    MrDenseMultAdd_f(J->nrows, J->ncols, J->ld, J->Jf, J->xf, y);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrVectorsGenerate(MrModel model, PetscInt64 seed, PetscInt s, PetscInt rstart, PetscInt rend, MrVectors *v)
{
  PetscInt   m = rend - rstart, D;
  PetscReal *L, *z;

  PetscFunctionBegin;
  if (model->weights) { /* an imported W: the vectors are read, not drawn */
    PetscCall(MrWeightsReadVectors(model, s, rstart, rend, v));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscMemzero(v, sizeof(*v)));
  PetscCall(MrModelRegionFactor(model, s, &D, &L, &v->sigma2));
  v->D        = D;
  v->nout     = model->outOff[s + 1] - model->outOff[s];
  v->nin      = model->inOff[s + 1] - model->inOff[s];
  v->hasInput = MrModelRegionHasInput(model, s);
  PetscCall(PetscMalloc1((size_t)m * D + 1, &v->vec));
  PetscCall(PetscMalloc1(D + 1, &z));
  for (PetscInt i = 0; i < m; i++) {
    PetscReal *row = v->vec + (size_t)i * D;
    MrNormalRow((uint64_t)seed, MR_STREAM_VEC, (uint64_t)s, (uint64_t)(rstart + i), D, z);
    for (PetscInt a = 0; a < D; a++) {
      PetscReal t = 0;
      for (PetscInt b = 0; b < D; b++) t += L[a * D + b] * z[b];
      row[a] = t;
    }
  }
  PetscCall(PetscFree(z));
  PetscCall(PetscFree(L));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrVectorsDestroy(MrVectors *v)
{
  PetscFunctionBegin;
  PetscCall(PetscFree(v->vec));
  PetscFunctionReturn(PETSC_SUCCESS);
}
