/* Verb dispatch. */
#include <mrdyn/mrdyn.h>
#include "verbs.h"
#include "version.h"

static const char *const MrModelKnown[] = {"-o",    "-force",  "-R",       "-N",        "-g",     "-tau", "-description",   "-a",     "-b",    "-u", "-hdiag", "-V",   "-w_re", "-w_im", "-tol", "-rho", "-seed", "-max_tries", "-degree",
                                           "-rank", "-sigma2", "-rescale", "-clusters", "-p_out", "-box", "-box_prefilter", "-model", "-file", "-T", "-U",     "-set", NULL};

PetscErrorCode MrModelVerb(MPI_Comm comm, const char generator[])
{
  MrModel   m;
  char      out[PETSC_MAX_PATH_LEN] = "";
  PetscBool force                   = PETSC_FALSE, help;
  PetscReal wre, wim, *s2;

  PetscFunctionBegin;
  if (generator && !strcmp(generator, "weights")) { /* an imported W: its own options and output (docs/weights.md) */
    PetscCall(MrWeightsVerb(comm));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscOptionsBegin(comm, NULL, "mrdyn model: output", NULL);
  PetscCall(PetscOptionsString("-o", "model file to write", NULL, out, out, sizeof(out), NULL));
  PetscCall(MrOptionsBool("-force", "overwrite an existing file", force, &force, NULL));
  PetscOptionsEnd();
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  MrCheckInput(comm, generator && generator[0], "mrdyn model: name a generator (paper, random, graph, from, weights)");
  PetscCall(MrModelGenerate(comm, generator, &m));
  if (help) {
    PetscCall(MrModelDestroy(&m));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  MrCheckInput(comm, out[0], "mrdyn model: no output file given (-o FILE)");
  PetscCall(MrCheckUnusedOptions(comm, MrModelKnown));
  PetscCall(MrModelSave(m, out, force));
  PetscCall(MrModelLeadingEigenvalue(m, &wre, &wim));
  PetscCall(PetscMalloc1(m->R, &s2));
  PetscCall(MrModelReadoutVariances(m, s2));
  if (PetscIsNanReal(wre))
    PetscCall(PetscPrintf(comm, "mrdyn model %s: R = %" PetscInt_FMT ", C = %" PetscInt_FMT " channels, %" PetscInt_FMT " T entries (That's spectrum not computed for C > 4000)\n", generator, m->R, m->C, m->nT));
  else
    PetscCall(PetscPrintf(comm, "mrdyn model %s: R = %" PetscInt_FMT ", C = %" PetscInt_FMT " channels, %" PetscInt_FMT " T entries; leading eigenvalue of That %.4f%+.4fi\n", generator, m->R, m->C, m->nT, (double)wre, (double)wim));
  if (m->draws) PetscCall(PetscPrintf(comm, "  T accepted after %" PetscInt_FMT " draws\n", m->draws));
  if (m->R <= 16) {
    PetscCall(PetscPrintf(comm, "  readout variance per region (1.05 rule unless set):"));
    for (PetscInt r = 0; r < m->R; r++) PetscCall(PetscPrintf(comm, " %.4g", (double)s2[r]));
    PetscCall(PetscPrintf(comm, "\n"));
  }
  PetscCall(PetscPrintf(comm, "  wrote %s\n", out));
  PetscCall(PetscFree(s2));
  PetscCall(MrModelDestroy(&m));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrRunVerb(MPI_Comm comm, const char verb[], int npos, const char *pos[])
{
  PetscBool is;

  PetscFunctionBegin;
  PetscCall(PetscStrcmp(verb, "simulate", &is));
  if (is) {
    MrCheckInput(comm, npos == 0, "simulate: unexpected argument '%s' (options start with '-')", pos[0]);
    PetscCall(MrSimulate(comm));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscStrcmp(verb, "model", &is));
  if (is) {
    MrCheckInput(comm, npos == 1, "usage: mrdyn model NAME [options] -o FILE  (NAME: paper, random, graph, from, weights)");
    PetscCall(MrModelVerb(comm, pos[0]));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscStrcmp(verb, "info", &is));
  if (is) {
    MrCheckInput(comm, npos == 1, "usage: mrdyn info FILE.h5");
    PetscCall(MrCheckUnusedOptions(comm, NULL));
    PetscCall(MrInfo(comm, pos[0]));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscStrcmp(verb, "dmft", &is));
  if (is) {
    MrCheckInput(comm, npos == 0, "dmft: unexpected argument '%s' (options start with '-')", pos[0]);
    PetscCall(MrDmftVerb(comm));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscStrcmp(verb, "compare", &is));
  if (is) {
    MrCheckInput(comm, npos == 2, "usage: mrdyn compare SIMULATION.h5 THEORY.h5 [-tol T] [-window t0,t1] [-json FILE]");
    PetscCall(MrCompare(comm, pos[0], pos[1]));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscStrcmp(verb, "sweep", &is));
  if (is) {
    MrCheckInput(comm, npos == 1, "usage: mrdyn sweep SWEEP.yaml [-array_index i -array_count n] [-merge] [-dry_run]");
    PetscCall(MrSweepVerb(comm, pos[0]));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscStrcmp(verb, "spectrum", &is));
  if (is) {
    MrCheckInput(comm, npos == 0, "spectrum: unexpected argument '%s' (options start with '-')", pos[0]);
    PetscCall(MrSpectrumVerb(comm));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscStrcmp(verb, "dimension", &is));
  if (is) {
    MrCheckInput(comm, npos == 1, "usage: mrdyn dimension RUN.h5 -o DIM.h5 [-t_start T]  (RUN.h5 from simulate -save_activity K)");
    PetscCall(MrDimensionVerb(comm, pos[0]));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscStrcmp(verb, "lyapunov", &is));
  if (is) {
    MrCheckInput(comm, npos == 0, "lyapunov: unexpected argument '%s' (options start with '-')", pos[0]);
    PetscCall(MrLyapunovVerb(comm));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscStrcmp(verb, "polytope", &is));
  if (is) {
    MrCheckInput(comm, npos == 0, "polytope: unexpected argument '%s' (options start with '-')", pos[0]);
    PetscCall(MrPolytopeVerb(comm));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscStrcmp(verb, "version", &is));
  if (is) {
    PetscCall(PetscPrintf(comm, "mrdyn %s (git %s)\n", MRDYN_VERSION, MRDYN_GIT_COMMIT));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  MrCheckInput(comm, PETSC_FALSE, "unknown verb '%s' (model, simulate, dmft, compare, sweep, spectrum, dimension, lyapunov, polytope, info, version; mrdyn --help)", verb);
  PetscFunctionReturn(PETSC_SUCCESS);
}
