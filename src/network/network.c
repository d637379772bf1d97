/* The realised network and its right-hand side. */
#include "network_impl.h"
#include "../util/util.h"
#include <mrdyn/rng.h>
#include <mrdyn/weights.h>
#include <math.h>

#define MR_SQRT_PI_2 0.88622692545275801365 /* sqrt(pi)/2 */

static inline PetscReal MrPhi(PetscBool tanh_, PetscReal x) { return tanh_ ? tanh(x) : erf(MR_SQRT_PI_2 * x); }
static inline PetscReal MrPhiPrime(PetscBool tanh_, PetscReal x)
{
  if (tanh_) {
    PetscReal t = tanh(x);
    return 1 - t * t;
  }
  return exp(-0.25 * M_PI * x * x);
}

PetscErrorCode MrNetworkCreate(MrModel model, MrLayout L, PetscInt64 seed, MrDisorderType dtype, MrPrecision prec, PetscInt K, PetscInt ntrial, MrNetwork *netp)
{
  MrNetwork net;
  PetscInt  maxN = 1, maxBlocks = 1, maxOut = 1;

  PetscFunctionBegin;
  PetscCall(PetscNew(&net));
  net->comm   = L->comm;
  net->model  = model;
  net->layout = L;
  net->seed   = seed;
  net->nt     = ntrial;
  PetscCall(PetscStrcmp(model->phi, "tanh", &net->tanh_));
  PetscCall(PetscCalloc3(L->nslices + 1, &net->J, L->nslices + 1, &net->vec, L->nslices + 1, &net->xoff));
  for (PetscInt k = 0; k < L->nslices; k++) {
    MrSlice *sl  = &L->slice[k];
    PetscInt r   = sl->region;
    net->xoff[k] = net->nx;
    net->nx += sl->rend - sl->rstart;
    PetscCall(MrDisorderRealise(model, seed, r, sl->rstart, sl->rend, dtype, prec, K, &net->J[k]));
    PetscCall(MrVectorsGenerate(model, seed, r, sl->rstart, sl->rend, &net->vec[k]));
    maxN      = PetscMax(maxN, sl->N);
    maxBlocks = PetscMax(maxBlocks, sl->nblocks);
    maxOut    = PetscMax(maxOut, PetscMax(net->vec[k].nout, 3));
    if (sl->grank == 0)
      for (PetscInt i = model->inOff[r]; i < model->inOff[r + 1]; i++) net->nS += model->inCh[i] < model->Cth; /* residual channels of an imported W have no current */
  }
  net->xoff[L->nslices] = net->nx;
  PetscCall(PetscMalloc1(net->nS + 1, &net->Sch));
  net->nS = 0;
  for (PetscInt k = 0; k < L->nslices; k++) {
    PetscInt r = L->slice[k].region;
    if (L->slice[k].grank) continue;
    for (PetscInt i = model->inOff[r]; i < model->inOff[r + 1]; i++)
      if (model->inCh[i] < model->Cth) net->Sch[net->nS++] = model->inCh[i];
  }
  net->nloc = (net->nx + net->nS) * ntrial;
  /* work arrays hold every trial: value (row or channel) r of trial k at r * ntrial + k */
  PetscCall(PetscMalloc6(net->nx * ntrial + 1, &net->phi, maxN * ntrial, &net->phiFull, maxBlocks * maxOut * ntrial, &net->part, maxBlocks * maxOut * ntrial, &net->work, model->C * ntrial + 1, &net->sbar, maxOut * ntrial, &net->tot));
  PetscCall(PetscMalloc1(model->R, &net->Iamp));
  PetscCall(MrExchangeCreate(L, model, &net->ex));
  PetscCall(MrExchangeSetWidth(net->ex, ntrial));
  PetscCall(MrLogStage("Exchange", &net->stageExchange)); /* one stage for every network of the process */
  PetscCall(MrLogEvent("MrDisorder", TS_CLASSID, &net->evDisorder));
  PetscCall(MrLogEvent("MrProject", TS_CLASSID, &net->evProject));
  PetscCall(MrLogEvent("MrGroupGather", TS_CLASSID, &net->evGather));
  *netp = net;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrNetworkDestroy(MrNetwork *netp)
{
  MrNetwork net = *netp;

  PetscFunctionBegin;
  if (!net) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt k = 0; k < net->layout->nslices; k++) {
    PetscCall(MrDisorderDestroy(&net->J[k]));
    PetscCall(MrVectorsDestroy(&net->vec[k]));
  }
  PetscCall(PetscFree3(net->J, net->vec, net->xoff));
  PetscCall(PetscFree(net->Sch));
  PetscCall(PetscFree6(net->phi, net->phiFull, net->part, net->work, net->sbar, net->tot));
  PetscCall(PetscFree(net->Iamp));
  PetscCall(MrExchangeDestroy(&net->ex));
  PetscCall(MrInputsDestroy(&net->inputs));
  PetscCall(PetscFree(net));
  *netp = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Per-block partial sums of n^c . phi for the out-channels of a slice, per trial:
   part[(b - bstart) * nout * T + o * T + k]. */
static void MrProjectBlocks(const MrSlice *sl, const MrVectors *v, PetscInt T, const PetscReal *phi, PetscReal *part)
{
  const PetscInt nout = v->nout, D = v->D;
  for (PetscInt b = sl->bstart; b < sl->bend; b++) {
    PetscReal *p  = part + (b - sl->bstart) * nout * T;
    PetscInt   i0 = b * MR_ROW_BLOCK - sl->rstart, i1 = PetscMin(i0 + MR_ROW_BLOCK, sl->rend - sl->rstart);
    for (PetscInt o = 0; o < nout * T; o++) p[o] = 0;
    for (PetscInt i = i0; i < i1; i++) {
      const PetscReal *row = v->vec + (size_t)i * D, *ph = phi + (size_t)i * T;
      for (PetscInt o = 0; o < nout; o++)
        for (PetscInt k = 0; k < T; k++) p[o * T + k] += row[o] * ph[k];
    }
  }
}

PetscErrorCode MrNetworkRHS(TS ts, PetscReal t, Vec X, Vec F, void *ctx)
{
  MrNetwork          net = (MrNetwork)ctx;
  MrLayout           L   = net->layout;
  MrModel            m   = net->model;
  const PetscInt     T   = net->nt;
  const PetscScalar *x;
  PetscScalar       *f;
  const PetscReal    itau = 1.0 / m->tau;

  PetscFunctionBegin;
  PetscCall(VecGetArrayRead(X, &x));
  PetscCall(VecGetArray(F, &f));
  MrInputsEval(&net->inputs, t, m->R, net->Iamp);
  /* 1. rates and the outgoing projections Sbar (reduced inside each region group) */
  PetscCall(PetscLogEventBegin(net->evProject, 0, 0, 0, 0));
  for (PetscInt k = 0; k < L->nslices; k++) {
    MrSlice         *sl  = &L->slice[k];
    const MrVectors *v   = &net->vec[k];
    PetscReal       *phi = net->phi + net->xoff[k] * T;
    const PetscReal *xs  = x + net->xoff[k] * T;
    const PetscInt   n = (sl->rend - sl->rstart) * T, s = sl->region;
    for (PetscInt i = 0; i < n; i++) phi[i] = MrPhi(net->tanh_, xs[i]);
    if (!v->nout) continue;
    MrProjectBlocks(sl, v, T, phi, net->part);
    PetscCall(MrLayoutGroupBlockSum(L, sl, v->nout * T, net->part, net->work, net->tot));
    for (PetscInt o = 0; o < v->nout; o++)
      for (PetscInt q = 0; q < T; q++) net->sbar[m->outCh[m->outOff[s] + o] * T + q] = net->tot[o * T + q] / (PetscReal)sl->N;
  }
  PetscCall(PetscLogEventEnd(net->evProject, 0, 0, 0, 0));
  /* 2. only the projections cross region boundaries; they travel while the
        disorder product, which does not need them, is computed */
  PetscCall(PetscLogStagePush(net->stageExchange));
  PetscCall(MrExchangeBegin(net->ex, net->sbar));
  PetscCall(PetscLogStagePop());
  for (PetscInt k = 0; k < L->nslices; k++) {
    MrSlice       *sl = &L->slice[k];
    const PetscInt n  = (sl->rend - sl->rstart) * T;
    PetscReal     *fs = f + net->xoff[k] * T;
    for (PetscInt i = 0; i < n; i++) fs[i] = 0;
    if (net->J[k].present) {
      const PetscReal *full = net->phi + net->xoff[k] * T;
      if (sl->gsize > 1 || net->J[k].ncols != sl->rend - sl->rstart) {
        PetscCall(PetscLogEventBegin(net->evGather, 0, 0, 0, 0));
        PetscCall(MrLayoutGroupAllgather(L, sl, T, net->phi + net->xoff[k] * T, net->phiFull));
        PetscCall(PetscLogEventEnd(net->evGather, 0, 0, 0, 0));
        full = net->phiFull;
      }
      PetscCall(PetscLogEventBegin(net->evDisorder, 0, 0, 0, 0));
      PetscCall(MrDisorderMultAdd(&net->J[k], T, full, fs));
      PetscCall(PetscLogEventEnd(net->evDisorder, 0, 0, 0, 0));
    }
  }
  PetscCall(PetscLogStagePush(net->stageExchange));
  PetscCall(MrExchangeEnd(net->ex, net->sbar));
  PetscCall(PetscLogStagePop());
  /* 3. the incoming low-rank input, per owned row and trial */
  for (PetscInt k = 0; k < L->nslices; k++) {
    MrSlice         *sl = &L->slice[k];
    const MrVectors *v  = &net->vec[k];
    const PetscInt   n = sl->rend - sl->rstart, r = sl->region, D = v->D, nout = v->nout, nin = v->nin;
    const PetscInt  *inCh = m->inCh + m->inOff[r];
    const PetscReal *xs   = x + net->xoff[k] * T;
    PetscReal       *fs   = f + net->xoff[k] * T;
    const PetscReal  Ir   = net->Iamp[r];
    for (PetscInt i = 0; i < n; i++) {
      const PetscReal *row = v->vec + (size_t)i * D + nout;
      for (PetscInt q = 0; q < T; q++) {
        PetscReal a = fs[i * T + q] - xs[i * T + q];
        for (PetscInt j = 0; j < nin; j++) a += row[j] * net->sbar[inCh[j] * T + q];
        if (v->hasInput) a += row[nin] * Ir;
        fs[i * T + q] = a * itau;
      }
    }
  }
  /* 4. the filtered currents, on the leader of each target region */
  for (PetscInt j = 0; j < net->nS; j++)
    for (PetscInt q = 0; q < T; q++) f[(net->nx + j) * T + q] = (net->sbar[net->Sch[j] * T + q] - x[(net->nx + j) * T + q]) * itau;
  net->nrhs++;
  PetscCall(VecRestoreArrayRead(X, &x));
  PetscCall(VecRestoreArray(F, &f));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrNetworkInitialState(MrNetwork net, PetscInt64 seed, const PetscReal S0[], const PetscReal v0[], Vec X)
{
  MrLayout       L = net->layout;
  MrModel        m = net->model;
  const PetscInt T = net->nt;
  PetscScalar   *x;

  PetscFunctionBegin;
  PetscCall(VecGetArray(X, &x));
  for (PetscInt q = 0; q < T; q++) { /* trial q: initial currents S0 + q * C, noise from seed + q */
    const PetscReal *S0q = S0 + q * m->C;
    for (PetscInt k = 0; k < L->nslices; k++) {
      MrSlice         *sl = &L->slice[k];
      const MrVectors *v  = &net->vec[k];
      const PetscInt   r = sl->region, nin = v->nin;
      const PetscInt  *inCh = m->inCh + m->inOff[r];
      const PetscReal  sd   = sqrt(v0[r]);
      for (PetscInt i = 0; i < sl->rend - sl->rstart; i++) {
        const PetscReal *row = v->vec + (size_t)i * v->D + v->nout;
        double           z[4];
        PetscReal        a = 0;
        MrNormal4((uint64_t)(seed + q), MR_STREAM_INITX, (uint64_t)r, (uint64_t)(sl->rstart + i), 0, z);
        for (PetscInt j = 0; j < nin; j++)
          if (inCh[j] < m->Cth) a += row[j] * S0q[inCh[j]]; /* residual channels of an imported W start without a current */
        x[(net->xoff[k] + i) * T + q] = a + sd * z[0];
      }
    }
    for (PetscInt j = 0; j < net->nS; j++) x[(net->nx + j) * T + q] = S0q[net->Sch[j]];
  }
  PetscCall(VecRestoreArray(X, &x));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrNetworkDiagnostics(MrNetwork net, const PetscReal x[], PetscReal var[], PetscReal psi[])
{
  MrLayout       L = net->layout;
  const PetscInt T = net->nt;

  PetscFunctionBegin;
  for (PetscInt k = 0; k < L->nslices; k++) {
    MrSlice         *sl = &L->slice[k];
    const PetscReal *xs = x + net->xoff[k] * T;
    for (PetscInt b = sl->bstart; b < sl->bend; b++) {
      PetscReal *p  = net->part + (b - sl->bstart) * 3 * T;
      PetscInt   i0 = b * MR_ROW_BLOCK - sl->rstart, i1 = PetscMin(i0 + MR_ROW_BLOCK, sl->rend - sl->rstart);
      for (PetscInt q = 0; q < 3 * T; q++) p[q] = 0;
      for (PetscInt i = i0; i < i1; i++)
        for (PetscInt q = 0; q < T; q++) {
          const PetscReal xv = xs[i * T + q];
          p[q] += xv;
          p[T + q] += xv * xv;
          p[2 * T + q] += MrPhiPrime(net->tanh_, xv);
        }
    }
    PetscCall(MrLayoutGroupBlockSum(L, sl, 3 * T, net->part, net->work, net->tot));
    for (PetscInt q = 0; q < T; q++) {
      const PetscReal mean = net->tot[q] / sl->N;
      var[k * T + q]       = net->tot[T + q] / sl->N - mean * mean;
      psi[k * T + q]       = net->tot[2 * T + q] / sl->N;
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrNetworkDot(MrNetwork net, const PetscReal a[], const PetscReal b[], PetscReal dot[])
{
  MrLayout       L = net->layout;
  const PetscInt T = net->nt;

  PetscFunctionBegin;
  for (PetscInt k = 0; k < L->nslices; k++) {
    MrSlice         *sl = &L->slice[k];
    const PetscReal *as = a + net->xoff[k] * T, *bs = b + net->xoff[k] * T;
    for (PetscInt blk = sl->bstart; blk < sl->bend; blk++) { /* fixed blocks: independent of P */
      PetscInt i0 = blk * MR_ROW_BLOCK - sl->rstart, i1 = PetscMin(i0 + MR_ROW_BLOCK, sl->rend - sl->rstart);
      for (PetscInt q = 0; q < T; q++) {
        PetscReal p = 0;
        for (PetscInt i = i0; i < i1; i++) p += as[i * T + q] * bs[i * T + q];
        net->part[(blk - sl->bstart) * T + q] = p;
      }
    }
    PetscCall(MrLayoutGroupBlockSum(L, sl, T, net->part, net->work, net->tot));
    for (PetscInt q = 0; q < T; q++) dot[k * T + q] = net->tot[q] / sl->N;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}
