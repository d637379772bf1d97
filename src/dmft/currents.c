/* Current dynamics without disorder (model.md 2a), for batches of initial
   conditions spread over ranks, with the end states classified: fixed points
   (deduplicated, with the eigenvalues of their Jacobian), limit cycles (with
   period), or not converged. Two forms of the input term (model.md section 5):
   the network's (default) and the published notebook's. */
#include <mrdyn/dmft.h>
#include <mrdyn/rng.h>
#include <petscblaslapack.h>
#include "dmft_impl.h"
#include "gauss.h"

typedef struct {
  MrModel         m;
  MrCurrentsForm  form;
  PetscReal      *Ublk, *v0;
  PetscInt       *Uoff;
  const MrInputs *inputs;
} MrCur;

/* The input amplitude I^s(t) of region s. */
static PetscReal MrCurInput(const MrCur *c, PetscInt s, PetscReal t)
{
  PetscReal amp = 0;
  if (c->inputs)
    for (PetscInt k = 0; k < c->inputs->n; k++)
      if (c->inputs->region[k] == s && t >= c->inputs->t0[k] && t < c->inputs->t1[k]) amp += c->inputs->amp[k];
  return amp;
}

/* Delta_s = S U S + J_s^2 + v0 e^{-2t} per region, with J the filtered input F
   (network form) or the input I(t) itself (notebook form); dF/dt = -F + I. */
static void MrCurDelta(const MrCur *c, PetscReal t, const PetscReal *S, const PetscReal *F, PetscReal *Iin, PetscReal *D, PetscReal *dF)
{
  const MrModel m = c->m;
  for (PetscInt s = 0; s < m->R; s++) {
    const PetscInt *in = m->inCh + m->inOff[s], nin = m->inOff[s + 1] - m->inOff[s];
    const PetscReal amp = MrCurInput(c, s, t);
    Iin[s]              = c->form == MR_CURRENTS_NOTEBOOK ? amp : F[s];
    D[s]                = Iin[s] * Iin[s] + c->v0[s] * exp(-2 * t);
    for (PetscInt a = 0; a < nin; a++)
      for (PetscInt b = 0; b < nin; b++) D[s] += S[in[a]] * c->Ublk[c->Uoff[s] + a * nin + b] * S[in[b]];
    if (dF) dF[s] = c->form == MR_CURRENTS_NOTEBOOK ? 0 : -F[s] + amp;
  }
}

/* Network form:  dS/dt = -S + psi_s(Delta_s) (T S + V F).
   Notebook form: dS/dt = -S + psi_s(Delta_s) T S + V I  (no psi on the input, no filter).
   w: 2R scratch. */
static void MrCurRHS(const MrCur *c, PetscReal t, const PetscReal *S, const PetscReal *F, PetscReal *dS, PetscReal *dF, PetscReal *w)
{
  const MrModel m   = c->m;
  PetscReal    *psi = w, *Iin = w + m->R;
  MrCurDelta(c, t, S, F, Iin, psi, dF);
  for (PetscInt s = 0; s < m->R; s++) psi[s] = MrPsi(psi[s]);
  for (PetscInt ch = 0; ch < m->C; ch++) {
    const PetscInt s = m->source[ch];
    dS[ch]           = -S[ch] + (m->V ? (c->form == MR_CURRENTS_NOTEBOOK ? 1 : psi[s]) * m->V[ch] * Iin[s] : 0);
  }
  for (PetscInt e = 0; e < m->nT; e++) dS[m->Trow[e]] += psi[m->source[m->Trow[e]]] * m->Tval[e] * S[m->Tcol[e]];
}

/* The Jacobian d(dS/dt)/dS at (t, S, F), column-major C x C, exact:
   J = -1 + psi_s T + psi'(Delta_s) h dDelta_s/dS with psi' = -(pi/4) psi^3,
   h the psi-scaled bracket of the form and dDelta_s/dS^{sq} = 2 (U S)_q.
   w: 3R + 2C scratch. */
static void MrCurJacobian(const MrCur *c, PetscReal t, const PetscReal *S, const PetscReal *F, PetscReal *J, PetscReal *w)
{
  const MrModel  m   = c->m;
  const PetscInt C   = m->C;
  PetscReal     *psi = w, *Iin = w + m->R, *dpsi = w + 2 * m->R, *h = w + 3 * m->R, *gD = h + C;
  MrCurDelta(c, t, S, F, Iin, psi, NULL);
  for (PetscInt s = 0; s < m->R; s++) {
    const PetscInt *in = m->inCh + m->inOff[s], nin = m->inOff[s + 1] - m->inOff[s];
    psi[s]  = MrPsi(psi[s]);
    dpsi[s] = -0.25 * M_PI * psi[s] * psi[s] * psi[s];
    for (PetscInt a = 0; a < nin; a++) {
      gD[in[a]] = 0;
      for (PetscInt b = 0; b < nin; b++) gD[in[a]] += 2 * c->Ublk[c->Uoff[s] + a * nin + b] * S[in[b]];
    }
  }
  for (PetscInt i = 0; i < C * C; i++) J[i] = 0;
  for (PetscInt ch = 0; ch < C; ch++) {
    J[ch * C + ch] = -1;
    h[ch]          = (m->V && c->form == MR_CURRENTS_NETWORK) ? m->V[ch] * Iin[m->source[ch]] : 0;
  }
  for (PetscInt e = 0; e < m->nT; e++) {
    h[m->Trow[e]] += m->Tval[e] * S[m->Tcol[e]];
    J[m->Tcol[e] * C + m->Trow[e]] += psi[m->source[m->Trow[e]]] * m->Tval[e];
  }
  for (PetscInt ch = 0; ch < C; ch++) {
    const PetscInt s = m->source[ch], *in = m->inCh + m->inOff[s], nin = m->inOff[s + 1] - m->inOff[s];
    for (PetscInt a = 0; a < nin; a++) J[in[a] * C + ch] += dpsi[s] * h[ch] * gD[in[a]];
  }
}

/* One row of the trajectory: t, S (C), Delta (R), psi (R). w: 2R scratch. */
static void MrCurRecord(const MrCur *c, PetscReal t, const PetscReal *S, const PetscReal *F, PetscReal *row, PetscReal *w)
{
  const PetscInt C = c->m->C, R = c->m->R;
  row[0] = t;
  for (PetscInt i = 0; i < C; i++) row[1 + i] = S[i];
  MrCurDelta(c, t, S, F, w, row + 1 + C, NULL);
  for (PetscInt s = 0; s < R; s++) row[1 + C + R + s] = MrPsi(row[1 + C + s]);
}

/* One step of Euler or RK4 on (S, F). */
static void MrCurStep(const MrCur *c, PetscBool rk4, PetscReal t, PetscReal h, PetscReal *S, PetscReal *F, PetscReal *w)
{
  const PetscInt C = c->m->C, R = c->m->R, n = C + R;
  PetscReal     *k1 = w, *k2 = w + n, *k3 = w + 2 * n, *k4 = w + 3 * n, *y = w + 4 * n, *psi = w + 5 * n; /* psi: 2R scratch */
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
  PetscFunctionBegin;
  PetscCall(MrCurrentsBatchForm(comm, m, inputs, MR_CURRENTS_NETWORK, v0, K, S0, h, nsteps, rk4, 0, NULL, NULL, res));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrCurrentsBatchForm(MPI_Comm comm, MrModel m, const MrInputs *inputs, MrCurrentsForm form, const PetscReal v0[], PetscInt K, const PetscReal S0[], PetscReal h, PetscInt nsteps, PetscBool rk4, PetscInt saveEvery, PetscInt *nsave,
                                   PetscReal **traj, MrCurrentsResult *res)
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
  c.form   = form;
  if (traj) { /* member 0 (rank 0's) every saveEvery steps and at the end */
    *nsave = 0;
    *traj  = NULL;
    if (rank == 0) PetscCall(PetscMalloc1((nsteps / saveEvery + 2) * (1 + C + 2 * R), traj));
  }
  PetscCall(PetscMalloc1(R, &c.v0));
  PetscCall(PetscArraycpy(c.v0, v0, R));
  PetscCall(MrModelUBlocks(m, &c.Uoff, &c.Ublk));
  PetscCall(PetscCalloc5(K * C + 1, &res->final, K + 1, &res->cls, K + 1, &res->period, K + 1, &res->residual, K + 1, &res->amplitude));
  PetscCall(PetscCalloc1(K * R + 1, &res->finalF));
  PetscCall(PetscMalloc5(C + 1, &S, R + 1, &F, 6 * (C + R) + 3 * R + 2 * C + 1, &w, tail + 1, &trace, C + 1, &dir));
  for (PetscInt i = 0; i < C; i++) dir[i] = 1.0 / sqrt((double)C) * (1 + 0.1 * i); /* a generic projection for cycles */
  for (PetscInt k = rank; k < K; k += size) {                                      /* members side by side over the ranks */
    PetscReal t = 0, mean = 0, amp = 0;
    PetscCall(PetscArraycpy(S, S0 + k * C, C));
    for (PetscInt s = 0; s < R; s++) F[s] = 0;
    for (PetscInt j = 0; j < nsteps; j++, t += h) {
      if (k == 0 && traj && j % saveEvery == 0) MrCurRecord(&c, t, S, F, *traj + (*nsave)++ * (1 + C + 2 * R), w + 6 * (C + R));
      MrCurStep(&c, rk4, t, h, S, F, w);
      if (j >= nsteps - tail) {
        PetscReal p = 0;
        for (PetscInt i = 0; i < C; i++) p += dir[i] * S[i];
        trace[j - (nsteps - tail)] = p;
      }
    }
    if (k == 0 && traj) MrCurRecord(&c, t, S, F, *traj + (*nsave)++ * (1 + C + 2 * R), w + 6 * (C + R));
    PetscCall(PetscArraycpy(res->final + k * C, S, C));
    PetscCall(PetscArraycpy(res->finalF + k * R, F, R));
    MrCurRHS(&c, t, S, F, w, w + C, w + 6 * (C + R));
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
      PetscReal   *Jm, *wr, *wi, *work, dummy;
      PetscBLASInt bn, lwork, info, one = 1;
      PetscCall(PetscMalloc4(C * C, &Jm, C, &wr, C, &wi, 4 * C + 16, &work));
      /* exact Jacobian in S at the end time and the member's filtered input: a
         zero eigenvalue (a family of fixed points) comes out at rounding level */
      MrCurJacobian(&c, nsteps * h, res->final + k * C, res->finalF + k * R, Jm, w + 6 * (C + R));
      PetscCall(PetscBLASIntCast(C, &bn));
      lwork = 4 * bn + 16;
      PetscCallBLAS("LAPACKgeev", LAPACKgeev_("N", "N", &bn, Jm, &bn, wr, wi, &dummy, &one, &dummy, &one, work, &lwork, &info));
      PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK geev failed: %d", (int)info);
      PetscCall(PetscArraycpy(res->fpEigRe + res->nfp * C, wr, C));
      PetscCall(PetscArraycpy(res->fpEigIm + res->nfp * C, wi, C));
      PetscCall(PetscFree4(Jm, wr, wi, work));
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
