/* `mrdyn dmft`: options, layout, the engine, and output with the run file's names.
   The two-point solve itself (MrDmftTwoPoint) also runs sweep members in memory. */
#include "dmft_impl.h"
#include <mrdyn/rng.h>

static const char *const MrDmftSchemes[] = {"trapezoid", "reference", "MrDmftScheme", "MR_DMFT_", NULL};
static const char *const MrDmftModes[]   = {"twopoint", "currents", "stationary", "MrDmftMode", "MR_MODE_", NULL};
static const char *const MrIntegrators[] = {"rk4", "euler", "MrIntegrator", "MR_INT_", NULL};
static const char *const MrDmftKnown[]   = {"-model",
                                            "-o",
                                            "-force",
                                            "-scheme",
                                            "-seed",
                                            "-init_seed",
                                            "-dt",
                                            "-t_final",
                                            "-save_every",
                                            "-window",
                                            "-init_currents",
                                            "-init_variance",
                                            "-init_uniform",
                                            "-input",
                                            "-delta_times",
                                            "-delta_lag_max",
                                            "-delta_lag_every",
                                            "-save_full",
                                            "-progress",
                                            "-log_view",
                                            "-mode",
                                            "-batch",
                                            "-init_size",
                                            "-integrator",
                                            "-stationary",
                                            "-classify",
                                            "-classify_t0",
                                            "-silence",
                                            "-dynamic_spectrum",
                                            "-dynamic_spectrum_start",
                                            "-g_scan",
                                            "-stationary_lambda",
                                            "-delta_tau_g",
                                            "-delta_tau_max",
                                            "-delta_tau_step",
                                            NULL};

PetscErrorCode MrDmftOptionsRead(MPI_Comm comm, MrDmftOptions *o)
{
  PetscInt   nS0 = 1 << 20, nv0 = 1 << 16, nu = 2, ns = 64;
  PetscInt64 seed = 1, iseed = -1;
  PetscBool  set;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(o, sizeof(*o)));
  o->scheme     = MR_DMFT_TRAPEZOID;
  o->dt         = 0.05;
  o->tFinal     = 20.0;
  o->saveEvery  = 1;
  o->lagEvery   = 5;
  o->lagMax     = -1;
  o->progress   = 5.0;
  o->batch      = 1;
  o->initSize   = 2.0;
  o->classifyT0 = -1;
  o->dynStart   = 0;
  o->nref       = 64;
  PetscCall(MrCheckChoice(comm, "-scheme", MrDmftSchemes, 2));
  PetscCall(MrCheckChoice(comm, "-mode", MrDmftModes, 3));
  PetscCall(MrCheckChoice(comm, "-integrator", MrIntegrators, 2));
  PetscCall(PetscMalloc2(nS0, &o->S0, nv0, &o->v0));
  PetscOptionsBegin(comm, NULL, "mrdyn dmft: mean-field theory (model.md 2b)", NULL);
  PetscCall(PetscOptionsString("-model", "model file", NULL, o->model, o->model, sizeof(o->model), NULL));
  PetscCall(PetscOptionsString("-o", "output file", NULL, o->out, o->out, sizeof(o->out), NULL));
  PetscCall(MrOptionsBool("-force", "overwrite an existing output file", o->force, &o->force, NULL));
  PetscCall(PetscOptionsEList("-mode", "twopoint (2b, with disorder), currents (2a, no disorder, batches) or stationary (2c, per region, -g_scan)", NULL, MrDmftModes, 3, MrDmftModes[o->mode], &o->mode, NULL));
  PetscCall(PetscOptionsEnum("-scheme", "trapezoid (second order) or reference (the published recurrence; -mode currents: the network's input term or the notebook's)", NULL, MrDmftSchemes, (PetscEnum)o->scheme, (PetscEnum *)&o->scheme, NULL));
  PetscCall(MrOptionsReal("-dt", "grid step", o->dt, &o->dt, NULL));
  PetscCall(MrOptionsReal("-t_final", "duration (grid of round(t_final/dt) + 1 points)", o->tFinal, &o->tFinal, NULL));
  PetscCall(MrOptionsInt("-save_every", "keep every K-th step", o->saveEvery, &o->saveEvery, NULL, 1, PETSC_MAX_INT));
  PetscCall(MrOptionsInt("-window", "keep only the last b lags of the two-point functions (0: all)", o->window, &o->window, NULL, 0, PETSC_MAX_INT));
  PetscCall(MrOptionsInt64("-seed", "draw of the default initial currents (same as simulate)", seed, &seed, NULL, 0, MR_SEED_MAX));
  PetscCall(MrOptionsInt64("-init_seed", "the same, overriding -seed (-1: -seed)", iseed, &iseed, NULL, -1, MR_SEED_MAX));
  PetscCall(MrOptionsRealArray("-init_currents", "initial currents, one per channel", "N(0,1) draws", o->S0, &nS0, &set));
  o->nS0 = set ? nS0 : 0;
  PetscCall(MrOptionsRealArray("-init_uniform", "initial currents uniform in [lo, hi) per channel, drawn from the seed (the paper's Fig. 5: 0,1)", "none", o->uniform, &nu, &o->hasUniform));
  PetscCall(MrOptionsRealArray("-init_variance", "initial variance beyond sum m S0 (1 or R values; reference scheme: Delta(0,0) itself)", "1", o->v0, &nv0, &set));
  o->nv0 = set ? nv0 : 0;
  PetscCall(PetscOptionsString("-input", "input pulses region:t0:t1:amplitude,...", NULL, o->input, o->input, sizeof(o->input), NULL));
  PetscCall(MrOptionsRealArray("-delta_times", "reference times of the recorded autocovariance (at most 64)", "t_final/2", o->refT, &o->nref, &set));
  if (!set) o->nref = 0;
  PetscCall(MrOptionsReal("-delta_lag_max", "largest recorded lag (-1: to the end)", o->lagMax, &o->lagMax, NULL));
  PetscCall(MrOptionsInt("-delta_lag_every", "record every k-th lag", o->lagEvery, &o->lagEvery, NULL, 1, PETSC_MAX_INT));
  PetscCall(MrOptionsBool("-save_full", "write the full Delta and Gamma matrices (small grids)", o->saveFull, &o->saveFull, NULL));
  PetscCall(MrOptionsBool("-classify", "label each region's dynamics by the paper's rule on its normalised two-point function (/classification)", o->classify, &o->classify, NULL));
  PetscCall(MrOptionsReal("-classify_t0", "start time of the classified curve (-1: step int(Nt/3))", o->classifyT0, &o->classifyT0, NULL));
  PetscCall(MrOptionsBool("-classify_early_stop", "end the run once every region's label is certain whatever follows (limit cycles); the label is the full run's, the saved series stop there", o->classifyStop, &o->classifyStop, NULL));
  PetscCall(MrOptionsIntArray("-silence", "also write That's spectrum with every current out of these regions removed (at most 64)", "none", o->silence, &ns, &set, 0, PETSC_MAX_INT));
  o->nsilence = set ? ns : 0;
  PetscCall(MrOptionsInt("-dynamic_spectrum", "write the eigenvalues of That scaled by psi(t) every K-th step (0: none)", o->dynEvery, &o->dynEvery, NULL, 0, PETSC_MAX_INT));
  PetscCall(MrOptionsReal("-dynamic_spectrum_start", "first time of the dynamic spectrum", o->dynStart, &o->dynStart, NULL));
  PetscCall(MrOptionsReal("-progress", "seconds between progress lines (0: none)", o->progress, &o->progress, NULL));
  PetscCall(MrOptionsInt("-batch", "number of random initial conditions (solved side by side; at most 1e7)", o->batch, &o->batch, NULL, 1, 10000000));
  PetscCall(MrOptionsReal("-init_size", "batches: initial currents uniform in (-a, a)", o->initSize, &o->initSize, NULL));
  PetscCall(PetscOptionsEList("-integrator", "currents mode: rk4 or euler", NULL, MrIntegrators, 2, MrIntegrators[o->integrator], &o->integrator, NULL));
  PetscCall(MrOptionsBool("-stationary", "solve the stationary theory (SNES) from the end state, write /stationary", o->stationary, &o->stationary, NULL));
  PetscOptionsEnd();
  PetscCall(MrDmftStationaryOptionsRead(comm, o));
  PetscCall(PetscOptionsHasHelp(NULL, &o->help));
  if (o->help) PetscFunctionReturn(PETSC_SUCCESS);
  o->seed = iseed >= 0 ? iseed : seed;
  MrCheckInput(comm, isfinite(o->dt) && o->dt > 0 && o->dt < 1, "-dt %g: the grid step must be in (0, 1)", (double)o->dt);
  MrCheckInput(comm, isfinite(o->tFinal) && o->tFinal > 0, "-t_final %g: the duration must be > 0", (double)o->tFinal);
  MrCheckInput(comm, o->tFinal / o->dt < 2e6, "-t_final %g / -dt %g = %.4g grid steps: at most 2e6; raise -dt or shorten -t_final", (double)o->tFinal, (double)o->dt, (double)(o->tFinal / o->dt));
  MrCheckInput(comm, o->lagMax < 0 || o->lagMax / o->dt <= 2e6, "-delta_lag_max %g / -dt %g: more lags than a grid has points (2e6)", (double)o->lagMax, (double)o->dt);
  o->Nt = (PetscInt)llround(o->tFinal / o->dt) + 1;
  MrCheckInput(comm, o->Nt >= 2, "-t_final %g is shorter than one step of %g", (double)o->tFinal, (double)o->dt);
  MrCheckInput(comm, !(o->saveFull && o->window > 0), "-save_full keeps whole matrices; it cannot go with -window");
  for (PetscInt i = 0; i < o->nv0; i++) MrCheckInput(comm, o->v0[i] >= 0, "-init_variance: value %" PetscInt_FMT " is negative", i);
  for (PetscInt q = 0; q < o->nref; q++) MrCheckInput(comm, o->refT[q] >= 0 && o->refT[q] <= o->tFinal, "-delta_times: %g is outside [0, t_final]", (double)o->refT[q]);
  MrCheckInput(comm, o->initSize > 0, "-init_size %g must be > 0", (double)o->initSize);
  MrCheckInput(comm, !o->hasUniform || (nu == 2 && isfinite(o->uniform[0]) && isfinite(o->uniform[1]) && o->uniform[0] < o->uniform[1]), "-init_uniform needs two numbers lo,hi with lo < hi");
  MrCheckInput(comm, !(o->hasUniform && o->nS0), "-init_uniform and -init_currents both set the initial currents; give one");
  if (o->classify) {
    o->t0 = o->classifyT0 >= 0 ? (PetscInt)PetscMin(round(o->classifyT0 / o->dt), (double)o->Nt) : o->Nt / 3; /* no wrap for a huge -classify_t0 */
    MrCheckInput(comm, o->classifyT0 < 0 || o->t0 < o->Nt - 1, "-classify_t0 %g: must be before the last grid time %g", (double)o->classifyT0, (double)((o->Nt - 1) * o->dt));
    MrCheckInput(comm, o->window == 0 || o->window > o->Nt - 1 - o->t0, "-classify needs the two-point row at t0 to the end: -window %" PetscInt_FMT " must be 0 or > %" PetscInt_FMT, o->window, o->Nt - 1 - o->t0);
  } else
    MrCheckInput(comm, o->classifyT0 < 0 && !o->classifyStop, "-classify_t0 and -classify_early_stop need -classify");
  MrCheckInput(comm, o->dynStart >= 0, "-dynamic_spectrum_start %g must be >= 0", (double)o->dynStart);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDmftOptionsCheckModel(MPI_Comm comm, const MrDmftOptions *o, MrModel m)
{
  PetscBool erf;

  PetscFunctionBegin;
  PetscCall(PetscStrcmp(m->phi, "erf", &erf));
  MrCheckInput(comm, erf, "dmft: the mean-field formulas are for phi = erf (the model has %s)", m->phi);
  MrCheckInput(comm, o->nS0 == 0 || o->nS0 == m->C, "-init_currents has %" PetscInt_FMT " values but the model has C = %" PetscInt_FMT " channels", o->nS0, m->C);
  MrCheckInput(comm, o->nv0 == 0 || o->nv0 == 1 || o->nv0 == m->R, "-init_variance has %" PetscInt_FMT " values; give 1 or R = %" PetscInt_FMT, o->nv0, m->R);
  for (PetscInt i = 0; i < o->nsilence; i++) MrCheckInput(comm, o->silence[i] >= 0 && o->silence[i] < m->R, "-silence: region %" PetscInt_FMT " does not exist (R = %" PetscInt_FMT ")", o->silence[i], m->R);
  if (o->mode == 2) PetscCall(MrDmftStationaryCheckModel(comm, o, m));
  MrCheckInput(comm, !(o->nsilence || o->dynEvery) || m->C <= 4000, "-silence and -dynamic_spectrum need That's dense spectrum: C = %" PetscInt_FMT " channels is more than 4000", m->C);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDmftOptionsCheckUnused(MPI_Comm comm)
{
  PetscFunctionBegin;
  PetscCall(MrCheckUnusedOptions(comm, MrDmftKnown));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDmftOptionsDestroy(MrDmftOptions *o)
{
  PetscFunctionBegin;
  PetscCall(PetscFree2(o->S0, o->v0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDmftResultDestroy(MrDmftResult *r)
{
  PetscFunctionBegin;
  PetscCall(PetscFree4(r->S, r->variance, r->psi, r->label));
  PetscCall(PetscFree(r->series));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Initial currents: given, uniform in [lo, hi), or the default N(0,1) draws. */
static void MrDmftInitialCurrents(const MrDmftOptions *o, PetscInt C, PetscReal S0[])
{
  if (o->hasUniform)
    MrInitialCurrentsUniform(o->seed, C, o->uniform[0], o->uniform[1], S0);
  else
    MrInitialCurrents(o->seed, C, o->nS0, o->S0, S0);
}

typedef struct {
  const MrDmftOptions *o;
  MrLayout             L;
  MrModel              m;
  PetscInt             nsaved;
  MrSeries             time, currents, variance, psi;
  PetscReal           *cur, *var, *ps, *dynPsi; /* dynPsi: (ndyn x R) psi at the dynamic-spectrum steps */
  PetscInt             ndyn, dyn0;
  MrLabelWatch        *watch;    /* (nslices) with -classify_early_stop */
  PetscBool            settled;  /* every label certain: the run ended there */
  PetscInt             lastStep; /* the last step run */
  PetscReal           *series;   /* (saves x C) owned currents with keepSeries; summed over ranks at the end */
  PetscInt             nseries, capSeries;
  PetscLogDouble       wall0, last;
  MPI_Comm             comm;
} MrDmftCtx;

static PetscErrorCode MrDmftMonitorSave(MrDmft d, PetscInt j, void *vctx)
{
  MrDmftCtx           *c = (MrDmftCtx *)vctx;
  const MrDmftOptions *o = c->o;
  PetscLogDouble       now;

  PetscFunctionBegin;
  c->lastStep = j;
  if (c->watch && j >= o->t0) { /* -classify_early_stop: feed the curves, end when every label is certain */
    PetscBool all = PETSC_TRUE;
    for (PetscInt k = 0; k < c->L->nslices; k++) {
      PetscReal v;
      PetscCall(MrDmftGetClassifyValue(d, k, &v));
      MrLabelWatchPush(&c->watch[k], v);
      all = (PetscBool)(all && MrLabelWatchSettled(&c->watch[k], o->Nt - o->t0));
    }
    if ((j - o->t0) % 16 == 15 || c->L->size == 1) { /* agree now and then: a reduction per step would cost more than it saves */
      PetscCall(MrLayoutAllTrue(c->L, &all));
      if (all && j < o->Nt - 1) {
        c->settled = PETSC_TRUE;
        PetscCall(MrDmftStop(d));
      }
    }
  }
  if (c->series && (j % o->saveEvery == 0 || j == o->Nt - 1 || c->settled)) {
    if (c->nseries == c->capSeries) {
      PetscReal *t;
      c->capSeries = 2 * c->capSeries + 64;
      PetscCall(PetscCalloc1((size_t)c->capSeries * c->m->C, &t));
      PetscCall(PetscArraycpy(t, c->series, (size_t)c->nseries * c->m->C));
      PetscCall(PetscFree(c->series));
      c->series = t;
    }
    for (PetscInt k = 0; k < c->L->nslices; k++) {
      const PetscReal *S;
      PetscReal        v, p;
      PetscInt         r = c->L->slice[k].region;
      PetscCall(MrDmftGetState(d, k, &v, &p, &S));
      for (PetscInt a = 0; a < c->m->inOff[r + 1] - c->m->inOff[r]; a++) c->series[(size_t)c->nseries * c->m->C + c->m->inCh[c->m->inOff[r] + a]] = S[a];
    }
    c->nseries++;
  }
  if (c->time && (j % o->saveEvery == 0 || j == o->Nt - 1 || c->settled)) {
    PetscReal t = j * o->dt;
    PetscInt  n = 0;
    for (PetscInt k = 0; k < c->L->nslices; k++) {
      const PetscReal *S;
      PetscInt         r = c->L->slice[k].region, nin = c->m->inOff[r + 1] - c->m->inOff[r];
      PetscCall(MrDmftGetState(d, k, &c->var[k], &c->ps[k], &S));
      for (PetscInt a = 0; a < nin; a++) c->cur[n++] = S[a];
    }
    PetscCall(MrSeriesAppend(c->time, &t));
    PetscCall(MrSeriesAppend(c->currents, c->cur));
    PetscCall(MrSeriesAppend(c->variance, c->var));
    PetscCall(MrSeriesAppend(c->psi, c->ps));
    c->nsaved++;
  }
  if (c->ndyn && j >= c->dyn0 && (j - c->dyn0) % o->dynEvery == 0) {
    PetscInt q = (j - c->dyn0) / o->dynEvery;
    for (PetscInt k = 0; k < c->L->nslices; k++) {
      const PetscReal *S;
      PetscReal        v;
      PetscCall(MrDmftGetState(d, k, &v, &c->dynPsi[q * c->m->R + c->L->slice[k].region], &S));
    }
  }
  PetscCall(PetscTime(&now));
  if (o->progress > 0 && now - c->last >= o->progress && j > 0) {
    PetscReal el = now - c->wall0, frac = (PetscReal)j / (o->Nt - 1);
    /* the cost of step j grows like j: the remaining work is 1 - frac^2 of the total */
    PetscCall(PetscPrintf(c->comm, "  step %" PetscInt_FMT " / %" PetscInt_FMT "  %.1f steps/s  ETA %.0f s\n", j, o->Nt - 1, j / el, el * (1 - frac * frac) / (frac * frac)));
    c->last = now;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Root attributes common to the dmft outputs. */
static PetscErrorCode MrDmftHeader(MrOutput o, MrModel m, const char modelPath[], const char mode[], const char scheme[], PetscReal dt, PetscInt Nt)
{
  PetscFunctionBegin;
  PetscCall(MrOutputProvenance(o, "dmft", modelPath, m->hash));
  PetscCall(MrOutputAttrString(o, "mode", mode));
  PetscCall(MrOutputAttrString(o, "scheme", scheme));
  PetscCall(MrOutputAttrReal(o, "dt", dt));
  PetscCall(MrOutputAttrReal(o, "t_final", (Nt - 1) * dt));
  PetscCall(MrOutputAttrInt(o, "Nt", Nt));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* K two-point solves (initial currents uniform in (-a, a), or in [lo, hi) with -init_uniform, drawn per member)
   side by side: the communicator is split into groups of min(R, P) ranks, each
   group solves members g, g + G, ... with the region layout on its ranks. */
static PetscErrorCode MrDmftTwoPointBatch(MPI_Comm comm, MrModel m, const MrDmftOptions *opt, const MrInputs *inputs, MrOutput o)
{
  const PetscInt K = opt->batch, C = m->C, R = m->R;
  PetscMPIInt    rank, size, gs, G, color;
  MPI_Comm       sub;
  PetscReal     *S0, *fin, *var, *psi, *cost, *v0;
  MrLayout       L;
  hsize_t        dk[2] = {(hsize_t)K, (hsize_t)C}, dr[2] = {(hsize_t)K, (hsize_t)R};

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  gs    = (PetscMPIInt)PetscMin(R, size);
  G     = size / gs;
  color = PetscMin(rank / gs, G - 1);
  PetscCallMPI(MPI_Comm_split(comm, color, rank, &sub));
  PetscCall(PetscCalloc4(K * C + 1, &S0, K * C + 1, &fin, K * R + 1, &var, K * R + 1, &psi));
  PetscCall(PetscMalloc2(R, &cost, R, &v0));
  for (PetscInt r = 0; r < R; r++) {
    cost[r] = 1.0 + m->inOff[r + 1] - m->inOff[r];
    v0[r]   = opt->nv0 ? opt->v0[opt->nv0 == 1 ? 0 : r] : 1.0;
  }
  for (PetscInt k = 0; k < K; k++)
    for (PetscInt c = 0; c < C; c += 4) {
      double u[4];
      MrUniform4((uint64_t)opt->seed, MR_STREAM_INITS, (uint64_t)(k + 1), (uint64_t)(c / 4), 1, u);
      for (PetscInt q = 0; q < 4 && c + q < C; q++) S0[k * C + c + q] = opt->hasUniform ? opt->uniform[0] + (opt->uniform[1] - opt->uniform[0]) * u[q] : opt->initSize * (2 * u[q] - 1);
    }
  PetscCall(MrLayoutCreate(sub, m, cost, 1, &L));
  PetscCall(PetscPrintf(comm, "mrdyn dmft: %" PetscInt_FMT " two-point solves, %d side by side on %d ranks each\n", K, G, gs));
  for (PetscInt k = color; k < K; k += G) {
    MrDmft d;
    PetscCall(MrDmftCreate(m, L, opt->scheme, opt->dt, opt->Nt, opt->window, &d));
    PetscCall(MrDmftSetInitial(d, S0 + k * C, opt->nv0 ? v0 : NULL));
    PetscCall(MrDmftSetInputs(d, inputs));
    PetscCall(MrDmftRun(d, NULL, NULL));
    for (PetscInt sl = 0; sl < L->nslices; sl++) {
      const PetscReal *Sk;
      PetscInt         r = L->slice[sl].region;
      PetscCall(MrDmftGetState(d, sl, &var[k * R + r], &psi[k * R + r], &Sk));
      for (PetscInt a = 0; a < m->inOff[r + 1] - m->inOff[r]; a++) fin[k * C + m->inCh[m->inOff[r] + a]] = Sk[a];
    }
    PetscCall(MrDmftDestroy(&d));
  }
  /* every value was set by exactly one rank of one group */
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, fin, (int)(K * C), MPIU_REAL, MPI_SUM, comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, var, (int)(K * R), MPIU_REAL, MPI_SUM, comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, psi, (int)(K * R), MPIU_REAL, MPI_SUM, comm));
  PetscCall(MrOutputWriteRoot(o, "/batch/initial", H5T_NATIVE_DOUBLE, 2, dk, S0));
  PetscCall(MrOutputWriteRoot(o, "/batch/final", H5T_NATIVE_DOUBLE, 2, dk, fin));
  PetscCall(MrOutputWriteRoot(o, "/batch/variance", H5T_NATIVE_DOUBLE, 2, dr, var));
  PetscCall(MrOutputWriteRoot(o, "/batch/psi", H5T_NATIVE_DOUBLE, 2, dr, psi));
  PetscCall(MrOutputAttrInt(o, "batch", K));
  PetscCall(MrOutputAttrInt(o, "batch_groups", G));
  PetscCall(MrLayoutDestroy(&L));
  PetscCallMPI(MPI_Comm_free(&sub));
  PetscCall(PetscFree4(S0, fin, var, psi));
  PetscCall(PetscFree2(cost, v0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Eigenvalues of That (optionally psi-scaled or silenced) as an (n, 2) dataset; returns the leading one. */
static PetscErrorCode MrDmftWriteThat(MrOutput o, MrModel m, const PetscReal psi[], const PetscBool silenced[], const char name[], PetscReal *lead)
{
  PetscInt   ne;
  PetscReal *wr, *wi, *buf;

  PetscFunctionBegin;
  PetscCall(MrModelThatEigenvaluesEx(m, psi, silenced, &ne, &wr, &wi));
  if (lead) lead[0] = lead[1] = NAN;
  if (ne) {
    hsize_t de[2] = {(hsize_t)ne, 2};
    PetscCall(PetscMalloc1(2 * ne, &buf));
    for (PetscInt k = 0; k < ne; k++) {
      buf[2 * k]     = wr[k];
      buf[2 * k + 1] = wi[k];
    }
    if (lead) {
      lead[0] = wr[0];
      lead[1] = wi[0];
    }
    PetscCall(MrOutputWriteRoot(o, name, H5T_NATIVE_DOUBLE, 2, de, buf));
    PetscCall(PetscFree(buf));
    PetscCall(PetscFree2(wr, wi));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* /delta (R, nref, nlag) rows by their owners, lags and times; /full/... when kept. */
static PetscErrorCode MrDmftWriteDelta(MrOutput o, MrModel m, MrLayout L, MrDmft d, const MrDmftOptions *opt, PetscInt nref, const PetscInt refStep[], PetscInt nlag)
{
  hsize_t    dims[3] = {(hsize_t)m->R, (hsize_t)nref, (hsize_t)nlag}, dr = (hsize_t)nref, dl = (hsize_t)nlag;
  PetscReal *buf, *tl, *tr;
  PetscInt   r0 = L->nslices ? L->slice[0].region : 0, Nt = opt->Nt;

  PetscFunctionBegin;
  PetscCall(PetscMalloc3(L->nslices * nref * nlag + 1, &buf, nlag, &tl, nref, &tr));
  for (PetscInt k = 0; k < L->nslices; k++) {
    const PetscReal *rec;
    PetscCall(MrDmftGetDelta(d, k, &rec, NULL, NULL));
    PetscCall(PetscArraycpy(buf + k * nref * nlag, rec, nref * nlag));
  }
  PetscCall(MrOutputWriteSlab(o, "/delta", 3, dims, (hsize_t)r0, (hsize_t)L->nslices, buf));
  for (PetscInt l = 0; l < nlag; l++) tl[l] = l * opt->lagEvery * opt->dt;
  for (PetscInt q = 0; q < nref; q++) tr[q] = refStep[q] * opt->dt;
  PetscCall(MrOutputWriteRoot(o, "/delta_lags", H5T_NATIVE_DOUBLE, 1, &dl, tl));
  PetscCall(MrOutputWriteRoot(o, "/delta_times", H5T_NATIVE_DOUBLE, 1, &dr, tr));
  PetscCall(PetscFree3(buf, tl, tr));
  if (opt->saveFull) {
    hsize_t          fd[3] = {(hsize_t)m->R, (hsize_t)Nt, (hsize_t)Nt};
    PetscReal       *fb;
    const PetscReal *fD, *fG;
    PetscCall(PetscMalloc1((size_t)L->nslices * Nt * Nt + 1, &fb));
    for (int which = 0; which < 2; which++) {
      for (PetscInt k = 0; k < L->nslices; k++) {
        PetscCall(MrDmftGetDelta(d, k, NULL, &fD, &fG));
        PetscCall(PetscArraycpy(fb + (size_t)k * Nt * Nt, which ? fG : fD, Nt * Nt));
      }
      PetscCall(MrOutputWriteSlab(o, which ? "/full/Gamma" : "/full/Delta", 3, fd, (hsize_t)r0, (hsize_t)L->nslices, fb));
    }
    PetscCall(PetscFree(fb));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The classification of every owned region: labels into res (codes summed over
   ranks: each region has one owner), curves into /classification when o is given. */
static PetscErrorCode MrDmftClassifyRegions(MPI_Comm comm, MrModel m, MrLayout L, MrDmft d, const MrDmftOptions *opt, PetscInt lastStep, PetscBool settled, MrOutput o, MrDmftResult *res)
{
  PetscInt   n = lastStep - opt->t0 + 1, *code;
  PetscReal *curve;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1((size_t)n * L->nslices + 1, &curve));
  PetscCall(PetscCalloc1(m->R, &code));
  for (PetscInt k = 0; k < L->nslices; k++) {
    MrLabel  lab;
    PetscInt nk;
    PetscCall(MrDmftGetClassifyCurve(d, k, &nk, curve + (size_t)k * n));
    PetscCall(MrClassifyCurve(nk, curve + (size_t)k * n, &lab));
    code[L->slice[k].region] = settled ? MR_LABEL_LC : (PetscInt)lab; /* settled: the only label certain before the end (MrLabelWatchSettled) */
  }
  PetscCall(MrLayoutAllSumInt(L, m->R, code));
  for (PetscInt r = 0; r < m->R; r++) res->label[r] = (MrLabel)code[r];
  if (o) {
    const char **names;
    hsize_t      dr = (hsize_t)m->R;
    long long   *lc;
    PetscCall(MrOutputWriteColumns(o, "/classification/curve", (hsize_t)n, (hsize_t)m->R, L->nslices ? (hsize_t)L->slice[0].region : 0, (hsize_t)L->nslices, curve));
    PetscCall(PetscMalloc2(m->R, &names, m->R, &lc));
    for (PetscInt r = 0; r < m->R; r++) {
      names[r] = MrLabelNames[code[r]];
      lc[r]    = code[r];
    }
    PetscCall(MrOutputWriteStrings(o, "/classification/region", m->R, names));
    PetscCall(MrOutputWriteRoot(o, "/classification/code", H5T_NATIVE_LLONG, 1, &dr, lc));
    PetscCall(MrOutputAttrRealAt(o, "/classification", "t0", opt->t0 * opt->dt));
    PetscCall(MrOutputAttrRealAt(o, "/classification", "t0_step", (PetscReal)opt->t0));
    PetscCall(MrOutputAttrRealAt(o, "/classification", "settled_early", (PetscReal)settled));
    PetscCall(PetscFree2(names, lc));
  }
  PetscCall(PetscFree(curve));
  PetscCall(PetscFree(code));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The spectra of That derived from the run: silenced regions, and psi(t)-scaled. */
static PetscErrorCode MrDmftWriteSpectra(MPI_Comm comm, MrModel m, const MrDmftOptions *opt, MrDmftCtx *c, MrOutput o)
{
  PetscReal lead[2];

  PetscFunctionBegin;
  PetscCall(MrDmftWriteThat(o, m, NULL, NULL, "/that_eigenvalues", lead));
  if (!PetscIsNanReal(lead[0]) && m->R <= 32) PetscCall(PetscPrintf(comm, "  leading eigenvalue of That: %.6f%+.6fi\n", (double)lead[0], (double)lead[1]));
  if (opt->nsilence) {
    PetscBool *sil;
    PetscReal *rs;
    hsize_t    ds = (hsize_t)opt->nsilence;
    PetscCall(PetscCalloc2(m->R, &sil, opt->nsilence, &rs));
    for (PetscInt i = 0; i < opt->nsilence; i++) {
      sil[opt->silence[i]] = PETSC_TRUE;
      rs[i]                = (PetscReal)opt->silence[i];
    }
    PetscCall(MrDmftWriteThat(o, m, NULL, sil, "/silenced/that_eigenvalues", lead));
    PetscCall(MrOutputWriteRoot(o, "/silenced/regions", H5T_NATIVE_DOUBLE, 1, &ds, rs));
    PetscCall(PetscPrintf(comm, "  leading eigenvalue of That with the silenced region(s): %.6f%+.6fi\n", (double)lead[0], (double)lead[1]));
    PetscCall(PetscFree2(sil, rs));
  }
  if (c->ndyn) {
    hsize_t    dt = (hsize_t)c->ndyn, de[3] = {(hsize_t)c->ndyn, (hsize_t)m->C, 2};
    PetscReal *t, *ev;
    PetscCall(MrLayoutAllSumReal(c->L, c->ndyn * m->R, c->dynPsi)); /* each value has one owner */
    PetscCall(PetscMalloc2(c->ndyn, &t, (size_t)c->ndyn * m->C * 2, &ev));
    for (PetscInt q = 0; q < c->ndyn; q++) {
      PetscInt   ne;
      PetscReal *wr, *wi;
      t[q] = (c->dyn0 + q * opt->dynEvery) * opt->dt;
      PetscCall(MrModelThatEigenvaluesEx(m, c->dynPsi + q * m->R, NULL, &ne, &wr, &wi));
      for (PetscInt k = 0; k < m->C; k++) {
        ev[((size_t)q * m->C + k) * 2]     = k < ne ? wr[k] : NAN;
        ev[((size_t)q * m->C + k) * 2 + 1] = k < ne ? wi[k] : NAN;
      }
      if (ne) PetscCall(PetscFree2(wr, wi));
    }
    PetscCall(MrOutputWriteRoot(o, "/dynamic_spectrum/time", H5T_NATIVE_DOUBLE, 1, &dt, t));
    PetscCall(MrOutputWriteRoot(o, "/dynamic_spectrum/eigenvalues", H5T_NATIVE_DOUBLE, 3, de, ev));
    PetscCall(PetscFree2(t, ev));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDmftTwoPoint(MPI_Comm comm, MrModel m, const MrDmftOptions *opt, const MrInputs *inputs, MrOutput o, MrDmftResult *res)
{
  PetscInt       nref = opt->nref, nlag = 0, *refStep = NULL, *cols, ncols = 0;
  PetscReal     *S0, *v0, *cost, refHalf = 0.5 * opt->tFinal;
  MrLayout       L;
  MrDmft         d;
  MrDmftCtx      c;
  PetscLogStage  stage;
  PetscLogDouble t1;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(&c, sizeof(c)));
  PetscCall(PetscMemzero(res, sizeof(*res)));
  res->R = m->R;
  res->C = m->C;
  PetscCall(PetscCalloc4(m->C + 1, &res->S, m->R, &res->variance, m->R, &res->psi, m->R, &res->label));
  PetscCall(MrLogStage("DMFT", &stage));
  PetscCall(PetscMalloc3(m->C + 1, &S0, m->R, &v0, m->R, &cost));
  MrDmftInitialCurrents(opt, m->C, S0);
  for (PetscInt r = 0; r < m->R; r++) {
    v0[r]   = opt->nv0 ? opt->v0[opt->nv0 == 1 ? 0 : r] : 1.0;
    cost[r] = 1.0 + m->inOff[r + 1] - m->inOff[r];
  }
  PetscCall(MrLayoutCreate(comm, m, cost, 1, &L)); /* whole regions; ranks beyond R idle */
  PetscCall(MrDmftCreate(m, L, opt->scheme, opt->dt, opt->Nt, opt->window, &d));
  PetscCall(MrDmftSetInitial(d, S0, opt->nv0 ? v0 : NULL));
  PetscCall(MrDmftSetInputs(d, inputs));
  if (o) { /* the recorded autocovariances exist for the output only */
    const PetscReal *refT        = nref ? opt->refT : &refHalf;
    PetscInt         maxLagSteps = opt->lagMax >= 0 ? (PetscInt)llround(opt->lagMax / opt->dt) : opt->Nt - 1;
    nref                         = nref ? nref : 1;
    PetscCall(PetscMalloc1(nref, &refStep));
    for (PetscInt q = 0; q < nref; q++) refStep[q] = (PetscInt)llround(refT[q] / opt->dt);
    nlag = maxLagSteps / opt->lagEvery + 1;
    PetscCall(MrDmftSetDeltaRecord(d, nref, refStep, nlag, opt->lagEvery));
    if (opt->saveFull) PetscCall(MrDmftSetKeepFull(d, PETSC_TRUE));
  }
  if (opt->classify) PetscCall(MrDmftSetClassifyRow(d, opt->t0));
  c.o    = opt;
  c.L    = L;
  c.m    = m;
  c.comm = comm;
  if (opt->classify && opt->classifyStop) {
    PetscCall(PetscMalloc1(L->nslices + 1, &c.watch));
    for (PetscInt k = 0; k < L->nslices; k++) MrLabelWatchInit(&c.watch[k]);
  }
  if (opt->keepSeries) {
    c.capSeries = opt->saveEvery > 0 ? (opt->Nt - 1) / opt->saveEvery + 2 : opt->Nt;
    PetscCall(PetscCalloc1((size_t)c.capSeries * m->C, &c.series));
  }
  if (opt->dynEvery > 0) {
    c.dyn0 = (PetscInt)PetscMin(round(opt->dynStart / opt->dt), (double)(opt->Nt - 1));
    c.ndyn = (opt->Nt - 1 - c.dyn0) / opt->dynEvery + 1;
    PetscCall(PetscCalloc1((size_t)c.ndyn * m->R, &c.dynPsi));
  }
  if (o) { /* the run file's names */
    PetscReal *s2;
    PetscInt   zero = 0, n = 0;
    PetscCall(MrOutputWriteChannelMap(o, m->C, m->target, m->source));
    PetscCall(MrOutputAttrInt(o, "mpi_size", L->size));
    PetscCall(MrOutputAttrInt(o, "seed", opt->seed));
    PetscCall(MrOutputAttrInt(o, "R", m->R));
    PetscCall(MrOutputAttrInt(o, "C", m->C));
    PetscCall(MrOutputAttrInt(o, "window", opt->window));
    PetscCall(MrOutputAttrInt(o, "save_every", opt->saveEvery));
    PetscCall(MrOutputAttrRealArray(o, "g", m->R, m->g));
    PetscCall(MrOutputAttrRealArray(o, "initial_currents", m->C, S0));
    PetscCall(PetscMalloc1(m->R, &s2));
    PetscCall(MrModelReadoutVariances(m, s2));
    PetscCall(MrOutputAttrRealArray(o, "readout_variance", m->R, s2));
    PetscCall(PetscFree(s2));
    for (PetscInt k = 0; k < L->nslices; k++) ncols += m->inOff[L->slice[k].region + 1] - m->inOff[L->slice[k].region];
    PetscCall(PetscMalloc1(ncols + L->nslices + 2, &cols));
    PetscCall(MrSeriesCreate(o, "/time", 0, L->rank == 0 ? 1 : 0, &zero, 64, &c.time));
    for (PetscInt k = 0; k < L->nslices; k++)
      for (PetscInt i = m->inOff[L->slice[k].region]; i < m->inOff[L->slice[k].region + 1]; i++) cols[n++] = m->inCh[i];
    PetscCall(MrSeriesCreate(o, "/currents", m->C, n, cols, 64, &c.currents));
    for (PetscInt k = 0; k < L->nslices; k++) cols[k] = L->slice[k].region;
    PetscCall(MrSeriesCreate(o, "/variance", m->R, L->nslices, cols, 64, &c.variance));
    PetscCall(MrSeriesCreate(o, "/psi", m->R, L->nslices, cols, 64, &c.psi));
    PetscCall(PetscFree(cols));
    PetscCall(PetscMalloc3(ncols + 1, &c.cur, L->nslices + 1, &c.var, L->nslices + 1, &c.ps));
    PetscCall(PetscPrintf(comm, "mrdyn dmft: R = %" PetscInt_FMT ", C = %" PetscInt_FMT ", %s scheme, dt = %g, Nt = %" PetscInt_FMT "%s, %d ranks\n", m->R, m->C, MrDmftSchemes[opt->scheme], (double)opt->dt, opt->Nt, opt->window ? " (windowed)" : "",
                          L->size));
  }
  PetscCall(PetscTime(&c.wall0));
  c.last = c.wall0;
  PetscCall(PetscLogStagePush(stage));
  PetscCall(MrDmftRun(d, (o || c.ndyn || c.watch || c.series) ? MrDmftMonitorSave : NULL, &c));
  PetscCall(PetscLogStagePop());
  PetscCall(PetscTime(&t1));

  /* the final state, replicated */
  for (PetscInt k = 0; k < L->nslices; k++) {
    const PetscReal *Sk;
    PetscInt         r = L->slice[k].region;
    PetscCall(MrDmftGetState(d, k, &res->variance[r], &res->psi[r], &Sk));
    for (PetscInt a = 0; a < m->inOff[r + 1] - m->inOff[r]; a++) res->S[m->inCh[m->inOff[r] + a]] = Sk[a];
  }
  PetscCall(MrLayoutAllSumReal(L, m->C, res->S));
  PetscCall(MrLayoutAllSumReal(L, m->R, res->variance));
  PetscCall(MrLayoutAllSumReal(L, m->R, res->psi));
  if (opt->classify) PetscCall(MrDmftClassifyRegions(comm, m, L, d, opt, c.lastStep, c.settled, o, res));
  res->steps = c.lastStep;
  if (c.series) {
    PetscCall(MrLayoutAllSumReal(L, c.nseries * m->C, c.series));
    res->nt      = c.nseries;
    res->series  = c.series;
    res->dtSaved = opt->saveEvery * opt->dt;
    c.series     = NULL;
  }
  res->wall = t1 - c.wall0;
  if (o) {
    double wall = res->wall;
    PetscCall(MrDmftWriteDelta(o, m, L, d, opt, nref, refStep, nlag));
    PetscCall(MrDmftWriteSpectra(comm, m, opt, &c, o));
    if (opt->stationary) PetscCall(MrDmftWriteStationary(comm, m, L, d, opt->Nt, opt->window, o));
    PetscCallMPI(MPI_Bcast(&wall, 1, MPI_DOUBLE, 0, comm));
    PetscCall(MrOutputAttrReal(o, "wall_seconds", wall));
    PetscCall(MrOutputAttrInt(o, "steps_run", res->steps));
    if (c.settled) PetscCall(PetscPrintf(comm, "  every region's label was settled at step %" PetscInt_FMT " (t = %g): the run ended there (-classify_early_stop)\n", res->steps, (double)(res->steps * opt->dt)));
    if (opt->classify && m->R <= 32)
      for (PetscInt r = 0; r < m->R; r++) PetscCall(PetscPrintf(comm, "  region %" PetscInt_FMT ": %s (normalised two-point function from t0 = %g)\n", r, MrLabelNames[res->label[r]], (double)(opt->t0 * opt->dt)));
    PetscCall(PetscPrintf(comm, "mrdyn dmft: %" PetscInt_FMT " steps in %.3g s; %" PetscInt_FMT " saved rows\n", res->steps, (double)res->wall, c.nsaved));
    PetscCall(PetscFree3(c.cur, c.var, c.ps));
  }
  PetscCall(PetscFree(c.dynPsi));
  PetscCall(PetscFree(c.watch));
  PetscCall(PetscFree(c.series));
  PetscCall(PetscFree(refStep));
  PetscCall(MrDmftDestroy(&d));
  PetscCall(MrLayoutDestroy(&L));
  PetscCall(PetscFree3(S0, v0, cost));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDmftVerb(MPI_Comm comm)
{
  MrDmftOptions opt;
  MrModel       m;
  MrInputs      inputs;
  MrOutput      o;

  PetscFunctionBegin;
  PetscCall(MrDmftOptionsRead(comm, &opt));
  if (opt.help) {
    PetscCall(MrDmftOptionsDestroy(&opt));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  MrCheckInput(comm, opt.model[0], "dmft: no model file given (-model FILE)");
  MrCheckInput(comm, opt.out[0], "dmft: no output file given (-o FILE)");
  PetscCall(MrModelLoad(comm, opt.model, &m));
  PetscCall(MrDmftOptionsCheckModel(comm, &opt, m));
  MrCheckInput(comm, opt.mode == 0 || !(opt.classify || opt.nsilence || opt.dynEvery), "-classify, -silence and -dynamic_spectrum belong to -mode twopoint");
  MrCheckInput(comm, !(opt.mode == 0 && opt.batch > 1 && opt.classify), "-batch has no -classify; run single solves (or a sweep)");
  PetscCall(MrInputsParse(comm, opt.input, m->R, &inputs));
  PetscCall(MrCheckUnusedOptions(comm, MrDmftKnown));
  PetscCall(MrOutputCheckPathInputs(comm, opt.out, (const char *const[]){opt.model, NULL}, opt.force));
  PetscCall(MrOutputCreate(comm, opt.out, &o));
  if (opt.mode == 0 && opt.batch > 1) { /* many two-point solves side by side */
    PetscCall(MrDmftHeader(o, m, opt.model, "twopoint batch", MrDmftSchemes[opt.scheme], opt.dt, opt.Nt));
    PetscCall(MrDmftTwoPointBatch(comm, m, &opt, &inputs, o));
  } else if (opt.mode == 2) { /* the per-region stationary theory */
    PetscCall(MrDmftHeader(o, m, opt.model, "stationary", "closed forms, bisection, RK4", opt.dt, opt.Nt));
    PetscCall(MrDmftStationaryMode(comm, m, &opt, &inputs, o));
  } else if (opt.mode == 1) { /* current dynamics without disorder */
    PetscReal *vv, *S0;
    PetscCall(PetscMalloc2(m->R, &vv, m->C + 1, &S0));
    for (PetscInt r = 0; r < m->R; r++) {
      vv[r] = opt.nv0 ? opt.v0[opt.nv0 == 1 ? 0 : r] : opt.scheme == MR_DMFT_REFERENCE ? 0.0 : 1.0; /* the notebook's Delta has no initial term */
      if (m->g[r] > 0) PetscCall(PetscPrintf(comm, "mrdyn dmft: note: -mode currents is the theory without disorder; g of region %" PetscInt_FMT " (%g) is ignored\n", r, (double)m->g[r]));
    }
    if (opt.hasUniform) MrDmftInitialCurrents(&opt, m->C, S0);
    PetscCall(MrDmftHeader(o, m, opt.model, "currents", MrDmftSchemes[opt.scheme], opt.dt, opt.Nt));
    PetscCall(PetscPrintf(comm, "mrdyn dmft -mode currents: R = %" PetscInt_FMT ", C = %" PetscInt_FMT ", %s, dt = %g, t_final = %g, %" PetscInt_FMT " initial conditions\n", m->R, m->C, MrIntegrators[opt.integrator], (double)opt.dt,
                          (double)((opt.Nt - 1) * opt.dt), opt.batch));
    PetscCall(MrDmftCurrentsMode(comm, m, &inputs, opt.scheme, opt.batch, opt.initSize, opt.hasUniform ? opt.uniform : NULL, opt.seed, opt.hasUniform ? m->C : opt.nS0, opt.hasUniform ? S0 : opt.S0, vv, opt.dt, opt.Nt - 1,
                                 (PetscBool)(opt.integrator == 0), opt.saveEvery, o));
    PetscCall(PetscFree2(vv, S0));
  } else {
    MrDmftResult res;
    PetscCall(MrDmftHeader(o, m, opt.model, "twopoint", MrDmftSchemes[opt.scheme], opt.dt, opt.Nt));
    PetscCall(MrDmftTwoPoint(comm, m, &opt, &inputs, o, &res));
    PetscCall(MrDmftResultDestroy(&res));
  }
  PetscCall(MrOutputFinish(&o));
  PetscCall(PetscPrintf(comm, "  wrote %s\n", opt.out));
  PetscCall(MrInputsDestroy(&inputs));
  PetscCall(MrModelDestroy(&m));
  PetscCall(MrDmftOptionsDestroy(&opt));
  PetscFunctionReturn(PETSC_SUCCESS);
}
