/* Manifests: what an output holds (each dataset's rows and each attribute, with a
   checksum of the values), so that a restart finds out whether the interrupted
   output is still what its checkpoint recorded. Rank-0, serial HDF5. */
#include "io_impl.h"
#include <stdlib.h>
#include <inttypes.h>

PetscErrorCode MrManifestParse(const char text[], PetscInt *n, MrOutputItem **items)
{
  PetscInt      cnt = 0, k = 0;
  MrOutputItem *it;
  const char   *p;

  PetscFunctionBegin;
  *n     = -1;
  *items = NULL;
  if (!text || strncmp(text, "mrdyn manifest 1\n", 17)) PetscFunctionReturn(PETSC_SUCCESS);
  for (p = text + 17; *p; p++) cnt += *p == '\n';
  PetscCall(PetscCalloc1(cnt + 1, &it));
  for (p = text + 17; *p && k <= cnt;) {
    const char *e = strchr(p, '\n');
    char        line[512], kind;
    uint64_t    sum;
    int         used = 0;
    size_t      l    = e ? (size_t)(e - p) : strlen(p);
    if (l >= sizeof(line)) break;
    memcpy(line, p, l);
    line[l] = 0;
    p += l + (e ? 1 : 0);
    if (sscanf(line, "%c %" SCNx64 " %n", &kind, &sum, &used) < 2 || !used) break;
    it[k].sum = sum;
    if (kind == 'D') {
      unsigned long long rows, rowsize;
      int                nd, used2 = 0;
      if (sscanf(line + used, "%llu %d %llu %n", &rows, &nd, &rowsize, &used2) < 3 || !used2 || nd < 1 || nd > 8) break;
      it[k].dataset = 1;
      it[k].rows    = rows;
      it[k].ndims   = nd;
      it[k].rowsize = rowsize;
      used += used2;
    } else if (kind != 'A')
      break;
    if (!line[used] || strlen(line + used) >= sizeof(it[k].name)) break;
    strcpy(it[k].name, line + used);
    k++;
  }
  if (*p) { /* stopped early: malformed */
    PetscCall(PetscFree(it));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  *n     = k;
  *items = it;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The checksum of a dataset's first rows (msg set when it cannot be read). */
static PetscErrorCode MrManifestHashDataset(hid_t f, const MrOutputItem *it, uint64_t *sum, char msg[], size_t len)
{
  hid_t       d = H5Dopen2(f, it->name, H5P_DEFAULT), sp = -1, ft = -1, mem;
  int         nd, shape;
  hsize_t     dims[8], rowsize = 1;
  H5T_class_t cls;

  PetscFunctionBegin;
  *sum = 0;
  if (d < 0) {
    PetscCall(PetscSNPrintf(msg, len, "dataset %s is missing or cannot be opened", it->name));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  sp    = H5Dget_space(d);
  ft    = H5Dget_type(d);
  cls   = ft >= 0 ? H5Tget_class(ft) : H5T_NO_CLASS;
  nd    = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
  shape = nd == it->ndims && nd >= 1 && nd <= 8 && H5Sget_simple_extent_dims(sp, dims, NULL) == nd; /* MrOutput writes no scalars */
  for (int k = 1; shape && k < nd; k++) rowsize *= dims[k];
  mem = cls == H5T_FLOAT ? H5T_NATIVE_DOUBLE : H5T_NATIVE_LLONG;
  if ((cls != H5T_FLOAT && cls != H5T_INTEGER) || ft < 0 || H5Tget_size(ft) != 8)
    PetscCall(PetscSNPrintf(msg, len, "dataset %s does not hold 8-byte numbers", it->name));
  else if (!shape || rowsize != it->rowsize)
    PetscCall(PetscSNPrintf(msg, len, "dataset %s has another shape than the one written", it->name));
  else if (dims[0] < it->rows)
    PetscCall(PetscSNPrintf(msg, len, "dataset %s holds %llu rows, fewer than the %llu recorded", it->name, (unsigned long long)dims[0], (unsigned long long)it->rows));
  else if (rowsize && it->rows) {
    hsize_t  per = PetscMax(1, (hsize_t)(1 << 20) / rowsize), start[8] = {0}, count[8];
    uint64_t s   = 0;
    void    *buf = malloc((size_t)(PetscMin(per, PetscMax(it->rows, 1)) * rowsize) * 8);
    for (int k = 1; k < nd; k++) count[k] = dims[k];
    for (hsize_t r0 = 0; buf && r0 < it->rows && !msg[0]; r0 += per) {
      hsize_t nr = PetscMin(per, it->rows - r0), n = nr * rowsize;
      hid_t   ms = H5Screate_simple(1, &n, NULL);
      start[0]   = r0;
      count[0]   = nr;
      if (ms < 0 || H5Sselect_hyperslab(sp, H5S_SELECT_SET, start, NULL, count, NULL) < 0 || H5Dread(d, mem, ms, sp, H5P_DEFAULT, buf) < 0)
        PetscCall(PetscSNPrintf(msg, len, "dataset %s cannot be read (rows %llu to %llu)", it->name, (unsigned long long)r0, (unsigned long long)(r0 + nr - 1)));
      else
        for (hsize_t k = 0; k < n; k++) {
          uint64_t bits;
          memcpy(&bits, (char *)buf + 8 * k, 8);
          s += MrValueHash(r0 * rowsize + k, bits);
        }
      if (ms >= 0) H5Sclose(ms);
    }
    if (!buf) PetscCall(PetscSNPrintf(msg, len, "dataset %s: out of memory while checking it", it->name));
    free(buf);
    *sum = s;
  }
  if (ft >= 0) H5Tclose(ft);
  if (sp >= 0) H5Sclose(sp);
  H5Dclose(d);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The checksum of an attribute "obj@name" as MrOutput wrote it (msg set when it cannot be read). */
static PetscErrorCode MrManifestHashAttr(hid_t f, const MrOutputItem *it, uint64_t *sum, char msg[], size_t len)
{
  char        obj[288];
  const char *at = strrchr(it->name, '@');
  hid_t       a = -1, t = -1, sp = -1;
  H5T_class_t cls;
  hssize_t    n;

  PetscFunctionBegin;
  *sum = 0;
  if (!at) {
    PetscCall(PetscSNPrintf(msg, len, "malformed record %s", it->name));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  memcpy(obj, it->name, (size_t)(at - it->name));
  obj[at - it->name] = 0;
  if (!obj[0]) strcpy(obj, "/");
  if ((strcmp(obj, "/") && !MrH5Exists(f, obj)) || H5Aexists_by_name(f, obj, at + 1, H5P_DEFAULT) <= 0) {
    PetscCall(PetscSNPrintf(msg, len, "attribute %s is missing", it->name[0] == '@' ? it->name + 1 : it->name));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  a   = H5Aopen_by_name(f, obj, at + 1, H5P_DEFAULT, H5P_DEFAULT);
  t   = a >= 0 ? H5Aget_type(a) : -1;
  sp  = a >= 0 ? H5Aget_space(a) : -1;
  cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
  n   = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
  if (cls == H5T_STRING && H5Tis_variable_str(t) == 0 && n == 1) {
    size_t sz  = H5Tget_size(t);
    char  *buf = (char *)calloc(sz + 1, 1);
    if (buf && H5Aread(a, t, buf) >= 0)
      *sum = MrBytesHash(buf, sz);
    else
      PetscCall(PetscSNPrintf(msg, len, "attribute %s cannot be read", it->name));
    free(buf);
  } else if ((cls == H5T_FLOAT || cls == H5T_INTEGER) && n >= 0 && n < (1 << 26)) {
    uint64_t *buf = (uint64_t *)malloc((size_t)(n + 1) * 8);
    if (buf && H5Aread(a, cls == H5T_FLOAT ? H5T_NATIVE_DOUBLE : H5T_NATIVE_LLONG, buf) >= 0)
      for (hssize_t k = 0; k < n; k++) *sum += MrValueHash((uint64_t)k, buf[k]);
    else
      PetscCall(PetscSNPrintf(msg, len, "attribute %s cannot be read", it->name));
    free(buf);
  } else
    PetscCall(PetscSNPrintf(msg, len, "attribute %s has another type than the one written", it->name));
  if (sp >= 0) H5Sclose(sp);
  if (t >= 0) H5Tclose(t);
  if (a >= 0) H5Aclose(a);
  PetscFunctionReturn(PETSC_SUCCESS);
}

typedef struct {
  const MrOutputItem *items;
  PetscInt            n;
  char               *s;
  size_t              len, cap;
  int                 fail;
} MrExtras;

static void MrExtrasAdd(MrExtras *x, const char prefix[], const char name[])
{
  size_t need = strlen(prefix) + strlen(name) + 2;
  if (x->len + need + 1 > x->cap) {
    size_t cap = 2 * (x->cap + need) + 64;
    char  *s   = (char *)realloc(x->s, cap);
    if (!s) {
      x->fail = 1;
      return;
    }
    x->s   = s;
    x->cap = cap;
  }
  x->len += (size_t)sprintf(x->s + x->len, "%s%s\n", prefix, name);
}

static PetscBool MrListed(const MrExtras *x, const char prefix[], const char name[], int dataset)
{
  size_t lp = strlen(prefix);
  for (PetscInt k = 0; k < x->n; k++)
    if (x->items[k].dataset == dataset && !strncmp(x->items[k].name, prefix, lp) && !strcmp(x->items[k].name + lp, name)) return PETSC_TRUE;
  return PETSC_FALSE;
}

/* Whether a group holds a listed dataset or attribute ("/name/..." or "/name@..."). */
static PetscBool MrGroupListed(const MrExtras *x, const char name[])
{
  size_t l = strlen(name);
  for (PetscInt k = 0; k < x->n; k++) {
    const char *s = x->items[k].name;
    if (s[0] == '/' && !strncmp(s + 1, name, l) && (s[1 + l] == '/' || s[1 + l] == '@')) return PETSC_TRUE;
  }
  return PETSC_FALSE;
}

/* Whether an object lies in a group already taken as an extra (it goes with it). */
static PetscBool MrInExtra(const MrExtras *x, const char name[])
{
  for (const char *p = x->s; p && *p;) {
    const char *e = strchr(p, '\n');
    size_t      l = (size_t)(e - p);
    if (l > 1 && !strncmp(p + 1, name, l - 1) && name[l - 1] == '/') return PETSC_TRUE;
    p = e + 1;
  }
  return PETSC_FALSE;
}

static herr_t MrExtraObject(hid_t loc, const char *name, const H5O_info_t *info, void *data)
{
  MrExtras *x = (MrExtras *)data;
  if (!strcmp(name, ".") || MrInExtra(x, name)) return 0;
  if (info->type == H5O_TYPE_DATASET && !MrListed(x, "/", name, 1)) MrExtrasAdd(x, "/", name);
  /* a group written after the manifest (with its attributes) goes as a whole */
  if (info->type == H5O_TYPE_GROUP && !MrGroupListed(x, name)) MrExtrasAdd(x, "/", name);
  return 0;
}

static herr_t MrExtraAttr(hid_t loc, const char *name, const H5A_info_t *info, void *data)
{
  MrExtras *x = (MrExtras *)data;
  if (!MrListed(x, "@", name, 0)) MrExtrasAdd(x, "@", name);
  return 0;
}

PetscErrorCode MrManifestCheckFile(const char file[], const char manifest[], char **extras, char msg[], size_t len)
{
  PetscInt      n;
  MrOutputItem *items;
  hid_t         f;

  PetscFunctionBegin;
  msg[0] = 0;
  if (extras) *extras = NULL;
  PetscCall(MrManifestParse(manifest, &n, &items));
  if (n < 0) {
    PetscCall(PetscSNPrintf(msg, len, "its record of what was written is malformed"));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  f = H5Fis_hdf5(file) > 0 ? H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
  if (f < 0) {
    PetscCall(PetscSNPrintf(msg, len, "it cannot be opened as an HDF5 file (truncated or overwritten?)"));
    PetscCall(PetscFree(items));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  for (PetscInt k = 0; k < n && !msg[0]; k++) {
    uint64_t sum = 0;
    if (items[k].dataset) {
      if (!MrH5Exists(f, items[k].name))
        PetscCall(PetscSNPrintf(msg, len, "dataset %s is missing", items[k].name));
      else
        PetscCall(MrManifestHashDataset(f, &items[k], &sum, msg, len));
    } else
      PetscCall(MrManifestHashAttr(f, &items[k], &sum, msg, len));
    if (!msg[0] && sum != items[k].sum) {
      if (items[k].dataset)
        PetscCall(PetscSNPrintf(msg, len, "dataset %s differs from what was written (checksum of its first %llu rows)", items[k].name, (unsigned long long)items[k].rows));
      else
        PetscCall(PetscSNPrintf(msg, len, "attribute %s differs from what was written", items[k].name[0] == '@' ? items[k].name + 1 : items[k].name));
    }
  }
  if (!msg[0] && extras) {
    MrExtras x = {items, n, NULL, 0, 0, 0};
    if (H5Ovisit(f, H5_INDEX_NAME, H5_ITER_INC, MrExtraObject, &x) < 0 || H5Aiterate2(f, H5_INDEX_NAME, H5_ITER_INC, NULL, MrExtraAttr, &x) < 0 || x.fail) PetscCall(PetscSNPrintf(msg, len, "its objects cannot be listed"));
    if (msg[0])
      free(x.s);
    else
      *extras = x.s;
  }
  H5Fclose(f);
  PetscCall(PetscFree(items));
  PetscFunctionReturn(PETSC_SUCCESS);
}
