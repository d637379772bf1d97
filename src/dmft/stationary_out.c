/* `mrdyn dmft -stationary`: the stationary theory polished from the end of the dynamics, and its output. */
#include "dmft_impl.h"
#include "gauss.h"

/* The end state of the dynamics (gathered), polished into a stationary solution. */
PetscErrorCode MrDmftWriteStationary(MPI_Comm comm, MrModel m, MrLayout L, MrDmft d, PetscInt Nt, PetscInt window, MrOutput o)
{
  const PetscInt lagMax = window > 0 ? PetscMin((Nt - 1) / 2, window - 1) : (Nt - 1) / 2;
  PetscReal     *S, *D0, *Di, *scs;
  MrStationary   st;
  hsize_t        dr = (hsize_t)m->R, dc = (hsize_t)m->C;

  PetscFunctionBegin;
  PetscCall(PetscCalloc4(m->C + 1, &S, m->R, &D0, m->R, &Di, m->R, &scs));
  for (PetscInt k = 0; k < L->nslices; k++) {
    const PetscReal *Sk;
    PetscReal        psi;
    PetscInt         r = L->slice[k].region;
    PetscCall(MrDmftGetState(d, k, &D0[r], &psi, &Sk));
    for (PetscInt a = 0; a < m->inOff[r + 1] - m->inOff[r]; a++) S[m->inCh[m->inOff[r] + a]] = Sk[a];
    PetscCall(MrDmftGetLag(d, k, lagMax, &Di[r])); /* a long lag that the window keeps */
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, S, (int)m->C, MPIU_REAL, MPI_SUM, comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, D0, (int)m->R, MPIU_REAL, MPI_SUM, comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, Di, (int)m->R, MPIU_REAL, MPI_SUM, comm));
  PetscCall(MrStationarySolve(comm, m, S, D0, Di, &st));
  for (PetscInt r = 0; r < m->R; r++) {
    scs[r] = NAN;
    if (m->g[r] > 1)
      PetscCall(MrScsDelta0(m->g[r], &scs[r]));
    else if (m->R <= 32)
      PetscCall(PetscPrintf(comm, "  region %" PetscInt_FMT ": g = %g <= 1, no chaotic solution of its own (Delta0_scs = NaN); only structure can keep it active\n", r, (double)m->g[r]));
  }
  PetscCall(MrOutputWriteRoot(o, "/stationary/S", H5T_NATIVE_DOUBLE, 1, &dc, st.S));
  PetscCall(MrOutputWriteRoot(o, "/stationary/Delta0", H5T_NATIVE_DOUBLE, 1, &dr, st.Delta0));
  PetscCall(MrOutputWriteRoot(o, "/stationary/Delta_inf", H5T_NATIVE_DOUBLE, 1, &dr, st.DeltaInf));
  PetscCall(MrOutputWriteRoot(o, "/stationary/A", H5T_NATIVE_DOUBLE, 1, &dr, st.A));
  PetscCall(MrOutputWriteRoot(o, "/stationary/psi", H5T_NATIVE_DOUBLE, 1, &dr, st.psi));
  PetscCall(MrOutputWriteRoot(o, "/stationary/Delta0_scs", H5T_NATIVE_DOUBLE, 1, &dr, scs));
  /* every rank solved the same small system; write rank 0's verdict everywhere */
  PetscCallMPI(MPI_Bcast(&st.converged, 1, MPIU_BOOL, 0, comm));
  PetscCallMPI(MPI_Bcast(&st.fnorm, 1, MPIU_REAL, 0, comm));
  PetscCall(MrOutputAttrInt(o, "stationary_converged", st.converged));
  PetscCall(MrOutputAttrReal(o, "stationary_residual", st.fnorm));
  if (st.converged) {
    PetscCall(PetscPrintf(comm, "  stationary state (SNES, %" PetscInt_FMT " iterations, residual %.1e):\n", st.its, (double)st.fnorm));
    for (PetscInt r = 0; r < PetscMin(m->R, 32); r++)
      PetscCall(PetscPrintf(comm, "    region %3" PetscInt_FMT ": Delta0 = %.6f  Delta_inf = %.6f  A = %.6f  psi = %.6f\n", r, (double)st.Delta0[r], (double)st.DeltaInf[r], (double)st.A[r], (double)st.psi[r]));
  } else
    PetscCall(PetscPrintf(comm, "  no stationary state near the end of the dynamics (residual %.1e): the currents may cycle or be chaotic; /stationary holds the last iterate\n", (double)st.fnorm));
  PetscCall(MrStationaryDestroy(&st));
  PetscCall(PetscFree4(S, D0, Di, scs));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ---- `mrdyn dmft -mode stationary`: the per-region stationary theory, optionally over a scan of g ---- */

PetscErrorCode MrDmftStationaryOptionsRead(MPI_Comm comm, MrDmftOptions *o)
{
  PetscInt  nl = (PetscInt)PETSC_STATIC_ARRAY_LENGTH(o->lambda), ng = (PetscInt)PETSC_STATIC_ARRAY_LENGTH(o->tauG);
  PetscBool set, help;

  PetscFunctionBegin;
  o->tauMax  = 40;
  o->tauStep = 0.05;
  PetscOptionsBegin(comm, NULL, "mrdyn dmft -mode stationary: each region's stationary theory with structure and disorder (model.md 2c)", NULL);
  PetscCall(PetscOptionsString("-g_scan", "lo:hi:n: every region's g over n values from lo to hi (default: the model's g)", NULL, o->gScan, o->gScan, sizeof(o->gScan), NULL));
  PetscCall(MrOptionsRealArray("-stationary_lambda", "per region (1 or R values) the eigenvalue lambda with psi(Delta0) = 1/lambda (the paper: max(a, b))", "from the g = 0 fixed point of the currents reached from the initial currents in -t_final",
                               o->lambda, &nl, &set));
  o->nLambda = set ? nl : 0;
  PetscCall(MrOptionsRealArray("-delta_tau_g", "g values of the Delta(tau) curves from the stationary ODE", "the model's g", o->tauG, &ng, &set));
  o->nTauG = set ? ng : 0;
  PetscCall(MrOptionsReal("-delta_tau_max", "largest tau of the Delta(tau) curves", o->tauMax, &o->tauMax, NULL));
  PetscCall(MrOptionsReal("-delta_tau_step", "spacing of the Delta(tau) curves", o->tauStep, &o->tauStep, NULL));
  PetscOptionsEnd();
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  if (help) PetscFunctionReturn(PETSC_SUCCESS);
  MrCheckInput(comm, o->mode == 2 || !(o->gScan[0] || o->nLambda || o->nTauG), "-g_scan, -stationary_lambda and -delta_tau_g belong to -mode stationary");
  for (PetscInt i = 0; i < o->nLambda; i++) MrCheckInput(comm, isfinite(o->lambda[i]) && o->lambda[i] >= 0, "-stationary_lambda: value %" PetscInt_FMT " (%g) must be finite and >= 0", i, (double)o->lambda[i]);
  for (PetscInt i = 0; i < o->nTauG; i++) MrCheckInput(comm, isfinite(o->tauG[i]) && o->tauG[i] >= 0 && o->tauG[i] < 1e3, "-delta_tau_g: value %" PetscInt_FMT " (%g) must be in [0, 1000)", i, (double)o->tauG[i]);
  MrCheckInput(comm, isfinite(o->tauMax) && isfinite(o->tauStep) && o->tauStep > 0 && o->tauMax >= 0 && o->tauMax / o->tauStep < 1e6, "-delta_tau_max %g and -delta_tau_step %g: need step > 0, max >= 0 and at most 1e6 points", (double)o->tauMax,
               (double)o->tauStep);
  o->ng = 0;
  if (o->gScan[0]) {
    char       f[3][256] = {"", "", ""}, what[300];
    PetscReal  lo, hi;
    PetscInt64 n;
    int        k = 0;
    for (const char *p = o->gScan; k < 3; k++) { /* lo:hi:n, each field parsed whole */
      size_t l = strcspn(p, ":");
      MrCheckInput(comm, l < sizeof(f[k]) && (k == 2 ? !p[l] : p[l] == ':'), "-g_scan %s: expected lo:hi:n, e.g. 0:4:401", o->gScan);
      memcpy(f[k], p, l);
      p += l + 1;
    }
    PetscCall(PetscSNPrintf(what, sizeof(what), "-g_scan %s: lo", o->gScan));
    PetscCall(MrCheckRealText(comm, what, f[0], &lo));
    PetscCall(PetscSNPrintf(what, sizeof(what), "-g_scan %s: hi", o->gScan));
    PetscCall(MrCheckRealText(comm, what, f[1], &hi));
    PetscCall(PetscSNPrintf(what, sizeof(what), "-g_scan %s: n", o->gScan));
    PetscCall(MrCheckInt64Text(comm, what, f[2], 1, 1000000, &n));
    MrCheckInput(comm, isfinite(lo) && isfinite(hi) && lo >= 0 && hi >= lo && hi < 1e3 && n >= 1 && n <= 1000000 && (n > 1 || hi == lo), "-g_scan %s: need 0 <= lo <= hi < 1000 and 1 <= n <= 1e6 (n = 1 only with lo = hi)", o->gScan);
    o->gLo = lo;
    o->gHi = hi;
    o->ng  = (PetscInt)n;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Delta0s per region: from lambda (psi(Delta0s) = 1/lambda; lambda <= 1: no structure), or
   the structured variance sum U S S at the g = 0 fixed point of the current dynamics. */
static PetscErrorCode MrDmftStationaryDelta0(MPI_Comm comm, MrModel m, const MrDmftOptions *o, const MrInputs *inputs, PetscReal lambda[], PetscReal D0[])
{
  PetscFunctionBegin;
  if (o->nLambda) {
    for (PetscInt r = 0; r < m->R; r++) {
      lambda[r] = o->lambda[o->nLambda == 1 ? 0 : r];
      D0[r]     = lambda[r] > 1 ? MrPsiInverse(1.0 / lambda[r]) : 0;
    }
  } else {
    MrCurrentsResult res;
    PetscReal       *S0, *v0, *Ublk;
    PetscInt        *Uoff;
    PetscCall(PetscMalloc2(m->C + 1, &S0, m->R, &v0));
    if (o->hasUniform)
      MrInitialCurrentsUniform(o->seed, m->C, o->uniform[0], o->uniform[1], S0);
    else
      MrInitialCurrents(o->seed, m->C, o->nS0, o->S0, S0);
    for (PetscInt r = 0; r < m->R; r++) v0[r] = o->nv0 ? o->v0[o->nv0 == 1 ? 0 : r] : 1.0;
    PetscCall(MrCurrentsBatch(comm, m, inputs, v0, 1, S0, o->dt, o->Nt - 1, PETSC_TRUE, &res));
    MrCheckInput(comm, res.cls[0] == MR_END_FIXED_POINT, "-mode stationary: the current dynamics (g = 0) from the initial currents reached no fixed point by t_final = %g (%s); give -stationary_lambda, a longer -t_final or other -init_currents",
                 (double)((o->Nt - 1) * o->dt), res.cls[0] == MR_END_LIMIT_CYCLE ? "a limit cycle" : "not converged");
    PetscCall(MrModelUBlocks(m, &Uoff, &Ublk));
    for (PetscInt r = 0; r < m->R; r++) {
      D0[r] = MrModelUForm(m, Uoff, Ublk, r, res.final, res.final);
      if (D0[r] < 1e-10) D0[r] = 0; /* an inactive region: no structured variance */
      lambda[r] = D0[r] > 0 ? 1.0 / MrPsi(D0[r]) : NAN;
    }
    PetscCall(PetscFree2(Uoff, Ublk));
    PetscCall(MrCurrentsResultDestroy(&res));
    PetscCall(PetscFree2(S0, v0));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDmftStationaryCheckModel(MPI_Comm comm, const MrDmftOptions *o, MrModel m)
{
  MrInputs   none;
  PetscReal *lambda, *D0;

  PetscFunctionBegin;
  MrCheckInput(comm, o->nLambda == 0 || o->nLambda == 1 || o->nLambda == m->R, "-stationary_lambda has %" PetscInt_FMT " values; give 1 or R = %" PetscInt_FMT, o->nLambda, m->R);
  MrCheckInput(comm, o->input[0] == 0, "-mode stationary: the stationary theory has no inputs (-input)");
  PetscCall(PetscMemzero(&none, sizeof(none)));
  PetscCall(PetscMalloc2(m->R, &lambda, m->R, &D0));
  PetscCall(MrDmftStationaryDelta0(comm, m, o, &none, lambda, D0)); /* fails here, before any output, when the currents reach no fixed point */
  PetscCall(PetscFree2(lambda, D0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDmftStationaryMode(MPI_Comm comm, MrModel m, const MrDmftOptions *o, const MrInputs *inputs, MrOutput out)
{
  const PetscInt R = m->R, ng = o->ng ? o->ng : 1, nt = (PetscInt)llround(o->tauMax / o->tauStep) + 1, nc = o->nTauG ? o->nTauG : 1;
  PetscReal     *lambda, *D0, *gOn, *gEnd, *gTr, *g, *A, *Afp, *Di, *Ds, *Dscs, *code, *tau, *curves, *cg, *cA, *cDi;
  hsize_t        dr = (hsize_t)R, dgr[2] = {(hsize_t)ng, (hsize_t)R}, dt = (hsize_t)nt, dc[3] = {(hsize_t)nc, (hsize_t)R, (hsize_t)nt}, dcr[2] = {(hsize_t)nc, (hsize_t)R};
  char           names[256];

  PetscFunctionBegin;
  PetscCall(PetscMalloc5(R, &lambda, R, &D0, R, &gOn, R, &gEnd, R, &gTr));
  PetscCall(PetscMalloc6(ng * R, &g, ng * R, &A, ng * R, &Afp, ng * R, &Di, ng * R, &Ds, ng * R, &Dscs));
  PetscCall(PetscMalloc6(ng * R, &code, nt, &tau, (size_t)nc * R * nt, &curves, nc * R, &cg, nc * R, &cA, nc * R, &cDi));
  PetscCall(MrDmftStationaryDelta0(comm, m, o, inputs, lambda, D0));
  for (PetscInt r = 0; r < R; r++) {
    PetscCall(MrStationaryCriticalG(D0[r], &gOn[r], &gEnd[r]));
    gTr[r] = NAN;
    if (D0[r] == 0) gOn[r] = gEnd[r] = NAN; /* no structure: nothing to lose */
  }
  for (PetscInt i = 0; i < ng; i++)
    for (PetscInt r = 0; r < R; r++) {
      const PetscInt    k = i * R + r;
      MrStationaryPoint p;
      g[k] = o->ng ? (ng > 1 ? o->gLo + (o->gHi - o->gLo) * i / (ng - 1) : o->gLo) : m->g[r];
      PetscCall(MrStationaryRegion(D0[r], g[k], &p));
      A[k]    = p.A;
      Afp[k]  = p.Afp;
      Di[k]   = p.DeltaInf;
      Ds[k]   = p.Delta0;
      Dscs[k] = p.Delta0Scs;
      code[k] = (PetscReal)p.branch;
      /* the paper's notebook: the first g where 1e-3 < Delta0 - Delta_inf < 0.1 */
      if (PetscIsNanReal(gTr[r]) && D0[r] > 0 && D0[r] - p.DeltaInf > 1e-3 && D0[r] - p.DeltaInf < 0.1) gTr[r] = g[k];
    }
  for (PetscInt j = 0; j < nt; j++) tau[j] = j * o->tauStep;
  for (PetscInt c = 0; c < nc; c++)
    for (PetscInt r = 0; r < R; r++) {
      MrStationaryPoint p;
      cg[c * R + r] = o->nTauG ? o->tauG[c] : m->g[r];
      PetscCall(MrStationaryRegion(D0[r], cg[c * R + r], &p));
      PetscCall(MrStationaryDeltaTau(&p, cg[c * R + r], nt, o->tauStep, curves + ((size_t)c * R + r) * nt));
      cA[c * R + r]  = p.A;
      cDi[c * R + r] = p.DeltaInf;
    }
  PetscCall(MrOutputWriteRoot(out, "/stationary_theory/lambda", H5T_NATIVE_DOUBLE, 1, &dr, lambda));
  PetscCall(MrOutputWriteRoot(out, "/stationary_theory/Delta0_structure", H5T_NATIVE_DOUBLE, 1, &dr, D0));
  PetscCall(MrOutputWriteRoot(out, "/stationary_theory/onset_g", H5T_NATIVE_DOUBLE, 1, &dr, gOn));
  PetscCall(MrOutputWriteRoot(out, "/stationary_theory/end_g", H5T_NATIVE_DOUBLE, 1, &dr, gEnd));
  PetscCall(MrOutputWriteRoot(out, "/stationary_theory/transition_g", H5T_NATIVE_DOUBLE, 1, &dr, gTr));
  PetscCall(MrOutputWriteRoot(out, "/stationary_theory/g", H5T_NATIVE_DOUBLE, 2, dgr, g));
  PetscCall(MrOutputWriteRoot(out, "/stationary_theory/A", H5T_NATIVE_DOUBLE, 2, dgr, A));
  PetscCall(MrOutputWriteRoot(out, "/stationary_theory/A_fp", H5T_NATIVE_DOUBLE, 2, dgr, Afp));
  PetscCall(MrOutputWriteRoot(out, "/stationary_theory/Delta_inf", H5T_NATIVE_DOUBLE, 2, dgr, Di));
  PetscCall(MrOutputWriteRoot(out, "/stationary_theory/Delta0", H5T_NATIVE_DOUBLE, 2, dgr, Ds));
  PetscCall(MrOutputWriteRoot(out, "/stationary_theory/Delta0_scs", H5T_NATIVE_DOUBLE, 2, dgr, Dscs));
  PetscCall(MrOutputWriteRoot(out, "/stationary_theory/branch", H5T_NATIVE_DOUBLE, 2, dgr, code));
  PetscCall(MrOutputWriteRoot(out, "/stationary_theory/tau", H5T_NATIVE_DOUBLE, 1, &dt, tau));
  PetscCall(MrOutputWriteRoot(out, "/stationary_theory/delta_tau", H5T_NATIVE_DOUBLE, 3, dc, curves));
  PetscCall(MrOutputWriteRoot(out, "/stationary_theory/delta_tau_g", H5T_NATIVE_DOUBLE, 2, dcr, cg));
  PetscCall(MrOutputWriteRoot(out, "/stationary_theory/delta_tau_A", H5T_NATIVE_DOUBLE, 2, dcr, cA));
  PetscCall(MrOutputWriteRoot(out, "/stationary_theory/delta_tau_Delta_inf", H5T_NATIVE_DOUBLE, 2, dcr, cDi));
  PetscCall(PetscSNPrintf(names, sizeof(names), "0: %s, 1: %s, 2: %s, 3: %s", MrStationaryBranchNames[0], MrStationaryBranchNames[1], MrStationaryBranchNames[2], MrStationaryBranchNames[3]));
  PetscCall(MrOutputAttrString(out, "branch_codes", names));
  PetscCall(MrOutputAttrString(out, "lambda_source", o->nLambda ? "-stationary_lambda" : "g = 0 fixed point of the currents"));
  PetscCall(MrOutputAttrInt(out, "R", R));
  PetscCall(MrOutputAttrInt(out, "g_scan_points", ng));

  PetscCall(PetscPrintf(comm, "mrdyn dmft -mode stationary: R = %" PetscInt_FMT ", %" PetscInt_FMT " value(s) of g; lambda from %s\n", R, ng, o->nLambda ? "-stationary_lambda" : "the g = 0 fixed point of the currents"));
  PetscCall(PetscPrintf(comm, "  region   lambda   Delta0s   onset g    end g   transition g (grid)\n"));
  for (PetscInt r = 0; r < PetscMin(R, 32); r++) PetscCall(PetscPrintf(comm, "  %6" PetscInt_FMT " %8.5f %9.5f %9.5f %8.5f %9.5f\n", r, (double)lambda[r], (double)D0[r], (double)gOn[r], (double)gEnd[r], (double)gTr[r]));
  if (!o->ng) {
    PetscCall(PetscPrintf(comm, "  at the model's g:\n  region        g     sqrt(A)          A      A_fp   Delta0   Delta_inf  branch\n"));
    for (PetscInt r = 0; r < PetscMin(R, 32); r++)
      PetscCall(PetscPrintf(comm, "  %6" PetscInt_FMT " %8.5f %11.6f %10.6f %9.5f %8.5f %11.6f  %s\n", r, (double)g[r], (double)PetscSqrtReal(A[r]), (double)A[r], (double)Afp[r], (double)Ds[r], (double)Di[r], MrStationaryBranchNames[(int)code[r]]));
  }
  PetscCall(PetscFree5(lambda, D0, gOn, gEnd, gTr));
  PetscCall(PetscFree6(g, A, Afp, Di, Ds, Dscs));
  PetscCall(PetscFree6(code, tau, curves, cg, cA, cDi));
  PetscFunctionReturn(PETSC_SUCCESS);
}
