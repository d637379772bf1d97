/* Vector statistics of a region (model.md "Vector statistics") and That. */
#include <mrdyn/model.h>
#include <mrdyn/error.h>
#include <petscblaslapack.h>
#include <math.h>
#include "model_impl.h"

/* Position of channel c in a sorted list, or -1. */
static PetscInt MrFind(const PetscInt *list, PetscInt n, PetscInt c)
{
  PetscInt lo = 0, hi = n - 1;
  while (lo <= hi) {
    PetscInt mid = (lo + hi) / 2;
    if (list[mid] == c) return mid;
    if (list[mid] < c)
      lo = mid + 1;
    else
      hi = mid - 1;
  }
  return -1;
}

PetscErrorCode MrModelRegionCovariance(MrModel m, PetscInt s, PetscReal sigma2, PetscInt *D, PetscReal **cov)
{
  PetscInt        nout = m->outOff[s + 1] - m->outOff[s], nin = m->inOff[s + 1] - m->inOff[s];
  const PetscInt *out = m->outCh + m->outOff[s], *in = m->inCh + m->inOff[s];
  PetscBool       hasIn = MrModelRegionHasInput(m, s);
  PetscInt        d     = nout + nin + (hasIn ? 1 : 0);
  PetscReal      *c;

  PetscFunctionBegin;
  PetscCall(PetscCalloc1(d * d + 1, &c));
  for (PetscInt i = 0; i < nout; i++) c[i * d + i] = sigma2;
  for (PetscInt k = m->TOff[s]; k < m->TOff[s + 1]; k++) {
    PetscInt e = m->TIdx[k], i = MrFind(out, nout, m->Trow[e]), j = MrFind(in, nin, m->Tcol[e]);
    c[i * d + nout + j] = c[(nout + j) * d + i] = m->Tval[e];
  }
  if (m->hasU) {
    for (PetscInt k = m->UOff[s]; k < m->UOff[s + 1]; k++) {
      PetscInt e = m->UIdx[k], i = MrFind(in, nin, m->Urow[e]), j = MrFind(in, nin, m->Ucol[e]);
      c[(nout + i) * d + nout + j] = m->Uval[e];
    }
  } else {
    for (PetscInt i = 0; i < nin; i++) c[(nout + i) * d + nout + i] = 1.0;
  }
  if (hasIn) {
    PetscInt u = nout + nin;
    for (PetscInt i = 0; i < nout; i++) c[i * d + u] = c[u * d + i] = m->V[out[i]];
    c[u * d + u] = 1.0;
  }
  *D   = d;
  *cov = c;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Smallest eigenvalue of a symmetric d x d matrix (copied). */
static PetscErrorCode MrMinEig(PetscInt d, const PetscReal *a, PetscReal *wmin)
{
  PetscBLASInt n, lwork, info;
  PetscReal   *A, *w, *work;

  PetscFunctionBegin;
  *wmin = 0;
  if (d == 0) PetscFunctionReturn(PETSC_SUCCESS); /* a region without channels */
  PetscCall(PetscBLASIntCast(d, &n));
  lwork = 3 * n + 8;
  PetscCall(PetscMalloc3(d * d, &A, d, &w, lwork, &work));
  PetscCall(PetscArraycpy(A, a, d * d));
  PetscCallBLAS("LAPACKsyev", LAPACKsyev_("N", "U", &n, A, &n, w, work, &lwork, &info));
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK syev failed: %d", (int)info);
  *wmin = w[0];
  PetscCall(PetscFree3(A, w, work));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The readout variance of region s: the user's, or 1 multiplied by 1.05 until the
   covariance is positive semidefinite (the reference code's rule). */
/* Largest eigenvalue of B W^{-1} B^T, where the covariance of region s is
   [[s2 I, B], [B^T, W]]: it is positive semidefinite exactly when s2 >= that value
   (W = U plus the input direction is positive definite). */
static PetscErrorCode MrModelSchurMax(MrModel m, PetscInt s, PetscReal *lmax)
{
  PetscInt   d, no = m->outOff[s + 1] - m->outOff[s], nw;
  PetscReal *cov, *L, *X, *M;
  PetscBool  ok = PETSC_TRUE;

  PetscFunctionBegin;
  PetscCall(MrModelRegionCovariance(m, s, 0.0, &d, &cov));
  nw = d - no;
  PetscCall(PetscCalloc3(nw * nw + 1, &L, no * nw + 1, &X, no * no + 1, &M));
  for (PetscInt j = 0; j < nw && ok; j++) { /* W = L L^T */
    PetscReal v = cov[(no + j) * d + no + j];
    for (PetscInt k = 0; k < j; k++) v -= L[j * nw + k] * L[j * nw + k];
    if (!(v > 0))
      ok = PETSC_FALSE;
    else {
      L[j * nw + j] = sqrt(v);
      for (PetscInt i = j + 1; i < nw; i++) {
        PetscReal w = cov[(no + i) * d + no + j];
        for (PetscInt k = 0; k < j; k++) w -= L[i * nw + k] * L[j * nw + k];
        L[i * nw + j] = w / L[j * nw + j];
      }
    }
  }
  *lmax = NAN;
  if (ok) {
    for (PetscInt r = 0; r < no; r++) /* X = B L^{-T}: forward substitution per row of B */
      for (PetscInt j = 0; j < nw; j++) {
        PetscReal v = cov[r * d + no + j];
        for (PetscInt k = 0; k < j; k++) v -= X[r * nw + k] * L[j * nw + k];
        X[r * nw + j] = v / L[j * nw + j];
      }
    for (PetscInt a = 0; a < no; a++)
      for (PetscInt b = 0; b < no; b++) {
        PetscReal v = 0;
        for (PetscInt k = 0; k < nw; k++) v += X[a * nw + k] * X[b * nw + k];
        M[a * no + b] = -v; /* smallest eigenvalue of -M is -lmax */
      }
    PetscCall(MrMinEig(no, M, lmax));
    *lmax = -*lmax;
  }
  PetscCall(PetscFree3(L, X, M));
  PetscCall(PetscFree(cov));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode MrModelReadoutVariance(MrModel m, PetscInt s, PetscReal *sigma2)
{
  PetscReal s2 = m->sigma2 ? m->sigma2[s] : 1.0, wmin = 0, *cov, lmax;
  PetscInt  d, it                                     = 0;

  PetscFunctionBegin;
  if (!m->sigma2 && m->outOff[s + 1] > m->outOff[s]) {
    /* jump to the power of 1.05 the reference loop would stop at, then let the
       loop confirm it (one eigenvalue problem instead of dozens) */
    PetscCall(MrModelSchurMax(m, s, &lmax));
    if (isfinite(lmax) && lmax > 1)
      while (s2 * 1.05 < lmax * (1 - 1e-12)) s2 *= 1.05;
  }
  for (;;) {
    PetscCall(MrModelRegionCovariance(m, s, s2, &d, &cov));
    PetscCall(MrMinEig(d, cov, &wmin));
    PetscCall(PetscFree(cov));
    if (d == 0 || wmin >= 0) break;
    MrCheckInput(m->comm, !m->sigma2, "model: with the given readout variance %g region %" PetscInt_FMT " has no valid vector statistics (covariance eigenvalue %g < 0)", (double)s2, s, (double)wmin);
    MrCheckInput(m->comm, ++it < 2000, "model: region %" PetscInt_FMT ": no readout variance makes the vector covariance positive semidefinite", s);
    s2 *= 1.05;
  }
  *sigma2 = s2;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Called by MrModelSetUp on every rank: the errors are collective. */
PetscErrorCode MrModelComputeReadoutVariances(MrModel m, PetscReal sigma2[])
{
  PetscFunctionBegin;
  for (PetscInt s = 0; s < m->R; s++) PetscCall(MrModelReadoutVariance(m, s, &sigma2[s]));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrModelReadoutVariances(MrModel m, PetscReal sigma2[])
{
  PetscFunctionBegin;
  PetscCall(PetscArraycpy(sigma2, m->s2, m->R));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrModelRegionFactor(MrModel m, PetscInt s, PetscInt *D, PetscReal **Lout, PetscReal *sigma2)
{
  PetscInt   d;
  PetscReal *cov, *L, s2;
  PetscBool  ok = PETSC_TRUE;

  PetscFunctionBegin;
  s2 = m->s2[s];
  PetscCall(MrModelRegionCovariance(m, s, s2, &d, &cov));
  PetscCall(PetscCalloc1(d * d + 1, &L));
  /* Cholesky, row-major lower: cov = L L^T */
  for (PetscInt j = 0; j < d && ok; j++) {
    PetscReal v = cov[j * d + j];
    for (PetscInt k = 0; k < j; k++) v -= L[j * d + k] * L[j * d + k];
    if (!(v > 1e-14 * (1 + fabs(cov[j * d + j])))) {
      ok = PETSC_FALSE;
      break;
    }
    L[j * d + j] = sqrt(v);
    for (PetscInt i = j + 1; i < d; i++) {
      PetscReal w = cov[i * d + j];
      for (PetscInt k = 0; k < j; k++) w -= L[i * d + k] * L[j * d + k];
      L[i * d + j] = w / L[j * d + j];
    }
  }
  if (!ok) { /* only semidefinite: L = Q sqrt(max(w, 0)) */
    PetscBLASInt n, lwork, info;
    PetscReal   *A, *w, *work;
    PetscCall(PetscBLASIntCast(d, &n));
    lwork = 3 * n + 8;
    PetscCall(PetscMalloc3(d * d, &A, d, &w, lwork, &work));
    PetscCall(PetscArraycpy(A, cov, d * d));
    PetscCallBLAS("LAPACKsyev", LAPACKsyev_("V", "U", &n, A, &n, w, work, &lwork, &info));
    PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK syev failed: %d", (int)info);
    /* column-major eigenvectors: A[k * d + i] is component i of vector k */
    for (PetscInt i = 0; i < d; i++)
      for (PetscInt k = 0; k < d; k++) L[i * d + k] = A[k * d + i] * sqrt(PetscMax(w[k], 0.0));
    PetscCall(PetscFree3(A, w, work));
  }
  PetscCall(PetscFree(cov));
  *D      = d;
  *Lout   = L;
  *sigma2 = s2;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrModelLeadingEigenvalue(MrModel m, PetscReal *wre, PetscReal *wim)
{
  PetscInt     C = m->C;
  PetscBLASInt n, lwork, info, one = 1;
  PetscReal   *A, *wr, *wi, *work, dummy;

  PetscFunctionBegin;
  *wre = *wim = NAN;
  if (C == 0 || C > 4000) PetscFunctionReturn(PETSC_SUCCESS); /* dense LAPACK only for moderate C */
  PetscCall(PetscBLASIntCast(C, &n));
  lwork = 4 * n + 16;
  PetscCall(PetscCalloc4(C * C, &A, C, &wr, C, &wi, lwork, &work));
  /* That[c_out, c_in] = T(c_out, c_in); eigenvalues do not depend on the storage order */
  for (PetscInt e = 0; e < m->nT; e++) A[m->Trow[e] * C + m->Tcol[e]] += m->Tval[e];
  PetscCallBLAS("LAPACKgeev", LAPACKgeev_("N", "N", &n, A, &n, wr, wi, &dummy, &one, &dummy, &one, work, &lwork, &info));
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK geev failed: %d", (int)info);
  PetscInt best = 0;
  for (PetscInt k = 1; k < C; k++)
    if (wr[k] > wr[best] + 1e-12 || (fabs(wr[k] - wr[best]) <= 1e-12 && wi[k] > wi[best])) best = k;
  *wre = wr[best];
  *wim = wi[best];
  PetscCall(PetscFree4(A, wr, wi, work));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrModelUBlocks(MrModel m, PetscInt **offp, PetscReal **Up)
{
  PetscInt   total = 0, *off;
  PetscReal *U;

  PetscFunctionBegin;
  for (PetscInt s = 0; s < m->R; s++) total += (m->inOff[s + 1] - m->inOff[s]) * (m->inOff[s + 1] - m->inOff[s]);
  PetscCall(PetscCalloc2(m->R + 1, &off, total + 1, &U));
  for (PetscInt s = 0; s < m->R; s++) {
    PetscInt   D, nout = m->outOff[s + 1] - m->outOff[s], nin = m->inOff[s + 1] - m->inOff[s];
    PetscReal *cov;
    off[s + 1] = off[s] + nin * nin;
    PetscCall(MrModelRegionCovariance(m, s, 1.0, &D, &cov));
    for (PetscInt i = 0; i < nin; i++)
      for (PetscInt j = 0; j < nin; j++) U[off[s] + i * nin + j] = cov[(nout + i) * D + nout + j];
    PetscCall(PetscFree(cov));
  }
  *offp = off;
  *Up   = U;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscReal MrModelUForm(MrModel m, const PetscInt off[], const PetscReal U[], PetscInt s, const PetscReal a[], const PetscReal b[])
{
  const PetscInt *in = m->inCh + m->inOff[s], nin = m->inOff[s + 1] - m->inOff[s];
  PetscReal       q = 0;
  for (PetscInt i = 0; i < nin; i++)
    for (PetscInt j = 0; j < nin; j++) q += a[in[i]] * U[off[s] + i * nin + j] * b[in[j]];
  return q;
}
