/* Serial HDF5 helpers (rank-0 reading of model and run files, model writing). */
#include <mrdyn/io.h>
#include <stdlib.h>

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
  cls = H5Tget_class(ft);
  r   = H5Sget_simple_extent_ndims(sp);
  if (r < 0 || r > 4)
    PetscCall(PetscSNPrintf(msg, len, "dataset %s has an unsupported rank", name));
  else if (cls != H5T_INTEGER && cls != H5T_FLOAT)
    PetscCall(PetscSNPrintf(msg, len, "dataset %s is not numeric", name));
  else if (memtype == H5T_NATIVE_LLONG && cls != H5T_INTEGER)
    PetscCall(PetscSNPrintf(msg, len, "dataset %s must hold integers", name));
  else {
    H5Sget_simple_extent_dims(sp, dims, NULL);
    for (int k = 0; k < r; k++) n *= dims[k];
    *rank = r;
    *data = malloc((size_t)(n ? n : 1) * 8);
    if (H5Dread(d, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, *data) < 0) {
      free(*data);
      *data = NULL;
      PetscCall(PetscSNPrintf(msg, len, "dataset %s could not be read", name));
    }
  }
  H5Tclose(ft);
  H5Sclose(sp);
  H5Dclose(d);
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
