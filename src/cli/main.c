/* mrdyn: one program, several verbs. The only place that sees MPI_COMM_WORLD. */
#include <mrdyn/mrdyn.h>
#include "verbs.h"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <yaml.h>
#include <sys/stat.h>

static const char usage[] = "mrdyn: multiregion recurrent networks and their mean-field theory\n"
                            "usage:\n"
                            "  mrdyn model NAME [options] -o model.h5     build a model file (NAME: paper, random, graph, from, weights)\n"
                            "  mrdyn simulate -model model.h5 -o run.h5   finite-N network on MPI\n"
                            "  mrdyn dmft -model model.h5 -o mf.h5        mean-field theory (two-point DMFT, stationary theory)\n"
                            "  mrdyn compare run.h5 mf.h5 [-tol T]        simulation against theory\n"
                            "  mrdyn sweep SWEEP.yaml                     many runs in one MPI job (or a SLURM array)\n"
                            "  mrdyn spectrum -model model.h5 -o spec.h5  eigenvalues of one realisation's connectivity (LAPACK, ScaLAPACK; -outliers K: SLEPc)\n"
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

/* Where a YAML text fails to parse: "PROBLEM at line L, column C" (libyaml's words). */
static void MrYamlWhere(const char *path, const char *text, char *buf, size_t len)
{
  yaml_parser_t   p;
  yaml_document_t doc;
  FILE           *f = NULL;

  buf[0] = 0;
  if (!yaml_parser_initialize(&p)) return;
  if (path) {
    if (!(f = fopen(path, "rb"))) {
      yaml_parser_delete(&p);
      return;
    }
    yaml_parser_set_input_file(&p, f);
  } else
    yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
  for (;;) {
    yaml_node_t *root;
    if (!yaml_parser_load(&p, &doc)) {
      snprintf(buf, len, "%s at line %lu, column %lu", p.problem ? p.problem : "malformed YAML", (unsigned long)p.problem_mark.line + 1, (unsigned long)p.problem_mark.column + 1);
      break;
    }
    root = yaml_document_get_root_node(&doc);
    yaml_document_delete(&doc);
    if (!root) break;
  }
  yaml_parser_delete(&p);
  if (f) fclose(f);
}

/* The first error message of a PETSc call made while the sandbox is checking. */
static PetscErrorCode MrQuietHandler(MPI_Comm comm, int line, const char *fun, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  char *buf = (char *)ctx;
  if (p == PETSC_ERROR_INITIAL && !buf[0]) snprintf(buf, 512, "%s", mess && mess[0] ? mess : "unknown error");
  return n;
}

/* What makes PetscInitialize read option files or strings (on rank 0, before any
   error handler of ours exists, ending that rank alone after a page of PETSc's report). */
static int MrHasOptionSources(int argc, char **argv)
{
  const char *home = getenv("HOME");
  char        rc[4096];
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "-options_file") || !strcmp(argv[i], "-options_file_yaml") || !strcmp(argv[i], "-options_string_yaml") || !strcmp(argv[i], "-prefix_push") || !strcmp(argv[i], "-prefix_pop")) return 1;
  if (getenv("PETSC_OPTIONS") || getenv("PETSC_OPTIONS_YAML")) return 1;
  if (!access(".petscrc", F_OK) || !access("petscrc", F_OK)) return 1;
  if (home && snprintf(rc, sizeof(rc), "%s/.petscrc", home) < (int)sizeof(rc) && !access(rc, F_OK)) return 1;
  return 0;
}

/* Rank 0 alone, before the real initialisation: reads every option source the way
   PetscInitialize will (the same PETSc functions, into a scratch database, in a
   PETSc of MPI_COMM_SELF) and says in msg what is wrong with the first bad one. */
static void MrCheckOptionSources(int argc, char **argv, char *msg, size_t len)
{
  char         err[512] = "", where[256] = "", *envo = NULL, *envy = NULL;
  int          sargc   = 2;
  char        *sargs[] = {argv[0], (char *)"-skip_petscrc", NULL}, **sargv = sargs;
  PetscOptions o      = NULL;
  PetscBool    skiprc = PETSC_FALSE;

  msg[0] = 0;
  /* the sandbox itself must not read them: PETSc's own report would come first */
  if (getenv("PETSC_OPTIONS")) envo = strdup(getenv("PETSC_OPTIONS"));
  if (getenv("PETSC_OPTIONS_YAML")) envy = strdup(getenv("PETSC_OPTIONS_YAML"));
  unsetenv("PETSC_OPTIONS");
  unsetenv("PETSC_OPTIONS_YAML");
  PETSC_COMM_WORLD = MPI_COMM_SELF;
  if (PetscInitialize(&sargc, &sargv, NULL, NULL)) {
    snprintf(msg, len, "PETSc could not be initialised");
    goto restore;
  }
  PetscPushErrorHandler(MrQuietHandler, err);
  if (PetscOptionsCreate(&o)) goto done;
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "-skip_petscrc")) skiprc = PETSC_TRUE;
  if (!skiprc) {
    const char *home = getenv("HOME");
    char        rc[4096];
    if (home && snprintf(rc, sizeof(rc), "%s/.petscrc", home) < (int)sizeof(rc) && PetscOptionsInsertFile(PETSC_COMM_SELF, o, rc, PETSC_FALSE)) {
      snprintf(msg, len, "the options file '%.900s': %s", rc, err);
      goto done;
    }
    if (PetscOptionsInsertFile(PETSC_COMM_SELF, o, ".petscrc", PETSC_FALSE) || PetscOptionsInsertFile(PETSC_COMM_SELF, o, "petscrc", PETSC_FALSE)) {
      snprintf(msg, len, "the options file .petscrc or petscrc in the working directory: %s", err);
      goto done;
    }
  }
  if (envo && PetscOptionsInsertString(o, envo)) {
    snprintf(msg, len, "the environment variable PETSC_OPTIONS: %s", err);
    goto done;
  }
  if (envy && PetscOptionsInsertStringYAML(o, envy)) {
    MrYamlWhere(NULL, envy, where, sizeof(where));
    snprintf(msg, len, "the environment variable PETSC_OPTIONS_YAML: %s", where[0] ? where : err);
    goto done;
  }
  for (int i = 1; i < argc && !msg[0]; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    int         file = !strcmp(a, "-options_file"), yfile = !strcmp(a, "-options_file_yaml"), ystr = !strcmp(a, "-options_string_yaml");
    if (!strcmp(a, "-prefix_push")) {
      if (!v || v[0] == '-' || PetscOptionsPrefixPush(o, v)) snprintf(msg, len, "-prefix_push %s: %s", v ? v : "", v && v[0] != '-' ? err : "needs a prefix");
      i++;
    } else if (!strcmp(a, "-prefix_pop")) {
      if (PetscOptionsPrefixPop(o)) snprintf(msg, len, "-prefix_pop: %s", err);
    } else if (file || yfile || ystr) {
      struct stat st;
      if (!v || (v[0] == '-' && !ystr)) {
        snprintf(msg, len, "%s needs a %s", a, ystr ? "YAML string" : "file name");
        break;
      }
      i++;
      if (!ystr && stat(v, &st) != 0) {
        snprintf(msg, len, "%s '%s': the file does not exist", a, v);
        break;
      }
      if (!ystr && !S_ISREG(st.st_mode)) {
        snprintf(msg, len, "%s '%s': not a regular file", a, v);
        break;
      }
      if (!ystr && access(v, R_OK) != 0) {
        snprintf(msg, len, "%s '%s': the file cannot be read", a, v);
        break;
      }
      err[0] = 0;
      if (file ? PetscOptionsInsertFile(PETSC_COMM_SELF, o, v, PETSC_TRUE) : yfile ? PetscOptionsInsertFileYAML(PETSC_COMM_SELF, o, v, PETSC_TRUE) : PetscOptionsInsertStringYAML(o, v)) {
        if (strstr(err, "YAML parser"))
          MrYamlWhere(ystr ? NULL : v, ystr ? v : NULL, where, sizeof(where));
        else if (strstr(err, "Unsupported YAML"))
          snprintf(where, sizeof(where), "%s (the file must map option names to values)", err);
        if (ystr)
          snprintf(msg, len, "-options_string_yaml: %s", where[0] ? where : err);
        else
          snprintf(msg, len, "%s '%s': %s", a, v, where[0] ? where : err);
      }
    }
  }
done:
  if (o) PetscOptionsDestroy(&o);
  PetscPopErrorHandler();
  PetscFinalize();
restore:
  PETSC_COMM_WORLD = MPI_COMM_WORLD;
  if (envo) setenv("PETSC_OPTIONS", envo, 1);
  if (envy) setenv("PETSC_OPTIONS_YAML", envy, 1);
  free(envo);
  free(envy);
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
     characters; mrdyn uses no shared file pointers. A user's own setting is kept.
     Set before MPI_Init, which reads the MCA parameters. */
  setenv("OMPI_MCA_sharedfp", "^lockedfile", 0);
  /* MPI first, so that a bad option file is found on rank 0 and refused by every rank
     with one line, before PetscInitialize reads it */
  {
    int  provided, wrank, bad;
    char msg[1024] = "";
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &wrank);
    if (MrHasOptionSources(nargc, nargv)) {
      if (wrank == 0) MrCheckOptionSources(nargc, nargv, msg, sizeof(msg));
      (void)MPI_Bcast(msg, (int)sizeof(msg), MPI_CHAR, 0, MPI_COMM_WORLD);
    }
    if (!msg[0]) {
      ierr = PetscInitialize(&nargc, &nargv, NULL, usage);
      bad  = ierr != 0;
      MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
      if (bad && !ierr) PetscFinalize();
      if (bad) snprintf(msg, sizeof(msg), "PETSc could not be initialised");
    }
    if (msg[0]) {
      if (wrank == 0) fprintf(stderr, "mrdyn: error: %s\n", msg);
      free(nargv);
      MPI_Finalize();
      return 1;
    }
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
    MPI_Finalize();
    free(nargv);
    return ierr == MR_ERR_STOPPED ? MR_EXIT_STOPPED : 1;
  }
  PetscPopErrorHandler();
  ierr = PetscFinalize();
  MPI_Finalize();
  free(nargv);
  return ierr ? 1 : 0;
}
