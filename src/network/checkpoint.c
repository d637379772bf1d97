/* Checkpoints of `mrdyn simulate`: the state in global order (neuron rows in
   model order, channels by index) so that a run continues on any number of
   ranks, and the collective agreement on stop requests (signals). */
#include "simulate_impl.h"
#include <mrdyn/error.h>
#include <math.h>
#include <unistd.h>

/* Global row offset of each owned slice, and the channel runs this rank owns:
   channels sorted (perm[j]: position in Sch of the j-th smallest), since the
   in-channels of a region need not be consecutive (graph models). */
static PetscErrorCode MrSimPieces(MrSimCtx *ctx, hsize_t **xr0, hsize_t **xnr, PetscInt *nsp, hsize_t **sr0, hsize_t **snr, PetscInt **perm)
{
  MrNetwork  net = ctx->net;
  MrModel    m   = net->model;
  MrLayout   L   = net->layout;
  PetscInt64 off = 0;
  PetscInt   n   = 0, *sorted;

  PetscFunctionBegin;
  PetscCall(PetscMalloc2(L->nslices + 1, xr0, L->nslices + 1, xnr));
  PetscCall(PetscMalloc2(net->nS + 1, sr0, net->nS + 1, snr));
  PetscCall(PetscMalloc1(net->nS + 1, perm));
  PetscCall(PetscMalloc1(net->nS + 1, &sorted));
  for (PetscInt r = 0, k = 0; r < m->R && k < L->nslices; r++) {
    if (L->slice[k].region == r) {
      (*xr0)[k] = (hsize_t)(off + L->slice[k].rstart);
      (*xnr)[k] = (hsize_t)(L->slice[k].rend - L->slice[k].rstart);
      k++;
    }
    off += m->N[r];
  }
  for (PetscInt j = 0; j < net->nS; j++) {
    (*perm)[j] = j;
    sorted[j]  = net->Sch[j];
  }
  PetscCall(PetscSortIntWithPermutation(net->nS, sorted, *perm));
  for (PetscInt j = 0; j < net->nS; j++) {
    PetscInt c = net->Sch[(*perm)[j]];
    if (n && (PetscInt)((*sr0)[n - 1] + (*snr)[n - 1]) == c)
      (*snr)[n - 1]++;
    else {
      (*sr0)[n] = (hsize_t)c;
      (*snr)[n] = 1;
      n++;
    }
  }
  PetscCall(PetscFree(sorted));
  *nsp = n;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscInt64 MrSimTotalN(MrModel m)
{
  PetscInt64 n = 0;
  for (PetscInt r = 0; r < m->R; r++) n += m->N[r];
  return n;
}

/* The settings a restart must share with the run that wrote the checkpoint. */
#define MR_CKPT_NINT 13
static void MrSimCheckpointInts(const MrSimCtx *ctx, PetscInt64 v[MR_CKPT_NINT])
{
  const MrSimOptions *o = ctx->opt;
  v[0]                  = o->seed;
  v[1]                  = o->initSeed;
  v[2]                  = o->trials;
  v[3]                  = o->dtype;
  v[4]                  = o->prec;
  v[5]                  = o->dtype == MR_DISORDER_SPARSE ? o->K : 0;
  v[6]                  = o->saveEvery;
  v[7]                  = o->traces;
  v[8]                  = o->ndref;
  v[9]                  = MrSimTotalN(ctx->net->model);
  v[10]                 = o->activityEvery;
  v[11]                 = o->doLyap ? o->lyapK : 0;
  v[12]                 = o->doLyap ? o->lyapEvery : 0;
}
static const char *const MrCkptIntNames[MR_CKPT_NINT] = {"-seed",      "-init_seed", "-trials", "-disorder", "-precision", "-disorder_k", "-save_every", "-traces", "-delta_times (count)", "total N", "-save_activity", "-analysis lyapunov: -lyap_k",
                                                         "-lyap_every"};

static PetscErrorCode MrSimCheckpointWriteFile(MrSimCtx *ctx, TS ts, PetscInt step, PetscReal t, Vec X, MrOutput *ckp)
{
  MrNetwork          net = ctx->net;
  MrModel            m   = net->model;
  MrLayout           L   = net->layout;
  const PetscInt     T = net->nt, nref = ctx->opt->ndref;
  const PetscInt64   Ntot = MrSimTotalN(m);
  MrOutput           ck;
  hsize_t           *xr0, *xnr, *sr0, *snr, dims[3];
  PetscInt           ns, *perm;
  PetscReal         *sbuf;
  const PetscScalar *x;
  PetscReal          dt, vals[MR_CKPT_NINT];
  PetscInt64         iv[MR_CKPT_NINT];
  TSType             type;

  PetscFunctionBegin;
  PetscCall(PetscLogStagePush(ctx->stageOutput));
  PetscCall(MrOutputFlush(ctx->out)); /* the rows the checkpoint counts are on disk first */
  PetscCall(MrSimPieces(ctx, &xr0, &xnr, &ns, &sr0, &snr, &perm));
  PetscCall(MrOutputCreate(net->comm, ctx->opt->checkpoint, &ck));
  *ckp = ck;
  PetscCall(MrOutputAttrString(ck, "kind", "mrdyn simulate checkpoint"));
  PetscCall(MrOutputProvenance(ck, "simulate", ctx->opt->model, m->hash));
  PetscCall(MrOutputAttrString(ck, "output", ctx->opt->out));
  {
    char *man; /* what the output holds now: a restart checks it against this */
    PetscCall(MrOutputGetManifest(ctx->out, &man));
    PetscCall(MrOutputAttrString(ck, "output_manifest", man));
    PetscCall(PetscFree(man));
  }
  PetscCall(TSGetType(ts, &type));
  PetscCall(TSGetTimeStep(ts, &dt));
  PetscCall(MrOutputAttrString(ck, "ts_type", type));
  PetscCall(MrOutputAttrInt(ck, "step", step));
  PetscCall(MrOutputAttrReal(ck, "time", t));
  PetscCall(MrOutputAttrReal(ck, "ts_dt", dt));
  PetscCall(MrOutputAttrReal(ck, "dt", ctx->opt->dt));
  PetscCall(MrOutputAttrReal(ck, "t_final", ctx->opt->tfinal));
  PetscCall(MrOutputAttrInt(ck, "saved_rows", ctx->nsaved));
  PetscCall(MrOutputAttrInt(ck, "last_saved", ctx->lastSaved));
  PetscCall(MrOutputAttrInt(ck, "activity_rows", ctx->nact));
  PetscCall(MrOutputAttrInt(ck, "mpi_size", L->size));
  PetscCall(MrOutputAttrInt(ck, "seed", ctx->opt->seed)); /* exactly: the settings below are doubles */
  PetscCall(MrOutputAttrInt(ck, "init_seed", ctx->opt->initSeed));
  MrSimCheckpointInts(ctx, iv);
  for (PetscInt k = 0; k < MR_CKPT_NINT; k++) vals[k] = (PetscReal)iv[k];
  PetscCall(MrOutputAttrRealArray(ck, "settings", MR_CKPT_NINT, vals));
  PetscCall(PetscMalloc1(net->nS * T + 1, &sbuf));
  PetscCall(VecGetArrayRead(X, &x));
  dims[0] = (hsize_t)Ntot;
  dims[1] = (hsize_t)T;
  PetscCall(MrOutputWritePieces(ck, "/state/x", 2, dims, L->nslices, xr0, xnr, x));
  dims[0] = (hsize_t)m->C;
  for (PetscInt j = 0; j < net->nS; j++) /* in channel order */
    for (PetscInt q = 0; q < T; q++) sbuf[j * T + q] = x[(net->nx + perm[j]) * T + q];
  PetscCall(MrOutputWritePieces(ck, "/state/S", 2, dims, ns, sr0, snr, sbuf));
  PetscCall(VecRestoreArrayRead(X, &x));
  if (nref) {
    PetscReal *buf, *st;
    hsize_t   *rr0, *rnr, dr = (hsize_t)nref;
    PetscCall(PetscMalloc4(net->nx * nref * T + 1, &buf, nref, &st, L->nslices + 1, &rr0, L->nslices + 1, &rnr));
    for (PetscInt i = 0; i < net->nx; i++) /* (rows, nref x trials): rows are the pieces' axis */
      for (PetscInt q = 0; q < nref; q++)
        for (PetscInt tr = 0; tr < T; tr++) buf[(i * nref + q) * T + tr] = ctx->xref[(q * net->nx + i) * T + tr];
    dims[0] = (hsize_t)Ntot;
    dims[1] = (hsize_t)(nref * T);
    PetscCall(MrOutputWritePieces(ck, "/state/xref", 2, dims, L->nslices, xr0, xnr, buf));
    for (PetscInt k = 0; k < L->nslices; k++) { /* one writer per region: its leader */
      rr0[k] = (hsize_t)L->slice[k].region;
      rnr[k] = L->slice[k].grank == 0 ? 1 : 0;
    }
    dims[0] = (hsize_t)m->R;
    dims[1] = (hsize_t)(T * nref);
    dims[2] = (hsize_t)ctx->nlag;
    PetscCall(MrOutputWritePieces(ck, "/state/delta_rec", 3, dims, L->nslices, rr0, rnr, ctx->rec));
    for (PetscInt q = 0; q < nref; q++) st[q] = (PetscReal)ctx->refStep[q];
    PetscCall(MrOutputWriteRoot(ck, "/state/delta_ref_step", H5T_NATIVE_DOUBLE, 1, &dr, st));
    PetscCall(MrOutputWriteRoot(ck, "/state/delta_ref_time", H5T_NATIVE_DOUBLE, 1, &dr, ctx->refTime));
    PetscCall(PetscFree4(buf, st, rr0, rnr));
  }
  if (ctx->ly) PetscCall(MrLyapunovSave(ctx->ly, ck));
  {
    char *man; /* the checkpoint's own contents, checked before a restart trusts it */
    PetscCall(MrOutputGetManifest(ck, &man));
    PetscCall(MrOutputAttrString(ck, "manifest", man));
    PetscCall(PetscFree(man));
  }
  *ckp = NULL;
  PetscCall(MrOutputFinish(&ck)); /* renamed over the previous checkpoint only when complete */
  PetscCall(PetscFree2(xr0, xnr));
  PetscCall(PetscFree2(sr0, snr));
  PetscCall(PetscFree(perm));
  PetscCall(PetscFree(sbuf));
  ctx->lastCkpt = step;
  PetscCall(PetscLogStagePop());
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Whether a checkpoint that can continue the output is still there (rank 0 looks). Collective. */
static PetscErrorCode MrSimCheckpointLeft(MrSimCtx *ctx, PetscBool *left)
{
  PetscMPIInt rank;
  int         any = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(ctx->net->comm, &rank));
  if (rank == 0) any = (ctx->lastCkpt >= 0 && access(ctx->opt->checkpoint, F_OK) == 0) || (ctx->opt->restart[0] && access(ctx->opt->restart, F_OK) == 0);
  PetscCallMPI(MPI_Bcast(&any, 1, MPI_INT, 0, ctx->net->comm));
  *left = (PetscBool)any;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSimCheckpointWrite(MrSimCtx *ctx, TS ts, PetscInt step, PetscReal t, Vec X)
{
  MrOutput       ck = NULL;
  PetscErrorCode ierr;
  PetscBool      left = PETSC_TRUE;

  PetscFunctionBegin;
  ierr = MrSimCheckpointWriteFile(ctx, ts, step, t, X, &ck);
  if (ierr == MR_ERR_INPUT) { /* collective: leave nothing half-written */
    if (ck) (void)MrOutputAbandon(&ck);
    (void)MrSimCheckpointLeft(ctx, &left);
    if (!left) (void)MrOutputAbandon(&ctx->out); /* no checkpoint could continue it */
  }
  PetscCall(ierr);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Opens a checkpoint for reading after checking it is an intact, complete simulate checkpoint. Collective. */
static PetscErrorCode MrSimCheckpointOpen(MPI_Comm comm, const char path[], MrOutput *ckp)
{
  MrOutput  ck;
  PetscBool checked, same;
  char      s[256];

  PetscFunctionBegin;
  PetscCall(MrOutputVerify(comm, path, "manifest", "-restart", &checked)); /* before anything in it is trusted */
  PetscCall(MrOutputOpenRead(comm, path, &ck));
  MrCheckInput(comm, H5Aexists(MrOutputFile(ck), "kind") > 0, "-restart '%s' is not a simulate checkpoint", path);
  PetscCall(MrOutputGetAttrString(ck, "kind", s, sizeof(s)));
  PetscCall(PetscStrcmp(s, "mrdyn simulate checkpoint", &same));
  MrCheckInput(comm, same, "-restart '%s' is not a simulate checkpoint", path);
  PetscCall(MrOutputGetAttrString(ck, "status", s, sizeof(s)));
  PetscCall(PetscStrcmp(s, "complete", &same));
  MrCheckInput(comm, same, "-restart '%s' is incomplete", path);
  MrCheckInput(comm, checked, "-restart '%s' holds no record of its contents (written by an older mrdyn?), so it cannot be checked; run again without -restart", path);
  *ckp = ck;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSimCheckpointCheck(MPI_Comm comm, const char path[])
{
  MrOutput ck;

  PetscFunctionBegin;
  PetscCall(MrSimCheckpointOpen(comm, path, &ck));
  PetscCall(MrOutputClosePartial(&ck));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSimCheckpointRead(MrSimCtx *ctx, TS ts, Vec X, PetscInt64 *nsaved)
{
  MrNetwork        net = ctx->net;
  MrModel          m   = net->model;
  MrLayout         L   = net->layout;
  const PetscInt   T = net->nt, nref = ctx->opt->ndref;
  const PetscInt64 Ntot = MrSimTotalN(m);
  const char      *path = ctx->opt->restart;
  MrOutput         ck;
  hsize_t         *xr0, *xnr, *sr0, *snr, dims[3];
  PetscInt         ns, *perm;
  PetscReal       *sbuf;
  PetscScalar     *x;
  PetscReal        t, dt, dtOpt, tfinal, vals[MR_CKPT_NINT];
  PetscInt64       step, lastSaved, actRows, iv[MR_CKPT_NINT];
  char             s[256];
  TSType           type;
  PetscBool        same;
  char            *outManifest;

  PetscFunctionBegin;
  PetscCall(MrSimCheckpointOpen(net->comm, path, &ck));
  PetscCall(MrOutputGetAttrString(ck, "model_hash", s, sizeof(s)));
  PetscCall(PetscStrcmp(s, m->hash, &same));
  MrCheckInput(net->comm, same, "-restart '%s' was written for another model (hash %s, this model %s)", path, s, m->hash);
  PetscCall(MrOutputGetAttrString(ck, "output", s, sizeof(s)));
  PetscCall(PetscStrcmp(s, ctx->opt->out, &same));
  MrCheckInput(net->comm, same, "-restart '%s' belongs to the run writing '%s', not -o %s", path, s, ctx->opt->out);
  PetscCall(TSGetType(ts, &type));
  PetscCall(MrOutputGetAttrString(ck, "ts_type", s, sizeof(s)));
  PetscCall(PetscStrcmp(s, type, &same));
  MrCheckInput(net->comm, same, "-restart '%s' was written with -ts_type %s, this run uses %s", path, s, type);
  PetscCall(MrOutputGetAttrReal(ck, "dt", &dtOpt));
  PetscCall(MrOutputGetAttrReal(ck, "t_final", &tfinal));
  MrCheckInput(net->comm, dtOpt == ctx->opt->dt && tfinal == ctx->opt->tfinal, "-restart '%s' was written with -dt %g -t_final %g; give the same values", path, (double)dtOpt, (double)tfinal);
  {
    hid_t   a   = H5Aopen(MrOutputFile(ck), "settings", H5P_DEFAULT);
    hsize_t na  = 0;
    hid_t   sp  = a >= 0 ? H5Aget_space(a) : -1;
    int     okl = 0, ok;
    if (sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1) {
      H5Sget_simple_extent_dims(sp, &na, NULL);
      okl = na == MR_CKPT_NINT && H5Aread(a, H5T_NATIVE_DOUBLE, vals) >= 0;
    }
    if (sp >= 0) H5Sclose(sp);
    if (a >= 0) H5Aclose(a);
    PetscCallMPI(MPI_Allreduce(&okl, &ok, 1, MPI_INT, MPI_MIN, net->comm));
    MrCheckInput(net->comm, ok, "-restart '%s': the settings attribute is missing or malformed", path);
  }
  MrSimCheckpointInts(ctx, iv);
  for (PetscInt k = 0; k < MR_CKPT_NINT; k++)
    MrCheckInput(net->comm, vals[k] == (PetscReal)iv[k], "-restart '%s' was written with %s = %.17g, this run has %" PetscInt64_FMT "; give the same settings", path, MrCkptIntNames[k], (double)vals[k], iv[k]);
  for (int k = 0; k < 2; k++) { /* the seeds exactly (doubles hold 53 bits), when the checkpoint records them */
    const char *name[2] = {"seed", "init_seed"};
    PetscInt64  v, want = k ? ctx->opt->initSeed : ctx->opt->seed;
    if (H5Aexists(MrOutputFile(ck), name[k]) <= 0) continue;
    PetscCall(MrOutputGetAttrInt(ck, name[k], &v));
    MrCheckInput(net->comm, v == want, "-restart '%s' was written with -%s %" PetscInt64_FMT ", this run has %" PetscInt64_FMT "; give the same settings", path, name[k], v, want);
  }
  PetscCall(MrOutputGetAttrInt(ck, "step", &step));
  PetscCall(MrOutputGetAttrReal(ck, "time", &t));
  PetscCall(MrOutputGetAttrReal(ck, "ts_dt", &dt));
  PetscCall(MrOutputGetAttrInt(ck, "saved_rows", nsaved));
  PetscCall(MrOutputGetAttrInt(ck, "last_saved", &lastSaved));
  PetscCall(MrOutputGetAttrInt(ck, "activity_rows", &actRows));
  PetscCall(MrOutputGetAttrStringAlloc(ck, "output_manifest", &outManifest));
  /* counters of this run (PetscInt): a damaged or foreign value must not wrap */
  MrCheckInput(net->comm, step >= 0 && step <= ctx->maxSteps, "-restart '%s': step %" PetscInt64_FMT " is outside 0..%" PetscInt_FMT, path, step, ctx->maxSteps);
  MrCheckInput(net->comm, *nsaved >= 0 && *nsaved <= step + 1, "-restart '%s': saved_rows %" PetscInt64_FMT " is outside 0..step + 1 = %" PetscInt64_FMT, path, *nsaved, step + 1);
  MrCheckInput(net->comm, lastSaved >= -1 && lastSaved <= step, "-restart '%s': last_saved %" PetscInt64_FMT " is outside -1..step = %" PetscInt64_FMT, path, lastSaved, step);
  MrCheckInput(net->comm, actRows >= 0 && actRows <= step + 1, "-restart '%s': activity_rows %" PetscInt64_FMT " is outside 0..step + 1 = %" PetscInt64_FMT, path, actRows, step + 1);

  PetscCall(MrSimPieces(ctx, &xr0, &xnr, &ns, &sr0, &snr, &perm));
  PetscCall(PetscMalloc1(net->nS * T + 1, &sbuf));
  PetscCall(VecGetArray(X, &x));
  dims[0] = (hsize_t)Ntot;
  dims[1] = (hsize_t)T;
  PetscCall(MrOutputReadPiecesFinite(ck, "/state/x", 2, dims, L->nslices, xr0, xnr, x));
  dims[0] = (hsize_t)m->C;
  PetscCall(MrOutputReadPiecesFinite(ck, "/state/S", 2, dims, ns, sr0, snr, sbuf));
  for (PetscInt j = 0; j < net->nS; j++)
    for (PetscInt q = 0; q < T; q++) x[(net->nx + perm[j]) * T + q] = sbuf[j * T + q];
  PetscCall(VecRestoreArray(X, &x));
  if (nref) {
    PetscReal *buf, *st;
    hsize_t   *rr0, *rnr;
    PetscCall(PetscMalloc4(net->nx * nref * T + 1, &buf, nref, &st, L->nslices + 1, &rr0, L->nslices + 1, &rnr));
    dims[0] = (hsize_t)Ntot;
    dims[1] = (hsize_t)(nref * T);
    PetscCall(MrOutputReadPieces(ck, "/state/xref", 2, dims, L->nslices, xr0, xnr, buf));
    for (PetscInt i = 0; i < net->nx; i++)
      for (PetscInt q = 0; q < nref; q++)
        for (PetscInt tr = 0; tr < T; tr++) ctx->xref[(q * net->nx + i) * T + tr] = buf[(i * nref + q) * T + tr];
    for (PetscInt k = 0; k < L->nslices; k++) { /* every rank of a group reads its region's record */
      rr0[k] = (hsize_t)L->slice[k].region;
      rnr[k] = 1;
    }
    dims[0] = (hsize_t)m->R;
    dims[1] = (hsize_t)(T * nref);
    dims[2] = (hsize_t)ctx->nlag;
    PetscCall(MrOutputReadPieces(ck, "/state/delta_rec", 3, dims, L->nslices, rr0, rnr, ctx->rec));
    dims[0] = (hsize_t)nref;
    {
      hsize_t z = 0, one = (hsize_t)nref;
      PetscCall(MrOutputReadPieces(ck, "/state/delta_ref_step", 1, dims, 1, &z, &one, st));
      for (PetscInt q = 0; q < nref; q++) {
        MrCheckInput(net->comm, st[q] == floor(st[q]) && st[q] >= -1 && st[q] <= (PetscReal)step, "-restart '%s': /state/delta_ref_step[%" PetscInt_FMT "] = %.17g is not a step in -1..%" PetscInt64_FMT, path, q, (double)st[q], step);
        ctx->refStep[q] = (PetscInt)st[q];
      }
      PetscCall(MrOutputReadPieces(ck, "/state/delta_ref_time", 1, dims, 1, &z, &one, ctx->refTime));
    }
    PetscCall(PetscFree4(buf, st, rr0, rnr));
  }
  if (ctx->ly) PetscCall(MrLyapunovLoad(ctx->ly, ck));
  PetscCall(MrOutputClosePartial(&ck));
  /* the output as the checkpoint recorded it, checked, with what came after removed */
  PetscCall(MrOutputReopenChecked(net->comm, ctx->opt->out, outManifest, &ctx->out));
  PetscCall(PetscFree(outManifest));
  PetscCall(PetscFree2(xr0, xnr));
  PetscCall(PetscFree2(sr0, snr));
  PetscCall(PetscFree(perm));
  PetscCall(PetscFree(sbuf));
  PetscCall(TSSetTime(ts, t));
  PetscCall(TSSetStepNumber(ts, (PetscInt)step));
  PetscCall(TSSetTimeStep(ts, dt));
  ctx->startStep = (PetscInt)step;
  ctx->lastSaved = (PetscInt)lastSaved;
  ctx->nsaved    = (PetscInt)*nsaved;
  ctx->lastDelta = (PetscInt)step; /* the step's autocovariance entries are in the record */
  ctx->lastCkpt  = (PetscInt)step;
  ctx->nact      = (PetscInt)actRows;
  ctx->lastAct   = ctx->opt->activityEvery && step % ctx->opt->activityEvery == 0 ? (PetscInt)step : -1; /* its row was written */
  PetscCall(PetscPrintf(net->comm, "mrdyn simulate: restarting from %s at step %" PetscInt64_FMT ", t = %g (%" PetscInt64_FMT " saved rows)\n", path, step, (double)t, *nsaved));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSimPostStep(TS ts)
{
  MrSimCtx *ctx;

  PetscFunctionBegin;
  PetscCall(TSGetApplicationContext(ts, &ctx));
  if (ctx->stopReq != MPI_REQUEST_NULL) {
    PetscCallMPI(MPI_Wait(&ctx->stopReq, MPI_STATUS_IGNORE));
    if (ctx->stopAgreed) {
      ctx->stopSignal = ctx->stopAgreed;
      PetscCall(TSSetConvergedReason(ts, TS_CONVERGED_USER));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
  }
  ctx->stopFlag = MrSignalPending();
  PetscCallMPI(MPI_Iallreduce(&ctx->stopFlag, &ctx->stopAgreed, 1, MPI_INT, MPI_MAX, ctx->net->comm, &ctx->stopReq));
  PetscFunctionReturn(PETSC_SUCCESS);
}
