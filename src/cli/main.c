/* mrdyn: one program, several verbs. The only place that sees MPI_COMM_WORLD. */
#include <mrdyn/mrdyn.h>
#include "verbs.h"
#include <stdio.h>

static const char usage[] = "mrdyn: multiregion recurrent networks and their mean-field theory\n"
                            "usage:\n"
                            "  mrdyn model NAME [options] -o model.h5     build a model file (NAME: paper, random, graph)\n"
                            "  mrdyn simulate -model model.h5 -o run.h5   finite-N network on MPI\n"
                            "  mrdyn dmft -model model.h5 -o mf.h5        mean-field theory (two-point DMFT, stationary theory)\n"
                            "  mrdyn compare run.h5 mf.h5 [-tol T]        simulation against theory\n"
                            "  mrdyn sweep SWEEP.yaml                     many runs in one MPI job (or a SLURM array)\n"
                            "  mrdyn spectrum -model model.h5 -o spec.h5  eigenvalues of one realisation's connectivity (ScaLAPACK)\n"
                            "  mrdyn dimension run.h5 -o dim.h5           participation ratio of activity saved with simulate -save_activity\n"
                            "  mrdyn lyapunov -model model.h5 -o ly.h5    leading Lyapunov exponents (Euler trajectory + tangent vectors)\n"
                            "  mrdyn polytope -b b1,..,bR -o poly.h5      vertices of the fixed-point polytope (a = 0); -R R -draws K: statistics\n"
                            "  mrdyn info FILE.h5                         what a model or run file holds\n"
                            "  mrdyn version                              version and git commit\n"
                            "Every verb runs under mpiexec -n P; -help after a verb lists its options.\n";

typedef struct {
  MPI_Comm    world;
  PetscMPIInt rank;
  PetscBool   collective; /* the first error was raised identically on every rank */
} MrErrCtx;

/* Errors of these classes come from checks on replicated data: mrdyn's own input
   checks, and PETSc's unknown-type errors (types are set from the options on all
   ranks). Anything else may be one rank's, and aborts the job. */
static PetscBool MrErrorIsCollective(PetscErrorCode n) { return (PetscBool)(n == MR_ERR_INPUT || n == MR_ERR_STOPPED || n == PETSC_ERR_ARG_UNKNOWN_TYPE); }

static PetscErrorCode MrErrorHandler(MPI_Comm comm, int line, const char *fun, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *vctx)
{
  MrErrCtx *ctx = (MrErrCtx *)vctx;

  if (p != PETSC_ERROR_INITIAL) return n;
  ctx->collective = MrErrorIsCollective(n);
  if (!mess || !mess[0]) {
    const char *text = NULL;
    PetscErrorMessage(n, &text, NULL);
    mess = text ? text : "unknown error";
  }
  if (n == MR_ERR_STOPPED) {
    if (ctx->rank == 0) fprintf(stderr, "mrdyn: %s\n", mess);
  } else if (ctx->collective) {
    if (ctx->rank == 0) fprintf(stderr, "mrdyn: error: %s\n", mess);
  } else
    fprintf(stderr, "mrdyn: error on rank %d: %s (in %s, %s:%d)\n", ctx->rank, mess, fun, file, line);
  fflush(stderr);
  return n;
}

int main(int argc, char **argv)
{
  const char    *verb;
  const char    *pos[2] = {NULL, NULL};
  int            npos = 0, nargc = 1;
  char         **nargv;
  PetscErrorCode ierr;
  MrErrCtx       ectx = {0};

  if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help") || !strcmp(argv[1], "-help")) {
    fputs(usage, stdout);
    return argc < 2 ? 1 : 0;
  }
  verb = argv[1];
  /* positional words after the verb (a generator name, file names) are not PETSc options */
  nargv    = (char **)calloc((size_t)argc + 1, sizeof(char *));
  nargv[0] = argv[0];
  for (int i = 2; i < argc; i++) {
    if (argv[i][0] != '-' && npos < 2 && nargc == 1)
      pos[npos++] = argv[i];
    else
      nargv[nargc++] = argv[i];
  }
  /* Open MPI 4.1's sharedfp/lockedfile component overflows a 256-byte buffer (and
     aborts) when a file opened with MPI-IO has a name longer than about 240
     characters; mrdyn uses no shared file pointers. A user's own setting is kept. */
  setenv("OMPI_MCA_sharedfp", "^lockedfile", 0);
  ierr = PetscInitialize(&nargc, &nargv, NULL, usage);
  if (ierr) {
    fprintf(stderr, "mrdyn: error: initialisation failed (bad option file?)\n");
    return 1;
  }
  /* output to a closed pipe (`mrdyn ... | head`) must not stop the run */
  if (MrSignalsSetUpOutput()) {
    PetscFinalize();
    return 1;
  }
  ectx.world = PETSC_COMM_WORLD;
  MPI_Comm_rank(ectx.world, &ectx.rank);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* HDF5 failures are reported by our checks */
  PetscPushErrorHandler(MrErrorHandler, &ectx);
  ierr = MrRunVerb(ectx.world, verb, npos, pos);
  if (ierr) {
    if (!ectx.collective) MPI_Abort(ectx.world, 1);
    PetscPopErrorHandler();
    PetscFinalize();
    free(nargv);
    return ierr == MR_ERR_STOPPED ? MR_EXIT_STOPPED : 1;
  }
  PetscPopErrorHandler();
  ierr = PetscFinalize();
  free(nargv);
  return ierr ? 1 : 0;
}
