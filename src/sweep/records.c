/* What a sweep keeps of each member: member files (HDF5, one per member) and
   record journals (append-only, checksummed, one per writing process). */
#include "sweep_impl.h"
#include <math.h>
#include "../util/util.h"
#include <mrdyn/io.h>
#include <mrdyn/classify.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

PetscErrorCode MrMemberRecordFree(MrMemberRecord *rec)
{
  PetscFunctionBegin;
  free(rec->S);
  free(rec->var);
  free(rec->psi);
  free(rec->target);
  free(rec->source);
  free(rec->label);
  rec->S = rec->var = rec->psi = NULL;
  rec->target = rec->source = NULL;
  rec->label                = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscBool MrAttrReal(hid_t f, const char name[], double *v)
{
  PetscBool ok;
  double    x;
  /* one number only: H5Aread of an array attribute would write past v */
  if (MrH5GetAttrReal(f, name, &x, &ok) || !ok) return PETSC_FALSE;
  *v = x;
  return PETSC_TRUE;
}

PetscErrorCode MrMemberRecordRead(const char file[], MrMemberRecord *mm)
{
  hid_t   f    = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  double  code = MR_DYN_FAILED;
  int     rank;
  hsize_t dims[4];
  char    msg[256];
  void   *d;

  PetscFunctionBegin;
  mm->code = -1; /* unreadable */
  if (f < 0) PetscFunctionReturn(PETSC_SUCCESS);
  (void)MrAttrReal(f, "class_code", &code);
  mm->code = code == floor(code) && code >= 0 && code <= MR_DYN_UNDETERMINED ? (int)code : -1; /* no wrap: a damaged file reads as unreadable */
  (void)MrAttrReal(f, "amplitude", &mm->amplitude);
  (void)MrAttrReal(f, "level", &mm->level);
  (void)MrAttrReal(f, "peak", &mm->peak);
  (void)MrAttrReal(f, "period", &mm->period);
  (void)MrAttrReal(f, "wall_seconds", &mm->wall);
  PetscCall(MrH5ReadDataset(f, "/final/currents", H5T_NATIVE_DOUBLE, &rank, dims, &d, msg, sizeof(msg)));
  if (d && dims[0] <= (hsize_t)PETSC_MAX_INT) {
    mm->C = (PetscInt)dims[0];
    mm->S = (double *)d;
  } else
    free(d);
  PetscCall(MrH5ReadDataset(f, "/final/variance", H5T_NATIVE_DOUBLE, &rank, dims, &d, msg, sizeof(msg)));
  if (d && dims[0] <= (hsize_t)PETSC_MAX_INT) {
    mm->R   = (PetscInt)dims[0];
    mm->var = (double *)d;
  } else
    free(d);
  PetscCall(MrH5ReadDataset(f, "/final/psi", H5T_NATIVE_DOUBLE, &rank, dims, &d, msg, sizeof(msg)));
  if (d && dims[0] == (hsize_t)mm->R)
    mm->psi = (double *)d;
  else
    free(d);
  PetscCall(MrH5ReadDataset(f, "/final/label", H5T_NATIVE_INT, &rank, dims, &d, msg, sizeof(msg)));
  if (d && dims[0] == (hsize_t)mm->R) {
    mm->label = (int *)d;
    for (PetscInt r = 0; r < mm->R; r++) /* labels index tables: as the journal's */
      if (mm->label[r] < 0 || mm->label[r] >= MR_NUM_LABELS) mm->label[r] = MR_LABEL_INVALID;
  } else
    free(d);
  PetscCall(MrH5ReadDataset(f, "/channel/target", H5T_NATIVE_LLONG, &rank, dims, &d, msg, sizeof(msg)));
  mm->target = (long long *)d;
  PetscCall(MrH5ReadDataset(f, "/channel/source", H5T_NATIVE_LLONG, &rank, dims, &d, msg, sizeof(msg)));
  mm->source = (long long *)d;
  H5Fclose(f);
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

PetscErrorCode MrMemberRecordWrite(MrSweep sw, const MrMemberRecord *rec, hid_t fin, const char model[], const char file[], char msg[], size_t len)
{
  hid_t   fo, fapl, g;
  char    partial[PETSC_MAX_PATH_LEN + 16];
  hsize_t d1;

  PetscFunctionBegin;
  msg[0] = 0;
  PetscCall(PetscSNPrintf(partial, sizeof(partial), "%s.partial", file));
  PetscCallH5(fapl = H5Pcreate(H5P_FILE_ACCESS));
  PetscCallH5(H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST));
  fo = H5Fcreate(partial, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  PetscCallH5(H5Pclose(fapl));
  if (fo < 0) {
    PetscCall(PetscSNPrintf(msg, len, "cannot create member file %s", partial));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(MrH5WriteAttrInt(fo, "member", rec->member));
  PetscCall(MrH5WriteAttrString(fo, "sweep", sw->path));
  PetscCall(MrH5WriteAttrString(fo, "verb", sw->verb));
  PetscCall(MrH5WriteAttrString(fo, "class", MrDynClassNames[rec->code]));
  PetscCall(MrH5WriteAttrInt(fo, "class_code", rec->code));
  PetscCall(MrH5WriteAttrReal(fo, "amplitude", rec->amplitude));
  PetscCall(MrH5WriteAttrReal(fo, "level", rec->level));
  PetscCall(MrH5WriteAttrReal(fo, "peak", rec->peak));
  PetscCall(MrH5WriteAttrReal(fo, "period", rec->period));
  PetscCall(MrH5WriteAttrReal(fo, "wall_seconds", rec->wall));
  PetscCallH5(g = H5Gcreate2(fo, "/params", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  for (PetscInt p = 0; p < sw->npar; p++) {
    char name[256];
    PetscCall(MrSweepParamColumn(sw, p, name, sizeof(name)));
    PetscCall(MrH5WriteAttrString(g, name, MrSweepValue(sw, p, rec->member)));
  }
  PetscCallH5(H5Gclose(g));
  d1 = (hsize_t)rec->C;
  if (rec->S) PetscCall(MrH5WriteDataset(fo, "/final/currents", H5T_NATIVE_DOUBLE, 1, &d1, rec->S));
  if (rec->target) PetscCall(MrH5WriteDataset(fo, "/channel/target", H5T_NATIVE_LLONG, 1, &d1, rec->target));
  if (rec->source) PetscCall(MrH5WriteDataset(fo, "/channel/source", H5T_NATIVE_LLONG, 1, &d1, rec->source));
  d1 = (hsize_t)rec->R;
  PetscCall(MrH5WriteDataset(fo, "/final/variance", H5T_NATIVE_DOUBLE, 1, &d1, rec->var));
  PetscCall(MrH5WriteDataset(fo, "/final/psi", H5T_NATIVE_DOUBLE, 1, &d1, rec->psi));
  if (rec->label) {
    char labels[4096] = "";
    PetscCall(MrH5WriteDataset(fo, "/final/label", H5T_NATIVE_INT, 1, &d1, rec->label));
    for (PetscInt r = 0; r < rec->R && r < 64; r++) {
      PetscCall(PetscStrlcat(labels, r ? "; " : "", sizeof(labels)));
      PetscCall(PetscStrlcat(labels, MrLabelNames[rec->label[r]], sizeof(labels)));
    }
    PetscCall(MrH5WriteAttrString(fo, "labels", labels));
  }
  if (fin >= 0 && sw->nkeep < 0) { /* everything the run wrote, and the generated model */
    const char *all[] = {"/time", "/currents", "/variance", "/psi", "/traces", "/delta", "/delta_times", "/delta_lags", "/that_eigenvalues", "/stationary", "/network", "/classification"};
    for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
      if (MrH5Exists(fin, all[k])) PetscCall(MrH5Copy(fin, all[k], fo, all[k]));
  } else if (fin >= 0)
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
  if (model && model[0] && !msg[0]) {
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
  if (msg[0])
    (void)unlink(partial);
  else if (rename(partial, file) != 0)
    PetscCall(PetscSNPrintf(msg, len, "cannot rename %s: %s", partial, strerror(errno)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ---- journals ---- */

#define MR_JOURNAL_MAGIC "MRDYNRC1"

struct _p_MrJournal {
  int  fd;
  char path[PETSC_MAX_PATH_LEN];
};

typedef struct {
  char     magic[8];
  uint32_t nbytes; /* payload */
  uint32_t pad;
  uint64_t check; /* FNV-1a of the payload */
} MrRecordHeader;

typedef struct {
  int64_t member;
  char    name[24];
  int32_t code, hasLabel, C, R;
  double  amplitude, level, peak, period, wall;
} MrRecordFixed;

static PetscErrorCode MrJournalOpen(MrSweep sw, MrJournal *jp, char msg[], size_t len)
{
  MrJournal j;
  char      dir[PETSC_MAX_PATH_LEN + 16], host[128] = "host";

  PetscFunctionBegin;
  PetscCall(PetscNew(&j));
  PetscCall(PetscSNPrintf(dir, sizeof(dir), "%s/records", sw->outdir));
  (void)mkdir(dir, 0777);
  (void)gethostname(host, sizeof(host) - 1);
  /* one journal per process and start: host, pid and time keep names apart across array tasks and restarts */
  PetscCall(PetscSNPrintf(j->path, sizeof(j->path), "%s/%s-%ld-%ld.rec", dir, host, (long)getpid(), (long)time(NULL)));
  j->fd = open(j->path, O_WRONLY | O_CREAT | O_APPEND, 0666);
  if (j->fd < 0) {
    PetscCall(PetscSNPrintf(msg, len, "cannot create the sweep journal %s: %s", j->path, strerror(errno)));
    PetscCall(PetscFree(j));
  }
  *jp = j;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrJournalClose(MrJournal *jp)
{
  PetscFunctionBegin;
  if (!*jp) PetscFunctionReturn(PETSC_SUCCESS);
  (void)close((*jp)->fd);
  PetscCall(PetscFree(*jp));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrJournalAppend(MrSweep sw, MrJournal *jp, const MrMemberRecord *rec, char msg[], size_t len)
{
  MrJournal      j;
  MrRecordFixed  fx;
  MrRecordHeader h;
  size_t         n, off = 0;
  char          *buf;
  const size_t   C = rec->S && rec->target && rec->source ? (size_t)rec->C : 0, R = (size_t)rec->R;

  PetscFunctionBegin;
  msg[0] = 0;
  if (!*jp) PetscCall(MrJournalOpen(sw, jp, msg, len));
  if (!(j = *jp)) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscMemzero(&fx, sizeof(fx)));
  fx.member = rec->member;
  PetscCall(PetscStrncpy(fx.name, rec->name, sizeof(fx.name)));
  fx.code      = rec->code;
  fx.hasLabel  = rec->label != NULL;
  fx.C         = (int32_t)C;
  fx.R         = (int32_t)R;
  fx.amplitude = rec->amplitude;
  fx.level     = rec->level;
  fx.peak      = rec->peak;
  fx.period    = rec->period;
  fx.wall      = rec->wall;
  n            = sizeof(h) + sizeof(fx) + C * 3 * 8 + R * 2 * 8 + (rec->label ? R * 4 : 0);
  PetscCall(PetscMalloc1(n, &buf));
  off = sizeof(h);
#define MR_PUT(p, sz)                                                                                                                                                                                                                                    \
  do {                                                                                                                                                                                                                                                   \
    memcpy(buf + off, p, sz);                                                                                                                                                                                                                            \
    off += sz;                                                                                                                                                                                                                                           \
  } while (0)
  MR_PUT(&fx, sizeof(fx));
  if (C) {
    MR_PUT(rec->S, C * 8);
    MR_PUT(rec->target, C * 8);
    MR_PUT(rec->source, C * 8);
  }
  MR_PUT(rec->var, R * 8);
  MR_PUT(rec->psi, R * 8);
  if (rec->label) MR_PUT(rec->label, R * 4);
#undef MR_PUT
  memcpy(h.magic, MR_JOURNAL_MAGIC, 8);
  h.nbytes = (uint32_t)(n - sizeof(h));
  h.pad    = 0;
  h.check  = MrHash64(buf + sizeof(h), n - sizeof(h), MR_HASH_INIT);
  memcpy(buf, &h, sizeof(h));
  if (write(j->fd, buf, n) != (ssize_t)n) PetscCall(PetscSNPrintf(msg, len, "cannot append to the sweep journal %s: %s", j->path, strerror(errno)));
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Decodes one payload; PETSC_FALSE when it does not hold together. */
static PetscBool MrRecordDecode(const char *p, size_t n, MrMemberRecord *rec)
{
  MrRecordFixed fx;
  size_t        C, R, need;

  if (n < sizeof(fx)) return PETSC_FALSE;
  memcpy(&fx, p, sizeof(fx));
  if (fx.C < 0 || fx.R < 0 || fx.name[sizeof(fx.name) - 1]) return PETSC_FALSE;
  C    = (size_t)fx.C;
  R    = (size_t)fx.R;
  need = sizeof(fx) + C * 24 + R * 16 + (fx.hasLabel ? R * 4 : 0);
  if (need != n) return PETSC_FALSE;
  memset(rec, 0, sizeof(*rec));
  rec->member = fx.member;
  memcpy(rec->name, fx.name, sizeof(rec->name));
  rec->code      = fx.code;
  rec->C         = (PetscInt)C;
  rec->R         = (PetscInt)R;
  rec->amplitude = fx.amplitude;
  rec->level     = fx.level;
  rec->peak      = fx.peak;
  rec->period    = fx.period;
  rec->wall      = fx.wall;
  p += sizeof(fx);
  if (C) {
    rec->S      = (double *)malloc(C * 8);
    rec->target = (long long *)malloc(C * 8);
    rec->source = (long long *)malloc(C * 8);
    memcpy(rec->S, p, C * 8);
    memcpy(rec->target, p + C * 8, C * 8);
    memcpy(rec->source, p + 2 * C * 8, C * 8);
    p += 3 * C * 8;
  }
  rec->var = (double *)malloc(R * 8 + 8);
  rec->psi = (double *)malloc(R * 8 + 8);
  memcpy(rec->var, p, R * 8);
  memcpy(rec->psi, p + R * 8, R * 8);
  p += 2 * R * 8;
  if (fx.hasLabel) {
    rec->label = (int *)malloc(R * 4 + 4);
    memcpy(rec->label, p, R * 4);
    for (size_t r = 0; r < R; r++)
      if (rec->label[r] < 0 || rec->label[r] >= MR_NUM_LABELS) rec->label[r] = MR_LABEL_INVALID;
  }
  return PETSC_TRUE;
}

static int MrRecordCmp(const void *a, const void *b)
{
  const MrMemberRecord *x = (const MrMemberRecord *)a, *y = (const MrMemberRecord *)b;
  int                   c = strcmp(x->name, y->name);
  return c ? c : (x->member < y->member ? -1 : x->member > y->member);
}

PetscErrorCode MrJournalReadAll(MrSweep sw, PetscInt *np, MrMemberRecord **recsp)
{
  char            dir[PETSC_MAX_PATH_LEN + 16];
  DIR            *dd;
  struct dirent  *e;
  PetscInt        n = 0, cap = 0;
  MrMemberRecord *recs = NULL;

  PetscFunctionBegin;
  *np    = 0;
  *recsp = NULL;
  PetscCall(PetscSNPrintf(dir, sizeof(dir), "%s/records", sw->outdir));
  dd = opendir(dir);
  if (!dd) PetscFunctionReturn(PETSC_SUCCESS);
  while ((e = readdir(dd))) {
    char           path[2 * PETSC_MAX_PATH_LEN];
    FILE          *f;
    size_t         len = strlen(e->d_name);
    MrRecordHeader h;
    char          *buf  = NULL;
    size_t         bcap = 0;
    if (len < 5 || strcmp(e->d_name + len - 4, ".rec")) continue;
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s", dir, e->d_name));
    if (!(f = fopen(path, "rb"))) continue;
    while (fread(&h, sizeof(h), 1, f) == 1) {
      if (memcmp(h.magic, MR_JOURNAL_MAGIC, 8) || h.nbytes > (1u << 28)) break;
      if (h.nbytes > bcap) {
        bcap = h.nbytes;
        free(buf);
        buf = (char *)malloc(bcap);
      }
      if (fread(buf, 1, h.nbytes, f) != h.nbytes || MrHash64(buf, h.nbytes, MR_HASH_INIT) != h.check) break; /* a torn or damaged tail */
      if (n == cap) {
        cap  = cap ? 2 * cap : 1024;
        recs = (MrMemberRecord *)realloc(recs, (size_t)cap * sizeof(*recs));
      }
      if (MrRecordDecode(buf, h.nbytes, &recs[n])) n++;
    }
    free(buf);
    fclose(f);
  }
  closedir(dd);
  if (n) {
    PetscInt k = 0;
    qsort(recs, (size_t)n, sizeof(*recs), MrRecordCmp);
    for (PetscInt i = 0; i < n; i++) { /* duplicates (a member recorded twice): keep the first */
      if (k && !strcmp(recs[k - 1].name, recs[i].name)) {
        PetscCall(MrMemberRecordFree(&recs[i]));
        continue;
      }
      recs[k++] = recs[i];
    }
    n = k;
  }
  *np    = n;
  *recsp = recs;
  PetscFunctionReturn(PETSC_SUCCESS);
}

MrMemberRecord *MrJournalFind(PetscInt n, MrMemberRecord *recs, const char name[])
{
  PetscInt lo = 0, hi = n;
  while (lo < hi) {
    PetscInt mid = (lo + hi) / 2;
    int      c   = strcmp(recs[mid].name, name);
    if (!c) return &recs[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}
