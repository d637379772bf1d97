/* `mrdyn sweep`: members on sub-communicators, member files, the summary table. */
#include "sweep_impl.h"
#include "../util/util.h"
#include <mrdyn/layout.h>
#include <mrdyn/network.h>
#include <mrdyn/dmft.h>
#include <math.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Member runs print nothing on stdout unless -sweep_verbose (errors go to stderr). */
static PetscErrorCode MrVFPrintfQuiet(FILE *fd, const char fmt[], va_list ap)
{
  if (fd != PETSC_STDOUT) (void)vfprintf(fd, fmt, ap);
  return PETSC_SUCCESS;
}

/* Records the first error message of a member instead of printing it. */
typedef struct {
  char      msg[1024];
  PetscBool set, verbose;
} MrMemberError;

static PetscErrorCode MrMemberErrorHandler(MPI_Comm comm, int line, const char *fun, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *vctx)
{
  MrMemberError *e = (MrMemberError *)vctx;
  if (p == PETSC_ERROR_INITIAL && !e->set) {
    (void)PetscSNPrintf(e->msg, sizeof(e->msg), "%s%s", mess && mess[0] ? mess : "error", n == MR_ERR_INPUT || n == MR_ERR_STOPPED ? "" : " (internal error)");
    e->set = PETSC_TRUE;
  }
  return n;
}

static PetscErrorCode MrSetOption(PetscOptions o, const char key[], const char value[])
{
  char name[256];

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(name, sizeof(name), "-%s", key));
  PetscCall(PetscOptionsSetValue(o, name, value));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The options database of one stage (0: generator, 1: verb) of member m. */
static PetscErrorCode MrSweepOptions(MrSweep sw, PetscInt m, int target, PetscOptions *o)
{
  PetscInt nb = target ? sw->nopt : sw->nmodel;
  char   **k = target ? sw->optKey : sw->modelKey, **v = target ? sw->optVal : sw->modelVal;

  PetscFunctionBegin;
  PetscCall(PetscOptionsCreate(o));
  for (PetscInt i = 0; i < nb; i++) PetscCall(MrSetOption(*o, k[i], v[i]));
  for (PetscInt p = 0; p < sw->npar; p++)
    if (sw->par[p].target == target) PetscCall(MrSetOption(*o, sw->par[p].name, MrSweepValue(sw, p, m)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Runs one stage under its own options database; input errors come back in *status. */
static PetscErrorCode MrSweepStage(MrSweep sw, MPI_Comm g, PetscOptions o, int stage, MrMemberError *err, PetscErrorCode *status)
{
  PetscErrorCode (*printf0)(FILE *, const char[], va_list) = PetscVFPrintf;

  PetscFunctionBegin;
  PetscCall(PetscOptionsPush(o));
  PetscCall(PetscPushErrorHandler(MrMemberErrorHandler, err));
  if (!err->verbose) PetscVFPrintf = MrVFPrintfQuiet;
  if (stage == 0)
    *status = MrModelVerb(g, sw->generator);
  else if (!strcmp(sw->verb, "dmft"))
    *status = MrDmftVerb(g);
  else
    *status = MrSimulate(g);
  PetscVFPrintf = printf0;
  PetscCall(PetscPopErrorHandler());
  PetscCall(PetscOptionsPop());
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Serial reading of a (nt, C) or (nt, T, C) series (trial 0); NULL when missing. */
static PetscErrorCode MrReadSeries(hid_t f, const char name[], PetscInt *nt, PetscInt *C, PetscReal **data)
{
  int     rank;
  hsize_t dims[4];
  char    msg[256];
  void   *raw;

  PetscFunctionBegin;
  *data = NULL;
  PetscCall(MrH5ReadDataset(f, name, H5T_NATIVE_DOUBLE, &rank, dims, &raw, msg, sizeof(msg)));
  if (!raw) PetscFunctionReturn(PETSC_SUCCESS);
  *nt = (PetscInt)dims[0];
  *C  = rank == 1 ? 1 : (PetscInt)dims[rank - 1];
  PetscCall(PetscMalloc1(*nt * *C + 1, data));
  for (PetscInt t = 0; t < *nt; t++) /* trial 0 of a trial axis */
    for (PetscInt c = 0; c < *C; c++) (*data)[t * *C + c] = ((double *)raw)[rank == 3 ? (hsize_t)t * dims[1] * dims[2] + (hsize_t)c : (hsize_t)(t * *C + c)];
  free(raw);
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscBool MrH5ReadAttrReal(hid_t obj, const char name[], PetscReal *v)
{
  double    x;
  PetscBool ok;
  /* one number only: H5Aread of an array attribute would write past x */
  if (MrH5GetAttrReal(obj, name, &x, &ok) || !ok) return PETSC_FALSE;
  *v = x;
  return PETSC_TRUE;
}

/* The record of a member from its series of currents (classified here), its last
   state and, when classified, its labels. Takes ownership of nothing. */
static PetscErrorCode MrRecordFromSeries(MrSweep sw, PetscInt m, PetscInt nt, PetscInt C, const PetscReal S[], PetscReal dt, PetscInt R, const PetscReal var[], const PetscReal psi[], const int label[], const PetscInt target[],
                                         const PetscInt source[], PetscReal wall, MrMemberRecord *rec)
{
  MrDynamics dyn;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(rec, sizeof(*rec)));
  rec->member = m;
  PetscCall(MrSweepMemberName(sw, m, rec->name, sizeof(rec->name)));
  PetscCall(MrClassifyCurrents(nt, C, S, dt, sw->window, &dyn));
  rec->code      = dyn.cls;
  rec->amplitude = dyn.amplitude;
  rec->level     = dyn.level;
  rec->peak      = dyn.peak;
  rec->period    = dyn.period;
  rec->wall      = wall;
  rec->C         = C;
  rec->R         = R;
  rec->S         = (double *)malloc((size_t)C * 8 + 8);
  rec->target    = (long long *)malloc((size_t)C * 8 + 8);
  rec->source    = (long long *)malloc((size_t)C * 8 + 8);
  rec->var       = (double *)malloc((size_t)R * 8 + 8);
  rec->psi       = (double *)malloc((size_t)R * 8 + 8);
  for (PetscInt c = 0; c < C; c++) {
    rec->S[c]      = S[(nt - 1) * C + c];
    rec->target[c] = target ? target[c] : -1;
    rec->source[c] = source ? source[c] : -1;
  }
  for (PetscInt r = 0; r < R; r++) {
    rec->var[r] = var[r];
    rec->psi[r] = psi[r];
  }
  if (label) {
    rec->label = (int *)malloc((size_t)R * 4 + 4);
    for (PetscInt r = 0; r < R; r++) rec->label[r] = label[r] >= 0 && label[r] < MR_NUM_LABELS ? label[r] : MR_LABEL_INVALID; /* read back from a file: they index tables */
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Rank 0 of a member's group: the record of a run from its output file (msg set
   when the file does not have what a member needs). fin stays open for copies. */
static PetscErrorCode MrRecordFromRun(MrSweep sw, PetscInt m, hid_t fin, MrMemberRecord *rec, char msg[], size_t len)
{
  PetscInt   nt = 0, C = 0, ntm = 0, ntv = 0, R = 0, ntp = 0, Rp = 0, *tg = NULL, *sc = NULL;
  PetscReal *S = NULL, *tm = NULL, *var = NULL, *psi = NULL, wall = NAN;
  int        rank, *label = NULL;
  hsize_t    dims[4];
  void      *raw;

  PetscFunctionBegin;
  msg[0] = 0;
  PetscCall(MrReadSeries(fin, "/currents", &nt, &C, &S));
  PetscCall(MrReadSeries(fin, "/time", &ntm, &R, &tm));
  PetscCall(MrReadSeries(fin, "/variance", &ntv, &R, &var));
  PetscCall(MrReadSeries(fin, "/psi", &ntp, &Rp, &psi));
  if (!S || !tm || !var || !psi || nt < 2 || ntm != nt || Rp != R) {
    PetscCall(PetscSNPrintf(msg, len, "the run output has no time series of the currents (needs -mode twopoint for dmft)"));
  } else {
    (void)MrH5ReadAttrReal(fin, "wall_seconds", &wall);
    PetscCall(MrH5ReadDataset(fin, "/classification/code", H5T_NATIVE_INT, &rank, dims, &raw, msg, len));
    msg[0] = 0;
    if (raw && dims[0] == (hsize_t)R)
      label = (int *)raw;
    else
      free(raw);
    PetscCall(MrH5ReadDataset(fin, "/channel/target", H5T_NATIVE_LLONG, &rank, dims, &raw, msg, len));
    msg[0] = 0;
    if (raw && dims[0] == (hsize_t)C) {
      PetscCall(PetscMalloc2(C, &tg, C, &sc));
      for (PetscInt c = 0; c < C; c++) tg[c] = (PetscInt)((long long *)raw)[c];
      free(raw);
      PetscCall(MrH5ReadDataset(fin, "/channel/source", H5T_NATIVE_LLONG, &rank, dims, &raw, msg, len));
      msg[0] = 0;
      for (PetscInt c = 0; c < C && raw; c++) sc[c] = dims[0] == (hsize_t)C ? (PetscInt)((long long *)raw)[c] : -1;
    }
    free(raw);
    PetscCall(MrRecordFromSeries(sw, m, nt, C, S, tm[1] - tm[0], R, var + (ntv - 1) * R, psi + (ntp - 1) * R, label, tg, sc, wall, rec));
    PetscCall(PetscFree2(tg, sc));
    free(label);
  }
  PetscCall(PetscFree(S));
  PetscCall(PetscFree(tm));
  PetscCall(PetscFree(var));
  PetscCall(PetscFree(psi));
  PetscFunctionReturn(PETSC_SUCCESS);
}

typedef enum { MR_MEMBER_DONE, MR_MEMBER_FAILED, MR_MEMBER_STOPPED } MrMemberStatus;

/* In-memory members: a dmft member whose files would hold nothing but the record
   (keep: none) runs without model or run files. */
static PetscBool MrSweepInMemory(MrSweep sw) { return (PetscBool)(!strcmp(sw->verb, "dmft") && sw->nkeep == 0); }

typedef struct {
  MrSweep       sw;
  MPI_Comm      g;
  PetscInt      m;
  MrModel       model;
  MrDmftOptions opt;
  PetscBool     optRead;
  MrInputs      inputs;
  PetscBool     inputsSet;
} MrMemoryMember;

static PetscErrorCode MrMemoryGenerate(MrMemoryMember *mm)
{
  PetscFunctionBegin;
  PetscCall(MrModelGenerate(mm->g, mm->sw->generator, &mm->model));
  PetscCall(MrCheckUnusedOptions(mm->g, NULL));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode MrMemoryOptions(MrMemoryMember *mm)
{
  PetscFunctionBegin;
  PetscCall(MrDmftOptionsRead(mm->g, &mm->opt));
  mm->optRead = PETSC_TRUE;
  PetscCall(MrDmftOptionsCheckModel(mm->g, &mm->opt, mm->model));
  MrCheckInput(mm->g, mm->opt.mode == 0 && mm->opt.batch == 1, "sweep: dmft members are single two-point solves (-mode twopoint, no -batch)");
  PetscCall(MrInputsParse(mm->g, mm->opt.input, mm->model->R, &mm->inputs));
  mm->inputsSet = PETSC_TRUE;
  PetscCall(MrDmftOptionsCheckUnused(mm->g));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Runs fn under the options database o (errors come back in *status, the database is popped in any case). */
static PetscErrorCode MrWithOptions(PetscOptions o, PetscErrorCode (*fn)(MrMemoryMember *), MrMemoryMember *mm, PetscErrorCode *status)
{
  PetscFunctionBegin;
  PetscCall(PetscOptionsPush(o));
  *status = fn(mm);
  PetscCall(PetscOptionsPop());
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The in-memory member: the record on every rank of g; input errors in *status. */
static PetscErrorCode MrSweepRunInMemory(MrSweep sw, MPI_Comm g, PetscInt m, MrMemberError *err, MrMemberRecord *rec, PetscErrorCode *status)
{
  MrMemoryMember mm;
  PetscOptions   o;
  PetscErrorCode (*printf0)(FILE *, const char[], va_list) = PetscVFPrintf;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(&mm, sizeof(mm)));
  mm.sw = sw;
  mm.g  = g;
  mm.m  = m;
  PetscCall(PetscPushErrorHandler(MrMemberErrorHandler, err));
  if (!err->verbose) PetscVFPrintf = MrVFPrintfQuiet;
  if (sw->generator[0]) {
    PetscCall(MrSweepOptions(sw, m, 0, &o));
    PetscCall(MrWithOptions(o, MrMemoryGenerate, &mm, status));
    PetscCall(PetscOptionsDestroy(&o));
  } else
    *status = MrModelLoad(g, sw->modelFile, &mm.model);
  if (!*status) {
    PetscCall(MrSweepOptions(sw, m, 1, &o));
    PetscCall(MrWithOptions(o, MrMemoryOptions, &mm, status));
    PetscCall(PetscOptionsDestroy(&o));
  }
  if (!*status) {
    MrDmftResult res;
    mm.opt.keepSeries = PETSC_TRUE;
    *status           = MrDmftTwoPoint(g, mm.model, &mm.opt, &mm.inputs, NULL, &res);
    if (!*status) {
      int *label = NULL;
      if (mm.opt.classify) {
        PetscCall(PetscMalloc1(mm.model->R, &label));
        for (PetscInt r = 0; r < mm.model->R; r++) label[r] = (int)res.label[r];
      }
      PetscCall(MrRecordFromSeries(sw, m, res.nt, mm.model->C, res.series, res.dtSaved, mm.model->R, res.variance, res.psi, label, mm.model->target, mm.model->source, res.wall, rec));
      PetscCall(PetscFree(label));
      PetscCall(MrDmftResultDestroy(&res));
    }
  }
  PetscVFPrintf = printf0;
  PetscCall(PetscPopErrorHandler());
  if (mm.inputsSet) PetscCall(MrInputsDestroy(&mm.inputs));
  if (mm.optRead) PetscCall(MrDmftOptionsDestroy(&mm.opt));
  if (mm.model) PetscCall(MrModelDestroy(&mm.model));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* One member on group communicator g; its record goes to a member file or to the journal j. */
static PetscErrorCode MrSweepMember(MrSweep sw, MPI_Comm g, PetscInt m, PetscBool verbose, MrJournal *j, MrMemberStatus *st, char why[], size_t wlen)
{
  char           name[64], file[PETSC_MAX_PATH_LEN], run[PETSC_MAX_PATH_LEN], model[PETSC_MAX_PATH_LEN] = "", failed[PETSC_MAX_PATH_LEN + 16];
  PetscOptions   o;
  MrMemberError  err    = {"", PETSC_FALSE, verbose};
  PetscErrorCode status = 0;
  PetscMPIInt    grank;
  int            code;
  MrMemberRecord rec;
  PetscBool      mem = MrSweepInMemory(sw);

  PetscFunctionBegin;
  PetscCall(PetscMemzero(&rec, sizeof(rec)));
  PetscCallMPI(MPI_Comm_rank(g, &grank));
  PetscCall(MrSweepMemberName(sw, m, name, sizeof(name)));
  PetscCall(PetscSNPrintf(file, sizeof(file), "%s/%s", sw->outdir, name));
  PetscCall(PetscSNPrintf(failed, sizeof(failed), "%s.failed", file));
  PetscCall(PetscSNPrintf(run, sizeof(run), "%s/.tmp/%s.run.h5", sw->outdir, name));
  if (mem)
    PetscCall(MrSweepRunInMemory(sw, g, m, &err, &rec, &status));
  else {
    if (sw->generator[0]) {
      PetscCall(PetscSNPrintf(model, sizeof(model), "%s/.tmp/%s.model.h5", sw->outdir, name));
      PetscCall(MrSweepOptions(sw, m, 0, &o));
      PetscCall(PetscOptionsSetValue(o, "-o", model));
      PetscCall(PetscOptionsSetValue(o, "-force", "1"));
      PetscCall(MrSweepStage(sw, g, o, 0, &err, &status));
      PetscCall(PetscOptionsDestroy(&o));
    }
    if (!status) {
      PetscCall(MrSweepOptions(sw, m, 1, &o));
      PetscCall(PetscOptionsSetValue(o, "-model", model[0] ? model : sw->modelFile));
      PetscCall(PetscOptionsSetValue(o, "-o", run));
      PetscCall(PetscOptionsSetValue(o, "-force", "1"));
      PetscCall(PetscOptionsSetValue(o, "-progress", "0"));
      PetscCall(MrSweepStage(sw, g, o, 1, &err, &status));
      PetscCall(PetscOptionsDestroy(&o));
    }
  }
  if (status && status != MR_ERR_INPUT && status != MR_ERR_STOPPED) {
    (void)fprintf(stderr, "mrdyn sweep: member %" PetscInt_FMT " (%s): %s\n", m, name, err.msg);
    PetscCall(status); /* not an input error: may be one rank's, so the job stops */
  }
  code = status == MR_ERR_STOPPED ? 2 : status ? 1 : 0;
  if (grank == 0) {
    char msg[1024] = "";
    if (!code) {
      hid_t fin = -1;
      if (!mem) {
        fin = H5Fopen(run, H5F_ACC_RDONLY, H5P_DEFAULT);
        if (fin < 0)
          PetscCall(PetscSNPrintf(msg, sizeof(msg), "the run wrote no readable output"));
        else
          PetscCall(MrRecordFromRun(sw, m, fin, &rec, msg, sizeof(msg)));
      }
      if (!msg[0]) {
        if (sw->memberFiles)
          PetscCall(MrMemberRecordWrite(sw, &rec, fin, model, file, msg, sizeof(msg)));
        else
          PetscCall(MrJournalAppend(sw, j, &rec, msg, sizeof(msg)));
      }
      if (fin >= 0) H5Fclose(fin);
    } else
      PetscCall(PetscStrncpy(msg, err.msg, sizeof(msg)));
    if (code == 0 && msg[0]) code = 1;
    if (code == 1) { /* a note for the summary; the member is retried when the sweep runs again */
      FILE *f = fopen(failed, "w");
      if (f) {
        fprintf(f, "%s\n", msg);
        fclose(f);
      }
      if (!why) (void)fprintf(stderr, "mrdyn sweep: member %" PetscInt_FMT " (%s) failed: %s\n", m, name, msg);
    } else if (code == 0 && access(failed, F_OK) == 0)
      (void)unlink(failed);
    if (!mem) {
      (void)unlink(run);
      if (model[0]) (void)unlink(model);
    }
  }
  PetscCall(MrMemberRecordFree(&rec));
  PetscCallMPI(MPI_Bcast(&code, 1, MPI_INT, 0, g));
  if (why) PetscCall(PetscStrncpy(why, err.msg, wlen)); /* input errors carry the same message on every rank */
  *st = code == 0 ? MR_MEMBER_DONE : code == 1 ? MR_MEMBER_FAILED : MR_MEMBER_STOPPED;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSweepRunMember(MrSweep sw, PetscInt m, const char out[], PetscBool force)
{
  char           model[PETSC_MAX_PATH_LEN + 16] = "";
  PetscOptions   o;
  MrMemberError  err    = {"", PETSC_FALSE, PETSC_TRUE};
  PetscErrorCode status = 0;

  PetscFunctionBegin;
  MrCheckInput(sw->comm, m >= 0 && m < sw->M, "-member %" PetscInt_FMT ": the sweep has members 0 .. %" PetscInt_FMT, m, sw->M - 1);
  PetscCall(MrOutputCheckPathInputs(sw->comm, out, (const char *const[]){sw->path, sw->modelFile, NULL}, force));
  if (sw->generator[0]) {
    size_t n;
    PetscCall(PetscStrncpy(model, out, sizeof(model)));
    PetscCall(PetscStrlen(model, &n));
    if (n > 3 && !strcmp(model + n - 3, ".h5")) model[n - 3] = 0;
    PetscCall(PetscStrlcat(model, "-model.h5", sizeof(model)));
    PetscCall(MrSweepOptions(sw, m, 0, &o));
    PetscCall(PetscOptionsSetValue(o, "-o", model));
    PetscCall(PetscOptionsSetValue(o, "-force", force ? "1" : "0"));
    PetscCall(MrSweepStage(sw, sw->comm, o, 0, &err, &status));
    PetscCall(PetscOptionsDestroy(&o));
  }
  if (!status) {
    PetscCall(MrSweepOptions(sw, m, 1, &o));
    PetscCall(PetscOptionsSetValue(o, "-model", model[0] ? model : sw->modelFile));
    PetscCall(PetscOptionsSetValue(o, "-o", out));
    PetscCall(PetscOptionsSetValue(o, "-force", force ? "1" : "0"));
    if (!strcmp(sw->verb, "dmft")) PetscCall(PetscOptionsSetValue(o, "-classify_early_stop", "0")); /* the whole run */
    PetscCall(MrSweepStage(sw, sw->comm, o, 1, &err, &status));
    PetscCall(PetscOptionsDestroy(&o));
  }
  MrCheckInput(sw->comm, status == 0, "member %" PetscInt_FMT ": %s", m, err.msg);
  PetscCall(PetscPrintf(sw->comm, "mrdyn sweep: member %" PetscInt_FMT " written to %s%s%s\n", m, out, model[0] ? " (its model: " : "", model[0] ? model : ""));
  if (model[0]) PetscCall(PetscPrintf(sw->comm, ")\n"));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode MrMakeDir(MPI_Comm comm, const char dir[])
{
  PetscMPIInt rank;
  char        msg[512] = "", path[PETSC_MAX_PATH_LEN];
  PetscBool   ok       = PETSC_TRUE;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    PetscCall(PetscStrncpy(path, dir, sizeof(path)));
    for (char *p = path + 1; *p; p++) /* mkdir -p */
      if (*p == '/') {
        *p = 0;
        (void)mkdir(path, 0777);
        *p = '/';
      }
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
      ok = PETSC_FALSE;
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "cannot create the sweep directory '%s': %s", dir, strerror(errno)));
    } else if (access(path, W_OK) != 0) {
      ok = PETSC_FALSE;
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "the sweep directory '%s' is not writable", dir));
    }
  }
  PetscCall(MrShareStatus(comm, ok, msg));
  PetscFunctionReturn(PETSC_SUCCESS);
}

typedef struct {
  PetscInt  m;
  PetscReal cost;
} MrJob;
static int MrJobCmp(const void *a, const void *b)
{
  const MrJob *x = (const MrJob *)a, *y = (const MrJob *)b;
  if (x->cost != y->cost) return x->cost < y->cost ? 1 : -1;
  return x->m < y->m ? -1 : x->m > y->m;
}

PetscErrorCode MrSweepRun(MrSweep sw, PetscInt first, PetscInt last, PetscInt k, const char summary[], PetscBool verbose)
{
  MPI_Comm       g;
  PetscMPIInt    rank;
  PetscInt       group, ngroups, n = last - first, npend = 0, nmine = 0, ndone = 0, nfail = 0;
  char          *done, tmp[PETSC_MAX_PATH_LEN + 8];
  MrJob         *job;
  PetscReal     *load;
  PetscInt      *owner;
  int            stopped = 0, anyStop;
  PetscLogDouble t0, now, lastPrint;
  MrJournal      journal = NULL; /* opened by the first record this process writes */

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(sw->comm, &rank));
  PetscCall(MrMakeDir(sw->comm, sw->outdir));
  PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s/.tmp", sw->outdir));
  PetscCall(MrMakeDir(sw->comm, tmp));
  /* which members are complete: rank 0 looks, everyone gets the same list */
  PetscCall(PetscCalloc1(n + 1, &done));
  if (rank == 0) {
    PetscInt        nrec;
    MrMemberRecord *recs;
    PetscCall(MrJournalReadAll(sw, &nrec, &recs));
    for (PetscInt i = 0; i < n; i++) {
      char name[64], file[PETSC_MAX_PATH_LEN];
      PetscCall(MrSweepMemberName(sw, first + i, name, sizeof(name)));
      PetscCall(PetscSNPrintf(file, sizeof(file), "%s/%s", sw->outdir, name));
      done[i] = (char)(MrJournalFind(nrec, recs, name) || access(file, F_OK) == 0);
    }
    for (PetscInt i = 0; i < nrec; i++) PetscCall(MrMemberRecordFree(&recs[i]));
    free(recs);
  }
  PetscCallMPI(MPI_Bcast(done, (int)n, MPI_CHAR, 0, sw->comm));
  PetscCall(PetscMalloc1(n + 1, &job));
  for (PetscInt i = 0; i < n; i++)
    if (!done[i]) {
      job[npend].m    = first + i;
      job[npend].cost = MrSweepCost(sw, first + i);
      npend++;
    }
  /* longest first onto the least loaded group: the same assignment on every rank */
  PetscCall(MrCommSplitGroups(sw->comm, k, &g, &group, &ngroups));
  qsort(job, (size_t)npend, sizeof(MrJob), MrJobCmp);
  PetscCall(PetscCalloc2(ngroups, &load, npend + 1, &owner));
  for (PetscInt j = 1; j < npend; j++) { /* job 0 runs first on every rank */
    PetscInt best = 0;
    for (PetscInt q = 1; q < ngroups; q++)
      if (load[q] < load[best]) best = q;
    owner[j] = best;
    load[best] += job[j].cost;
    if (best == group) nmine++;
  }
  PetscCall(PetscPrintf(sw->comm, "mrdyn sweep %s: %" PetscInt_FMT " members in [%" PetscInt_FMT ", %" PetscInt_FMT "), %" PetscInt_FMT " complete, %" PetscInt_FMT " to run on %" PetscInt_FMT " groups of %" PetscInt_FMT " rank(s); files in %s/\n",
                        sw->path, n, first, last, n - npend, npend, ngroups, k, sw->outdir));
  PetscCall(PetscTime(&t0));
  lastPrint = t0;
  PetscCall(MrSignalsInstall());
  if (npend) {
    /* the costliest member first, on every rank: a setting shared by all members
       that is wrong stops the sweep here with one message */
    MrMemberStatus st;
    char           why[1024] = "";
    PetscCall(MrSweepMember(sw, sw->comm, job[0].m, verbose, &journal, &st, why, sizeof(why)));
    if (st == MR_MEMBER_FAILED) {
      PetscCall(MrSignalsRestore());
      PetscCall(MrCommFree(&g));
      PetscCall(MrJournalClose(&journal));
      MrCheckInput(sw->comm, PETSC_FALSE, "sweep stopped: its first member (%" PetscInt_FMT ") failed: %s", job[0].m, why[0] ? why : "see its .failed file");
    }
    {
      int sig = st == MR_MEMBER_STOPPED || MrSignalPending();
      PetscCallMPI(MPI_Allreduce(&sig, &stopped, 1, MPI_INT, MPI_MAX, sw->comm));
    }
    ndone    = rank == 0;
    owner[0] = -1;
  }
  if (group >= 0) {
    PetscMPIInt grank;
    PetscCallMPI(MPI_Comm_rank(g, &grank));
    for (PetscInt j = 0; j < npend && !stopped; j++) {
      MrMemberStatus st = MR_MEMBER_FAILED;
      int            sig, agreed;
      if (owner[j] != group) continue;
      PetscCall(MrSweepMember(sw, g, job[j].m, verbose, &journal, &st, NULL, 0));
      ndone++;
      nfail += st == MR_MEMBER_FAILED && grank == 0;
      /* a stop request ends this group after the member (groups run independently) */
      sig = MrSignalPending() || st == MR_MEMBER_STOPPED;
      PetscCallMPI(MPI_Allreduce(&sig, &agreed, 1, MPI_INT, MPI_MAX, g));
      if (grank) ndone--; /* count each member once, on its group's first rank */
      stopped = agreed;
      PetscCall(PetscTime(&now));
      if (rank == 0 && now - lastPrint > 5.0) { /* group 0's progress stands for all */
        PetscReal rate = ndone / (now - t0);
        PetscCall(PetscFPrintf(PETSC_COMM_SELF, PETSC_STDOUT, "  %" PetscInt_FMT " / %" PetscInt_FMT " members of group 0 (%.1f members/s per group, ~%.1f in all)  ETA %.0f s\n", ndone, nmine, (double)rate, (double)(rate * ngroups),
                               (double)((nmine - ndone) / PetscMax(rate, 1e-12))));
        lastPrint = now;
      }
    }
  }
  PetscCall(MrSignalsRestore());
  PetscCall(MrCommFree(&g));
  PetscCall(MrJournalClose(&journal));
  {
    PetscInt loc[2] = {ndone, nfail}, tot[2];
    PetscCallMPI(MPI_Allreduce(loc, tot, 2, MPIU_INT, MPI_SUM, sw->comm));
    PetscCallMPI(MPI_Allreduce(&stopped, &anyStop, 1, MPI_INT, MPI_MAX, sw->comm));
    PetscCall(PetscTime(&now));
    PetscCall(PetscPrintf(sw->comm, "mrdyn sweep: ran %" PetscInt_FMT " members in %.3g s (%" PetscInt_FMT " failed)%s\n", tot[0], now - t0, tot[1], anyStop ? "; stopped on a signal" : ""));
    nfail = tot[1];
  }
  PetscCall(PetscFree(done));
  PetscCall(PetscFree(job));
  PetscCall(PetscFree2(load, owner));
  PetscCall(MrSweepSummary(sw, first, last, summary));
  PetscCheck(!anyStop, sw->comm, MR_ERR_STOPPED, "sweep stopped by a signal: the summary lists what is done; run the same command again to continue");
  MrCheckInput(sw->comm, nfail == 0, "%" PetscInt_FMT " member(s) failed (their messages are above and in <member>.failed files; the summary lists them)", nfail);
  PetscFunctionReturn(PETSC_SUCCESS);
}
