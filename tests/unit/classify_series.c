/* Test helper: MrClassifyCurrents (the sweep's class of the currents) on a series
   given as a raw file of nt x C native doubles (row-major, one row per time point).
   usage: classify_series FILE NT C DT WINDOW; prints `code period peak amplitude level`. */
#include <mrdyn/sweep.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
  PetscInt   nt, C;
  PetscReal *S;
  MrDynamics d;
  FILE      *f;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCheck(argc == 6, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "usage: classify_series FILE NT C DT WINDOW");
  nt = atol(argv[2]);
  C  = atol(argv[3]);
  PetscCheck(nt > 0 && C > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "NT and C must be positive");
  PetscCall(PetscMalloc1(nt * C, &S));
  f = fopen(argv[1], "rb");
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot open %s", argv[1]);
  PetscCheck(fread(S, sizeof(PetscReal), (size_t)(nt * C), f) == (size_t)(nt * C), PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "%s holds fewer than %ld values", argv[1], (long)(nt * C));
  fclose(f);
  PetscCall(MrClassifyCurrents(nt, C, S, atof(argv[4]), atof(argv[5]), &d));
  printf("%d %.17g %.17g %.17g %.17g\n", (int)d.cls, (double)d.period, (double)d.peak, (double)d.amplitude, (double)d.level);
  PetscCall(PetscFree(S));
  PetscCall(PetscFinalize());
  return 0;
}
