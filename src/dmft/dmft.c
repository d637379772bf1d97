/* The two-point mean-field engine (model.md 2b).

   Per region s it keeps the current column of Delta(t_i, t_j) and Gamma(t_i, t_j)
   (i <= j), the diagonal Delta(t_i, t_i) for all i, and the history of the drives H
   of its in-channels; a step j builds column j from column j - 1:
     (1 + d/dt') Delta = Gamma,  (1 + d/dt) Gamma = F = g^2 C + sum U H H (+ I I),
     dS/dt = -S + H,  H^{rs} = psi_s (sum_q T_rsq S^{sq} + V_rs F_in^s).
   Work O(Nt^2) and memory O(Nt) per region; the full matrices only on request. */
#include <mrdyn/dmft.h>
#include <mrdyn/rng.h>
#include "gauss.h"
#include "kernels.h"

/* The loops outside the column kernels (kernels.c) are built also for AVX2 and
   picked at load time; every element is computed alone and ISO C17 does not
   contract into FMA, so both versions give the same bits. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#  define MR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#  define MR_CLONES
#endif

typedef struct {
  PetscInt   r, nin, nout;
  PetscReal  g2;
  PetscReal *diag, *Dp, *Dc, *Gp, *Gc, *F, *A; /* length Nt */
  PetscReal *ri;                               /* 1/sqrt(diag + 2/pi), the form the Gaussian integral uses */
  PetscReal *psi, *Ih;                         /* psi_j and input amplitude I_j per step */
  PetscReal *Hin;                              /* nin x Nt, channel-major: Hin[k * Nt + i] */
  PetscReal *Tb;                               /* nout x nin block of T */
  PetscReal *U;                                /* nin x nin (identity if absent) */
  PetscReal *V;                                /* nout: V of the out-channels (0 if none) */
  PetscReal *S, *S0, *w, *hj, *Sp;             /* nin: currents, initial currents, U H_j, H_j, predicted S */
  PetscReal  Fin, v0;                          /* filtered input; initial variance */
  PetscReal *rec;                              /* nref x nlag recorded Delta */
  PetscReal *crow;                             /* Delta(t0, t0 + l) for the classification */
  PetscReal *fullD, *fullG;                    /* Nt x Nt if kept */
} MrDmftRegion;

struct _p_MrDmft {
  MrModel         m;
  MrLayout        L;
  MrExchange      ex;
  MrDmftScheme    scheme;
  PetscReal       h;
  PetscInt        Nt, window, j;
  MrDmftRegion   *reg;
  PetscReal      *hbuf; /* length C */
  const MrInputs *inputs;
  PetscInt        nref, nlag, lagStride, *refStep;
  PetscInt        t0c;  /* step of the classification row; -1: none */
  PetscBool       stop; /* a monitor asked to end the run after this step */
  PetscReal      *cpow; /* c^k of the scan (kernels.h), k <= 8 */
  PetscBool       keepFull, v0set;
};

static PetscInt MrPos(const PetscInt *list, PetscInt n, PetscInt c)
{
  for (PetscInt k = 0; k < n; k++)
    if (list[k] == c) return k;
  return -1;
}

PetscErrorCode MrDmftCreate(MrModel m, MrLayout L, MrDmftScheme scheme, PetscReal h, PetscInt Nt, PetscInt window, MrDmft *dp)
{
  MrDmft d;

  PetscFunctionBegin;
  PetscCall(PetscNew(&d));
  d->m      = m;
  d->L      = L;
  d->scheme = scheme;
  d->h      = h;
  d->Nt     = Nt;
  d->window = window;
  d->t0c    = -1;
  PetscCall(PetscMalloc1(9, &d->cpow));
  d->cpow[0] = 1;
  for (PetscInt k = 1; k < 9; k++) d->cpow[k] = d->cpow[k - 1] * (scheme == MR_DMFT_REFERENCE ? 1 - h : exp(-h));
  PetscCall(PetscCalloc1(L->nslices + 1, &d->reg));
  PetscCall(PetscCalloc1(m->C + 1, &d->hbuf));
  for (PetscInt k = 0; k < L->nslices; k++) {
    MrDmftRegion   *R  = &d->reg[k];
    PetscInt        s  = L->slice[k].region;
    const PetscInt *in = m->inCh + m->inOff[s], *out = m->outCh + m->outOff[s];
    R->r    = s;
    R->nin  = m->inOff[s + 1] - m->inOff[s];
    R->nout = m->outOff[s + 1] - m->outOff[s];
    R->g2   = m->g[s] * m->g[s];
    R->v0   = 1.0;
    PetscCall(PetscCalloc7(Nt, &R->diag, Nt, &R->Dp, Nt, &R->Dc, Nt, &R->Gp, Nt, &R->Gc, Nt, &R->F, Nt, &R->A));
    PetscCall(PetscCalloc4(Nt, &R->psi, Nt, &R->Ih, R->nin * Nt + 1, &R->Hin, Nt, &R->ri));
    PetscCall(PetscCalloc4(R->nout * R->nin + 1, &R->Tb, R->nin * R->nin + 1, &R->U, R->nout + 1, &R->V, 5 * R->nin + 1, &R->S));
    R->S0 = R->S + R->nin;
    R->w  = R->S0 + R->nin;
    R->hj = R->w + R->nin;
    R->Sp = R->hj + R->nin;
    for (PetscInt t = m->TOff[s]; t < m->TOff[s + 1]; t++) {
      PetscInt e                                                                      = m->TIdx[t];
      R->Tb[MrPos(out, R->nout, m->Trow[e]) * R->nin + MrPos(in, R->nin, m->Tcol[e])] = m->Tval[e];
    }
    if (m->hasU) {
      for (PetscInt t = m->UOff[s]; t < m->UOff[s + 1]; t++) {
        PetscInt e                                                                   = m->UIdx[t];
        R->U[MrPos(in, R->nin, m->Urow[e]) * R->nin + MrPos(in, R->nin, m->Ucol[e])] = m->Uval[e];
      }
    } else
      for (PetscInt a = 0; a < R->nin; a++) R->U[a * R->nin + a] = 1.0;
    if (m->V)
      for (PetscInt o = 0; o < R->nout; o++) R->V[o] = m->V[out[o]];
  }
  PetscCall(MrExchangeCreate(L, m, &d->ex));
  *dp = d;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDmftDestroy(MrDmft *dp)
{
  MrDmft d = *dp;

  PetscFunctionBegin;
  if (!d) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt k = 0; k < d->L->nslices; k++) {
    MrDmftRegion *R = &d->reg[k];
    PetscCall(PetscFree7(R->diag, R->Dp, R->Dc, R->Gp, R->Gc, R->F, R->A));
    PetscCall(PetscFree4(R->psi, R->Ih, R->Hin, R->ri));
    PetscCall(PetscFree4(R->Tb, R->U, R->V, R->S));
    PetscCall(PetscFree(R->rec));
    PetscCall(PetscFree(R->crow));
    PetscCall(PetscFree2(R->fullD, R->fullG));
  }
  PetscCall(PetscFree(d->reg));
  PetscCall(PetscFree(d->cpow));
  PetscCall(PetscFree(d->hbuf));
  PetscCall(PetscFree(d->refStep));
  PetscCall(MrExchangeDestroy(&d->ex));
  PetscCall(PetscFree(d));
  *dp = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDmftSetInitial(MrDmft d, const PetscReal S0[], const PetscReal v0[])
{
  PetscFunctionBegin;
  d->v0set = (PetscBool)(v0 != NULL);
  for (PetscInt k = 0; k < d->L->nslices; k++) {
    MrDmftRegion *R = &d->reg[k];
    for (PetscInt a = 0; a < R->nin; a++) R->S0[a] = S0[d->m->inCh[d->m->inOff[R->r] + a]];
    if (v0) R->v0 = v0[R->r];
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDmftSetInputs(MrDmft d, const MrInputs *in)
{
  PetscFunctionBegin;
  d->inputs = in;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDmftSetDeltaRecord(MrDmft d, PetscInt nref, const PetscInt refStep[], PetscInt nlag, PetscInt lagStride)
{
  PetscFunctionBegin;
  d->nref      = nref;
  d->nlag      = nlag;
  d->lagStride = PetscMax(lagStride, 1);
  PetscCall(PetscMalloc1(nref + 1, &d->refStep));
  PetscCall(PetscArraycpy(d->refStep, refStep, nref));
  for (PetscInt k = 0; k < d->L->nslices; k++) {
    PetscCall(PetscMalloc1(nref * nlag + 1, &d->reg[k].rec));
    for (PetscInt i = 0; i < nref * nlag; i++) d->reg[k].rec[i] = NAN;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDmftSetClassifyRow(MrDmft d, PetscInt t0)
{
  PetscFunctionBegin;
  PetscCheck(t0 >= 0 && t0 < d->Nt, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "classification step %" PetscInt_FMT " outside the grid of %" PetscInt_FMT " points", t0, d->Nt);
  PetscCheck(d->window == 0 || d->window > d->Nt - 1 - t0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "a window of %" PetscInt_FMT " lags does not keep the row of step %" PetscInt_FMT " to the end", d->window, t0);
  d->t0c = t0;
  for (PetscInt k = 0; k < d->L->nslices; k++) {
    PetscCall(PetscFree(d->reg[k].crow));
    PetscCall(PetscMalloc1(d->Nt - t0, &d->reg[k].crow));
    for (PetscInt i = 0; i < d->Nt - t0; i++) d->reg[k].crow[i] = NAN;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDmftGetClassifyValue(MrDmft d, PetscInt k, PetscReal *value)
{
  const MrDmftRegion *R  = &d->reg[k];
  const PetscInt      t0 = d->t0c, j = d->j;

  PetscFunctionBegin;
  PetscCheck(t0 >= 0 && j >= t0, PETSC_COMM_SELF, PETSC_ERR_ORDER, "no classification value before step t0");
  *value = R->crow[j - t0] / sqrt(R->diag[t0] * R->diag[j]); /* the same expression as the curve */
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDmftStop(MrDmft d)
{
  PetscFunctionBegin;
  d->stop = PETSC_TRUE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDmftGetClassifyCurve(MrDmft d, PetscInt k, PetscInt *n, PetscReal curve[])
{
  const MrDmftRegion *R  = &d->reg[k];
  const PetscInt      t0 = d->t0c;

  PetscFunctionBegin;
  PetscCheck(t0 >= 0, PETSC_COMM_SELF, PETSC_ERR_ORDER, "MrDmftSetClassifyRow() was not called");
  *n = d->j >= t0 ? d->j - t0 + 1 : 0;
  if (curve)
    for (PetscInt l = 0; l < *n; l++) curve[l] = R->crow[l] / sqrt(R->diag[t0] * R->diag[t0 + l]);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDmftSetKeepFull(MrDmft d, PetscBool keep)
{
  PetscFunctionBegin;
  d->keepFull = keep;
  for (PetscInt k = 0; k < d->L->nslices && keep; k++) PetscCall(PetscCalloc2((size_t)d->Nt * d->Nt, &d->reg[k].fullD, (size_t)d->Nt * d->Nt, &d->reg[k].fullG));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDmftGetState(MrDmft d, PetscInt k, PetscReal *variance, PetscReal *psi, const PetscReal **S)
{
  PetscFunctionBegin;
  *variance = d->reg[k].diag[d->j];
  *psi      = d->reg[k].psi[d->j];
  *S        = d->reg[k].S;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDmftGetLag(MrDmft d, PetscInt k, PetscInt lag, PetscReal *value)
{
  PetscFunctionBegin;
  PetscCheck(lag >= 0 && lag <= d->j && (d->window == 0 || lag < d->window), PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "lag %" PetscInt_FMT " not available", lag);
  *value = d->reg[k].Dp[d->j - lag]; /* the current column (swapped in after the step) */
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDmftGetDelta(MrDmft d, PetscInt k, const PetscReal **delta, const PetscReal **fullD, const PetscReal **fullG)
{
  PetscFunctionBegin;
  if (delta) *delta = d->reg[k].rec;
  if (fullD) *fullD = d->reg[k].fullD;
  if (fullG) *fullG = d->reg[k].fullG;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* H of the out-channels of every owned region from its psi, currents and filtered
   input, then the exchange: afterwards hbuf holds the in-channel drives. */
static PetscErrorCode MrDmftDrives(MrDmft d, const PetscReal *psi, PetscReal *const *S, const PetscReal *Fin)
{
  PetscFunctionBegin;
  for (PetscInt k = 0; k < d->L->nslices; k++) {
    MrDmftRegion   *R   = &d->reg[k];
    const PetscInt *out = d->m->outCh + d->m->outOff[R->r];
    for (PetscInt o = 0; o < R->nout; o++) {
      PetscReal a = R->V[o] * Fin[k];
      for (PetscInt b = 0; b < R->nin; b++) a += R->Tb[o * R->nin + b] * S[k][b];
      d->hbuf[out[o]] = psi[k] * a;
    }
  }
  PetscCall(MrExchangeDo(d->ex, d->hbuf));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* w = U H_j from hbuf (the in-channel drives just exchanged). */
static void MrDmftUH(MrDmft d, MrDmftRegion *R, const PetscReal *h, PetscReal *w)
{
  for (PetscInt a = 0; a < R->nin; a++) {
    PetscReal t = 0;
    for (PetscInt b = 0; b < R->nin; b++) t += R->U[a * R->nin + b] * h[b];
    w[a] = t;
  }
}

static void MrDmftRecord(MrDmft d, MrDmftRegion *R, PetscInt j)
{
  if (d->t0c >= 0 && j >= d->t0c) R->crow[j - d->t0c] = R->Dc[d->t0c];
  for (PetscInt q = 0; q < d->nref; q++) {
    PetscInt i0 = d->refStep[q], lag = j - i0;
    if (d->window > 0 && lag >= d->window) continue; /* outside the kept lags */
    if (lag >= 0 && lag % d->lagStride == 0 && lag / d->lagStride < d->nlag) R->rec[q * d->nlag + lag / d->lagStride] = R->Dc[i0];
  }
  if (d->keepFull)
    for (PetscInt i = 0; i <= j; i++) {
      R->fullD[(size_t)i * d->Nt + j] = R->Dc[i];
      R->fullG[(size_t)i * d->Nt + j] = R->Gc[i];
    }
}

static void MrDmftSwap(MrDmftRegion *R)
{
  PetscReal *t = R->Dp;
  R->Dp        = R->Dc;
  R->Dc        = t;
  t            = R->Gp;
  R->Gp        = R->Gc;
  R->Gc        = t;
}

static PetscReal MrDmftInput(MrDmft d, PetscInt r, PetscReal t)
{
  PetscReal v = 0;
  if (!d->inputs) return 0;
  for (PetscInt k = 0; k < d->inputs->n; k++)
    if (d->inputs->region[k] == r && t >= d->inputs->t0[k] && t < d->inputs->t1[k]) v += d->inputs->amp[k];
  return v;
}

/* The arguments of the column kernels for region R at step j. */
static MrColumnArgs MrDmftColumnArgs(MrDmft d, MrDmftRegion *R, PetscInt lo, PetscInt hi, PetscReal Dj, PetscReal *out)
{
  MrColumnArgs a;
  a.lo    = lo;
  a.hi    = hi;
  a.c1    = 1 - d->h;
  a.h     = d->h;
  a.g2    = R->g2;
  a.rj    = 1.0 / sqrt(Dj + MR_2_PI);
  a.nin   = R->nin;
  a.Nt    = d->Nt;
  a.H     = R->Hin;
  a.w     = R->w;
  a.input = (PetscBool)(d->inputs && d->inputs->n > 0);
  a.Ih    = R->Ih;
  a.Ij    = 0; /* the caller sets I_j */
  a.Dp    = R->Dp;
  a.Gp    = R->Gp;
  a.ri    = R->ri;
  a.Dc    = R->Dc;
  a.out   = out;
  return a;
}

/* F at the diagonal element j, C(Dj, Dj, Dj) + A_j, by the plain kernel on one element. */
static PetscReal MrDmftDiagF(MrDmft d, MrDmftRegion *R, PetscInt j, PetscReal Dj, PetscReal Ij)
{
  MrColumnArgs    a     = MrDmftColumnArgs(d, R, j, j + 1, Dj, R->F);
  const PetscReal dsave = R->Dc[j], rsave = R->ri[j];
  R->Dc[j] = Dj;
  R->ri[j] = a.rj;
  a.Ij     = Ij;
  MrDmftColumnF_ref(&a);
  R->Dc[j] = dsave;
  R->ri[j] = rsave;
  return R->F[j];
}

/* The published recurrence (tests/data/README.md), step for step. */
static PetscErrorCode MrDmftStepReference(MrDmft d, PetscInt j, PetscReal *psiv, PetscReal **Sv, PetscReal *Fv)
{
  const PetscReal h = d->h, c1 = 1 - h;
  const PetscInt  Nt = d->Nt, lo = d->window > 0 ? PetscMax(1, j - d->window) : 1;

  PetscFunctionBegin;
  for (PetscInt k = 0; k < d->L->nslices; k++) {
    MrDmftRegion *R = &d->reg[k];
    R->psi[j]       = MrPsi(R->diag[j - 1]);
    psiv[k]         = R->psi[j - 1]; /* H[j] uses psi[j-1] and S[j-1] */
    Sv[k]           = R->S;
    Fv[k]           = R->Fin;
  }
  PetscCall(MrDmftDrives(d, psiv, Sv, Fv));
  for (PetscInt k = 0; k < d->L->nslices; k++) {
    MrDmftRegion   *R     = &d->reg[k];
    const PetscInt *in    = d->m->inCh + d->m->inOff[R->r];
    const PetscReal Dstar = R->diag[j - 1];
    R->Ih[j]              = MrDmftInput(d, R->r, j * h);
    for (PetscInt a = 0; a < R->nin; a++) {
      R->S[a]            = c1 * R->S[a] + h * R->Hin[a * Nt + j - 1];
      R->hj[a]           = d->hbuf[in[a]];
      R->Hin[a * Nt + j] = R->hj[a];
    }
    R->Fin        = c1 * R->Fin + h * R->Ih[j - 1];
    R->Dc[lo - 1] = c1 * R->Dp[lo - 1] + h * R->Gp[lo - 1];
    MrDmftUH(d, R, R->hj, R->w);
    {
      MrColumnArgs a = MrDmftColumnArgs(d, R, lo, j, Dstar, R->A); /* the increments h F go to A */
      a.Ij           = R->Ih[j];
      MrDmftColumnRef(&a);
      R->A[j] = h * MrDmftDiagF(d, R, j, Dstar, R->Ih[j]);
    }
    R->Gc[lo - 1] = 0;
    MrDmftScan(lo, j, c1, d->cpow, R->A, R->Gc);
    R->diag[j] = R->Dc[j] = c1 * R->Dc[j - 1] + h * R->Gc[j - 1];
    R->ri[j]              = 1.0 / sqrt(R->diag[j] + MR_2_PI);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Second order: exponential trapezoid rules in both times, with the column, the
   diagonal and the currents predicted by exponential Euler. */
MR_CLONES static PetscErrorCode MrDmftStepTrapezoid(MrDmft d, PetscInt j, PetscReal *psiv, PetscReal **Sv, PetscReal *Fv)
{
  const PetscReal h = d->h, e = exp(-h), e2 = exp(-2 * h), hh = 0.5 * h;
  const PetscInt  Nt = d->Nt, lo = d->window > 0 ? PetscMax(1, j - d->window) : 1;

  PetscFunctionBegin;
  for (PetscInt k = 0; k < d->L->nslices; k++) { /* predictor */
    MrDmftRegion *R = &d->reg[k];
    R->Ih[j]        = MrDmftInput(d, R->r, j * h);
    for (PetscInt a = 0; a < R->nin; a++) R->Sp[a] = e * R->S[a] + (1 - e) * R->Hin[a * Nt + j - 1];
    Fv[k] = e * R->Fin + (1 - e) * R->Ih[j - 1];
    for (PetscInt i = lo - 1; i < j; i++) R->Dc[i] = e * R->Dp[i] + (1 - e) * R->Gp[i];
    R->Dc[j] = e2 * R->diag[j - 1] + (1 - e2) * R->Gp[j - 1];
    psiv[k]  = MrPsi(R->Dc[j]);
    Sv[k]    = R->Sp;
  }
  PetscCall(MrDmftDrives(d, psiv, Sv, Fv));
  for (PetscInt k = 0; k < d->L->nslices; k++) { /* corrector */
    MrDmftRegion   *R  = &d->reg[k];
    const PetscInt *in = d->m->inCh + d->m->inOff[R->r];
    const PetscReal Dj = R->Dc[j];
    PetscReal       g0 = 0;
    for (PetscInt a = 0; a < R->nin; a++) {
      R->hj[a]           = d->hbuf[in[a]];
      R->Hin[a * Nt + j] = R->hj[a];
    }
    MrDmftUH(d, R, R->hj, R->w);
    {
      MrColumnArgs a = MrDmftColumnArgs(d, R, lo - 1, j, Dj, R->F);
      a.Ij           = R->Ih[j];
      MrDmftColumnF(&a);
      R->F[j] = MrDmftDiagF(d, R, j, Dj, R->Ih[j]);
    }
    if (lo == 1)
      for (PetscInt a = 0; a < R->nin; a++) g0 += R->S0[a] * R->w[a]; /* Gamma(0, t) = <x(0) xi(t)> */
    R->Gc[lo - 1] = g0;
    for (PetscInt i = lo; i <= j; i++) R->A[i] = hh * (e * R->F[i - 1] + R->F[i]); /* A is free again: the increments */
    MrDmftScan(lo, j, e, d->cpow, R->A, R->Gc);
    for (PetscInt i = lo - 1; i < j; i++) R->Dc[i] = e * R->Dp[i] + hh * (e * R->Gp[i] + R->Gc[i]);
    R->diag[j] = R->Dc[j] = e2 * R->diag[j - 1] + h * (e2 * R->Gp[j - 1] + R->Gc[j]);
    R->ri[j]              = 1.0 / sqrt(R->diag[j] + MR_2_PI);
    for (PetscInt a = 0; a < R->nin; a++) R->S[a] = e * R->S[a] + hh * (e * R->Hin[a * Nt + j - 1] + R->hj[a]);
    R->Fin    = e * R->Fin + hh * (e * R->Ih[j - 1] + R->Ih[j]);
    R->psi[j] = psiv[k] = MrPsi(R->diag[j]);
    Sv[k]               = R->S;
    Fv[k]               = R->Fin;
  }
  PetscCall(MrDmftDrives(d, psiv, Sv, Fv)); /* the drives at t_j from the corrected state */
  for (PetscInt k = 0; k < d->L->nslices; k++) {
    MrDmftRegion   *R  = &d->reg[k];
    const PetscInt *in = d->m->inCh + d->m->inOff[R->r];
    for (PetscInt a = 0; a < R->nin; a++) R->Hin[a * Nt + j] = d->hbuf[in[a]];
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDmftRun(MrDmft d, MrDmftMonitor monitor, void *ctx)
{
  const PetscInt nsl = d->L->nslices, Nt = d->Nt;
  PetscReal     *psiv, *Fv;
  PetscReal    **Sv;

  PetscFunctionBegin;
  PetscCall(PetscMalloc3(nsl + 1, &psiv, nsl + 1, &Fv, nsl + 1, &Sv));
  for (PetscInt k = 0; k < nsl; k++) { /* t = 0 */
    MrDmftRegion *R = &d->reg[k];
    PetscReal     q = 0;
    PetscCall(PetscArraycpy(R->S, R->S0, R->nin));
    R->Fin   = 0;
    R->Ih[0] = MrDmftInput(d, R->r, 0.0);
    if (d->scheme == MR_DMFT_REFERENCE) {
      R->diag[0] = d->v0set ? R->v0 : d->m->g[0] * d->m->g[0]; /* the published code: region 0's g^2 everywhere */
      R->psi[0]  = 0;
    } else {
      for (PetscInt a = 0; a < R->nin; a++)
        for (PetscInt b = 0; b < R->nin; b++) q += R->S0[a] * R->U[a * R->nin + b] * R->S0[b];
      R->diag[0] = q + R->v0; /* x(0) = sum_q m S0 + sqrt(v0) xi */
      R->psi[0]  = MrPsi(R->diag[0]);
    }
    psiv[k] = R->psi[0];
    Sv[k]   = R->S;
    Fv[k]   = 0;
  }
  PetscCall(MrDmftDrives(d, psiv, Sv, Fv));
  for (PetscInt k = 0; k < nsl; k++) {
    MrDmftRegion   *R  = &d->reg[k];
    const PetscInt *in = d->m->inCh + d->m->inOff[R->r];
    PetscReal       g0 = 0;
    if (d->scheme == MR_DMFT_TRAPEZOID) { /* the reference keeps H[0] = 0 */
      for (PetscInt a = 0; a < R->nin; a++) R->hj[a] = R->Hin[a * Nt] = d->hbuf[in[a]];
      MrDmftUH(d, R, R->hj, R->w);
      for (PetscInt a = 0; a < R->nin; a++) g0 += R->S0[a] * R->w[a];
    }
    R->Dc[0] = R->diag[0];
    R->ri[0] = 1.0 / sqrt(R->diag[0] + MR_2_PI);
    R->Gc[0] = g0;
    MrDmftRecord(d, R, 0);
    MrDmftSwap(R);
  }
  d->j = 0;
  if (monitor) PetscCall(monitor(d, 0, ctx));
  for (PetscInt j = 1; j < Nt; j++) {
    if (d->scheme == MR_DMFT_REFERENCE)
      PetscCall(MrDmftStepReference(d, j, psiv, Sv, Fv));
    else
      PetscCall(MrDmftStepTrapezoid(d, j, psiv, Sv, Fv));
    for (PetscInt k = 0; k < nsl; k++) {
      MrDmftRecord(d, &d->reg[k], j);
      MrDmftSwap(&d->reg[k]);
    }
    d->j = j;
    if (monitor) PetscCall(monitor(d, j, ctx));
    if (d->stop) break;
  }
  PetscCall(PetscFree3(psiv, Fv, Sv));
  PetscFunctionReturn(PETSC_SUCCESS);
}
