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
  MrSetFromOptions(comm, SNESSetFromOptions(snes)); /* every rank of comm solves the same system */
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

/* ---- Per-region stationary theory with structure (model.md 2c; paper Figs. 3-4) ----
   A region whose structure fixes psi(Delta0) = 1/lambda (Delta0 = Delta0s) and whose
   disorder is g. With y = Delta0 - Delta_inf and A = Delta_inf - g^2 C(Delta0, Delta0, Delta_inf),
   the energy condition V(Delta_inf) = V(Delta0) reads y^2 (1/2 - g^2 Q(y)) = 0 with
     Q(y) = int_0^1 [C(x + y t) - C(x)] / y dt,  x = Delta0 - y,
   a function of Delta0 alone. C is convex on [0, inf), so Q falls from C'(Delta0)/2 at y = 0
   to int_0^Delta0 C / Delta0^2 at y = Delta0: the chaotic root exists exactly for
   g_onset < g < g_end with g_onset^2 = 1/C'(Delta0) = sqrt(1 + pi Delta0) (where the static
   state loses stability: g^2 <phi'^2> = 1) and g_end^2 = 1/(2 Q(Delta0)) (where the
   Sompolinsky-Crisanti-Sommers variance reaches Delta0, so the zero-current state turns stable). */

const char *const MrStationaryBranchNames[] = {"static", "chaos with structure", "chaos", "quiescent"};

PetscReal MrPsiInverse(PetscReal psi) { return MR_2_PI * (1.0 / (psi * psi) - 1.0); }

/* [C(x + d) - C(x)] / d for C(D) = (2/pi) asin(D / K), without cancellation for small d:
   asin(u) - asin(v) = asin((u - v)(u + v) / (u sqrt(1 - v^2) + v sqrt(1 - u^2))). */
static PetscReal MrCorrSlope(PetscReal K, PetscReal x, PetscReal d)
{
  const PetscReal u = (x + d) / K, v = x / K, den = u * sqrt(1 - v * v) + v * sqrt(1 - u * u);
  const PetscReal wd = (u + v) / (K * den), w = wd * d; /* w / d, w */
  return MR_2_PI * wd * (w == 0 ? 1.0 : asin(w) / w);
}

/* Q(y) by composite Gauss-Legendre (8 panels of 16 points; the integrand is analytic on [0, 1]). */
static PetscReal MrStationaryQ(PetscReal Delta0, PetscReal y)
{
  static const PetscReal xg[8] = {0.0950125098376374, 0.2816035507792589, 0.4580167776572274, 0.6178762444026438, 0.7554044083550030, 0.8656312023878318, 0.9445750230732326, 0.9894009349916499};
  static const PetscReal wg[8] = {0.1894506104550685, 0.1826034150449236, 0.1691565193950025, 0.1495959888165767, 0.1246289712555339, 0.0951585116824928, 0.0622535239386479, 0.0271524594117541};
  const PetscReal        K = Delta0 + MR_2_PI, x = Delta0 - y;
  const PetscInt         P = 8;
  PetscReal              q = 0;

  if (y <= 0) return 0.5 / sqrt(1 + M_PI * Delta0); /* C'(Delta0) / 2 */
  for (PetscInt p = 0; p < P; p++)
    for (PetscInt k = 0; k < 16; k++) {
      const PetscReal t = (p + 0.5 + 0.5 * (k < 8 ? -xg[k] : xg[k - 8])) / P; /* node in [p/P, (p+1)/P] */
      q += wg[k % 8] * 0.5 / P * t * MrCorrSlope(K, x, y * t);
    }
  return q;
}

PetscErrorCode MrStationaryCriticalG(PetscReal Delta0s, PetscReal *gOnset, PetscReal *gEnd)
{
  PetscFunctionBegin;
  PetscCheck(Delta0s >= 0 && PetscIsNormalReal(Delta0s + 1), PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Delta0 = %g must be finite and >= 0", (double)Delta0s);
  if (gOnset) *gOnset = pow(1 + M_PI * Delta0s, 0.25);
  if (gEnd) *gEnd = Delta0s > 0 ? 1.0 / sqrt(2 * MrStationaryQ(Delta0s, Delta0s)) : 1.0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrStationaryRegion(PetscReal Delta0s, PetscReal g, MrStationaryPoint *p)
{
  PetscReal g2 = g * g, gOn, gEnd;

  PetscFunctionBegin;
  PetscCheck(g >= 0 && PetscIsNormalReal(g + 1), PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "g = %g must be finite and >= 0", (double)g);
  PetscCall(MrStationaryCriticalG(Delta0s, &gOn, &gEnd));
  p->Delta0s   = Delta0s;
  p->Afp       = Delta0s - g2 * MrCorr(Delta0s, Delta0s, Delta0s);
  p->Delta0Scs = NAN;
  if (g > 1) PetscCall(MrScsDelta0(g, &p->Delta0Scs));
  if (Delta0s > 0 && g <= gOn) { /* chaos suppressed: a fixed point with variance Delta0s */
    p->branch = MR_BRANCH_STATIC;
    p->Delta0 = p->DeltaInf = Delta0s;
    p->A                    = PetscMax(p->Afp, 0.0);
  } else if (Delta0s > 0 && g < gEnd) { /* the root of Q(y) = 1/(2 g^2) on (0, Delta0s), Q decreasing */
    const PetscReal target = 0.5 / g2;
    PetscReal       lo = 0, hi = Delta0s;
    for (PetscInt it = 0; it < 200 && hi - lo > 4e-16 * Delta0s; it++) {
      const PetscReal mid = 0.5 * (lo + hi);
      if (MrStationaryQ(Delta0s, mid) > target)
        lo = mid;
      else
        hi = mid;
    }
    p->Delta0   = Delta0s;
    p->DeltaInf = Delta0s - 0.5 * (lo + hi);
    p->A        = p->DeltaInf - g2 * MrCorr(Delta0s, Delta0s, p->DeltaInf);
    p->branch   = MR_BRANCH_CHAOS_STRUCTURE;
    if (p->A <= 0) { /* not expected (A falls to 0 with Delta_inf at g_end); clip as the paper does */
      p->A      = 0;
      p->branch = MR_BRANCH_CHAOS;
    }
  } else if (g > 1) { /* the structure is lost: currents vanish, Sompolinsky-Crisanti-Sommers chaos */
    p->branch   = MR_BRANCH_CHAOS;
    p->Delta0   = p->Delta0Scs;
    p->DeltaInf = 0;
    p->A        = 0;
  } else { /* no structure and no chaos: x decays to 0 */
    p->branch = MR_BRANCH_QUIESCENT;
    p->Delta0 = p->DeltaInf = p->A = 0;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Delta'' = Delta - g^2 C(Delta0, Delta0, Delta) - A, i.e. the particle in V from rest at Delta0. */
static void MrStationaryForce(const MrStationaryPoint *p, PetscReal g2, const PetscReal y[2], PetscReal f[2])
{
  f[0] = y[1];
  f[1] = y[0] - g2 * MrCorr(p->Delta0, p->Delta0, y[0]) - p->A;
}

PetscErrorCode MrStationaryDeltaTau(const MrStationaryPoint *p, PetscReal g, PetscInt n, PetscReal h, PetscReal delta[])
{
  const PetscInt  sub = (PetscInt)PetscCeilReal(h / 1e-3); /* RK4 substeps of at most 1e-3 */
  const PetscReal k = h / sub, g2 = g * g;
  PetscReal       y[2] = {p->Delta0, 0};
  PetscBool       done = PETSC_FALSE;

  PetscFunctionBegin;
  PetscCheck(n >= 1 && h > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "need n >= 1 points and a step h > 0");
  /* static and quiescent states are exact constants (the particle rests on a hilltop of V:
     integrating would only amplify rounding) */
  if (p->branch == MR_BRANCH_STATIC || p->branch == MR_BRANCH_QUIESCENT) done = PETSC_TRUE;
  delta[0] = p->Delta0;
  for (PetscInt i = 1; i < n; i++) {
    for (PetscInt s = 0; s < sub && !done; s++) {
      PetscReal k1[2], k2[2], k3[2], k4[2], t[2];
      MrStationaryForce(p, g2, y, k1);
      for (int c = 0; c < 2; c++) t[c] = y[c] + 0.5 * k * k1[c];
      MrStationaryForce(p, g2, t, k2);
      for (int c = 0; c < 2; c++) t[c] = y[c] + 0.5 * k * k2[c];
      MrStationaryForce(p, g2, t, k3);
      for (int c = 0; c < 2; c++) t[c] = y[c] + k * k3[c];
      MrStationaryForce(p, g2, t, k4);
      for (int c = 0; c < 2; c++) y[c] += k / 6 * (k1[c] + 2 * k2[c] + 2 * k3[c] + k4[c]);
      /* the exact solution falls monotonically onto the hilltop Delta_inf of V and stays;
         numerically it eventually falls off or turns back: from there on it is Delta_inf */
      if (y[0] <= p->DeltaInf || y[1] >= 0) done = PETSC_TRUE;
    }
    delta[i] = done && p->branch != MR_BRANCH_STATIC && p->branch != MR_BRANCH_QUIESCENT ? p->DeltaInf : y[0];
  }
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
