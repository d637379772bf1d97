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

static PetscErrorCode MrH5Copy(hid_t src, const char name[], hid_t dst, const char as[])
{
  hid_t lcpl;

  PetscFunctionBegin;
  PetscCallH5(lcpl = H5Pcreate(H5P_LINK_CREATE));
  PetscCallH5(H5Pset_create_intermediate_group(lcpl, 1));
  PetscCallH5(H5Ocopy(src, name, dst, as, H5P_DEFAULT, lcpl));
  PetscCallH5(H5Pclose(lcpl));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscBool MrH5ReadAttrReal(hid_t obj, const char name[], PetscReal *v)
{
  hid_t  a;
  double x;
  herr_t e;
  if (H5Aexists(obj, name) <= 0) return PETSC_FALSE;
  a = H5Aopen(obj, name, H5P_DEFAULT);
  if (a < 0) return PETSC_FALSE;
  e = H5Aread(a, H5T_NATIVE_DOUBLE, &x);
  H5Aclose(a);
  if (e < 0) return PETSC_FALSE;
  *v = x;
  return PETSC_TRUE;
}

/* Rank 0 of a member's group: classify the run, write the member file from it. */
static PetscErrorCode MrSweepMemberFile(MrSweep sw, PetscInt m, const char run[], const char model[], const char file[], char msg[], size_t len)
{
  hid_t      fin, fo, fapl, g;
  PetscInt   nt = 0, C = 0, ntm = 0, ntv = 0, R = 0, ntp = 0, Rp = 0;
  PetscReal *S = NULL, *tm = NULL, *var = NULL, *psi = NULL, wall = NAN, dt;
  MrDynamics dyn;
  char       partial[PETSC_MAX_PATH_LEN + 16];
  hsize_t    d1;

  PetscFunctionBegin;
  msg[0] = 0;
  fin    = H5Fopen(run, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (fin < 0) {
    PetscCall(PetscSNPrintf(msg, len, "the run wrote no readable output"));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(MrReadSeries(fin, "/currents", &nt, &C, &S));
  PetscCall(MrReadSeries(fin, "/time", &ntm, &R, &tm));
  PetscCall(MrReadSeries(fin, "/variance", &ntv, &R, &var));
  PetscCall(MrReadSeries(fin, "/psi", &ntp, &Rp, &psi));
  if (!S || !tm || !var || !psi || nt < 2 || ntm != nt) {
    PetscCall(PetscSNPrintf(msg, len, "the run output has no time series of the currents (needs -mode twopoint for dmft)"));
    H5Fclose(fin);
    PetscCall(PetscFree(S));
    PetscCall(PetscFree(tm));
    PetscCall(PetscFree(var));
    PetscCall(PetscFree(psi));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  dt = tm[1] - tm[0];
  PetscCall(MrClassifyCurrents(nt, C, S, dt, sw->window, &dyn));
  (void)MrH5ReadAttrReal(fin, "wall_seconds", &wall);

  PetscCall(PetscSNPrintf(partial, sizeof(partial), "%s.partial", file));
  PetscCallH5(fapl = H5Pcreate(H5P_FILE_ACCESS));
  PetscCallH5(H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST));
  fo = H5Fcreate(partial, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  PetscCallH5(H5Pclose(fapl));
  PetscCheck(fo >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot create member file %s", partial);
  PetscCall(MrH5WriteAttrInt(fo, "member", m));
  PetscCall(MrH5WriteAttrString(fo, "sweep", sw->path));
  PetscCall(MrH5WriteAttrString(fo, "verb", sw->verb));
  PetscCall(MrH5WriteAttrString(fo, "class", MrDynClassNames[dyn.cls]));
  PetscCall(MrH5WriteAttrInt(fo, "class_code", dyn.cls));
  PetscCall(MrH5WriteAttrReal(fo, "amplitude", dyn.amplitude));
  PetscCall(MrH5WriteAttrReal(fo, "level", dyn.level));
  PetscCall(MrH5WriteAttrReal(fo, "peak", dyn.peak));
  PetscCall(MrH5WriteAttrReal(fo, "period", dyn.period));
  PetscCall(MrH5WriteAttrReal(fo, "wall_seconds", wall));
  PetscCallH5(g = H5Gcreate2(fo, "/params", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  for (PetscInt p = 0; p < sw->npar; p++) PetscCall(MrH5WriteAttrString(g, sw->par[p].name, MrSweepValue(sw, p, m)));
  PetscCallH5(H5Gclose(g));
  d1 = (hsize_t)C;
  PetscCall(MrH5WriteDataset(fo, "/final/currents", H5T_NATIVE_DOUBLE, 1, &d1, S + (nt - 1) * C));
  d1 = (hsize_t)R;
  PetscCall(MrH5WriteDataset(fo, "/final/variance", H5T_NATIVE_DOUBLE, 1, &d1, var + (ntv - 1) * R));
  d1 = (hsize_t)Rp;
  PetscCall(MrH5WriteDataset(fo, "/final/psi", H5T_NATIVE_DOUBLE, 1, &d1, psi + (ntp - 1) * Rp));
  if (MrH5Exists(fin, "/channel")) PetscCall(MrH5Copy(fin, "/channel", fo, "/channel"));
  if (sw->nkeep < 0) { /* everything the run wrote, and the generated model */
    const char *all[] = {"/time", "/currents", "/variance", "/psi", "/traces", "/delta", "/delta_times", "/delta_lags", "/that_eigenvalues", "/stationary", "/network"};
    for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
      if (MrH5Exists(fin, all[k])) PetscCall(MrH5Copy(fin, all[k], fo, all[k]));
  } else
    for (PetscInt k = 0; k < sw->nkeep; k++) {
      char name[256];
      PetscCall(PetscSNPrintf(name, sizeof(name), "%s%s", sw->keep[k][0] == '/' ? "" : "/", sw->keep[k]));
      if (!strcmp(name, "/model")) continue;
      if (!MrH5Exists(fin, name)) {
        PetscCall(PetscSNPrintf(msg, len, "keep: the run wrote no %s", name));
        break;
      }
      PetscCall(MrH5Copy(fin, name, fo, name));
    }
  if (model[0] && !msg[0]) {
    PetscBool want = (PetscBool)(sw->nkeep < 0);
    for (PetscInt k = 0; k < sw->nkeep; k++) want = (PetscBool)(want || !strcmp(sw->keep[k], "model") || !strcmp(sw->keep[k], "/model"));
    if (want) {
      hid_t fm = H5Fopen(model, H5F_ACC_RDONLY, H5P_DEFAULT);
      if (fm >= 0) {
        PetscCall(MrH5Copy(fm, "/", fo, "/model"));
        H5Fclose(fm);
      }
    }
  }
  PetscCall(MrH5WriteAttrString(fo, "status", "complete"));
  PetscCallH5(H5Fclose(fo));
  H5Fclose(fin);
  if (msg[0])
    (void)unlink(partial);
  else if (rename(partial, file) != 0)
    PetscCall(PetscSNPrintf(msg, len, "cannot rename %s: %s", partial, strerror(errno)));
  PetscCall(PetscFree(S));
  PetscCall(PetscFree(tm));
  PetscCall(PetscFree(var));
  PetscCall(PetscFree(psi));
  PetscFunctionReturn(PETSC_SUCCESS);
}

typedef enum { MR_MEMBER_DONE, MR_MEMBER_FAILED, MR_MEMBER_STOPPED } MrMemberStatus;

/* One member on group communicator g. */
static PetscErrorCode MrSweepMember(MrSweep sw, MPI_Comm g, PetscInt m, PetscBool verbose, MrMemberStatus *st, char why[], size_t wlen)
{
  char           name[64], file[PETSC_MAX_PATH_LEN], run[PETSC_MAX_PATH_LEN], model[PETSC_MAX_PATH_LEN] = "", failed[PETSC_MAX_PATH_LEN + 16];
  PetscOptions   o;
  MrMemberError  err    = {"", PETSC_FALSE, verbose};
  PetscErrorCode status = 0;
  PetscMPIInt    grank;
  int            code;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(g, &grank));
  PetscCall(MrSweepMemberName(sw, m, name, sizeof(name)));
  PetscCall(PetscSNPrintf(file, sizeof(file), "%s/%s", sw->outdir, name));
  PetscCall(PetscSNPrintf(failed, sizeof(failed), "%s.failed", file));
  PetscCall(PetscSNPrintf(run, sizeof(run), "%s/.tmp/%s.run.h5", sw->outdir, name));
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
  if (status && status != MR_ERR_INPUT && status != MR_ERR_STOPPED) {
    (void)fprintf(stderr, "mrdyn sweep: member %" PetscInt_FMT " (%s): %s\n", m, name, err.msg);
    PetscCall(status); /* not an input error: may be one rank's, so the job stops */
  }
  code = status == MR_ERR_STOPPED ? 2 : status ? 1 : 0;
  if (grank == 0) {
    char msg[1024] = "";
    if (!code)
      PetscCall(MrSweepMemberFile(sw, m, run, model, file, msg, sizeof(msg)));
    else
      PetscCall(PetscStrncpy(msg, err.msg, sizeof(msg)));
    if (code == 0 && msg[0]) code = 1;
    if (code == 1) { /* a note for the summary; the member is retried when the sweep runs again */
      FILE *f = fopen(failed, "w");
      if (f) {
        fprintf(f, "%s\n", msg);
        fclose(f);
      }
      if (!why) (void)fprintf(stderr, "mrdyn sweep: member %" PetscInt_FMT " (%s) failed: %s\n", m, name, msg);
    } else if (code == 0)
      (void)unlink(failed);
    (void)unlink(run);
    if (model[0]) (void)unlink(model);
  }
  PetscCallMPI(MPI_Bcast(&code, 1, MPI_INT, 0, g));
  if (why) PetscCall(PetscStrncpy(why, err.msg, wlen)); /* input errors carry the same message on every rank */
  *st = code == 0 ? MR_MEMBER_DONE : code == 1 ? MR_MEMBER_FAILED : MR_MEMBER_STOPPED;
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

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(sw->comm, &rank));
  PetscCall(MrMakeDir(sw->comm, sw->outdir));
  PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s/.tmp", sw->outdir));
  PetscCall(MrMakeDir(sw->comm, tmp));
  /* which members are complete: rank 0 looks, everyone gets the same list */
  PetscCall(PetscCalloc1(n + 1, &done));
  if (rank == 0)
    for (PetscInt i = 0; i < n; i++) {
      char name[64], file[PETSC_MAX_PATH_LEN];
      PetscCall(MrSweepMemberName(sw, first + i, name, sizeof(name)));
      PetscCall(PetscSNPrintf(file, sizeof(file), "%s/%s", sw->outdir, name));
      done[i] = (char)(access(file, F_OK) == 0);
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
    PetscCall(MrSweepMember(sw, sw->comm, job[0].m, verbose, &st, why, sizeof(why)));
    if (st == MR_MEMBER_FAILED) {
      PetscCall(MrSignalsRestore());
      PetscCall(MrCommFree(&g));
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
      PetscCall(MrSweepMember(sw, g, job[j].m, verbose, &st, NULL, 0));
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
