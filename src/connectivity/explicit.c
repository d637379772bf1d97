/* An explicit realisation: the rows of J and of the vectors read from a model
   file's /weights (an imported W, include/mrdyn/weights.h). Every rank reads its
   own rows; nothing is sent between ranks. */
#include "connectivity_impl.h"

/* Rows [r0, r0 + m) of the (rows x cols) dataset `name` into buf (row stride ld), as memtype. */
static PetscErrorCode MrWeightsReadRows(const char path[], const char name[], PetscInt r0, PetscInt m, PetscInt cols, PetscInt ld, hid_t memtype, void *buf)
{
  hid_t   f, d, fs, ms;
  hsize_t start[2] = {(hsize_t)r0, 0}, count[2] = {(hsize_t)m, (hsize_t)cols}, mdims[2] = {(hsize_t)m, (hsize_t)ld}, zero[2] = {0, 0};

  PetscFunctionBegin;
  if (!m || !cols) PetscFunctionReturn(PETSC_SUCCESS);
  f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  PetscCheck(f >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot open the model file '%s' to read %s", path, name);
  PetscCallH5(d = H5Dopen2(f, name, H5P_DEFAULT));
  PetscCallH5(fs = H5Dget_space(d));
  PetscCallH5(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL));
  PetscCallH5(ms = H5Screate_simple(2, mdims, NULL));
  PetscCallH5(H5Sselect_hyperslab(ms, H5S_SELECT_SET, zero, NULL, count, NULL));
  PetscCallH5(H5Dread(d, memtype, ms, fs, H5P_DEFAULT, buf));
  PetscCallH5(H5Sclose(ms));
  PetscCallH5(H5Sclose(fs));
  PetscCallH5(H5Dclose(d));
  PetscCallH5(H5Fclose(f));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDisorderRealise(MrModel model, PetscInt64 seed, PetscInt r, PetscInt rstart, PetscInt rend, MrDisorderType type, MrPrecision prec, PetscInt K, MrDisorder *J)
{
  const PetscInt m = rend - rstart, N = model->N[r];
  char           name[64];

  PetscFunctionBegin;
  if (!model->weights) {
    PetscCall(MrDisorderGenerate(seed, r, N, model->g[r], rstart, rend, type, prec, K, J));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCheck(type == MR_DISORDER_DENSE, PETSC_COMM_SELF, PETSC_ERR_SUP, "an imported W has dense disorder only");
  PetscCall(PetscMemzero(J, sizeof(*J)));
  J->nrows     = m;
  J->ncols     = N;
  J->type      = type;
  J->precision = prec;
  J->present   = (PetscBool)(model->g[r] > 0); /* the file holds J exactly when g > 0 */
  if (!J->present || m == 0) PetscFunctionReturn(PETSC_SUCCESS);
  J->ld = (N + 7) / 8 * 8;
  PetscCall(PetscSNPrintf(name, sizeof(name), "/weights/region%" PetscInt_FMT "/J", r));
  if (prec == MR_PRECISION_DOUBLE) {
    PetscCall(MrAlignedAlloc(sizeof(double) * (size_t)m * (size_t)J->ld, &J->mem, (void **)&J->Jd));
    PetscCall(PetscArrayzero(J->Jd, (size_t)m * J->ld));
    PetscCall(MrWeightsReadRows(model->weights, name, rstart, m, N, J->ld, H5T_NATIVE_DOUBLE, J->Jd));
  } else {
    PetscCall(MrAlignedAlloc(sizeof(float) * (size_t)m * (size_t)J->ld, &J->mem, (void **)&J->Jf));
    PetscCall(PetscArrayzero(J->Jf, (size_t)m * J->ld));
    PetscCall(PetscMalloc1(N, &J->xf));
    PetscCall(MrWeightsReadRows(model->weights, name, rstart, m, N, J->ld, H5T_NATIVE_FLOAT, J->Jf));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrWeightsReadVectors(MrModel model, PetscInt s, PetscInt rstart, PetscInt rend, MrVectors *v)
{
  const PetscInt m = rend - rstart;
  char           name[64];

  PetscFunctionBegin;
  PetscCall(PetscMemzero(v, sizeof(*v)));
  v->nout     = model->outOff[s + 1] - model->outOff[s];
  v->nin      = model->inOff[s + 1] - model->inOff[s];
  v->D        = v->nout + v->nin;
  v->hasInput = PETSC_FALSE; /* an imported W has no input directions */
  v->sigma2   = model->s2[s];
  PetscCall(PetscMalloc1((size_t)m * v->D + 1, &v->vec));
  PetscCall(PetscSNPrintf(name, sizeof(name), "/weights/region%" PetscInt_FMT "/vectors", s));
  PetscCall(MrWeightsReadRows(model->weights, name, rstart, m, v->D, v->D, H5T_NATIVE_DOUBLE, v->vec));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrWeightsCheckDisorder(MrModel model, MrDisorderType type, const char verb[])
{
  PetscFunctionBegin;
  MrCheckInput(model->comm, !model->weights || type == MR_DISORDER_DENSE, "%s: the model file holds an imported W (/weights), whose disorder J is dense and given; -disorder sparse does not apply", verb);
  PetscFunctionReturn(PETSC_SUCCESS);
}
