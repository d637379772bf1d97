/* Current dynamics without disorder (model.md 2a), for batches of initial
   conditions spread over ranks, with the end states classified: fixed points
   (deduplicated, with the eigenvalues of their Jacobian), limit cycles (with
   period), or not converged. */
#include <mrdyn/dmft.h>
#include <mrdyn/rng.h>
#include <petscblaslapack.h>
#include "gauss.h"

typedef struct {
  MrModel         m;
  PetscReal      *Ublk, *v0;
  PetscInt       *Uoff;
  const MrInputs *inputs;
} MrCur;

/* dS/dt = -S + psi_s(Delta_s) (T S + V F), Delta_s = S U S + F_s^2 + v0 e^{-2t}; dF/dt = -F + I. */
static void MrCurRHS(const MrCur *c, PetscReal t, const PetscReal *S, const PetscReal *F, PetscReal *dS, PetscReal *dF, PetscReal *psi)
{
  const MrModel m = c->m;
  for (PetscInt s = 0; s < m->R; s++) {
    const PetscInt *in = m->inCh + m->inOff[s], nin = m->inOff[s + 1] - m->inOff[s];
    PetscReal       D = F[s] * F[s] + c->v0[s] * exp(-2 * t), Iamp = 0;
    for (PetscInt a = 0; a < nin; a++)
      for (PetscInt b = 0; b < nin; b++) D += S[in[a]] * c->Ublk[c->Uoff[s] + a * nin + b] * S[in[b]];
    psi[s] = MrPsi(D);
    if (c->inputs)
      for (PetscInt k = 0; k < c->inputs->n; k++)
        if (c->inputs->region[k] == s && t >= c->inputs->t0[k] && t < c->inputs->t1[k]) Iamp += c->inputs->amp[k];
    dF[s] = -F[s] + Iamp;
  }
  for (PetscInt ch = 0; ch < m->C; ch++) dS[ch] = -S[ch] + (m->V ? psi[m->source[ch]] * m->V[ch] * F[m->source[ch]] : 0);
  for (PetscInt e = 0; e < m->nT; e++) dS[m->Trow[e]] += psi[m->source[m->Trow[e]]] * m->Tval[e] * S[m->Tcol[e]];
}

/* One step of Euler or RK4 on (S, F). */
static void MrCurStep(const MrCur *c, PetscBool rk4, PetscReal t, PetscReal h, PetscReal *S, PetscReal *F, PetscReal *w)
{
  const PetscInt C = c->m->C, R = c->m->R, n = C + R;
  PetscReal     *k1 = w, *k2 = w + n, *k3 = w + 2 * n, *k4 = w + 3 * n, *y = w + 4 * n, *psi = w + 5 * n;
  MrCurRHS(c, t, S, F, k1, k1 + C, psi);
  if (!rk4) {
    for (PetscInt i = 0; i < C; i++) S[i] += h * k1[i];
    for (PetscInt i = 0; i < R; i++) F[i] += h * k1[C + i];
    return;
  }
  for (PetscInt i = 0; i < n; i++) y[i] = (i < C ? S[i] : F[i - C]) + 0.5 * h * k1[i];
  MrCurRHS(c, t + 0.5 * h, y, y + C, k2, k2 + C, psi);
  for (PetscInt i = 0; i < n; i++) y[i] = (i < C ? S[i] : F[i - C]) + 0.5 * h * k2[i];
  MrCurRHS(c, t + 0.5 * h, y, y + C, k3, k3 + C, psi);
  for (PetscInt i = 0; i < n; i++) y[i] = (i < C ? S[i] : F[i - C]) + h * k3[i];
  MrCurRHS(c, t + h, y, y + C, k4, k4 + C, psi);
  for (PetscInt i = 0; i < C; i++) S[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  for (PetscInt i = 0; i < R; i++) F[i] += h / 6 * (k1[C + i] + 2 * k2[C + i] + 2 * k3[C + i] + k4[C + i]);
}

PetscErrorCode MrCurrentsBatch(MPI_Comm comm, MrModel m, const MrInputs *inputs, const PetscReal v0[], PetscInt K, const PetscReal S0[], PetscReal h, PetscInt nsteps, PetscBool rk4, MrCurrentsResult *res)
{
  const PetscInt C = m->C, R = m->R, tail = PetscMax(nsteps / 2, 1);
  MrCur          c;
  PetscMPIInt    rank, size;
  PetscReal     *S, *F, *w, *trace, *dir;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  c.m      = m;
  c.inputs = inputs;
  PetscCall(PetscMalloc1(R, &c.v0));
  PetscCall(PetscArraycpy(c.v0, v0, R));
  PetscCall(MrModelUBlocks(m, &c.Uoff, &c.Ublk));
  PetscCall(PetscCalloc5(K * C + 1, &res->final, K + 1, &res->cls, K + 1, &res->period, K + 1, &res->residual, K + 1, &res->amplitude));
  PetscCall(PetscCalloc1(K * R + 1, &res->finalF));
  PetscCall(PetscMalloc5(C + 1, &S, R + 1, &F, 6 * (C + R) + R + 1, &w, tail + 1, &trace, C + 1, &dir));
  for (PetscInt i = 0; i < C; i++) dir[i] = 1.0 / sqrt((double)C) * (1 + 0.1 * i); /* a generic projection for cycles */
  for (PetscInt k = rank; k < K; k += size) {                                      /* members side by side over the ranks */
    PetscReal t = 0, mean = 0, amp = 0;
    PetscCall(PetscArraycpy(S, S0 + k * C, C));
    for (PetscInt s = 0; s < R; s++) F[s] = 0;
    for (PetscInt j = 0; j < nsteps; j++, t += h) {
      MrCurStep(&c, rk4, t, h, S, F, w);
      if (j >= nsteps - tail) {
        PetscReal p = 0;
        for (PetscInt i = 0; i < C; i++) p += dir[i] * S[i];
        trace[j - (nsteps - tail)] = p;
      }
    }
    PetscCall(PetscArraycpy(res->final + k * C, S, C));
    PetscCall(PetscArraycpy(res->finalF + k * R, F, R));
    MrCurRHS(&c, t, S, F, w, w + C, w + 5 * (C + R));
    for (PetscInt i = 0; i < C; i++) res->residual[k] = PetscMax(res->residual[k], PetscAbsReal(w[i]));
    for (PetscInt i = 0; i < tail; i++) mean += trace[i] / tail;
    for (PetscInt i = 0; i < tail; i++) amp = PetscMax(amp, PetscAbsReal(trace[i] - mean));
    res->amplitude[k] = amp;
    if (res->residual[k] < 1e-8 * (1 + amp))
      res->cls[k] = MR_END_FIXED_POINT;
    else {
      /* upward crossings of the mean in the second half: regular spacing = a cycle */
      PetscReal first = -1, last = -1, dmin = 1e300, dmax = 0, prev = -1;
      PetscInt  n = 0;
      for (PetscInt i = 1; i < tail; i++) {
        if (trace[i - 1] < mean && trace[i] >= mean) {
          PetscReal tc = (i - 1 + (mean - trace[i - 1]) / (trace[i] - trace[i - 1])) * h;
          if (prev >= 0) {
            dmin = PetscMin(dmin, tc - prev);
            dmax = PetscMax(dmax, tc - prev);
          }
          if (first < 0) first = tc;
          last = prev = tc;
          n++;
        }
      }
      if (n >= 3 && dmax - dmin < 0.02 * (last - first) / (n - 1) + 2 * h) {
        res->cls[k]    = MR_END_LIMIT_CYCLE;
        res->period[k] = (last - first) / (n - 1);
      } else
        res->cls[k] = MR_END_NOT_CONVERGED;
    }
  }
  /* gather: every member was computed by exactly one rank, the rest is zero */
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, res->final, (int)(K * C), MPIU_REAL, MPI_SUM, comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, res->cls, (int)K, MPIU_INT, MPI_SUM, comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, res->finalF, (int)(K * R), MPIU_REAL, MPI_SUM, comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, res->period, (int)K, MPIU_REAL, MPI_SUM, comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, res->residual, (int)K, MPIU_REAL, MPI_SUM, comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, res->amplitude, (int)K, MPIU_REAL, MPI_SUM, comm));
  /* distinct fixed points, and the eigenvalues of their Jacobian (central differences) */
  res->nfp = 0;
  PetscCall(PetscMalloc3(K * C + 1, &res->fp, K * C + 1, &res->fpEigRe, K * C + 1, &res->fpEigIm));
  for (PetscInt k = 0; k < K; k++) {
    PetscBool dup = PETSC_FALSE;
    if (res->cls[k] != MR_END_FIXED_POINT) continue;
    for (PetscInt q = 0; q < res->nfp && !dup; q++) {
      PetscReal dist = 0, norm = 0;
      for (PetscInt i = 0; i < C; i++) {
        dist = PetscMax(dist, PetscAbsReal(res->fp[q * C + i] - res->final[k * C + i]));
        norm = PetscMax(norm, PetscAbsReal(res->fp[q * C + i]));
      }
      dup = (PetscBool)(dist < 1e-6 * (1 + norm));
    }
    if (dup) continue;
    PetscCall(PetscArraycpy(res->fp + res->nfp * C, res->final + k * C, C));
    {
      PetscReal   *Jm, *Sp, *Fz, *fp, *fm, *wr, *wi, *work, dummy, tf = nsteps * h;
      PetscBLASInt bn, lwork, info, one = 1;
      PetscCall(PetscMalloc6(C * C, &Jm, C, &Sp, R, &Fz, C + R, &fp, C + R, &fm, 4 * C + 16, &work));
      PetscCall(PetscMalloc2(C, &wr, C, &wi));
      for (PetscInt s = 0; s < R; s++) Fz[s] = res->finalF[k * R + s]; /* the Jacobian in S at the member's filtered input */
      for (PetscInt jj = 0; jj < C; jj++) {
        PetscReal eps = 1e-6 * (1 + PetscAbsReal(res->final[k * C + jj]));
        PetscCall(PetscArraycpy(Sp, res->final + k * C, C));
        Sp[jj] += eps;
        MrCurRHS(&c, tf, Sp, Fz, fp, fp + C, w);
        Sp[jj] -= 2 * eps;
        MrCurRHS(&c, tf, Sp, Fz, fm, fm + C, w);
        for (PetscInt i = 0; i < C; i++) Jm[jj * C + i] = (fp[i] - fm[i]) / (2 * eps); /* column-major */
      }
      PetscCall(PetscBLASIntCast(C, &bn));
      lwork = 4 * bn + 16;
      PetscCallBLAS("LAPACKgeev", LAPACKgeev_("N", "N", &bn, Jm, &bn, wr, wi, &dummy, &one, &dummy, &one, work, &lwork, &info));
      PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK geev failed: %d", (int)info);
      PetscCall(PetscArraycpy(res->fpEigRe + res->nfp * C, wr, C));
      PetscCall(PetscArraycpy(res->fpEigIm + res->nfp * C, wi, C));
      PetscCall(PetscFree6(Jm, Sp, Fz, fp, fm, work));
      PetscCall(PetscFree2(wr, wi));
    }
    res->nfp++;
  }
  PetscCall(PetscFree5(S, F, w, trace, dir));
  PetscCall(PetscFree(c.v0));
  PetscCall(PetscFree2(c.Uoff, c.Ublk));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrCurrentsResultDestroy(MrCurrentsResult *res)
{
  PetscFunctionBegin;
  PetscCall(PetscFree5(res->final, res->cls, res->period, res->residual, res->amplitude));
  PetscCall(PetscFree(res->finalF));
  PetscCall(PetscFree3(res->fp, res->fpEigRe, res->fpEigIm));
  PetscFunctionReturn(PETSC_SUCCESS);
}
