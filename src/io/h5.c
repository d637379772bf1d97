/* Serial HDF5 helpers (rank-0 reading of model and run files, model writing). */
#include <mrdyn/io.h>
#include <stdlib.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

/* input datasets read whole on one rank: a bigger one is a damaged shape, not data */
#define MR_H5_MAX_ELEMENTS ((hsize_t)PETSC_MAX_INT) /* and its sizes fit a PetscInt */

PetscBool MrH5Exists(hid_t file, const char name[])
{
  /* check each path component so that a missing group is not an error */
  char   buf[256];
  size_t n = strlen(name);
  if (n >= sizeof(buf)) return PETSC_FALSE;
  for (size_t i = 1; i <= n; i++) {
    if (name[i] == '/' || name[i] == 0) {
      memcpy(buf, name, i);
      buf[i] = 0;
      if (H5Lexists(file, buf, H5P_DEFAULT) <= 0) return PETSC_FALSE;
    }
  }
  return PETSC_TRUE;
}

/* The innermost entry of HDF5's error stack: where the library found the problem
   ("truncated file: eof = ...", "bad object header version number"), the words a
   user can act on; the stack is cleared. */
static herr_t MrH5FirstError(unsigned n, const H5E_error2_t *e, void *ctx)
{
  char *buf = (char *)ctx;
  if (n == 0 && e->desc && e->desc[0]) snprintf(buf, 256, "%s", e->desc);
  return 0;
}

PetscErrorCode MrH5ErrorReason(char buf[], size_t len)
{
  char first[256] = "";

  PetscFunctionBegin;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, MrH5FirstError, first);
  H5Eclear2(H5E_DEFAULT);
  PetscCall(PetscStrncpy(buf, first[0] ? first : "HDF5 gives no reason", len));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* HDF5 1.10 loops forever when it reads variable-length data (h5py's string
   attributes) from a global heap collection whose objects were zeroed: an object 0
   of size 0 makes its parser (H5HG__cache_heap_deserialize) stand still. Each
   collection ("GCOL", version 1) in a file of up to MR_H5_SCAN_MAX bytes is walked
   here as HDF5 walks it; false when one would not advance. Lengths are 8 bytes
   (HDF5's default; h5py and mrdyn write no other). */
#define MR_H5_SCAN_MAX ((size_t)256 << 20)
static PetscBool MrH5GlobalHeapsAdvance(const char path[], size_t size)
{
  FILE          *fp;
  unsigned char *b;
  PetscBool      ok = PETSC_TRUE;

  if (size < 16 || size > MR_H5_SCAN_MAX || !(fp = fopen(path, "rb"))) return PETSC_TRUE;
  if (!(b = malloc(size))) {
    fclose(fp);
    return PETSC_TRUE;
  }
  if (fread(b, 1, size, fp) != size) size = 0;
  fclose(fp);
  for (size_t i = 0; ok && i + 16 <= size; i++) {
    uint64_t len = 0;
    size_t   p, end;
    if (memcmp(b + i, "GCOL", 4) || b[i + 4] != 1) continue;
    for (int k = 7; k >= 0; k--) len = len << 8 | b[i + 8 + k];
    if (len < 16 || len > size - i) continue; /* HDF5 refuses such a collection itself */
    end = i + (size_t)len;
    for (p = i + 16; p + 16 <= end;) { /* object headers: index (2), references (2), reserved (4), size (8) */
      unsigned idx = (unsigned)b[p] | (unsigned)b[p + 1] << 8;
      uint64_t osz = 0, need;
      for (int k = 7; k >= 0; k--) osz = osz << 8 | b[p + 8 + k];
      need = idx ? 16 + ((osz + 7) & ~(uint64_t)7) : osz;
      if (!need) {
        ok = PETSC_FALSE;
        break;
      }
      if (need > end - p) break;
      p += (size_t)need;
    }
  }
  free(b);
  return ok;
}

PetscErrorCode MrH5OpenRead(const char path[], const char what[], hid_t *file, char msg[], size_t len)
{
  struct stat st;
  htri_t      is;
  char        why[256];

  PetscFunctionBegin;
  *file  = -1;
  msg[0] = 0;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* failures are reported here, not on stderr by HDF5 */
  if (stat(path, &st) != 0) {
    PetscCall(PetscSNPrintf(msg, len, "%s '%s' does not exist", what, path));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (S_ISDIR(st.st_mode) || access(path, R_OK) != 0) {
    PetscCall(PetscSNPrintf(msg, len, "%s '%s' %s", what, path, S_ISDIR(st.st_mode) ? "is a directory" : "cannot be read (permissions)"));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  is = H5Fis_hdf5(path);
  if (is <= 0) {
    H5Eclear2(H5E_DEFAULT);
    PetscCall(PetscSNPrintf(msg, len, "%s '%s' is not an HDF5 file%s", what, path, st.st_size ? "" : " (it is empty)"));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (!MrH5GlobalHeapsAdvance(path, (size_t)st.st_size)) {
    PetscCall(PetscSNPrintf(msg, len, "%s '%s' is damaged: a global heap (where variable-length strings are kept) has an object of size 0, on which HDF5 would never finish reading", what, path));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  *file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (*file < 0) {
    PetscCall(MrH5ErrorReason(why, sizeof(why)));
    PetscCall(PetscSNPrintf(msg, len, "%s '%s' is damaged or truncated: HDF5 cannot open it (%s)", what, path, why));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrH5ReadDataset(hid_t file, const char name[], hid_t memtype, int *rank, hsize_t dims[], void **data, char msg[], size_t len)
{
  hid_t       d, sp, ft;
  H5T_class_t cls;
  int         r;
  hsize_t     n = 1;

  PetscFunctionBegin;
  *data  = NULL;
  msg[0] = 0;
  if (!MrH5Exists(file, name)) {
    PetscCall(PetscSNPrintf(msg, len, "dataset %s is missing", name));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  d = H5Dopen2(file, name, H5P_DEFAULT);
  if (d < 0) {
    PetscCall(PetscSNPrintf(msg, len, "%s is not a dataset", name));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  sp  = H5Dget_space(d);
  ft  = H5Dget_type(d);
  cls = ft >= 0 ? H5Tget_class(ft) : H5T_NO_CLASS;
  r   = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
  if (r < 0 || r > 4)
    PetscCall(PetscSNPrintf(msg, len, "dataset %s has an unsupported rank or an unreadable shape", name));
  else if (cls != H5T_INTEGER && cls != H5T_FLOAT)
    PetscCall(PetscSNPrintf(msg, len, "dataset %s is not numeric", name));
  else if (memtype == H5T_NATIVE_LLONG && cls != H5T_INTEGER)
    PetscCall(PetscSNPrintf(msg, len, "dataset %s must hold integers", name));
  else if (H5Sget_simple_extent_dims(sp, dims, NULL) < 0)
    PetscCall(PetscSNPrintf(msg, len, "dataset %s has an unreadable shape", name));
  else {
    for (int k = 0; k < r; k++) n = (dims[k] && n > MR_H5_MAX_ELEMENTS / dims[k]) ? MR_H5_MAX_ELEMENTS + 1 : n * dims[k];
    if (n > MR_H5_MAX_ELEMENTS) {
      PetscCall(PetscSNPrintf(msg, len, "dataset %s is too large (more than %llu values)", name, (unsigned long long)MR_H5_MAX_ELEMENTS));
    } else if (!(*data = malloc((size_t)(n ? n : 1) * 8))) {
      PetscCall(PetscSNPrintf(msg, len, "dataset %s: no memory for its %llu values", name, (unsigned long long)n));
    } else {
      *rank = r;
      if (H5Dread(d, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, *data) < 0) {
        free(*data);
        *data = NULL;
        PetscCall(PetscSNPrintf(msg, len, "dataset %s could not be read (a damaged or truncated file?)", name));
      }
    }
  }
  if (ft >= 0) H5Tclose(ft);
  if (sp >= 0) H5Sclose(sp);
  H5Dclose(d);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrH5ReadInt64(hid_t file, const char name[], PetscInt64 lo, PetscInt64 hi, int *rank, hsize_t dims[], PetscInt64 **data, char msg[], size_t len)
{
  hid_t       d, sp, ft;
  H5T_class_t cls;
  H5T_sign_t  sign;
  int         r;
  hsize_t     n = 1;
  void       *raw;

  PetscFunctionBegin;
  *data  = NULL;
  msg[0] = 0;
  if (!MrH5Exists(file, name)) {
    PetscCall(PetscSNPrintf(msg, len, "dataset %s is missing", name));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  d = H5Dopen2(file, name, H5P_DEFAULT);
  if (d < 0) {
    PetscCall(PetscSNPrintf(msg, len, "%s is not a dataset", name));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  sp   = H5Dget_space(d);
  ft   = H5Dget_type(d);
  cls  = H5Tget_class(ft);
  sign = cls == H5T_INTEGER ? H5Tget_sign(ft) : H5T_SGN_ERROR;
  r    = H5Sget_simple_extent_ndims(sp);
  if (r < 0 || r > 4)
    PetscCall(PetscSNPrintf(msg, len, "dataset %s has an unsupported rank", name));
  else if (cls != H5T_INTEGER) /* the formats say integers: a float is refused, as before */
    PetscCall(PetscSNPrintf(msg, len, "dataset %s must hold integers", name));
  else {
    /* unsigned as unsigned, signed as signed: no value changes on the way in */
    hid_t mt = sign == H5T_SGN_NONE ? H5T_NATIVE_ULLONG : H5T_NATIVE_LLONG;
    H5Sget_simple_extent_dims(sp, dims, NULL);
    for (int k = 0; k < r && n <= (hsize_t)PETSC_MAX_INT; k++) n *= dims[k]; /* stops before the product can wrap */
    *rank = r;
    raw   = n <= (hsize_t)PETSC_MAX_INT ? malloc((size_t)(n ? n : 1) * 8) : NULL;
    if (n > (hsize_t)PETSC_MAX_INT)
      PetscCall(PetscSNPrintf(msg, len, "dataset %s has more than %" PetscInt_FMT " entries", name, (PetscInt)PETSC_MAX_INT));
    else if (!raw || H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) < 0) {
      free(raw);
      PetscCall(PetscSNPrintf(msg, len, "dataset %s could not be read", name));
    } else {
      PetscInt64 *v = (PetscInt64 *)raw; /* converted in place: each value is 8 bytes either way */
      for (hsize_t i = 0; i < n && !msg[0]; i++) {
        if (mt == H5T_NATIVE_ULLONG) {
          unsigned long long x = ((unsigned long long *)raw)[i];
          if (x > (unsigned long long)INT64_MAX || (PetscInt64)x < lo || (PetscInt64)x > hi)
            PetscCall(PetscSNPrintf(msg, len, "dataset %s: value %llu at index %llu is out of range (supported: %" PetscInt64_FMT " to %" PetscInt64_FMT ")", name, x, (unsigned long long)i, lo, hi));
        } else if (v[i] < lo || v[i] > hi)
          PetscCall(PetscSNPrintf(msg, len, "dataset %s: value %" PetscInt64_FMT " at index %llu is out of range (supported: %" PetscInt64_FMT " to %" PetscInt64_FMT ")", name, v[i], (unsigned long long)i, lo, hi));
      }
      if (msg[0])
        free(raw);
      else
        *data = v;
    }
  }
  H5Tclose(ft);
  H5Sclose(sp);
  H5Dclose(d);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscBool MrH5ReadAttrInt64(hid_t obj, const char name[], PetscInt64 *value)
{
  hid_t       a, t, sp;
  H5T_class_t cls;
  PetscBool   ok = PETSC_FALSE;

  if (H5Aexists(obj, name) <= 0 || (a = H5Aopen(obj, name, H5P_DEFAULT)) < 0) return PETSC_FALSE;
  t   = H5Aget_type(a);
  sp  = H5Aget_space(a);
  cls = H5Tget_class(t);
  if (H5Sget_simple_extent_npoints(sp) == 1) {
    if (cls == H5T_INTEGER && H5Tget_sign(t) == H5T_SGN_NONE) {
      unsigned long long v;
      ok = (PetscBool)(H5Aread(a, H5T_NATIVE_ULLONG, &v) >= 0 && v <= (unsigned long long)INT64_MAX);
      if (ok) *value = (PetscInt64)v;
    } else if (cls == H5T_INTEGER) {
      long long v;
      ok = (PetscBool)(H5Tget_size(t) <= 8 && H5Aread(a, H5T_NATIVE_LLONG, &v) >= 0);
      if (ok) *value = (PetscInt64)v;
    } else if (cls == H5T_FLOAT) {
      double v;
      ok = (PetscBool)(H5Aread(a, H5T_NATIVE_DOUBLE, &v) >= 0 && v == floor(v) && fabs(v) <= 9007199254740992.0);
      if (ok) *value = (PetscInt64)v;
    }
  }
  H5Sclose(sp);
  H5Tclose(t);
  H5Aclose(a);
  return ok;
}

PetscErrorCode MrH5ReadAttrInt64Array(hid_t obj, const char name[], PetscInt64 lo, PetscInt64 hi, size_t cap, size_t *n, PetscInt64 **data, char msg[], size_t len)
{
  PetscInt64 *v = NULL;
  hid_t       a, t, sp;
  H5T_class_t cls;
  hssize_t    np;
  void       *raw = NULL;

  PetscFunctionBegin;
  msg[0] = 0;
  *n     = 0;
  *data  = NULL;
  if (H5Aexists(obj, name) <= 0 || (a = H5Aopen(obj, name, H5P_DEFAULT)) < 0) {
    PetscCall(PetscSNPrintf(msg, len, "attribute %s is missing", name));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  t   = H5Aget_type(a);
  sp  = H5Aget_space(a);
  cls = H5Tget_class(t);
  np  = H5Sget_simple_extent_npoints(sp);
  if (cls != H5T_INTEGER && cls != H5T_FLOAT)
    PetscCall(PetscSNPrintf(msg, len, "attribute %s must hold integers", name));
  else if (np < 1 || (size_t)np > cap)
    PetscCall(PetscSNPrintf(msg, len, "attribute %s has %lld values (1 to %zu expected)", name, (long long)np, cap));
  else {
    /* unsigned as unsigned, signed as signed, floats as doubles: no value changes on the way in */
    const PetscBool u  = (PetscBool)(cls == H5T_INTEGER && H5Tget_sign(t) == H5T_SGN_NONE);
    hid_t           mt = cls == H5T_FLOAT ? H5T_NATIVE_DOUBLE : u ? H5T_NATIVE_ULLONG : H5T_NATIVE_LLONG;
    raw                = malloc((size_t)np * 8);
    v                  = (PetscInt64 *)raw; /* converted in place: each value is 8 bytes either way */
    if (!raw || H5Aread(a, mt, raw) < 0) PetscCall(PetscSNPrintf(msg, len, "attribute %s could not be read", name));
    for (hssize_t i = 0; i < np && !msg[0]; i++) {
      if (cls == H5T_FLOAT) {
        const double x = ((double *)raw)[i];
        if (!(x == floor(x) && fabs(x) < 9223372036854775808.0 && (PetscInt64)x >= lo && (PetscInt64)x <= hi))
          PetscCall(PetscSNPrintf(msg, len, "attribute %s: value %.17g at index %lld is not a whole number in [%" PetscInt64_FMT ", %" PetscInt64_FMT "]", name, x, (long long)i, lo, hi));
        else
          v[i] = (PetscInt64)x;
      } else if (u) {
        const unsigned long long x = ((unsigned long long *)raw)[i];
        if (x > (unsigned long long)INT64_MAX || (PetscInt64)x < lo || (PetscInt64)x > hi)
          PetscCall(PetscSNPrintf(msg, len, "attribute %s: value %llu at index %lld is out of range [%" PetscInt64_FMT ", %" PetscInt64_FMT "]", name, x, (long long)i, lo, hi));
        else
          v[i] = (PetscInt64)x;
      } else {
        const long long x = ((long long *)raw)[i];
        if (x < lo || x > hi)
          PetscCall(PetscSNPrintf(msg, len, "attribute %s: value %lld at index %lld is out of range [%" PetscInt64_FMT ", %" PetscInt64_FMT "]", name, x, (long long)i, lo, hi));
        else
          v[i] = (PetscInt64)x;
      }
    }
    if (!msg[0]) {
      *n    = (size_t)np;
      *data = v;
      raw   = NULL;
    }
  }
  free(raw);
  H5Sclose(sp);
  H5Tclose(t);
  H5Aclose(a);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrH5WriteDataset(hid_t file, const char name[], hid_t type, int rank, const hsize_t dims[], const void *data)
{
  hid_t sp, d, lcpl;

  PetscFunctionBegin;
  PetscCallH5(lcpl = H5Pcreate(H5P_LINK_CREATE));
  PetscCallH5(H5Pset_create_intermediate_group(lcpl, 1));
  PetscCallH5(sp = H5Screate_simple(rank, dims, NULL));
  PetscCallH5(d = H5Dcreate2(file, name, type, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT));
  PetscCallH5(H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data));
  PetscCallH5(H5Dclose(d));
  PetscCallH5(H5Sclose(sp));
  PetscCallH5(H5Pclose(lcpl));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrH5WriteAttrString(hid_t obj, const char name[], const char value[])
{
  hid_t t, sp, a;

  PetscFunctionBegin;
  PetscCallH5(t = H5Tcopy(H5T_C_S1));
  PetscCallH5(H5Tset_size(t, strlen(value) + 1));
  PetscCallH5(sp = H5Screate(H5S_SCALAR));
  PetscCallH5(a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT));
  PetscCallH5(H5Awrite(a, t, value));
  PetscCallH5(H5Aclose(a));
  PetscCallH5(H5Sclose(sp));
  PetscCallH5(H5Tclose(t));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrH5WriteAttrReal(hid_t obj, const char name[], PetscReal value)
{
  hid_t sp, a;

  PetscFunctionBegin;
  PetscCallH5(sp = H5Screate(H5S_SCALAR));
  PetscCallH5(a = H5Acreate2(obj, name, H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT));
  PetscCallH5(H5Awrite(a, H5T_NATIVE_DOUBLE, &value));
  PetscCallH5(H5Aclose(a));
  PetscCallH5(H5Sclose(sp));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrH5WriteAttrInt(hid_t obj, const char name[], PetscInt64 value)
{
  hid_t     sp, a;
  long long v = (long long)value;

  PetscFunctionBegin;
  PetscCallH5(sp = H5Screate(H5S_SCALAR));
  PetscCallH5(a = H5Acreate2(obj, name, H5T_NATIVE_LLONG, sp, H5P_DEFAULT, H5P_DEFAULT));
  PetscCallH5(H5Awrite(a, H5T_NATIVE_LLONG, &v));
  PetscCallH5(H5Aclose(a));
  PetscCallH5(H5Sclose(sp));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* An attribute of obj that is one value (a scalar or a one-element array) of the
   class wanted; -1 when it is absent, not one value or of another class. */
static hid_t MrH5OpenAttrOne(hid_t obj, const char name[], H5T_class_t want, hid_t *type)
{
  hid_t a, sp;
  int   one;

  *type = -1;
  if (H5Aexists(obj, name) <= 0) return -1;
  if ((a = H5Aopen(obj, name, H5P_DEFAULT)) < 0) return -1;
  sp  = H5Aget_space(a);
  one = sp >= 0 && H5Sget_simple_extent_npoints(sp) == 1;
  if (sp >= 0) H5Sclose(sp);
  *type = H5Aget_type(a);
  if (!one || *type < 0 || H5Tget_class(*type) != want) {
    if (*type >= 0) H5Tclose(*type);
    *type = -1;
    H5Aclose(a);
    return -1;
  }
  return a;
}

PetscErrorCode MrH5GetAttrString(hid_t obj, const char name[], char buf[], size_t len, PetscBool *ok)
{
  hid_t a, t, mt;

  PetscFunctionBegin;
  *ok    = PETSC_FALSE;
  buf[0] = 0;
  if ((a = MrH5OpenAttrOne(obj, name, H5T_STRING, &t)) < 0) PetscFunctionReturn(PETSC_SUCCESS);
  mt = H5Tcopy(H5T_C_S1);
  H5Tset_cset(mt, H5Tget_cset(t)); /* h5py writes UTF-8; HDF5 does not convert character sets */
  if (H5Tis_variable_str(t) > 0) {
    char *v = NULL;
    H5Tset_size(mt, H5T_VARIABLE);
    if (H5Aread(a, mt, &v) >= 0 && v) {
      *ok = (PetscBool)(strlen(v) < len);
      if (*ok) PetscCall(PetscStrncpy(buf, v, len));
      H5free_memory(v);
    }
  } else {
    size_t n = H5Tget_size(t);
    char  *v = calloc(n + 1, 1);
    H5Tset_size(mt, n + 1);
    if (v && H5Aread(a, mt, v) >= 0) {
      *ok = (PetscBool)(strlen(v) < len);
      if (*ok) PetscCall(PetscStrncpy(buf, v, len));
    }
    free(v);
  }
  H5Tclose(mt);
  H5Tclose(t);
  H5Aclose(a);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrH5GetAttrInt64(hid_t obj, const char name[], long long *value, PetscBool *ok)
{
  hid_t a, t;

  PetscFunctionBegin;
  *ok = PETSC_FALSE;
  if ((a = MrH5OpenAttrOne(obj, name, H5T_INTEGER, &t)) < 0) PetscFunctionReturn(PETSC_SUCCESS);
  if (H5Tget_sign(t) == H5T_SGN_NONE) { /* an unsigned value above LLONG_MAX would be clipped by the conversion */
    unsigned long long u;
    if (H5Aread(a, H5T_NATIVE_ULLONG, &u) >= 0 && u <= (unsigned long long)LLONG_MAX) {
      *value = (long long)u;
      *ok    = PETSC_TRUE;
    }
  } else if (H5Aread(a, H5T_NATIVE_LLONG, value) >= 0)
    *ok = PETSC_TRUE;
  H5Tclose(t);
  H5Aclose(a);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrH5GetAttrReal(hid_t obj, const char name[], double *value, PetscBool *ok)
{
  hid_t a, t;

  PetscFunctionBegin;
  *ok = PETSC_FALSE;
  a   = MrH5OpenAttrOne(obj, name, H5T_FLOAT, &t);
  if (a < 0) a = MrH5OpenAttrOne(obj, name, H5T_INTEGER, &t);
  if (a < 0) PetscFunctionReturn(PETSC_SUCCESS);
  if (H5Aread(a, H5T_NATIVE_DOUBLE, value) >= 0) *ok = PETSC_TRUE;
  H5Tclose(t);
  H5Aclose(a);
  PetscFunctionReturn(PETSC_SUCCESS);
}
