/* Stationary mean-field theory (model.md 2c): the Sompolinsky-Crisanti-Sommers
   variance, structured fixed points with disorder (PETSc SNES), That's spectrum. */
#include <mrdyn/dmft.h>
#include <petscsnes.h>
#include <petscblaslapack.h>
#include "gauss.h"

PetscReal MrPhiC(PetscReal D0, PetscReal D)
{
  const PetscReal A = (D0 + MR_2_PI) * (D0 + MR_2_PI), r = sqrt(PetscMax(A - D * D, 0.0));
  return MR_2_PI * (r + D * atan2(D, r));
}

/* V(D0) - V(0) divided by D0^2 (well scaled near 0): positive for small D0 when g > 1. */
static PetscReal MrScsResidual(PetscReal g, PetscReal D0) { return (-0.5 * D0 * D0 + g * g * (MrPhiC(D0, D0) - MrPhiC(D0, 0.0))) / (D0 * D0); }

PetscErrorCode MrScsDelta0(PetscReal g, PetscReal *D0)
{
  PetscReal lo = 1e-6, hi = 1.0;

  PetscFunctionBegin;
  MrCheckInput(PETSC_COMM_SELF, g > 1.0, "no chaotic stationary state for g = %g <= 1: the activity decays to x = 0", (double)g);
  while (MrScsResidual(g, lo) <= 0 && lo > 1e-14) lo *= 0.01;
  while (MrScsResidual(g, hi) > 0) hi *= 2;
  for (int it = 0; it < 200 && hi - lo > 1e-16 * hi; it++) {
    PetscReal mid = 0.5 * (lo + hi);
    if (MrScsResidual(g, mid) > 0)
      lo = mid;
    else
      hi = mid;
  }
  *D0 = 0.5 * (lo + hi);
  PetscFunctionReturn(PETSC_SUCCESS);
}

typedef struct {
  MrModel    m;
  PetscReal *Ublk; /* per region dense U (nin x nin), concatenated */
  PetscInt  *Uoff;
} MrStatCtx;

/* Unknowns: S (C), Delta0 (R), Delta_inf (R). */
static PetscErrorCode MrStatResidual(SNES snes, Vec X, Vec F, void *vctx)
{
  MrStatCtx         *ctx = (MrStatCtx *)vctx;
  MrModel            m   = ctx->m;
  const PetscScalar *x;
  PetscScalar       *f;
  const PetscInt     C = m->C, R = m->R;

  PetscFunctionBegin;
  PetscCall(VecGetArrayRead(X, &x));
  PetscCall(VecGetArray(F, &f));
  for (PetscInt c = 0; c < C; c++) f[c] = -x[c];
  for (PetscInt e = 0; e < m->nT; e++) { /* H^{c} = psi_s T S, s = source of the out-channel */
    const PetscInt c = m->Trow[e], s = m->source[c];
    f[c] += MrPsi(x[C + s]) * m->Tval[e] * x[m->Tcol[e]];
  }
  for (PetscInt s = 0; s < R; s++) {
    const PetscReal D0 = x[C + s], Di = x[C + R + s], g2 = m->g[s] * m->g[s];
    const PetscInt *in = m->inCh + m->inOff[s], nin = m->inOff[s + 1] - m->inOff[s];
    PetscReal       A = 0;
    for (PetscInt a = 0; a < nin; a++)
      for (PetscInt b = 0; b < nin; b++) A += x[in[a]] * ctx->Ublk[ctx->Uoff[s] + a * nin + b] * x[in[b]];
    f[C + R + s] = -Di + g2 * MrCorr(D0, D0, Di) + A;
    if (g2 > 0)
      f[C + s] = (-0.5 * D0 * D0 + g2 * MrPhiC(D0, D0) + A * D0) - (-0.5 * Di * Di + g2 * MrPhiC(D0, Di) + A * Di);
    else
      f[C + s] = D0 - Di; /* no disorder: a static state */
  }
  PetscCall(VecRestoreArrayRead(X, &x));
  PetscCall(VecRestoreArray(F, &f));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrStationarySolve(MPI_Comm comm, MrModel m, const PetscReal S[], const PetscReal D0[], const PetscReal Di[], MrStationary *st)
{
  const PetscInt      C = m->C, R = m->R, n = C + 2 * R;
  MrStatCtx           ctx;
  SNES                snes;
  Vec                 X, F;
  Mat                 J;
  PetscScalar        *x;
  SNESConvergedReason reason;

  PetscFunctionBegin;
  (void)comm;
  PetscCall(PetscMemzero(st, sizeof(*st)));
  ctx.m = m;
  PetscCall(MrModelUBlocks(m, &ctx.Uoff, &ctx.Ublk));
  /* a small replicated system: every rank solves it on its own */
  PetscCall(VecCreateSeq(PETSC_COMM_SELF, n, &X));
  PetscCall(VecDuplicate(X, &F));
  PetscCall(VecGetArray(X, &x));
  for (PetscInt c = 0; c < C; c++) x[c] = S[c];
  for (PetscInt s = 0; s < R; s++) {
    x[C + s]     = D0[s];
    x[C + R + s] = Di[s];
  }
  PetscCall(VecRestoreArray(X, &x));
  PetscCall(MatCreateSeqDense(PETSC_COMM_SELF, n, n, NULL, &J));
  PetscCall(SNESCreate(PETSC_COMM_SELF, &snes));
  PetscCall(SNESSetOptionsPrefix(snes, "stationary_"));
  PetscCall(SNESSetFunction(snes, F, MrStatResidual, &ctx));
  PetscCall(SNESSetJacobian(snes, J, J, SNESComputeJacobianDefault, &ctx));
  PetscCall(SNESSetTolerances(snes, 1e-14, 1e-12, 1e-14, 100, 10000));
  {
    KSP ksp;
    PC  pc;
    PetscCall(SNESGetKSP(snes, &ksp));
    PetscCall(KSPSetType(ksp, KSPPREONLY));
    PetscCall(KSPGetPC(ksp, &pc));
    PetscCall(PCSetType(pc, PCSVD)); /* tiny and possibly near-singular: a pseudo-inverse */
  }
  PetscCall(SNESSetFromOptions(snes));
  PetscCall(SNESSolve(snes, NULL, X));
  PetscCall(SNESGetConvergedReason(snes, &reason));
  PetscCall(SNESGetIterationNumber(snes, &st->its));
  PetscCall(SNESComputeFunction(snes, X, F));
  PetscCall(VecNorm(F, NORM_INFINITY, &st->fnorm));
  st->converged = (PetscBool)(reason > 0 || st->fnorm < 1e-10);
  PetscCall(PetscMalloc5(C + 1, &st->S, R, &st->Delta0, R, &st->DeltaInf, R, &st->A, R, &st->psi));
  PetscCall(VecGetArray(X, &x));
  for (PetscInt c = 0; c < C; c++) st->S[c] = x[c];
  for (PetscInt s = 0; s < R; s++) {
    const PetscInt *in = m->inCh + m->inOff[s], nin = m->inOff[s + 1] - m->inOff[s];
    PetscReal       A = 0;
    for (PetscInt a = 0; a < nin; a++)
      for (PetscInt b = 0; b < nin; b++) A += x[in[a]] * ctx.Ublk[ctx.Uoff[s] + a * nin + b] * x[in[b]];
    st->Delta0[s]   = x[C + s];
    st->DeltaInf[s] = x[C + R + s];
    st->A[s]        = A;
    st->psi[s]      = MrPsi(x[C + s]);
  }
  PetscCall(VecRestoreArray(X, &x));
  PetscCall(SNESDestroy(&snes));
  PetscCall(MatDestroy(&J));
  PetscCall(VecDestroy(&X));
  PetscCall(VecDestroy(&F));
  PetscCall(PetscFree2(ctx.Uoff, ctx.Ublk));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrStationaryDestroy(MrStationary *st)
{
  PetscFunctionBegin;
  PetscCall(PetscFree5(st->S, st->Delta0, st->DeltaInf, st->A, st->psi));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrModelThatEigenvalues(MrModel m, PetscInt *n, PetscReal **wrp, PetscReal **wip)
{
  PetscFunctionBegin;
  PetscCall(MrModelThatEigenvaluesEx(m, NULL, NULL, n, wrp, wip));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrModelThatEigenvaluesEx(MrModel m, const PetscReal psi[], const PetscBool silenced[], PetscInt *n, PetscReal **wrp, PetscReal **wip)
{
  const PetscInt C = m->C;
  PetscBLASInt   bn, lwork, info, one = 1;
  PetscReal     *A, *wr, *wi, *work, dummy;
  PetscInt      *perm;
  PetscReal     *key;

  PetscFunctionBegin;
  *n   = 0;
  *wrp = *wip = NULL;
  if (C == 0 || C > 4000) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscBLASIntCast(C, &bn));
  lwork = 4 * bn + 16;
  PetscCall(PetscCalloc4(C * C, &A, C, &wr, C, &wi, lwork, &work));
  for (PetscInt e = 0; e < m->nT; e++) {
    PetscInt s = m->source[m->Trow[e]]; /* the middle region */
    if (silenced && silenced[s]) continue;
    A[m->Trow[e] * C + m->Tcol[e]] += psi ? m->Tval[e] * psi[s] : m->Tval[e];
  }
  PetscCallBLAS("LAPACKgeev", LAPACKgeev_("N", "N", &bn, A, &bn, wr, wi, &dummy, &one, &dummy, &one, work, &lwork, &info));
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK geev failed: %d", (int)info);
  PetscCall(PetscMalloc2(C, &perm, C, &key));
  PetscCall(PetscMalloc2(C, wrp, C, wip));
  for (PetscInt k = 0; k < C; k++) {
    perm[k] = k;
    key[k]  = -wr[k];
  }
  PetscCall(PetscSortRealWithPermutation(C, key, perm));
  for (PetscInt k = 0; k < C; k++) {
    (*wrp)[k] = wr[perm[k]];
    (*wip)[k] = wi[perm[k]];
  }
  *n = C;
  PetscCall(PetscFree2(perm, key));
  PetscCall(PetscFree4(A, wr, wi, work));
  PetscFunctionReturn(PETSC_SUCCESS);
}
