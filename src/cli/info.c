/* `mrdyn info`: what a model or run file holds, without opening HDF5 by hand. */
#include <mrdyn/mrdyn.h>
#include <stdlib.h>
#include <unistd.h>

/* Prints a root attribute of any scalar or 1-D numeric/string type. */
static herr_t MrPrintAttr(hid_t loc, const char *name, const H5A_info_t *info, void *data)
{
  hid_t       a = H5Aopen(loc, name, H5P_DEFAULT), t = H5Aget_type(a), sp = H5Aget_space(a);
  H5T_class_t cls = H5Tget_class(t);
  hssize_t    n   = H5Sget_simple_extent_npoints(sp);
  if (!strcmp(name, "options")) goto done; /* long; printed last */
  printf("  %-28s ", name);
  if (cls == H5T_STRING) {
    size_t sz  = H5Tget_size(t);
    char  *buf = calloc(sz + 1, 1);
    hid_t  mt  = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, sz + 1);
    if (H5Aread(a, mt, buf) >= 0) printf("%s", buf);
    H5Tclose(mt);
    free(buf);
  } else if (n > 0 && n <= 64 && cls == H5T_INTEGER) { /* in full: seeds 4294967297 and 4294967298 print apart */
    const PetscBool u = (PetscBool)(H5Tget_sign(t) == H5T_SGN_NONE);
    long long      *v = calloc((size_t)n, sizeof(long long));
    if (H5Aread(a, u ? H5T_NATIVE_ULLONG : H5T_NATIVE_LLONG, v) >= 0)
      for (hssize_t k = 0; k < n; k++) printf(u ? "%s%llu" : "%s%lld", k ? ", " : "", v[k]);
    free(v);
  } else if (n > 0 && n <= 64) {
    double *v = calloc((size_t)n, sizeof(double));
    if (H5Aread(a, H5T_NATIVE_DOUBLE, v) >= 0)
      for (hssize_t k = 0; k < n; k++) printf("%s%.6g", k ? ", " : "", v[k]);
    free(v);
  } else
    printf("(%lld values)", (long long)n);
  printf("\n");
done:
  H5Sclose(sp);
  H5Tclose(t);
  H5Aclose(a);
  return 0;
}

static herr_t MrPrintObject(hid_t loc, const char *name, const H5O_info_t *info, void *data)
{
  if (info->type == H5O_TYPE_DATASET) {
    hid_t   d = H5Dopen2(loc, name, H5P_DEFAULT), sp = H5Dget_space(d);
    hsize_t dims[8];
    int     r = H5Sget_simple_extent_dims(sp, dims, NULL);
    printf("  /%-27s (", name);
    for (int k = 0; k < r; k++) printf("%s%llu", k ? ", " : "", (unsigned long long)dims[k]);
    printf("%s)\n", r == 1 ? "," : "");
    H5Sclose(sp);
    H5Dclose(d);
  }
  return 0;
}

PetscErrorCode MrInfo(MPI_Comm comm, const char path[])
{
  PetscMPIInt rank;
  PetscBool   ok = PETSC_TRUE, isModel = PETSC_FALSE;
  char        msg[1024] = "";

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    if (access(path, R_OK) != 0 || H5Fis_hdf5(path) <= 0) {
      ok = PETSC_FALSE;
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "'%s' does not exist or is not an HDF5 file", path));
    } else {
      hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
      isModel = (PetscBool)(f >= 0 && MrH5Exists(f, "/N") && !MrH5Exists(f, "/currents"));
      if (f >= 0) H5Fclose(f);
    }
  }
  PetscCall(MrShareStatus(comm, ok, msg));
  PetscCallMPI(MPI_Bcast(&isModel, 1, MPIU_BOOL, 0, comm));
  if (isModel) {
    MrModel   m;
    PetscReal wre, wim, *s2;
    PetscCall(MrModelLoad(comm, path, &m));
    PetscCall(MrModelLeadingEigenvalue(m, &wre, &wim));
    PetscCall(PetscMalloc1(m->R, &s2));
    PetscCall(MrModelReadoutVariances(m, s2));
    PetscCall(PetscPrintf(comm, "%s: mrdyn model file (%s form)\n", path, m->dense ? "dense" : "channel"));
    PetscCall(PetscPrintf(comm, "  description: %s\n  regions R = %" PetscInt_FMT ", channels C = %" PetscInt_FMT ", T entries %" PetscInt_FMT ", U %s, inputs %s\n", m->description, m->R, m->C, m->nT, m->hasU ? "given" : "identity",
                          m->V ? "yes" : "none"));
    PetscCall(PetscPrintf(comm, "  phi = %s, tau = %g, content hash %s\n", m->phi, (double)m->tau, m->hash));
    if (m->draws) PetscCall(PetscPrintf(comm, "  random T accepted after %" PetscInt_FMT " draws\n", m->draws)); /* read on rank 0, which prints */
    if (PetscIsNanReal(wre))
      PetscCall(PetscPrintf(comm, "  leading eigenvalue of That: not computed (C > 4000)\n"));
    else
      PetscCall(PetscPrintf(comm, "  leading eigenvalue of That: %.6f%+.6fi\n", (double)wre, (double)wim));
    for (PetscInt r = 0; r < PetscMin(m->R, 32); r++)
      PetscCall(PetscPrintf(comm, "  region %3" PetscInt_FMT ": N = %-8" PetscInt_FMT " g = %-8.4g in-channels %-4" PetscInt_FMT " out-channels %-4" PetscInt_FMT " readout variance %.4g\n", r, m->N[r], (double)m->g[r], m->inOff[r + 1] - m->inOff[r],
                            m->outOff[r + 1] - m->outOff[r], (double)s2[r]));
    if (m->R > 32) PetscCall(PetscPrintf(comm, "  ... (%" PetscInt_FMT " regions)\n", m->R));
    PetscCall(PetscFree(s2));
    PetscCall(MrModelDestroy(&m));
  } else if (rank == 0) {
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f >= 0) {
      size_t      len     = strlen(path);
      PetscBool   partial = (PetscBool)(len > 8 && !strcmp(path + len - 8, ".partial"));
      const char *status  = H5Aexists(f, "status") > 0 && !partial ? "complete" : "INCOMPLETE (the run did not finish)";
      printf("%s: mrdyn output file, %s\n attributes:\n", path, status);
      H5Aiterate2(f, H5_INDEX_NAME, H5_ITER_INC, NULL, MrPrintAttr, NULL);
      printf(" datasets:\n");
      H5Ovisit(f, H5_INDEX_NAME, H5_ITER_INC, MrPrintObject, NULL);
      if (H5Aexists(f, "options") > 0) {
        hid_t  a = H5Aopen(f, "options", H5P_DEFAULT), t = H5Aget_type(a);
        size_t sz  = H5Tget_size(t);
        char  *buf = calloc(sz + 1, 1);
        hid_t  mt  = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, sz + 1);
        if (H5Aread(a, mt, buf) >= 0) printf(" options: %s\n", buf);
        free(buf);
        H5Tclose(mt);
        H5Tclose(t);
        H5Aclose(a);
      }
      H5Fclose(f);
      fflush(stdout);
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}
