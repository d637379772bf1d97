/* `mrdyn dimension RUN.h5`: the participation ratio PR = (tr C)^2 / tr(C^2) of
   the covariance C of the rates saved by `simulate -save_activity`, per region
   and for the whole network, and the eigenvalues of C (ScaLAPACK pdsyevd). The
   samples x neurons matrix is read straight into its block-cyclic layout. */
#include <mrdyn/mrdyn.h>
#include <mrdyn/analysis.h>
#include "scalapack.h"
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

static const char *const MrDimKnown[] = {"-o", "-force", "-t_start", "-block_size", "-log_view", NULL};

/* What rank 0 learns about a run file before the collective read. */
typedef struct {
  PetscInt  R, n, nt, i0; /* regions, neurons, saved rows, first row used */
  PetscInt *N;
  PetscReal t0, t1;
  char      hash[64], msg[1024];
} MrActivityInfo;

/* Rank 0: the shapes of /activity and /activity_time, the region sizes, the window.
   Anything unreadable sets info->msg (every HDF5 call is checked: a damaged file is
   an input error that rank 0 shares, never a failure of rank 0 alone). */
static PetscErrorCode MrActivityInfoRead(const char path[], PetscReal tstart, MrActivityInfo *info)
{
  hid_t       f = -1, d = -1, sp = -1, ty = -1;
  int         rank = 0;
  hsize_t     dims[4];
  double     *t = NULL;
  PetscInt64  n = 0;
  H5T_class_t cls;
  char        m[512];

  PetscFunctionBegin;
  PetscCall(MrH5OpenRead(path, "run file", &f, info->msg, sizeof(info->msg)));
  if (f < 0) PetscFunctionReturn(PETSC_SUCCESS);
  if (!MrH5Exists(f, "/activity") || H5Aexists(f, "N") <= 0) {
    PetscCall(PetscSNPrintf(info->msg, sizeof(info->msg), "'%s' holds no /activity: run simulate with -save_activity K", path));
    goto done;
  }
  PetscCall(MrH5ReadDataset(f, "/activity_time", H5T_NATIVE_DOUBLE, &rank, dims, (void **)&t, m, sizeof(m)));
  if (m[0] || rank != 1) {
    PetscCall(PetscSNPrintf(info->msg, sizeof(info->msg), "'%s': /activity_time is missing, unreadable or not a vector", path));
    goto done;
  }
  if (dims[0] > (hsize_t)PETSC_MAX_INT) {
    PetscCall(PetscSNPrintf(info->msg, sizeof(info->msg), "'%s': /activity_time has %llu rows; this build's PETSc indexes at most %" PetscInt_FMT, path, (unsigned long long)dims[0], (PetscInt)PETSC_MAX_INT));
    goto done;
  }
  info->nt = (PetscInt)dims[0];
  for (PetscInt i = 0; i < info->nt; i++)
    if (!isfinite(t[i])) {
      PetscCall(PetscSNPrintf(info->msg, sizeof(info->msg), "'%s': /activity_time holds a non-finite time (row %" PetscInt_FMT ")", path, i));
      goto done;
    }
  rank = -1;
  if ((d = H5Dopen2(f, "/activity", H5P_DEFAULT)) >= 0 && (sp = H5Dget_space(d)) >= 0 && (ty = H5Dget_type(d)) >= 0) {
    cls  = H5Tget_class(ty);
    rank = H5Sget_simple_extent_ndims(sp);
    if (rank == 2) H5Sget_simple_extent_dims(sp, dims, NULL);
    if (cls != H5T_FLOAT && cls != H5T_INTEGER) rank = -2;
  }
  if (ty >= 0) H5Tclose(ty);
  if (sp >= 0) H5Sclose(sp);
  if (d >= 0) H5Dclose(d);
  if (rank < 0) {
    PetscCall(PetscSNPrintf(info->msg, sizeof(info->msg), "'%s': /activity is %s", path, rank == -2 ? "not numeric" : "not a readable dataset"));
    goto done;
  }
  {
    size_t      nr = 0;
    PetscInt64 *N64;
    char        am[256];
    PetscCall(MrH5ReadAttrInt64Array(f, "N", 1, MR_MODEL_MAX_NEURONS, 10000000, &nr, &N64, am, sizeof(am))); /* at most 1e7 regions, as the generators */
    if (am[0]) {
      PetscCall(PetscSNPrintf(info->msg, sizeof(info->msg), "'%s': %s (the region sizes)", path, am));
      goto done;
    }
    info->R = (PetscInt)nr;
    PetscCall(PetscMalloc1(info->R, &info->N));
    for (PetscInt r = 0; r < info->R; r++) { /* in 64 bits: a sum that wraps must not look valid */
      if (n + N64[r] > MR_MODEL_MAX_NEURONS) {
        free(N64);
        PetscCall(PetscSNPrintf(info->msg, sizeof(info->msg), "'%s': attribute N: the regions hold more than %" PetscInt64_FMT " neurons in all", path, (PetscInt64)MR_MODEL_MAX_NEURONS));
        goto done;
      }
      info->N[r] = (PetscInt)N64[r];
      n += info->N[r];
    }
    free(N64);
  }
  info->n = (PetscInt)n;
  if (rank != 2 || dims[0] != (hsize_t)info->nt || dims[1] != (hsize_t)n) {
    PetscCall(PetscSNPrintf(info->msg, sizeof(info->msg), "'%s': /activity does not have shape (%" PetscInt_FMT ", %" PetscInt_FMT ")", path, info->nt, info->n));
    goto done;
  }
  info->i0 = 0;
  while (info->i0 < info->nt && t[info->i0] < tstart - 1e-12) info->i0++;
  if (info->nt - info->i0 < 2) {
    PetscCall(PetscSNPrintf(info->msg, sizeof(info->msg), "'%s': fewer than 2 saved rows at t >= %g (saved times %g to %g)", path, (double)tstart, info->nt ? t[0] : 0.0, info->nt ? t[info->nt - 1] : 0.0));
    goto done;
  }
  info->t0 = t[info->i0];
  info->t1 = t[info->nt - 1];
  if (H5Aexists(f, "model_hash") > 0) {
    PetscBool ok;
    PetscCall(MrH5GetAttrString(f, "model_hash", info->hash, sizeof(info->hash), &ok));
    if (!ok) PetscCall(PetscSNPrintf(info->msg, sizeof(info->msg), "'%s': the attribute model_hash is not one string", path));
  }
done:
  free(t); /* MrH5ReadDataset allocates with malloc */
  H5Fclose(f);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Selects the file rows/columns of this rank's blocks: every index g in [0, n)
   with (g / nb) % np == ip, as (at most) a regular hyperslab of full blocks and
   one partial block. */
static void MrBcRuns(int n, int nb, int ip, int np, hsize_t start[2], hsize_t count[2], hsize_t block[2], int *nruns)
{
  int nblocks = (n + nb - 1) / nb, full = 0, lastFull = (n % nb == 0);
  for (int b = ip; b < nblocks; b += np)
    if (b < nblocks - 1 || lastFull) full++;
  *nruns = 0;
  if (full) {
    start[*nruns] = (hsize_t)ip * nb;
    count[*nruns] = (hsize_t)full;
    block[*nruns] = (hsize_t)nb;
    (*nruns)++;
  }
  if (!lastFull && (nblocks - 1) % np == ip) {
    start[*nruns] = (hsize_t)(nblocks - 1) * nb;
    count[*nruns] = 1;
    block[*nruns] = (hsize_t)(n % nb);
    (*nruns)++;
  }
}

/* Reads rows [i0, i0 + m) x all n columns of /activity into the local blocks
   (column-major, leading dimension lld). Not collective (every rank reads its part);
   *ok is false when this rank's part cannot be read or holds a non-finite value
   (a damaged file), for the caller to agree on. */
static PetscErrorCode MrActivityReadLocal(const char path[], const MrBlacsGrid *g, PetscInt i0, int m, int n, int nb, int mloc, int nloc, int lld, double *X, PetscBool *ok)
{
  hid_t   f = -1, d = -1, fs = -1, ms = -1;
  hsize_t rs[2], rc[2], rb[2], cs[2], cc[2], cb[2], mdim = (hsize_t)mloc * (hsize_t)nloc;
  int     nr, nc, first = 1, good;
  double *buf;

  PetscFunctionBegin;
  *ok = PETSC_TRUE;
  if (!mloc || !nloc) PetscFunctionReturn(PETSC_SUCCESS);
  MrBcRuns(m, nb, g->myrow, g->nprow, rs, rc, rb, &nr);
  MrBcRuns(n, nb, g->mycol, g->npcol, cs, cc, cb, &nc);
  PetscCall(PetscMalloc1(mdim, &buf));
  good = (f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) >= 0 && (d = H5Dopen2(f, "/activity", H5P_DEFAULT)) >= 0 && (fs = H5Dget_space(d)) >= 0;
  for (int a = 0; good && a < nr; a++)
    for (int b = 0; good && b < nc; b++) {
      hsize_t start[2] = {rs[a] + (hsize_t)i0, cs[b]}, stride[2] = {(hsize_t)nb * g->nprow, (hsize_t)nb * g->npcol}, count[2] = {rc[a], cc[b]}, block[2] = {rb[a], cb[b]};
      good  = H5Sselect_hyperslab(fs, first ? H5S_SELECT_SET : H5S_SELECT_OR, start, stride, count, block) >= 0;
      first = 0;
    }
  /* the selection is read in row-major file order: the local rows and columns in increasing order */
  good = good && (ms = H5Screate_simple(1, &mdim, NULL)) >= 0 && H5Dread(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, buf) >= 0;
  for (size_t k = 0; good && k < mdim; k++) good = isfinite(buf[k]);
  if (good)
    for (int i = 0; i < mloc; i++)
      for (int j = 0; j < nloc; j++) X[(size_t)j * lld + i] = buf[(size_t)i * nloc + j];
  PetscCall(PetscFree(buf));
  if (ms >= 0) H5Sclose(ms);
  if (fs >= 0) H5Sclose(fs);
  if (d >= 0) H5Dclose(d);
  if (f >= 0) H5Fclose(f);
  *ok = (PetscBool)good;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrActivityDimension(MPI_Comm comm, const char path[], PetscInt R, const PetscInt N[], PetscInt i0, PetscInt nsamp, PetscInt nbIn, PetscReal pr[], PetscReal *prTotal, PetscReal eig[])
{
  MrBlacsGrid g;
  int         m = (int)nsamp, n = 0, nb, descX[9], descC[9], mX, nX, mC, nC, one = 1, info, lwork, zero = 0;
  double     *X, *Cm, *colsum, *work, wq, alpha, beta = 0.0;
  PetscInt   *reg, *off;
  PetscReal  *acc;

  PetscFunctionBegin;
  PetscCall(PetscMalloc2(R + 1, &off, 2 * R + 2, &acc));
  off[0] = 0;
  for (PetscInt r = 0; r < R; r++) off[r + 1] = off[r] + N[r];
  n  = (int)off[R];
  nb = (int)nbIn;
  PetscCall(MrBlacsGridCreate(comm, &g));
  PetscCall(MrBlacsDescriptor(&g, m, n, nb, descX, &mX, &nX));
  PetscCall(MrBlacsDescriptor(&g, n, n, nb, descC, &mC, &nC));
  PetscCall(PetscMalloc3((size_t)PetscMax(mX, 1) * PetscMax(nX, 1), &X, (size_t)PetscMax(mC, 1) * PetscMax(nC, 1), &Cm, nX + 1, &colsum));
  {
    PetscBool ok;
    PetscCall(MrActivityReadLocal(path, &g, i0, m, n, nb, mX, nX, descX[8], X, &ok));
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPIU_BOOL, MPI_LAND, comm));
    if (!ok) { /* a damaged file: what rank 0 checked was readable, the data is not */
      PetscCall(PetscFree3(X, Cm, colsum));
      PetscCall(PetscFree2(off, acc));
      PetscCall(MrBlacsGridDestroy(&g));
    }
    MrCheckInput(comm, ok, "run file '%s': /activity cannot be read or holds a non-finite value (a damaged or truncated file)", path);
  }
  /* centre every neuron's rates: column sums over the process column */
  for (int j = 0; j < nX; j++) {
    colsum[j] = 0;
    for (int i = 0; i < mX; i++) colsum[j] += X[(size_t)j * descX[8] + i];
  }
  if (nX) Cdgsum2d(g.ctxt, "Column", " ", 1, nX, colsum, 1, -1, -1);
  for (int j = 0; j < nX; j++)
    for (int i = 0; i < mX; i++) X[(size_t)j * descX[8] + i] -= colsum[j] / m;
  /* C = X^T X / (m - 1), upper triangle */
  alpha = 1.0 / (m - 1);
  pdsyrk_("U", "T", &n, &m, &alpha, X, &one, &one, descX, &beta, Cm, &one, &one, descC, 1, 1);
  /* traces per region and for the network from the local entries (upper triangle counted twice off the diagonal) */
  PetscCall(PetscArrayzero(acc, 2 * R + 2));
  PetscCall(PetscMalloc1(nC + 1, &reg));
  for (int lj = 0; lj < nC; lj++) {
    PetscInt gj = MrBcGlobal(lj, nb, g.mycol, g.npcol), r = 0;
    while (off[r + 1] <= gj) r++;
    reg[lj] = r;
  }
  for (int lj = 0; lj < nC; lj++) {
    const int gj = MrBcGlobal(lj, nb, g.mycol, g.npcol);
    for (int li = 0; li < mC; li++) {
      const int    gi = MrBcGlobal(li, nb, g.myrow, g.nprow);
      const double c  = Cm[(size_t)lj * descC[8] + li];
      if (gi > gj) continue;
      if (gi == gj) {
        acc[2 * reg[lj]] += c;
        acc[2 * R] += c;
      }
      const double w = (gi == gj ? 1.0 : 2.0) * c * c;
      acc[2 * R + 1] += w;
      if (gi >= off[reg[lj]]) acc[2 * reg[lj] + 1] += w; /* both in the region of column gj */
    }
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, acc, (int)(2 * R + 2), MPIU_REAL, MPI_SUM, comm));
  for (PetscInt r = 0; r < R; r++) pr[r] = acc[2 * r + 1] > 0 ? acc[2 * r] * acc[2 * r] / acc[2 * r + 1] : NAN;
  *prTotal = acc[2 * R + 1] > 0 ? acc[2 * R] * acc[2 * R] / acc[2 * R + 1] : NAN;
  /* eigenvalues of C, ascending, by divide and conquer (pdsyevd; it also forms
     the eigenvectors, in Z, which are not kept) */
  {
    double *Z;
    int     liwork, *iwork;
    PetscCall(PetscMalloc1((size_t)PetscMax(mC, 1) * PetscMax(nC, 1), &Z));
    pdsyevd_("V", "U", &n, Cm, &one, &one, descC, eig, Z, &one, &one, descC, &wq, (int[]){-1}, &liwork, (int[]){-1}, &info, 1, 1);
    PetscCallScaLAPACK("pdsyevd (workspace query)", info);
    lwork = (int)wq + 1;
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &lwork, 1, MPI_INT, MPI_MAX, comm)); /* one size for all ranks */
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &liwork, 1, MPI_INT, MPI_MAX, comm));
    PetscCall(PetscMalloc2(lwork, &work, liwork, &iwork));
    pdsyevd_("V", "U", &n, Cm, &one, &one, descC, eig, Z, &one, &one, descC, work, &lwork, iwork, &liwork, &info, 1, 1);
    PetscCallScaLAPACK("pdsyevd", info);
    PetscCall(PetscFree2(work, iwork));
    PetscCall(PetscFree(Z));
  }
  (void)zero;
  PetscCall(PetscFree(reg));
  PetscCall(PetscFree3(X, Cm, colsum));
  PetscCall(PetscFree2(off, acc));
  PetscCall(MrBlacsGridDestroy(&g));
  PetscFunctionReturn(PETSC_SUCCESS);
}

struct _p_MrDimension {
  MPI_Comm       comm;
  MrActivityInfo info;
  PetscInt       nb;
  PetscReal     *pr, prTotal, *eig, *desc, prEig; /* per region, network, eigenvalues ascending and descending, PR from them */
};

PetscErrorCode MrDimensionCompute(MPI_Comm comm, const char run[], PetscReal tstart, PetscInt nb, MrDimension *dp)
{
  MrDimension     d;
  MrActivityInfo *info;
  PetscReal       s1 = 0, s2 = 0, need, node, phys;
  PetscInt        hdr[4];
  PetscMPIInt     rank, size;

  PetscFunctionBegin;
  MrCheckInput(comm, nb >= 1 && nb <= 4096, "-block_size %" PetscInt_FMT " must be between 1 and 4096", nb);
  PetscCall(PetscNew(&d));
  d->comm = comm;
  d->nb   = nb;
  info    = &d->info;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  if (rank == 0) PetscCall(MrActivityInfoRead(run, tstart, info));
  PetscCall(MrShareStatus(comm, (PetscBool)(info->msg[0] == 0), info->msg));
  hdr[0] = info->R;
  hdr[1] = info->n;
  hdr[2] = info->nt;
  hdr[3] = info->i0;
  PetscCallMPI(MPI_Bcast(hdr, 4, MPIU_INT, 0, comm));
  PetscCallMPI(MPI_Bcast(&info->t0, 1, MPIU_REAL, 0, comm));
  PetscCallMPI(MPI_Bcast(&info->t1, 1, MPIU_REAL, 0, comm));
  PetscCallMPI(MPI_Bcast(info->hash, sizeof(info->hash), MPI_CHAR, 0, comm));
  if (rank) {
    info->R = hdr[0];
    PetscCall(PetscMalloc1(info->R, &info->N));
  }
  info->n  = hdr[1];
  info->nt = hdr[2];
  info->i0 = hdr[3];
  PetscCallMPI(MPI_Bcast(info->N, (int)info->R, MPIU_INT, 0, comm));
  /* C and the eigenvectors pdsyevd forms (n x n each) and the samples (m x n) over the ranks */
  need = MrConnectivityMemory(info->n, size, nb) + 8.0 * ((PetscReal)info->n + (PetscReal)(info->nt - info->i0)) * (PetscReal)info->n / size;
  PetscCall(MrAnalysisNodeMemory(comm, need, &node, &phys));
  MrCheckInput(comm, node < 0.8 * phys, "dimension: the %" PetscInt_FMT " x %" PetscInt_FMT " covariance needs %.3g GB on one node but it has %.3g GB", info->n, info->n, node / 1e9, phys / 1e9);
  PetscCall(PetscMalloc3(info->R + 1, &d->pr, info->n, &d->eig, info->n, &d->desc));
  PetscCall(MrActivityDimension(comm, run, info->R, info->N, info->i0, info->nt - info->i0, nb, d->pr, &d->prTotal, d->eig));
  for (PetscInt k = 0; k < info->n; k++) {
    d->desc[k] = d->eig[info->n - 1 - k];
    s1 += d->desc[k];
    s2 += d->desc[k] * d->desc[k];
  }
  d->prEig = s2 > 0 ? s1 * s1 / s2 : NAN;
  *dp      = d;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDimensionDestroy(MrDimension *dp)
{
  MrDimension d = *dp;

  PetscFunctionBegin;
  if (!d) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscFree(d->info.N));
  PetscCall(PetscFree3(d->pr, d->eig, d->desc));
  PetscCall(PetscFree(d));
  *dp = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}
PetscErrorCode MrDimensionWrite(MrDimension d, MrOutput o, const char prefix[])
{
  char      name[256];
  hsize_t   dr = (hsize_t)d->info.R, dn = (hsize_t)d->info.n, d1 = 1, d3 = 3;
  PetscReal win[3] = {d->info.t0, d->info.t1, (PetscReal)(d->info.nt - d->info.i0)};

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(name, sizeof(name), "%s/participation_ratio", prefix));
  PetscCall(MrOutputWriteRoot(o, name, H5T_NATIVE_DOUBLE, 1, &dr, d->pr));
  PetscCall(PetscSNPrintf(name, sizeof(name), "%s/participation_ratio_network", prefix));
  PetscCall(MrOutputWriteRoot(o, name, H5T_NATIVE_DOUBLE, 1, &d1, &d->prTotal));
  PetscCall(PetscSNPrintf(name, sizeof(name), "%s/covariance_eigenvalues", prefix));
  PetscCall(MrOutputWriteRoot(o, name, H5T_NATIVE_DOUBLE, 1, &dn, d->desc));
  PetscCall(PetscSNPrintf(name, sizeof(name), "%s/window", prefix));
  PetscCall(MrOutputWriteRoot(o, name, H5T_NATIVE_DOUBLE, 1, &d3, win));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDimensionView(MrDimension d)
{
  PetscFunctionBegin;
  PetscCall(PetscPrintf(d->comm, "  dimension: %" PetscInt_FMT " neurons, %" PetscInt_FMT " samples in t = [%g, %g]\n", d->info.n, d->info.nt - d->info.i0, (double)d->info.t0, (double)d->info.t1));
  PetscCall(PetscPrintf(d->comm, "  participation ratio: network %.4f (from the eigenvalues %.4f); per region", (double)d->prTotal, (double)d->prEig));
  for (PetscInt r = 0; r < PetscMin(d->info.R, 16); r++) PetscCall(PetscPrintf(d->comm, " %.4f", (double)d->pr[r]));
  PetscCall(PetscPrintf(d->comm, "\n"));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrDimensionVerb(MPI_Comm comm, const char run[])
{
  char        out[PETSC_MAX_PATH_LEN] = "";
  PetscBool   force                   = PETSC_FALSE, help;
  PetscReal   tstart                  = 0;
  PetscInt    nb                      = 32;
  PetscMPIInt size;
  MrDimension d;
  MrOutput    o;

  PetscFunctionBegin;
  PetscOptionsBegin(comm, NULL, "mrdyn dimension: participation ratio of the saved activity", NULL);
  PetscCall(PetscOptionsString("-o", "output file", NULL, out, out, sizeof(out), NULL));
  PetscCall(MrOptionsBool("-force", "overwrite an existing output file", force, &force, NULL));
  PetscCall(MrOptionsReal("-t_start", "use the saved rows at t >= t_start", tstart, &tstart, NULL));
  PetscCall(MrOptionsInt("-block_size", "ScaLAPACK block size (1 to 4096)", nb, &nb, NULL, 1, 4096));
  PetscOptionsEnd();
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  if (help) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(MrCheckUnusedOptions(comm, MrDimKnown));
  MrCheckInput(comm, out[0], "dimension: no output file given (-o FILE)");
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(MrOutputCheckPathInputs(comm, out, (const char *const[]){run, NULL}, force));
  PetscCall(MrDimensionCompute(comm, run, tstart, nb, &d));
  PetscCall(MrOutputCreate(comm, out, &o));
  PetscCall(MrDimensionWrite(d, o, ""));
  PetscCall(MrOutputProvenance(o, "dimension", run, d->info.hash));
  PetscCall(MrOutputAttrString(o, "run_file", run));
  PetscCall(MrOutputAttrInt(o, "mpi_size", size));
  PetscCall(MrOutputAttrInt(o, "n", d->info.n));
  PetscCall(MrOutputAttrInt(o, "samples", d->info.nt - d->info.i0));
  PetscCall(MrOutputAttrReal(o, "t_start", d->info.t0));
  PetscCall(MrOutputAttrReal(o, "t_end", d->info.t1));
  PetscCall(MrOutputAttrInt(o, "block_size", nb));
  PetscCall(MrOutputFinish(&o));
  PetscCall(PetscPrintf(comm, "mrdyn dimension: %d ranks\n", size));
  PetscCall(MrDimensionView(d));
  PetscCall(PetscPrintf(comm, "  wrote %s\n", out));
  PetscCall(MrDimensionDestroy(&d));
  PetscFunctionReturn(PETSC_SUCCESS);
}
