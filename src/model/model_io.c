/* Model files (interfaces.md): dense form (R all-to-all, rank one) and channel form. */
#include <mrdyn/model.h>
#include "model_impl.h"
#include <mrdyn/io.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

static const char *MrH5ClassName(H5T_class_t c)
{
  switch (c) {
  case H5T_INTEGER:
    return "an integer";
  case H5T_FLOAT:
    return "a floating-point number";
  case H5T_STRING:
    return "a string";
  default:
    return "neither a number nor a string";
  }
}

/* Reads the attributes tau, draws, phi and description if present; a value of the
   wrong type or shape is refused (msg set), never replaced by the default. */
static PetscErrorCode MrReadAttrs(hid_t f, MrModel m, char msg[], size_t len)
{
  const char *nums[2]  = {"tau", "draws"};
  const char *names[2] = {"phi", "description"};
  char       *dst[2]   = {m->phi, m->description};
  size_t      cap[2]   = {sizeof(m->phi), sizeof(m->description)};

  PetscFunctionBegin;
  for (int k = 0; k < 2 && !msg[0]; k++) {
    hid_t       a, t, sp;
    H5T_class_t cls;
    hssize_t    n;
    if (H5Aexists(f, nums[k]) <= 0) continue;
    a   = H5Aopen(f, nums[k], H5P_DEFAULT);
    t   = a >= 0 ? H5Aget_type(a) : -1;
    sp  = a >= 0 ? H5Aget_space(a) : -1;
    cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    n   = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    if (a < 0 || t < 0 || sp < 0 || n < 0)
      PetscCall(PetscSNPrintf(msg, len, "attribute %s cannot be read", nums[k]));
    else if (k == 0 && cls != H5T_FLOAT && cls != H5T_INTEGER)
      PetscCall(PetscSNPrintf(msg, len, "attribute tau must be a number, but it is %s", MrH5ClassName(cls)));
    else if (k == 1 && cls != H5T_INTEGER)
      PetscCall(PetscSNPrintf(msg, len, "attribute draws must be an integer, but it is %s", MrH5ClassName(cls)));
    else if (n != 1)
      PetscCall(PetscSNPrintf(msg, len, "attribute %s must be one value, but it holds %lld", nums[k], (long long)n));
    else if (k == 0) {
      double v;
      if (H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0)
        PetscCall(PetscSNPrintf(msg, len, "attribute tau cannot be read"));
      else
        m->tau = v; /* its range is checked with the rest of the model */
    } else {
      long long v;
      PetscBool okv;
      PetscCall(MrH5GetAttrInt64(f, "draws", &v, &okv)); /* unsigned beyond 2^63 - 1 refused, not clipped */
      if (!okv || v < 0 || v > PETSC_MAX_INT)
        PetscCall(PetscSNPrintf(msg, len, "attribute draws is not a count from 0 to %d", (int)PETSC_MAX_INT));
      else
        m->draws = (PetscInt)v; /* random: draws until one was accepted */
    }
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
  }
  for (int k = 0; k < 2 && !msg[0]; k++) {
    hid_t    a, t, sp;
    hssize_t n;
    if (H5Aexists(f, names[k]) <= 0) continue;
    a  = H5Aopen(f, names[k], H5P_DEFAULT);
    t  = a >= 0 ? H5Aget_type(a) : -1;
    sp = a >= 0 ? H5Aget_space(a) : -1;
    n  = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    if (a < 0 || t < 0 || sp < 0 || n < 0)
      PetscCall(PetscSNPrintf(msg, len, "attribute %s cannot be read", names[k]));
    else if (H5Tget_class(t) != H5T_STRING)
      PetscCall(PetscSNPrintf(msg, len, "attribute %s must be a string, but it is %s", names[k], MrH5ClassName(H5Tget_class(t))));
    else if (n != 1)
      PetscCall(PetscSNPrintf(msg, len, "attribute %s must be one string, but it holds %lld", names[k], (long long)n));
    else {
      hid_t mt = H5Tcopy(H5T_C_S1);
      char *v  = NULL;
      int   ok;
      H5Tset_cset(mt, H5Tget_cset(t)); /* h5py writes UTF-8; HDF5 does not convert character sets */
      if (H5Tis_variable_str(t) > 0) {
        H5Tset_size(mt, H5T_VARIABLE);
        ok = H5Aread(a, mt, &v) >= 0 && v;
        if (ok) {
          ok = strlen(v) < cap[k] || k == 1; /* a long description is cut; a long phi is no name */
          if (ok) snprintf(dst[k], cap[k], "%s", v);
        }
        if (v) H5free_memory(v);
      } else {
        size_t sz  = H5Tget_size(t);
        char  *buf = calloc(sz + 1, 1);
        H5Tset_size(mt, sz + 1);
        ok = buf && H5Aread(a, mt, buf) >= 0;
        if (ok) {
          ok = strlen(buf) < cap[k] || k == 1;
          if (ok) snprintf(dst[k], cap[k], "%s", buf);
        }
        free(buf);
      }
      H5Tclose(mt);
      if (!ok) PetscCall(PetscSNPrintf(msg, len, "attribute %s cannot be read%s", names[k], k == 0 ? " or is too long to be a function name" : ""));
    }
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

#define MR_READ(name, type, want_rank, ptr)                                                                                                                                                                                                              \
  do {                                                                                                                                                                                                                                                   \
    PetscCall(MrH5ReadDataset(f, name, type, &rank, dims, (void **)&(ptr), msg, len));                                                                                                                                                                   \
    if (msg[0]) goto done;                                                                                                                                                                                                                               \
    if (rank != (want_rank)) {                                                                                                                                                                                                                           \
      PetscCall(PetscSNPrintf(msg, len, "dataset %s has rank %d but rank %d is expected", name, rank, want_rank));                                                                                                                                       \
      goto done;                                                                                                                                                                                                                                         \
    }                                                                                                                                                                                                                                                    \
  } while (0)

/* An integer dataset read in 64 bits, each value checked against [lo, hi], its length against PetscInt. */
#define MR_READ_INT(name, want_rank, ptr, lo, hi)                                                                                                                                                                                                        \
  do {                                                                                                                                                                                                                                                   \
    PetscCall(MrH5ReadInt64(f, name, lo, hi, &rank, dims, &(ptr), msg, len));                                                                                                                                                                            \
    if (msg[0]) goto done;                                                                                                                                                                                                                               \
    if (rank != (want_rank)) {                                                                                                                                                                                                                           \
      PetscCall(PetscSNPrintf(msg, len, "dataset %s has rank %d but rank %d is expected", name, rank, want_rank));                                                                                                                                       \
      goto done;                                                                                                                                                                                                                                         \
    }                                                                                                                                                                                                                                                    \
    if (dims[0] > (hsize_t)PETSC_MAX_INT) {                                                                                                                                                                                                              \
      PetscCall(PetscSNPrintf(msg, len, "dataset %s has %llu entries; this build's PETSc indexes at most %" PetscInt_FMT, name, (unsigned long long)dims[0], (PetscInt)PETSC_MAX_INT));                                                                  \
      goto done;                                                                                                                                                                                                                                         \
    }                                                                                                                                                                                                                                                    \
  } while (0)

#define MR_SHAPE(name, ok, ...)                                                                                                                                                                                                                          \
  do {                                                                                                                                                                                                                                                   \
    if (!(ok)) {                                                                                                                                                                                                                                         \
      PetscCall(PetscSNPrintf(msg, len, "dataset " name " has the wrong shape: " __VA_ARGS__));                                                                                                                                                          \
      goto done;                                                                                                                                                                                                                                         \
    }                                                                                                                                                                                                                                                    \
  } while (0)

/* Rank-0 reading; on failure msg is set. */
static PetscErrorCode MrModelReadFile(const char path[], MrModel m, char msg[], size_t len)
{
  hid_t       f;
  int         rank;
  hsize_t     dims[4];
  PetscInt64 *iN = NULL, *it = NULL, *is = NULL, *ir = NULL, *ic = NULL, *ur = NULL, *uc = NULL;
  double     *g = NULL, *T = NULL, *U = NULL, *V = NULL, *tv = NULL, *uv = NULL, *s2 = NULL;
  PetscInt    R, C;

  PetscFunctionBegin;
  msg[0] = 0;
  PetscCall(MrH5OpenRead(path, "model file", &f, msg, len));
  if (f < 0) PetscFunctionReturn(PETSC_SUCCESS);
  MR_READ_INT("/N", 1, iN, 1, MR_MODEL_MAX_NEURONS); /* read in 64 bits: 2^32 + 300 is not 300 */
  R = (PetscInt)dims[0];
  MR_SHAPE("/N", R >= 1, "no regions");
  {
    PetscInt64 total = 0; /* each value is at most MR_MODEL_MAX_NEURONS, so the sum cannot wrap */
    for (PetscInt r = 0; r < R; r++) total += iN[r];
    if (total > MR_MODEL_MAX_NEURONS) {
      PetscCall(PetscSNPrintf(msg, len, "dataset /N: its %" PetscInt_FMT " regions hold %" PetscInt64_FMT " neurons in all; this build supports at most %" PetscInt64_FMT, R, total, (PetscInt64)MR_MODEL_MAX_NEURONS));
      goto done;
    }
  }
  MR_READ("/g", H5T_NATIVE_DOUBLE, 1, g);
  MR_SHAPE("/g", dims[0] == (hsize_t)R, "(%llu,) but /N gives R = %" PetscInt_FMT, (unsigned long long)dims[0], R);
  m->R = R;
  PetscCall(PetscMalloc2(R, &m->N, R, &m->g));
  for (PetscInt r = 0; r < R; r++) {
    m->N[r] = (PetscInt)iN[r];
    m->g[r] = g[r];
  }
  if (MrH5Exists(f, "/sigma2")) {
    MR_READ("/sigma2", H5T_NATIVE_DOUBLE, 1, s2);
    MR_SHAPE("/sigma2", dims[0] == (hsize_t)R, "(%llu,), expected (%" PetscInt_FMT ",)", (unsigned long long)dims[0], R);
    PetscCall(PetscMalloc1(R, &m->sigma2));
    for (PetscInt r = 0; r < R; r++) m->sigma2[r] = s2[r];
  }
  if (MrH5Exists(f, "/channel/target")) { /* channel form */
    MR_READ_INT("/channel/target", 1, it, 0, R - 1);
    C = (PetscInt)dims[0];
    MR_READ_INT("/channel/source", 1, is, 0, R - 1);
    MR_SHAPE("/channel/source", dims[0] == (hsize_t)C, "(%llu,) but /channel/target has %" PetscInt_FMT " channels", (unsigned long long)dims[0], C);
    m->C = C;
    PetscCall(PetscMalloc2(C, &m->target, C, &m->source));
    for (PetscInt c = 0; c < C; c++) {
      m->target[c] = (PetscInt)it[c];
      m->source[c] = (PetscInt)is[c];
    }
    MR_READ_INT("/T/row", 1, ir, 0, C - 1);
    m->nT = (PetscInt)dims[0];
    MR_READ_INT("/T/col", 1, ic, 0, C - 1);
    MR_SHAPE("/T/col", dims[0] == (hsize_t)m->nT, "(%llu,) but /T/row has %" PetscInt_FMT " entries", (unsigned long long)dims[0], m->nT);
    MR_READ("/T/value", H5T_NATIVE_DOUBLE, 1, tv);
    MR_SHAPE("/T/value", dims[0] == (hsize_t)m->nT, "(%llu,) but /T/row has %" PetscInt_FMT " entries", (unsigned long long)dims[0], m->nT);
    PetscCall(PetscMalloc3(m->nT, &m->Trow, m->nT, &m->Tcol, m->nT, &m->Tval));
    for (PetscInt e = 0; e < m->nT; e++) {
      m->Trow[e] = (PetscInt)ir[e];
      m->Tcol[e] = (PetscInt)ic[e];
      m->Tval[e] = tv[e];
    }
    if (MrH5Exists(f, "/U/row")) {
      MR_READ_INT("/U/row", 1, ur, 0, C - 1);
      m->nU = (PetscInt)dims[0];
      MR_READ_INT("/U/col", 1, uc, 0, C - 1);
      MR_SHAPE("/U/col", dims[0] == (hsize_t)m->nU, "(%llu,) but /U/row has %" PetscInt_FMT " entries", (unsigned long long)dims[0], m->nU);
      MR_READ("/U/value", H5T_NATIVE_DOUBLE, 1, uv);
      MR_SHAPE("/U/value", dims[0] == (hsize_t)m->nU, "(%llu,) but /U/row has %" PetscInt_FMT " entries", (unsigned long long)dims[0], m->nU);
      m->hasU = PETSC_TRUE;
      PetscCall(PetscMalloc3(m->nU, &m->Urow, m->nU, &m->Ucol, m->nU, &m->Uval));
      for (PetscInt e = 0; e < m->nU; e++) {
        m->Urow[e] = (PetscInt)ur[e];
        m->Ucol[e] = (PetscInt)uc[e];
        m->Uval[e] = uv[e];
      }
    }
    if (MrH5Exists(f, "/V")) {
      MR_READ("/V", H5T_NATIVE_DOUBLE, 1, V);
      MR_SHAPE("/V", dims[0] == (hsize_t)C, "(%llu,), expected one value per channel (%" PetscInt_FMT ",)", (unsigned long long)dims[0], C);
      PetscCall(PetscMalloc1(C, &m->V));
      PetscCall(PetscArraycpy(m->V, V, C));
    }
  } else { /* dense form */
    MR_SHAPE("/N", R <= 1000, "R = %" PetscInt_FMT " regions in the dense form (at most 1000; use the channel form)", R);
    MR_READ("/T", H5T_NATIVE_DOUBLE, 3, T);
    MR_SHAPE("/T", dims[0] == (hsize_t)R && dims[1] == (hsize_t)R && dims[2] == (hsize_t)R, "(%llu,%llu,%llu), expected (R,R,R) with R = %" PetscInt_FMT, (unsigned long long)dims[0], (unsigned long long)dims[1], (unsigned long long)dims[2], R);
    m->dense = PETSC_TRUE;
    m->C = C = R * R;
    PetscCall(PetscMalloc2(C, &m->target, C, &m->source));
    for (PetscInt r = 0; r < R; r++)
      for (PetscInt s = 0; s < R; s++) {
        m->target[r * R + s] = r;
        m->source[r * R + s] = s;
      }
    m->nT = R * R * R;
    PetscCall(PetscMalloc3(m->nT, &m->Trow, m->nT, &m->Tcol, m->nT, &m->Tval));
    for (PetscInt r = 0, e = 0; r < R; r++)
      for (PetscInt s = 0; s < R; s++)
        for (PetscInt q = 0; q < R; q++, e++) {
          m->Trow[e] = r * R + s;
          m->Tcol[e] = s * R + q;
          m->Tval[e] = T[e];
        }
    if (MrH5Exists(f, "/U")) {
      MR_READ("/U", H5T_NATIVE_DOUBLE, 3, U);
      MR_SHAPE("/U", dims[0] == (hsize_t)R && dims[1] == (hsize_t)R && dims[2] == (hsize_t)R, "(%llu,%llu,%llu), expected (R,R,R) with R = %" PetscInt_FMT, (unsigned long long)dims[0], (unsigned long long)dims[1], (unsigned long long)dims[2], R);
      PetscCall(MrModelSetDenseU(m, U));
    }
    if (MrH5Exists(f, "/V")) {
      MR_READ("/V", H5T_NATIVE_DOUBLE, 2, V);
      MR_SHAPE("/V", dims[0] == (hsize_t)R && dims[1] == (hsize_t)R, "(%llu,%llu), expected (R,R) with R = %" PetscInt_FMT, (unsigned long long)dims[0], (unsigned long long)dims[1], R);
      PetscCall(PetscMalloc1(C, &m->V));
      PetscCall(PetscArraycpy(m->V, V, C));
    }
  }
  PetscCall(MrReadAttrs(f, m, msg, len));
done:
  H5Fclose(f);
  free(iN);
  free(it);
  free(is);
  free(ir);
  free(ic);
  free(ur);
  free(uc);
  free(g);
  free(T);
  free(U);
  free(V);
  free(tv);
  free(uv);
  free(s2);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrModelLoad(MPI_Comm comm, const char path[], MrModel *model)
{
  PetscMPIInt rank;
  char        msg[900] = "", full[1024] = "";
  MrModel     m = NULL;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  MrCheckInput(comm, path && path[0], "no model file given (-model FILE)");
  if (rank == 0) {
    PetscCall(MrModelCreate(comm, &m));
    PetscCall(MrModelReadFile(path, m, msg, sizeof(msg)));
    if (msg[0]) {
      if (strstr(msg, path))
        PetscCall(PetscStrncpy(full, msg, sizeof(full)));
      else
        PetscCall(PetscSNPrintf(full, sizeof(full), "model file '%s': %s", path, msg));
      PetscCall(MrModelDestroy(&m));
    }
  }
  PetscCall(MrShareStatus(comm, full[0] == 0, full));
  PetscCall(MrModelBcast(comm, &m));
  PetscCall(MrModelSetUp(m));
  *model = m;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The model's datasets and root attributes into an open file (rank 0). */
PetscErrorCode MrModelWriteH5(MrModel m, hid_t f)
{
  PetscInt   R = m->R, C = m->C;
  hsize_t    d1 = (hsize_t)R, dc = (hsize_t)C;
  long long *ib;
  double    *rb;
  PetscInt   nmax = PetscMax(PetscMax(m->dense ? R * R * R : 0, C), PetscMax(m->nT, m->nU)) + 1; /* dense: R <= 1000 */

  PetscFunctionBegin;
  PetscCall(PetscMalloc2(nmax, &ib, nmax, &rb));
  for (PetscInt r = 0; r < R; r++) ib[r] = m->N[r];
  PetscCall(MrH5WriteDataset(f, "/N", H5T_NATIVE_LLONG, 1, &d1, ib));
  PetscCall(MrH5WriteDataset(f, "/g", H5T_NATIVE_DOUBLE, 1, &d1, m->g));
  if (m->sigma2) PetscCall(MrH5WriteDataset(f, "/sigma2", H5T_NATIVE_DOUBLE, 1, &d1, m->sigma2));
  if (m->dense) {
    hsize_t d3[3] = {(hsize_t)R, (hsize_t)R, (hsize_t)R};
    PetscCall(PetscArrayzero(rb, R * R * R));
    for (PetscInt e = 0; e < m->nT; e++) rb[m->Trow[e] * R + m->Tcol[e] % R] = m->Tval[e];
    PetscCall(MrH5WriteDataset(f, "/T", H5T_NATIVE_DOUBLE, 3, d3, rb));
    if (m->hasU) {
      PetscCall(PetscArrayzero(rb, R * R * R));
      for (PetscInt e = 0; e < m->nU; e++) rb[m->Urow[e] * R + m->Ucol[e] % R] = m->Uval[e];
      PetscCall(MrH5WriteDataset(f, "/U", H5T_NATIVE_DOUBLE, 3, d3, rb));
    }
    if (m->V) PetscCall(MrH5WriteDataset(f, "/V", H5T_NATIVE_DOUBLE, 2, d3, m->V));
  } else {
    hsize_t dt = (hsize_t)m->nT, du = (hsize_t)m->nU;
    for (PetscInt c = 0; c < C; c++) ib[c] = m->target[c];
    PetscCall(MrH5WriteDataset(f, "/channel/target", H5T_NATIVE_LLONG, 1, &dc, ib));
    for (PetscInt c = 0; c < C; c++) ib[c] = m->source[c];
    PetscCall(MrH5WriteDataset(f, "/channel/source", H5T_NATIVE_LLONG, 1, &dc, ib));
    for (PetscInt e = 0; e < m->nT; e++) ib[e] = m->Trow[e];
    PetscCall(MrH5WriteDataset(f, "/T/row", H5T_NATIVE_LLONG, 1, &dt, ib));
    for (PetscInt e = 0; e < m->nT; e++) ib[e] = m->Tcol[e];
    PetscCall(MrH5WriteDataset(f, "/T/col", H5T_NATIVE_LLONG, 1, &dt, ib));
    PetscCall(MrH5WriteDataset(f, "/T/value", H5T_NATIVE_DOUBLE, 1, &dt, m->Tval));
    if (m->hasU) {
      for (PetscInt e = 0; e < m->nU; e++) ib[e] = m->Urow[e];
      PetscCall(MrH5WriteDataset(f, "/U/row", H5T_NATIVE_LLONG, 1, &du, ib));
      for (PetscInt e = 0; e < m->nU; e++) ib[e] = m->Ucol[e];
      PetscCall(MrH5WriteDataset(f, "/U/col", H5T_NATIVE_LLONG, 1, &du, ib));
      PetscCall(MrH5WriteDataset(f, "/U/value", H5T_NATIVE_DOUBLE, 1, &du, m->Uval));
    }
    if (m->V) PetscCall(MrH5WriteDataset(f, "/V", H5T_NATIVE_DOUBLE, 1, &dc, m->V));
  }
  PetscCall(MrH5WriteAttrString(f, "phi", m->phi));
  PetscCall(MrH5WriteAttrReal(f, "tau", m->tau));
  PetscCall(MrH5WriteAttrString(f, "description", m->description));
  PetscCall(MrH5WriteAttrString(f, "hash", m->hash));
  if (m->draws > 0) PetscCall(MrH5WriteAttrInt(f, "draws", m->draws));
  PetscCall(PetscFree2(ib, rb));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrModelSave(MrModel m, const char path[], PetscBool force)
{
  PetscMPIInt rank;
  char        partial[PETSC_MAX_PATH_LEN + 16];
  PetscBool   ok = PETSC_TRUE;

  PetscFunctionBegin;
  PetscCall(MrOutputCheckPath(m->comm, path, force));
  PetscCallMPI(MPI_Comm_rank(m->comm, &rank));
  if (rank == 0) {
    hid_t f;

    PetscCall(PetscSNPrintf(partial, sizeof(partial), "%s.partial", path));
    f  = H5Fcreate(partial, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ok = (PetscBool)(f >= 0);
    if (ok) {
      PetscCall(MrModelWriteH5(m, f));
      PetscCallH5(H5Fclose(f));
      ok = (PetscBool)(rename(partial, path) == 0);
    }
  }
  PetscCall(MrShareStatus(m->comm, ok, "cannot write the model file"));
  PetscFunctionReturn(PETSC_SUCCESS);
}
