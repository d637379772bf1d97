/* Benchmark (not a test): the mean-field engine against a vectorised NumPy
   version of the same recurrence (tools/dmft_numpy.py), run side by side.

   Two regions, make_T(a = 2, b = 1.5), g = 1.5, dt = 0.05, S0 = 0.5, full memory,
   the reference scheme (the published recurrence) and the default second-order
   scheme; Nt = 1000, 2000, 4000 by default. The NumPy run prints its final
   Delta(t,t), which must equal mrdyn's reference scheme to 1e-9.

   usage: build/bench/bench_dmft [-sizes 1000,2000,4000] [-reps 3] [-numpy 1] [-numpy_script tools/dmft_numpy.py] */
#include <mrdyn/mrdyn.h>
#include <stdio.h>

static PetscErrorCode RunOnce(MrModel m, MrLayout L, MrDmftScheme scheme, PetscInt Nt, PetscReal *sec, PetscReal final[])
{
  MrDmft         d;
  PetscReal     *S0;
  PetscLogDouble t0, t1;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(m->C, &S0));
  for (PetscInt c = 0; c < m->C; c++) S0[c] = 0.5;
  PetscCall(MrDmftCreate(m, L, scheme, 0.05, Nt, 0, &d));
  PetscCall(MrDmftSetInitial(d, S0, NULL));
  PetscCall(PetscTime(&t0));
  PetscCall(MrDmftRun(d, NULL, NULL));
  PetscCall(PetscTime(&t1));
  *sec = t1 - t0;
  for (PetscInt k = 0; k < L->nslices; k++) {
    PetscReal        var, psi;
    const PetscReal *S;
    PetscCall(MrDmftGetState(d, k, &var, &psi, &S));
    final[L->slice[k].region] = var;
  }
  PetscCall(MrDmftDestroy(&d));
  PetscCall(PetscFree(S0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  PetscInt  sizes[8] = {1000, 2000, 4000}, nsizes = 3, reps = 3;
  PetscBool numpy                      = PETSC_TRUE;
  char      script[PETSC_MAX_PATH_LEN] = "tools/dmft_numpy.py";
  MrModel   m;
  MrLayout  L;
  PetscReal cost[2] = {1, 1};

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetscOptionsGetIntArray(NULL, NULL, "-sizes", sizes, &nsizes, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-reps", &reps, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-numpy", &numpy, NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-numpy_script", script, sizeof(script), NULL));
  PetscCall(PetscOptionsSetValue(NULL, "-R", "2"));
  PetscCall(PetscOptionsSetValue(NULL, "-g", "1.5"));
  PetscCall(PetscOptionsSetValue(NULL, "-a", "2.0"));
  PetscCall(PetscOptionsSetValue(NULL, "-b", "1.5"));
  PetscCall(MrModelGenerate(PETSC_COMM_WORLD, "paper", &m));
  PetscCall(MrLayoutCreate(PETSC_COMM_WORLD, m, cost, 1, &L));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "mrdyn bench_dmft: R = 2, g = 1.5, dt = 0.05, full memory, best of %" PetscInt_FMT "\n", reps));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%6s %14s %14s %12s %12s %10s %16s %12s\n", "Nt", "reference ms", "trapezoid ms", "ns/element", "numpy s", "speed-up", "max rel vs numpy", "elements"));
  for (PetscInt is = 0; is < nsizes; is++) {
    PetscInt  Nt    = sizes[is];
    PetscReal bestR = 1e30, bestT = 1e30, sec, fR[2], fT[2], fN[2] = {NAN, NAN}, tn = NAN, rel = NAN;
    for (PetscInt k = 0; k < reps; k++) {
      PetscCall(RunOnce(m, L, MR_DMFT_REFERENCE, Nt, &sec, fR));
      bestR = PetscMin(bestR, sec);
      PetscCall(RunOnce(m, L, MR_DMFT_TRAPEZOID, Nt, &sec, fT));
      bestT = PetscMin(bestT, sec);
    }
    if (numpy) {
      char  cmd[PETSC_MAX_PATH_LEN + 128];
      FILE *p;
      PetscCall(PetscSNPrintf(cmd, sizeof(cmd), "/usr/bin/python3 %s 2 %" PetscInt_FMT " 0.05 1.5 --print", script, Nt));
      p = popen(cmd, "r");
      if (p) {
        double a = NAN, b = NAN, c = NAN;
        if (fscanf(p, "%lf %lf %lf", &a, &b, &c) == 3) {
          tn    = a;
          fN[0] = b;
          fN[1] = c;
          rel   = PetscMax(PetscAbsReal(fN[0] - fR[0]) / PetscAbsReal(fN[0]), PetscAbsReal(fN[1] - fR[1]) / PetscAbsReal(fN[1]));
        }
        pclose(p);
      }
    }
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%6" PetscInt_FMT " %14.2f %14.2f %12.2f %12.3f %10.1f %16.2e %12.3g\n", Nt, 1e3 * bestR, 1e3 * bestT, 1e9 * bestR / (Nt * (double)Nt), tn, tn / bestR, rel, (double)Nt * Nt));
  }
  PetscCall(MrLayoutDestroy(&L));
  PetscCall(MrModelDestroy(&m));
  PetscCall(PetscFinalize());
  return 0;
}
