/* `mrdyn model weights`: a user's weight matrix W imported as an explicit
   realisation, and the multiregion structure of docs/model.md fitted to it
   (docs/weights.md). Rank 0 reads W and assembles the model; the blocks are
   fitted on all ranks (block b by rank b mod P); the checks are shared. */
#include "weights_impl.h"
#include "model_impl.h"
#include <mrdyn/io.h>
#include <mrdyn/model.h>
#include <petscblaslapack.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const MrWeightsKnown[]   = {"-weights", "-o", "-force", "-rank", "-rank_block", "-rank_max", "-R", "-tau", "-description", NULL};

typedef struct {
  char      in[PETSC_MAX_PATH_LEN], out[PETSC_MAX_PATH_LEN], rank[64], description[256];
  PetscBool force, help;
  PetscInt  rule;              /* MR_RANK_AUTO or a rank */
  PetscInt  rankBlock[3 * 64]; /* triples r, s, K */
  PetscInt  nrb, rankMax, R;
  PetscReal tau;
} MrWeightsOptions;

static PetscErrorCode MrWeightsGetOptions(MPI_Comm comm, MrWeightsOptions *o)
{
  PetscBool set;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(o, sizeof(*o)));
  PetscCall(PetscStrncpy(o->rank, "auto", sizeof(o->rank)));
  o->rankMax = 16;
  o->tau     = 1;
  o->R       = 0;
  o->nrb     = 3 * 64;
  PetscOptionsBegin(comm, NULL, "mrdyn model weights: import a weight matrix and fit the multiregion structure", NULL);
  PetscCall(PetscOptionsString("-weights", "HDF5 file with /W (n x n, float32 or float64, row = target neuron, column = source) and /region (n integer labels 0..R-1)", NULL, o->in, o->in, sizeof(o->in), NULL));
  PetscCall(PetscOptionsString("-o", "model file to write (the fitted structure and the exact realisation)", NULL, o->out, o->out, sizeof(o->out), NULL));
  PetscCall(MrOptionsBool("-force", "overwrite an existing file", o->force, &o->force, NULL));
  PetscCall(PetscOptionsString("-rank", "rank of every block: auto (singular values above the bulk edge of a random block) or a number", NULL, o->rank, o->rank, sizeof(o->rank), NULL));
  PetscCall(MrOptionsIntArray("-rank_block", "ranks of single blocks, triples target,source,K (override -rank)", "none", o->rankBlock, &o->nrb, &set, 0, 100000));
  if (!set) o->nrb = 0;
  PetscCall(MrOptionsInt("-rank_max", "-rank auto: at most this many channels per block", o->rankMax, &o->rankMax, NULL, 1, 100000));
  PetscCall(MrOptionsInt("-R", "number of regions (0: the largest label + 1)", o->R, &o->R, NULL, 0, 1000));
  PetscCall(MrOptionsReal("-tau", "time constant of the model", o->tau, &o->tau, NULL));
  PetscCall(PetscOptionsString("-description", "free-text description (default: the source file)", NULL, o->description, o->description, sizeof(o->description), NULL));
  PetscOptionsEnd();
  PetscCall(PetscOptionsHasHelp(NULL, &o->help));
  if (o->help) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(MrCheckUnusedOptions(comm, MrWeightsKnown));
  MrCheckInput(comm, o->in[0], "model weights: no weight file given (-weights W.h5)");
  MrCheckInput(comm, o->out[0], "model weights: no output file given (-o FILE)");
  {
    PetscBool isAuto;
    PetscCall(PetscStrcmp(o->rank, "auto", &isAuto));
    if (isAuto)
      o->rule = MR_RANK_AUTO;
    else {
      char *end;
      long  v = strtol(o->rank, &end, 10);
      MrCheckInput(comm, end != o->rank && *end == 0 && v >= 0 && v < 100000, "option -rank: '%s' is neither auto nor a rank >= 0", o->rank);
      o->rule = (PetscInt)v;
    }
  }
  MrCheckInput(comm, o->nrb % 3 == 0, "option -rank_block needs triples target,source,K (it has %" PetscInt_FMT " values)", o->nrb);
  MrCheckInput(comm, isfinite(o->tau) && o->tau > 0, "option -tau %g must be > 0", (double)o->tau);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Rank 0: W as doubles (row-major, n x n), the labels, and the rounding unit of
   the stored precision. On failure msg says what is wrong. */
static PetscErrorCode MrWeightsRead(const char path[], PetscInt Ropt, PetscInt *n, PetscInt *R, double **W, long long **label, PetscReal *eps, char dtype[], char msg[], size_t len)
{
  hid_t      f, d, t, sp;
  int        rank;
  hsize_t    dims[4];
  long long *lab = NULL;
  double    *w   = NULL;
  PetscInt   nn;

  PetscFunctionBegin;
  msg[0] = 0;
  *W     = NULL;
  *label = NULL;
  if (access(path, F_OK) != 0) {
    PetscCall(PetscSNPrintf(msg, len, "-weights '%s' does not exist", path));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (access(path, R_OK) != 0 || H5Fis_hdf5(path) <= 0) {
    PetscCall(PetscSNPrintf(msg, len, "-weights '%s' is not a readable HDF5 file", path));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) {
    PetscCall(PetscSNPrintf(msg, len, "-weights '%s' cannot be opened", path));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (!MrH5Exists(f, "/W") || !MrH5Exists(f, "/region")) {
    PetscCall(PetscSNPrintf(msg, len, "-weights '%s' needs the datasets /W (n x n weights, row = target neuron) and /region (n integer labels); /%s is missing", path, MrH5Exists(f, "/W") ? "region" : "W"));
    goto done;
  }
  /* /W: float32 or float64, n x n */
  d = H5Dopen2(f, "/W", H5P_DEFAULT);
  if (d < 0) {
    PetscCall(PetscSNPrintf(msg, len, "-weights '%s': /W is not a dataset", path));
    goto done;
  }
  t  = H5Dget_type(d);
  sp = H5Dget_space(d);
  if (H5Tget_class(t) != H5T_FLOAT || (H5Tget_size(t) != 4 && H5Tget_size(t) != 8))
    PetscCall(
        PetscSNPrintf(msg, len, "-weights '%s': /W must hold float32 or float64 values (it holds %s of %d bytes)", path, H5Tget_class(t) == H5T_INTEGER ? "integers" : (H5Tget_class(t) == H5T_FLOAT ? "floats" : "non-numbers"), (int)H5Tget_size(t)));
  else {
    *eps = H5Tget_size(t) == 4 ? 0x1p-24 : 0x1p-53;
    PetscCall(PetscStrncpy(dtype, H5Tget_size(t) == 4 ? "float32" : "float64", 16));
    rank = H5Sget_simple_extent_ndims(sp);
    if (rank == 2) H5Sget_simple_extent_dims(sp, dims, NULL);
    if (rank != 2 || dims[0] != dims[1] || dims[0] == 0) {
      if (rank == 2)
        PetscCall(PetscSNPrintf(msg, len, "-weights '%s': /W must be a square n x n array; it is %llu x %llu", path, (unsigned long long)dims[0], (unsigned long long)dims[1]));
      else
        PetscCall(PetscSNPrintf(msg, len, "-weights '%s': /W must be a square n x n array; it has %d dimensions", path, rank));
    } else if (dims[0] > 200000)
      PetscCall(PetscSNPrintf(msg, len, "-weights '%s': /W is %llu x %llu; the import holds W in one process's memory (at most 200,000 neurons)", path, (unsigned long long)dims[0], (unsigned long long)dims[1]));
  }
  H5Sclose(sp);
  H5Tclose(t);
  H5Dclose(d);
  if (msg[0]) goto done;
  nn = (PetscInt)dims[0];
  {
    char m2[512];
    PetscCall(MrH5ReadDataset(f, "/region", H5T_NATIVE_LLONG, &rank, dims, (void **)&lab, m2, sizeof(m2)));
    if (m2[0]) {
      PetscCall(PetscSNPrintf(msg, len, "-weights '%s': %s (/region holds one integer label per neuron)", path, m2));
      goto done;
    }
    if (rank != 1 || dims[0] != (hsize_t)nn) {
      PetscCall(PetscSNPrintf(msg, len, "-weights '%s': /region must hold n = %" PetscInt_FMT " labels (one per row of /W); it has shape (%llu%s)", path, nn, (unsigned long long)dims[0], rank == 1 ? "," : ", ..."));
      goto done;
    }
    PetscCall(MrH5ReadDataset(f, "/W", H5T_NATIVE_DOUBLE, &rank, dims, (void **)&w, m2, sizeof(m2)));
    if (m2[0]) {
      PetscCall(PetscSNPrintf(msg, len, "-weights '%s': %s", path, m2));
      goto done;
    }
  }
  {
    size_t    bad = 0, first = 0;
    long long lmin = lab[0], lmax = lab[0];
    for (size_t k = 0; k < (size_t)nn * nn; k++)
      if (!isfinite(w[k]) && !bad++) first = k;
    if (bad) {
      PetscCall(PetscSNPrintf(msg, len, "-weights '%s': /W has %zu entries that are not finite numbers (the first at row %zu, column %zu)", path, bad, first / (size_t)nn, first % (size_t)nn));
      goto done;
    }
    for (PetscInt i = 0; i < nn; i++) {
      if (lab[i] < lmin) lmin = lab[i];
      if (lab[i] > lmax) lmax = lab[i];
    }
    if (lmin < 0 || (Ropt > 0 && lmax >= Ropt) || lmax >= 1000) {
      PetscInt i = 0;
      while (!(lab[i] < 0 || (Ropt > 0 && lab[i] >= Ropt) || lab[i] >= 1000)) i++;
      if (lab[i] < 0)
        PetscCall(PetscSNPrintf(msg, len, "-weights '%s': /region label %lld of neuron %" PetscInt_FMT " is negative (labels are 0, 1, ..., R-1)", path, lab[i], i));
      else
        PetscCall(PetscSNPrintf(msg, len, "-weights '%s': /region label %lld of neuron %" PetscInt_FMT " is outside 0..%lld%s", path, lab[i], i, Ropt > 0 ? (long long)Ropt - 1 : 999LL, Ropt > 0 ? " (-R)" : " (at most 1000 regions)"));
      goto done;
    }
    *R = Ropt > 0 ? Ropt : (PetscInt)lmax + 1;
    for (PetscInt r = 0; r < *R; r++) {
      PetscInt cnt = 0;
      for (PetscInt i = 0; i < nn; i++) cnt += lab[i] == r;
      if (!cnt) {
        PetscCall(PetscSNPrintf(msg, len, "-weights '%s': region %" PetscInt_FMT " has no neurons (the labels of /region must use every value 0..%" PetscInt_FMT ")", path, r, *R - 1));
        goto done;
      }
    }
  }
  *n     = nn;
  *W     = w;
  *label = lab;
  w      = NULL;
  lab    = NULL;
done:
  free(w);
  free(lab);
  H5Fclose(f);
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscReal MrDot(PetscInt n, const PetscReal *x, const PetscReal *y)
{
  PetscReal v = 0;
  for (PetscInt i = 0; i < n; i++) v += x[i] * y[i];
  return v;
}

/* Smallest and largest eigenvalue of a symmetric d x d matrix (copied). */
static PetscErrorCode MrEigRange(PetscInt d, const PetscReal *a, PetscReal *wmin, PetscReal *wmax)
{
  PetscBLASInt n, lwork, info;
  PetscReal   *A, *w, *work;

  PetscFunctionBegin;
  *wmin = *wmax = 0;
  if (!d) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscBLASIntCast(d, &n));
  lwork = 3 * n + 8;
  PetscCall(PetscMalloc3(d * d, &A, d, &w, lwork, &work));
  PetscCall(PetscArraycpy(A, a, d * d));
  PetscCallBLAS("LAPACKsyev", LAPACKsyev_("N", "U", &n, A, &n, w, work, &lwork, &info));
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK syev failed: %d", (int)info);
  *wmin = w[0];
  *wmax = w[d - 1];
  PetscCall(PetscFree3(A, w, work));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Everything rank 0 computes from W. */
typedef struct {
  PetscInt    n, R, *N, *off, *perm;
  PetscReal   eps;
  char        dtype[16];
  MrBlockFit *bf; /* R x R */
  PetscReal **J;  /* R: residual of the diagonal block (row-major) or NULL */
  PetscInt    Cth, Cext;
  PetscInt   *target, *source, *blk, *comp; /* Cext channels: block r * R + s and component */
  PetscInt   *D, *colOut, *colIn;           /* per region: vector columns; per channel: its readout's column in the source region, its input's in the target */
  PetscReal **vec;                          /* per region: N_s x D_s, row-major */
  PetscReal  *g, *sigma2, *Uadj;            /* (R), (R), (R): U off-diagonals scaled by this to stay positive definite */
  PetscReal   maxErr, maxRel;
} MrWeightsFit;

static PetscErrorCode MrWeightsFitDestroy(MrWeightsFit *F)
{
  PetscFunctionBegin;
  if (F->bf)
    for (PetscInt k = 0; k < F->R * F->R; k++) PetscCall(MrBlockFitDestroy(&F->bf[k]));
  for (PetscInt r = 0; r < F->R; r++) {
    if (F->J) PetscCall(PetscFree(F->J[r]));
    if (F->vec) PetscCall(PetscFree(F->vec[r]));
  }
  PetscCall(PetscFree(F->bf));
  PetscCall(PetscFree(F->J));
  PetscCall(PetscFree(F->vec));
  PetscCall(PetscFree2(F->colOut, F->colIn));
  PetscCall(PetscFree4(F->N, F->off, F->D, F->perm));
  PetscCall(PetscFree4(F->target, F->source, F->blk, F->comp));
  PetscCall(PetscFree3(F->g, F->sigma2, F->Uadj));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Theory channel c: its fitted left vector (target region) and right vector (source region). */
static inline const PetscReal *MrChU(const MrWeightsFit *F, PetscInt c) { return F->bf[F->blk[c]].U + (size_t)F->comp[c] * F->bf[F->blk[c]].a; }
static inline const PetscReal *MrChV(const MrWeightsFit *F, PetscInt c) { return F->bf[F->blk[c]].V + (size_t)F->comp[c] * F->bf[F->blk[c]].b; }

/* The model's statistics from the fitted components (docs/model.md section 7),
   in the gauge m^c = sqrt(N_r) u, n^c = theta N_s / sqrt(N_r) v of the signal's
   vectors u, v; overlaps of fitted vectors are divided by their cosines with the
   signal's (the noise parts of distinct vectors are asymptotically orthogonal). */
static PetscErrorCode MrWeightsStatistics(MrWeightsFit *F, MrModel m)
{
  const PetscInt R = F->R, C = F->Cth;
  PetscBool      dense = (PetscBool)(C == R * R);
  PetscInt       nT = 0, nU = 0, e;

  PetscFunctionBegin;
  for (PetscInt c = 0; c < C && dense; c++) dense = (PetscBool)(F->target[c] * R + F->source[c] == c);
  m->R     = R;
  m->C     = C;
  m->dense = dense;
  m->tau   = 1;
  PetscCall(PetscMalloc2(R, &m->N, R, &m->g));
  PetscCall(PetscMalloc2(C, &m->target, C, &m->source));
  for (PetscInt r = 0; r < R; r++) {
    m->N[r] = F->N[r];
    m->g[r] = F->g[r];
  }
  for (PetscInt c = 0; c < C; c++) {
    m->target[c] = F->target[c];
    m->source[c] = F->source[c];
  }
  /* entry counts: all (out, in) pairs meeting in a region; all in-channel pairs */
  for (PetscInt s = 0; s < R; s++) {
    PetscInt no = 0, ni = 0;
    for (PetscInt c = 0; c < C; c++) {
      no += F->source[c] == s;
      ni += F->target[c] == s;
    }
    nT += no * ni;
    nU += ni * ni;
  }
  m->nT = nT;
  PetscCall(PetscMalloc3(nT, &m->Trow, nT, &m->Tcol, nT, &m->Tval));
  /* T: dense models list (r, s, q) in C order, as the dense reader builds them */
  e = 0;
  for (PetscInt s = 0; s < (dense ? 1 : R); s++)
    for (PetscInt a = 0; a < C; a++)
      for (PetscInt b = 0; b < C; b++) {
        PetscInt mid = F->source[a];
        if (F->target[b] != mid || (!dense && mid != s)) continue;
        {
          const MrBlockFit *fa = &F->bf[F->blk[a]], *fb = &F->bf[F->blk[b]];
          PetscInt          ka = F->comp[a], kb = F->comp[b], Nr = F->N[F->target[a]], Ns = F->N[mid];
          PetscReal         ov = MrDot(Ns, MrChV(F, a), MrChU(F, b)) / (fa->cr[ka] * fb->cl[kb]);
          m->Trow[e]           = a;
          m->Tcol[e]           = b;
          m->Tval[e++]         = fa->theta[ka] * PetscSqrtReal((PetscReal)Ns / Nr) * ov;
        }
      }
  PetscCheck(e == nT, PETSC_COMM_SELF, PETSC_ERR_PLIB, "T entries %" PetscInt_FMT " != %" PetscInt_FMT, e, nT);
  /* U per region: identity inside a block (orthogonal singular vectors), corrected
     overlaps across blocks, shrunk towards the identity if not positive definite */
  {
    PetscReal *Ud = NULL;
    PetscInt  *in, ni;
    PetscCall(PetscMalloc1(C + 1, &in));
    if (dense) PetscCall(PetscCalloc1(R * R * R, &Ud));
    m->hasU = PETSC_TRUE;
    if (!dense) {
      m->nU = nU;
      PetscCall(PetscMalloc3(nU, &m->Urow, nU, &m->Ucol, nU, &m->Uval));
    }
    e = 0;
    for (PetscInt s = 0; s < R; s++) {
      PetscReal *B, wmin, wmax;
      ni = 0;
      for (PetscInt c = 0; c < C; c++)
        if (F->target[c] == s) in[ni++] = c;
      PetscCall(PetscMalloc1(ni * ni + 1, &B));
      for (PetscInt i = 0; i < ni; i++)
        for (PetscInt j = 0; j < ni; j++) {
          PetscInt p = in[i], q = in[j];
          B[i * ni + j] = i == j ? 1.0 : (F->blk[p] == F->blk[q] ? 0.0 : MrDot(F->N[s], MrChU(F, p), MrChU(F, q)) / (F->bf[F->blk[p]].cl[F->comp[p]] * F->bf[F->blk[q]].cl[F->comp[q]]));
        }
      F->Uadj[s] = 1;
      for (int it = 0; it < 200 && ni > 0; it++) {
        PetscCall(MrEigRange(ni, B, &wmin, &wmax));
        if (wmin > 1e-8) break;
        F->Uadj[s] *= 0.9;
        for (PetscInt i = 0; i < ni; i++)
          for (PetscInt j = 0; j < ni; j++)
            if (i != j) B[i * ni + j] *= 0.9;
      }
      for (PetscInt i = 0; i < ni; i++)
        for (PetscInt j = 0; j < ni; j++) {
          if (dense)
            Ud[(s * R + F->source[in[i]]) * R + F->source[in[j]]] = B[i * ni + j];
          else {
            m->Urow[e]   = in[i];
            m->Ucol[e]   = in[j];
            m->Uval[e++] = B[i * ni + j];
          }
        }
      PetscCall(PetscFree(B));
    }
    if (dense) PetscCall(MrModelSetDenseU(m, Ud));
    PetscCall(PetscFree(Ud));
    PetscCall(PetscFree(in));
  }
  /* readout variances: the largest eigenvalue of each region's readout Gram
     matrix, raised by 1.05 steps until the vector covariance is semidefinite */
  PetscCall(PetscMalloc1(R, &m->sigma2));
  for (PetscInt s = 0; s < R; s++) {
    PetscInt  *out, *in, no = 0, ni = 0, d;
    PetscReal *G, *cov, wmin, wmax, s2;
    PetscCall(PetscMalloc2(C + 1, &out, C + 1, &in));
    for (PetscInt c = 0; c < C; c++) {
      if (F->source[c] == s) out[no++] = c;
      if (F->target[c] == s) in[ni++] = c;
    }
    d = no + ni;
    PetscCall(PetscCalloc2(no * no + 1, &G, d * d + 1, &cov));
    for (PetscInt i = 0; i < no; i++)
      for (PetscInt j = 0; j < no; j++) {
        PetscInt          p = out[i], q = out[j];
        const MrBlockFit *fp = &F->bf[F->blk[p]], *fq = &F->bf[F->blk[q]];
        PetscReal         scale = fp->theta[F->comp[p]] * fq->theta[F->comp[q]] * F->N[s] / PetscSqrtReal((PetscReal)F->N[F->target[p]] * F->N[F->target[q]]);
        G[i * no + j]           = p == q ? scale : (F->blk[p] == F->blk[q] ? 0.0 : scale * MrDot(F->N[s], MrChV(F, p), MrChV(F, q)) / (fp->cr[F->comp[p]] * fq->cr[F->comp[q]]));
      }
    PetscCall(MrEigRange(no, G, &wmin, &wmax));
    s2 = no ? PetscMax(wmax, 1e-12) : 1.0;
    /* the covariance in the vector order of model.md section 5: readouts, then inputs */
    for (PetscInt k = 0; k < m->nT; k++) {
      PetscInt i = -1, j = -1;
      for (PetscInt t = 0; t < no; t++)
        if (out[t] == m->Trow[k]) i = t;
      for (PetscInt t = 0; t < ni; t++)
        if (in[t] == m->Tcol[k]) j = t;
      if (i >= 0 && j >= 0) cov[i * d + no + j] = cov[(no + j) * d + i] = m->Tval[k];
    }
    for (PetscInt k = 0; k < m->nU; k++) {
      PetscInt i = -1, j = -1;
      for (PetscInt t = 0; t < ni; t++) {
        if (in[t] == m->Urow[k]) i = t;
        if (in[t] == m->Ucol[k]) j = t;
      }
      if (i >= 0 && j >= 0) cov[(no + i) * d + no + j] = m->Uval[k];
    }
    for (int it = 0; it < 2000 && no; it++) {
      for (PetscInt i = 0; i < no; i++) cov[i * d + i] = s2;
      PetscCall(MrEigRange(d, cov, &wmin, &wmax));
      if (wmin >= 1e-12 * s2) break;
      s2 *= 1.05;
    }
    m->sigma2[s] = s2;
    F->sigma2[s] = s2;
    PetscCall(PetscFree2(G, cov));
    PetscCall(PetscFree2(out, in));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The realisation's vectors: per region, the out-channels' readouts then the
   in-channels' input vectors, channels by increasing index (model.md section 5).
   Theory channels: m = (s_k cr / theta) sqrt(N_r) u, n = (theta / cr) N_s / sqrt(N_r) v,
   so that n . phi / N_s estimates the signal's current while m n^T / N_s = s_k u v^T;
   residual channels: m = sqrt(N_r) u, n = s_k N_s / sqrt(N_r) v. */
static PetscErrorCode MrWeightsVectors(MrWeightsFit *F)
{
  const PetscInt R = F->R;

  PetscFunctionBegin;
  PetscCall(PetscCalloc1(R, &F->vec));
  PetscCall(PetscMalloc2(F->Cext + 1, &F->colOut, F->Cext + 1, &F->colIn));
  for (PetscInt s = 0; s < R; s++) {
    PetscInt d = 0;
    for (PetscInt c = 0; c < F->Cext; c++)
      if (F->source[c] == s) F->colOut[c] = d++;
    for (PetscInt c = 0; c < F->Cext; c++)
      if (F->target[c] == s) F->colIn[c] = d++;
    F->D[s] = d;
    PetscCall(PetscCalloc1((size_t)F->N[s] * d + 1, &F->vec[s]));
  }
  for (PetscInt c = 0; c < F->Cext; c++) {
    const MrBlockFit *f = &F->bf[F->blk[c]];
    PetscInt          k = F->comp[c], r = F->target[c], s = F->source[c], Nr = F->N[r], Ns = F->N[s];
    const PetscReal  *u = f->U + (size_t)k * f->a, *v = f->V + (size_t)k * f->b;
    PetscReal         mscale, nscale;
    if (c < F->Cth) {
      mscale = f->sv[k] * f->cr[k] / f->theta[k] * PetscSqrtReal((PetscReal)Nr);
      nscale = f->theta[k] / f->cr[k] * Ns / PetscSqrtReal((PetscReal)Nr);
    } else {
      mscale = PetscSqrtReal((PetscReal)Nr);
      nscale = f->sv[k] * Ns / PetscSqrtReal((PetscReal)Nr);
    }
    for (PetscInt j = 0; j < Ns; j++) F->vec[s][(size_t)j * F->D[s] + F->colOut[c]] = nscale * v[j];
    for (PetscInt i = 0; i < Nr; i++) F->vec[r][(size_t)i * F->D[r] + F->colIn[c]] = mscale * u[i];
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Rank 0: fits every block of W (regrouped by region) and lays out the channels:
   the theory's (target, source, component) first, then the residual components of
   the off-diagonal blocks. */
static PetscErrorCode MrWeightsFitAll(MPI_Comm comm, const MrWeightsOptions *o, const double *W, const long long *label, MrWeightsFit *F)
{
  const PetscInt R = F->R, n = F->n;
  PetscInt       nch = 0, nmine = 0;
  PetscMPIInt    rank, size;
  PetscReal     *B, **out = NULL;
  MPI_Request   *req = NULL;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscMalloc4(R, &F->N, R + 1, &F->off, R, &F->D, n, &F->perm));
  PetscCall(PetscMalloc3(R, &F->g, R, &F->sigma2, R, &F->Uadj));
  F->off[0] = 0;
  for (PetscInt r = 0, i = 0; r < R && rank == 0; r++) {
    F->N[r] = 0;
    for (PetscInt j = 0; j < n; j++) /* stable: a region keeps its neurons' order */
      if (label[j] == r) {
        F->perm[i++] = j;
        F->N[r]++;
      }
    F->off[r + 1] = F->off[r] + F->N[r];
  }
  PetscCallMPI(MPI_Bcast(F->N, (PetscMPIInt)R, MPIU_INT, 0, comm));
  PetscCall(PetscCalloc1(R * R, &F->bf));
  PetscCall(PetscCalloc1(R, &F->J));
  /* block b is fitted by rank b mod P: rank 0 extracts it from W and sends it;
     the fits come back to rank 0 (sent without waiting, so nothing blocks) */
  for (PetscInt k = rank; rank && k < R * R; k += size) nmine++;
  PetscCall(PetscCalloc2(nmine + 1, &out, nmine + 1, &req));
  nmine = 0;
  for (PetscInt r = 0; r < R; r++)
    for (PetscInt s = 0; s < R; s++) {
      const PetscInt    blk = r * R + s, a = F->N[r], b = F->N[s];
      const PetscMPIInt owner = (PetscMPIInt)(blk % size);
      PetscInt          rule  = o->rule;
      PetscReal        *J;
      if (rank != 0 && rank != owner) continue;
      PetscCheck((size_t)a * b < (size_t)PETSC_MPI_INT_MAX, PETSC_COMM_SELF, PETSC_ERR_SUP, "block %" PetscInt_FMT " x %" PetscInt_FMT " is too large to send", a, b);
      for (PetscInt k = 0; k < o->nrb; k += 3)
        if (o->rankBlock[k] == r && o->rankBlock[k + 1] == s) rule = o->rankBlock[k + 2];
      PetscCall(PetscMalloc1((size_t)a * b + 1, &B));
      if (rank == 0)
        for (PetscInt j = 0; j < b; j++) /* column-major for LAPACK */
          for (PetscInt i = 0; i < a; i++) B[(size_t)j * a + i] = W[(size_t)F->perm[F->off[r] + i] * n + F->perm[F->off[s] + j]];
      if (rank == 0 && owner != 0)
        PetscCallMPI(MPI_Send(B, (PetscMPIInt)(a * b), MPIU_REAL, owner, (PetscMPIInt)blk, comm));
      else {
        if (rank != 0) PetscCallMPI(MPI_Recv(B, (PetscMPIInt)(a * b), MPIU_REAL, 0, (PetscMPIInt)blk, comm, MPI_STATUS_IGNORE));
        PetscCall(MrFitBlock(B, a, b, (PetscBool)(r == s), F->eps, rule, o->rankMax, &F->bf[blk], &J));
        if (rank == 0) {
          if (r == s) F->J[r] = J;
        } else {
          PetscInt len;
          PetscCall(MrBlockFitPack(&F->bf[blk], J, &len, &out[nmine]));
          PetscCheck(len < PETSC_MPI_INT_MAX, PETSC_COMM_SELF, PETSC_ERR_SUP, "the fit of block %" PetscInt_FMT " is too large to send", blk);
          PetscCallMPI(MPI_Isend(out[nmine], (PetscMPIInt)len, MPIU_REAL, 0, (PetscMPIInt)(R * R + blk), comm, &req[nmine]));
          nmine++;
          PetscCall(MrBlockFitDestroy(&F->bf[blk]));
          PetscCall(PetscFree(J));
        }
      }
      PetscCall(PetscFree(B));
    }
  if (rank) {
    PetscCallMPI(MPI_Waitall((PetscMPIInt)nmine, req, MPI_STATUSES_IGNORE));
    for (PetscInt k = 0; k < nmine; k++) PetscCall(PetscFree(out[k]));
    PetscCall(PetscFree2(out, req));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscFree2(out, req));
  for (PetscInt blk = 0; blk < R * R; blk++) {
    const PetscMPIInt owner = (PetscMPIInt)(blk % size);
    MPI_Status        st;
    PetscMPIInt       cnt;
    PetscReal        *buf, *J;
    if (owner == 0) continue;
    PetscCallMPI(MPI_Probe(owner, (PetscMPIInt)(R * R + blk), comm, &st));
    PetscCallMPI(MPI_Get_count(&st, MPIU_REAL, &cnt));
    PetscCall(PetscMalloc1(cnt, &buf));
    PetscCallMPI(MPI_Recv(buf, cnt, MPIU_REAL, owner, (PetscMPIInt)(R * R + blk), comm, MPI_STATUS_IGNORE));
    PetscCall(MrBlockFitUnpack(buf, &F->bf[blk], &J));
    if (blk / R == blk % R) F->J[blk / R] = J;
    PetscCall(PetscFree(buf));
  }
  for (PetscInt blk = 0; blk < R * R; blk++) nch += F->bf[blk].rank + (blk / R == blk % R ? 0 : F->bf[blk].exact - F->bf[blk].rank);
  for (PetscInt r = 0; r < R; r++) {
    const MrBlockFit *f = &F->bf[r * R + r];
    F->g[r]             = F->J[r] ? PetscSqrtReal(f->sigma2 * f->a) : 0;
  }
  PetscCall(PetscMalloc4(nch + 1, &F->target, nch + 1, &F->source, nch + 1, &F->blk, nch + 1, &F->comp));
  F->Cext = 0;
  for (int pass = 0; pass < 2; pass++)
    for (PetscInt r = 0; r < R; r++)
      for (PetscInt s = 0; s < R; s++) {
        const MrBlockFit *f  = &F->bf[r * R + s];
        PetscInt          k0 = pass ? f->rank : 0, k1 = pass ? (r == s ? f->rank : f->exact) : f->rank;
        for (PetscInt k = k0; k < k1; k++) {
          F->target[F->Cext] = r;
          F->source[F->Cext] = s;
          F->blk[F->Cext]    = r * R + s;
          F->comp[F->Cext++] = k;
        }
        if (!pass) F->Cth = F->Cext;
      }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Largest |W_ij - realised W_ij| per block, with the realisation as simulate
   computes it: J (diagonal) plus m_i n_j / N_s over the block's channels. */
static PetscErrorCode MrWeightsReconstructionError(const double *W, MrWeightsFit *F, PetscReal err[], PetscReal bmax[])
{
  const PetscInt R = F->R, n = F->n;

  PetscFunctionBegin;
  F->maxErr = F->maxRel = 0;
  for (PetscInt r = 0; r < R; r++)
    for (PetscInt s = 0; s < R; s++) {
      PetscInt *ch, nc = 0;
      PetscReal e = 0, big = 0;
      PetscCall(PetscMalloc1(F->Cext + 1, &ch));
      for (PetscInt c = 0; c < F->Cext; c++)
        if (F->target[c] == r && F->source[c] == s) ch[nc++] = c;
      for (PetscInt i = 0; i < F->N[r]; i++)
        for (PetscInt j = 0; j < F->N[s]; j++) {
          PetscReal w = W[(size_t)F->perm[F->off[r] + i] * n + F->perm[F->off[s] + j]], v = r == s && F->J[r] ? F->J[r][(size_t)i * F->N[r] + j] : 0;
          for (PetscInt q = 0; q < nc; q++) v += F->vec[r][(size_t)i * F->D[r] + F->colIn[ch[q]]] * F->vec[s][(size_t)j * F->D[s] + F->colOut[ch[q]]] / F->N[s];
          e   = PetscMax(e, PetscAbsReal(w - v));
          big = PetscMax(big, PetscAbsReal(w));
        }
      err[r * R + s]            = e;
      bmax[r * R + s]           = big;
      F->bf[r * R + s].recErr   = e;
      F->bf[r * R + s].blockMax = big;
      F->maxErr                 = PetscMax(F->maxErr, e);
      if (big > 0) F->maxRel = PetscMax(F->maxRel, e / big);
      PetscCall(PetscFree(ch));
    }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The warnings and notes of every block, one line each (rank 0). */
static PetscErrorCode MrWeightsMessages(const MrWeightsFit *F, const MrWeightsOptions *o, char **text)
{
  const PetscInt R   = F->R;
  size_t         cap = 4096 + (size_t)R * R * 1024, len = 0;
  char          *t;

  PetscFunctionBegin;
  PetscCall(PetscCalloc1(cap, &t));
#define MR_ADD(...) len += (size_t)snprintf(t + len, cap - len, __VA_ARGS__)
  for (PetscInt r = 0; r < R; r++)
    for (PetscInt s = 0; s < R; s++) {
      const MrBlockFit *f = &F->bf[r * R + s];
      if (f->flags & (MR_FIT_CAPPED | MR_FIT_NOT_RANDOM | MR_FIT_NONGAUSS)) {
        PetscReal kw = 3;
        for (PetscInt k = 0; k < 2 * f->rank; k++)
          if (PetscAbsReal(f->kurt[k] - 3) > PetscAbsReal(kw - 3)) kw = f->kurt[k];
        MR_ADD("warning: block %d <- %d is not of the model's form (low-rank with Gaussian vectors, plus random disorder): the theory does not describe it;", (int)r, (int)s);
        if (f->flags & MR_FIT_CAPPED) MR_ADD(" more than -rank_max %d components stand above the bulk edge (not low-rank);", (int)o->rankMax);
        if (f->flags & MR_FIT_NOT_RANDOM) MR_ADD(" its residual (%.1f%% of the squared norm) is not random-like (spectrum ratio %.3g, 1 for a random block);", 100 * (1 - f->explained), (double)f->rho);
        if (f->flags & MR_FIT_NONGAUSS) MR_ADD(" the vectors of its components are far from Gaussian across neurons (kurtosis %.3g, 3 for Gaussian);", (double)kw);
        len--; /* the last ';' */
        MR_ADD("\n");
      }
      if (f->flags & MR_FIT_IN_BULK) MR_ADD("warning: block %d <- %d: a component of rank %d lies inside the bulk of its residual; its overlaps are not corrected and the theory treats disorder as structure\n", (int)r, (int)s, (int)f->rank);
      if (f->flags & MR_FIT_WEAK) MR_ADD("note: block %d <- %d: a component is close to the bulk edge (signal/threshold < 1.5): its fitted overlaps are uncertain\n", (int)r, (int)s);
      if (f->flags & MR_FIT_CROSS)
        MR_ADD("note: block %d <- %d keeps %d component(s) beyond the fitted rank %d (cross-region disorder of strength g = %.3g): simulate runs them, the theory leaves them out\n", (int)r, (int)s, (int)(f->exact - f->rank), (int)f->rank,
               (double)PetscSqrtReal(f->sigma2 * f->b));
    }
  for (PetscInt s = 0; s < R; s++)
    if (F->Uadj[s] < 1) MR_ADD("warning: region %d: the corrected input overlaps U were not positive definite; their off-diagonal entries were scaled by %.3g\n", (int)s, (double)F->Uadj[s]);
#undef MR_ADD
  *text = t;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode MrWriteIntArray(hid_t f, const char name[], PetscInt n, const PetscInt v[])
{
  long long *b;
  hsize_t    d = (hsize_t)n;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(n + 1, &b));
  for (PetscInt i = 0; i < n; i++) b[i] = v[i];
  PetscCall(MrH5WriteDataset(f, name, H5T_NATIVE_LLONG, 1, &d, b));
  PetscCall(PetscFree(b));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Rank 0: /weights (the realisation) and /fit (the fit's record) into an open file. */
static PetscErrorCode MrWeightsWrite(hid_t f, const MrWeightsOptions *o, MrWeightsFit *F, const PetscReal err[], const char *text)
{
  const PetscInt R = F->R, C = F->Cth;
  hsize_t        dRR[2] = {(hsize_t)R, (hsize_t)R}, dC = (hsize_t)C;
  PetscReal     *a;
  PetscInt      *ia;
  hid_t          g;

  PetscFunctionBegin;
  PetscCall(MrWriteIntArray(f, "/weights/permutation", F->n, F->perm));
  PetscCall(MrWriteIntArray(f, "/weights/channel/target", F->Cext, F->target));
  PetscCall(MrWriteIntArray(f, "/weights/channel/source", F->Cext, F->source));
  for (PetscInt r = 0; r < R; r++) {
    char    name[64];
    hsize_t dv[2] = {(hsize_t)F->N[r], (hsize_t)F->D[r]}, dj[2] = {(hsize_t)F->N[r], (hsize_t)F->N[r]};
    PetscCall(PetscSNPrintf(name, sizeof(name), "/weights/region%" PetscInt_FMT "/vectors", r));
    PetscCall(MrH5WriteDataset(f, name, H5T_NATIVE_DOUBLE, 2, dv, F->vec[r]));
    if (F->J[r]) {
      PetscCall(PetscSNPrintf(name, sizeof(name), "/weights/region%" PetscInt_FMT "/J", r));
      PetscCall(MrH5WriteDataset(f, name, H5T_NATIVE_DOUBLE, 2, dj, F->J[r]));
    }
  }
  PetscCall(MrH5WriteDataset(f, "/weights/reconstruction_error", H5T_NATIVE_DOUBLE, 2, dRR, err));
  PetscCallH5(g = H5Gopen2(f, "/weights", H5P_DEFAULT));
  PetscCall(MrH5WriteAttrString(g, "source", o->in));
  PetscCall(MrH5WriteAttrString(g, "dtype", F->dtype));
  PetscCall(MrH5WriteAttrInt(g, "n", F->n));
  PetscCall(MrH5WriteAttrInt(g, "theory_channels", F->Cth));
  PetscCall(MrH5WriteAttrReal(g, "rounding_unit", F->eps));
  PetscCall(MrH5WriteAttrReal(g, "max_reconstruction_error", F->maxErr));
  PetscCall(MrH5WriteAttrReal(g, "max_relative_reconstruction_error", F->maxRel));
  PetscCallH5(H5Gclose(g));

  /* /fit: per block (R x R), per theory channel, and the singular values */
  PetscCall(PetscMalloc2(R * R + 2 * C + 1, &a, R * R + C + 1, &ia));
#define MR_BLOCKS(name, expr)                                                                                                                                                                                                                            \
  do {                                                                                                                                                                                                                                                   \
    for (PetscInt k = 0; k < R * R; k++) {                                                                                                                                                                                                               \
      const MrBlockFit *b = &F->bf[k];                                                                                                                                                                                                                   \
      a[k]                = (expr);                                                                                                                                                                                                                      \
    }                                                                                                                                                                                                                                                    \
    PetscCall(MrH5WriteDataset(f, name, H5T_NATIVE_DOUBLE, 2, dRR, a));                                                                                                                                                                                  \
  } while (0)
  for (PetscInt k = 0; k < R * R; k++) ia[k] = F->bf[k].rank;
  {
    long long *ll;
    PetscCall(PetscMalloc1(R * R, &ll));
    for (PetscInt k = 0; k < R * R; k++) ll[k] = F->bf[k].rank;
    PetscCall(MrH5WriteDataset(f, "/fit/rank", H5T_NATIVE_LLONG, 2, dRR, ll));
    for (PetscInt k = 0; k < R * R; k++) ll[k] = F->bf[k].exact;
    PetscCall(MrH5WriteDataset(f, "/fit/exact_rank", H5T_NATIVE_LLONG, 2, dRR, ll));
    for (PetscInt k = 0; k < R * R; k++) ll[k] = F->bf[k].flags;
    PetscCall(MrH5WriteDataset(f, "/fit/flags", H5T_NATIVE_LLONG, 2, dRR, ll));
    for (PetscInt k = 0; k < R * R; k++) ll[k] = (F->bf[k].flags & MR_FIT_WARNINGS) != 0;
    PetscCall(MrH5WriteDataset(f, "/fit/warning", H5T_NATIVE_LLONG, 2, dRR, ll));
    PetscCall(PetscFree(ll));
  }
  MR_BLOCKS("/fit/bulk_edge", b->edge);
  MR_BLOCKS("/fit/threshold", b->thr);
  MR_BLOCKS("/fit/noise_sd_median", b->sigmaMed);
  MR_BLOCKS("/fit/noise_variance", b->sigma2);
  MR_BLOCKS("/fit/noise_variance_raw", b->sigma2Raw);
  MR_BLOCKS("/fit/g_block", PetscSqrtReal(b->sigma2 * b->b));
  MR_BLOCKS("/fit/explained", b->explained);
  MR_BLOCKS("/fit/residual_ratio", b->rho);
  MR_BLOCKS("/fit/rounding_threshold", b->roundThr);
#undef MR_BLOCKS
  for (PetscInt r = 0; r < R; r++) a[r] = PetscSqrtReal(F->bf[r * R + r].sigma2Raw * F->N[r]);
  {
    hsize_t dR = (hsize_t)R;
    PetscCall(MrH5WriteDataset(f, "/fit/g_raw", H5T_NATIVE_DOUBLE, 1, &dR, a));
    PetscCall(MrH5WriteDataset(f, "/fit/U_offdiagonal_scale", H5T_NATIVE_DOUBLE, 1, &dR, F->Uadj));
  }
  for (PetscInt r = 0; r < R; r++)
    for (PetscInt s = 0; s < R; s++) {
      char    name[64];
      hsize_t d = (hsize_t)F->bf[r * R + s].nsv;
      PetscCall(PetscSNPrintf(name, sizeof(name), "/fit/singular_values/%" PetscInt_FMT "_%" PetscInt_FMT, r, s));
      PetscCall(MrH5WriteDataset(f, name, H5T_NATIVE_DOUBLE, 1, &d, F->bf[r * R + s].sv));
    }
  PetscCall(MrWriteIntArray(f, "/fit/channel/target", C, F->target));
  PetscCall(MrWriteIntArray(f, "/fit/channel/source", C, F->source));
  PetscCall(MrWriteIntArray(f, "/fit/channel/component", C, F->comp));
  {
    const char *names[6] = {"/fit/channel/singular_value", "/fit/channel/signal", "/fit/channel/cos_left", "/fit/channel/cos_right", "/fit/channel/detectability", "/fit/channel/kurtosis"};
    for (int q = 0; q < 6; q++) {
      hsize_t d2[2] = {dC, 2};
      for (PetscInt c = 0; c < C; c++) {
        const MrBlockFit *b    = &F->bf[F->blk[c]];
        PetscInt          k    = F->comp[c];
        PetscReal         v[6] = {b->sv[k], b->theta[k], b->cl[k], b->cr[k], b->detect[k], 0};
        if (q == 5) {
          a[2 * c]     = b->kurt[2 * k];
          a[2 * c + 1] = b->kurt[2 * k + 1];
        } else
          a[c] = v[q];
      }
      PetscCall(MrH5WriteDataset(f, names[q], H5T_NATIVE_DOUBLE, q == 5 ? 2 : 1, q == 5 ? d2 : &dC, a));
    }
  }
  PetscCallH5(g = H5Gopen2(f, "/fit", H5P_DEFAULT));
  PetscCall(MrH5WriteAttrString(g, "rank_rule", o->rule == MR_RANK_AUTO ? "auto" : o->rank));
  PetscCall(MrH5WriteAttrInt(g, "rank_max", o->rankMax));
  PetscCall(MrH5WriteAttrReal(g, "threshold_tracy_widom_scales", 3.0));
  PetscCall(MrH5WriteAttrString(g, "warnings", text));
  PetscCallH5(H5Gclose(g));
  PetscCall(PetscFree2(a, ia));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* One line per block on rank 0. */
static PetscErrorCode MrWeightsView(MPI_Comm comm, const MrWeightsFit *F, MrModel m, const char *text)
{
  const PetscInt R = F->R;
  PetscReal      wre, wim;

  PetscFunctionBegin;
  PetscCall(PetscPrintf(comm, "  block  target<-source  size          rank  exact  explained  bulk edge  noise g  residual ratio\n"));
  for (PetscInt r = 0; r < R && R <= 32; r++)
    for (PetscInt s = 0; s < R; s++) {
      const MrBlockFit *f = &F->bf[r * R + s];
      PetscCall(PetscPrintf(comm, "  %5" PetscInt_FMT "  %6" PetscInt_FMT " <- %-6" PetscInt_FMT "  %5" PetscInt_FMT " x %-5" PetscInt_FMT "  %4" PetscInt_FMT "  %5" PetscInt_FMT "  %9.6f  %9.4g  %7.4g  %s%.3g\n", r * R + s, r, s, f->a, f->b,
                            f->rank, f->exact, (double)f->explained, (double)f->edge, (double)PetscSqrtReal(f->sigma2 * f->b), f->exact > f->rank ? "" : "(none) ", (double)(f->exact > f->rank ? f->rho : 0)));
    }
  PetscCall(PetscPrintf(comm, "  g per region:"));
  for (PetscInt r = 0; r < R && r < 32; r++) PetscCall(PetscPrintf(comm, " %.4g", (double)m->g[r]));
  PetscCall(PetscPrintf(comm, "\n  readout variance per region:"));
  for (PetscInt r = 0; r < R && r < 32; r++) PetscCall(PetscPrintf(comm, " %.4g", (double)m->sigma2[r]));
  PetscCall(PetscPrintf(comm, "\n"));
  PetscCall(MrModelLeadingEigenvalue(m, &wre, &wim));
  if (!PetscIsNanReal(wre)) PetscCall(PetscPrintf(comm, "  leading eigenvalue of That %.4f%+.4fi\n", (double)wre, (double)wim));
  PetscCall(PetscPrintf(comm, "  realisation: %" PetscInt_FMT " channels (%" PetscInt_FMT " of the theory), largest |W - realised W| = %.3g (%.3g relative to the block's largest entry)\n", F->Cext, F->Cth, (double)F->maxErr, (double)F->maxRel));
  if (text && text[0]) PetscCall(PetscPrintf(comm, "%s", text));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrWeightsVerb(MPI_Comm comm)
{
  MrWeightsOptions o;
  MrWeightsFit     F;
  PetscMPIInt      rank;
  char             msg[1024] = "";
  double          *W         = NULL;
  long long       *label     = NULL;
  MrModel          m         = NULL;
  PetscInt         hdr[2]    = {0, 0};
  char            *text      = NULL;
  PetscReal       *err = NULL, *bmax = NULL;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(&F, sizeof(F)));
  PetscCall(MrWeightsGetOptions(comm, &o));
  if (o.help) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(MrOutputCheckPathInputs(comm, o.out, (const char *const[]){o.in, NULL}, o.force));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    PetscCall(MrWeightsRead(o.in, o.R, &F.n, &F.R, &W, &label, &F.eps, F.dtype, msg, sizeof(msg)));
    hdr[0] = F.n;
    hdr[1] = F.R;
  }
  PetscCall(MrShareStatus(comm, msg[0] == 0, msg));
  PetscCallMPI(MPI_Bcast(hdr, 2, MPIU_INT, 0, comm));
  for (PetscInt k = 0; k < o.nrb; k += 3)
    MrCheckInput(comm, o.rankBlock[k] >= 0 && o.rankBlock[k] < hdr[1] && o.rankBlock[k + 1] >= 0 && o.rankBlock[k + 1] < hdr[1], "option -rank_block: block (%" PetscInt_FMT ", %" PetscInt_FMT ") is outside the %" PetscInt_FMT " regions",
                 o.rankBlock[k], o.rankBlock[k + 1], hdr[1]);
  PetscCall(PetscPrintf(comm, "mrdyn model weights: %s, n = %" PetscInt_FMT " neurons in R = %" PetscInt_FMT " regions (%s); rank %s\n", o.in, hdr[0], hdr[1], rank == 0 ? F.dtype : "", o.rank));
  PetscCall(MrModelCreate(comm, &m));
  F.n = hdr[0];
  F.R = hdr[1];
  PetscCallMPI(MPI_Bcast(&F.eps, 1, MPIU_REAL, 0, comm));
  PetscCall(MrWeightsFitAll(comm, &o, W, label, &F));
  PetscCallMPI(MPI_Bcast(&F.Cth, 1, MPIU_INT, 0, comm));
  /* the output files of runs and theories need at least one channel */
  MrCheckInput(comm, F.Cth > 0, "model weights: no block of W has a component above its bulk edge, so the fitted model would have no channels; keep some with -rank K or -rank_block r,s,K");
  if (rank == 0) {
    PetscCall(MrWeightsStatistics(&F, m));
    m->tau = o.tau;
    if (o.description[0])
      PetscCall(PetscStrncpy(m->description, o.description, sizeof(m->description)));
    else
      PetscCall(PetscSNPrintf(m->description, sizeof(m->description), "mrdyn model weights -weights %s", o.in));
  } else
    PetscCall(MrModelDestroy(&m));
  PetscCall(MrModelBcast(comm, &m));
  PetscCall(MrModelSetUp(m));
  if (rank == 0) {
    PetscCall(MrWeightsVectors(&F));
    PetscCall(PetscMalloc2(F.R * F.R, &err, F.R * F.R, &bmax));
    PetscCall(MrWeightsReconstructionError(W, &F, err, bmax));
    PetscCall(MrWeightsMessages(&F, &o, &text));
    free(W);
    free(label);
    W = NULL;
    {
      char  partial[PETSC_MAX_PATH_LEN + 16];
      hid_t f;
      PetscCall(PetscSNPrintf(partial, sizeof(partial), "%s.partial", o.out));
      f = H5Fcreate(partial, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
      if (f < 0)
        PetscCall(PetscSNPrintf(msg, sizeof(msg), "model weights: cannot create '%s'", partial));
      else {
        PetscCall(MrModelWriteH5(m, f));
        PetscCall(MrWeightsWrite(f, &o, &F, err, text));
        PetscCallH5(H5Fclose(f));
        if (rename(partial, o.out) != 0) PetscCall(PetscSNPrintf(msg, sizeof(msg), "model weights: cannot rename '%s' to '%s'", partial, o.out));
      }
    }
  }
  PetscCall(MrShareStatus(comm, msg[0] == 0, msg));
  if (rank == 0)
    PetscCall(MrWeightsView(comm, &F, m, text));
  else
    PetscCall(MrWeightsView(comm, &F, m, NULL));
  PetscCall(PetscPrintf(comm, "  wrote %s\n", o.out));
  PetscCall(PetscFree(text));
  PetscCall(PetscFree2(err, bmax));
  PetscCall(MrWeightsFitDestroy(&F));
  PetscCall(MrModelDestroy(&m));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrModelExtend(MrModel m, PetscInt nh, const PetscInt target[], const PetscInt source[], MrModel *extp)
{
  MrModel  e;
  PetscInt C = m->C + nh, nin = 0;

  PetscFunctionBegin;
  PetscCall(MrModelCreate(m->comm, &e));
  e->R   = m->R;
  e->C   = C;
  e->Cth = m->C;
  e->tau = m->tau;
  PetscCall(PetscStrncpy(e->phi, m->phi, sizeof(e->phi)));
  PetscCall(PetscStrncpy(e->description, m->description, sizeof(e->description)));
  PetscCall(PetscMalloc2(m->R, &e->N, m->R, &e->g));
  PetscCall(PetscArraycpy(e->N, m->N, m->R));
  PetscCall(PetscArraycpy(e->g, m->g, m->R));
  PetscCall(PetscMalloc2(C, &e->target, C, &e->source));
  PetscCall(PetscArraycpy(e->target, m->target, m->C));
  PetscCall(PetscArraycpy(e->source, m->source, m->C));
  PetscCall(PetscArraycpy(e->target + m->C, target, nh));
  PetscCall(PetscArraycpy(e->source + m->C, source, nh));
  e->nT = m->nT;
  PetscCall(PetscMalloc3(m->nT, &e->Trow, m->nT, &e->Tcol, m->nT, &e->Tval));
  PetscCall(PetscArraycpy(e->Trow, m->Trow, m->nT));
  PetscCall(PetscArraycpy(e->Tcol, m->Tcol, m->nT));
  PetscCall(PetscArraycpy(e->Tval, m->Tval, m->nT));
  e->hasU = m->hasU;
  if (m->hasU) { /* the residual channels' inputs: unit variance, no overlaps */
    nin   = m->nU + nh;
    e->nU = nin;
    PetscCall(PetscMalloc3(nin, &e->Urow, nin, &e->Ucol, nin, &e->Uval));
    PetscCall(PetscArraycpy(e->Urow, m->Urow, m->nU));
    PetscCall(PetscArraycpy(e->Ucol, m->Ucol, m->nU));
    PetscCall(PetscArraycpy(e->Uval, m->Uval, m->nU));
    for (PetscInt k = 0; k < nh; k++) {
      e->Urow[m->nU + k] = e->Ucol[m->nU + k] = m->C + k;
      e->Uval[m->nU + k]                      = 1;
    }
  }
  if (m->V) {
    PetscCall(PetscCalloc1(C, &e->V));
    PetscCall(PetscArraycpy(e->V, m->V, m->C));
  }
  if (m->sigma2) {
    PetscCall(PetscMalloc1(m->R, &e->sigma2));
    PetscCall(PetscArraycpy(e->sigma2, m->sigma2, m->R));
  }
  e->draws = m->draws;
  PetscCall(MrModelSetUp(e));
  PetscCall(PetscStrncpy(e->hash, m->hash, sizeof(e->hash))); /* the theory's model: run files match its mean-field files */
  *extp = e;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Rank 0: the realisation's channel map from /weights, checked against the model. */
static PetscErrorCode MrWeightsReadChannels(const char path[], MrModel m, PetscBool *has, PetscInt *nh, PetscInt **ht, PetscInt **hs, char msg[], size_t len)
{
  hid_t      f;
  long long *t = NULL, *s = NULL;
  int        rank;
  hsize_t    dims[4], dt = 0;

  PetscFunctionBegin;
  *has = PETSC_FALSE;
  *nh  = 0;
  f    = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) PetscFunctionReturn(PETSC_SUCCESS); /* MrModelLoad has read it: cannot happen */
  if (!MrH5Exists(f, "/weights")) goto done;
  *has = PETSC_TRUE;
  PetscCall(MrH5ReadDataset(f, "/weights/channel/target", H5T_NATIVE_LLONG, &rank, dims, (void **)&t, msg, len));
  if (msg[0]) goto done;
  dt = dims[0];
  PetscCall(MrH5ReadDataset(f, "/weights/channel/source", H5T_NATIVE_LLONG, &rank, dims, (void **)&s, msg, len));
  if (msg[0]) goto done;
  if (dims[0] != dt || dt < (hsize_t)m->C) {
    PetscCall(PetscSNPrintf(msg, len, "/weights/channel/target and source have %llu and %llu entries; the model's %" PetscInt_FMT " channels come first", (unsigned long long)dt, (unsigned long long)dims[0], m->C));
    goto done;
  }
  for (PetscInt c = 0; c < m->C; c++)
    if (t[c] != m->target[c] || s[c] != m->source[c]) {
      PetscCall(PetscSNPrintf(msg, len, "/weights/channel %" PetscInt_FMT " is %lld <- %lld but the model's channel %" PetscInt_FMT " is %" PetscInt_FMT " <- %" PetscInt_FMT, c, t[c], s[c], c, m->target[c], m->source[c]));
      goto done;
    }
  for (hsize_t c = (hsize_t)m->C; c < dt; c++)
    if (t[c] < 0 || t[c] >= m->R || s[c] < 0 || s[c] >= m->R) {
      PetscCall(PetscSNPrintf(msg, len, "/weights/channel %llu connects regions %lld <- %lld outside 0..%" PetscInt_FMT, (unsigned long long)c, t[c], s[c], m->R - 1));
      goto done;
    }
  *nh = (PetscInt)dt - m->C;
  PetscCall(PetscMalloc2(*nh + 1, ht, *nh + 1, hs));
  for (PetscInt k = 0; k < *nh; k++) {
    (*ht)[k] = (PetscInt)t[m->C + k];
    (*hs)[k] = (PetscInt)s[m->C + k];
  }
done:
  free(t);
  free(s);
  H5Fclose(f);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Rank 0: the shapes of the realisation's datasets. */
static PetscErrorCode MrWeightsCheckShapes(const char path[], MrModel e, char msg[], size_t len)
{
  hid_t f;

  PetscFunctionBegin;
  f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  for (PetscInt r = 0; r < e->R && !msg[0]; r++) {
    PetscInt want[2][2] = {{e->N[r], e->outOff[r + 1] - e->outOff[r] + e->inOff[r + 1] - e->inOff[r]}, {e->N[r], e->N[r]}};
    for (int k = 0; k < 2 && !msg[0]; k++) {
      char      name[64];
      PetscBool need = (PetscBool)(k == 0 || e->g[r] > 0);
      PetscCall(PetscSNPrintf(name, sizeof(name), "/weights/region%" PetscInt_FMT "/%s", r, k ? "J" : "vectors"));
      if (!MrH5Exists(f, name)) {
        if (need) PetscCall(PetscSNPrintf(msg, len, "%s is missing", name));
        continue;
      }
      if (!need) {
        PetscCall(PetscSNPrintf(msg, len, "%s is present but region %" PetscInt_FMT " has g = 0", name, r));
        continue;
      }
      {
        hid_t   d = H5Dopen2(f, name, H5P_DEFAULT), sp = H5Dget_space(d);
        hsize_t dims[2] = {0, 0};
        int     nd      = H5Sget_simple_extent_ndims(sp);
        if (nd == 2) H5Sget_simple_extent_dims(sp, dims, NULL);
        if (nd != 2 || dims[0] != (hsize_t)want[k][0] || dims[1] != (hsize_t)want[k][1])
          PetscCall(PetscSNPrintf(msg, len, "%s has shape (%llu, %llu) but region %" PetscInt_FMT " needs (%" PetscInt_FMT ", %" PetscInt_FMT ")", name, (unsigned long long)dims[0], (unsigned long long)dims[1], r, want[k][0], want[k][1]));
        H5Sclose(sp);
        H5Dclose(d);
      }
    }
  }
  H5Fclose(f);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrModelLoadNetwork(MPI_Comm comm, const char path[], MrModel *model)
{
  MrModel     m, e;
  PetscMPIInt rank;
  PetscInt    hdr[2] = {0, 0}, *ht = NULL, *hs = NULL;
  PetscBool   has      = PETSC_FALSE;
  char        msg[900] = "", full[1024] = "";

  PetscFunctionBegin;
  PetscCall(MrModelLoad(comm, path, &m));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    PetscCall(MrWeightsReadChannels(path, m, &has, &hdr[1], &ht, &hs, msg, sizeof(msg)));
    hdr[0] = has;
    if (msg[0]) PetscCall(PetscSNPrintf(full, sizeof(full), "model file '%s': %s", path, msg));
  }
  PetscCall(MrShareStatus(comm, full[0] == 0, full));
  PetscCallMPI(MPI_Bcast(hdr, 2, MPIU_INT, 0, comm));
  if (!hdr[0]) {
    *model = m;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (rank) PetscCall(PetscMalloc2(hdr[1] + 1, &ht, hdr[1] + 1, &hs));
  PetscCallMPI(MPI_Bcast(ht, (int)hdr[1], MPIU_INT, 0, comm));
  PetscCallMPI(MPI_Bcast(hs, (int)hdr[1], MPIU_INT, 0, comm));
  PetscCall(MrModelExtend(m, hdr[1], ht, hs, &e));
  PetscCall(PetscFree2(ht, hs));
  PetscCall(MrModelDestroy(&m));
  PetscCall(PetscStrallocpy(path, &e->weights));
  if (rank == 0) {
    PetscCall(MrWeightsCheckShapes(path, e, msg, sizeof(msg)));
    if (msg[0]) PetscCall(PetscSNPrintf(full, sizeof(full), "model file '%s': %s", path, msg));
  }
  PetscCall(MrShareStatus(comm, full[0] == 0, full));
  *model = e;
  PetscFunctionReturn(PETSC_SUCCESS);
}
