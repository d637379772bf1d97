/* `mrdyn dmft`: options, layout, the engine, and output with the run file's names. */
#include "dmft_impl.h"
#include <mrdyn/rng.h>

static const char *const MrDmftSchemes[] = {"trapezoid", "reference", "MrDmftScheme", "MR_DMFT_", NULL};
static const char *const MrDmftModes[]   = {"twopoint", "currents", "MrDmftMode", "MR_MODE_", NULL};
static const char *const MrIntegrators[] = {"rk4", "euler", "MrIntegrator", "MR_INT_", NULL};
static const char *const MrDmftNumeric[] = {"-seed", "-init_seed", "-dt", "-t_final", "-save_every", "-window", "-init_currents", "-init_variance", "-delta_times", "-delta_lag_max", "-delta_lag_every", "-progress", "-batch", "-init_size", NULL};
static const char *const MrDmftKnown[]   = {"-model", "-o",           "-force",         "-scheme",          "-seed",      "-init_seed", "-dt",       "-t_final", "-save_every", "-window", "-init_currents", "-init_variance",
                                            "-input", "-delta_times", "-delta_lag_max", "-delta_lag_every", "-save_full", "-progress",  "-log_view", NULL};

typedef struct {
  MrLayout       L;
  MrModel        m;
  PetscInt       saveEvery, nsaved, Nt;
  MrSeries       time, currents, variance, psi;
  PetscReal     *cur, *var, *ps, h, progress;
  PetscLogDouble wall0, last;
  MPI_Comm       comm;
} MrDmftCtx;

static PetscErrorCode MrDmftSave(MrDmft d, PetscInt j, void *vctx)
{
  MrDmftCtx     *c = (MrDmftCtx *)vctx;
  PetscLogDouble now;

  PetscFunctionBegin;
  if (j % c->saveEvery == 0 || j == c->Nt - 1) {
    PetscReal t = j * c->h;
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
  PetscCall(PetscTime(&now));
  if (c->progress > 0 && now - c->last >= c->progress && j > 0) {
    PetscReal el = now - c->wall0, frac = (PetscReal)j / (c->Nt - 1);
    /* the cost of step j grows like j: the remaining work is 1 - frac^2 of the total */
    PetscCall(PetscPrintf(c->comm, "  step %" PetscInt_FMT " / %" PetscInt_FMT "  %.1f steps/s  ETA %.0f s\n", j, c->Nt - 1, j / el, el * (1 - frac * frac) / (frac * frac)));
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

/* K two-point solves (initial currents uniform in (-a, a), drawn per member)
   side by side: the communicator is split into groups of min(R, P) ranks, each
   group solves members g, g + G, ... with the region layout on its ranks. */
static PetscErrorCode MrDmftTwoPointBatch(MPI_Comm comm, MrModel m, const MrInputs *inputs, MrDmftScheme scheme, PetscReal dt, PetscInt Nt, PetscInt window, PetscInt K, PetscReal initSize, PetscInt64 seed, PetscInt nv0, const PetscReal v0g[],
                                          MrOutput o)
{
  PetscMPIInt rank, size, gs, G, color;
  MPI_Comm    sub;
  PetscInt    C = m->C, R = m->R;
  PetscReal  *S0, *fin, *var, *psi, *cost, *v0;
  MrLayout    L;
  hsize_t     dk[2] = {(hsize_t)K, (hsize_t)C}, dr[2] = {(hsize_t)K, (hsize_t)R};

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
    v0[r]   = nv0 ? v0g[nv0 == 1 ? 0 : r] : 1.0;
  }
  for (PetscInt k = 0; k < K; k++)
    for (PetscInt c = 0; c < C; c += 4) {
      double u[4];
      MrUniform4((uint64_t)seed, MR_STREAM_INITS, (uint64_t)(k + 1), (uint64_t)(c / 4), 1, u);
      for (PetscInt q = 0; q < 4 && c + q < C; q++) S0[k * C + c + q] = initSize * (2 * u[q] - 1);
    }
  PetscCall(MrLayoutCreate(sub, m, cost, 1, &L));
  PetscCall(PetscPrintf(comm, "mrdyn dmft: %" PetscInt_FMT " two-point solves, %d side by side on %d ranks each\n", K, G, gs));
  for (PetscInt k = color; k < K; k += G) {
    MrDmft d;
    PetscCall(MrDmftCreate(m, L, scheme, dt, Nt, window, &d));
    PetscCall(MrDmftSetInitial(d, S0 + k * C, nv0 ? v0 : NULL));
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

PetscErrorCode MrDmftVerb(MPI_Comm comm)
{
  char           modelPath[PETSC_MAX_PATH_LEN] = "", out[PETSC_MAX_PATH_LEN] = "", input[4096] = "";
  PetscInt       mode = 0, integ = 0, K = 1;
  PetscReal      initSize = 2.0;
  PetscBool      force = PETSC_FALSE, saveFull = PETSC_FALSE, stationary = PETSC_FALSE, help, set;
  PetscInt       seed = 1, iseed = -1, window = 0, lagEvery = 5, nS0 = 1 << 20, nv0 = 1 << 16, nref = 64, nlag, Nt, *refStep, *cols, ncols = 0;
  PetscReal      dt = 0.05, tf = 20.0, lagMax = -1, progress = 5.0, *S0g, *v0g, *S0, *v0, refT[64], *cost;
  MrDmftScheme   scheme = MR_DMFT_TRAPEZOID;
  MrModel        m;
  MrLayout       L;
  MrDmft         d;
  MrInputs       inputs;
  MrOutput       o;
  MrDmftCtx      c;
  PetscLogStage  stage;
  PetscLogDouble t1;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(&c, sizeof(c)));
  PetscCall(MrCheckNumericOptions(comm, MrDmftNumeric));
  PetscCall(MrCheckChoice(comm, "-scheme", MrDmftSchemes, 2));
  PetscCall(MrCheckChoice(comm, "-mode", MrDmftModes, 2));
  PetscCall(MrCheckChoice(comm, "-integrator", MrIntegrators, 2));
  c.saveEvery = 1;
  PetscCall(PetscMalloc2(nS0, &S0g, nv0, &v0g));
  PetscOptionsBegin(comm, NULL, "mrdyn dmft: mean-field theory (model.md 2b)", NULL);
  PetscCall(PetscOptionsString("-model", "model file", NULL, modelPath, modelPath, sizeof(modelPath), NULL));
  PetscCall(PetscOptionsString("-o", "output file", NULL, out, out, sizeof(out), NULL));
  PetscCall(PetscOptionsBool("-force", "overwrite an existing output file", NULL, force, &force, NULL));
  PetscCall(PetscOptionsEnum("-scheme", "trapezoid (second order) or reference (the published recurrence)", NULL, MrDmftSchemes, (PetscEnum)scheme, (PetscEnum *)&scheme, NULL));
  PetscCall(PetscOptionsReal("-dt", "grid step", NULL, dt, &dt, NULL));
  PetscCall(PetscOptionsReal("-t_final", "duration (grid of round(t_final/dt) + 1 points)", NULL, tf, &tf, NULL));
  PetscCall(PetscOptionsInt("-save_every", "keep every K-th step", NULL, c.saveEvery, &c.saveEvery, NULL));
  PetscCall(PetscOptionsInt("-window", "keep only the last b lags of the two-point functions (0: all)", NULL, window, &window, NULL));
  PetscCall(PetscOptionsInt("-seed", "draw of the default initial currents (same as simulate)", NULL, seed, &seed, NULL));
  PetscCall(PetscOptionsInt("-init_seed", "the same, overriding -seed", NULL, iseed, &iseed, NULL));
  PetscCall(PetscOptionsRealArray("-init_currents", "initial currents, one per channel", NULL, S0g, &nS0, &set));
  if (!set) nS0 = 0;
  PetscCall(PetscOptionsRealArray("-init_variance", "initial variance beyond sum m S0 (1 or R values; reference scheme: Delta(0,0) itself)", NULL, v0g, &nv0, &set));
  if (!set) nv0 = 0;
  PetscCall(PetscOptionsString("-input", "input pulses region:t0:t1:amplitude,...", NULL, input, input, sizeof(input), NULL));
  PetscCall(PetscOptionsRealArray("-delta_times", "reference times of the recorded autocovariance (default t_final/2)", NULL, refT, &nref, &set));
  if (!set) nref = 0;
  PetscCall(PetscOptionsReal("-delta_lag_max", "largest recorded lag (default: to the end)", NULL, lagMax, &lagMax, NULL));
  PetscCall(PetscOptionsInt("-delta_lag_every", "record every k-th lag", NULL, lagEvery, &lagEvery, NULL));
  PetscCall(PetscOptionsBool("-save_full", "write the full Delta and Gamma matrices (small grids)", NULL, saveFull, &saveFull, NULL));
  PetscCall(PetscOptionsReal("-progress", "seconds between progress lines (0: none)", NULL, progress, &progress, NULL));
  PetscCall(PetscOptionsEList("-mode", "twopoint (2b, with disorder) or currents (2a, no disorder, batches)", NULL, MrDmftModes, 2, MrDmftModes[mode], &mode, NULL));
  PetscCall(PetscOptionsInt("-batch", "number of random initial conditions (solved side by side)", NULL, K, &K, NULL));
  PetscCall(PetscOptionsReal("-init_size", "batches: initial currents uniform in (-a, a)", NULL, initSize, &initSize, NULL));
  PetscCall(PetscOptionsEList("-integrator", "currents mode: rk4 or euler", NULL, MrIntegrators, 2, MrIntegrators[integ], &integ, NULL));
  PetscCall(PetscOptionsBool("-stationary", "solve the stationary theory (SNES) from the end state, write /stationary", NULL, stationary, &stationary, NULL));
  PetscOptionsEnd();
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  if (help) {
    PetscCall(PetscFree2(S0g, v0g));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  MrCheckInput(comm, modelPath[0], "dmft: no model file given (-model FILE)");
  MrCheckInput(comm, out[0], "dmft: no output file given (-o FILE)");
  MrCheckInput(comm, isfinite(dt) && dt > 0 && dt < 1, "-dt %g: the grid step must be in (0, 1)", (double)dt);
  MrCheckInput(comm, isfinite(tf) && tf > 0 && tf / dt < 2e6, "-t_final %g: must be > 0 and give at most 2e6 grid points", (double)tf);
  MrCheckInput(comm, c.saveEvery >= 1 && window >= 0 && lagEvery >= 1, "-save_every and -delta_lag_every must be >= 1, -window >= 0");
  Nt = (PetscInt)llround(tf / dt) + 1;
  MrCheckInput(comm, Nt >= 2, "-t_final %g is shorter than one step of %g", (double)tf, (double)dt);
  MrCheckInput(comm, !(saveFull && window > 0), "-save_full keeps whole matrices; it cannot go with -window");
  PetscCall(MrModelLoad(comm, modelPath, &m));
  {
    PetscBool erf;
    PetscCall(PetscStrcmp(m->phi, "erf", &erf));
    MrCheckInput(comm, erf, "dmft: the mean-field formulas are for phi = erf (the model has %s)", m->phi);
  }
  MrCheckInput(comm, nS0 == 0 || nS0 == m->C, "-init_currents has %" PetscInt_FMT " values but the model has C = %" PetscInt_FMT " channels", nS0, m->C);
  MrCheckInput(comm, nv0 == 0 || nv0 == 1 || nv0 == m->R, "-init_variance has %" PetscInt_FMT " values; give 1 or R = %" PetscInt_FMT, nv0, m->R);
  for (PetscInt i = 0; i < nv0; i++) MrCheckInput(comm, v0g[i] >= 0, "-init_variance: value %" PetscInt_FMT " is negative", i);
  for (PetscInt q = 0; q < nref; q++) MrCheckInput(comm, refT[q] >= 0 && refT[q] <= tf, "-delta_times: %g is outside [0, t_final]", (double)refT[q]);
  MrCheckInput(comm, K >= 1 && K <= 10000000 && initSize > 0, "-batch must be >= 1 and -init_size > 0");
  PetscCall(MrInputsParse(comm, input, m->R, &inputs));
  PetscCall(MrCheckUnusedOptions(comm, MrDmftKnown));
  PetscCall(MrOutputCheckPath(comm, out, force));
  if (mode == 0 && K > 1) { /* many two-point solves side by side */
    PetscCall(MrOutputCreate(comm, out, &o));
    PetscCall(MrDmftHeader(o, m, modelPath, "twopoint batch", MrDmftSchemes[scheme], dt, Nt));
    PetscCall(MrDmftTwoPointBatch(comm, m, &inputs, scheme, dt, Nt, window, K, initSize, iseed >= 0 ? iseed : seed, nv0, v0g, o));
    PetscCall(MrOutputFinish(&o));
    PetscCall(PetscPrintf(comm, "  wrote %s\n", out));
    PetscCall(MrInputsDestroy(&inputs));
    PetscCall(MrModelDestroy(&m));
    PetscCall(PetscFree2(S0g, v0g));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (mode == 1) { /* current dynamics without disorder */
    PetscReal *vv;
    PetscCall(PetscMalloc1(m->R, &vv));
    for (PetscInt r = 0; r < m->R; r++) {
      vv[r] = nv0 ? v0g[nv0 == 1 ? 0 : r] : 1.0;
      if (m->g[r] > 0) PetscCall(PetscPrintf(comm, "mrdyn dmft: note: -mode currents is the theory without disorder; g of region %" PetscInt_FMT " (%g) is ignored\n", r, (double)m->g[r]));
    }
    PetscCall(MrOutputCreate(comm, out, &o));
    PetscCall(MrDmftHeader(o, m, modelPath, "currents", MrIntegrators[integ], dt, Nt));
    PetscCall(PetscPrintf(comm, "mrdyn dmft -mode currents: R = %" PetscInt_FMT ", C = %" PetscInt_FMT ", %s, dt = %g, t_final = %g, %" PetscInt_FMT " initial conditions\n", m->R, m->C, MrIntegrators[integ], (double)dt, (double)((Nt - 1) * dt), K));
    PetscCall(MrDmftCurrentsMode(comm, m, &inputs, K, initSize, iseed >= 0 ? iseed : seed, nS0, S0g, vv, dt, Nt - 1, (PetscBool)(integ == 0), o));
    PetscCall(MrOutputFinish(&o));
    PetscCall(PetscPrintf(comm, "  wrote %s\n", out));
    PetscCall(PetscFree(vv));
    PetscCall(MrInputsDestroy(&inputs));
    PetscCall(MrModelDestroy(&m));
    PetscCall(PetscFree2(S0g, v0g));
    PetscFunctionReturn(PETSC_SUCCESS);
  }

  PetscCall(MrLogStage("DMFT", &stage));
  PetscCall(PetscMalloc3(m->C + 1, &S0, m->R, &v0, m->R, &cost));
  MrInitialCurrents(iseed >= 0 ? iseed : seed, m->C, nS0, S0g, S0);
  for (PetscInt r = 0; r < m->R; r++) {
    v0[r]   = nv0 ? v0g[nv0 == 1 ? 0 : r] : 1.0;
    cost[r] = 1.0 + m->inOff[r + 1] - m->inOff[r];
  }
  PetscCall(MrLayoutCreate(comm, m, cost, 1, &L)); /* whole regions; ranks beyond R idle */
  PetscCall(MrDmftCreate(m, L, scheme, dt, Nt, window, &d));
  PetscCall(MrDmftSetInitial(d, S0, nv0 ? v0 : NULL));
  PetscCall(MrDmftSetInputs(d, &inputs));
  if (!nref) {
    nref    = 1;
    refT[0] = 0.5 * tf;
  }
  PetscCall(PetscMalloc1(nref, &refStep));
  for (PetscInt q = 0; q < nref; q++) refStep[q] = (PetscInt)llround(refT[q] / dt);
  {
    PetscInt maxLagSteps = lagMax >= 0 ? (PetscInt)llround(lagMax / dt) : Nt - 1;
    nlag                 = maxLagSteps / lagEvery + 1;
  }
  PetscCall(MrDmftSetDeltaRecord(d, nref, refStep, nlag, lagEvery));
  if (saveFull) PetscCall(MrDmftSetKeepFull(d, PETSC_TRUE));

  /* output: the run file's names */
  PetscCall(MrOutputCreate(comm, out, &o));
  {
    PetscReal *s2;
    PetscCall(MrOutputWriteChannelMap(o, m->C, m->target, m->source));
    PetscCall(MrDmftHeader(o, m, modelPath, "twopoint", MrDmftSchemes[scheme], dt, Nt));
    PetscCall(MrOutputAttrInt(o, "mpi_size", L->size));
    PetscCall(MrOutputAttrInt(o, "seed", iseed >= 0 ? iseed : seed));
    PetscCall(MrOutputAttrInt(o, "R", m->R));
    PetscCall(MrOutputAttrInt(o, "C", m->C));
    PetscCall(MrOutputAttrInt(o, "window", window));
    PetscCall(MrOutputAttrInt(o, "save_every", c.saveEvery));
    PetscCall(MrOutputAttrRealArray(o, "g", m->R, m->g));
    PetscCall(PetscMalloc1(m->R, &s2));
    PetscCall(MrModelReadoutVariances(m, s2));
    PetscCall(MrOutputAttrRealArray(o, "readout_variance", m->R, s2));
    PetscCall(PetscFree(s2));
  }
  for (PetscInt k = 0; k < L->nslices; k++) ncols += m->inOff[L->slice[k].region + 1] - m->inOff[L->slice[k].region];
  PetscCall(PetscMalloc1(ncols + L->nslices + 2, &cols));
  {
    PetscInt zero = 0, n = 0;
    PetscCall(MrSeriesCreate(o, "/time", 0, L->rank == 0 ? 1 : 0, &zero, 64, &c.time));
    for (PetscInt k = 0; k < L->nslices; k++)
      for (PetscInt i = m->inOff[L->slice[k].region]; i < m->inOff[L->slice[k].region + 1]; i++) cols[n++] = m->inCh[i];
    PetscCall(MrSeriesCreate(o, "/currents", m->C, n, cols, 64, &c.currents));
    for (PetscInt k = 0; k < L->nslices; k++) cols[k] = L->slice[k].region;
    PetscCall(MrSeriesCreate(o, "/variance", m->R, L->nslices, cols, 64, &c.variance));
    PetscCall(MrSeriesCreate(o, "/psi", m->R, L->nslices, cols, 64, &c.psi));
  }
  PetscCall(PetscMalloc3(ncols + 1, &c.cur, L->nslices + 1, &c.var, L->nslices + 1, &c.ps));
  c.L        = L;
  c.m        = m;
  c.Nt       = Nt;
  c.h        = dt;
  c.comm     = comm;
  c.progress = progress;
  PetscCall(PetscPrintf(comm, "mrdyn dmft: R = %" PetscInt_FMT ", C = %" PetscInt_FMT ", %s scheme, dt = %g, Nt = %" PetscInt_FMT "%s, %d ranks\n", m->R, m->C, MrDmftSchemes[scheme], (double)dt, Nt, window ? " (windowed)" : "", L->size));
  PetscCall(PetscTime(&c.wall0));
  c.last = c.wall0;
  PetscCall(PetscLogStagePush(stage));
  PetscCall(MrDmftRun(d, MrDmftSave, &c));
  PetscCall(PetscLogStagePop());
  PetscCall(PetscTime(&t1));

  /* autocovariances: /delta (R, nref, nlag), rows written by the owners */
  {
    hsize_t    dims[3] = {(hsize_t)m->R, (hsize_t)nref, (hsize_t)nlag}, dr = (hsize_t)nref, dl = (hsize_t)nlag;
    PetscReal *buf, *tl, *tr;
    PetscInt   r0 = L->nslices ? L->slice[0].region : 0;
    PetscCall(PetscMalloc3(L->nslices * nref * nlag + 1, &buf, nlag, &tl, nref, &tr));
    for (PetscInt k = 0; k < L->nslices; k++) {
      const PetscReal *rec;
      PetscCall(MrDmftGetDelta(d, k, &rec, NULL, NULL));
      PetscCall(PetscArraycpy(buf + k * nref * nlag, rec, nref * nlag));
    }
    PetscCall(MrOutputWriteSlab(o, "/delta", 3, dims, (hsize_t)r0, (hsize_t)L->nslices, buf));
    for (PetscInt l = 0; l < nlag; l++) tl[l] = l * lagEvery * dt;
    for (PetscInt q = 0; q < nref; q++) tr[q] = refStep[q] * dt;
    PetscCall(MrOutputWriteRoot(o, "/delta_lags", H5T_NATIVE_DOUBLE, 1, &dl, tl));
    PetscCall(MrOutputWriteRoot(o, "/delta_times", H5T_NATIVE_DOUBLE, 1, &dr, tr));
    PetscCall(PetscFree3(buf, tl, tr));
    if (saveFull) {
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
  }
  /* That's spectrum, always (small C) */
  {
    PetscInt   ne;
    PetscReal *wr, *wi, *buf;
    PetscCall(MrModelThatEigenvalues(m, &ne, &wr, &wi));
    if (ne) {
      hsize_t de[2] = {(hsize_t)ne, 2};
      PetscCall(PetscMalloc1(2 * ne, &buf));
      for (PetscInt k = 0; k < ne; k++) {
        buf[2 * k]     = wr[k];
        buf[2 * k + 1] = wi[k];
      }
      PetscCall(MrOutputWriteRoot(o, "/that_eigenvalues", H5T_NATIVE_DOUBLE, 2, de, buf));
      PetscCall(PetscPrintf(comm, "  leading eigenvalue of That: %.6f%+.6fi\n", (double)wr[0], (double)wi[0]));
      PetscCall(PetscFree(buf));
      PetscCall(PetscFree2(wr, wi));
    }
  }
  if (stationary) PetscCall(MrDmftWriteStationary(comm, m, L, d, Nt, window, o));
  {
    double wall = t1 - c.wall0;
    PetscCallMPI(MPI_Bcast(&wall, 1, MPI_DOUBLE, 0, comm));
    PetscCall(MrOutputAttrReal(o, "wall_seconds", wall));
  }
  PetscCall(MrOutputFinish(&o));
  PetscCall(PetscPrintf(comm, "mrdyn dmft: %" PetscInt_FMT " steps in %.3g s; %" PetscInt_FMT " saved rows\n  wrote %s\n", Nt - 1, t1 - c.wall0, c.nsaved, out));
  PetscCall(PetscFree3(c.cur, c.var, c.ps));
  PetscCall(PetscFree(cols));
  PetscCall(PetscFree(refStep));
  PetscCall(MrDmftDestroy(&d));
  PetscCall(MrLayoutDestroy(&L));
  PetscCall(MrInputsDestroy(&inputs));
  PetscCall(PetscFree3(S0, v0, cost));
  PetscCall(MrModelDestroy(&m));
  PetscCall(PetscFree2(S0g, v0g));
  PetscFunctionReturn(PETSC_SUCCESS);
}
