/* The sweep summary: one compound table /members (one row per member) that
   h5py reads as a structured array and pandas as a DataFrame, and the verb. */
#include "sweep_impl.h"
#include <mrdyn/io.h>
#include <mrdyn/layout.h>
#include <math.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct {
  long long member;
  char      hash[24];
  char      status[8];
  char      cls[16];
  int       code;
  double    amplitude, level, peak, period, wall;
} MrRow;

typedef struct {
  MrRow      row;
  PetscInt   C, R;
  PetscReal *S, *var, *psi;
  long long *target, *source;
} MrMember;

static PetscBool MrAttrReal(hid_t f, const char name[], double *v)
{
  hid_t  a;
  herr_t e;
  if (H5Aexists(f, name) <= 0 || (a = H5Aopen(f, name, H5P_DEFAULT)) < 0) return PETSC_FALSE;
  e = H5Aread(a, H5T_NATIVE_DOUBLE, v);
  H5Aclose(a);
  return (PetscBool)(e >= 0);
}

/* Reads what the summary needs from a complete member file (rank 0). */
static PetscErrorCode MrReadMember(const char file[], MrMember *mm)
{
  hid_t   f    = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  double  code = MR_DYN_FAILED;
  int     rank;
  hsize_t dims[4];
  char    msg[256];
  void   *d;

  PetscFunctionBegin;
  if (f < 0) {
    PetscCall(PetscStrncpy(mm->row.status, "failed", sizeof(mm->row.status)));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  (void)MrAttrReal(f, "class_code", &code);
  mm->row.code = (int)code;
  (void)MrAttrReal(f, "amplitude", &mm->row.amplitude);
  (void)MrAttrReal(f, "level", &mm->row.level);
  (void)MrAttrReal(f, "peak", &mm->row.peak);
  (void)MrAttrReal(f, "period", &mm->row.period);
  (void)MrAttrReal(f, "wall_seconds", &mm->row.wall);
  PetscCall(MrH5ReadDataset(f, "/final/currents", H5T_NATIVE_DOUBLE, &rank, dims, &d, msg, sizeof(msg)));
  if (d) {
    mm->C = (PetscInt)dims[0];
    mm->S = (PetscReal *)d;
  }
  PetscCall(MrH5ReadDataset(f, "/final/variance", H5T_NATIVE_DOUBLE, &rank, dims, &d, msg, sizeof(msg)));
  if (d) {
    mm->R   = (PetscInt)dims[0];
    mm->var = (PetscReal *)d;
  }
  PetscCall(MrH5ReadDataset(f, "/final/psi", H5T_NATIVE_DOUBLE, &rank, dims, &d, msg, sizeof(msg)));
  if (d && (PetscInt)dims[0] == mm->R)
    mm->psi = (PetscReal *)d;
  else
    free(d);
  PetscCall(MrH5ReadDataset(f, "/channel/target", H5T_NATIVE_LLONG, &rank, dims, &d, msg, sizeof(msg)));
  mm->target = (long long *)d;
  PetscCall(MrH5ReadDataset(f, "/channel/source", H5T_NATIVE_LLONG, &rank, dims, &d, msg, sizeof(msg)));
  mm->source = (long long *)d;
  H5Fclose(f);
  PetscCall(PetscStrncpy(mm->row.status, "done", sizeof(mm->row.status)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static hid_t MrStrType(size_t n)
{
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, n);
  H5Tset_strpad(t, H5T_STR_NULLTERM);
  return t;
}

/* Rank 0: reads the members and writes the table; msg set on failure. */
static PetscErrorCode MrSweepSummarySerial(MrSweep sw, PetscInt first, PetscInt last, const char path[], char msg[], size_t len)
{
  PetscInt  n = last - first, C = -1, R = -1, ndone = 0, nfail = 0, nmiss = 0, ref = -1;
  MrMember *mm;
  size_t    rowsize, off, *poff;
  hid_t     ct, f, fapl, sp, ds, st[4];
  char     *buf, partial[PETSC_MAX_PATH_LEN + 16], name[96];
  hsize_t   dn                         = (hsize_t)n;
  PetscInt  counts[MR_DYN_MISSING + 1] = {0};

  PetscFunctionBegin;
  msg[0] = 0;
  PetscCall(PetscCalloc1(n + 1, &mm));
  for (PetscInt i = 0; i < n; i++) {
    char file[PETSC_MAX_PATH_LEN], fname[64];
    PetscCall(MrSweepMemberName(sw, first + i, fname, sizeof(fname)));
    PetscCall(PetscSNPrintf(file, sizeof(file), "%s/%s", sw->outdir, fname));
    mm[i].row.member = first + i;
    PetscCall(PetscStrncpy(mm[i].row.hash, fname, sizeof(mm[i].row.hash)));
    mm[i].row.amplitude = mm[i].row.level = mm[i].row.peak = mm[i].row.period = mm[i].row.wall = NAN;
    if (access(file, F_OK) == 0)
      PetscCall(MrReadMember(file, &mm[i]));
    else {
      char failed[PETSC_MAX_PATH_LEN + 16];
      PetscCall(PetscSNPrintf(failed, sizeof(failed), "%s.failed", file));
      PetscCall(PetscStrncpy(mm[i].row.status, access(failed, F_OK) == 0 ? "failed" : "missing", sizeof(mm[i].row.status)));
    }
    if (!strcmp(mm[i].row.status, "done")) {
      ndone++;
      if (ref < 0) {
        ref = i;
        C   = mm[i].C;
        R   = mm[i].R;
      }
      if (mm[i].C != C || !mm[i].S) C = -1; /* per-channel columns only when every member has the same channels */
      if (mm[i].R != R || !mm[i].var || !mm[i].psi) R = -1;
    } else {
      mm[i].row.code = !strcmp(mm[i].row.status, "failed") ? MR_DYN_FAILED : MR_DYN_MISSING;
      nfail += mm[i].row.code == MR_DYN_FAILED;
      nmiss += mm[i].row.code == MR_DYN_MISSING;
    }
    PetscCall(PetscStrncpy(mm[i].row.cls, MrDynClassNames[PetscMax(0, PetscMin(mm[i].row.code, MR_DYN_MISSING))], sizeof(mm[i].row.cls)));
    counts[PetscMax(0, PetscMin(mm[i].row.code, MR_DYN_MISSING))]++;
  }
  if (C > 0 && (!mm[ref].target || !mm[ref].source)) C = -1;

  /* the compound type: fixed columns, the parameters, then currents / variance / psi */
  st[0] = MrStrType(24);
  st[1] = MrStrType(8);
  st[2] = MrStrType(16);
  st[3] = MrStrType(64);
  PetscCall(PetscMalloc1(sw->npar + 1, &poff));
  rowsize = sizeof(MrRow);
  for (PetscInt p = 0; p < sw->npar; p++) {
    poff[p] = rowsize;
    rowsize += sw->par[p].numeric ? 8 : 64;
  }
  off = rowsize;
  rowsize += 8 * (size_t)(PetscMax(C, 0) + 2 * PetscMax(R, 0));
  PetscCallH5(ct = H5Tcreate(H5T_COMPOUND, rowsize));
  PetscCallH5(H5Tinsert(ct, "member", HOFFSET(MrRow, member), H5T_NATIVE_LLONG));
  PetscCallH5(H5Tinsert(ct, "file", HOFFSET(MrRow, hash), st[0]));
  PetscCallH5(H5Tinsert(ct, "status", HOFFSET(MrRow, status), st[1]));
  PetscCallH5(H5Tinsert(ct, "class", HOFFSET(MrRow, cls), st[2]));
  PetscCallH5(H5Tinsert(ct, "class_code", HOFFSET(MrRow, code), H5T_NATIVE_INT));
  PetscCallH5(H5Tinsert(ct, "amplitude", HOFFSET(MrRow, amplitude), H5T_NATIVE_DOUBLE));
  PetscCallH5(H5Tinsert(ct, "level", HOFFSET(MrRow, level), H5T_NATIVE_DOUBLE));
  PetscCallH5(H5Tinsert(ct, "autocov_peak", HOFFSET(MrRow, peak), H5T_NATIVE_DOUBLE));
  PetscCallH5(H5Tinsert(ct, "period", HOFFSET(MrRow, period), H5T_NATIVE_DOUBLE));
  PetscCallH5(H5Tinsert(ct, "wall_seconds", HOFFSET(MrRow, wall), H5T_NATIVE_DOUBLE));
  for (PetscInt p = 0; p < sw->npar; p++) {
    PetscCall(PetscSNPrintf(name, sizeof(name), "%s%s", sw->par[p].target ? "" : (strcmp(sw->par[p].name, "seed") ? "" : "model_"), sw->par[p].name));
    PetscCallH5(H5Tinsert(ct, name, poff[p], sw->par[p].numeric ? H5T_NATIVE_DOUBLE : st[3]));
  }
  for (PetscInt c = 0; c < C; c++) {
    PetscCall(PetscSNPrintf(name, sizeof(name), "S_%lld_%lld", mm[ref].target[c], mm[ref].source[c]));
    PetscCallH5(H5Tinsert(ct, name, off + 8 * (size_t)c, H5T_NATIVE_DOUBLE));
  }
  for (PetscInt r = 0; r < R; r++) {
    PetscCall(PetscSNPrintf(name, sizeof(name), "variance_%" PetscInt_FMT, r));
    PetscCallH5(H5Tinsert(ct, name, off + 8 * (size_t)(PetscMax(C, 0) + r), H5T_NATIVE_DOUBLE));
    PetscCall(PetscSNPrintf(name, sizeof(name), "psi_%" PetscInt_FMT, r));
    PetscCallH5(H5Tinsert(ct, name, off + 8 * (size_t)(PetscMax(C, 0) + R + r), H5T_NATIVE_DOUBLE));
  }
  PetscCall(PetscCalloc1(rowsize * (size_t)n + 1, &buf));
  for (PetscInt i = 0; i < n; i++) {
    char     *row  = buf + rowsize * (size_t)i;
    PetscBool done = (PetscBool)!strcmp(mm[i].row.status, "done");
    memcpy(row, &mm[i].row, sizeof(MrRow));
    for (PetscInt p = 0; p < sw->npar; p++) {
      const char *v = MrSweepValue(sw, p, first + i);
      if (sw->par[p].numeric) {
        double x = atof(v);
        memcpy(row + poff[p], &x, 8);
      } else
        strncpy(row + poff[p], v, 63);
    }
    for (PetscInt c = 0; c < C; c++) {
      double x = done ? mm[i].S[c] : NAN;
      memcpy(row + off + 8 * (size_t)c, &x, 8);
    }
    for (PetscInt r = 0; r < R; r++) {
      double x = done ? mm[i].var[r] : NAN, y = done ? mm[i].psi[r] : NAN;
      memcpy(row + off + 8 * (size_t)(PetscMax(C, 0) + r), &x, 8);
      memcpy(row + off + 8 * (size_t)(PetscMax(C, 0) + R + r), &y, 8);
    }
  }
  PetscCall(PetscSNPrintf(partial, sizeof(partial), "%s.partial", path));
  PetscCallH5(fapl = H5Pcreate(H5P_FILE_ACCESS));
  PetscCallH5(H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST));
  f = H5Fcreate(partial, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  PetscCallH5(H5Pclose(fapl));
  if (f < 0)
    PetscCall(PetscSNPrintf(msg, len, "cannot create the summary '%s'", partial));
  else {
    PetscCallH5(sp = H5Screate_simple(1, &dn, NULL));
    PetscCallH5(ds = H5Dcreate2(f, "/members", ct, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    if (n) PetscCallH5(H5Dwrite(ds, ct, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf));
    PetscCallH5(H5Dclose(ds));
    PetscCallH5(H5Sclose(sp));
    {
      long long   cnt[MR_DYN_MISSING + 1];
      hsize_t     dc = MR_DYN_MISSING + 1;
      hid_t       a, s1;
      const char *names = "fixed point,limit cycle,chaos,mixed,failed,missing";
      for (int k = 0; k <= MR_DYN_MISSING; k++) cnt[k] = counts[k];
      PetscCall(MrH5WriteAttrString(f, "class_names", names));
      PetscCallH5(s1 = H5Screate_simple(1, &dc, NULL));
      PetscCallH5(a = H5Acreate2(f, "class_counts", H5T_NATIVE_LLONG, s1, H5P_DEFAULT, H5P_DEFAULT));
      PetscCallH5(H5Awrite(a, H5T_NATIVE_LLONG, cnt));
      PetscCallH5(H5Aclose(a));
      PetscCallH5(H5Sclose(s1));
    }
    PetscCall(MrH5WriteAttrString(f, "sweep", sw->path));
    PetscCall(MrH5WriteAttrString(f, "sweep_yaml", sw->text));
    PetscCall(MrH5WriteAttrString(f, "verb", sw->verb));
    PetscCall(MrH5WriteAttrReal(f, "first_member", (PetscReal)first));
    PetscCall(MrH5WriteAttrReal(f, "last_member", (PetscReal)last));
    PetscCall(MrH5WriteAttrReal(f, "members_total", (PetscReal)sw->M));
    PetscCall(MrH5WriteAttrReal(f, "done", (PetscReal)ndone));
    PetscCall(MrH5WriteAttrReal(f, "failed", (PetscReal)nfail));
    PetscCall(MrH5WriteAttrReal(f, "missing", (PetscReal)nmiss));
    PetscCall(MrH5WriteAttrString(f, "status", "complete"));
    PetscCallH5(H5Fclose(f));
    if (rename(partial, path) != 0) PetscCall(PetscSNPrintf(msg, len, "cannot rename '%s': %s", partial, strerror(errno)));
  }
  printf("  summary %s: %" PetscInt_FMT " members: %" PetscInt_FMT " done, %" PetscInt_FMT " failed, %" PetscInt_FMT " missing; classes: %" PetscInt_FMT " fixed point, %" PetscInt_FMT " limit cycle, %" PetscInt_FMT " chaos, %" PetscInt_FMT
         " mixed\n",
         path, n, ndone, nfail, nmiss, counts[0], counts[1], counts[2], counts[3]);
  for (int k = 0; k < 4; k++) H5Tclose(st[k]);
  H5Tclose(ct);
  PetscCall(PetscFree(buf));
  PetscCall(PetscFree(poff));
  for (PetscInt i = 0; i < n; i++) {
    free(mm[i].S);
    free(mm[i].var);
    free(mm[i].psi);
    free(mm[i].target);
    free(mm[i].source);
  }
  PetscCall(PetscFree(mm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSweepSummary(MrSweep sw, PetscInt first, PetscInt last, const char path[])
{
  PetscMPIInt rank;
  char        msg[1024] = "";

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(sw->comm, &rank));
  if (rank == 0) PetscCall(MrSweepSummarySerial(sw, first, last, path, msg, sizeof(msg)));
  PetscCall(MrShareStatus(sw->comm, (PetscBool)!msg[0], msg));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static const char *const MrSweepKnown[]   = {"-array_index", "-array_count", "-ranks_per_member", "-merge", "-sweep_verbose", "-dry_run", NULL};
static const char *const MrSweepNumeric[] = {"-array_index", "-array_count", "-ranks_per_member", NULL};

PetscErrorCode MrSweepVerb(MPI_Comm comm, const char path[])
{
  MrSweep     sw;
  PetscInt    idx = 0, cnt = 1, k = -1, first, last;
  PetscBool   merge = PETSC_FALSE, verbose = PETSC_FALSE, dry = PETSC_FALSE, help;
  char        summary[PETSC_MAX_PATH_LEN + 64];
  PetscMPIInt size;

  PetscFunctionBegin;
  PetscCall(MrCheckNumericOptions(comm, MrSweepNumeric));
  PetscOptionsBegin(comm, NULL, "mrdyn sweep: many runs in one MPI job (docs/sweep.md)", NULL);
  PetscCall(PetscOptionsInt("-array_index", "run slice i of -array_count (SLURM_ARRAY_TASK_ID)", NULL, idx, &idx, NULL));
  PetscCall(PetscOptionsInt("-array_count", "number of slices (SLURM array size)", NULL, cnt, &cnt, NULL));
  PetscCall(PetscOptionsInt("-ranks_per_member", "ranks of each member's communicator (default: the file's, else sized by the members' memory)", NULL, k, &k, NULL));
  PetscCall(PetscOptionsBool("-merge", "only write summary.h5 of every member from the member files", NULL, merge, &merge, NULL));
  PetscCall(PetscOptionsBool("-sweep_verbose", "show the members' own output", NULL, verbose, &verbose, NULL));
  PetscCall(PetscOptionsBool("-dry_run", "list the members and their files, run nothing", NULL, dry, &dry, NULL));
  PetscOptionsEnd();
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  if (help) PetscFunctionReturn(PETSC_SUCCESS);
  MrCheckInput(comm, path && path[0], "usage: mrdyn sweep SWEEP.yaml [-array_index i -array_count n] [-merge]");
  PetscCall(MrCheckUnusedOptions(comm, MrSweepKnown));
  MrCheckInput(comm, cnt >= 1 && idx >= 0 && idx < cnt, "-array_index %" PetscInt_FMT " must be in [0, -array_count %" PetscInt_FMT ")", idx, cnt);
  PetscCall(MrSweepLoad(comm, path, &sw));
  if (k < 0) k = sw->ranksPerMember;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  if (k == 0) { /* auto: the fewest ranks that hold the largest member in half their share of node memory */
    PetscReal mem = 0, share, sumN2 = 0;
    if (sw->modelFile[0]) {
      MrModel mod;
      PetscCall(MrModelLoad(comm, sw->modelFile, &mod));
      for (PetscInt r = 0; r < mod->R; r++) sumN2 += (PetscReal)mod->N[r] * mod->N[r];
      PetscCall(MrModelDestroy(&mod));
    }
    for (PetscInt m = 0; m < PetscMin(sw->M, 1000000); m++) mem = PetscMax(mem, MrSweepMemory(sw, m, sumN2));
    PetscCall(MrCommMemoryShare(comm, &share));
    k = PetscMax(1, (PetscInt)ceil(mem / (0.5 * share)));
    MrCheckInput(comm, k <= size, "sweep: a member needs about %.3g GB, more than half the memory of all %d ranks; use more nodes or set ranks_per_member", mem / 1e9, size);
  }
  MrCheckInput(comm, k >= 1, "-ranks_per_member must be >= 1");
  if (k > size) {
    PetscCall(PetscPrintf(comm, "mrdyn sweep: %" PetscInt_FMT " ranks per member requested, %d available: members use %d\n", k, size, size));
    k = size;
  }
  first = merge ? 0 : (PetscInt)((PetscInt64)sw->M * idx / cnt);
  last  = merge ? sw->M : (PetscInt)((PetscInt64)sw->M * (idx + 1) / cnt);
  if (merge || cnt == 1)
    PetscCall(PetscSNPrintf(summary, sizeof(summary), "%s/summary.h5", sw->outdir));
  else
    PetscCall(PetscSNPrintf(summary, sizeof(summary), "%s/summary-%" PetscInt_FMT "-of-%" PetscInt_FMT ".h5", sw->outdir, idx, cnt));
  if (dry) {
    PetscCall(PetscPrintf(comm, "mrdyn sweep %s -dry_run: %" PetscInt_FMT " members (%s), slice [%" PetscInt_FMT ", %" PetscInt_FMT "), %" PetscInt_FMT " rank(s) per member; files in %s/\n", path, sw->M, sw->verb, first, last, k, sw->outdir));
    for (PetscInt m = first; m < PetscMin(last, first + 10); m++) {
      char name[64];
      PetscCall(MrSweepMemberName(sw, m, name, sizeof(name)));
      PetscCall(PetscPrintf(comm, "  %6" PetscInt_FMT "  %s ", m, name));
      for (PetscInt p = 0; p < sw->npar; p++) PetscCall(PetscPrintf(comm, " %s%s=%s", sw->par[p].target ? "" : "model.", sw->par[p].name, MrSweepValue(sw, p, m)));
      PetscCall(PetscPrintf(comm, "\n"));
    }
    if (last - first > 10) PetscCall(PetscPrintf(comm, "  ...\n"));
  } else if (merge) {
    PetscCall(MrSweepSummary(sw, first, last, summary));
  } else
    PetscCall(MrSweepRun(sw, first, last, k, summary, verbose));
  PetscCall(MrSweepDestroy(&sw));
  PetscFunctionReturn(PETSC_SUCCESS);
}
