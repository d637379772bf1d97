/* `mrdyn simulate`: options, set-up, PETSc TS integration, collective output. */
#include "simulate_impl.h"
#include "../util/util.h"
#include <mrdyn/rng.h>
#include <mrdyn/weights.h>
#include <math.h>

static const char *const MrDisorderTypes[] = {"dense", "sparse", "MrDisorderType", "MR_DISORDER_", NULL};
static const char *const MrPrecisions[]    = {"double", "single", "MrPrecision", "MR_PRECISION_", NULL};

static const char *const MrSimKnown[] = {"-model",
                                         "-o",
                                         "-force",
                                         "-seed",
                                         "-init_seed",
                                         "-dt",
                                         "-t_final",
                                         "-save_every",
                                         "-traces",
                                         "-output_buffer",
                                         "-disorder",
                                         "-disorder_k",
                                         "-precision",
                                         "-input",
                                         "-save_connectivity",
                                         "-progress",
                                         "-init_currents",
                                         "-init_variance",
                                         "-init_uniform",
                                         "-ts_type",
                                         "-ts_rk_type",
                                         "-ts_adapt_type",
                                         "-log_view",
                                         "-delta_times",
                                         "-delta_lag_every",
                                         "-delta_lag_max",
                                         "-dry_run",
                                         "-dry_run_bandwidth",
                                         "-dry_run_latency",
                                         "-dry_run_network",
                                         "-trials",
                                         "-checkpoint",
                                         "-checkpoint_every",
                                         "-restart",
                                         "-partition",
                                         "-save_activity",
                                         "-analysis",
                                         "-lyap_k",
                                         "-lyap_every",
                                         "-t_transient",
                                         NULL};

static PetscErrorCode MrSimGetOptions(MPI_Comm comm, MrSimOptions *o)
{
  PetscInt64 seed = 1, iseed = -1;
  PetscInt   n;
  PetscBool  set;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(o, sizeof(*o)));
  PetscCall(MrCheckChoice(comm, "-disorder", MrDisorderTypes, 2));
  PetscCall(MrCheckChoice(comm, "-precision", MrPrecisions, 2));
  PetscCall(MrCheckChoice(comm, "-partition", MrPartitionTypes, 3));
  o->dt        = 0.05;
  o->tfinal    = 20.0;
  o->saveEvery = 1;
  o->traces    = 4;
  o->buffer    = 64;
  o->K         = 100;
  o->progress  = 5.0;
  PetscOptionsBegin(comm, NULL, "mrdyn simulate: finite-N multiregion network", NULL);
  PetscCall(PetscOptionsString("-model", "model file (HDF5, see docs/file-formats.md)", NULL, o->model, o->model, sizeof(o->model), NULL));
  PetscCall(PetscOptionsString("-o", "output file", NULL, o->out, o->out, sizeof(o->out), NULL));
  PetscCall(MrOptionsBool("-force", "overwrite an existing output file", o->force, &o->force, NULL));
  PetscCall(MrOptionsInt64("-seed", "network realisation (J, vectors)", seed, &seed, NULL, 0, MR_SEED_MAX));
  PetscCall(MrOptionsInt64("-init_seed", "initial-state draw (-1: -seed)", iseed, &iseed, NULL, -1, MR_SEED_MAX));
  PetscCall(MrOptionsReal("-dt", "time step (units of tau)", o->dt, &o->dt, NULL));
  PetscCall(MrOptionsReal("-t_final", "duration (units of tau)", o->tfinal, &o->tfinal, NULL));
  PetscCall(MrOptionsInt("-save_every", "keep every K-th step", o->saveEvery, &o->saveEvery, NULL, 1, PETSC_MAX_INT));
  PetscCall(MrOptionsInt("-traces", "neurons per region whose x is saved (the first ones)", o->traces, &o->traces, NULL, 0, PETSC_MAX_INT));
  PetscCall(MrOptionsInt("-output_buffer", "saved steps held before each collective write (at most 2^20)", o->buffer, &o->buffer, NULL, 1, 1 << 20));
  PetscCall(PetscOptionsEnum("-disorder", "within-region disorder", NULL, MrDisorderTypes, (PetscEnum)o->dtype, (PetscEnum *)&o->dtype, NULL));
  PetscCall(MrOptionsInt("-disorder_k", "nonzeros per row of sparse disorder", o->K, &o->K, NULL, 1, PETSC_MAX_INT));
  PetscCall(PetscOptionsEnum("-precision", "storage of dense disorder", NULL, MrPrecisions, (PetscEnum)o->prec, (PetscEnum *)&o->prec, NULL));
  PetscCall(PetscOptionsString("-input", "input pulses region:t0:t1:amplitude,...", NULL, o->input, o->input, sizeof(o->input), NULL));
  PetscCall(MrOptionsInt("-save_activity", "write the rates phi(x) of every neuron every K-th step as /activity (0: off)", o->activityEvery, &o->activityEvery, NULL, 0, PETSC_MAX_INT));
  PetscCall(MrOptionsBool("-save_connectivity", "write the vectors (and dense J) under /network (small N only)", o->saveConn, &o->saveConn, NULL));
  PetscCall(MrOptionsReal("-progress", "seconds between progress lines (0: none)", o->progress, &o->progress, NULL));
  o->ndref = 64;
  PetscCall(MrOptionsRealArray("-delta_times", "reference times of the recorded autocovariance /delta (at most 64)", "none", o->dtimes, &o->ndref, &set));
  if (!set) o->ndref = 0;
  o->bandwidth = 10.0;
  o->trials    = 1;
  PetscCall(MrOptionsInt("-trials", "trajectories of one realisation integrated together (J read once for all; 1 to 64)", o->trials, &o->trials, NULL, 1, 64));
  PetscCall(MrOptionsBool("-dry_run", "print memory per rank and the estimated time, allocate nothing, write nothing", o->dryRun, &o->dryRun, NULL));
  PetscCall(PetscOptionsString("-checkpoint", "checkpoint file (default: the output name + .ckpt)", NULL, o->checkpoint, o->checkpoint, sizeof(o->checkpoint), NULL));
  PetscCall(MrOptionsInt("-checkpoint_every", "write a checkpoint every K steps (0: only on SIGTERM/SIGUSR1)", o->ckptEvery, &o->ckptEvery, NULL, 0, PETSC_MAX_INT));
  PetscCall(PetscOptionsEnum("-partition", "regions to ranks when P < R: contiguous, roundrobin, or ptscotch (few channels across ranks)", NULL, MrPartitionTypes, (PetscEnum)o->partition, (PetscEnum *)&o->partition, NULL));
  PetscCall(PetscOptionsString("-restart", "continue the interrupted run from this checkpoint", NULL, o->restart, o->restart, sizeof(o->restart), NULL));
  PetscCall(MrOptionsReal("-dry_run_bandwidth", "memory bandwidth per rank (GB/s) for the time estimate", o->bandwidth, &o->bandwidth, NULL));
  o->latency = 2.0;
  o->network = 1.0;
  PetscCall(MrOptionsReal("-dry_run_latency", "message latency (microseconds) for the time estimate", o->latency, &o->latency, NULL));
  PetscCall(MrOptionsReal("-dry_run_network", "network bandwidth per rank (GB/s) for the time estimate", o->network, &o->network, NULL));
  o->dlagEvery = 5;
  o->dlagMax   = 20.0;
  PetscCall(MrOptionsInt("-delta_lag_every", "record every k-th step of lag", o->dlagEvery, &o->dlagEvery, NULL, 1, PETSC_MAX_INT));
  PetscCall(MrOptionsReal("-delta_lag_max", "largest recorded lag", o->dlagMax, &o->dlagMax, NULL));
  o->lyapK     = 4;
  o->lyapEvery = 10;
  o->ttrans    = 0.2 * o->tfinal; /* -t_final is known by now */
  o->blockSize = 32;
  PetscCall(PetscOptionsString("-analysis", "in-line analyses, comma-separated: lyapunov (along the run), spectrum (of the realisation), dimension (of the saved activity, at the end)", NULL, o->analysis, o->analysis, sizeof(o->analysis), NULL));
  PetscCall(MrOptionsInt("-block_size", "-analysis spectrum, dimension: ScaLAPACK block size (6 to 4096; the Schur routines need >= 6)", o->blockSize, &o->blockSize, NULL, 6, 4096));
  PetscCall(MrOptionsReal("-dimension_t_start", "-analysis dimension: use the activity saved at t >= this", o->dimTstart, &o->dimTstart, NULL));
  PetscCall(MrOptionsInt("-lyap_k", "-analysis lyapunov: number of exponents (1 to 64)", o->lyapK, &o->lyapK, NULL, 1, 64));
  PetscCall(MrOptionsInt("-lyap_every", "-analysis lyapunov: Euler steps between re-orthonormalisations", o->lyapEvery, &o->lyapEvery, NULL, 1, PETSC_MAX_INT));
  PetscCall(MrOptionsReal("-t_transient", "-analysis lyapunov: time before the exponents are accumulated (default: a fifth of t_final)", o->ttrans, &o->ttrans, NULL));
  n = 1 << 20;
  PetscCall(PetscMalloc2(n, &o->S0, n, &o->v0));
  o->nS0 = n;
  PetscCall(MrOptionsRealArray("-init_currents", "initial currents, one per channel", "N(0,1) draws", o->S0, &o->nS0, &set));
  if (!set) o->nS0 = 0;
  {
    PetscInt nu = 2;
    PetscCall(MrOptionsRealArray("-init_uniform", "initial currents uniform in [lo, hi) per channel, drawn from the seed (as dmft -init_uniform)", "none", o->uniform, &nu, &o->hasUniform));
    if (o->hasUniform) MrCheckInput(comm, nu == 2 && isfinite(o->uniform[0]) && isfinite(o->uniform[1]) && o->uniform[0] < o->uniform[1], "-init_uniform needs two numbers lo,hi with lo < hi");
  }
  o->nv0 = n;
  PetscCall(MrOptionsRealArray("-init_variance", "initial variance of x beyond sum m S0, per region (1 or R values)", "1", o->v0, &o->nv0, &set));
  if (!set) o->nv0 = 0;
  PetscOptionsEnd();
  PetscCall(PetscOptionsHasHelp(NULL, &o->help));
  o->seed     = seed;
  o->initSeed = iseed >= 0 ? iseed : seed;
  if (o->help) PetscFunctionReturn(PETSC_SUCCESS);
  MrCheckInput(comm, !(o->hasUniform && o->nS0), "-init_uniform and -init_currents both set the initial currents; give one");
  MrCheckInput(comm, o->model[0], "simulate: no model file given (-model FILE)");
  MrCheckInput(comm, o->out[0], "simulate: no output file given (-o FILE)");
  MrCheckInput(comm, isfinite(o->dt) && o->dt > 0, "-dt %g: the time step must be > 0", (double)o->dt);
  MrCheckInput(comm, isfinite(o->tfinal) && o->tfinal > 0, "-t_final %g: the duration must be > 0", (double)o->tfinal);
  /* TS counts steps in a PetscInt; the last step may be shortened to end at t_final */
  MrCheckInput(comm, ceil(o->tfinal / o->dt - 1e-9) <= (double)PETSC_MAX_INT - 1, "-t_final %g / -dt %g = %.4g steps: more than this build's PETSc counts (%" PetscInt_FMT "); raise -dt or shorten -t_final", (double)o->tfinal, (double)o->dt,
               ceil(o->tfinal / o->dt - 1e-9), (PetscInt)(PETSC_MAX_INT - 1));
  MrCheckInput(comm, o->initSeed <= MR_SEED_MAX - (o->trials - 1), "-init_seed %" PetscInt64_FMT " with -trials %" PetscInt_FMT ": trial q draws from seed + q, beyond %" PetscInt64_FMT, o->initSeed, o->trials, (PetscInt64)MR_SEED_MAX);
  MrCheckInput(comm, isfinite(o->dlagMax) && o->dlagMax >= 0, "-delta_lag_max %g must be >= 0", (double)o->dlagMax);
  MrCheckInput(comm, o->bandwidth > 0 && o->network > 0 && o->latency >= 0, "-dry_run_bandwidth and -dry_run_network must be > 0, -dry_run_latency >= 0");
  if (!o->checkpoint[0]) PetscCall(PetscSNPrintf(o->checkpoint, sizeof(o->checkpoint), "%s.ckpt", o->out));
  {
    PetscBool same;
    PetscCall(PetscStrcmp(o->checkpoint, o->out, &same));
    MrCheckInput(comm, !same, "-checkpoint must differ from the output file");
  }
  MrCheckInput(comm, o->trials == 1 || o->activityEvery == 0, "-save_activity does not go with -trials");
  for (PetscInt q = 0; q < o->ndref; q++) MrCheckInput(comm, o->dtimes[q] >= 0 && o->dtimes[q] <= o->tfinal, "-delta_times: %g is outside [0, t_final]", (double)o->dtimes[q]);
  if (o->analysis[0]) {
    char **names;
    int    nn;
    PetscCall(PetscStrToArray(o->analysis, ',', &nn, &names));
    for (int k = 0; k < nn; k++) {
      PetscBool lyap, spec, dim;
      PetscCall(PetscStrcmp(names[k], "lyapunov", &lyap));
      PetscCall(PetscStrcmp(names[k], "spectrum", &spec));
      PetscCall(PetscStrcmp(names[k], "dimension", &dim));
      MrCheckInput(comm, lyap || spec || dim, "-analysis: unknown analysis '%s' (lyapunov, spectrum, dimension)", names[k]);
      o->doLyap = (PetscBool)(o->doLyap || lyap);
      o->doSpec = (PetscBool)(o->doSpec || spec);
      o->doDim  = (PetscBool)(o->doDim || dim);
    }
    PetscCall(PetscStrToArrayDestroy(nn, names));
  }
  if (o->doDim) {
    MrCheckInput(comm, o->activityEvery > 0, "-analysis dimension needs the activity: add -save_activity K");
    MrCheckInput(comm, isfinite(o->dimTstart) && o->dimTstart < o->tfinal, "-dimension_t_start %g must be below t_final", (double)o->dimTstart);
  }
  if (o->doLyap) {
    MrCheckInput(comm, isfinite(o->ttrans) && o->ttrans >= 0 && o->ttrans < o->tfinal, "-t_transient %g must be in [0, t_final)", (double)o->ttrans);
    MrCheckInput(comm, o->trials == 1, "-analysis lyapunov does not go with -trials");
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* -analysis lyapunov: the tangent vectors follow the Euler step about to be
   taken from the current state (the final step shortened to end at t_final,
   as TS_EXACTFINALTIME_MATCHSTEP does). */
static PetscErrorCode MrSimPreStep(TS ts)
{
  MrSimCtx          *ctx;
  Vec                X;
  PetscReal          t, h, tmax;
  PetscInt           step;
  const PetscScalar *x;

  PetscFunctionBegin;
  PetscCall(TSGetApplicationContext(ts, &ctx));
  PetscCall(TSGetSolution(ts, &X));
  PetscCall(TSGetTime(ts, &t));
  PetscCall(TSGetTimeStep(ts, &h));
  PetscCall(TSGetMaxTime(ts, &tmax));
  PetscCall(TSGetStepNumber(ts, &step));
  if (t + h > tmax) h = tmax - t;
  PetscCall(VecGetArrayRead(X, &x));
  PetscCall(MrLyapunovStep(ctx->ly, step, t, h, x));
  PetscCall(VecRestoreArrayRead(X, &x));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode MrSimSave(MrSimCtx *ctx, PetscInt step, PetscReal t, Vec X)
{
  MrNetwork          net = ctx->net;
  MrLayout           L   = net->layout;
  const PetscInt     T   = net->nt;
  const PetscScalar *x;
  PetscInt           nlead = 0;

  PetscFunctionBegin;
  PetscCall(PetscLogStagePush(ctx->stageOutput));
  PetscCall(VecGetArrayRead(X, &x));
  PetscCall(MrSeriesAppend(ctx->time, &t));
  /* series rows are [trial][owned column]; the state is [row][trial] */
  for (PetscInt q = 0; q < T; q++)
    for (PetscInt j = 0; j < net->nS; j++) ctx->rowbuf[q * net->nS + j] = x[(net->nx + j) * T + q];
  PetscCall(MrSeriesAppend(ctx->currents, ctx->rowbuf));
  PetscCall(MrNetworkDiagnostics(net, x, ctx->var, ctx->ps));
  for (PetscInt j = 0; j < L->nslices; j++) nlead += L->slice[j].grank == 0;
  for (int which = 0; which < 2; which++) {
    const PetscReal *v = which ? ctx->ps : ctx->var;
    for (PetscInt q = 0; q < T; q++)
      for (PetscInt j = 0, k = 0; j < L->nslices; j++)
        if (L->slice[j].grank == 0) ctx->rowbuf[q * nlead + k++] = v[j * T + q];
    PetscCall(MrSeriesAppend(which ? ctx->psi : ctx->variance, ctx->rowbuf));
  }
  if (ctx->traces) {
    for (PetscInt q = 0; q < T; q++)
      for (PetscInt j = 0; j < ctx->ntr; j++) ctx->rowbuf[q * ctx->ntr + j] = x[ctx->trLocal[j] * T + q];
    PetscCall(MrSeriesAppend(ctx->traces, ctx->rowbuf));
  }
  PetscCall(VecRestoreArrayRead(X, &x));
  ctx->lastSaved = step;
  ctx->nsaved++;
  PetscCall(PetscLogStagePop());
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The autocovariance against each reference time, every -delta_lag_every steps of lag. */
static PetscErrorCode MrSimDelta(MrSimCtx *ctx, PetscInt step, PetscReal t, Vec X)
{
  MrNetwork          net  = ctx->net;
  const PetscInt     nref = ctx->opt->ndref, nsl = net->layout->nslices, T = net->nt;
  const PetscScalar *x;

  PetscFunctionBegin;
  PetscCall(VecGetArrayRead(X, &x));
  for (PetscInt q = 0; q < nref; q++) {
    PetscInt lag;
    if (ctx->refStep[q] < 0 && t >= ctx->opt->dtimes[q] - 1e-9 * ctx->opt->dt) {
      ctx->refStep[q] = step; /* the first step at or after the reference time */
      ctx->refTime[q] = t;
      PetscCall(PetscArraycpy(ctx->xref + q * net->nx * T, x, net->nx * T));
    }
    lag = step - ctx->refStep[q];
    if (ctx->refStep[q] < 0 || lag % ctx->opt->dlagEvery || lag / ctx->opt->dlagEvery >= ctx->nlag) continue;
    PetscCall(MrNetworkDot(net, ctx->xref + q * net->nx * T, x, ctx->dot));
    for (PetscInt k = 0; k < nsl; k++) /* record: [slice][trial][reference][lag] */
      for (PetscInt tr = 0; tr < T; tr++) ctx->rec[((k * T + tr) * nref + q) * ctx->nlag + lag / ctx->opt->dlagEvery] = ctx->dot[k * T + tr];
  }
  PetscCall(VecRestoreArrayRead(X, &x));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* -save_activity: one row of /activity (the rates of every neuron, columns in
   the global order of the regions) and its time. Collective. */
static PetscErrorCode MrSimSaveActivity(MrSimCtx *ctx, PetscReal t, Vec X)
{
  MrNetwork          net = ctx->net;
  const PetscScalar *x;
  PetscBool          tanh_;

  PetscFunctionBegin;
  PetscCall(PetscLogStagePush(ctx->stageOutput));
  PetscCall(PetscStrcmp(net->model->phi, "tanh", &tanh_));
  PetscCall(VecGetArrayRead(X, &x));
  for (PetscInt i = 0; i < net->nx; i++) ctx->rates[i] = tanh_ ? tanh(x[i]) : erf(0.88622692545275801365 * x[i]); /* phi of model.md */
  PetscCall(VecRestoreArrayRead(X, &x));
  PetscCall(MrSeriesAppend(ctx->activityTime, &t));
  PetscCall(MrSeriesAppend(ctx->activity, ctx->rates));
  ctx->nact++;
  PetscCall(PetscLogStagePop());
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode MrSimMonitor(TS ts, PetscInt step, PetscReal t, Vec X, void *vctx)
{
  MrSimCtx      *ctx = (MrSimCtx *)vctx;
  PetscLogDouble now;

  PetscFunctionBegin;
  /* after a restart the restored step was saved and recorded before the checkpoint */
  if (step % ctx->opt->saveEvery == 0 && step != ctx->lastSaved) PetscCall(MrSimSave(ctx, step, t, X));
  if (ctx->opt->ndref && step != ctx->lastDelta) {
    PetscCall(MrSimDelta(ctx, step, t, X));
    ctx->lastDelta = step;
  }
  if (ctx->opt->activityEvery && step % ctx->opt->activityEvery == 0 && step != ctx->lastAct) {
    PetscCall(MrSimSaveActivity(ctx, t, X));
    ctx->lastAct = step;
  }
  if (ctx->opt->ckptEvery && step % ctx->opt->ckptEvery == 0 && step != ctx->lastCkpt && step < ctx->maxSteps) PetscCall(MrSimCheckpointWrite(ctx, ts, step, t, X));
  PetscCall(PetscTime(&now));
  if (ctx->opt->progress > 0 && now - ctx->lastPrint >= ctx->opt->progress && step > 0) {
    PetscReal t0 = ctx->startStep * ctx->opt->dt, frac = (t - t0) / (ctx->opt->tfinal - t0), el = now - ctx->wall0;
    PetscCall(PetscPrintf(ctx->net->comm, "  step %" PetscInt_FMT "  t = %.4g / %.4g  %.1f steps/s  ETA %.0f s\n", step, (double)t, (double)ctx->opt->tfinal, (step - ctx->startStep) / el, frac > 0 ? el * (1 - frac) / frac : 0.0));
    ctx->lastPrint = now;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Static datasets and root attributes. */
static PetscErrorCode MrSimWriteHeader(MrSimCtx *ctx, const char *tsType)
{
  MrNetwork  net = ctx->net;
  MrModel    m   = net->model;
  MrLayout   L   = net->layout;
  MrOutput   out = ctx->out;
  long long *ib;
  PetscReal *s2, *Nr;

  PetscFunctionBegin;
  {
    PetscInt nt = 0; /* at most the neurons of the model: no product of -traces and R that could wrap */
    for (PetscInt r = 0; r < m->R; r++) nt += PetscMin(ctx->opt->traces, m->N[r]);
    PetscCall(PetscMalloc1(2 * nt + 2, &ib));
  }
  PetscCall(MrOutputWriteChannelMap(out, m->Cth, m->target, m->source)); /* the theory's channels */
  if (ctx->opt->traces) {
    PetscInt n = 0;
    for (PetscInt r = 0; r < m->R; r++)
      for (PetscInt i = 0; i < PetscMin(ctx->opt->traces, m->N[r]); i++) {
        ib[2 * n]     = r;
        ib[2 * n + 1] = i;
        n++;
      }
    hsize_t d2[2] = {(hsize_t)n, 2};
    PetscCall(MrOutputWriteRoot(out, "/traces/index", H5T_NATIVE_LLONG, 2, d2, ib));
  }
  PetscCall(PetscFree(ib));
  PetscCall(MrOutputProvenance(out, "simulate", ctx->opt->model, m->hash));
  PetscCall(MrOutputAttrString(out, "model_description", m->description));
  PetscCall(MrOutputAttrString(out, "phi", m->phi));
  PetscCall(MrOutputAttrString(out, "ts_type", tsType));
  PetscCall(MrOutputAttrString(out, "disorder", MrDisorderTypes[ctx->opt->dtype]));
  PetscCall(MrOutputAttrString(out, "precision", MrPrecisions[ctx->opt->prec]));
  if (ctx->opt->dtype == MR_DISORDER_SPARSE) PetscCall(MrOutputAttrInt(out, "disorder_k", ctx->opt->K));
  PetscCall(MrOutputAttrString(out, "layout", L->grouped ? "region groups" : "whole regions per rank"));
  PetscCall(MrOutputAttrString(out, "partition", L->grouped ? "groups" : MrPartitionTypes[ctx->opt->partition]));
  PetscCall(MrOutputAttrInt(out, "edge_cut_channels", MrLayoutEdgeCut(L, m)));
  PetscCall(MrOutputAttrInt(out, "mpi_size", L->size));
  PetscCall(MrOutputAttrInt(out, "seed", ctx->opt->seed));
  PetscCall(MrOutputAttrInt(out, "trials", ctx->opt->trials));
  PetscCall(MrOutputAttrInt(out, "init_seed", ctx->opt->initSeed));
  PetscCall(MrOutputAttrInt(out, "R", m->R));
  PetscCall(MrOutputAttrInt(out, "C", m->Cth));
  PetscCall(MrOutputAttrReal(out, "dt", ctx->opt->dt));
  PetscCall(MrOutputAttrReal(out, "t_final", ctx->opt->tfinal));
  PetscCall(MrOutputAttrReal(out, "tau", m->tau));
  PetscCall(MrOutputAttrInt(out, "save_every", ctx->opt->saveEvery));
  PetscCall(PetscMalloc2(m->R, &s2, m->R, &Nr));
  PetscCall(MrModelReadoutVariances(m, s2));
  for (PetscInt r = 0; r < m->R; r++) Nr[r] = (PetscReal)m->N[r];
  PetscCall(MrOutputAttrRealArray(out, "readout_variance", m->R, s2));
  PetscCall(MrOutputAttrRealArray(out, "N", m->R, Nr));
  PetscCall(MrOutputAttrRealArray(out, "g", m->R, m->g));
  PetscCall(PetscFree2(s2, Nr));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* /network/region<r>/J and /vectors, row blocks written by their owners. */
static PetscErrorCode MrSimWriteConnectivity(MrSimCtx *ctx)
{
  MrNetwork net = ctx->net;
  MrModel   m   = net->model;
  MrLayout  L   = net->layout;

  PetscFunctionBegin;
  for (PetscInt r = 0; r < m->R; r++) {
    PetscInt   k = MrLayoutFindSlice(L, r), D, nr = 0, r0 = 0;
    double    *buf = NULL;
    char       name[64];
    PetscReal *cov;
    PetscCall(MrModelRegionCovariance(m, r, 1.0, &D, &cov)); /* only its size D is needed */
    PetscCall(PetscFree(cov));
    if (k >= 0) {
      nr = L->slice[k].rend - L->slice[k].rstart;
      r0 = L->slice[k].rstart;
    }
    /* a region's rows are written by its group; ranks outside write nothing */
    PetscCall(PetscSNPrintf(name, sizeof(name), "/network/region%" PetscInt_FMT "/vectors", r));
    PetscCall(MrOutputWriteRows(ctx->out, name, (hsize_t)m->N[r], (hsize_t)D, (hsize_t)r0, (hsize_t)nr, k >= 0 ? net->vec[k].vec : NULL));
    if (m->g[r] > 0 && ctx->opt->dtype == MR_DISORDER_DENSE) {
      const MrDisorder *J = k >= 0 ? &net->J[k] : NULL;
      PetscCall(PetscMalloc1((size_t)nr * m->N[r] + 1, &buf));
      for (PetscInt i = 0; i < nr; i++)
        for (PetscInt j = 0; j < m->N[r]; j++) buf[(size_t)i * m->N[r] + j] = J->precision == MR_PRECISION_DOUBLE ? J->Jd[(size_t)i * J->ld + j] : (double)J->Jf[(size_t)i * J->ld + j];
      PetscCall(PetscSNPrintf(name, sizeof(name), "/network/region%" PetscInt_FMT "/J", r));
      PetscCall(MrOutputWriteRows(ctx->out, name, (hsize_t)m->N[r], (hsize_t)m->N[r], (hsize_t)r0, (hsize_t)nr, buf));
      PetscCall(PetscFree(buf));
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Memory per rank from the layout (before anything large is allocated), the
   time estimate of -dry_run (J bytes / bandwidth), and a stop with a clear
   message when a node would run out of memory. */
/* How many channels cross ranks (the edge cut of the region graph). */
static PetscErrorCode MrSimViewCut(MPI_Comm comm, MrModel m, MrLayout L, MrPartitionType type)
{
  PetscInt cross = 0;

  PetscFunctionBegin;
  for (PetscInt c = 0; c < m->C; c++) cross += m->target[c] != m->source[c];
  PetscCall(PetscPrintf(comm, "  edge cut: %" PetscInt_FMT " of %" PetscInt_FMT " cross-region channels cross ranks (%s)\n", MrLayoutEdgeCut(L, m), cross, L->grouped ? "a rank group per region" : MrPartitionTypes[type]));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode MrSimMemory(MPI_Comm comm, MrModel m, MrLayout L, const MrSimOptions *o, const char *tsType, PetscInt nsteps)
{
  PetscReal   mine[2] = {0, 0}, mx[2], tot[2], node, phys;
  PetscMPIInt nlocal;

  PetscFunctionBegin;
  for (PetscInt k = 0; k < L->nslices; k++) {
    const MrSlice *sl   = &L->slice[k];
    PetscReal      rows = (PetscReal)(sl->rend - sl->rstart), N = (PetscReal)sl->N, D;
    PetscInt       r = sl->region;
    D                = (PetscReal)(m->outOff[r + 1] - m->outOff[r] + m->inOff[r + 1] - m->inOff[r] + 1);
    if (m->g[r] > 0) {
      PetscReal J = o->dtype == MR_DISORDER_DENSE ? rows * (8.0 * ceil(N / 8)) * (o->prec == MR_PRECISION_SINGLE ? 4 : 8) : rows * o->K * (8.0 + sizeof(PetscInt));
      mine[0] += J;
      mine[1] += J; /* streamed once per right-hand side */
    }
    mine[0] += rows * D * 8 + N * 16 + rows * 8 * 8;                                /* vectors, gathers, state and TS work vectors */
    mine[0] += rows * 8.0 * o->ndref * o->trials;                                   /* -delta_times: x at each reference time */
    if (o->activityEvery) mine[0] += rows * 8.0 * (o->buffer + 1);                  /* -save_activity: buffered rates */
    if (o->doLyap) mine[0] += rows * 8.0 * (4 * o->lyapK + 1) + N * 8.0 * o->lyapK; /* tangent vectors and their products */
  }
  mine[0] += 8.0 * m->C * 4 + (PetscReal)(m->nT + m->nU) * 24; /* the replicated model */
  if (o->doDim && nsteps > 0) {                                /* -analysis dimension at the end: C, its eigenvectors and the samples, while the network still exists */
    PetscReal n = 0, rows = (PetscReal)(nsteps / o->activityEvery + 1);
    for (PetscInt r = 0; r < m->R; r++) n += (PetscReal)m->N[r];
    mine[0] += MrConnectivityMemory((PetscInt)n, L->size, o->blockSize) + 8.0 * (n + rows) * n / L->size;
  }
  PetscCallMPI(MPI_Allreduce(mine, mx, 2, MPIU_REAL, MPI_MAX, comm));
  PetscCallMPI(MPI_Allreduce(mine, tot, 2, MPIU_REAL, MPI_SUM, comm));
  PetscCall(MrLayoutNodeMemory(L, mine[0], &node, &phys, &nlocal));
  if (o->dryRun) {
    /* the performance model of docs/performance.md on the busiest rank */
    PetscReal loc[4] = {0, 0, 0, 0}, big[4], t, a = o->latency * 1e-6, bn = o->network * 1e9;
    PetscInt  nnb = 0, cut = 0;
    char     *nb;
    PetscCall(PetscCalloc1(L->size, &nb));
    for (PetscInt k = 0; k < L->nslices; k++) {
      const MrSlice *sl = &L->slice[k];
      PetscInt       r = sl->region, nout = m->outOff[r + 1] - m->outOff[r], D = nout + m->inOff[r + 1] - m->inOff[r] + 1;
      PetscReal      rows = (PetscReal)(sl->rend - sl->rstart), lg = ceil(log2((double)sl->gsize));
      loc[0] += 2 * 8.0 * rows * D / (o->bandwidth * 1e9); /* vectors: projection and expansion */
      if (sl->gsize > 1) {
        if (m->g[r] > 0 && o->dtype == MR_DISORDER_DENSE) loc[1] += a * lg + 8.0 * sl->N * (sl->gsize - 1) / sl->gsize / bn;
        loc[1] += a * lg + 8.0 * nout * sl->nblocks / bn;
      }
      for (int dir = 0; dir < 2; dir++) { /* channels to or from regions on other ranks */
        const PetscInt *off = dir ? m->inOff : m->outOff, *ch = dir ? m->inCh : m->outCh;
        for (PetscInt i = off[r]; i < off[r + 1]; i++) {
          PetscInt    other = dir ? m->source[ch[i]] : m->target[ch[i]];
          PetscMPIInt q     = L->first[other] + (L->rank - L->first[r]) % L->nranks[other];
          if (q == L->rank) continue;
          cut++;
          if (!nb[q]) nnb++;
          nb[q] = 1;
        }
      }
    }
    loc[2] = a * nnb + 8.0 * cut / bn;
    loc[0] += mine[1] / (o->bandwidth * 1e9);
    loc[3] = loc[0] + loc[1] + loc[2];
    PetscCallMPI(MPI_Allreduce(loc, big, 4, MPIU_REAL, MPI_MAX, comm));
    PetscCall(PetscFree(nb));
    t = big[3];
    PetscCall(PetscPrintf(comm, "mrdyn simulate -dry_run: %d ranks (%d on this node)\n", L->size, nlocal));
    PetscCall(MrLayoutView(L, PETSC_VIEWER_STDOUT_(comm)));
    PetscCall(MrSimViewCut(comm, m, L, o->partition));
    PetscCall(PetscPrintf(comm, "  memory: %.3g GB on the busiest rank, %.3g GB in all; this node needs %.3g GB of %.3g GB\n", mx[0] / 1e9, tot[0] / 1e9, node / 1e9, phys / 1e9));
    PetscCall(PetscPrintf(comm, "  time per right-hand side ~ %.3g s on the busiest rank: memory %.3g s (%.3g GB of J at %g GB/s per rank), in-group gathers %.3g s, exchange %.3g s\n", (double)t, (double)big[0], mx[1] / 1e9, (double)o->bandwidth,
                          (double)big[1], (double)big[2]));
    PetscCall(PetscPrintf(comm, "  (model of docs/performance.md with -dry_run_bandwidth %g GB/s, -dry_run_latency %g us, -dry_run_network %g GB/s per rank)\n", (double)o->bandwidth, (double)o->latency, (double)o->network));
    if (nsteps > 0) PetscCall(PetscPrintf(comm, "  %" PetscInt_FMT " steps of %s: ~ %.3g s if one right-hand side per step (RK4: four)\n", nsteps, tsType, t * nsteps));
    PetscCall(PetscPrintf(comm, "  nothing was allocated or written\n"));
  }
  MrCheckInput(comm, o->dryRun || node < 0.9 * phys, "the network needs %.3g GB on one node but it has %.3g GB: use more nodes or ranks, -precision single, or sparse disorder (see -dry_run)", node / 1e9, phys / 1e9);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* /delta (R, nref, nlag), or (R, trials, nref, nlag), written by the region
   leaders (any set of regions), /delta_times, /delta_lags. */
static PetscErrorCode MrSimWriteDelta(MrSimCtx *ctx)
{
  MrLayout       L = ctx->net->layout;
  MrModel        m = ctx->net->model;
  const PetscInt T = ctx->net->nt, per = T * ctx->opt->ndref * ctx->nlag;
  PetscInt       nref = ctx->opt->ndref, nlead = 0;
  hsize_t        dims[4] = {(hsize_t)m->R, (hsize_t)T, (hsize_t)nref, (hsize_t)ctx->nlag}, dl = (hsize_t)ctx->nlag, dr = (hsize_t)nref, *r0, *nr;
  PetscReal     *buf, *tl, *tr;

  PetscFunctionBegin;
  if (T == 1) { /* no trial axis */
    dims[1] = (hsize_t)nref;
    dims[2] = (hsize_t)ctx->nlag;
  }
  PetscCall(PetscMalloc3(L->nslices * per + 1, &buf, ctx->nlag, &tl, nref, &tr));
  PetscCall(PetscMalloc2(L->nslices + 1, &r0, L->nslices + 1, &nr));
  for (PetscInt k = 0; k < L->nslices; k++) {
    if (L->slice[k].grank) continue;
    r0[nlead] = (hsize_t)L->slice[k].region;
    nr[nlead] = 1;
    PetscCall(PetscArraycpy(buf + nlead * per, ctx->rec + k * per, per));
    nlead++;
  }
  PetscCall(MrOutputWritePieces(ctx->out, "/delta", T == 1 ? 3 : 4, dims, nlead, r0, nr, buf));
  for (PetscInt l = 0; l < ctx->nlag; l++) tl[l] = l * ctx->opt->dlagEvery * ctx->opt->dt;
  for (PetscInt q = 0; q < nref; q++) tr[q] = ctx->refTime[q];
  PetscCall(MrOutputWriteRoot(ctx->out, "/delta_lags", H5T_NATIVE_DOUBLE, 1, &dl, tl));
  PetscCall(MrOutputWriteRoot(ctx->out, "/delta_times", H5T_NATIVE_DOUBLE, 1, &dr, tr));
  PetscCall(PetscFree3(buf, tl, tr));
  PetscCall(PetscFree2(r0, nr));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A series of the output: created, or reopened at the checkpoint's row count on restart. */
static PetscErrorCode MrSimSeries(MrSimCtx *ctx, const char name[], PetscInt T, PetscInt ncols, PetscInt nown, const PetscInt cols[], PetscInt64 rows, MrSeries *s)
{
  PetscFunctionBegin;
  if (ctx->opt->restart[0])
    PetscCall(MrSeriesReopen(ctx->out, name, T, ncols, nown, cols, ctx->opt->buffer, rows, s));
  else
    PetscCall(MrSeriesCreateTrials(ctx->out, name, T, ncols, nown, cols, ctx->opt->buffer, s));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSimulate(MPI_Comm comm)
{
  MrSimOptions   opt;
  MrModel        model = NULL;
  MrLayout       L     = NULL;
  MrNetwork      net   = NULL;
  MrSimCtx       ctx;
  TS             ts;
  Vec            X;
  PetscReal     *cost, *S0, *v0;
  PetscInt       nsteps, nOwnRegions = 0, *cols;
  PetscLogStage  stSetup, stStep;
  TSType         tsType;
  TSAdapt        adapt;
  TSAdaptType    adaptType;
  PetscBool      fixed;
  PetscLogDouble t0, t1;
  PetscInt64     bytes, msgs, tbytes, tmsgs;
  MrInputs       inputs;
  PetscInt64     rows = 0;
  PetscInt       steps;
  PetscReal      tnow;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(&ctx, sizeof(ctx)));
  PetscCall(MrLogStage("Setup", &stSetup));
  PetscCall(MrLogStage("Step", &stStep));
  PetscCall(MrLogStage("Output", &ctx.stageOutput));
  PetscCall(PetscLogStagePush(stSetup));
  PetscCall(MrSimGetOptions(comm, &opt));
  if (opt.help) {
    PetscCall(TSCreate(comm, &ts));
    MrSetFromOptions(comm, TSSetFromOptions(ts));
    PetscCall(TSDestroy(&ts));
    PetscCall(PetscFree2(opt.S0, opt.v0));
    PetscCall(PetscLogStagePop());
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(MrModelLoadNetwork(comm, opt.model, &model)); /* with /weights: the imported W itself */
  PetscCall(MrWeightsCheckDisorder(model, opt.dtype, "simulate"));
  {
    PetscInt64 n = model->C; /* the state vector: every neuron and channel of every trial, indexed by PetscInt */
    for (PetscInt r = 0; r < model->R; r++) n += model->N[r];
    MrCheckInput(comm, n * opt.trials <= PETSC_MAX_INT, "the state of %" PetscInt64_FMT " neurons and channels times -trials %" PetscInt_FMT " exceeds this build's PETSc index range (%" PetscInt_FMT ")", n, opt.trials, (PetscInt)PETSC_MAX_INT);
  }
  if (opt.ndref) { /* the autocovariance record: lags x reference times x trials per region */
    const double nlag = floor(round(opt.dlagMax / opt.dt) / opt.dlagEvery) + 1;
    MrCheckInput(comm, nlag * opt.ndref * opt.trials * model->R <= (double)PETSC_MAX_INT,
                 "-delta_lag_max %g / -dt %g with -delta_lag_every %" PetscInt_FMT " records %.4g lags per reference time: too many; lower -delta_lag_max or raise -delta_lag_every", (double)opt.dlagMax, (double)opt.dt, opt.dlagEvery, nlag);
  }
  MrCheckInput(comm, opt.nS0 == 0 || opt.nS0 == model->Cth, "-init_currents has %" PetscInt_FMT " values but the model has C = %" PetscInt_FMT " channels", opt.nS0, model->Cth);
  MrCheckInput(comm, opt.nv0 == 0 || opt.nv0 == 1 || opt.nv0 == model->R, "-init_variance has %" PetscInt_FMT " values; give 1 or R = %" PetscInt_FMT, opt.nv0, model->R);
  for (PetscInt i = 0; i < opt.nv0; i++) MrCheckInput(comm, opt.v0[i] >= 0, "-init_variance: value %" PetscInt_FMT " = %g is negative", i, (double)opt.v0[i]);
  if (opt.doLyap) {
    PetscInt64 n = 0;
    for (PetscInt r = 0; r < model->R; r++) n += model->N[r];
    MrCheckInput(comm, opt.lyapK <= n, "-lyap_k %" PetscInt_FMT " exceeds the %" PetscInt64_FMT " neurons", opt.lyapK, n);
  }
  PetscCall(PetscMalloc3(model->C * opt.trials + 1, &S0, model->R, &v0, model->R, &cost));
  for (PetscInt q = 0; q < opt.trials; q++) { /* trial q: seed + q */
    if (opt.hasUniform)
      MrInitialCurrentsUniform(opt.initSeed + q, model->Cth, opt.uniform[0], opt.uniform[1], S0 + q * model->C);
    else
      MrInitialCurrents(opt.initSeed + q, model->Cth, opt.nS0, opt.S0, S0 + q * model->C);
  }
  for (PetscInt r = 0; r < model->R; r++) v0[r] = opt.nv0 == 0 ? 1.0 : opt.v0[opt.nv0 == 1 ? 0 : r];
  for (PetscInt r = 0; r < model->R; r++) {
    const PetscReal N = (PetscReal)model->N[r], D = (PetscReal)(model->outOff[r + 1] - model->outOff[r] + model->inOff[r + 1] - model->inOff[r] + 1);
    if (opt.dtype == MR_DISORDER_SPARSE) MrCheckInput(comm, opt.K >= 1 && opt.K <= model->N[r], "-disorder_k %" PetscInt_FMT " must be between 1 and N = %" PetscInt_FMT " of region %" PetscInt_FMT, opt.K, model->N[r], r);
    cost[r] = N * D + (model->g[r] > 0 ? (opt.dtype == MR_DISORDER_DENSE ? N * N * (opt.prec == MR_PRECISION_SINGLE ? 0.5 : 1.0) : N * opt.K) : 0);
  }
  PetscCall(MrLayoutCreatePartitioned(comm, model, cost, 0, opt.partition, &L));
  PetscCall(MrInputsParse(comm, opt.input, model->R, &inputs));
  for (PetscInt k = 0; k < inputs.n; k++) MrCheckInput(comm, MrModelRegionHasInput(model, inputs.region[k]), "-input: region %" PetscInt_FMT " has no input direction (the model's V is zero or absent for it)", inputs.region[k]);

  PetscCall(TSCreate(comm, &ts));
  PetscCall(TSSetProblemType(ts, TS_NONLINEAR));
  PetscCall(TSSetType(ts, TSEULER));
  PetscCall(TSSetTimeStep(ts, opt.dt));
  PetscCall(TSSetMaxTime(ts, opt.tfinal));
  nsteps = (PetscInt)ceil(opt.tfinal / opt.dt - 1e-9);
  PetscCall(TSSetExactFinalTime(ts, TS_EXACTFINALTIME_MATCHSTEP));
  MrSetFromOptions(comm, TSSetFromOptions(ts));
  PetscCall(TSGetType(ts, &tsType));
  PetscCall(TSGetAdapt(ts, &adapt));
  PetscCall(TSAdaptGetType(adapt, &adaptType));
  PetscCall(PetscStrcmp(adaptType, TSADAPTNONE, &fixed));
  PetscCall(TSSetMaxSteps(ts, fixed ? nsteps : PETSC_MAX_INT));
  PetscCall(MrCheckUnusedOptions(comm, MrSimKnown));
  MrCheckInput(comm, fixed || opt.ndref == 0, "-delta_times needs a fixed time step (lags are counted in steps); drop -ts_adapt_type");
  if (opt.doDim && fixed) {
    PetscInt rows = 0;
    for (PetscInt64 k = 0; k * opt.activityEvery <= nsteps; k++) rows += k * opt.activityEvery * opt.dt >= opt.dimTstart - 1e-9 * opt.dt;
    MrCheckInput(comm, rows >= 2, "-analysis dimension: fewer than 2 rows of activity at t >= %g (-save_activity %" PetscInt_FMT " keeps %" PetscInt_FMT ")", (double)opt.dimTstart, opt.activityEvery, rows);
  }
  if (opt.doLyap) {
    PetscBool euler;
    PetscCall(PetscStrcmp(tsType, TSEULER, &euler));
    MrCheckInput(comm, euler && fixed, "-analysis lyapunov follows the tangent map of the forward Euler step: use -ts_type euler with a fixed step (this run has -ts_type %s%s)", tsType, fixed ? "" : " with an adaptive step");
  }
  PetscCall(MrSimMemory(comm, model, L, &opt, tsType, fixed ? nsteps : -1));
  if (opt.dryRun) {
    PetscCall(TSDestroy(&ts));
    PetscCall(MrInputsDestroy(&inputs));
    PetscCall(MrLayoutDestroy(&L));
    PetscCall(MrModelDestroy(&model));
    PetscCall(PetscFree3(S0, v0, cost));
    PetscCall(PetscFree2(opt.S0, opt.v0));
    PetscCall(PetscLogStagePop());
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  {
    const char *paths[] = {opt.out, opt.checkpoint}, *names[] = {"-o", "-checkpoint"}, *inputs[] = {opt.model, NULL};
    if (opt.restart[0]) {
      PetscBool done;
      /* the checkpoint read is an input of the output (it may be replaced by the next checkpoint) */
      PetscCall(MrOutputCheckPathInputs(comm, opt.out, (const char *const[]){opt.restart, NULL}, PETSC_TRUE));
      PetscCall(MrSimCheckpointCheck(comm, opt.restart)); /* what is wrong with it first */
      PetscCall(PetscTestFile(opt.out, 'r', &done));
      MrCheckInput(comm, !done, "-restart: the output '%s' is already complete; nothing to continue", opt.out);
    }
    /* both before anything is created; a restart replaces the checkpoint it continues (and OUT.partial),
       any other existing checkpoint file only with -force (only rank 0's value counts) */
    PetscCall(MrOutputCheckPaths(comm, 2, paths, names, inputs, (PetscBool)(opt.force || (opt.restart[0] && MrPathSame(opt.checkpoint, opt.restart)))));
  }

  /* -analysis spectrum: before the network exists, so the two never share memory */
  MrSpectrum spec         = NULL;
  PetscBool  specOutliers = PETSC_FALSE; /* too large for the dense path: SLEPc on the network, once it exists */
  if (opt.doSpec && !opt.restart[0]) {
    MrRealisation re = {opt.seed, opt.dtype, opt.prec, opt.K, opt.blockSize, MR_SPECTRUM_AUTO, 0, NULL}; /* rank 0 LAPACK: a thread per rank of its node */
    PetscReal     need;
    PetscCall(MrSpectrumCheck(comm, model, &re, 0, (PetscBool)(opt.trials == 1), &need));
    specOutliers = (PetscBool)(re.method == MR_SPECTRUM_SLEPC);
    if (!specOutliers) {
      PetscCall(PetscPrintf(comm, "mrdyn simulate: the spectrum of this realisation first (-analysis spectrum)\n"));
      PetscCall(MrSpectrumCompute(comm, model, &re, &spec));
    }
  }
  /* the network is realised only now that every input is known to be good */
  PetscCall(PetscTime(&t0));
  PetscCall(MrNetworkCreate(model, L, opt.seed, opt.dtype, opt.prec, opt.K, opt.trials, &net));
  net->inputs = inputs;
  PetscCall(VecCreateMPI(comm, net->nloc, PETSC_DETERMINE, &X));
  PetscCall(TSSetRHSFunction(ts, NULL, MrNetworkRHS, net));
  PetscCall(MrNetworkInitialState(net, opt.initSeed, S0, v0, X));
  PetscCall(PetscTime(&t1));
  if (specOutliers) {
    PetscCall(PetscPrintf(comm, "mrdyn simulate: the network is too large for the dense spectrum: its outliers with SLEPc first (-analysis spectrum)\n"));
    PetscCall(MrSpectrumOutliersDefault(net, &spec));
  }
  PetscCall(PetscPrintf(comm, "mrdyn simulate: R = %" PetscInt_FMT ", C = %" PetscInt_FMT " channels, %d ranks, %s %s disorder, %s, dt = %g, t_final = %g\n", model->R, model->Cth, L->size, MrDisorderTypes[opt.dtype], MrPrecisions[opt.prec], tsType,
                        (double)opt.dt, (double)opt.tfinal));
  if (model->weights) PetscCall(PetscPrintf(comm, "  the imported W of %s (%" PetscInt_FMT " residual channels beyond the theory's)\n", model->weights, model->C - model->Cth));
  PetscCall(MrLayoutView(L, PETSC_VIEWER_STDOUT_(comm)));
  PetscCall(MrSimViewCut(comm, model, L, opt.partition));

  ctx.net       = net;
  ctx.opt       = &opt;
  ctx.lastSaved = ctx.lastDelta = ctx.lastCkpt = ctx.lastAct = -1;
  ctx.maxSteps                                               = fixed ? nsteps : PETSC_MAX_INT;
  ctx.stopReq                                                = MPI_REQUEST_NULL;
  if (opt.ndref) {
    PetscInt64 mine = (PetscInt64)opt.ndref * net->nx * opt.trials, most; /* the states at the reference times, on this rank */
    PetscCallMPI(MPI_Allreduce(&mine, &most, 1, MPIU_INT64, MPI_MAX, comm));
    MrCheckInput(comm, most <= PETSC_MAX_INT, "-delta_times: %" PetscInt_FMT " reference times x -trials %" PetscInt_FMT " hold %" PetscInt64_FMT " values on one rank, more than this build's PETSc index range; use fewer, or more ranks", opt.ndref,
                 opt.trials, most);
    ctx.nlag = (PetscInt)(floor(round(opt.dlagMax / opt.dt) / opt.dlagEvery) + 1); /* checked above */
    PetscCall(PetscMalloc5(opt.ndref, &ctx.refStep, opt.ndref * net->nx * opt.trials + 1, &ctx.xref, L->nslices * opt.trials * opt.ndref * ctx.nlag + 1, &ctx.rec, L->nslices * opt.trials + 1, &ctx.dot, opt.ndref, &ctx.refTime));
    for (PetscInt q = 0; q < opt.ndref; q++) {
      ctx.refStep[q] = -1;
      ctx.refTime[q] = NAN;
    }
    for (PetscInt i = 0; i < L->nslices * opt.trials * opt.ndref * ctx.nlag; i++) ctx.rec[i] = NAN;
  }
  if (opt.doLyap) PetscCall(MrLyapunovCreate(net, opt.lyapK, opt.lyapEvery, opt.ttrans, opt.seed, nsteps / opt.lyapEvery + 2, &ctx.ly));
  if (opt.restart[0]) {
    PetscCall(MrSimCheckpointRead(&ctx, ts, X, &rows)); /* reopens the output too */
  } else {
    PetscCall(MrOutputCreate(comm, opt.out, &ctx.out));
    PetscCall(MrSimWriteHeader(&ctx, tsType));
    if (spec) {
      PetscCall(MrSpectrumWrite(spec, ctx.out, "/spectrum"));
      PetscCall(MrSpectrumView(spec));
      PetscCall(MrSpectrumDestroy(&spec));
    }
    if (opt.saveConn) PetscCall(MrSimWriteConnectivity(&ctx));
  }
  {
    PetscInt zero = 0;
    PetscCall(MrSimSeries(&ctx, "/time", 1, 0, L->rank == 0 ? 1 : 0, &zero, rows, &ctx.time));
  }
  PetscCall(PetscMalloc1(net->nS + 1, &cols));
  PetscCall(PetscArraycpy(cols, net->Sch, net->nS));
  PetscCall(MrSimSeries(&ctx, "/currents", opt.trials, model->Cth, net->nS, cols, rows, &ctx.currents));
  PetscCall(PetscFree(cols));
  for (PetscInt k = 0; k < L->nslices; k++) nOwnRegions += L->slice[k].grank == 0;
  PetscCall(PetscMalloc1(nOwnRegions + 1, &cols));
  nOwnRegions = 0;
  for (PetscInt k = 0; k < L->nslices; k++)
    if (L->slice[k].grank == 0) cols[nOwnRegions++] = L->slice[k].region;
  PetscCall(MrSimSeries(&ctx, "/variance", opt.trials, model->R, nOwnRegions, cols, rows, &ctx.variance));
  PetscCall(MrSimSeries(&ctx, "/psi", opt.trials, model->R, nOwnRegions, cols, rows, &ctx.psi));
  PetscCall(PetscFree(cols));
  if (opt.traces) {
    PetscInt ntot = 0, col = 0;
    for (PetscInt r = 0; r < model->R; r++) ntot += PetscMin(opt.traces, model->N[r]);
    PetscCall(PetscMalloc1(ntot + 1, &cols));
    PetscCall(PetscMalloc1(ntot + 1, &ctx.trLocal));
    for (PetscInt r = 0; r < model->R; r++) {
      PetscInt k = MrLayoutFindSlice(L, r);
      for (PetscInt i = 0; i < PetscMin(opt.traces, model->N[r]); i++, col++) {
        if (k >= 0 && i >= L->slice[k].rstart && i < L->slice[k].rend) {
          cols[ctx.ntr]          = col;
          ctx.trLocal[ctx.ntr++] = net->xoff[k] + i - L->slice[k].rstart;
        }
      }
    }
    PetscCall(MrSimSeries(&ctx, "/traces/x", opt.trials, ntot, ctx.ntr, cols, rows, &ctx.traces));
    PetscCall(PetscFree(cols));
  }
  if (opt.activityEvery) {
    PetscInt ntot = 0, zero = 0, *off;
    PetscCall(PetscMalloc1(model->R + 1, &off));
    for (PetscInt r = 0; r < model->R; r++) {
      off[r] = ntot;
      ntot += model->N[r];
    }
    PetscCall(PetscMalloc1(net->nx + 1, &cols));
    PetscCall(PetscMalloc1(net->nx + 1, &ctx.rates));
    for (PetscInt k = 0; k < L->nslices; k++)
      for (PetscInt i = L->slice[k].rstart; i < L->slice[k].rend; i++) cols[net->xoff[k] + i - L->slice[k].rstart] = off[L->slice[k].region] + i;
    PetscCall(MrSimSeries(&ctx, "/activity_time", 1, 0, L->rank == 0 ? 1 : 0, &zero, ctx.nact, &ctx.activityTime));
    PetscCall(MrSimSeries(&ctx, "/activity", 1, ntot, net->nx, cols, ctx.nact, &ctx.activity));
    if (!opt.restart[0]) PetscCall(MrOutputAttrInt(ctx.out, "save_activity", opt.activityEvery));
    PetscCall(PetscFree(cols));
    PetscCall(PetscFree(off));
  }
  PetscCall(PetscMalloc3(PetscMax(PetscMax(ctx.ntr, model->R), net->nS) * opt.trials + 1, &ctx.rowbuf, L->nslices * opt.trials + 1, &ctx.var, L->nslices * opt.trials + 1, &ctx.ps));
  PetscCall(TSMonitorSet(ts, MrSimMonitor, &ctx, NULL));
  PetscCall(TSSetApplicationContext(ts, &ctx));
  PetscCall(TSSetPostStep(ts, MrSimPostStep));
  if (opt.doLyap) PetscCall(TSSetPreStep(ts, MrSimPreStep));
  PetscCall(PetscLogStagePop());

  PetscCall(PetscTime(&ctx.wall0));
  ctx.lastPrint = ctx.wall0;
  PetscCall(PetscLogStagePush(stStep));
  PetscCall(MrSignalsInstall());
  PetscCall(TSSolve(ts, X));
  PetscCall(MrSignalsRestore());
  PetscCall(PetscLogStagePop());
  if (ctx.stopReq != MPI_REQUEST_NULL) PetscCallMPI(MPI_Wait(&ctx.stopReq, MPI_STATUS_IGNORE));
  PetscCall(TSGetStepNumber(ts, &steps));
  PetscCall(TSGetTime(ts, &tnow));
  if (ctx.stopSignal) {
    /* stopped on request: the step's row and record, a checkpoint, the output left partial */
    if (steps % opt.saveEvery == 0 && ctx.lastSaved != steps) PetscCall(MrSimSave(&ctx, steps, tnow, X));
    if (opt.ndref && ctx.lastDelta != steps) PetscCall(MrSimDelta(&ctx, steps, tnow, X));
    ctx.lastDelta = steps;
    if (opt.activityEvery && steps % opt.activityEvery == 0 && ctx.lastAct != steps) PetscCall(MrSimSaveActivity(&ctx, tnow, X));
    ctx.lastAct = steps;
    if (ctx.lastCkpt != steps) PetscCall(MrSimCheckpointWrite(&ctx, ts, steps, tnow, X));
    PetscCall(MrOutputClosePartial(&ctx.out));
  } else {
    if (ctx.lastSaved != steps) PetscCall(MrSimSave(&ctx, steps, tnow, X));
    PetscCall(PetscTime(&t1));
    PetscCall(MrExchangeStats(net->ex, &bytes, &msgs, &tbytes, &tmsgs));
    {
      PetscReal rhsPerStep = steps > 0 ? (PetscReal)net->nrhs / (PetscReal)steps : 0;
      PetscCall(MrOutputAttrInt(ctx.out, "steps", steps));
      PetscCall(MrOutputAttrReal(ctx.out, "rhs_per_step", rhsPerStep));
      PetscCall(MrOutputAttrInt(ctx.out, "exchange_bytes_per_rhs", tbytes));
      PetscCall(MrOutputAttrInt(ctx.out, "exchange_messages_per_rhs", tmsgs));
      PetscCall(MrOutputAttrReal(ctx.out, "exchange_bytes_per_step", rhsPerStep * (PetscReal)tbytes));
      PetscCall(MrOutputAttrReal(ctx.out, "exchange_messages_per_step", rhsPerStep * (PetscReal)tmsgs));
      {
        double wall = t1 - ctx.wall0; /* attributes must be identical on every rank */
        PetscCallMPI(MPI_Bcast(&wall, 1, MPI_DOUBLE, 0, comm));
        PetscCall(MrOutputAttrReal(ctx.out, "wall_seconds", wall));
      }
      if (opt.ndref) PetscCall(MrSimWriteDelta(&ctx));
      {
        /* /state/x: x at the end, (sum N_r, trials) in global order, for `spectrum -jacobian RUN.h5` */
        const PetscScalar *x;
        hsize_t           *r0, *nr, dims[2] = {0, (hsize_t)opt.trials};
        PetscInt           off = 0;
        for (PetscInt r = 0; r < model->R; r++) dims[0] += (hsize_t)model->N[r];
        PetscCall(PetscMalloc2(L->nslices + 1, &r0, L->nslices + 1, &nr));
        for (PetscInt k = 0; k < L->nslices; k++) {
          off = 0;
          for (PetscInt r = 0; r < L->slice[k].region; r++) off += model->N[r];
          r0[k] = (hsize_t)(off + L->slice[k].rstart);
          nr[k] = (hsize_t)(L->slice[k].rend - L->slice[k].rstart);
        }
        PetscCall(VecGetArrayRead(X, &x));
        PetscCall(MrOutputWritePieces(ctx.out, "/state/x", 2, dims, L->nslices, r0, nr, x));
        PetscCall(VecRestoreArrayRead(X, &x));
        PetscCall(PetscFree2(r0, nr));
      }
      if (ctx.ly) {
        PetscCall(MrLyapunovFinish(ctx.ly, steps, tnow));
        PetscCall(MrLyapunovWrite(ctx.ly, ctx.out, opt.dt));
      }
      if (opt.doDim) {
        /* the saved activity is read back from the (still partial) run file */
        MrDimension dim;
        char        partial[PETSC_MAX_PATH_LEN + 16];
        PetscCall(MrOutputClosePartial(&ctx.out));
        PetscCall(PetscSNPrintf(partial, sizeof(partial), "%s.partial", opt.out));
        PetscCall(MrDimensionCompute(comm, partial, opt.dimTstart, opt.blockSize, &dim));
        PetscCall(MrOutputReopen(comm, opt.out, &ctx.out));
        PetscCall(MrDimensionWrite(dim, ctx.out, "/dimension"));
        PetscCall(MrDimensionView(dim));
        PetscCall(MrDimensionDestroy(&dim));
      }
      PetscCall(MrOutputFinish(&ctx.out));
      PetscCall(PetscPrintf(comm, "mrdyn simulate: %" PetscInt_FMT " steps to t = %g in %.3g s (%.1f steps/s); %" PetscInt_FMT " saved rows\n", steps, (double)tnow, t1 - ctx.wall0, steps / PetscMax(t1 - ctx.wall0, 1e-9), ctx.nsaved));
      PetscCall(PetscPrintf(comm, "  exchange per step: %.0f bytes in %.0f messages over all ranks (nothing of size N)\n", rhsPerStep * (double)tbytes, rhsPerStep * (double)tmsgs));
    }
    {
      /* a short summary of the final currents so a user sees a result at once */
      const PetscScalar *x;
      PetscReal         *loc, *all;
      PetscCall(PetscCalloc2(model->C, &loc, model->C, &all));
      PetscCall(VecGetArrayRead(X, &x));
      for (PetscInt j = 0; j < net->nS; j++) loc[net->Sch[j]] = x[(net->nx + j) * net->nt]; /* trial 0 */
      PetscCall(VecRestoreArrayRead(X, &x));
      PetscCallMPI(MPI_Reduce(loc, all, (int)model->C, MPIU_REAL, MPI_SUM, 0, comm));
      if (model->Cth <= 64) {
        PetscCall(PetscPrintf(comm, "  final currents S[target <- source]:"));
        for (PetscInt c = 0; c < model->Cth; c++) PetscCall(PetscPrintf(comm, "%s S[%" PetscInt_FMT "<-%" PetscInt_FMT "] = %.5f", c % 4 ? "" : "\n   ", model->target[c], model->source[c], (double)all[c]));
        PetscCall(PetscPrintf(comm, "\n"));
      }
      PetscCall(PetscFree2(loc, all));
    }
    PetscCall(PetscPrintf(comm, "  wrote %s\n", opt.out));
  }
  PetscCall(PetscFree3(ctx.rowbuf, ctx.var, ctx.ps));
  if (opt.traces) PetscCall(PetscFree(ctx.trLocal));
  PetscCall(PetscFree(ctx.rates));
  if (opt.ndref) PetscCall(PetscFree5(ctx.refStep, ctx.xref, ctx.rec, ctx.dot, ctx.refTime));
  PetscCall(MrLyapunovDestroy(&ctx.ly));
  PetscCall(TSDestroy(&ts));
  PetscCall(VecDestroy(&X));
  PetscCall(MrNetworkDestroy(&net));
  PetscCall(MrLayoutDestroy(&L));
  PetscCall(MrModelDestroy(&model));
  PetscCall(PetscFree3(S0, v0, cost));
  PetscCall(PetscFree2(opt.S0, opt.v0));
  PetscCheck(!ctx.stopSignal, comm, MR_ERR_STOPPED, "stopped by signal %d at step %" PetscInt_FMT " (t = %g): checkpoint %s written, output %s.partial kept; continue with the same options and -restart %s", ctx.stopSignal, steps, (double)tnow,
             opt.checkpoint, opt.out, opt.checkpoint);
  PetscFunctionReturn(PETSC_SUCCESS);
}
