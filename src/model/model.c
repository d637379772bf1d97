/* MrModel: creation, validation, broadcast. */
#include <mrdyn/model.h>
#include <mrdyn/error.h>
#include "../util/util.h"
#include <petscblaslapack.h>
#include "model_impl.h"
#include <math.h>

PetscErrorCode MrModelCreate(MPI_Comm comm, MrModel *model)
{
  MrModel m;

  PetscFunctionBegin;
  PetscCall(PetscNew(&m));
  m->comm = comm;
  m->tau  = 1.0;
  m->Cth  = -1; /* all channels, fixed by MrModelSetUp */
  PetscCall(PetscStrncpy(m->phi, "erf", sizeof(m->phi)));
  *model = m;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrModelDestroy(MrModel *model)
{
  MrModel m = *model;

  PetscFunctionBegin;
  if (!m) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscFree2(m->N, m->g));
  PetscCall(PetscFree2(m->target, m->source));
  PetscCall(PetscFree3(m->Trow, m->Tcol, m->Tval));
  PetscCall(PetscFree3(m->Urow, m->Ucol, m->Uval));
  PetscCall(PetscFree(m->V));
  PetscCall(PetscFree(m->sigma2));
  PetscCall(PetscFree4(m->outOff, m->outCh, m->inOff, m->inCh));
  PetscCall(PetscFree4(m->TOff, m->TIdx, m->UOff, m->UIdx));
  PetscCall(PetscFree(m->s2));
  PetscCall(PetscFree(m->weights));
  PetscCall(PetscFree(m));
  *model = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscBool MrModelRegionHasInput(MrModel m, PetscInt s)
{
  if (!m->V) return PETSC_FALSE;
  for (PetscInt k = m->outOff[s]; k < m->outOff[s + 1]; k++)
    if (m->V[m->outCh[k]] != 0.0) return PETSC_TRUE;
  return PETSC_FALSE;
}

/* Builds the per-region channel lists (channels in increasing index). */
static PetscErrorCode MrModelBuildLists(MrModel m)
{
  PetscInt R = m->R, C = m->C, *po, *pi;

  PetscFunctionBegin;
  PetscCall(PetscFree4(m->outOff, m->outCh, m->inOff, m->inCh));
  PetscCall(PetscCalloc4(R + 1, &m->outOff, C, &m->outCh, R + 1, &m->inOff, C, &m->inCh));
  for (PetscInt c = 0; c < C; c++) {
    m->outOff[m->source[c] + 1]++;
    m->inOff[m->target[c] + 1]++;
  }
  for (PetscInt r = 0; r < R; r++) {
    m->outOff[r + 1] += m->outOff[r];
    m->inOff[r + 1] += m->inOff[r];
  }
  PetscCall(PetscMalloc2(R, &po, R, &pi));
  for (PetscInt r = 0; r < R; r++) {
    po[r] = m->outOff[r];
    pi[r] = m->inOff[r];
  }
  for (PetscInt c = 0; c < C; c++) {
    m->outCh[po[m->source[c]]++] = c;
    m->inCh[pi[m->target[c]]++]  = c;
  }
  PetscCall(PetscFree2(po, pi));
  /* T entries by middle region (the source of the out-channel), U by region */
  PetscCall(PetscFree4(m->TOff, m->TIdx, m->UOff, m->UIdx));
  PetscCall(PetscCalloc4(R + 1, &m->TOff, m->nT + 1, &m->TIdx, R + 1, &m->UOff, m->nU + 1, &m->UIdx));
  for (PetscInt e = 0; e < m->nT; e++) m->TOff[m->source[m->Trow[e]] + 1]++;
  for (PetscInt e = 0; e < m->nU; e++) m->UOff[m->target[m->Urow[e]] + 1]++;
  for (PetscInt r = 0; r < R; r++) {
    m->TOff[r + 1] += m->TOff[r];
    m->UOff[r + 1] += m->UOff[r];
  }
  PetscCall(PetscMalloc2(R, &po, R, &pi));
  for (PetscInt r = 0; r < R; r++) {
    po[r] = m->TOff[r];
    pi[r] = m->UOff[r];
  }
  for (PetscInt e = 0; e < m->nT; e++) m->TIdx[po[m->source[m->Trow[e]]]++] = e;
  for (PetscInt e = 0; e < m->nU; e++) m->UIdx[pi[m->target[m->Urow[e]]]++] = e;
  PetscCall(PetscFree2(po, pi));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Number of repeated (row, col) pairs in a COO list. */
static PetscErrorCode MrCountDuplicates(PetscInt n, const PetscInt *row, const PetscInt *col, PetscInt C, PetscInt *dup)
{
  PetscInt64 *key;

  PetscFunctionBegin;
  *dup = 0;
  PetscCall(PetscMalloc1(n + 1, &key));
  for (PetscInt e = 0; e < n; e++) key[e] = (PetscInt64)row[e] * C + col[e];
  PetscCall(PetscSortInt64(n, key));
  for (PetscInt e = 1; e < n; e++) *dup += key[e] == key[e - 1];
  PetscCall(PetscFree(key));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static uint64_t MrModelComputeHash(MrModel m)
{
  uint64_t h = MR_HASH_INIT;
  h          = MrHash64(&m->R, sizeof(PetscInt), h);
  h          = MrHash64(&m->C, sizeof(PetscInt), h);
  h          = MrHash64(m->N, sizeof(PetscInt) * (size_t)m->R, h);
  h          = MrHash64(m->g, sizeof(PetscReal) * (size_t)m->R, h);
  h          = MrHash64(&m->tau, sizeof(PetscReal), h);
  h          = MrHash64(m->target, sizeof(PetscInt) * (size_t)m->C, h);
  h          = MrHash64(m->source, sizeof(PetscInt) * (size_t)m->C, h);
  h          = MrHash64(m->Trow, sizeof(PetscInt) * (size_t)m->nT, h);
  h          = MrHash64(m->Tcol, sizeof(PetscInt) * (size_t)m->nT, h);
  h          = MrHash64(m->Tval, sizeof(PetscReal) * (size_t)m->nT, h);
  if (m->hasU) {
    h = MrHash64(m->Urow, sizeof(PetscInt) * (size_t)m->nU, h);
    h = MrHash64(m->Ucol, sizeof(PetscInt) * (size_t)m->nU, h);
    h = MrHash64(m->Uval, sizeof(PetscReal) * (size_t)m->nU, h);
  }
  if (m->V) h = MrHash64(m->V, sizeof(PetscReal) * (size_t)m->C, h);
  if (m->sigma2) h = MrHash64(m->sigma2, sizeof(PetscReal) * (size_t)m->R, h);
  return h;
}

PetscErrorCode MrModelSetUp(MrModel m)
{
  MPI_Comm comm = m->comm;

  PetscFunctionBegin;
  MrCheckInput(comm, m->R >= 1, "model: the number of regions R = %" PetscInt_FMT " must be at least 1", m->R);
  MrCheckInput(comm, m->C >= 0, "model: negative number of channels %" PetscInt_FMT, m->C);
  {
    PetscInt64 total = 0; /* in 64 bits: a sum that wraps must not look valid */
    for (PetscInt r = 0; r < m->R; r++) total += m->N[r];
    for (PetscInt r = 0; r < m->R; r++)
      MrCheckInput(comm, m->N[r] > 0 && m->N[r] <= MR_MODEL_MAX_NEURONS, "model: region %" PetscInt_FMT " has N = %" PetscInt_FMT "; sizes must be from 1 to %" PetscInt64_FMT, r, m->N[r], (PetscInt64)MR_MODEL_MAX_NEURONS);
    MrCheckInput(comm, total <= MR_MODEL_MAX_NEURONS, "model: the %" PetscInt_FMT " regions hold %" PetscInt64_FMT " neurons in all; this build supports at most %" PetscInt64_FMT " (PETSc's %d-bit indices)", m->R, total,
                 (PetscInt64)MR_MODEL_MAX_NEURONS, (int)(8 * sizeof(PetscInt)));
  }
  for (PetscInt r = 0; r < m->R; r++) {
    MrCheckInput(comm, isfinite(m->g[r]) && m->g[r] >= 0, "model: region %" PetscInt_FMT " has g = %g; g must be finite and >= 0", r, (double)m->g[r]);
    if (m->sigma2) MrCheckInput(comm, isfinite(m->sigma2[r]) && m->sigma2[r] > 0, "model: region %" PetscInt_FMT " has readout variance %g; it must be finite and > 0", r, (double)m->sigma2[r]);
  }
  MrCheckInput(comm, isfinite(m->tau) && m->tau > 0, "model: tau = %g must be finite and > 0", (double)m->tau);
  {
    PetscBool erf, tanh_;
    PetscCall(PetscStrcmp(m->phi, "erf", &erf));
    PetscCall(PetscStrcmp(m->phi, "tanh", &tanh_));
    MrCheckInput(comm, erf || tanh_, "model: unknown nonlinearity phi = '%s' (erf or tanh)", m->phi);
  }
  for (PetscInt c = 0; c < m->C; c++) {
    MrCheckInput(comm, m->target[c] >= 0 && m->target[c] < m->R && m->source[c] >= 0 && m->source[c] < m->R, "model: channel %" PetscInt_FMT " connects regions (%" PetscInt_FMT " <- %" PetscInt_FMT ") outside 0..%" PetscInt_FMT, c, m->target[c],
                 m->source[c], m->R - 1);
    if (m->V) MrCheckInput(comm, isfinite(m->V[c]), "model: V of channel %" PetscInt_FMT " is not finite", c);
  }
  for (PetscInt e = 0; e < m->nT; e++) {
    PetscInt a = m->Trow[e], b = m->Tcol[e];
    MrCheckInput(comm, a >= 0 && a < m->C && b >= 0 && b < m->C, "model: T entry %" PetscInt_FMT " refers to channel (%" PetscInt_FMT ", %" PetscInt_FMT ") outside 0..%" PetscInt_FMT, e, a, b, m->C - 1);
    MrCheckInput(comm, m->source[a] == m->target[b],
                 "model: T entry %" PetscInt_FMT " pairs out-channel %" PetscInt_FMT " (source region %" PetscInt_FMT ") with in-channel %" PetscInt_FMT " (target region %" PetscInt_FMT "); they must meet in one region", e, a, m->source[a], b,
                 m->target[b]);
    MrCheckInput(comm, isfinite(m->Tval[e]), "model: T entry %" PetscInt_FMT " (channels %" PetscInt_FMT ", %" PetscInt_FMT ") is not finite", e, a, b);
  }
  for (PetscInt e = 0; e < m->nU; e++) {
    PetscInt a = m->Urow[e], b = m->Ucol[e];
    MrCheckInput(comm, a >= 0 && a < m->C && b >= 0 && b < m->C, "model: U entry %" PetscInt_FMT " refers to channel (%" PetscInt_FMT ", %" PetscInt_FMT ") outside 0..%" PetscInt_FMT, e, a, b, m->C - 1);
    MrCheckInput(comm, m->target[a] == m->target[b], "model: U entry %" PetscInt_FMT " pairs in-channels %" PetscInt_FMT " and %" PetscInt_FMT " of different target regions", e, a, b);
    MrCheckInput(comm, isfinite(m->Uval[e]), "model: U entry %" PetscInt_FMT " is not finite", e);
  }
  {
    PetscInt dup;
    PetscCall(MrCountDuplicates(m->nT, m->Trow, m->Tcol, m->C, &dup));
    MrCheckInput(comm, dup == 0, "model: T lists %" PetscInt_FMT " (out-channel, in-channel) pair(s) more than once", dup);
    PetscCall(MrCountDuplicates(m->nU, m->Urow, m->Ucol, m->C, &dup));
    MrCheckInput(comm, dup == 0, "model: U lists %" PetscInt_FMT " channel pair(s) more than once", dup);
  }
  PetscCall(MrModelBuildLists(m));
  if (m->Cth < 0 || m->Cth > m->C) m->Cth = m->C;
  { /* the dense per-region matrices (covariance D x D, U blocks) are indexed by PetscInt */
    PetscInt64 u = 0;
    for (PetscInt r = 0; r < m->R; r++) {
      const PetscInt64 nin = m->inOff[r + 1] - m->inOff[r], D = nin + (m->outOff[r + 1] - m->outOff[r]) + 1;
      MrCheckInput(comm, D * D <= PETSC_MAX_INT, "model: region %" PetscInt_FMT " has %" PetscInt64_FMT " channels in and out; its %" PetscInt64_FMT " x %" PetscInt64_FMT " covariance exceeds this build's PETSc index range", r, D - 1, D, D);
      u += nin * nin;
    }
    MrCheckInput(comm, u <= PETSC_MAX_INT, "model: the U blocks of all regions hold %" PetscInt64_FMT " entries; more than this build's PETSc index range", u);
  }
  /* U must be symmetric positive definite per region */
  for (PetscInt r = 0; r < m->R; r++) {
    PetscInt   n = m->inOff[r + 1] - m->inOff[r], D;
    PetscReal *cov, *L, s2 = 1.0;
    if (!n) continue;
    PetscCall(MrModelRegionCovariance(m, r, s2, &D, &cov));
    PetscInt nout = m->outOff[r + 1] - m->outOff[r];
    PetscCall(PetscMalloc1(n * n, &L));
    for (PetscInt i = 0; i < n; i++)
      for (PetscInt j = 0; j < n; j++) L[i * n + j] = cov[(nout + i) * D + nout + j];
    for (PetscInt i = 0; i < n; i++)
      for (PetscInt j = 0; j < i; j++)
        MrCheckInput(comm, fabs(L[i * n + j] - L[j * n + i]) <= 1e-12 * (1 + fabs(L[i * n + j])), "model: U of region %" PetscInt_FMT " is not symmetric (in-channels %" PetscInt_FMT ", %" PetscInt_FMT ")", r, m->inCh[m->inOff[r] + i],
                     m->inCh[m->inOff[r] + j]);
    {
      PetscBLASInt bn, lwork, info;
      PetscReal   *w, *work;
      PetscCall(PetscBLASIntCast(n, &bn));
      lwork = 3 * bn + 8;
      PetscCall(PetscMalloc2(n, &w, lwork, &work));
      PetscCallBLAS("LAPACKsyev", LAPACKsyev_("N", "U", &bn, L, &bn, w, work, &lwork, &info));
      PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK syev failed: %d", (int)info);
      MrCheckInput(comm, w[0] > 0, "model: U of region %" PetscInt_FMT " is not positive definite (smallest eigenvalue %g)", r, (double)w[0]);
      PetscCall(PetscFree2(w, work));
    }
    PetscCall(PetscFree(L));
    PetscCall(PetscFree(cov));
  }
  /* the readout variances, fixed here where every rank holds the same model */
  PetscCall(PetscFree(m->s2));
  PetscCall(PetscMalloc1(m->R, &m->s2));
  PetscCall(MrModelComputeReadoutVariances(m, m->s2));
  PetscCall(PetscSNPrintf(m->hash, sizeof(m->hash), "%016llx", (unsigned long long)MrModelComputeHash(m)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrModelBcast(MPI_Comm comm, MrModel *model)
{
  PetscMPIInt rank;
  PetscInt    hdr[8] = {0};
  MrModel     m;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    m      = *model;
    hdr[0] = m->R;
    hdr[1] = m->C;
    hdr[2] = m->nT;
    hdr[3] = m->nU;
    hdr[4] = m->hasU;
    hdr[5] = m->V != NULL;
    hdr[6] = m->sigma2 != NULL;
    hdr[7] = m->dense;
  }
  PetscCallMPI(MPI_Bcast(hdr, 8, MPIU_INT, 0, comm));
  if (rank != 0) {
    PetscCall(MrModelCreate(comm, &m));
    m->R     = hdr[0];
    m->C     = hdr[1];
    m->nT    = hdr[2];
    m->nU    = hdr[3];
    m->hasU  = (PetscBool)hdr[4];
    m->dense = (PetscBool)hdr[7];
    PetscCall(PetscMalloc2(m->R, &m->N, m->R, &m->g));
    PetscCall(PetscMalloc2(m->C, &m->target, m->C, &m->source));
    PetscCall(PetscMalloc3(m->nT, &m->Trow, m->nT, &m->Tcol, m->nT, &m->Tval));
    PetscCall(PetscMalloc3(m->nU, &m->Urow, m->nU, &m->Ucol, m->nU, &m->Uval));
    if (hdr[5]) PetscCall(PetscMalloc1(m->C, &m->V));
    if (hdr[6]) PetscCall(PetscMalloc1(m->R, &m->sigma2));
    *model = m;
  }
  m       = *model;
  m->comm = comm;
  PetscCallMPI(MPI_Bcast(m->N, (int)m->R, MPIU_INT, 0, comm));
  PetscCallMPI(MPI_Bcast(m->g, (int)m->R, MPIU_REAL, 0, comm));
  PetscCallMPI(MPI_Bcast(&m->tau, 1, MPIU_REAL, 0, comm));
  PetscCallMPI(MPI_Bcast(m->target, (int)m->C, MPIU_INT, 0, comm));
  PetscCallMPI(MPI_Bcast(m->source, (int)m->C, MPIU_INT, 0, comm));
  PetscCallMPI(MPI_Bcast(m->Trow, (int)m->nT, MPIU_INT, 0, comm));
  PetscCallMPI(MPI_Bcast(m->Tcol, (int)m->nT, MPIU_INT, 0, comm));
  PetscCallMPI(MPI_Bcast(m->Tval, (int)m->nT, MPIU_REAL, 0, comm));
  PetscCallMPI(MPI_Bcast(m->Urow, (int)m->nU, MPIU_INT, 0, comm));
  PetscCallMPI(MPI_Bcast(m->Ucol, (int)m->nU, MPIU_INT, 0, comm));
  PetscCallMPI(MPI_Bcast(m->Uval, (int)m->nU, MPIU_REAL, 0, comm));
  if (m->V) PetscCallMPI(MPI_Bcast(m->V, (int)m->C, MPIU_REAL, 0, comm));
  if (m->sigma2) PetscCallMPI(MPI_Bcast(m->sigma2, (int)m->R, MPIU_REAL, 0, comm));
  PetscCallMPI(MPI_Bcast(m->phi, sizeof(m->phi), MPI_CHAR, 0, comm));
  PetscCallMPI(MPI_Bcast(m->description, sizeof(m->description), MPI_CHAR, 0, comm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrModelSetDenseU(MrModel m, const PetscReal U[])
{
  const PetscInt R = m->R;

  PetscFunctionBegin;
  PetscCall(PetscFree3(m->Urow, m->Ucol, m->Uval));
  m->hasU = PETSC_TRUE;
  m->nU   = R * R * R;
  PetscCall(PetscMalloc3(m->nU, &m->Urow, m->nU, &m->Ucol, m->nU, &m->Uval));
  for (PetscInt s = 0, e = 0; s < R; s++)
    for (PetscInt q = 0; q < R; q++)
      for (PetscInt p = 0; p < R; p++, e++) {
        m->Urow[e] = s * R + q;
        m->Ucol[e] = s * R + p;
        m->Uval[e] = U ? U[e] : (PetscReal)(q == p);
      }
  PetscFunctionReturn(PETSC_SUCCESS);
}
