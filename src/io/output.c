/* Run output: parallel HDF5, collective writes, written under "<path>.partial"
   and renamed when complete, so a killed run never leaves a file that looks done. */
#include "io_impl.h"
#include <libgen.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <stdlib.h>
#include <inttypes.h>
#include <math.h>
#include "version.h"

struct _p_MrSeries {
  MrOutput   out;
  hid_t      dset;
  PetscInt   ncols, nown, *cols, *perm; /* cols ascending; perm: position of each caller value */
  int        rank;                      /* 1: a (nt,) series, 2: (nt, ncols), 3: (nt, T, ncols) */
  PetscInt   T;                         /* values per column and row (trials) */
  PetscInt   cap, nbuf;
  PetscReal *buf;
  hsize_t    nrows;
  PetscInt   item; /* its entry in the output's manifest */
};

struct _p_MrOutput {
  MPI_Comm    comm;
  PetscMPIInt rank;
  hid_t       file, dxpl;
  char        path[PETSC_MAX_PATH_LEN], partial[PETSC_MAX_PATH_LEN + 16];
  PetscInt    nseries;
  MrSeries    series[32];
  PetscInt    nstrings; /* string datasets written serially after the parallel close (parallel HDF5 1.10 cannot write variable-length data) */
  struct {
    char   name[256];
    size_t n;
    char **v;
  } strings[8];
  PetscInt      nitems, maxitems; /* what was written, with this rank's part of each checksum */
  MrOutputItem *items;
  PetscBool     recorded; /* a checkpoint holds its manifest (or it was reopened from one) */
};

hid_t MrOutputFile(MrOutput out) { return out->file; }

/* The canonical name of a path: realpath() of an existing file; of a new one the
   canonical directory and the name (a dangling symbolic link is followed to the
   file it would create). False when the directory does not exist. */
static PetscBool MrCanonicalPath(const char path[], char out[], size_t len)
{
  char cur[PETSC_MAX_PATH_LEN];

  if (!path[0] || strlen(path) >= sizeof(cur)) return PETSC_FALSE;
  strcpy(cur, path);
  for (int hop = 0; hop < 40; hop++) {
    struct stat st;
    char       *r = realpath(cur, NULL), d[PETSC_MAX_PATH_LEN], b[PETSC_MAX_PATH_LEN], link[PETSC_MAX_PATH_LEN];
    if (r) {
      PetscBool ok = (PetscBool)(strlen(r) < len);
      if (ok) strcpy(out, r);
      free(r);
      return ok;
    }
    strcpy(d, cur);
    strcpy(b, cur);
    if (lstat(cur, &st) == 0 && S_ISLNK(st.st_mode)) { /* dangling: where it points */
      ssize_t n = readlink(cur, link, sizeof(link) - 1);
      if (n < 0) return PETSC_FALSE;
      link[n] = 0;
      if (link[0] == '/') {
        strcpy(cur, link);
      } else if ((size_t)snprintf(cur, sizeof(cur), "%s/%s", dirname(d), link) >= sizeof(cur))
        return PETSC_FALSE;
      continue;
    }
    {
      const char *name = basename(b);
      char       *rd   = realpath(dirname(d), NULL);
      PetscBool   ok;
      if (!rd) return PETSC_FALSE;
      ok = (PetscBool)((size_t)snprintf(out, len, "%s/%s", strcmp(rd, "/") ? rd : "", name) < len);
      free(rd);
      return ok;
    }
  }
  return PETSC_FALSE;
}

PetscBool MrPathSame(const char a[], const char b[])
{
  struct stat sa, sb;
  char        ca[PETSC_MAX_PATH_LEN + 32], cb[PETSC_MAX_PATH_LEN + 32];

  if (!a || !b || !a[0] || !b[0]) return PETSC_FALSE;
  if (stat(a, &sa) == 0 && stat(b, &sb) == 0) return (PetscBool)(sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino);
  return (PetscBool)(MrCanonicalPath(a, ca, sizeof(ca)) && MrCanonicalPath(b, cb, sizeof(cb)) && !strcmp(ca, cb));
}

/* Rank 0: whether name can be created or written, by trying (a new file is removed at once). */
static int MrProbeWrite(const char name[])
{
  int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644), err;
  if (fd >= 0) {
    close(fd);
    (void)unlink(name);
    return 0;
  }
  if (errno != EEXIST) return errno;
  fd  = open(name, O_WRONLY); /* a leftover: not truncated here */
  err = fd < 0 ? errno : 0;
  if (fd >= 0) close(fd);
  return err;
}

/* Rank 0: the checks of MrOutputCheckPaths; msg set on the first failure. */
static PetscErrorCode MrCheckPathsSerial(PetscInt n, const char *const paths[], const char *const options[], const char *const inputs[], PetscBool force, char msg[], size_t len)
{
  PetscFunctionBegin;
  for (PetscInt i = 0; i < n && !msg[0]; i++) {
    const char *path = paths[i], *opt = options && options[i] ? options[i] : "-o";
    char        partial[PETSC_MAX_PATH_LEN + 16], dir[PETSC_MAX_PATH_LEN];
    struct stat st;

    if (!path || !path[0]) {
      PetscCall(PetscSNPrintf(msg, len, "no output file given (%s FILE)", opt));
      break;
    }
    if (strlen(path) >= PETSC_MAX_PATH_LEN - 16) {
      PetscCall(PetscSNPrintf(msg, len, "%s: the file name is too long (%zu characters)", opt, strlen(path)));
      break;
    }
    PetscCall(PetscSNPrintf(partial, sizeof(partial), "%s.partial", path));
    /* an input is never written, whatever -force says */
    for (PetscInt k = 0; inputs && inputs[k] && !msg[0]; k++) {
      if (!inputs[k][0]) continue;
      if (MrPathSame(path, inputs[k]))
        PetscCall(PetscSNPrintf(msg, len, "%s '%s' is the input file '%s' of this run; inputs are never overwritten (not even with -force): write to another file", opt, path, inputs[k]));
      else if (MrPathSame(partial, inputs[k]))
        PetscCall(PetscSNPrintf(msg, len, "%s '%s' is written as '%s' until it is complete, and that is the input file '%s' of this run: write to another file", opt, path, partial, inputs[k]));
    }
    /* nor is one output written over another */
    for (PetscInt k = 0; k < i && !msg[0]; k++) {
      char other[PETSC_MAX_PATH_LEN + 16];
      PetscCall(PetscSNPrintf(other, sizeof(other), "%s.partial", paths[k]));
      if (MrPathSame(path, paths[k]) || MrPathSame(path, other) || MrPathSame(partial, paths[k]))
        PetscCall(PetscSNPrintf(msg, len, "%s '%s' and %s '%s' would write the same file (or one the other's .partial); give them different names", opt, path, options && options[k] ? options[k] : "-o", paths[k]));
    }
    if (msg[0]) break;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
      PetscCall(PetscSNPrintf(msg, len, "%s '%s' is a directory", !strcmp(opt, "-o") ? "output" : opt, path));
      break;
    }
    if (access(path, F_OK) == 0 && !force) {
      PetscCall(PetscSNPrintf(msg, len, "%s file '%s' exists; remove it or add -force", !strcmp(opt, "-o") ? "output" : opt, path));
      break;
    }
    if (stat(partial, &st) == 0 && S_ISDIR(st.st_mode)) {
      PetscCall(PetscSNPrintf(msg, len, "%s '%s' cannot be written: '%s' is a directory", opt, path, partial));
      break;
    }
    PetscCall(PetscStrncpy(dir, path, sizeof(dir)));
    {
      const char *d = dirname(dir);
      int         err;
      if (stat(d, &st) != 0 || !S_ISDIR(st.st_mode))
        PetscCall(PetscSNPrintf(msg, len, "cannot write %s '%s': directory '%s' does not exist", !strcmp(opt, "-o") ? "output" : opt, path, d));
      else if (access(d, W_OK) != 0)
        PetscCall(PetscSNPrintf(msg, len, "cannot write %s '%s': directory '%s' is not writable", !strcmp(opt, "-o") ? "output" : opt, path, d));
      else if ((err = MrProbeWrite(partial))) /* permissions are not all (read-only mounts, root squash) */
        PetscCall(PetscSNPrintf(msg, len, "cannot write %s '%s': creating '%s' fails (%s)", !strcmp(opt, "-o") ? "output" : opt, path, partial, strerror(err)));
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputCheckPaths(MPI_Comm comm, PetscInt n, const char *const paths[], const char *const options[], const char *const inputs[], PetscBool force)
{
  PetscMPIInt rank;
  char        msg[2 * PETSC_MAX_PATH_LEN + 512] = "";

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) { /* the option files of the command line are inputs of every verb */
    int          argc, nin = 0, k = 0;
    char       **args;
    const char **all;
    PetscCall(PetscGetArgs(&argc, &args));
    while (inputs && inputs[nin]) nin++;
    PetscCall(PetscMalloc1(nin + argc + 1, &all));
    for (int i = 0; i < nin; i++) all[k++] = inputs[i];
    for (int i = 1; i + 1 < argc; i++)
      if (!strcmp(args[i], "-options_file") || !strcmp(args[i], "-options_file_yaml")) all[k++] = args[i + 1];
    all[k] = NULL;
    PetscCall(MrCheckPathsSerial(n, paths, options, all, force, msg, sizeof(msg)));
    PetscCall(PetscFree(all));
  }
  if (strlen(msg) >= 1000) strcpy(msg + 990, "...");
  PetscCall(MrShareStatus(comm, (PetscBool)!msg[0], msg));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputCheckPathInputs(MPI_Comm comm, const char path[], const char *const inputs[], PetscBool force)
{
  PetscFunctionBegin;
  PetscCall(MrOutputCheckPaths(comm, 1, &path, NULL, inputs, force));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputCheckPath(MPI_Comm comm, const char path[], PetscBool force)
{
  PetscFunctionBegin;
  PetscCall(MrOutputCheckPaths(comm, 1, &path, NULL, NULL, force));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Registers a dataset or attribute in the manifest; *idx is its entry. */
static PetscErrorCode MrOutputAddItem(MrOutput out, const char name[], PetscBool dataset, int ndims, const hsize_t dims[], PetscInt *idx)
{
  MrOutputItem *it;

  PetscFunctionBegin;
  if (out->nitems == out->maxitems) {
    MrOutputItem *n;
    out->maxitems = PetscMax(32, 2 * out->maxitems);
    PetscCall(PetscCalloc1(out->maxitems, &n));
    if (out->nitems) PetscCall(PetscArraycpy(n, out->items, out->nitems));
    PetscCall(PetscFree(out->items));
    out->items = n;
  }
  it = &out->items[out->nitems];
  PetscCall(PetscMemzero(it, sizeof(*it)));
  if (dataset && name[0] != '/')
    PetscCall(PetscSNPrintf(it->name, sizeof(it->name), "/%s", name));
  else
    PetscCall(PetscStrncpy(it->name, name, sizeof(it->name)));
  it->dataset = dataset ? 1 : 0;
  it->ndims   = ndims;
  it->rowsize = 1;
  if (dataset) {
    it->rows = ndims > 0 ? dims[0] : 1;
    for (int k = 1; k < ndims; k++) it->rowsize *= dims[k];
  }
  if (idx) *idx = out->nitems;
  out->nitems++;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Adds count 8-byte values at consecutive positions from idx0 to an entry's checksum. */
static void MrOutputHash(MrOutput out, PetscInt item, uint64_t idx0, size_t count, const void *data)
{
  const unsigned char *p   = (const unsigned char *)data;
  uint64_t             sum = 0;
  for (size_t k = 0; k < count; k++) {
    uint64_t bits;
    memcpy(&bits, p + 8 * k, 8);
    sum += MrValueHash(idx0 + k, bits);
  }
  out->items[item].sum += sum;
}

static PetscErrorCode MrOutputHashAttr(MrOutput out, const char obj[], const char name[], const void *data, size_t n, PetscBool bytes)
{
  char     full[288];
  PetscInt item;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(full, sizeof(full), "%s@%s", obj && strcmp(obj, "/") ? obj : "", name));
  PetscCall(MrOutputAddItem(out, full, PETSC_FALSE, 0, NULL, &item));
  if (out->rank == 0) { /* every rank writes the same value: counted once */
    if (bytes)
      out->items[item].sum += MrBytesHash(data, n);
    else
      MrOutputHash(out, item, 0, n, data);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputCreate(MPI_Comm comm, const char path[], MrOutput *outp)
{
  MrOutput out;
  hid_t    fapl;
  int      okl, ok;

  PetscFunctionBegin;
  PetscCall(PetscNew(&out));
  out->comm = comm;
  PetscCallMPI(MPI_Comm_rank(comm, &out->rank));
  PetscCall(PetscStrncpy(out->path, path, sizeof(out->path)));
  PetscCall(PetscSNPrintf(out->partial, sizeof(out->partial), "%s.partial", path));
  PetscCallH5(fapl = H5Pcreate(H5P_FILE_ACCESS));
  PetscCallH5(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL));
  /* the 1.8 format stores large attributes (the option set can exceed 64 KiB) densely */
  PetscCallH5(H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST));
  out->file = H5Fcreate(out->partial, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  PetscCallH5(H5Pclose(fapl));
  okl = out->file >= 0;
  PetscCallMPI(MPI_Allreduce(&okl, &ok, 1, MPI_INT, MPI_MIN, comm));
  if (!ok) {
    if (out->file >= 0) H5Fclose(out->file);
    MrCheckInput(comm, PETSC_FALSE, "cannot create output file '%s'", out->partial);
  }
  PetscCallH5(out->dxpl = H5Pcreate(H5P_DATASET_XFER));
  PetscCallH5(H5Pset_dxpl_mpio(out->dxpl, H5FD_MPIO_COLLECTIVE));
  *outp = out;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode MrSeriesDestroy(MrSeries *s)
{
  PetscFunctionBegin;
  if (!*s) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCallH5(H5Dclose((*s)->dset));
  PetscCall(PetscFree2((*s)->cols, (*s)->perm));
  PetscCall(PetscFree((*s)->buf));
  PetscCall(PetscFree(*s));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode MrOutputClose(MrOutput out)
{
  PetscFunctionBegin;
  for (PetscInt k = 0; k < out->nseries; k++) PetscCall(MrSeriesDestroy(&out->series[k]));
  PetscCall(PetscFree(out->items));
  out->nitems = out->maxitems = 0;
  PetscCallH5(H5Pclose(out->dxpl));
  PetscCallH5(H5Fclose(out->file));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Rank 0, after the parallel close: the variable-length UTF-8 string datasets. */
static PetscErrorCode MrOutputWriteDeferredStrings(MrOutput out, char msg[], size_t len)
{
  hid_t f = H5Fopen(out->partial, H5F_ACC_RDWR, H5P_DEFAULT);

  PetscFunctionBegin;
  if (f < 0) {
    PetscCall(PetscSNPrintf(msg, len, "cannot reopen '%s' to write its strings", out->partial));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  for (PetscInt k = 0; k < out->nstrings; k++) {
    hid_t   t, sp, d, lcpl;
    hsize_t n = out->strings[k].n;
    PetscCallH5(t = H5Tcopy(H5T_C_S1));
    PetscCallH5(H5Tset_size(t, H5T_VARIABLE));
    PetscCallH5(H5Tset_cset(t, H5T_CSET_UTF8));
    PetscCallH5(lcpl = H5Pcreate(H5P_LINK_CREATE));
    PetscCallH5(H5Pset_create_intermediate_group(lcpl, 1));
    PetscCallH5(sp = H5Screate_simple(1, &n, NULL));
    PetscCallH5(d = H5Dcreate2(f, out->strings[k].name, t, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT));
    if (n) PetscCallH5(H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, out->strings[k].v));
    PetscCallH5(H5Dclose(d));
    PetscCallH5(H5Sclose(sp));
    PetscCallH5(H5Pclose(lcpl));
    PetscCallH5(H5Tclose(t));
  }
  PetscCallH5(H5Fclose(f));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode MrOutputFreeStrings(MrOutput out)
{
  PetscFunctionBegin;
  for (PetscInt k = 0; k < out->nstrings; k++) {
    for (size_t i = 0; i < out->strings[k].n; i++) PetscCall(PetscFree(out->strings[k].v[i]));
    PetscCall(PetscFree(out->strings[k].v));
  }
  out->nstrings = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputWriteStrings(MrOutput out, const char name[], PetscInt n, const char *const values[])
{
  PetscFunctionBegin;
  PetscCheck(out->nstrings < 8, PETSC_COMM_SELF, PETSC_ERR_SUP, "too many string datasets");
  PetscCall(PetscStrncpy(out->strings[out->nstrings].name, name, sizeof(out->strings[0].name)));
  out->strings[out->nstrings].n = out->rank == 0 ? (size_t)n : 0;
  PetscCall(PetscCalloc1(n + 1, &out->strings[out->nstrings].v));
  for (PetscInt i = 0; i < n && out->rank == 0; i++) PetscCall(PetscStrallocpy(values[i], &out->strings[out->nstrings].v[i]));
  out->nstrings++;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputAttrRealAt(MrOutput out, const char obj[], const char name[], PetscReal value)
{
  hid_t o;

  PetscFunctionBegin;
  PetscCallH5(o = H5Oopen(out->file, obj, H5P_DEFAULT));
  PetscCall(MrH5WriteAttrReal(o, name, value));
  PetscCallH5(H5Oclose(o));
  {
    double v = value;
    PetscCall(MrOutputHashAttr(out, obj, name, &v, 1, PETSC_FALSE));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputFinish(MrOutput *outp)
{
  MrOutput  out       = *outp;
  PetscBool ok        = PETSC_TRUE;
  char      msg[1024] = "";

  PetscFunctionBegin;
  for (PetscInt k = 0; k < out->nseries; k++) PetscCall(MrSeriesFlush(out->series[k]));
  PetscCall(MrOutputAttrString(out, "status", "complete"));
  PetscCall(MrOutputClose(out));
  PetscCallMPI(MPI_Barrier(out->comm));
  if (out->rank == 0 && out->nstrings) PetscCall(MrOutputWriteDeferredStrings(out, msg, sizeof(msg)));
  ok = (PetscBool)!msg[0];
  if (out->rank == 0 && ok && rename(out->partial, out->path) != 0) {
    ok = PETSC_FALSE;
    PetscCall(PetscSNPrintf(msg, sizeof(msg), "cannot rename '%s' to '%s': %s", out->partial, out->path, strerror(errno)));
  }
  PetscCall(MrOutputFreeStrings(out));
  PetscCall(MrShareStatus(out->comm, ok, msg));
  PetscCall(PetscFree(out));
  *outp = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputAbandon(MrOutput *outp)
{
  MrOutput out = *outp;

  PetscFunctionBegin;
  if (!out) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(MrOutputClose(out));
  PetscCallMPI(MPI_Barrier(out->comm));
  if (out->rank == 0) (void)unlink(out->partial);
  PetscCall(MrOutputFreeStrings(out));
  PetscCall(PetscFree(out));
  *outp = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputAttrString(MrOutput out, const char name[], const char value[])
{
  PetscFunctionBegin;
  PetscCall(MrH5WriteAttrString(out->file, name, value));
  PetscCall(MrOutputHashAttr(out, NULL, name, value, strlen(value) + 1, PETSC_TRUE));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputAttrReal(MrOutput out, const char name[], PetscReal value)
{
  double v = value;

  PetscFunctionBegin;
  PetscCall(MrH5WriteAttrReal(out->file, name, value));
  PetscCall(MrOutputHashAttr(out, NULL, name, &v, 1, PETSC_FALSE));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputAttrInt(MrOutput out, const char name[], PetscInt64 value)
{
  long long v = (long long)value;

  PetscFunctionBegin;
  PetscCall(MrH5WriteAttrInt(out->file, name, value));
  PetscCall(MrOutputHashAttr(out, NULL, name, &v, 1, PETSC_FALSE));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputAttrRealArray(MrOutput out, const char name[], PetscInt n, const PetscReal value[])
{
  hid_t   sp, a;
  hsize_t dim = (hsize_t)n;

  PetscFunctionBegin;
  PetscCallH5(sp = H5Screate_simple(1, &dim, NULL));
  PetscCallH5(a = H5Acreate2(out->file, name, H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT));
  PetscCallH5(H5Awrite(a, H5T_NATIVE_DOUBLE, value));
  PetscCallH5(H5Aclose(a));
  PetscCallH5(H5Sclose(sp));
  {
    double *v;
    PetscCall(PetscMalloc1(n + 1, &v));
    for (PetscInt i = 0; i < n; i++) v[i] = value[i];
    PetscCall(MrOutputHashAttr(out, NULL, name, v, (size_t)n, PETSC_FALSE));
    PetscCall(PetscFree(v));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode MrOutputCreateDataset(MrOutput out, const char name[], hid_t type, int rank, const hsize_t dims[], hid_t dcpl, const hsize_t *maxdims, hid_t *d, PetscInt *item)
{
  hid_t sp, lcpl;

  PetscFunctionBegin;
  PetscCheck(H5Tget_size(type) == 8, PETSC_COMM_SELF, PETSC_ERR_SUP, "output datasets hold 8-byte values");
  PetscCall(MrOutputAddItem(out, name, PETSC_TRUE, rank, dims, item));
  PetscCallH5(lcpl = H5Pcreate(H5P_LINK_CREATE));
  PetscCallH5(H5Pset_create_intermediate_group(lcpl, 1));
  PetscCallH5(sp = H5Screate_simple(rank, dims, maxdims));
  PetscCallH5(*d = H5Dcreate2(out->file, name, type, sp, lcpl, dcpl, H5P_DEFAULT));
  PetscCallH5(H5Sclose(sp));
  PetscCallH5(H5Pclose(lcpl));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputWriteRoot(MrOutput out, const char name[], hid_t type, int rank, const hsize_t dims[], const void *data)
{
  hid_t    d, fs, ms;
  PetscInt item;

  PetscFunctionBegin;
  PetscCall(MrOutputCreateDataset(out, name, type, rank, dims, H5P_DEFAULT, NULL, &d, &item));
  if (out->rank == 0) {
    size_t n = 1;
    for (int k = 0; k < rank; k++) n *= dims[k];
    MrOutputHash(out, item, 0, n, data);
  }
  PetscCallH5(fs = H5Dget_space(d));
  if (H5Sget_simple_extent_npoints(fs) == 0) { /* empty (e.g. no predicted outliers): HDF5 1.10 fails a collective write of nothing */
    PetscCallH5(H5Sclose(fs));
    PetscCallH5(H5Dclose(d));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCallH5(ms = H5Scopy(fs));
  if (out->rank != 0) {
    PetscCallH5(H5Sselect_none(fs));
    PetscCallH5(H5Sselect_none(ms));
  }
  PetscCallH5(H5Dwrite(d, type, ms, fs, out->dxpl, data));
  PetscCallH5(H5Sclose(ms));
  PetscCallH5(H5Sclose(fs));
  PetscCallH5(H5Dclose(d));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputWriteSlab(MrOutput out, const char name[], int ndims, const hsize_t dims[], hsize_t r0, hsize_t nr, const double *data)
{
  hid_t    d, fs, ms;
  hsize_t  start[8] = {0}, count[8], mdim = nr;
  PetscInt item;

  PetscFunctionBegin;
  PetscCheck(ndims >= 1 && ndims <= 8, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "unsupported rank %d", ndims);
  start[0] = r0;
  count[0] = nr;
  for (int k = 1; k < ndims; k++) {
    count[k] = dims[k];
    mdim *= dims[k];
  }
  PetscCall(MrOutputCreateDataset(out, name, H5T_NATIVE_DOUBLE, ndims, dims, H5P_DEFAULT, NULL, &d, &item));
  MrOutputHash(out, item, r0 * out->items[item].rowsize, (size_t)mdim, data);
  PetscCallH5(fs = H5Dget_space(d));
  PetscCallH5(ms = H5Screate_simple(1, mdim ? &mdim : (hsize_t[]){1}, NULL));
  if (nr)
    PetscCallH5(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL));
  else {
    PetscCallH5(H5Sselect_none(fs));
    PetscCallH5(H5Sselect_none(ms));
  }
  PetscCallH5(H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, fs, out->dxpl, data));
  PetscCallH5(H5Sclose(ms));
  PetscCallH5(H5Sclose(fs));
  PetscCallH5(H5Dclose(d));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputWriteRows(MrOutput out, const char name[], hsize_t rows, hsize_t cols, hsize_t r0, hsize_t nr, const double *data)
{
  hsize_t dims[2] = {rows, cols};

  PetscFunctionBegin;
  PetscCall(MrOutputWriteSlab(out, name, 2, dims, r0, nr, data));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputWriteColumns(MrOutput out, const char name[], hsize_t rows, hsize_t cols, hsize_t c0, hsize_t nc, const double *data)
{
  hid_t    d, fs, ms;
  hsize_t  dims[2] = {rows, cols}, start[2] = {0, c0}, count[2] = {rows, nc}, mdim[2] = {rows, nc};
  PetscInt item;

  PetscFunctionBegin;
  PetscCall(MrOutputCreateDataset(out, name, H5T_NATIVE_DOUBLE, 2, dims, H5P_DEFAULT, NULL, &d, &item));
  PetscCallH5(fs = H5Dget_space(d));
  if (nc && rows) {
    /* data is column-major (nc x rows); the file is (rows, cols): select it transposed */
    double *t;
    PetscCall(PetscMalloc1(rows * nc, &t));
    for (hsize_t i = 0; i < rows; i++)
      for (hsize_t k = 0; k < nc; k++) t[i * nc + k] = data[k * rows + i];
    for (hsize_t i = 0; i < rows; i++) MrOutputHash(out, item, i * cols + c0, (size_t)nc, t + i * nc);
    PetscCallH5(ms = H5Screate_simple(2, mdim, NULL));
    PetscCallH5(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL));
    PetscCallH5(H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, fs, out->dxpl, t));
    PetscCall(PetscFree(t));
  } else {
    hsize_t one = 1;
    PetscCallH5(ms = H5Screate_simple(1, &one, NULL));
    PetscCallH5(H5Sselect_none(fs));
    PetscCallH5(H5Sselect_none(ms));
    PetscCallH5(H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, fs, out->dxpl, NULL));
  }
  PetscCallH5(H5Sclose(ms));
  PetscCallH5(H5Sclose(fs));
  PetscCallH5(H5Dclose(d));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSeriesCreate(MrOutput out, const char name[], PetscInt ncols, PetscInt nown, const PetscInt cols[], PetscInt buffer, MrSeries *sp)
{
  PetscFunctionBegin;
  PetscCall(MrSeriesCreateTrials(out, name, 1, ncols, nown, cols, buffer, sp));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The in-memory part of a series (buffer, column order) and its chunk shape. */
static PetscErrorCode MrSeriesSetUp(MrOutput out, PetscInt T, PetscInt ncols, PetscInt nown, const PetscInt cols[], PetscInt buffer, hsize_t dims[3], hsize_t maxd[3], hsize_t chunk[3], MrSeries *sp)
{
  MrSeries s;

  PetscFunctionBegin;
  PetscCheck(out->nseries < 32, PETSC_COMM_SELF, PETSC_ERR_SUP, "too many series");
  PetscCall(PetscNew(&s));
  s->out   = out;
  s->T     = PetscMax(T, 1);
  s->rank  = ncols > 0 ? (T > 1 ? 3 : 2) : 1;
  s->ncols = PetscMax(ncols, 1);
  s->nown  = nown;
  s->cap   = PetscMax(buffer, 1);
  PetscCall(PetscMalloc2(nown + 1, &s->cols, nown + 1, &s->perm));
  for (PetscInt k = 0; k < nown; k++) {
    s->cols[k] = cols[k];
    s->perm[k] = k;
  }
  PetscCall(PetscSortIntWithPermutation(nown, s->cols, s->perm));
  for (PetscInt k = 0; k < nown; k++) s->cols[k] = cols[s->perm[k]];
  PetscCall(PetscMalloc1(s->cap * nown * s->T + 1, &s->buf));
  dims[0] = 0;
  maxd[0] = H5S_UNLIMITED;
  if (s->rank == 3) {
    dims[1] = maxd[1] = chunk[1] = (hsize_t)s->T;
    dims[2] = maxd[2] = (hsize_t)s->ncols;
    chunk[2]          = (hsize_t)PetscMin(s->ncols, 65536);
    chunk[0]          = (hsize_t)PetscMax(1, PetscMin(s->cap, 65536 / (PetscInt)(chunk[2] * chunk[1])));
  } else {
    dims[1] = maxd[1] = (hsize_t)s->ncols;
    chunk[1]          = (hsize_t)PetscMin(s->ncols, 65536);
    chunk[0]          = (hsize_t)PetscMax(1, PetscMin(s->cap, 65536 / (PetscInt)chunk[1]));
  }
  *sp = s;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSeriesCreateTrials(MrOutput out, const char name[], PetscInt T, PetscInt ncols, PetscInt nown, const PetscInt cols[], PetscInt buffer, MrSeries *sp)
{
  MrSeries s;
  hid_t    dcpl;
  hsize_t  dims[3], maxd[3], chunk[3];

  PetscFunctionBegin;
  PetscCall(MrSeriesSetUp(out, T, ncols, nown, cols, buffer, dims, maxd, chunk, &s));
  PetscCallH5(dcpl = H5Pcreate(H5P_DATASET_CREATE));
  PetscCallH5(H5Pset_chunk(dcpl, s->rank, chunk));
  PetscCall(MrOutputCreateDataset(out, name, H5T_NATIVE_DOUBLE, s->rank, dims, dcpl, maxd, &s->dset, &s->item));
  PetscCallH5(H5Pclose(dcpl));
  out->series[out->nseries++] = s;
  *sp                         = s;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSeriesReopen(MrOutput out, const char name[], PetscInt T, PetscInt ncols, PetscInt nown, const PetscInt cols[], PetscInt buffer, PetscInt64 rows, MrSeries *sp)
{
  MrSeries s;
  hid_t    fs;
  hsize_t  dims[3], maxd[3], chunk[3], have[3] = {0, 0, 0}, hmax[3] = {0, 0, 0};
  int      ok, okl = 1;

  PetscFunctionBegin;
  PetscCall(MrSeriesSetUp(out, T, ncols, nown, cols, buffer, dims, maxd, chunk, &s));
  s->dset = H5Lexists(out->file, name, H5P_DEFAULT) > 0 ? H5Dopen2(out->file, name, H5P_DEFAULT) : -1;
  if (s->dset >= 0) {
    hid_t t = H5Dget_type(s->dset);
    /* a series as MrSeriesCreate made it: doubles (nothing converted on the way in)
       and extendible along the rows (else H5Dset_extent fails on each rank) */
    okl = t >= 0 && H5Tget_class(t) == H5T_FLOAT && H5Tget_size(t) == sizeof(double);
    if (t >= 0) H5Tclose(t);
    fs  = H5Dget_space(s->dset);
    okl = okl && fs >= 0 && H5Sget_simple_extent_ndims(fs) == s->rank;
    if (okl) okl = H5Sget_simple_extent_dims(fs, have, hmax) == s->rank && hmax[0] == H5S_UNLIMITED;
    if (fs >= 0) H5Sclose(fs);
    for (int k = 1; k < s->rank; k++) okl = okl && have[k] == dims[k];
    okl = okl && have[0] >= (hsize_t)rows;
  } else
    okl = 0;
  PetscCallMPI(MPI_Allreduce(&okl, &ok, 1, MPI_INT, MPI_MIN, out->comm));
  MrCheckInput(out->comm, ok, "restart: %s in '%s' is missing, not an extendible series of doubles, has another shape, or holds fewer rows (%llu) than the checkpoint recorded (%lld)", name, out->partial, (unsigned long long)have[0], (long long)rows);
  s->item = -1;
  for (PetscInt k = 0; k < out->nitems; k++) {
    PetscBool same;
    PetscCall(PetscStrcmp(out->items[k].name + (name[0] == '/' ? 0 : 1), name, &same));
    if (same && out->items[k].dataset) s->item = k;
  }
  if (out->recorded) /* the rows the checkpoint counted are the rows its manifest checked */
    MrCheckInput(out->comm, s->item >= 0 && out->items[s->item].rows == (hsize_t)rows, "restart: the checkpoint counts %lld rows of %s but its record of '%s' has %lld", (long long)rows, name, out->partial,
                 s->item >= 0 ? (long long)out->items[s->item].rows : -1LL);
  else if (s->item < 0) { /* reopened without a manifest: its checksums are not known */
    PetscCall(MrOutputAddItem(out, name, PETSC_TRUE, s->rank, dims, &s->item));
  }
  dims[0] = (hsize_t)rows; /* rows written after the checkpoint are dropped */
  okl     = H5Dset_extent(s->dset, dims) >= 0;
  PetscCallMPI(MPI_Allreduce(&okl, &ok, 1, MPI_INT, MPI_MIN, out->comm));
  MrCheckInput(out->comm, ok, "restart: %s in '%s' cannot be cut back to %lld rows (a damaged file)", name, out->partial, (long long)rows);
  s->nrows                    = (hsize_t)rows;
  out->items[s->item].rows    = (hsize_t)rows;
  out->series[out->nseries++] = s;
  *sp                         = s;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSeriesAppend(MrSeries s, const PetscReal values[])
{
  PetscReal *row = s->buf + s->nbuf * s->nown * s->T;

  PetscFunctionBegin;
  for (PetscInt q = 0; q < s->T; q++) /* values: [trial][owned column in the caller's order] */
    for (PetscInt k = 0; k < s->nown; k++) row[q * s->nown + k] = values[q * s->nown + s->perm[k]];
  if (++s->nbuf == s->cap) PetscCall(MrSeriesFlush(s));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSeriesFlush(MrSeries s)
{
  hid_t   fs, ms;
  hsize_t dims[3], mdim;

  PetscFunctionBegin;
  if (!s->nbuf) PetscFunctionReturn(PETSC_SUCCESS);
  dims[0] = s->nrows + (hsize_t)s->nbuf;
  dims[1] = s->rank == 3 ? (hsize_t)s->T : (hsize_t)s->ncols;
  dims[2] = (hsize_t)s->ncols;
  PetscCallH5(H5Dset_extent(s->dset, dims)); /* rank-1 series use dims[0] only */
  PetscCallH5(fs = H5Dget_space(s->dset));
  mdim = (hsize_t)(s->nbuf * s->nown * s->T);
  PetscCallH5(ms = H5Screate_simple(1, mdim ? &mdim : (hsize_t[]){1}, NULL));
  if (!s->nown) {
    PetscCallH5(H5Sselect_none(fs));
    PetscCallH5(H5Sselect_none(ms));
  } else {
    for (PetscInt k = 0; k < s->nown;) { /* one hyperslab per run of consecutive columns */
      PetscInt e = k + 1;
      while (e < s->nown && s->cols[e] == s->cols[e - 1] + 1) e++;
      hsize_t start[3] = {s->nrows, 0, 0}, count[3] = {(hsize_t)s->nbuf, 1, 1};
      if (s->rank == 3) {
        start[2] = (hsize_t)s->cols[k];
        count[1] = (hsize_t)s->T;
        count[2] = (hsize_t)(e - k);
      } else {
        start[1] = (hsize_t)s->cols[k];
        count[1] = s->rank == 1 ? 1 : (hsize_t)(e - k);
      }
      PetscCallH5(H5Sselect_hyperslab(fs, k == 0 ? H5S_SELECT_SET : H5S_SELECT_OR, start, NULL, count, NULL));
      k = e;
    }
  }
  PetscCallH5(H5Dwrite(s->dset, H5T_NATIVE_DOUBLE, ms, fs, s->out->dxpl, s->buf));
  PetscCallH5(H5Sclose(ms));
  PetscCallH5(H5Sclose(fs));
  { /* buf is [row][trial][owned column]; the file (row, trial, column) */
    const uint64_t T = (uint64_t)s->T, nc = (uint64_t)s->ncols;
    uint64_t       sum = 0;
    for (PetscInt b = 0; b < s->nbuf; b++)
      for (PetscInt q = 0; q < s->T; q++) {
        const PetscReal *v = s->buf + (b * s->T + q) * s->nown;
        for (PetscInt k = 0; k < s->nown; k++) {
          uint64_t bits;
          memcpy(&bits, v + k, 8);
          sum += MrValueHash(((s->nrows + (uint64_t)b) * T + (uint64_t)q) * nc + (uint64_t)s->cols[k], bits);
        }
      }
    s->out->items[s->item].sum += sum;
  }
  s->nrows += (hsize_t)s->nbuf;
  s->nbuf                     = 0;
  s->out->items[s->item].rows = s->nrows;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputProvenance(MrOutput out, const char verb[], const char modelFile[], const char modelHash[])
{
  char *opts;

  PetscFunctionBegin;
  PetscCall(PetscOptionsGetAll(NULL, &opts));
  PetscCall(MrOutputAttrString(out, "options", opts));
  PetscCall(PetscFree(opts));
  PetscCall(MrOutputAttrString(out, "program", "mrdyn"));
  PetscCall(MrOutputAttrString(out, "verb", verb));
  PetscCall(MrOutputAttrString(out, "version", MRDYN_VERSION));
  PetscCall(MrOutputAttrString(out, "git_commit", MRDYN_GIT_COMMIT));
  PetscCall(MrOutputAttrString(out, "model_file", modelFile));
  PetscCall(MrOutputAttrString(out, "model_hash", modelHash));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputWriteChannelMap(MrOutput out, PetscInt C, const PetscInt target[], const PetscInt source[])
{
  long long *ib;
  hsize_t    dc = (hsize_t)C;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(C + 1, &ib));
  for (PetscInt c = 0; c < C; c++) ib[c] = target[c];
  PetscCall(MrOutputWriteRoot(out, "/channel/target", H5T_NATIVE_LLONG, 1, &dc, ib));
  for (PetscInt c = 0; c < C; c++) ib[c] = source[c];
  PetscCall(MrOutputWriteRoot(out, "/channel/source", H5T_NATIVE_LLONG, 1, &dc, ib));
  PetscCall(PetscFree(ib));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Opens an existing file with the MPI-IO driver; ok is the same on every rank, and
   so is why (rank 0's reason) when it is false. */
static PetscErrorCode MrOutputOpenFile(MPI_Comm comm, const char path[], unsigned flags, const char file[], MrOutput *outp, PetscBool *ok, char why[256])
{
  MrOutput out;
  hid_t    fapl;
  int      okl, oka;

  PetscFunctionBegin;
  PetscCall(PetscNew(&out));
  out->comm = comm;
  PetscCallMPI(MPI_Comm_rank(comm, &out->rank));
  PetscCall(PetscStrncpy(out->path, path, sizeof(out->path)));
  PetscCall(PetscStrncpy(out->partial, file, sizeof(out->partial)));
  PetscCallH5(fapl = H5Pcreate(H5P_FILE_ACCESS));
  PetscCallH5(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL));
  /* not an HDF5 file (an empty one too): never opened, as H5Fopen with write access would make it one */
  out->file = access(file, F_OK) == 0 && H5Fis_hdf5(file) > 0 ? H5Fopen(file, flags, fapl) : -1;
  PetscCallH5(H5Pclose(fapl));
  okl = out->file >= 0;
  PetscCallMPI(MPI_Allreduce(&okl, &oka, 1, MPI_INT, MPI_MIN, comm));
  if (!oka) {
    why[0] = 0;
    if (out->rank == 0 && out->file < 0) {
      if (access(file, F_OK) != 0)
        PetscCall(PetscStrncpy(why, "it does not exist", 256));
      else if (H5Fis_hdf5(file) <= 0)
        PetscCall(PetscStrncpy(why, "it is not an HDF5 file", 256));
      else {
        char r[200];
        PetscCall(MrH5ErrorReason(r, sizeof(r)));
        PetscCall(PetscSNPrintf(why, 256, "it is damaged or truncated (%s)", r));
      }
    } else if (out->rank == 0)
      PetscCall(PetscStrncpy(why, "another rank could not open it", 256));
    PetscCallMPI(MPI_Bcast(why, 256, MPI_CHAR, 0, comm));
    if (out->file >= 0) H5Fclose(out->file);
    PetscCall(PetscFree(out));
    *ok = PETSC_FALSE;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCallH5(out->dxpl = H5Pcreate(H5P_DATASET_XFER));
  PetscCallH5(H5Pset_dxpl_mpio(out->dxpl, H5FD_MPIO_COLLECTIVE));
  *ok   = PETSC_TRUE;
  *outp = out;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputReopen(MPI_Comm comm, const char path[], MrOutput *outp)
{
  char      partial[PETSC_MAX_PATH_LEN + 16], why[256];
  PetscBool ok;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(partial, sizeof(partial), "%s.partial", path));
  PetscCall(MrOutputOpenFile(comm, path, H5F_ACC_RDWR, partial, outp, &ok, why));
  MrCheckInput(comm, ok, "restart: the interrupted output '%s' cannot be opened: %s (a restart continues the output of the run that wrote the checkpoint)", partial, why);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Broadcasts a string rank 0 holds (others receive an allocated copy). */
static PetscErrorCode MrBcastString(MPI_Comm comm, char **s)
{
  PetscMPIInt rank;
  long long   n;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  n = rank == 0 && *s ? (long long)strlen(*s) + 1 : 0;
  PetscCallMPI(MPI_Bcast(&n, 1, MPI_LONG_LONG, 0, comm));
  if (rank != 0) {
    *s = NULL;
    if (n) PetscCall(PetscMalloc1(n, s));
  }
  if (n) PetscCallMPI(MPI_Bcast(*s, (int)n, MPI_CHAR, 0, comm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputReopenChecked(MPI_Comm comm, const char path[], const char manifest[], MrOutput *outp)
{
  char          partial[PETSC_MAX_PATH_LEN + 16], msg[1024] = "", why[800] = "", *extras = NULL;
  PetscMPIInt   rank;
  PetscBool     ok;
  MrOutput      out;
  PetscInt      n;
  MrOutputItem *items;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscSNPrintf(partial, sizeof(partial), "%s.partial", path));
  if (rank == 0) {
    if (access(partial, F_OK) != 0)
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "restart: the interrupted output '%s' is missing (a restart continues the output of the run that wrote the checkpoint)", partial));
    else {
      PetscCall(MrManifestCheckFile(partial, manifest, &extras, why, sizeof(why)));
      if (why[0]) PetscCall(PetscSNPrintf(msg, sizeof(msg), "restart: the interrupted output '%s' is damaged: %s; it cannot be continued: start the run again without -restart (with -force, which replaces the checkpoint)", partial, why));
    }
  }
  if (msg[0]) free(extras);
  PetscCall(MrShareStatus(comm, (PetscBool)!msg[0], msg));
  PetscCall(MrManifestParse(manifest, &n, &items)); /* well formed: rank 0 has read it */
  if (rank == 0 && extras) {                        /* PetscMalloc'd copy for the broadcast */
    char *e;
    PetscCall(PetscStrallocpy(extras, &e));
    free(extras);
    extras = e;
  }
  PetscCall(MrBcastString(comm, &extras));
  {
    char whyOpen[256];
    PetscCall(MrOutputOpenFile(comm, path, H5F_ACC_RDWR, partial, &out, &ok, whyOpen));
    MrCheckInput(comm, ok, "restart: the interrupted output '%s' cannot be opened: %s", partial, whyOpen);
  }
  /* what was written after the checkpoint goes (it is written again) */
  for (char *line = extras, *next; line && *line; line = next) {
    next = strchr(line, '\n');
    if (next)
      *next++ = 0;
    else
      next = line + strlen(line);
    if (line[0] == '@')
      PetscCallH5(H5Adelete(out->file, line + 1));
    else
      PetscCallH5(H5Ldelete(out->file, line, H5P_DEFAULT));
  }
  PetscCall(PetscFree(extras));
  out->items    = items;
  out->nitems   = n;
  out->maxitems = n;
  if (rank != 0) /* the recorded checksums are counted once, on rank 0 */
    for (PetscInt k = 0; k < n; k++) out->items[k].sum = 0;
  out->recorded = PETSC_TRUE;
  *outp         = out;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputGetManifest(MrOutput out, char **manifest)
{
  uint64_t *sum;
  size_t    len = 64, used = 0;
  char     *s;

  PetscFunctionBegin;
  for (PetscInt k = 0; k < out->nseries; k++) PetscCall(MrSeriesFlush(out->series[k]));
  PetscCall(PetscMalloc1(out->nitems + 1, &sum));
  for (PetscInt k = 0; k < out->nitems; k++) sum[k] = out->items[k].sum;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, sum, (int)out->nitems, MPI_UINT64_T, MPI_SUM, out->comm));
  for (PetscInt k = 0; k < out->nitems; k++) len += strlen(out->items[k].name) + 96;
  PetscCall(PetscMalloc1(len, &s));
  used += (size_t)snprintf(s, len, "mrdyn manifest 1\n");
  for (PetscInt k = 0; k < out->nitems; k++) {
    const MrOutputItem *it = &out->items[k];
    if (it->dataset)
      used += (size_t)snprintf(s + used, len - used, "D %016" PRIx64 " %llu %d %llu %s\n", sum[k], (unsigned long long)it->rows, it->ndims, (unsigned long long)it->rowsize, it->name);
    else
      used += (size_t)snprintf(s + used, len - used, "A %016" PRIx64 " %s\n", sum[k], it->name);
  }
  PetscCall(PetscFree(sum));
  out->recorded = PETSC_TRUE;
  *manifest     = s;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputVerify(MPI_Comm comm, const char path[], const char attr[], const char what[], PetscBool *has)
{
  PetscMPIInt rank;
  char        msg[1024] = "", why[800] = "";
  int         found = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0 && access(path, R_OK) == 0 && H5Fis_hdf5(path) > 0) {
    hid_t f   = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    char *man = NULL;
    if (f >= 0 && H5Aexists(f, attr) > 0) {
      hid_t a = H5Aopen(f, attr, H5P_DEFAULT), t = a >= 0 ? H5Aget_type(a) : -1;
      if (t >= 0 && H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) == 0) {
        size_t sz = H5Tget_size(t);
        man       = (char *)calloc(sz + 1, 1);
        if (man && H5Aread(a, t, man) < 0) {
          free(man);
          man = NULL;
        }
      }
      if (t >= 0) H5Tclose(t);
      if (a >= 0) H5Aclose(a);
      found = 1;
      if (!man) PetscCall(PetscSNPrintf(why, sizeof(why), "its attribute %s cannot be read", attr));
    }
    if (f >= 0) H5Fclose(f);
    if (man) PetscCall(MrManifestCheckFile(path, man, NULL, why, sizeof(why)));
    free(man);
    if (why[0]) PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s%s'%s' is damaged: %s", what ? what : "", what ? " " : "", path, why));
  }
  PetscCall(MrShareStatus(comm, (PetscBool)!msg[0], msg));
  PetscCallMPI(MPI_Bcast(&found, 1, MPI_INT, 0, comm));
  *has = (PetscBool)found;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputGetAttrStringAlloc(MrOutput out, const char name[], char **value)
{
  char *v = NULL;
  int   okl, ok;

  PetscFunctionBegin;
  *value = NULL;
  { /* every rank reads the same attribute */
    hid_t a = H5Aexists(out->file, name) > 0 ? H5Aopen(out->file, name, H5P_DEFAULT) : -1, t = a >= 0 ? H5Aget_type(a) : -1;
    okl = t >= 0 && H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) == 0;
    if (okl) {
      size_t sz = H5Tget_size(t);
      PetscCall(PetscCalloc1(sz + 1, &v));
      okl = H5Aread(a, t, v) >= 0;
    }
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
  }
  PetscCallMPI(MPI_Allreduce(&okl, &ok, 1, MPI_INT, MPI_MIN, out->comm));
  if (!ok) PetscCall(PetscFree(v));
  MrCheckInput(out->comm, ok, "'%s': attribute %s is missing or not a string", out->partial, name);
  *value = v;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputOpenRead(MPI_Comm comm, const char path[], MrOutput *outp)
{
  PetscBool ok;
  char      why[256];

  PetscFunctionBegin;
  PetscCall(MrOutputOpenFile(comm, path, H5F_ACC_RDONLY, path, outp, &ok, why));
  MrCheckInput(comm, ok, "cannot open '%s': %s", path, why);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputFlush(MrOutput out)
{
  PetscFunctionBegin;
  for (PetscInt k = 0; k < out->nseries; k++) PetscCall(MrSeriesFlush(out->series[k]));
  PetscCallH5(H5Fflush(out->file, H5F_SCOPE_GLOBAL));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputClosePartial(MrOutput *outp)
{
  MrOutput out = *outp;

  PetscFunctionBegin;
  if (!out) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt k = 0; k < out->nseries; k++) PetscCall(MrSeriesFlush(out->series[k]));
  PetscCall(MrOutputClose(out));
  PetscCall(PetscFree(out));
  *outp = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Selects the pieces in the file space (or nothing) and makes the memory space. */
static PetscErrorCode MrSelectPieces(hid_t fs, int ndims, const hsize_t dims[], PetscInt npieces, const hsize_t r0[], const hsize_t nr[], hid_t *ms)
{
  hsize_t total = 0, start[8] = {0}, count[8], row = 1;

  PetscFunctionBegin;
  PetscCheck(ndims >= 1 && ndims <= 8, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "unsupported rank %d", ndims);
  for (int k = 1; k < ndims; k++) {
    count[k] = dims[k];
    row *= dims[k];
  }
  PetscCallH5(H5Sselect_none(fs));
  for (PetscInt p = 0; p < npieces; p++) {
    if (!nr[p]) continue;
    start[0] = r0[p];
    count[0] = nr[p];
    PetscCheck(r0[p] + nr[p] <= dims[0], PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "piece beyond the dataset");
    PetscCallH5(H5Sselect_hyperslab(fs, H5S_SELECT_OR, start, NULL, count, NULL));
    total += nr[p] * row;
  }
  PetscCallH5(*ms = H5Screate_simple(1, total ? &total : (hsize_t[]){1}, NULL));
  if (!total) PetscCallH5(H5Sselect_none(*ms));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputWritePieces(MrOutput out, const char name[], int ndims, const hsize_t dims[], PetscInt npieces, const hsize_t r0[], const hsize_t nr[], const double *data)
{
  hid_t    d, fs, ms;
  PetscInt item;
  size_t   off = 0;

  PetscFunctionBegin;
  PetscCall(MrOutputCreateDataset(out, name, H5T_NATIVE_DOUBLE, ndims, dims, H5P_DEFAULT, NULL, &d, &item));
  for (PetscInt p = 0; p < npieces; p++) {
    const hsize_t rs = out->items[item].rowsize;
    MrOutputHash(out, item, r0[p] * rs, (size_t)(nr[p] * rs), data + off);
    off += (size_t)(nr[p] * rs);
  }
  PetscCallH5(fs = H5Dget_space(d));
  PetscCall(MrSelectPieces(fs, ndims, dims, npieces, r0, nr, &ms));
  PetscCallH5(H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, fs, out->dxpl, data));
  PetscCallH5(H5Sclose(ms));
  PetscCallH5(H5Sclose(fs));
  PetscCallH5(H5Dclose(d));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode MrOutputReadPiecesCheck(MrOutput out, const char name[], int ndims, const hsize_t dims[], PetscInt npieces, const hsize_t r0[], const hsize_t nr[], double *data, PetscBool finite)
{
  hid_t   d, fs = -1, ms;
  hsize_t have[8];
  int     okl = 1, ok;

  PetscFunctionBegin;
  d = H5Lexists(out->file, name, H5P_DEFAULT) > 0 ? H5Dopen2(out->file, name, H5P_DEFAULT) : -1;
  if (d >= 0) {
    hid_t       t   = H5Dget_type(d);
    H5T_class_t cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    if (t >= 0) H5Tclose(t);
    /* numbers only: a string, compound or enum dataset has no conversion to double,
       and HDF5 would fail inside the collective read */
    fs  = H5Dget_space(d);
    okl = fs >= 0 && (cls == H5T_FLOAT || cls == H5T_INTEGER) && H5Sget_simple_extent_ndims(fs) == ndims;
    if (okl) okl = H5Sget_simple_extent_dims(fs, have, NULL) == ndims;
    for (int k = 0; okl && k < ndims; k++) okl = have[k] == dims[k];
  } else
    okl = 0;
  PetscCallMPI(MPI_Allreduce(&okl, &ok, 1, MPI_INT, MPI_MIN, out->comm));
  if (!ok) {
    if (fs >= 0) H5Sclose(fs);
    if (d >= 0) H5Dclose(d);
    MrCheckInput(out->comm, PETSC_FALSE, "'%s': dataset %s is missing, not numeric or has the wrong shape", out->partial, name);
  }
  PetscCall(MrSelectPieces(fs, ndims, dims, npieces, r0, nr, &ms));
  okl = H5Dread(d, H5T_NATIVE_DOUBLE, ms, fs, out->dxpl, data) >= 0 ? 1 : 0;
  if (okl && finite) { /* a state: NaN or Inf is damage */
    const hssize_t n = H5Sget_select_npoints(ms);
    for (hssize_t i = 0; i < n && okl == 1; i++)
      if (!isfinite(data[i])) okl = -1;
  }
  PetscCallMPI(MPI_Allreduce(&okl, &ok, 1, MPI_INT, MPI_MIN, out->comm));
  H5Sclose(ms);
  H5Sclose(fs);
  H5Dclose(d);
  MrCheckInput(out->comm, ok == 1, "'%s': dataset %s %s (a damaged file)", out->partial, name, ok == 0 ? "cannot be read" : "holds a non-finite value");
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputReadPieces(MrOutput out, const char name[], int ndims, const hsize_t dims[], PetscInt npieces, const hsize_t r0[], const hsize_t nr[], double *data)
{
  PetscFunctionBegin;
  PetscCall(MrOutputReadPiecesCheck(out, name, ndims, dims, npieces, r0, nr, data, PETSC_FALSE));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputReadPiecesFinite(MrOutput out, const char name[], int ndims, const hsize_t dims[], PetscInt npieces, const hsize_t r0[], const hsize_t nr[], double *data)
{
  PetscFunctionBegin;
  PetscCall(MrOutputReadPiecesCheck(out, name, ndims, dims, npieces, r0, nr, data, PETSC_TRUE));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Reads a root attribute into buf (type mem); ok the same on every rank. */
static PetscErrorCode MrOutputGetAttr(MrOutput out, const char name[], hid_t mem, void *buf)
{
  hid_t       a, t = -1, sp = -1;
  H5T_class_t want = H5Tget_class(mem), cls = H5T_NO_CLASS;
  int         okl, ok;

  PetscFunctionBegin;
  a = H5Aexists(out->file, name) > 0 ? H5Aopen(out->file, name, H5P_DEFAULT) : -1;
  if (a >= 0 && (t = H5Aget_type(a)) >= 0) cls = H5Tget_class(t);
  if (a >= 0) sp = H5Aget_space(a);
  /* one value of the class wanted (an integer for an integer, a number for a float, a
     fixed-length string for a string): more values would overrun buf, and HDF5's
     conversions would change a value silently (1.5 read as 1) */
  okl = sp >= 0 && H5Sget_simple_extent_npoints(sp) == 1 && (cls == want || (want == H5T_FLOAT && cls == H5T_INTEGER)) && !(cls == H5T_STRING && H5Tis_variable_str(t) > 0);
  okl = okl && H5Aread(a, mem, buf) >= 0;
  if (sp >= 0) H5Sclose(sp);
  if (t >= 0) H5Tclose(t);
  if (a >= 0) H5Aclose(a);
  PetscCallMPI(MPI_Allreduce(&okl, &ok, 1, MPI_INT, MPI_MIN, out->comm));
  MrCheckInput(out->comm, ok, "'%s': attribute %s is missing, unreadable or not one %s", out->partial, name, want == H5T_STRING ? "string" : want == H5T_INTEGER ? "integer" : "number");
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputGetAttrReal(MrOutput out, const char name[], PetscReal *value)
{
  double v;

  PetscFunctionBegin;
  PetscCall(MrOutputGetAttr(out, name, H5T_NATIVE_DOUBLE, &v));
  *value = v;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputGetAttrInt(MrOutput out, const char name[], PetscInt64 *value)
{
  long long v;

  PetscFunctionBegin;
  PetscCall(MrOutputGetAttr(out, name, H5T_NATIVE_LLONG, &v));
  *value = v;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutputGetAttrString(MrOutput out, const char name[], char value[], size_t len)
{
  hid_t t;

  PetscFunctionBegin;
  PetscCallH5(t = H5Tcopy(H5T_C_S1));
  PetscCallH5(H5Tset_size(t, len));
  PetscCallH5(H5Tset_strpad(t, H5T_STR_NULLTERM));
  PetscCall(MrOutputGetAttr(out, name, t, value));
  PetscCallH5(H5Tclose(t));
  value[len - 1] = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}
