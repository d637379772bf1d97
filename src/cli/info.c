/* `mrdyn info`: what a model or run file holds, without opening HDF5 by hand. */
#include <mrdyn/mrdyn.h>
#include <stdlib.h>
#include <unistd.h>

/* Prints a root attribute of any scalar or 1-D numeric/string type. */
static herr_t MrPrintAttr(hid_t loc, const char *name, const H5A_info_t *info, void *data)
{
  hid_t       a = H5Aopen(loc, name, H5P_DEFAULT), t = a >= 0 ? H5Aget_type(a) : -1, sp = a >= 0 ? H5Aget_space(a) : -1;
  H5T_class_t cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
  hssize_t    n   = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
  herr_t      ret = 0;
  if (a < 0 || t < 0 || sp < 0 || n < 0) { /* a damaged file: stop, the caller says so */
    ret = -1;
    goto done;
  }
  if (!strcmp(name, "options") || !strcmp(name, "manifest") || !strcmp(name, "output_manifest")) goto done; /* long; options printed last */
  printf("  %-28s ", name);
  if (cls == H5T_STRING && n == 1 && H5Tis_variable_str(t) == 0) {
    size_t sz  = H5Tget_size(t);
    char  *buf = calloc(sz + 1, 1);
    hid_t  mt  = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, sz + 1);
    if (H5Aread(a, mt, buf) >= 0)
      printf("%s", buf);
    else
      ret = -1;
    H5Tclose(mt);
    free(buf);
  } else if (n > 0 && n <= 64 && cls == H5T_INTEGER) { /* in full: seeds 4294967297 and 4294967298 print apart */
    const PetscBool u = (PetscBool)(H5Tget_sign(t) == H5T_SGN_NONE);
    long long      *v = calloc((size_t)n, sizeof(long long));
    if (H5Aread(a, u ? H5T_NATIVE_ULLONG : H5T_NATIVE_LLONG, v) >= 0)
      for (hssize_t k = 0; k < n; k++) printf(u ? "%s%llu" : "%s%lld", k ? ", " : "", v[k]);
    else
      ret = -1;
    free(v);
  } else if (cls == H5T_FLOAT && n > 0 && n <= 64) {
    double *v = calloc((size_t)n, sizeof(double));
    if (H5Aread(a, H5T_NATIVE_DOUBLE, v) >= 0)
      for (hssize_t k = 0; k < n; k++) printf("%s%.6g", k ? ", " : "", v[k]);
    else
      ret = -1;
    free(v);
  } else if (cls == H5T_FLOAT || cls == H5T_INTEGER || cls == H5T_STRING)
    printf("(%lld values)", (long long)n);
  else
    printf("(not a number or string)");
  printf("\n");
done:
  if (sp >= 0) H5Sclose(sp);
  if (t >= 0) H5Tclose(t);
  if (a >= 0) H5Aclose(a);
  return ret;
}

static herr_t MrPrintObject(hid_t loc, const char *name, const H5O_info_t *info, void *data)
{
  if (info->type == H5O_TYPE_DATASET) {
    hid_t   d = H5Dopen2(loc, name, H5P_DEFAULT), sp = d >= 0 ? H5Dget_space(d) : -1;
    hsize_t dims[32];
    int     r = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    if (r < 0 || r > 32 || H5Sget_simple_extent_dims(sp, dims, NULL) != r) r = -1;
    if (r >= 0) {
      printf("  /%-27s (", name);
      for (int k = 0; k < r; k++) printf("%s%llu", k ? ", " : "", (unsigned long long)dims[k]);
      printf("%s)\n", r == 1 ? "," : "");
    }
    if (sp >= 0) H5Sclose(sp);
    if (d >= 0) H5Dclose(d);
    if (r < 0) return -1; /* a damaged file: stop, the caller says so */
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
      if (f < 0) {
        ok = PETSC_FALSE;
        PetscCall(PetscSNPrintf(msg, sizeof(msg), "'%s' cannot be opened: a damaged or truncated HDF5 file", path));
      }
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
    {
      MrModel e;
      PetscCall(MrModelLoadNetwork(comm, path, &e));
      if (e->weights)
        PetscCall(PetscPrintf(
            comm, "  realisation: an imported W under /weights (%" PetscInt_FMT " channels, %" PetscInt_FMT " beyond the theory's): simulate, spectrum and lyapunov run it, dmft uses the fitted statistics; /fit records the fit (docs/weights.md)\n",
            e->C, e->C - e->Cth));
      PetscCall(MrModelDestroy(&e));
    }
    PetscCall(PetscFree(s2));
    PetscCall(MrModelDestroy(&m));
  } else {
    hid_t f = rank == 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
    if (rank == 0 && f < 0) PetscCall(PetscSNPrintf(msg, sizeof(msg), "'%s' cannot be opened: a damaged or truncated HDF5 file", path));
    if (f >= 0) {
      size_t      len     = strlen(path);
      PetscBool   partial = (PetscBool)(len > 8 && !strcmp(path + len - 8, ".partial"));
      const char *status  = H5Aexists(f, "status") > 0 && !partial ? "complete" : "INCOMPLETE (the run did not finish)";
      printf("%s: mrdyn output file, %s\n attributes:\n", path, status);
      if (H5Aiterate2(f, H5_INDEX_NAME, H5_ITER_INC, NULL, MrPrintAttr, NULL) < 0) PetscCall(PetscSNPrintf(msg, sizeof(msg), "'%s' is damaged: its attributes cannot be read", path));
      if (!msg[0]) printf(" datasets:\n");
      if (!msg[0] && H5Ovisit(f, H5_INDEX_NAME, H5_ITER_INC, MrPrintObject, NULL) < 0) PetscCall(PetscSNPrintf(msg, sizeof(msg), "'%s' is damaged: its datasets cannot be listed", path));
      if (!msg[0] && H5Aexists(f, "options") > 0) {
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
    PetscCall(MrShareStatus(comm, (PetscBool)!msg[0], msg));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}
