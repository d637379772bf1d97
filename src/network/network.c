/* The realised network and its right-hand side. */
#include "network_impl.h"
#include <mrdyn/rng.h>
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

PetscErrorCode MrNetworkCreate(MrModel model, MrLayout L, PetscInt64 seed, MrDisorderType dtype, MrPrecision prec, PetscInt K, MrNetwork *netp)
{
  MrNetwork net;
  PetscInt  maxN = 1, maxBlocks = 1, maxOut = 1;

  PetscFunctionBegin;
  PetscCall(PetscNew(&net));
  net->comm   = L->comm;
  net->model  = model;
  net->layout = L;
  net->seed   = seed;
  PetscCall(PetscStrcmp(model->phi, "tanh", &net->tanh_));
  PetscCall(PetscCalloc3(L->nslices + 1, &net->J, L->nslices + 1, &net->vec, L->nslices + 1, &net->xoff));
  for (PetscInt k = 0; k < L->nslices; k++) {
    MrSlice *sl  = &L->slice[k];
    PetscInt r   = sl->region;
    net->xoff[k] = net->nx;
    net->nx += sl->rend - sl->rstart;
    PetscCall(MrDisorderGenerate(seed, r, sl->N, model->g[r], sl->rstart, sl->rend, dtype, prec, K, &net->J[k]));
    PetscCall(MrVectorsGenerate(model, seed, r, sl->rstart, sl->rend, &net->vec[k]));
    maxN      = PetscMax(maxN, sl->N);
    maxBlocks = PetscMax(maxBlocks, sl->nblocks);
    maxOut    = PetscMax(maxOut, PetscMax(net->vec[k].nout, 3));
    if (sl->grank == 0) net->nS += model->inOff[r + 1] - model->inOff[r];
  }
  net->xoff[L->nslices] = net->nx;
  PetscCall(PetscMalloc1(net->nS + 1, &net->Sch));
  net->nS = 0;
  for (PetscInt k = 0; k < L->nslices; k++) {
    PetscInt r = L->slice[k].region;
    if (L->slice[k].grank) continue;
    for (PetscInt i = model->inOff[r]; i < model->inOff[r + 1]; i++) net->Sch[net->nS++] = model->inCh[i];
  }
  net->nloc = net->nx + net->nS;
  PetscCall(PetscMalloc6(net->nx + 1, &net->phi, maxN, &net->phiFull, maxBlocks * maxOut, &net->part, maxBlocks * maxOut, &net->work, model->C + 1, &net->sbar, maxOut, &net->tot));
  PetscCall(PetscMalloc1(model->R, &net->Iamp));
  PetscCall(MrExchangeCreate(L, model, &net->ex));
  PetscCall(PetscLogStageGetId("Exchange", &net->stageExchange)); /* one stage for every network of the process */
  if (net->stageExchange < 0) PetscCall(PetscLogStageRegister("Exchange", &net->stageExchange));
  PetscCall(PetscLogEventRegister("MrDisorder", TS_CLASSID, &net->evDisorder));
  PetscCall(PetscLogEventRegister("MrProject", TS_CLASSID, &net->evProject));
  PetscCall(PetscLogEventRegister("MrGroupGather", TS_CLASSID, &net->evGather));
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

/* Per-block partial sums of n^c . phi for the out-channels of a slice. */
static void MrProjectBlocks(const MrSlice *sl, const MrVectors *v, const PetscReal *phi, PetscReal *part)
{
  const PetscInt nout = v->nout, D = v->D;
  for (PetscInt b = sl->bstart; b < sl->bend; b++) {
    PetscReal *p  = part + (b - sl->bstart) * nout;
    PetscInt   i0 = b * MR_ROW_BLOCK - sl->rstart, i1 = PetscMin(i0 + MR_ROW_BLOCK, sl->rend - sl->rstart);
    for (PetscInt o = 0; o < nout; o++) p[o] = 0;
    for (PetscInt i = i0; i < i1; i++) {
      const PetscReal *row = v->vec + (size_t)i * D;
      for (PetscInt o = 0; o < nout; o++) p[o] += row[o] * phi[i];
    }
  }
}

PetscErrorCode MrNetworkRHS(TS ts, PetscReal t, Vec X, Vec F, void *ctx)
{
  MrNetwork          net = (MrNetwork)ctx;
  MrLayout           L   = net->layout;
  MrModel            m   = net->model;
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
    PetscReal       *phi = net->phi + net->xoff[k];
    const PetscReal *xs  = x + net->xoff[k];
    const PetscInt   n = sl->rend - sl->rstart, s = sl->region;
    for (PetscInt i = 0; i < n; i++) phi[i] = MrPhi(net->tanh_, xs[i]);
    if (!v->nout) continue;
    MrProjectBlocks(sl, v, phi, net->part);
    PetscCall(MrLayoutGroupBlockSum(L, sl, v->nout, net->part, net->work, net->tot));
    for (PetscInt o = 0; o < v->nout; o++) net->sbar[m->outCh[m->outOff[s] + o]] = net->tot[o] / (PetscReal)sl->N;
  }
  PetscCall(PetscLogEventEnd(net->evProject, 0, 0, 0, 0));
  /* 2. only the projections cross region boundaries; they travel while the
        disorder product, which does not need them, is computed */
  PetscCall(PetscLogStagePush(net->stageExchange));
  PetscCall(MrExchangeBegin(net->ex, net->sbar));
  PetscCall(PetscLogStagePop());
  for (PetscInt k = 0; k < L->nslices; k++) {
    MrSlice       *sl = &L->slice[k];
    const PetscInt n  = sl->rend - sl->rstart;
    PetscReal     *fs = f + net->xoff[k];
    for (PetscInt i = 0; i < n; i++) fs[i] = 0;
    if (net->J[k].present) {
      const PetscReal *full = net->phi + net->xoff[k];
      if (sl->gsize > 1 || net->J[k].ncols != n) {
        PetscCall(PetscLogEventBegin(net->evGather, 0, 0, 0, 0));
        PetscCall(MrLayoutGroupAllgather(L, sl, net->phi + net->xoff[k], net->phiFull));
        PetscCall(PetscLogEventEnd(net->evGather, 0, 0, 0, 0));
        full = net->phiFull;
      }
      PetscCall(PetscLogEventBegin(net->evDisorder, 0, 0, 0, 0));
      PetscCall(MrDisorderMultAdd(&net->J[k], full, fs));
      PetscCall(PetscLogEventEnd(net->evDisorder, 0, 0, 0, 0));
    }
  }
  PetscCall(PetscLogStagePush(net->stageExchange));
  PetscCall(MrExchangeEnd(net->ex, net->sbar));
  PetscCall(PetscLogStagePop());
  /* 3. the incoming low-rank input, per owned row */
  for (PetscInt k = 0; k < L->nslices; k++) {
    MrSlice         *sl = &L->slice[k];
    const MrVectors *v  = &net->vec[k];
    const PetscInt   n = sl->rend - sl->rstart, r = sl->region, D = v->D, nout = v->nout, nin = v->nin;
    const PetscInt  *inCh = m->inCh + m->inOff[r];
    const PetscReal *xs   = x + net->xoff[k];
    PetscReal       *fs   = f + net->xoff[k];
    const PetscReal  Ir   = net->Iamp[r];
    for (PetscInt i = 0; i < n; i++) {
      const PetscReal *row = v->vec + (size_t)i * D + nout;
      PetscReal        a   = fs[i] - xs[i];
      for (PetscInt j = 0; j < nin; j++) a += row[j] * net->sbar[inCh[j]];
      if (v->hasInput) a += row[nin] * Ir;
      fs[i] = a * itau;
    }
  }
  /* 4. the filtered currents, on the leader of each target region */
  for (PetscInt j = 0; j < net->nS; j++) f[net->nx + j] = (net->sbar[net->Sch[j]] - x[net->nx + j]) * itau;
  net->nrhs++;
  PetscCall(VecRestoreArrayRead(X, &x));
  PetscCall(VecRestoreArray(F, &f));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrNetworkInitialState(MrNetwork net, PetscInt64 seed, const PetscReal S0[], const PetscReal v0[], Vec X)
{
  MrLayout     L = net->layout;
  MrModel      m = net->model;
  PetscScalar *x;

  PetscFunctionBegin;
  PetscCall(VecGetArray(X, &x));
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
      MrNormal4((uint64_t)seed, MR_STREAM_INITX, (uint64_t)r, (uint64_t)(sl->rstart + i), 0, z);
      for (PetscInt j = 0; j < nin; j++) a += row[j] * S0[inCh[j]];
      x[net->xoff[k] + i] = a + sd * z[0];
    }
  }
  for (PetscInt j = 0; j < net->nS; j++) x[net->nx + j] = S0[net->Sch[j]];
  PetscCall(VecRestoreArray(X, &x));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrNetworkDiagnostics(MrNetwork net, const PetscReal x[], PetscReal var[], PetscReal psi[])
{
  MrLayout L = net->layout;

  PetscFunctionBegin;
  for (PetscInt k = 0; k < L->nslices; k++) {
    MrSlice         *sl = &L->slice[k];
    const PetscReal *xs = x + net->xoff[k];
    PetscReal        tot[3];
    for (PetscInt b = sl->bstart; b < sl->bend; b++) {
      PetscReal *p  = net->part + (b - sl->bstart) * 3;
      PetscInt   i0 = b * MR_ROW_BLOCK - sl->rstart, i1 = PetscMin(i0 + MR_ROW_BLOCK, sl->rend - sl->rstart);
      p[0] = p[1] = p[2] = 0;
      for (PetscInt i = i0; i < i1; i++) {
        p[0] += xs[i];
        p[1] += xs[i] * xs[i];
        p[2] += MrPhiPrime(net->tanh_, xs[i]);
      }
    }
    PetscCall(MrLayoutGroupBlockSum(L, sl, 3, net->part, net->work, tot));
    const PetscReal mean = tot[0] / sl->N;
    var[k]               = tot[1] / sl->N - mean * mean;
    psi[k]               = tot[2] / sl->N;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrNetworkDot(MrNetwork net, const PetscReal a[], const PetscReal b[], PetscReal dot[])
{
  MrLayout L = net->layout;

  PetscFunctionBegin;
  for (PetscInt k = 0; k < L->nslices; k++) {
    MrSlice         *sl = &L->slice[k];
    const PetscReal *as = a + net->xoff[k], *bs = b + net->xoff[k];
    PetscReal        tot;
    for (PetscInt blk = sl->bstart; blk < sl->bend; blk++) { /* fixed blocks: independent of P */
      PetscInt  i0 = blk * MR_ROW_BLOCK - sl->rstart, i1 = PetscMin(i0 + MR_ROW_BLOCK, sl->rend - sl->rstart);
      PetscReal p = 0;
      for (PetscInt i = i0; i < i1; i++) p += as[i] * bs[i];
      net->part[blk - sl->bstart] = p;
    }
    PetscCall(MrLayoutGroupBlockSum(L, sl, 1, net->part, net->work, &tot));
    dot[k] = tot / sl->N;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}
