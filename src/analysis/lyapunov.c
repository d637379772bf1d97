/* `mrdyn lyapunov`: the leading k Lyapunov exponents of a realised network.
   The trajectory is simulate's forward Euler step x += dt f(x); k tangent
   vectors follow the tangent map of that same step,
     Q <- Q + (dt / tau) (-Q + W (phi'(x) o Q)),
   with W applied exactly as in the right-hand side (disorder, then the low-rank
   channels through the exchange, k values per channel), and are
   re-orthonormalised every m steps by CholeskyQR2 over the layout's rows. The
   currents S obey dS = (Sbar(x) - S) dt / tau and do not feed back into x: they
   add the exponent log|1 - dt/tau| / dt (C times), reported separately. */
#include <mrdyn/mrdyn.h>
#include <mrdyn/analysis.h>
#include "../network/network_impl.h"
#include <math.h>

static const char *const MrLyapDisorderTypes[] = {"dense", "sparse", "MrDisorderType", "MR_DISORDER_", NULL};
static const char *const MrLyapPrecisions[]    = {"double", "single", "MrPrecision", "MR_PRECISION_", NULL};
static const char *const MrLyapKnown[]         = {"-model",      "-o",         "-force",         "-seed",          "-init_seed", "-dt",       "-t_final", "-t_transient", "-lyap_k", "-lyap_every", "-disorder",
                                                  "-disorder_k", "-precision", "-init_currents", "-init_variance", "-progress",  "-log_view", NULL};

struct _p_MrLyapunov {
  MrNetwork   net;
  MrExchange  ex; /* k values per channel */
  PetscInt    k, nx, every;
  PetscReal   ttrans;
  PetscReal  *dphi;              /* phi'(x) of the owned rows */
  PetscReal  *v, *y;             /* nx x k: phi' o Q and W (phi' o Q) */
  PetscReal  *full;              /* a region's v gathered over its group */
  PetscReal  *part, *work, *tot; /* per-block projections */
  PetscReal  *sbar;              /* C x k */
  PetscReal  *Q, *G, *lr, *acc;  /* the vectors (nx x k), Gram matrix, log R_ii, their sums */
  PetscReal   tacc;              /* time over which acc was summed */
  PetscInt    lastOrth;          /* step count at the last orthonormalisation */
  PetscInt    nq, nrec;          /* running estimates kept (rank 0: tq, run), room for them */
  PetscReal  *tq, *run;
  PetscReal  *gpart, *gwork, *gtot, *gwork2; /* the Gram matrix's block, region and chunk sums */
  PetscInt    gchunk;
  PetscMPIInt rank;
};

static PetscErrorCode MrCholQR(MrLyapunov t, PetscReal logr[]);

PetscErrorCode MrLyapunovCreate(MrNetwork net, PetscInt k, PetscInt every, PetscReal ttrans, PetscInt64 seed, PetscInt maxRecords, MrLyapunov *lyp)
{
  MrLyapunov t;
  MrLayout   L    = net->layout;
  PetscInt   maxN = 1, maxB = 1, maxOut = 1;

  PetscFunctionBegin;
  PetscCheck(k >= 1 && k <= 64 && every >= 1 && maxRecords >= 0 && net->nt == 1, net->comm, PETSC_ERR_ARG_OUTOFRANGE, "Lyapunov exponents need 1 <= k <= 64, every >= 1 and one trial");
  PetscCall(PetscNew(&t));
  t->net    = net;
  t->k      = k;
  t->nx     = net->nx;
  t->every  = every;
  t->ttrans = ttrans;
  t->nrec   = maxRecords;
  for (PetscInt s = 0; s < L->nslices; s++) {
    maxN   = PetscMax(maxN, L->slice[s].N);
    maxB   = PetscMax(maxB, L->slice[s].nblocks);
    maxOut = PetscMax(maxOut, net->vec[s].nout);
  }
  PetscCall(PetscMalloc4(net->nx + 1, &t->dphi, net->nx * k + 1, &t->v, net->nx * k + 1, &t->y, maxN * k, &t->full));
  PetscCall(PetscMalloc4(maxB * maxOut * k, &t->part, maxB * maxOut * k, &t->work, maxOut * k, &t->tot, net->model->C * k + 1, &t->sbar));
  PetscCall(PetscCalloc4(net->nx * k + 1, &t->Q, k * k, &t->G, k, &t->lr, k, &t->acc));
  t->gchunk = PetscMin(net->model->R, PetscMax(1, (1 << 18) / (k * k)));
  PetscCall(PetscMalloc4(maxB * k * k, &t->gpart, maxB * k * k, &t->gwork, L->nslices * k * k + 1, &t->gtot, t->gchunk * k * k, &t->gwork2));
  PetscCall(MrExchangeCreate(L, net->model, &t->ex));
  PetscCall(MrExchangeSetWidth(t->ex, k));
  PetscCallMPI(MPI_Comm_rank(net->comm, &t->rank));
  if (t->rank == 0) PetscCall(PetscMalloc2(maxRecords + 1, &t->tq, (maxRecords + 1) * k, &t->run));
  /* initial vectors: Philox normals keyed by (seed, region, row), orthonormalised */
  for (PetscInt s = 0; s < L->nslices; s++) {
    MrSlice *sl = &L->slice[s];
    for (PetscInt i = sl->rstart; i < sl->rend; i++) MrNormalRow((uint64_t)seed, MR_STREAM_TANGENT, (uint64_t)sl->region, (uint64_t)i, k, t->Q + (net->xoff[s] + i - sl->rstart) * k);
  }
  PetscCall(MrCholQR(t, t->lr));
  PetscCall(MrCholQR(t, t->lr));
  *lyp = t;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrLyapunovDestroy(MrLyapunov *tp)
{
  MrLyapunov t = *tp;

  PetscFunctionBegin;
  if (!t) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(MrExchangeDestroy(&t->ex));
  PetscCall(PetscFree4(t->dphi, t->v, t->y, t->full));
  PetscCall(PetscFree4(t->part, t->work, t->tot, t->sbar));
  PetscCall(PetscFree4(t->Q, t->G, t->lr, t->acc));
  PetscCall(PetscFree4(t->gpart, t->gwork, t->gtot, t->gwork2));
  if (t->rank == 0) PetscCall(PetscFree2(t->tq, t->run));
  PetscCall(PetscFree(t));
  *tp = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Q <- Q + h (-Q + W (phi'(x) o Q)) with h = dt / tau, at the state x (local rows). Collective. */
static PetscErrorCode MrTangentStep(MrLyapunov t, const PetscReal x[], PetscReal h, PetscReal Q[])
{
  MrNetwork      net = t->net;
  MrLayout       L   = net->layout;
  MrModel        m   = net->model;
  const PetscInt K   = t->k;
  PetscBool      tanh_;

  PetscFunctionBegin;
  PetscCall(PetscStrcmp(m->phi, "tanh", &tanh_));
  for (PetscInt i = 0; i < t->nx; i++) {
    const PetscReal th = tanh_ ? tanh(x[i]) : 0;
    t->dphi[i]         = tanh_ ? 1 - th * th : exp(-0.25 * M_PI * x[i] * x[i]);
    for (PetscInt q = 0; q < K; q++) t->v[i * K + q] = t->dphi[i] * Q[i * K + q];
  }
  /* projections n^c . v / N_s per out-channel, summed in fixed row blocks */
  for (PetscInt s = 0; s < L->nslices; s++) {
    MrSlice         *sl   = &L->slice[s];
    const MrVectors *vv   = &net->vec[s];
    const PetscInt   nout = vv->nout, r = sl->region;
    if (!nout) continue;
    for (PetscInt b = sl->bstart; b < sl->bend; b++) {
      PetscReal *p  = t->part + (b - sl->bstart) * nout * K;
      PetscInt   i0 = b * MR_ROW_BLOCK - sl->rstart, i1 = PetscMin(i0 + MR_ROW_BLOCK, sl->rend - sl->rstart);
      for (PetscInt o = 0; o < nout * K; o++) p[o] = 0;
      for (PetscInt i = i0; i < i1; i++) {
        const PetscReal *row = vv->vec + (size_t)i * vv->D, *vi = t->v + (net->xoff[s] + i) * K;
        for (PetscInt o = 0; o < nout; o++)
          for (PetscInt q = 0; q < K; q++) p[o * K + q] += row[o] * vi[q];
      }
    }
    PetscCall(MrLayoutGroupBlockSum(L, sl, nout * K, t->part, t->work, t->tot));
    for (PetscInt o = 0; o < nout; o++)
      for (PetscInt q = 0; q < K; q++) t->sbar[m->outCh[m->outOff[r] + o] * K + q] = t->tot[o * K + q] / (PetscReal)sl->N;
  }
  PetscCall(MrExchangeBegin(t->ex, t->sbar));
  /* disorder J^r v while the projections travel */
  for (PetscInt s = 0; s < L->nslices; s++) {
    MrSlice         *sl   = &L->slice[s];
    const PetscInt   n    = (sl->rend - sl->rstart) * K;
    PetscReal       *ys   = t->y + net->xoff[s] * K;
    const PetscReal *full = t->v + net->xoff[s] * K;
    for (PetscInt i = 0; i < n; i++) ys[i] = 0;
    if (!net->J[s].present) continue;
    if (sl->gsize > 1 || net->J[s].ncols != sl->rend - sl->rstart) {
      PetscCall(MrLayoutGroupAllgather(L, sl, K, t->v + net->xoff[s] * K, t->full));
      full = t->full;
    }
    PetscCall(MrDisorderMultAdd(&net->J[s], K, full, ys));
  }
  PetscCall(MrExchangeEnd(t->ex, t->sbar));
  /* the low-rank input and the Euler update of the tangent vectors */
  for (PetscInt s = 0; s < L->nslices; s++) {
    MrSlice         *sl = &L->slice[s];
    const MrVectors *vv = &net->vec[s];
    const PetscInt   r = sl->region, nin = vv->nin, *inCh = m->inCh + m->inOff[r];
    for (PetscInt i = 0; i < sl->rend - sl->rstart; i++) {
      const PetscReal *row = vv->vec + (size_t)i * vv->D + vv->nout;
      const PetscInt   li  = net->xoff[s] + i;
      for (PetscInt q = 0; q < K; q++) {
        PetscReal a = t->y[li * K + q];
        for (PetscInt j = 0; j < nin; j++) a += row[j] * t->sbar[inCh[j] * K + q];
        Q[li * K + q] += h * (a - Q[li * K + q]);
      }
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* G = Q^T Q in a fixed order (row blocks of MR_ROW_BLOCK within each region,
   then regions in model order), so the exponents have the same bits on any
   number of ranks. Collective. */
static PetscErrorCode MrLyapunovGram(MrLyapunov t)
{
  MrNetwork      net = t->net;
  MrLayout       L   = net->layout;
  const PetscInt K = t->k, K2 = K * K;

  PetscFunctionBegin;
  for (PetscInt s = 0; s < L->nslices; s++) {
    MrSlice *sl = &L->slice[s];
    for (PetscInt b = sl->bstart; b < sl->bend; b++) {
      PetscReal *p  = t->gpart + (b - sl->bstart) * K2;
      PetscInt   i0 = b * MR_ROW_BLOCK - sl->rstart, i1 = PetscMin(i0 + MR_ROW_BLOCK, sl->rend - sl->rstart);
      for (PetscInt q = 0; q < K2; q++) p[q] = 0;
      for (PetscInt i = i0; i < i1; i++) {
        const PetscReal *qi = t->Q + (net->xoff[s] + i) * K;
        for (PetscInt a = 0; a < K; a++)
          for (PetscInt c = a; c < K; c++) p[a * K + c] += qi[a] * qi[c];
      }
    }
    PetscCall(MrLayoutGroupBlockSum(L, sl, K2, t->gpart, t->gwork, t->gtot + s * K2));
  }
  PetscCall(MrLayoutRegionSum(L, K2, t->gtot, t->gchunk, t->gwork2, t->G));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* One Cholesky QR pass: G = Q^T Q, G = R^T R, Q <- Q R^{-1}; returns log R_ii. Collective. */
static PetscErrorCode MrCholQR(MrLyapunov t, PetscReal logr[])
{
  const PetscInt K = t->k;
  PetscReal     *G = t->G, *Q = t->Q;

  PetscFunctionBegin;
  PetscCall(MrLyapunovGram(t));
  /* in place: G's upper triangle becomes R */
  for (PetscInt a = 0; a < K; a++) {
    PetscReal d = G[a * K + a];
    for (PetscInt c = 0; c < a; c++) d -= G[c * K + a] * G[c * K + a];
    PetscCheck(d > 0 && isfinite(d), PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "lyapunov: the tangent vectors became linearly dependent (Gram pivot %g at vector %" PetscInt_FMT "); orthonormalise more often (-lyap_every)", (double)d, a);
    G[a * K + a] = sqrt(d);
    for (PetscInt b = a + 1; b < K; b++) {
      PetscReal e = G[a * K + b];
      for (PetscInt c = 0; c < a; c++) e -= G[c * K + a] * G[c * K + b];
      G[a * K + b] = e / G[a * K + a];
    }
    logr[a] = log(G[a * K + a]);
  }
  /* each row q solves x R = q (forward substitution over columns) */
  for (PetscInt i = 0; i < t->nx; i++) {
    PetscReal *q = Q + i * K;
    for (PetscInt b = 0; b < K; b++) {
      PetscReal e = q[b];
      for (PetscInt a = 0; a < b; a++) e -= q[a] * G[a * K + b];
      q[b] = e / G[b * K + b];
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* CholeskyQR2 (the second pass restores orthogonality); after the transient the
   logarithms of R's diagonal are summed and a running estimate recorded. */
static PetscErrorCode MrLyapunovOrthonormalise(MrLyapunov t, PetscInt steps, PetscReal tnow)
{
  PetscReal lr2[64];

  PetscFunctionBegin;
  PetscCall(MrCholQR(t, t->lr));
  PetscCall(MrCholQR(t, lr2));
  t->lastOrth = steps;
  if (tnow > t->ttrans + 1e-9 * PetscAbsReal(tnow)) {
    for (PetscInt a = 0; a < t->k; a++) t->acc[a] += t->lr[a] + lr2[a];
    t->tacc = tnow - t->ttrans;
    if (t->rank == 0 && t->nq < t->nrec) {
      t->tq[t->nq] = tnow;
      for (PetscInt a = 0; a < t->k; a++) t->run[t->nq * t->k + a] = t->acc[a] / t->tacc;
    }
    t->nq = PetscMin(t->nq + 1, t->nrec);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrLyapunovStep(MrLyapunov t, PetscInt step, PetscReal time, PetscReal h, const PetscReal x[])
{
  PetscFunctionBegin;
  PetscCall(MrTangentStep(t, x, h / t->net->model->tau, t->Q));
  if ((step + 1) % t->every == 0) PetscCall(MrLyapunovOrthonormalise(t, step + 1, time + h));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrLyapunovFinish(MrLyapunov t, PetscInt steps, PetscReal tnow)
{
  PetscFunctionBegin;
  if (t->lastOrth != steps) PetscCall(MrLyapunovOrthonormalise(t, steps, tnow));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrLyapunovGetExponents(MrLyapunov t, PetscReal ex[], PetscReal *tacc)
{
  PetscFunctionBegin;
  for (PetscInt a = 0; a < t->k; a++) ex[a] = t->tacc > 0 ? t->acc[a] / t->tacc : NAN;
  if (tacc) *tacc = t->tacc;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrLyapunovWrite(MrLyapunov t, MrOutput o, PetscReal dt)
{
  MPI_Comm   comm = t->net->comm;
  PetscInt   K = t->k, nq = t->nq;
  hsize_t    dk = (hsize_t)K, dq = (hsize_t)nq, dr[2] = {(hsize_t)nq, (hsize_t)K};
  PetscReal *ex, *chg;

  PetscFunctionBegin;
  MrCheckInput(comm, nq > 0 && t->tacc > 0, "lyapunov: nothing was accumulated (t_transient too close to t_final)");
  PetscCall(PetscMalloc1(K, &ex));
  PetscCall(MrLyapunovGetExponents(t, ex, NULL));
  PetscCall(MrOutputWriteRoot(o, "/lyapunov/exponents", H5T_NATIVE_DOUBLE, 1, &dk, ex));
  PetscCall(MrOutputWriteRoot(o, "/lyapunov/time", H5T_NATIVE_DOUBLE, 1, &dq, t->tq));
  PetscCall(MrOutputWriteRoot(o, "/lyapunov/running", H5T_NATIVE_DOUBLE, 2, dr, t->run));
  PetscCall(MrOutputAttrInt(o, "lyap_k", K));
  PetscCall(MrOutputAttrInt(o, "lyap_every", t->every));
  PetscCall(MrOutputAttrReal(o, "t_transient", t->ttrans));
  PetscCall(MrOutputAttrReal(o, "t_accumulated", t->tacc));
  PetscCall(MrOutputAttrReal(o, "current_exponent", log(PetscAbsReal(1 - dt / t->net->model->tau)) / dt));
  /* convergence: how much each running estimate moved over the last quarter of
     the accumulation (rank 0 holds the running estimates) */
  PetscCall(PetscCalloc1(K, &chg));
  if (t->rank == 0) {
    PetscInt q = 0;
    while (q < nq - 1 && t->tq[q] - t->ttrans < 0.75 * t->tacc) q++;
    for (PetscInt a = 0; a < K; a++) chg[a] = t->run[(nq - 1) * K + a] - t->run[q * K + a];
  }
  PetscCallMPI(MPI_Bcast(chg, (int)K, MPIU_REAL, 0, comm));
  PetscCall(MrOutputAttrRealArray(o, "running_change_last_quarter", K, chg));
  PetscCall(PetscPrintf(comm, "  Lyapunov exponents (per tau):"));
  for (PetscInt a = 0; a < PetscMin(K, 16); a++) PetscCall(PetscPrintf(comm, " %.5f", (double)ex[a]));
  PetscCall(PetscPrintf(comm, "\n  change of the running estimates over the last quarter:"));
  for (PetscInt a = 0; a < PetscMin(K, 16); a++) PetscCall(PetscPrintf(comm, " %+.5f", (double)chg[a]));
  PetscCall(PetscPrintf(comm, "\n  (the C currents add %.5f each)\n", (double)(log(PetscAbsReal(1 - dt / t->net->model->tau)) / dt)));
  PetscCall(PetscFree(chg));
  PetscCall(PetscFree(ex));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The owned rows as pieces of the global neuron order (slices ascend by region). */
static PetscErrorCode MrLyapunovPieces(MrLyapunov t, hsize_t *ntot, hsize_t **r0, hsize_t **nr)
{
  MrLayout   L   = t->net->layout;
  MrModel    m   = t->net->model;
  PetscInt64 off = 0;

  PetscFunctionBegin;
  PetscCall(PetscMalloc2(L->nslices + 1, r0, L->nslices + 1, nr));
  for (PetscInt r = 0, s = 0; r < m->R; r++) {
    if (s < L->nslices && L->slice[s].region == r) {
      (*r0)[s] = (hsize_t)(off + L->slice[s].rstart);
      (*nr)[s] = (hsize_t)(L->slice[s].rend - L->slice[s].rstart);
      s++;
    }
    off += m->N[r];
  }
  *ntot = (hsize_t)off;
  PetscFunctionReturn(PETSC_SUCCESS);
}

#define MR_LYAP_HEAD 4 /* tacc, last orthonormalisation, records, t_transient */
PetscErrorCode MrLyapunovSave(MrLyapunov t, MrOutput ck)
{
  hsize_t   *r0, *nr, dims[2], dk = (hsize_t)t->k;
  PetscReal *state;

  PetscFunctionBegin;
  PetscCall(MrLyapunovPieces(t, &dims[0], &r0, &nr));
  dims[1] = (hsize_t)t->k;
  PetscCall(MrOutputWritePieces(ck, "/lyapunov/Q", 2, dims, t->net->layout->nslices, r0, nr, t->Q));
  PetscCall(MrOutputWriteRoot(ck, "/lyapunov/acc", H5T_NATIVE_DOUBLE, 1, &dk, t->acc));
  PetscCall(PetscMalloc1(MR_LYAP_HEAD + (t->rank == 0 ? t->nq * (1 + t->k) : 0), &state));
  state[0] = t->tacc;
  state[1] = (PetscReal)t->lastOrth;
  state[2] = (PetscReal)t->nq;
  state[3] = t->ttrans;
  if (t->rank == 0) { /* the running estimates ride along: (tq, run) per record */
    for (PetscInt q = 0; q < t->nq; q++) {
      state[MR_LYAP_HEAD + q * (1 + t->k)] = t->tq[q];
      for (PetscInt a = 0; a < t->k; a++) state[MR_LYAP_HEAD + q * (1 + t->k) + 1 + a] = t->run[q * t->k + a];
    }
  }
  dk = (hsize_t)(MR_LYAP_HEAD + t->nq * (1 + t->k));
  PetscCall(MrOutputWriteRoot(ck, "/lyapunov/state", H5T_NATIVE_DOUBLE, 1, &dk, state));
  PetscCall(PetscFree(state));
  PetscCall(PetscFree2(r0, nr));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrLyapunovLoad(MrLyapunov t, MrOutput ck)
{
  hsize_t  *r0, *nr, dims[2], z = 0, nh = MR_LYAP_HEAD, n;
  PetscReal head[MR_LYAP_HEAD], *state;

  PetscFunctionBegin;
  PetscCall(MrLyapunovPieces(t, &dims[0], &r0, &nr));
  dims[1] = (hsize_t)t->k;
  PetscCall(MrOutputReadPiecesFinite(ck, "/lyapunov/Q", 2, dims, t->net->layout->nslices, r0, nr, t->Q));
  dims[0] = (hsize_t)t->k;
  PetscCall(MrOutputReadPiecesFinite(ck, "/lyapunov/acc", 1, dims, 1, &z, dims, t->acc));
  {
    /* the length follows from the record count in the head */
    hid_t   d   = H5Dopen2(MrOutputFile(ck), "/lyapunov/state", H5P_DEFAULT);
    hid_t   sp  = d >= 0 ? H5Dget_space(d) : -1;
    hsize_t len = 0;
    if (sp >= 0) H5Sget_simple_extent_dims(sp, &len, NULL);
    if (sp >= 0) H5Sclose(sp);
    if (d >= 0) H5Dclose(d);
    MrCheckInput(t->net->comm, len >= MR_LYAP_HEAD, "-restart: the checkpoint has no Lyapunov state (written without -analysis lyapunov?)");
    n = len;
  }
  PetscCall(MrOutputReadPiecesFinite(ck, "/lyapunov/state", 1, &n, 1, &z, &nh, head));
  MrCheckInput(t->net->comm, head[1] == floor(head[1]) && head[1] >= -1 && head[1] <= PETSC_MAX_INT && head[2] == floor(head[2]) && head[2] >= 0 && head[2] <= t->nrec,
               "-restart: the checkpoint's Lyapunov state is malformed (step %.17g, %.17g records)", (double)head[1], (double)head[2]);
  t->tacc     = head[0];
  t->lastOrth = (PetscInt)head[1];
  t->nq       = (PetscInt)head[2];
  MrCheckInput(t->net->comm, head[3] == t->ttrans, "-restart: the checkpoint was written with -t_transient %g, this run has %g; give the same value", (double)head[3], (double)t->ttrans);
  MrCheckInput(t->net->comm, n == (hsize_t)(MR_LYAP_HEAD + t->nq * (1 + t->k)) && t->nq <= t->nrec, "-restart: the checkpoint's Lyapunov state is malformed");
  PetscCall(PetscMalloc1(n, &state));
  PetscCall(MrOutputReadPieces(ck, "/lyapunov/state", 1, &n, 1, &z, &n, state));
  if (t->rank == 0)
    for (PetscInt q = 0; q < t->nq; q++) {
      t->tq[q] = state[MR_LYAP_HEAD + q * (1 + t->k)];
      for (PetscInt a = 0; a < t->k; a++) t->run[q * t->k + a] = state[MR_LYAP_HEAD + q * (1 + t->k) + 1 + a];
    }
  PetscCall(PetscFree(state));
  PetscCall(PetscFree2(r0, nr));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrLyapunovVerb(MPI_Comm comm)
{
  char           model[PETSC_MAX_PATH_LEN] = "", out[PETSC_MAX_PATH_LEN] = "";
  PetscBool      force = PETSC_FALSE, help, set;
  PetscInt       K = 4, every = 10, dK = 100, nS0 = 0, nv0 = 0, nsteps;
  PetscInt64     seed = 1, iseed = -1;
  PetscReal      dt = 0.05, tfinal = 100, ttrans = 20, progress = 5, *S0in, *v0in, *S0, *v0, *cost;
  MrDisorderType dtype = MR_DISORDER_DENSE;
  MrPrecision    prec  = MR_PRECISION_DOUBLE;
  MrModel        m     = NULL;
  MrLayout       L     = NULL;
  MrNetwork      net   = NULL;
  MrLyapunov     tg    = NULL;
  Vec            X, F;
  MrOutput       o;
  PetscMPIInt    rank, size;
  PetscLogDouble w0, wl, now;

  PetscFunctionBegin;
  PetscCall(MrCheckChoice(comm, "-disorder", MrLyapDisorderTypes, 2));
  PetscCall(MrCheckChoice(comm, "-precision", MrLyapPrecisions, 2));
  PetscCall(PetscMalloc2(1 << 16, &S0in, 1 << 16, &v0in));
  PetscOptionsBegin(comm, NULL, "mrdyn lyapunov: leading Lyapunov exponents of a realised network", NULL);
  PetscCall(PetscOptionsString("-model", "model file", NULL, model, model, sizeof(model), NULL));
  PetscCall(PetscOptionsString("-o", "output file", NULL, out, out, sizeof(out), NULL));
  PetscCall(MrOptionsBool("-force", "overwrite an existing output file", force, &force, NULL));
  PetscCall(MrOptionsInt64("-seed", "network realisation, as simulate", seed, &seed, NULL, 0, MR_SEED_MAX));
  PetscCall(MrOptionsInt64("-init_seed", "initial-state draw (-1: -seed), as simulate", iseed, &iseed, NULL, -1, MR_SEED_MAX));
  PetscCall(MrOptionsReal("-dt", "Euler step (units of tau)", dt, &dt, NULL));
  PetscCall(MrOptionsReal("-t_final", "duration", tfinal, &tfinal, NULL));
  PetscCall(MrOptionsReal("-t_transient", "time before the exponents are accumulated (tangent vectors align meanwhile)", ttrans, &ttrans, NULL));
  PetscCall(MrOptionsInt("-lyap_k", "number of exponents (tangent vectors), 1 to 64", K, &K, NULL, 1, 64));
  PetscCall(MrOptionsInt("-lyap_every", "Euler steps between re-orthonormalisations", every, &every, NULL, 1, PETSC_MAX_INT));
  PetscCall(PetscOptionsEnum("-disorder", "within-region disorder, as simulate", NULL, MrLyapDisorderTypes, (PetscEnum)dtype, (PetscEnum *)&dtype, NULL));
  PetscCall(MrOptionsInt("-disorder_k", "nonzeros per row of sparse disorder", dK, &dK, NULL, 1, PETSC_MAX_INT));
  PetscCall(PetscOptionsEnum("-precision", "storage of dense disorder, as simulate", NULL, MrLyapPrecisions, (PetscEnum)prec, (PetscEnum *)&prec, NULL));
  nS0 = 1 << 16;
  PetscCall(MrOptionsRealArray("-init_currents", "initial currents, as simulate", "N(0,1) draws", S0in, &nS0, &set));
  if (!set) nS0 = 0;
  nv0 = 1 << 16;
  PetscCall(MrOptionsRealArray("-init_variance", "initial variance of x, as simulate", "1", v0in, &nv0, &set));
  if (!set) nv0 = 0;
  PetscCall(MrOptionsReal("-progress", "seconds between progress lines (0: none)", progress, &progress, NULL));
  PetscOptionsEnd();
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  if (help) {
    PetscCall(PetscFree2(S0in, v0in));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(MrCheckUnusedOptions(comm, MrLyapKnown));
  MrCheckInput(comm, model[0], "lyapunov: no model file given (-model FILE)");
  MrCheckInput(comm, out[0], "lyapunov: no output file given (-o FILE)");
  MrCheckInput(comm, isfinite(dt) && dt > 0 && dt < 1, "-dt %g must be in (0, 1)", (double)dt);
  MrCheckInput(comm, isfinite(tfinal) && tfinal > 0, "-t_final %g must be > 0", (double)tfinal);
  /* steps are counted in PetscInt (and step * dt must stay exact enough) */
  MrCheckInput(comm, ceil(tfinal / dt - 1e-9) <= (double)PETSC_MAX_INT - 1, "-t_final %g / -dt %g = %.4g Euler steps: more than this build's PETSc counts (%" PetscInt_FMT "); raise -dt or shorten -t_final", (double)tfinal, (double)dt,
               ceil(tfinal / dt - 1e-9), (PetscInt)(PETSC_MAX_INT - 1));
  MrCheckInput(comm, ttrans >= 0 && ttrans < tfinal, "-t_transient %g must be in [0, t_final)", (double)ttrans);
  PetscCall(MrModelLoadNetwork(comm, model, &m)); /* with /weights: the imported W itself */
  PetscCall(MrWeightsCheckDisorder(m, dtype, "lyapunov"));
  {
    PetscInt64 n = 0;
    for (PetscInt r = 0; r < m->R; r++) n += m->N[r];
    MrCheckInput(comm, K <= n, "-lyap_k %" PetscInt_FMT " exceeds the %" PetscInt64_FMT " neurons", K, n);
  }
  MrCheckInput(comm, nS0 == 0 || nS0 == m->Cth, "-init_currents has %" PetscInt_FMT " values but the model has C = %" PetscInt_FMT " channels", nS0, m->Cth);
  MrCheckInput(comm, nv0 == 0 || nv0 == 1 || nv0 == m->R, "-init_variance has %" PetscInt_FMT " values; give 1 or R = %" PetscInt_FMT, nv0, m->R);
  PetscCall(PetscMalloc3(m->C + 1, &S0, m->R, &v0, m->R, &cost));
  MrInitialCurrents(iseed >= 0 ? iseed : seed, m->Cth, nS0, S0in, S0);
  for (PetscInt r = 0; r < m->R; r++) {
    const PetscReal N = (PetscReal)m->N[r];
    v0[r]             = nv0 == 0 ? 1.0 : v0in[nv0 == 1 ? 0 : r];
    MrCheckInput(comm, v0[r] >= 0, "-init_variance: value %g is negative", (double)v0[r]);
    if (dtype == MR_DISORDER_SPARSE) MrCheckInput(comm, dK >= 1 && dK <= m->N[r], "-disorder_k %" PetscInt_FMT " must be between 1 and N = %" PetscInt_FMT " of region %" PetscInt_FMT, dK, m->N[r], r);
    cost[r] = N * (m->outOff[r + 1] - m->outOff[r] + m->inOff[r + 1] - m->inOff[r] + 1) + (m->g[r] > 0 ? (dtype == MR_DISORDER_DENSE ? N * N * (prec == MR_PRECISION_SINGLE ? 0.5 : 1.0) : N * dK) : 0);
  }
  /* the same layout as simulate: the same rows per rank, the same bits */
  PetscCall(MrLayoutCreate(comm, m, cost, 0, &L));
  {
    PetscReal   mine = 0, node, phys;
    PetscMPIInt nlocal;
    for (PetscInt s = 0; s < L->nslices; s++) {
      const MrSlice *sl = &L->slice[s];
      mine += (sl->rend - sl->rstart) * (8.0 * (m->g[sl->region] > 0 ? (dtype == MR_DISORDER_DENSE ? sl->N : 2 * dK) : 0) + 8.0 * (4 * K + 16)) + 8.0 * sl->N * K;
    }
    PetscCall(MrLayoutNodeMemory(L, mine, &node, &phys, &nlocal));
    MrCheckInput(comm, node < 0.9 * phys, "lyapunov: the network and %" PetscInt_FMT " tangent vectors need %.3g GB on one node but it has %.3g GB", K, node / 1e9, phys / 1e9);
  }
  PetscCall(MrOutputCheckPathInputs(comm, out, (const char *const[]){model, NULL}, force));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));

  PetscCall(MrNetworkCreate(m, L, seed, dtype, prec, dK, 1, &net));
  PetscCall(VecCreateMPI(comm, net->nloc, PETSC_DETERMINE, &X));
  PetscCall(VecDuplicate(X, &F));
  PetscCall(MrNetworkInitialState(net, iseed >= 0 ? iseed : seed, S0, v0, X));
  nsteps = (PetscInt)ceil(tfinal / dt - 1e-9);
  PetscCall(MrLyapunovCreate(net, K, every, ttrans, seed, nsteps / every + 2, &tg));
  PetscCall(PetscPrintf(comm, "mrdyn lyapunov: %" PetscInt_FMT " exponents, R = %" PetscInt_FMT ", %d ranks, Euler dt = %g to t = %g (accumulated after t = %g), orthonormalised every %" PetscInt_FMT " steps\n", K, m->R, size, (double)dt,
                        (double)tfinal, (double)ttrans, every));
  PetscCall(PetscTime(&w0));
  wl = w0;
  for (PetscInt step = 0; step < nsteps; step++) {
    const PetscScalar *x;
    /* the tangent map at x_n, then the step x_{n+1} = x_n + dt f(x_n) */
    PetscCall(MrNetworkRHS(NULL, step * dt, X, F, net));
    PetscCall(VecGetArrayRead(X, &x));
    PetscCall(MrLyapunovStep(tg, step, step * dt, dt, x));
    PetscCall(VecRestoreArrayRead(X, &x));
    PetscCall(VecAYPX(F, dt, X)); /* F <- X + dt F: the arithmetic of PETSc's TSEULER */
    PetscCall(VecCopy(F, X));
    PetscCall(PetscTime(&now));
    if (progress > 0 && now - wl >= progress) {
      PetscReal ex[64], tacc;
      PetscCall(MrLyapunovGetExponents(tg, ex, &tacc));
      PetscCall(PetscPrintf(comm, "  t = %.4g / %.4g  %.1f steps/s, ETA %.0f s  lambda_1 ~ %.4f\n", (double)((step + 1) * dt), (double)tfinal, (step + 1) / (now - w0), (nsteps - step - 1) * (now - w0) / (step + 1), tacc > 0 ? (double)ex[0] : NAN));
      wl = now;
    }
  }
  PetscCall(MrLyapunovFinish(tg, nsteps, nsteps * dt));
  PetscCall(PetscTime(&now));

  PetscCall(MrOutputCreate(comm, out, &o));
  PetscCall(MrLyapunovWrite(tg, o, dt));
  {
    /* the final state x in global neuron order, as a one-row series: any layout's rows */
    {
      MrSeries           xs;
      PetscInt          *off, *cols, ntot = 0;
      const PetscScalar *x;
      PetscCall(PetscMalloc2(m->R + 1, &off, net->nx + 1, &cols));
      for (PetscInt r = 0; r < m->R; r++) {
        off[r] = ntot;
        ntot += m->N[r];
      }
      for (PetscInt s = 0; s < L->nslices; s++)
        for (PetscInt i = L->slice[s].rstart; i < L->slice[s].rend; i++) cols[net->xoff[s] + i - L->slice[s].rstart] = off[L->slice[s].region] + i;
      PetscCall(MrSeriesCreate(o, "/state/x", ntot, net->nx, cols, 1, &xs));
      PetscCall(VecGetArrayRead(X, &x));
      PetscCall(MrSeriesAppend(xs, x));
      PetscCall(VecRestoreArrayRead(X, &x));
      PetscCall(PetscFree2(off, cols));
    }
    PetscCall(MrOutputProvenance(o, "lyapunov", model, m->hash));
    PetscCall(MrOutputAttrString(o, "model_description", m->description));
    PetscCall(MrOutputAttrInt(o, "mpi_size", size));
    PetscCall(MrOutputAttrInt(o, "seed", seed));
    PetscCall(MrOutputAttrInt(o, "init_seed", iseed >= 0 ? iseed : seed));
    PetscCall(MrOutputAttrReal(o, "dt", dt));
    PetscCall(MrOutputAttrReal(o, "t_final", nsteps * dt));
    PetscCall(MrOutputAttrString(o, "disorder", MrLyapDisorderTypes[dtype]));
    PetscCall(MrOutputAttrString(o, "precision", MrLyapPrecisions[prec]));
    {
      double wall = now - w0;
      PetscCallMPI(MPI_Bcast(&wall, 1, MPI_DOUBLE, 0, comm));
      PetscCall(MrOutputAttrReal(o, "wall_seconds", wall));
    }
    PetscCall(MrOutputFinish(&o));
    PetscCall(PetscPrintf(comm, "  %" PetscInt_FMT " steps in %.3g s\n  wrote %s\n", nsteps, now - w0, out));
  }
  PetscCall(MrLyapunovDestroy(&tg));
  PetscCall(VecDestroy(&X));
  PetscCall(VecDestroy(&F));
  PetscCall(MrNetworkDestroy(&net));
  PetscCall(MrLayoutDestroy(&L));
  PetscCall(MrModelDestroy(&m));
  PetscCall(PetscFree3(S0, v0, cost));
  PetscCall(PetscFree2(S0in, v0in));
  PetscFunctionReturn(PETSC_SUCCESS);
}
