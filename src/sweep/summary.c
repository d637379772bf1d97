/* The sweep summary: one compound table /members (one row per member) that
   h5py reads as a structured array and pandas as a DataFrame, and the verb. */
#include "sweep_impl.h"
#include <sys/stat.h>
#include <mrdyn/io.h>
#include <mrdyn/layout.h>
#include <mrdyn/classify.h>
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

static hid_t MrStrType(size_t n)
{
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, n);
  H5Tset_strpad(t, H5T_STR_NULLTERM);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

/* Grid points: the members that differ only along the pooled axes (aggregate:). */
static PetscInt MrGridIndex(MrSweep sw, PetscInt m, PetscInt *stride)
{
  PetscInt g = 0, rem = m;
  for (PetscInt a = sw->naxes - 1; a >= 0; a--) {
    PetscInt i = rem % sw->axisLen[a];
    rem /= sw->axisLen[a];
    if (!sw->aggregate[a]) g += i * stride[a];
  }
  return g;
}

/* /grid: per grid point the counts of each label over members and regions, the
   most frequent label (ties: the smallest code) and the entropy in bits, as the
   paper's Fig. 5 plots them. */
static PetscErrorCode MrSweepWriteGrid(MrSweep sw, hid_t f, PetscInt first, PetscInt last, const MrMemberRecord *const *rec)
{
  PetscInt *stride, ng = 1, *cnt, *members, *rep, nrow = 0, *rowOf;
  size_t    rowsize, off[64], offc;
  hid_t     ct, sp, ds, st = MrStrType(64), sl = MrStrType(24);
  char     *buf, name[96];
  hsize_t   dn;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(sw->naxes + 1, &stride));
  for (PetscInt a = sw->naxes - 1; a >= 0; a--) {
    stride[a] = ng;
    if (!sw->aggregate[a]) ng *= sw->axisLen[a];
  }
  PetscCall(PetscCalloc4((size_t)ng * MR_NUM_LABELS, &cnt, ng, &members, ng, &rep, ng, &rowOf));
  for (PetscInt g = 0; g < ng; g++) rep[g] = -1;
  for (PetscInt i = 0; i < last - first; i++) {
    PetscInt g = MrGridIndex(sw, first + i, stride);
    if (rep[g] < 0) rep[g] = first + i;
    if (!rec[i] || !rec[i]->label) continue;
    members[g]++;
    for (PetscInt r = 0; r < rec[i]->R; r++) cnt[g * MR_NUM_LABELS + rec[i]->label[r]]++;
  }
  for (PetscInt g = 0; g < ng; g++) rowOf[g] = rep[g] >= 0 ? nrow++ : -1;
  /* row: the grid parameters, members, counts, mode, mode code, entropy */
  rowsize = 0;
  for (PetscInt p = 0; p < sw->npar; p++) {
    off[p] = rowsize;
    if (!sw->aggregate[sw->par[p].axis]) rowsize += sw->par[p].numeric ? 8 : 64;
  }
  offc = rowsize;
  rowsize += 8 * (1 + MR_NUM_LABELS) + 24 + 8 + 8;
  PetscCallH5(ct = H5Tcreate(H5T_COMPOUND, rowsize));
  for (PetscInt p = 0; p < sw->npar; p++)
    if (!sw->aggregate[sw->par[p].axis]) {
      PetscCall(MrSweepParamColumn(sw, p, name, sizeof(name)));
      PetscCallH5(H5Tinsert(ct, name, off[p], sw->par[p].numeric ? H5T_NATIVE_DOUBLE : st));
    }
  PetscCallH5(H5Tinsert(ct, "members", offc, H5T_NATIVE_LLONG));
  for (int k = 0; k < MR_NUM_LABELS; k++) {
    char lname[64];
    PetscCall(PetscSNPrintf(lname, sizeof(lname), "n_%s", MrLabelNames[k]));
    for (char *c = lname; *c; c++)
      if (*c == ' ' || *c == '+') *c = '_';
    for (char *c = lname; *c; c++) /* "n_fixed_point___chaos" -> "n_fixed_point_chaos" */
      while (c[0] == '_' && c[1] == '_') memmove(c, c + 1, strlen(c));
    PetscCallH5(H5Tinsert(ct, lname, offc + 8 * (1 + (size_t)k), H5T_NATIVE_LLONG));
  }
  PetscCallH5(H5Tinsert(ct, "mode", offc + 8 * (1 + MR_NUM_LABELS), sl));
  PetscCallH5(H5Tinsert(ct, "mode_code", offc + 8 * (1 + MR_NUM_LABELS) + 24, H5T_NATIVE_LLONG));
  PetscCallH5(H5Tinsert(ct, "entropy_bits", offc + 8 * (1 + MR_NUM_LABELS) + 32, H5T_NATIVE_DOUBLE));
  PetscCall(PetscCalloc1(rowsize * (size_t)nrow + 1, &buf));
  for (PetscInt g = 0; g < ng; g++) {
    char     *row = buf + rowsize * (size_t)(rowOf[g] < 0 ? 0 : rowOf[g]);
    MrLabel   mode;
    PetscReal H;
    long long v;
    if (rowOf[g] < 0) continue;
    for (PetscInt p = 0; p < sw->npar; p++)
      if (!sw->aggregate[sw->par[p].axis]) {
        const char *val = MrSweepValue(sw, p, rep[g]);
        if (sw->par[p].numeric) {
          double x = atof(val);
          memcpy(row + off[p], &x, 8);
        } else
          strncpy(row + off[p], val, 63);
      }
    v = members[g];
    memcpy(row + offc, &v, 8);
    for (int k = 0; k < MR_NUM_LABELS; k++) {
      v = cnt[g * MR_NUM_LABELS + k];
      memcpy(row + offc + 8 * (1 + (size_t)k), &v, 8);
    }
    MrLabelMode(cnt + g * MR_NUM_LABELS, &mode, &H);
    if (!members[g]) H = NAN;
    strncpy(row + offc + 8 * (1 + MR_NUM_LABELS), members[g] ? MrLabelNames[mode] : "", 23);
    v = members[g] ? (long long)mode : -1;
    memcpy(row + offc + 8 * (1 + MR_NUM_LABELS) + 24, &v, 8);
    memcpy(row + offc + 8 * (1 + MR_NUM_LABELS) + 32, &H, 8);
  }
  dn = (hsize_t)nrow;
  PetscCallH5(sp = H5Screate_simple(1, &dn, NULL));
  PetscCallH5(ds = H5Dcreate2(f, "/grid", ct, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  if (nrow) PetscCallH5(H5Dwrite(ds, ct, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf));
  {
    char pooled[1024] = "";
    for (PetscInt p = 0; p < sw->npar; p++)
      if (sw->aggregate[sw->par[p].axis]) {
        PetscCall(PetscStrlcat(pooled, pooled[0] ? "," : "", sizeof(pooled)));
        PetscCall(PetscStrlcat(pooled, sw->par[p].target ? "run." : "model.", sizeof(pooled)));
        PetscCall(PetscStrlcat(pooled, sw->par[p].name, sizeof(pooled)));
      }
    PetscCall(MrH5WriteAttrString(ds, "pooled_parameters", pooled));
    PetscCall(MrH5WriteAttrString(ds, "label_order", "invalid,chaos,fixed point + chaos,fixed point,limit cycle + chaos,limit cycle"));
  }
  PetscCallH5(H5Dclose(ds));
  PetscCallH5(H5Sclose(sp));
  PetscCallH5(H5Tclose(ct));
  H5Tclose(st);
  H5Tclose(sl);
  PetscCall(PetscFree(buf));
  PetscCall(PetscFree4(cnt, members, rep, rowOf));
  PetscCall(PetscFree(stride));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Rank 0: reads the members (journals, then member files) and writes the tables; msg set on failure. */
static PetscErrorCode MrSweepSummarySerial(MrSweep sw, PetscInt first, PetscInt last, const char path[], char msg[], size_t len)
{
  PetscInt        n = last - first, C = -1, R = -1, RL = -1, ndone = 0, nfail = 0, nmiss = 0, ref = -1, nrec;
  MrRow          *row;
  MrMemberRecord *recs, *own, **rec;
  size_t          rowsize, off, offl, *poff;
  hid_t           ct, f, fapl, sp, ds, st[4];
  char           *buf, partial[PETSC_MAX_PATH_LEN + 16], name[96];
  hsize_t         dn                              = (hsize_t)n;
  PetscInt        counts[MR_DYN_UNDETERMINED + 1] = {0}, lcounts[MR_NUM_LABELS] = {0};

  PetscFunctionBegin;
  msg[0] = 0;
  PetscCall(MrJournalReadAll(sw, &nrec, &recs));
  PetscCall(PetscCalloc3(n + 1, &row, n + 1, &own, n + 1, &rec));
  for (PetscInt i = 0; i < n; i++) {
    char file[PETSC_MAX_PATH_LEN], fname[64];
    PetscCall(MrSweepMemberName(sw, first + i, fname, sizeof(fname)));
    PetscCall(PetscSNPrintf(file, sizeof(file), "%s/%s", sw->outdir, fname));
    row[i].member = first + i;
    PetscCall(PetscStrncpy(row[i].hash, fname, sizeof(row[i].hash)));
    row[i].amplitude = row[i].level = row[i].peak = row[i].period = row[i].wall = NAN;
    rec[i]                                                                      = MrJournalFind(nrec, recs, fname);
    if (!rec[i] && access(file, F_OK) == 0) {
      own[i].amplitude = own[i].level = own[i].peak = own[i].period = own[i].wall = NAN;
      PetscCall(MrMemberRecordRead(file, &own[i]));
      rec[i] = &own[i];
    }
    if (rec[i] && rec[i]->code >= 0) {
      PetscCall(PetscStrncpy(row[i].status, "done", sizeof(row[i].status)));
      row[i].code      = rec[i]->code;
      row[i].amplitude = rec[i]->amplitude;
      row[i].level     = rec[i]->level;
      row[i].peak      = rec[i]->peak;
      row[i].period    = rec[i]->period;
      row[i].wall      = rec[i]->wall;
      ndone++;
      if (ref < 0) {
        ref = i;
        C   = rec[i]->C;
        R   = rec[i]->R;
        RL  = rec[i]->label ? rec[i]->R : -1;
      }
      if (rec[i]->C != C || !rec[i]->S || !rec[i]->target || !rec[i]->source) C = -1; /* per-channel columns only when every member has the same channels */
      if (rec[i]->R != R || !rec[i]->var || !rec[i]->psi) R = -1;
      if (!rec[i]->label || rec[i]->R != RL) RL = -1;
      for (PetscInt r = 0; rec[i]->label && r < rec[i]->R; r++) lcounts[rec[i]->label[r]]++;
    } else {
      char failed[PETSC_MAX_PATH_LEN + 16];
      PetscCall(PetscSNPrintf(failed, sizeof(failed), "%s.failed", file));
      PetscCall(PetscStrncpy(row[i].status, rec[i] || access(failed, F_OK) == 0 ? "failed" : "missing", sizeof(row[i].status)));
      row[i].code = !strcmp(row[i].status, "failed") ? MR_DYN_FAILED : MR_DYN_MISSING;
      nfail += row[i].code == MR_DYN_FAILED;
      nmiss += row[i].code == MR_DYN_MISSING;
      rec[i] = NULL;
    }
    PetscCall(PetscStrncpy(row[i].cls, MrDynClassNames[PetscMax(0, PetscMin(row[i].code, MR_DYN_UNDETERMINED))], sizeof(row[i].cls)));
    counts[PetscMax(0, PetscMin(row[i].code, MR_DYN_UNDETERMINED))]++;
  }
  RL = RL > 64 ? -1 : RL; /* label columns for up to 64 regions (/grid pools any number) */

  /* the compound type: fixed columns, the parameters, then currents / variance / psi, labels */
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
  offl = rowsize;
  rowsize += 32 * (size_t)PetscMax(RL, 0);
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
    PetscCall(MrSweepParamColumn(sw, p, name, sizeof(name)));
    PetscCallH5(H5Tinsert(ct, name, poff[p], sw->par[p].numeric ? H5T_NATIVE_DOUBLE : st[3]));
  }
  for (PetscInt c = 0; c < C; c++) {
    PetscCall(PetscSNPrintf(name, sizeof(name), "S_%lld_%lld", rec[ref]->target[c], rec[ref]->source[c]));
    PetscCallH5(H5Tinsert(ct, name, off + 8 * (size_t)c, H5T_NATIVE_DOUBLE));
  }
  for (PetscInt r = 0; r < R; r++) {
    PetscCall(PetscSNPrintf(name, sizeof(name), "variance_%" PetscInt_FMT, r));
    PetscCallH5(H5Tinsert(ct, name, off + 8 * (size_t)(PetscMax(C, 0) + r), H5T_NATIVE_DOUBLE));
    PetscCall(PetscSNPrintf(name, sizeof(name), "psi_%" PetscInt_FMT, r));
    PetscCallH5(H5Tinsert(ct, name, off + 8 * (size_t)(PetscMax(C, 0) + R + r), H5T_NATIVE_DOUBLE));
  }
  for (PetscInt r = 0; r < RL; r++) {
    PetscCall(PetscSNPrintf(name, sizeof(name), "label_%" PetscInt_FMT, r));
    PetscCallH5(H5Tinsert(ct, name, offl + 32 * (size_t)r, st[0]));
    PetscCall(PetscSNPrintf(name, sizeof(name), "label_code_%" PetscInt_FMT, r));
    PetscCallH5(H5Tinsert(ct, name, offl + 32 * (size_t)r + 24, H5T_NATIVE_LLONG));
  }
  PetscCall(PetscCalloc1(rowsize * (size_t)n + 1, &buf));
  for (PetscInt i = 0; i < n; i++) {
    char *rw = buf + rowsize * (size_t)i;
    memcpy(rw, &row[i], sizeof(MrRow));
    for (PetscInt p = 0; p < sw->npar; p++) {
      const char *v = MrSweepValue(sw, p, first + i);
      if (sw->par[p].numeric) {
        double x = atof(v);
        memcpy(rw + poff[p], &x, 8);
      } else
        strncpy(rw + poff[p], v, 63);
    }
    for (PetscInt c = 0; c < C; c++) {
      double x = rec[i] ? rec[i]->S[c] : NAN;
      memcpy(rw + off + 8 * (size_t)c, &x, 8);
    }
    for (PetscInt r = 0; r < R; r++) {
      double x = rec[i] ? rec[i]->var[r] : NAN, y = rec[i] ? rec[i]->psi[r] : NAN;
      memcpy(rw + off + 8 * (size_t)(PetscMax(C, 0) + r), &x, 8);
      memcpy(rw + off + 8 * (size_t)(PetscMax(C, 0) + R + r), &y, 8);
    }
    for (PetscInt r = 0; r < RL; r++) {
      long long v = rec[i] ? rec[i]->label[r] : -1;
      strncpy(rw + offl + 32 * (size_t)r, rec[i] ? MrLabelNames[v] : "", 23);
      memcpy(rw + offl + 32 * (size_t)r + 24, &v, 8);
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
      long long   cnt[MR_DYN_UNDETERMINED + 1];
      hsize_t     dc = MR_DYN_UNDETERMINED + 1;
      hid_t       a, s1;
      const char *names = "fixed point,limit cycle,chaos,mixed,failed,missing,undetermined";
      for (int k = 0; k <= MR_DYN_UNDETERMINED; k++) cnt[k] = counts[k];
      PetscCall(MrH5WriteAttrString(f, "class_names", names));
      PetscCallH5(s1 = H5Screate_simple(1, &dc, NULL));
      PetscCallH5(a = H5Acreate2(f, "class_counts", H5T_NATIVE_LLONG, s1, H5P_DEFAULT, H5P_DEFAULT));
      PetscCallH5(H5Awrite(a, H5T_NATIVE_LLONG, cnt));
      PetscCallH5(H5Aclose(a));
      PetscCallH5(H5Sclose(s1));
    }
    if (RL > 0 || lcounts[0] + lcounts[1] + lcounts[2] + lcounts[3] + lcounts[4] + lcounts[5] > 0) PetscCall(MrSweepWriteGrid(sw, f, first, last, (const MrMemberRecord *const *)rec));
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
  printf("  summary %s: %" PetscInt_FMT " members: %" PetscInt_FMT " done, %" PetscInt_FMT " failed, %" PetscInt_FMT " missing; classes of the currents: %" PetscInt_FMT " fixed point, %" PetscInt_FMT " limit cycle, %" PetscInt_FMT
         " chaos, %" PetscInt_FMT " mixed, %" PetscInt_FMT " undetermined\n",
         path, n, ndone, nfail, nmiss, counts[0], counts[1], counts[2], counts[3], counts[MR_DYN_UNDETERMINED]);
  if (lcounts[0] + lcounts[1] + lcounts[2] + lcounts[3] + lcounts[4] + lcounts[5] > 0) {
    printf("  labels of the regions (the paper's rule):");
    for (int k = 0; k < MR_NUM_LABELS; k++) printf("%s %" PetscInt_FMT " %s", k ? "," : "", lcounts[k], MrLabelNames[k]);
    printf("\n");
  }
  for (int k = 0; k < 4; k++) H5Tclose(st[k]);
  H5Tclose(ct);
  PetscCall(PetscFree(buf));
  PetscCall(PetscFree(poff));
  for (PetscInt i = 0; i < n; i++) PetscCall(MrMemberRecordFree(&own[i]));
  for (PetscInt i = 0; i < nrec; i++) PetscCall(MrMemberRecordFree(&recs[i]));
  free(recs);
  PetscCall(PetscFree3(row, own, rec));
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

static const char *const MrSweepKnown[] = {"-array_index", "-array_count", "-ranks_per_member", "-merge", "-sweep_verbose", "-dry_run", "-member", "-o", "-force", NULL};

PetscErrorCode MrSweepVerb(MPI_Comm comm, const char path[])
{
  MrSweep     sw;
  PetscInt    idx = 0, cnt = 1, k = -1, first, last;
  PetscBool   merge = PETSC_FALSE, verbose = PETSC_FALSE, dry = PETSC_FALSE, help, force = PETSC_FALSE;
  PetscInt    member                  = -1;
  char        out[PETSC_MAX_PATH_LEN] = "";
  char        summary[PETSC_MAX_PATH_LEN + 64];
  PetscMPIInt size;

  PetscFunctionBegin;
  PetscOptionsBegin(comm, NULL, "mrdyn sweep: many runs in one MPI job (docs/sweep.md)", NULL);
  PetscCall(MrOptionsInt("-array_index", "run slice i of -array_count (SLURM_ARRAY_TASK_ID)", idx, &idx, NULL, 0, PETSC_MAX_INT));
  PetscCall(MrOptionsInt("-array_count", "number of slices (SLURM array size)", cnt, &cnt, NULL, 1, PETSC_MAX_INT));
  PetscCall(MrOptionsInt("-ranks_per_member", "ranks of each member's communicator (-1: the file's, else sized by the members' memory; 0: sized by memory)", k, &k, NULL, -1, PETSC_MAX_INT));
  PetscCall(MrOptionsBool("-merge", "only write summary.h5 of every member from the member files", merge, &merge, NULL));
  PetscCall(MrOptionsBool("-sweep_verbose", "show the members' own output", verbose, &verbose, NULL));
  PetscCall(MrOptionsBool("-dry_run", "list the members and their files, run nothing", dry, &dry, NULL));
  PetscCall(MrOptionsInt("-member", "run only member K, in full, into the file -o (-1: the sweep)", member, &member, NULL, -1, PETSC_MAX_INT));
  PetscCall(PetscOptionsString("-o", "with -member: the output file", NULL, out, out, sizeof(out), NULL));
  PetscCall(MrOptionsBool("-force", "with -member: replace an existing output file", force, &force, NULL));
  PetscOptionsEnd();
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  if (help) PetscFunctionReturn(PETSC_SUCCESS);
  MrCheckInput(comm, path && path[0], "usage: mrdyn sweep SWEEP.yaml [-array_index i -array_count n] [-merge]");
  PetscCall(MrCheckUnusedOptions(comm, MrSweepKnown));
  MrCheckInput(comm, cnt >= 1 && idx >= 0 && idx < cnt, "-array_index %" PetscInt_FMT " must be in [0, -array_count %" PetscInt_FMT ")", idx, cnt);
  MrCheckInput(comm, (member >= 0) == (out[0] != 0), "-member K and -o FILE go together (run one member into FILE)");
  PetscCall(MrSweepLoad(comm, path, &sw));
  if (member >= 0) {
    PetscCall(MrSweepRunMember(sw, member, out, force));
    PetscCall(MrSweepDestroy(&sw));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
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
  { /* the sweep writes into its directory: never over the sweep file or its model */
    PetscMPIInt rank;
    char        msg[2 * PETSC_MAX_PATH_LEN + 128] = "", partial[PETSC_MAX_PATH_LEN + 80];
    struct stat st;
    PetscCallMPI(MPI_Comm_rank(comm, &rank));
    PetscCall(PetscSNPrintf(partial, sizeof(partial), "%s.partial", summary));
    if (rank == 0 && stat(sw->outdir, &st) == 0 && !S_ISDIR(st.st_mode)) PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s: output '%s' is not a directory", path, sw->outdir));
    for (int k = 0; k < 2 && rank == 0 && !msg[0]; k++) {
      const char *in = k ? sw->modelFile : path;
      if (MrPathSame(summary, in) || MrPathSame(partial, in)) PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s: the summary '%s' would be written over the input '%s'; choose another output directory", path, summary, in));
    }
    PetscCall(MrShareStatus(comm, (PetscBool)!msg[0], msg));
  }
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
