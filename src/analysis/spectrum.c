/* `mrdyn spectrum`: the eigenvalues of one realisation's connectivity W with
   ScaLAPACK, next to the theory of model.md (appendix A.1 of the paper): a bulk
   disk of radius g_r per region and outliers at the eigenvalues of That. */
#define _GNU_SOURCE /* dladdr, RTLD_DEEPBIND: rank 0's threaded LAPACK */
#include <mrdyn/mrdyn.h>
#include <mrdyn/analysis.h>
#include <mrdyn/weights.h>
#include "spectrum_impl.h"
#include "scalapack.h"
#include <math.h>
#include <stdlib.h>
#include <unistd.h>
#include <dlfcn.h>
#include <sched.h>
#include <string.h>

static const char *const MrSpecDisorderTypes[] = {"dense", "sparse", "MrDisorderType", "MR_DISORDER_", NULL};
static const char *const MrSpecPrecisions[]    = {"double", "single", "MrPrecision", "MR_PRECISION_", NULL};
static const char *const MrSpecDense[]         = {"auto", "lapack", "scalapack", "MrSpectrumMethod", "MR_SPECTRUM_", NULL};
static const char *const MrSpecKnown[]         = {"-model",           "-o",        "-force",          "-seed",     "-disorder", "-disorder_k", "-precision", "-block_size", "-log_view", "-run", "-spectrum_method", "-spectrum_threads",
                                                  "-spectrum_lapack", "-outliers", "-outliers_which", "-jacobian", NULL};
const char *const        MrSpectrumMethods[]   = {"auto", "lapack", "scalapack", "slepc", "MrSpectrumMethod", "MR_SPECTRUM_", NULL};

PetscReal MrConnectivityMemory(PetscInt n, PetscMPIInt P, PetscInt nb)
{
  int       nprow, npcol;
  PetscReal blocks = ceil((PetscReal)n / (PetscReal)nb), mloc, nloc;

  MrBlacsGridShape(P, &nprow, &npcol);
  mloc = ceil(blocks / nprow) * nb;
  nloc = ceil(blocks / npcol) * nb;
  /* W, the work of pdgehrd and pdlahqr (a few n-vectors and local columns), a row block of J */
  return 8.0 * (2.0 * mloc * nloc + (PetscReal)nb * (PetscReal)n + 8.0 * (PetscReal)n);
}

/* Region of global index gi: off[r] <= gi < off[r + 1]. */
static PetscInt MrRegionOf(const PetscInt off[], PetscInt R, PetscInt gi)
{
  PetscInt lo = 0, hi = R - 1;
  while (lo < hi) {
    PetscInt mid = (lo + hi + 1) / 2;
    if (off[mid] <= gi)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

/* Fills the local part of W (column-major, leading dimension lld) from the
   generators: the entries are the same bits on every grid, the disorder term
   first and then the low-rank channels in the model's in-channel order. */
static PetscErrorCode MrConnectivityFill(MrModel m, const MrRealisation *re, const MrBlacsGrid *grid, int n, int nb, int mloc, int nloc, int lld, double *A)
{
  const PetscInt R = m->R;
  PetscInt      *off, *colReg, *cstart, *cend, *outPos, maxOut = 1;
  double        *colN;

  PetscFunctionBegin;
  PetscCall(PetscMalloc4(R + 1, &off, nloc + 1, &colReg, R + 1, &cstart, R + 1, &cend));
  PetscCall(PetscMalloc1(m->C + 1, &outPos));
  off[0] = 0;
  for (PetscInt r = 0; r < R; r++) off[r + 1] = off[r] + m->N[r];
  for (PetscInt s = 0; s < R; s++) {
    maxOut = PetscMax(maxOut, m->outOff[s + 1] - m->outOff[s]);
    for (PetscInt o = m->outOff[s]; o < m->outOff[s + 1]; o++) outPos[m->outCh[o]] = o - m->outOff[s];
  }
  for (PetscInt r = 0; r < R; r++) cstart[r] = cend[r] = 0;
  /* local columns: their regions (contiguous, as global indices increase) and
     the readouts n^c_j / N_s of their neurons */
  PetscCall(PetscMalloc1((size_t)nloc * maxOut + 1, &colN));
  for (int lj = 0; lj < nloc;) {
    const PetscInt gj = MrBcGlobal(lj, nb, grid->mycol, grid->npcol), s = MrRegionOf(off, R, gj);
    PetscInt       run = PetscMin(nb - lj % nb, nloc - lj), j0 = gj - off[s];
    MrVectors      v;
    run = PetscMin(run, m->N[s] - j0); /* one region, one contiguous global range */
    PetscCall(MrVectorsGenerate(m, re->seed, s, j0, j0 + run, &v));
    for (PetscInt k = 0; k < run; k++) {
      colReg[lj + k] = s;
      for (PetscInt o = 0; o < v.nout; o++) colN[(size_t)(lj + k) * maxOut + o] = v.vec[(size_t)k * v.D + o] / (PetscReal)m->N[s];
    }
    PetscCall(MrVectorsDestroy(&v));
    lj += (int)run;
  }
  for (PetscInt lj = nloc - 1; lj >= 0; lj--) cstart[colReg[lj]] = lj;
  for (PetscInt lj = 0; lj < nloc; lj++) cend[colReg[lj]] = lj + 1;
  /* local rows, one run of consecutive neurons of a region at a time */
  for (int li = 0; li < mloc;) {
    const PetscInt gi = MrBcGlobal(li, nb, grid->myrow, grid->nprow), r = MrRegionOf(off, R, gi);
    PetscInt       run = PetscMin(nb - li % nb, mloc - li), i0 = gi - off[r];
    const PetscInt nin = m->inOff[r + 1] - m->inOff[r], *inCh = m->inCh + m->inOff[r];
    MrDisorder     J;
    MrVectors      v;
    run = PetscMin(run, m->N[r] - i0);
    for (PetscInt k = 0; k < run; k++)
      for (int lj = 0; lj < nloc; lj++) A[(size_t)lj * lld + li + k] = 0;
    PetscCall(MrDisorderRealise(m, re->seed, r, i0, i0 + run, re->dtype, re->prec, re->K, &J));
    if (J.present) {
      for (PetscInt k = 0; k < run; k++) {
        if (re->dtype == MR_DISORDER_DENSE) {
          for (PetscInt lj = cstart[r]; lj < cend[r]; lj++) {
            const PetscInt j             = MrBcGlobal((int)lj, nb, grid->mycol, grid->npcol) - off[r];
            A[(size_t)lj * lld + li + k] = re->prec == MR_PRECISION_DOUBLE ? J.Jd[(size_t)k * J.ld + j] : (double)J.Jf[(size_t)k * J.ld + j];
          }
        } else {
          for (PetscInt q = 0; q < J.K; q++) {
            const int gj = (int)(off[r] + J.col[(size_t)k * J.K + q]);
            if (MrBcOwner(gj, nb, grid->npcol) == grid->mycol) A[(size_t)MrBcLocal(gj, nb, grid->npcol) * lld + li + k] = J.val[(size_t)k * J.K + q];
          }
        }
      }
    }
    PetscCall(MrDisorderDestroy(&J));
    /* low rank: m^c_i (n^c_j / N_s) for every in-channel c of r (source s) */
    PetscCall(MrVectorsGenerate(m, re->seed, r, i0, i0 + run, &v));
    for (PetscInt k = 0; k < run; k++) {
      const PetscReal *row = v.vec + (size_t)k * v.D + v.nout;
      for (PetscInt a = 0; a < nin; a++) {
        const PetscInt c = inCh[a], s = m->source[c], b = outPos[c];
        for (PetscInt lj = cstart[s]; lj < cend[s]; lj++) A[(size_t)lj * lld + li + k] += row[a] * colN[(size_t)lj * maxOut + b];
      }
    }
    PetscCall(MrVectorsDestroy(&v));
    li += (int)run;
  }
  PetscCall(PetscFree(colN));
  PetscCall(PetscFree(outPos));
  PetscCall(PetscFree4(off, colReg, cstart, cend));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Schur form with pdlahqr on the grid, WANTT = true. Measured with Debian's
   ScaLAPACK 2.2.1: WANTT = false gives wrong eigenvalues on every grid with
   more than one process column (1x2, 1x3, 2x2). pdhseqr (the blocked QR with
   aggressive early deflation) is unusable there: (1) its workspace query runs
   pdtrord, which writes the SELECT array (IWORK) far beyond IWORK(1), so a
   query with one integer of IWORK overwrote the caller's descriptor (context
   and source process became 1): "nothing computed"; (2) with a block size
   <= 80, pdtrord's window (PILAENVX 19: min(NB, 80)) is not smaller than the
   block as it requires, and it loops for ever: the "deadlock"; (3) with
   NB = 100 on a 1x1 grid, 567 of 600 eigenvalues were wrong (JOB = 'S', with or
   without Schur vectors), and JOB = 'E' hangs. */
static PetscErrorCode MrSchurScaLAPACK(MPI_Comm comm, const MrBlacsGrid *grid, int n, int nb, int nloc, const int desc[9], double *A, PetscReal wr[], PetscReal wi[])
{
  int     yes = 1, no = 0, one = 1, info, lcm = grid->nprow, lld = desc[8], l[2], lwork, liwork;
  double *work;
  int    *iwork;

  PetscFunctionBegin;
  while (lcm % grid->npcol) lcm += grid->nprow;
  /* the documented minimum, with room to spare; the same on every rank */
  l[0] = 3 * n + PetscMax(2 * lld + 2 * nloc, 7 * ((n + nb - 1) / nb) / lcm) + 1024;
  l[1] = 1024;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, l, 2, MPI_INT, MPI_MAX, comm));
  lwork  = l[0];
  liwork = l[1];
  PetscCall(PetscMalloc2(lwork, &work, liwork, &iwork));
  pdlahqr_(&yes, &no, &n, &one, &n, A, desc, wr, wi, &one, &n, A, desc, work, &lwork, iwork, &liwork, &info);
  PetscCallScaLAPACK("pdlahqr", info);
  PetscCall(PetscFree2(work, iwork));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Rank 0's LAPACK: the linked one (the serial OpenBLAS under PETSc and
   ScaLAPACK), or, for more than one thread, a threaded build loaded privately
   (RTLD_DEEPBIND: its LAPACK calls its own BLAS), so the rest of mrdyn keeps one
   thread per rank. */
typedef void (*MrDgehrdFn)(const int *, const int *, const int *, double *, const int *, double *, double *, const int *, int *);
typedef void (*MrDhseqrFn)(const char *, const char *, const int *, const int *, const int *, double *, const int *, double *, double *, double *, const int *, double *, const int *, int *, size_t, size_t);
typedef struct {
  void      *handle;
  MrDgehrdFn gehrd;
  MrDhseqrFn hseqr;
  void (*setThreads)(int);
  int       threads;
  char      lib[PETSC_MAX_PATH_LEN];
  cpu_set_t saved; /* rank 0's cores before it borrowed its node's */
  PetscBool restore;
} MrLapack;

/* OpenBLAS's pthread build beside the linked LAPACK: Debian installs it as
   .../openblas-pthread/libopenblas.so.0 next to .../openblas-serial/ (package
   libopenblas0-pthread; the system default stays serial, tools/setup-deps.sh). */
static PetscErrorCode MrLapackGuess(char path[], size_t len)
{
  Dl_info info;
  char    real[PETSC_MAX_PATH_LEN], *slash, *serial;

  PetscFunctionBegin;
  path[0] = 0;
  if (!dladdr((void *)dgehrd_, &info) || !info.dli_fname || !realpath(info.dli_fname, real)) PetscFunctionReturn(PETSC_SUCCESS);
  slash  = strrchr(real, '/');
  serial = strstr(real, "openblas-serial/");
  if (slash) *slash = 0;
  if (serial) {
    *serial = 0;
    PetscCall(PetscSNPrintf(path, len, "%sopenblas-pthread/libopenblas.so.0", real));
  } else
    PetscCall(PetscSNPrintf(path, len, "%s/openblas-pthread/libopenblas.so.0", real));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* On rank 0 only (no communication). Falls back to the linked LAPACK with one
   thread when the threaded one cannot be loaded; says why with -info. mpiexec
   binds each of 1 or 2 ranks to a core: rank 0 runs on the cores of its node's
   ranks (cpus) until MrLapackClose, from before the library starts its threads,
   which inherit them; else all threads would share rank 0's one core. */
static PetscErrorCode MrLapackOpen(int threads, const char lib[], const cpu_set_t *cpus, MrLapack *lp)
{
  PetscFunctionBegin;
  PetscCall(PetscMemzero(lp, sizeof(*lp)));
  lp->gehrd   = dgehrd_;
  lp->hseqr   = dhseqr_;
  lp->threads = 1;
  PetscCall(PetscStrncpy(lp->lib, "linked", sizeof(lp->lib)));
  if (threads <= 1) PetscFunctionReturn(PETSC_SUCCESS);
  {
    char  path[PETSC_MAX_PATH_LEN];
    void *h;
    if (lib && lib[0])
      PetscCall(PetscStrncpy(path, lib, sizeof(path)));
    else
      PetscCall(MrLapackGuess(path, sizeof(path)));
    if (cpus && sched_getaffinity(0, sizeof(lp->saved), &lp->saved) == 0 && sched_setaffinity(0, sizeof(*cpus), cpus) == 0) lp->restore = PETSC_TRUE;
    h = path[0] ? dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND) : NULL;
    if (!h) {
      if (lp->restore) (void)sched_setaffinity(0, sizeof(lp->saved), &lp->saved);
      lp->restore = PETSC_FALSE;
      PetscCall(PetscInfo(NULL, "no threaded LAPACK at '%s' (%s): one thread\n", path, path[0] ? dlerror() : "no path"));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    lp->gehrd      = (MrDgehrdFn)dlsym(h, "dgehrd_");
    lp->hseqr      = (MrDhseqrFn)dlsym(h, "dhseqr_");
    lp->setThreads = (void (*)(int))dlsym(h, "openblas_set_num_threads");
    if (!lp->gehrd || !lp->hseqr || !lp->setThreads) {
      PetscCall(PetscInfo(NULL, "'%s' lacks dgehrd_, dhseqr_ or openblas_set_num_threads: one thread\n", path));
      dlclose(h);
      if (lp->restore) (void)sched_setaffinity(0, sizeof(lp->saved), &lp->saved);
      lp->restore    = PETSC_FALSE;
      lp->gehrd      = dgehrd_;
      lp->hseqr      = dhseqr_;
      lp->setThreads = NULL;
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    lp->handle = h;
    lp->setThreads(threads);
    lp->threads = threads;
    PetscCall(PetscStrncpy(lp->lib, path, sizeof(lp->lib)));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode MrLapackClose(MrLapack *lp)
{
  PetscFunctionBegin;
  /* one thread again, so its workers go to sleep; the library stays loaded (OpenBLAS does not unload cleanly) */
  if (lp->setThreads) lp->setThreads(1);
  if (lp->restore) PetscCheck(sched_setaffinity(0, sizeof(lp->saved), &lp->saved) == 0, PETSC_COMM_SELF, PETSC_ERR_SYS, "sched_setaffinity failed to give rank 0 its own cores back");
  lp->restore = PETSC_FALSE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* LAPACK's dgehrd on the n x n matrix A (lda n) on one rank. */
static PetscErrorCode MrHessenbergLAPACK(const MrLapack *lp, int n, double *A)
{
  int    one = 1, info, lwork = -1;
  double wq, *work, *tau;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(n + 1, &tau));
  lp->gehrd(&n, &one, &n, A, &n, tau, &wq, &lwork, &info);
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK dgehrd (workspace query) failed: info = %d", info);
  lwork = (int)wq + 1;
  PetscCall(PetscMalloc1(lwork, &work));
  lp->gehrd(&n, &one, &n, A, &n, tau, work, &lwork, &info);
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK dgehrd failed: info = %d", info);
  PetscCall(PetscFree(work));
  PetscCall(PetscFree(tau));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* LAPACK's dhseqr (eigenvalues only) on the n x n Hessenberg matrix H (lda n) on one rank. */
static PetscErrorCode MrSchurLAPACK(const MrLapack *lp, int n, double *H, PetscReal wr[], PetscReal wi[])
{
  int    one = 1, info, lwork = -1;
  double wq, *work;

  PetscFunctionBegin;
  for (int j = 0; j < n; j++) /* dhseqr may use the part below the subdiagonal: no reflectors there */
    for (int i = j + 2; i < n; i++) H[(size_t)j * n + i] = 0;
  lp->hseqr("E", "N", &n, &one, &n, H, &n, wr, wi, NULL, &one, &wq, &lwork, &info, 1, 1);
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK dhseqr (workspace query) failed: info = %d", info);
  lwork = (int)wq + 1;
  PetscCall(PetscMalloc1(lwork, &work));
  lp->hseqr("E", "N", &n, &one, &n, H, &n, wr, wi, NULL, &one, work, &lwork, &info, 1, 1);
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK dhseqr failed to converge: info = %d", info);
  PetscCall(PetscFree(work));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Rank 0's verdict ok, then its wr, wi (when ok) to every rank. The others wait
   without spinning a core while rank 0 works (its threads use their cores): a
   blocking MPI call would poll at full speed. */
static PetscErrorCode MrBcastPolite(MPI_Comm comm, int n, PetscBool *ok, PetscReal wr[], PetscReal wi[])
{
  MPI_Request req[2];
  int         done = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Ibcast(ok, 1, MPIU_BOOL, 0, comm, &req[0]));
  while (!done) {
    PetscCallMPI(MPI_Test(&req[0], &done, MPI_STATUS_IGNORE));
    if (!done) usleep(2000);
  }
  if (!*ok) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCallMPI(MPI_Ibcast(wr, n, MPIU_REAL, 0, comm, &req[0]));
  PetscCallMPI(MPI_Ibcast(wi, n, MPIU_REAL, 0, comm, &req[1]));
  PetscCallMPI(MPI_Waitall(2, req, MPI_STATUSES_IGNORE));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Rank 0 on its own: the whole of W filled there (a 1 x 1 "grid", no BLACS),
   dgehrd and dhseqr with lp's threads. Not collective: the caller tells the
   other ranks whether it worked, so they never wait for ever. */
static PetscErrorCode MrEigenvaluesRank0(MrModel m, const MrRealisation *re, int n, int nb, const MrLapack *lp, PetscReal wr[], PetscReal wi[], PetscLogDouble t[4])
{
  MrBlacsGrid one;
  double     *A;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(&one, sizeof(one)));
  one.nprow = one.npcol = 1;
  PetscCall(PetscMalloc1((size_t)n * n, &A));
  PetscCall(PetscTime(&t[0]));
  PetscCall(MrConnectivityFill(m, re, &one, n, nb, n, n, n, A));
  PetscCall(PetscTime(&t[1]));
  if (n >= 4000) PetscCall(PetscPrintf(PETSC_COMM_SELF, "  rank 0: Hessenberg form of the %d x %d matrix (LAPACK dgehrd, %d thread%s)...\n", n, n, lp->threads, lp->threads > 1 ? "s" : ""));
  PetscCall(MrHessenbergLAPACK(lp, n, A));
  PetscCall(PetscTime(&t[2]));
  /* dhseqr took 0.2 (n = 10^4) to 1.2 (n = 2000, one thread) times as long as dgehrd here (docs/performance.md) */
  if (n >= 4000) PetscCall(PetscPrintf(PETSC_COMM_SELF, "  rank 0: Hessenberg form in %.0f s; eigenvalues (dhseqr) next, 0.2 to 1.2 times that on the machine of docs/performance.md\n", t[2] - t[1]));
  PetscCall(MrSchurLAPACK(lp, n, A, wr, wi));
  PetscCall(PetscTime(&t[3]));
  PetscCall(PetscFree(A));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The eigenvalues, and which LAPACK (and how many threads) did the work. */
static PetscErrorCode MrConnectivityEigenvaluesLib(MPI_Comm comm, MrModel m, const MrRealisation *re, PetscReal wr[], PetscReal wi[], int *threads, char lib[], size_t liblen)
{
  MrBlacsGrid    grid;
  PetscInt       ntot = 0;
  PetscMPIInt    size, rank, nodeRanks;
  int            n, nb, desc[9], mloc, nloc, one = 1, info, lwork, query = -1, nthreads;
  double        *A, *tau, *work, wq;
  PetscLogDouble t[4] = {0, 0, 0, 0}, tg = 0;
  MrLapack       lp;

  PetscFunctionBegin;
  for (PetscInt r = 0; r < m->R; r++) ntot += m->N[r];
  PetscCheck(ntot < PETSC_MPI_INT_MAX && re->nb >= 6, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "n = %" PetscInt_FMT " and block size %" PetscInt_FMT ": ScaLAPACK needs n < 2^31 and blocks >= 6", ntot, re->nb);
  PetscCheck(re->method == MR_SPECTRUM_LAPACK || re->method == MR_SPECTRUM_SCALAPACK, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "MrConnectivityEigenvalues needs the method resolved to lapack or scalapack (MrSpectrumCheck)");
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  n        = (int)ntot;
  nb       = (int)PetscMin(re->nb, PetscMax(ntot, 6));
  *threads = 1;
  PetscCall(PetscStrncpy(lib, "linked", liblen));

  if (re->method == MR_SPECTRUM_LAPACK) {
    /* rank 0 works, with a thread for every rank on its node */
    cpu_set_t   cpus;
    PetscMPIInt ncpu;
    PetscCall(MrAnalysisNodeRanks(comm, &nodeRanks, &ncpu, &cpus));
    nthreads = (int)(re->threads > 0 ? re->threads : PetscMin(nodeRanks, ncpu));
    if (rank == 0) PetscCall(MrLapackOpen(nthreads, re->lapack, &cpus, &lp));
    if (nodeRanks == size) {
      PetscErrorCode ierr = PETSC_SUCCESS;
      PetscBool      ok;
      /* every rank shares rank 0's node: nothing to distribute */
      if (rank == 0) {
        ierr = MrEigenvaluesRank0(m, re, n, nb, &lp, wr, wi, t);
        PetscCall(MrLapackClose(&lp));
      }
      ok = (PetscBool)(ierr == PETSC_SUCCESS);
      if (size > 1) PetscCall(MrBcastPolite(comm, n, &ok, wr, wi));
      PetscCheck(ok, comm, PETSC_ERR_LIB, "rank 0 failed to compute the eigenvalues (see its message)");
      if (rank == 0) {
        *threads = lp.threads;
        PetscCall(PetscStrncpy(lib, lp.lib, liblen));
        PetscCall(PetscInfo(NULL, "lapack path on rank 0 (%d threads, %s): fill %.3g s, dgehrd %.3g s, dhseqr %.3g s\n", lp.threads, lp.lib, t[1] - t[0], t[2] - t[1], t[3] - t[2]));
      }
      PetscCallMPI(MPI_Bcast(threads, 1, MPI_INT, 0, comm));
      PetscCallMPI(MPI_Bcast(lib, (PetscMPIInt)liblen, MPI_CHAR, 0, comm));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
  }

  PetscCall(MrBlacsGridCreate(comm, &grid));
  PetscCall(MrBlacsDescriptor(&grid, n, n, nb, desc, &mloc, &nloc));
  PetscCall(PetscMalloc2((size_t)PetscMax(mloc, 1) * PetscMax(nloc, 1), &A, nloc + nb + 1, &tau));
  PetscCall(PetscTime(&t[0]));
  PetscCall(MrConnectivityFill(m, re, &grid, n, nb, mloc, nloc, desc[8], A));
  PetscCall(PetscTime(&t[1]));
  /* Hessenberg reduction on the grid */
  pdgehrd_(&n, &one, &n, A, &one, &one, desc, tau, &wq, &query, &info);
  PetscCallScaLAPACK("pdgehrd (workspace query)", info);
  lwork = (int)wq + 1;
  PetscCall(PetscMalloc1(lwork, &work));
  pdgehrd_(&n, &one, &n, A, &one, &one, desc, tau, work, &lwork, &info);
  PetscCallScaLAPACK("pdgehrd", info);
  PetscCall(PetscFree(work));
  PetscCall(PetscTime(&t[2]));

  if (re->method == MR_SPECTRUM_LAPACK) {
    /* ranks on several nodes: H gathered on a 1 x 1 grid of rank 0 (pdgemr2d), the distributed copy freed, dhseqr there */
    int       ctxt1 = grid.handle, r1, c1, myr1, myc1, descH[9], lldH = n, zero = 0;
    double   *H  = NULL;
    PetscBool ok = PETSC_TRUE;
    Cblacs_gridinit(&ctxt1, "Row", 1, 1);
    Cblacs_gridinfo(ctxt1, &r1, &c1, &myr1, &myc1);
    PetscCheck((rank == 0) == (myr1 == 0 && myc1 == 0), PETSC_COMM_SELF, PETSC_ERR_LIB, "BLACS: rank %d is %s the 1 x 1 grid", (int)rank, rank ? "in" : "not in");
    if (rank == 0) {
      descinit_(descH, &n, &n, &nb, &nb, &zero, &zero, &ctxt1, &lldH, &info);
      PetscCallScaLAPACK("descinit", info);
      PetscCall(PetscMalloc1((size_t)n * n, &H));
    } else {
      for (int k = 0; k < 9; k++) descH[k] = 0;
      descH[1] = -1; /* not in the target grid */
    }
    pdgemr2d_(&n, &n, A, &one, &one, desc, H, &one, &one, descH, &grid.ctxt);
    PetscCall(PetscFree2(A, tau));
    PetscCall(PetscTime(&tg));
    if (rank == 0) {
      PetscErrorCode ierr = MrSchurLAPACK(&lp, n, H, wr, wi);
      ok                  = (PetscBool)(ierr == PETSC_SUCCESS);
      PetscCall(MrLapackClose(&lp));
      PetscCall(PetscFree(H));
      Cblacs_gridexit(ctxt1);
      *threads = lp.threads;
      PetscCall(PetscStrncpy(lib, lp.lib, liblen));
    }
    PetscCall(PetscTime(&t[3]));
    PetscCall(MrBcastPolite(comm, n, &ok, wr, wi));
    PetscCheck(ok, comm, PETSC_ERR_LIB, "rank 0 failed to compute the eigenvalues (see its message)");
    PetscCallMPI(MPI_Bcast(threads, 1, MPI_INT, 0, comm));
    PetscCallMPI(MPI_Bcast(lib, (PetscMPIInt)liblen, MPI_CHAR, 0, comm));
    PetscCall(PetscInfo(NULL, "lapack path over nodes: fill %.3g s, pdgehrd %.3g s, gather %.3g s, dhseqr on rank 0 %.3g s\n", t[1] - t[0], t[2] - t[1], tg - t[2], t[3] - tg));
    PetscCall(MrBlacsGridDestroy(&grid));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  /* below the subdiagonal pdgehrd leaves its reflectors: H is what remains */
  for (int lj = 0; lj < nloc; lj++) {
    const int gj = MrBcGlobal(lj, nb, grid.mycol, grid.npcol);
    for (int li = 0; li < mloc; li++)
      if (MrBcGlobal(li, nb, grid.myrow, grid.nprow) > gj + 1) A[(size_t)lj * desc[8] + li] = 0;
  }
  PetscCall(MrSchurScaLAPACK(comm, &grid, n, nb, nloc, desc, A, wr, wi));
  PetscCall(PetscTime(&t[3]));
  PetscCall(PetscInfo(NULL, "scalapack path: fill %.3g s, Hessenberg %.3g s, pdlahqr %.3g s\n", t[1] - t[0], t[2] - t[1], t[3] - t[2]));
  PetscCall(PetscFree2(A, tau));
  PetscCall(MrBlacsGridDestroy(&grid));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrConnectivityEigenvalues(MPI_Comm comm, MrModel m, const MrRealisation *re, PetscReal wr[], PetscReal wi[])
{
  int  threads;
  char lib[PETSC_MAX_PATH_LEN];

  PetscFunctionBegin;
  PetscCall(MrConnectivityEigenvaluesLib(comm, m, re, wr, wi, &threads, lib, sizeof(lib)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

typedef struct {
  char            model[PETSC_MAX_PATH_LEN], out[PETSC_MAX_PATH_LEN], run[PETSC_MAX_PATH_LEN], jacobian[PETSC_MAX_PATH_LEN], lapack[PETSC_MAX_PATH_LEN];
  PetscBool       force, help;
  PetscInt        outliers; /* > 0: that many eigenvalues with SLEPc */
  MrOutliersWhich which;
  MrRealisation   re;
} MrSpecOptions;

/* -run RUN.h5 (or -jacobian FILE): the model file and realisation of a simulate
   (or lyapunov) output (rank 0 reads). */
static PetscErrorCode MrSpecFromRun(MPI_Comm comm, const char opt[], const char path[], MrSpecOptions *o)
{
  PetscMPIInt rank;
  char        msg[1024] = "";
  struct {
    char      model[PETSC_MAX_PATH_LEN];
    long long seed, K;
    int       dtype, prec;
  } r;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(&r, sizeof(r)));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    hid_t f;
    PetscCall(MrH5OpenRead(path, opt, &f, msg, sizeof(msg)));
    if (f >= 0) {
      const char *need[] = {"model_file", "seed", "disorder", "precision", "verb"};
      for (size_t k = 0; k < 5 && !msg[0]; k++)
        if (H5Aexists(f, need[k]) <= 0)
          PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s '%s' is not a simulate (or lyapunov) output (no attribute %s)%s", opt, path, need[k], opt[1] == 'j' ? ": for a checkpoint, name the run it continues with -run RUN.h5" : ""));
      if (!msg[0]) {
        char      dis[64] = "", pre[64] = "";
        PetscBool ok1, ok2, ok3, ok4, ok5 = PETSC_TRUE;
        /* every attribute checked for its type and value: a wrong one is not replaced by a default */
        PetscCall(MrH5GetAttrString(f, "model_file", r.model, sizeof(r.model), &ok1));
        PetscCall(MrH5GetAttrString(f, "disorder", dis, sizeof(dis), &ok2));
        PetscCall(MrH5GetAttrString(f, "precision", pre, sizeof(pre), &ok3));
        PetscCall(MrH5GetAttrInt64(f, "seed", &r.seed, &ok4));
        r.K = o->re.K;
        if (H5Aexists(f, "disorder_k") > 0) PetscCall(MrH5GetAttrInt64(f, "disorder_k", &r.K, &ok5));
        if (!ok1 || !r.model[0])
          PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s '%s': the attribute model_file is not a file name", opt, path));
        else if (!ok2 || (strcmp(dis, "dense") && strcmp(dis, "sparse")))
          PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s '%s': the attribute disorder is not \"dense\" or \"sparse\"", opt, path));
        else if (!ok3 || (strcmp(pre, "double") && strcmp(pre, "single")))
          PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s '%s': the attribute precision is not \"double\" or \"single\"", opt, path));
        else if (!ok4 || r.seed < 0)
          PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s '%s': the attribute seed is not a seed from 0 to %" PetscInt64_FMT, opt, path, (PetscInt64)MR_SEED_MAX));
        else if (!ok5 || r.K < 1 || r.K > PETSC_MAX_INT)
          PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s '%s': the attribute disorder_k is not a positive integer", opt, path));
        r.dtype = !strcmp(dis, "sparse") ? MR_DISORDER_SPARSE : MR_DISORDER_DENSE;
        r.prec  = !strcmp(pre, "single") ? MR_PRECISION_SINGLE : MR_PRECISION_DOUBLE;
      }
      H5Fclose(f);
    }
  }
  PetscCall(MrShareStatus(comm, (PetscBool)!msg[0], msg));
  PetscCallMPI(MPI_Bcast(&r, (int)sizeof(r), MPI_BYTE, 0, comm));
  if (!o->model[0]) PetscCall(PetscStrncpy(o->model, r.model, sizeof(o->model)));
  o->re.seed  = r.seed;
  o->re.dtype = (MrDisorderType)r.dtype;
  o->re.prec  = (MrPrecision)r.prec;
  o->re.K     = (PetscInt)r.K;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode MrSpecGetOptions(MPI_Comm comm, MrSpecOptions *o)
{
  PetscInt64 seed = 1;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(o, sizeof(*o)));
  PetscCall(MrCheckChoice(comm, "-disorder", MrSpecDisorderTypes, 2));
  PetscCall(MrCheckChoice(comm, "-precision", MrSpecPrecisions, 2));
  PetscCall(MrCheckChoice(comm, "-spectrum_method", MrSpecDense, 3));
  PetscCall(MrCheckChoice(comm, "-outliers_which", MrOutliersWhichTypes, 2));
  o->re.K  = 100;
  o->re.nb = 32;
  PetscOptionsBegin(comm, NULL, "mrdyn spectrum: eigenvalues of one realisation's connectivity", NULL);
  PetscCall(PetscOptionsString("-model", "model file (HDF5, see docs/file-formats.md)", NULL, o->model, o->model, sizeof(o->model), NULL));
  PetscCall(PetscOptionsString("-o", "output file", NULL, o->out, o->out, sizeof(o->out), NULL));
  PetscCall(MrOptionsBool("-force", "overwrite an existing output file", o->force, &o->force, NULL));
  PetscCall(MrOptionsInt64("-seed", "network realisation (J, vectors), as simulate", seed, &seed, NULL, 0, MR_SEED_MAX));
  PetscCall(PetscOptionsEnum("-disorder", "within-region disorder, as simulate", NULL, MrSpecDisorderTypes, (PetscEnum)o->re.dtype, (PetscEnum *)&o->re.dtype, NULL));
  PetscCall(MrOptionsInt("-disorder_k", "nonzeros per row of sparse disorder", o->re.K, &o->re.K, NULL, 1, PETSC_MAX_INT));
  PetscCall(PetscOptionsEnum("-precision", "storage of dense disorder, as simulate (single: J rounded to float)", NULL, MrSpecPrecisions, (PetscEnum)o->re.prec, (PetscEnum *)&o->re.prec, NULL));
  PetscCall(MrOptionsInt("-block_size", "ScaLAPACK block size (6 to 4096; the Schur routines need >= 6)", o->re.nb, &o->re.nb, NULL, 6, 4096));
  PetscCall(PetscOptionsString("-run", "take the model file and the realisation (seed, disorder, precision) from this simulate output", NULL, o->run, o->run, sizeof(o->run), NULL));
  PetscOptionsEnd();
  /* the dense method and the SLEPc outliers: options of their own, kept apart */
  PetscOptionsBegin(comm, NULL, "mrdyn spectrum: how the eigenvalues are found", NULL);
  PetscCall(PetscOptionsEnum("-spectrum_method", "all eigenvalues: auto (lapack when W fits rank 0's node), lapack (dgehrd and dhseqr on rank 0, a thread per rank of its node), scalapack (pdgehrd and pdlahqr on the grid)", NULL, MrSpecDense,
                             (PetscEnum)o->re.method, (PetscEnum *)&o->re.method, NULL));
  PetscCall(MrOptionsInt("-spectrum_threads", "lapack: threads of rank 0's LAPACK (0: one per rank on its node, which wait meanwhile)", o->re.threads, &o->re.threads, NULL, 0, 1024));
  PetscCall(PetscOptionsString("-spectrum_lapack", "lapack with more than one thread: the threaded LAPACK library to load (default: OpenBLAS's pthread build next to the linked one)", NULL, o->lapack, o->lapack, sizeof(o->lapack), NULL));
  PetscCall(MrOptionsInt("-outliers", "only this many eigenvalues, of largest real part or modulus, with SLEPc's Krylov-Schur on W applied through the network (0: all, dense)", o->outliers, &o->outliers, NULL, 0, PETSC_MAX_INT));
  PetscCall(PetscOptionsEnum("-outliers_which", "-outliers: largest real part or largest modulus", NULL, MrOutliersWhichTypes, (PetscEnum)o->which, (PetscEnum *)&o->which, NULL));
  PetscCall(PetscOptionsString("-jacobian",
                               "eigenvalues of the Jacobian -I + W diag(phi'(x)) at the state /state/x of this file (a simulate output or a lyapunov output, with its realisation; a checkpoint with -run RUN.h5): SLEPc, 6 eigenvalues unless -outliers",
                               NULL, o->jacobian, o->jacobian, sizeof(o->jacobian), NULL));
  PetscOptionsEnd();
  PetscCall(PetscOptionsHasHelp(NULL, &o->help));
  o->re.seed = seed;
  if (o->help) {
    PetscCall(PetscPrintf(comm, "  (with -outliers or -jacobian, SLEPc's -eps_* options apply, e.g. -eps_tol, -eps_ncv, -eps_max_it, -eps_view)\n"));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (o->run[0])
    PetscCall(MrSpecFromRun(comm, "-run", o->run, o));
  else if (o->jacobian[0])
    PetscCall(MrSpecFromRun(comm, "-jacobian", o->jacobian, o));
  if (o->jacobian[0] && !o->outliers) o->outliers = 6;
  MrCheckInput(comm, o->model[0], "spectrum: no model file given (-model FILE)");
  MrCheckInput(comm, o->out[0], "spectrum: no output file given (-o FILE)");
  o->re.lapack = o->lapack[0] ? o->lapack : NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Eigenvalues sorted by decreasing modulus (ties: real, then imaginary part, decreasing). */
static int MrCmpEig(const void *pa, const void *pb)
{
  const double *a = (const double *)pa, *b = (const double *)pb;
  const double  ma = hypot(a[0], a[1]), mb = hypot(b[0], b[1]);
  if (ma != mb) return ma < mb ? 1 : -1;
  if (a[0] != b[0]) return a[0] < b[0] ? 1 : -1;
  if (a[1] != b[1]) return a[1] < b[1] ? 1 : -1;
  return 0;
}

PetscErrorCode MrSpectrumTheory(MrSpectrum s, MrModel m)
{
  PetscReal *twr = NULL, *twi = NULL;

  PetscFunctionBegin;
  s->R = m->R;
  PetscCall(PetscMalloc2(2 * m->C + 2, &s->pred, m->R, &s->g));
  PetscCall(PetscArraycpy(s->g, m->g, m->R));
  for (PetscInt r = 0; r < m->R; r++) s->gmax = PetscMax(s->gmax, m->g[r]);
  /* outliers at the eigenvalues of That outside every bulk disk */
  PetscCall(MrModelThatEigenvalues(m, &s->nthat, &twr, &twi));
  PetscCall(PetscMalloc1(2 * s->nthat + 1, &s->tall));
  for (PetscInt k = 0; k < s->nthat; k++) {
    s->tall[2 * k]     = twr[k];
    s->tall[2 * k + 1] = twi[k];
    if (hypot(twr[k], twi[k]) > s->gmax) {
      s->pred[2 * s->nout]     = twr[k];
      s->pred[2 * s->nout + 1] = twi[k];
      s->nout++;
    }
  }
  PetscCall(PetscFree2(twr, twi));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSpectrumCompute(MPI_Comm comm, MrModel m, const MrRealisation *re, MrSpectrum *sp)
{
  MrSpectrum     s;
  PetscReal     *wr, *wi;
  PetscLogDouble t0, t1;

  PetscFunctionBegin;
  PetscCall(PetscNew(&s));
  s->comm   = comm;
  s->method = re->method;
  for (PetscInt r = 0; r < m->R; r++) s->ntot += m->N[r];
  s->n = s->ntot;
  PetscCall(PetscMalloc2(s->n, &wr, s->n, &wi));
  PetscCall(PetscMalloc2(2 * s->n, &s->eig, 1, &s->res));
  PetscCall(PetscTime(&t0));
  {
    int threads;
    PetscCall(MrConnectivityEigenvaluesLib(comm, m, re, wr, wi, &threads, s->lapack, sizeof(s->lapack)));
    s->threads = threads;
  }
  PetscCall(PetscTime(&t1));
  s->wall = t1 - t0;
  PetscCallMPI(MPI_Bcast(&s->wall, 1, MPIU_REAL, 0, comm)); /* attributes must be identical on every rank */
  for (PetscInt k = 0; k < s->n; k++) {
    s->eig[2 * k]     = wr[k];
    s->eig[2 * k + 1] = wi[k];
  }
  qsort(s->eig, (size_t)s->n, 2 * sizeof(double), MrCmpEig);
  s->radius = hypot(s->eig[0], s->eig[1]);
  PetscCall(PetscFree2(wr, wi));
  PetscCall(MrSpectrumTheory(s, m));
  *sp = s;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSpectrumDestroy(MrSpectrum *sp)
{
  MrSpectrum s = *sp;

  PetscFunctionBegin;
  if (!s) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscFree2(s->eig, s->res));
  PetscCall(PetscFree2(s->pred, s->g));
  PetscCall(PetscFree(s->tall));
  PetscCall(PetscFree(s));
  *sp = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* MrOutputWriteRoot, or for an empty array (no outlier predicted, none
   converged) the dataset alone: HDF5 refuses the write of nothing. Collective. */
static PetscErrorCode MrSpecWriteRoot(MrOutput out, const char name[], int rank, const hsize_t dims[], const double *data)
{
  hsize_t size = 1;

  PetscFunctionBegin;
  for (int k = 0; k < rank; k++) size *= dims[k];
  if (size)
    PetscCall(MrOutputWriteRoot(out, name, H5T_NATIVE_DOUBLE, rank, dims, data));
  else {
    hid_t lcpl, sp, d;
    PetscCallH5(lcpl = H5Pcreate(H5P_LINK_CREATE));
    PetscCallH5(H5Pset_create_intermediate_group(lcpl, 1));
    PetscCallH5(sp = H5Screate_simple(rank, dims, NULL));
    PetscCallH5(d = H5Dcreate2(MrOutputFile(out), name, H5T_NATIVE_DOUBLE, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT));
    PetscCallH5(H5Dclose(d));
    PetscCallH5(H5Sclose(sp));
    PetscCallH5(H5Pclose(lcpl));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSpectrumWrite(MrSpectrum s, MrOutput out, const char prefix[])
{
  char    name[256];
  hsize_t dn[2] = {(hsize_t)s->n, 2}, dm[2] = {(hsize_t)s->nout, 2}, dt[2] = {(hsize_t)s->nthat, 2}, dr = (hsize_t)s->R, dk = (hsize_t)s->n;
  /* the verb's file names them plainly; in a run file (prefix /spectrum) they must not clash with the run's */
  const char *pre = prefix[0] ? "spectrum_" : "";

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(name, sizeof(name), "%s/eigenvalues", prefix));
  PetscCall(MrSpecWriteRoot(out, name, 2, dn, s->eig));
  PetscCall(PetscSNPrintf(name, sizeof(name), "%s/theory/outliers", prefix));
  PetscCall(MrSpecWriteRoot(out, name, 2, dm, s->pred));
  PetscCall(PetscSNPrintf(name, sizeof(name), "%s/theory/that_eigenvalues", prefix));
  PetscCall(MrSpecWriteRoot(out, name, 2, dt, s->tall));
  PetscCall(PetscSNPrintf(name, sizeof(name), "%s/theory/bulk_radius", prefix));
  PetscCall(MrSpecWriteRoot(out, name, 1, &dr, s->g));
  if (!PetscIsNanReal(s->radius)) PetscCall(MrOutputAttrReal(out, "spectral_radius", s->radius));
  PetscCall(PetscSNPrintf(name, sizeof(name), "%smethod", pre));
  PetscCall(MrOutputAttrString(out, name, MrSpectrumMethods[s->method]));
  if (s->method == MR_SPECTRUM_LAPACK) {
    PetscCall(PetscSNPrintf(name, sizeof(name), "%slapack_threads", pre));
    PetscCall(MrOutputAttrInt(out, name, s->threads));
    PetscCall(PetscSNPrintf(name, sizeof(name), "%slapack_library", pre));
    PetscCall(MrOutputAttrString(out, name, s->lapack));
  }
  if (s->method == MR_SPECTRUM_SLEPC) {
    PetscCall(PetscSNPrintf(name, sizeof(name), "%s/residuals", prefix));
    PetscCall(MrSpecWriteRoot(out, name, 1, &dk, s->res));
    PetscCall(PetscSNPrintf(name, sizeof(name), "%soperator", pre));
    PetscCall(MrOutputAttrString(out, name, s->jacobian ? "jacobian" : "W"));
    PetscCall(PetscSNPrintf(name, sizeof(name), "%soutliers", pre));
    PetscCall(MrOutputAttrInt(out, name, s->nwant));
    PetscCall(PetscSNPrintf(name, sizeof(name), "%soutliers_which", pre));
    PetscCall(MrOutputAttrString(out, name, MrOutliersWhichTypes[s->which]));
    PetscCall(PetscSNPrintf(name, sizeof(name), "%skrylov_schur_restarts", pre));
    PetscCall(MrOutputAttrInt(out, name, s->its));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSpectrumView(MrSpectrum s)
{
  PetscFunctionBegin;
  if (s->method == MR_SPECTRUM_SLEPC) {
    PetscCall(PetscPrintf(s->comm, "  method slepc (Krylov-Schur on %s applied through the network): %" PetscInt_FMT " of %" PetscInt_FMT " eigenvalues of largest %s converged in %.3g s, %" PetscInt_FMT " restarts\n",
                          s->jacobian ? "the Jacobian" : "W", s->n, s->nwant, s->which == MR_OUTLIERS_REAL ? "real part" : "modulus", (double)s->wall, s->its));
    for (PetscInt k = 0; k < s->n; k++) PetscCall(PetscPrintf(s->comm, "  eigenvalue %.6f%+.6fi (relative residual %.1e)\n", (double)s->eig[2 * k], (double)s->eig[2 * k + 1], (double)s->res[k]));
  } else if (s->method == MR_SPECTRUM_LAPACK)
    PetscCall(PetscPrintf(s->comm, "  method lapack (dgehrd and dhseqr on rank 0, %" PetscInt_FMT " thread%s, %s LAPACK): eigenvalues in %.3g s; spectral radius %.4f; largest bulk radius g = %.4f\n", s->threads, s->threads > 1 ? "s" : "", s->lapack,
                          (double)s->wall, (double)s->radius, (double)s->gmax));
  else
    PetscCall(PetscPrintf(s->comm, "  method %s: eigenvalues in %.3g s; spectral radius %.4f; largest bulk radius g = %.4f\n", MrSpectrumMethods[s->method], (double)s->wall, (double)s->radius, (double)s->gmax));
  for (PetscInt k = 0; k < PetscMin(s->nout, 8) && s->n && !s->jacobian; k++) {
    PetscInt  best = 0;
    PetscReal d    = PETSC_MAX_REAL;
    for (PetscInt j = 0; j < s->n; j++) {
      PetscReal dj = hypot(s->eig[2 * j] - s->pred[2 * k], s->eig[2 * j + 1] - s->pred[2 * k + 1]);
      if (dj < d) {
        d    = dj;
        best = j;
      }
    }
    PetscCall(PetscPrintf(s->comm, "  predicted outlier %.4f%+.4fi, nearest eigenvalue %.4f%+.4fi\n", (double)s->pred[2 * k], (double)s->pred[2 * k + 1], (double)s->eig[2 * best], (double)s->eig[2 * best + 1]));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSpectrumVerb(MPI_Comm comm)
{
  MrSpecOptions opt;
  MrModel       m = NULL;
  MrOutput      out;
  MrSpectrum    sp;
  PetscInt      ntot = 0;
  PetscReal     need;
  PetscMPIInt   size;

  PetscFunctionBegin;
  PetscCall(MrSpecGetOptions(comm, &opt));
  if (opt.help) PetscFunctionReturn(PETSC_SUCCESS);
  if (opt.outliers) PetscCall(MrOutliersClaimOptions(comm));
  PetscCall(MrCheckUnusedOptions(comm, MrSpecKnown));
  PetscCall(MrModelLoadNetwork(comm, opt.model, &m)); /* with /weights: the imported W itself */
  PetscCall(MrWeightsCheckDisorder(m, opt.re.dtype, "spectrum"));
  for (PetscInt r = 0; r < m->R; r++) {
    ntot += m->N[r];
    if (opt.re.dtype == MR_DISORDER_SPARSE) MrCheckInput(comm, opt.re.K >= 1 && opt.re.K <= m->N[r], "-disorder_k %" PetscInt_FMT " must be between 1 and N = %" PetscInt_FMT " of region %" PetscInt_FMT, opt.re.K, m->N[r], r);
  }
  PetscCallMPI(MPI_Comm_size(comm, &size));
  if (opt.outliers) {
    MrCheckInput(comm, opt.outliers < ntot, "-outliers %" PetscInt_FMT " must be smaller than n = %" PetscInt_FMT, opt.outliers, ntot);
    opt.re.method = MR_SPECTRUM_SLEPC;
  } else
    PetscCall(MrSpectrumCheck(comm, m, &opt.re, 0, PETSC_FALSE, &need));
  PetscCall(MrOutputCheckPathInputs(comm, opt.out, (const char *const[]){opt.model, opt.run, opt.jacobian, NULL}, opt.force));

  PetscCall(
      PetscPrintf(comm, "mrdyn spectrum: n = %" PetscInt_FMT " (R = %" PetscInt_FMT "), seed %" PetscInt64_FMT ", %s disorder, %d ranks, method %s", ntot, m->R, opt.re.seed, MrSpecDisorderTypes[opt.re.dtype], size, MrSpectrumMethods[opt.re.method]));
  if (opt.outliers)
    PetscCall(PetscPrintf(comm, " (%" PetscInt_FMT " eigenvalues of largest %s%s)\n", opt.outliers, opt.which == MR_OUTLIERS_REAL ? "real part" : "modulus", opt.jacobian[0] ? " of the Jacobian" : ""));
  else
    PetscCall(PetscPrintf(comm, ", block size %" PetscInt_FMT "\n", opt.re.nb));
  if (opt.outliers)
    PetscCall(MrSpectrumOutliersRealise(comm, m, &opt.re, opt.outliers, opt.which, opt.jacobian, &sp));
  else
    PetscCall(MrSpectrumCompute(comm, m, &opt.re, &sp));
  PetscCall(MrOutputCreate(comm, opt.out, &out));
  PetscCall(MrSpectrumWrite(sp, out, ""));
  PetscCall(MrOutputWriteChannelMap(out, m->C, m->target, m->source));
  PetscCall(MrOutputProvenance(out, "spectrum", opt.model, m->hash));
  PetscCall(MrOutputAttrString(out, "model_description", m->description));
  PetscCall(MrOutputAttrInt(out, "mpi_size", size));
  PetscCall(MrOutputAttrInt(out, "seed", opt.re.seed));
  PetscCall(MrOutputAttrInt(out, "n", ntot));
  PetscCall(MrOutputAttrInt(out, "R", m->R));
  PetscCall(MrOutputAttrInt(out, "C", m->C));
  if (!opt.outliers) PetscCall(MrOutputAttrInt(out, "block_size", opt.re.nb));
  if (opt.jacobian[0]) PetscCall(MrOutputAttrString(out, "jacobian_state", opt.jacobian));
  PetscCall(MrOutputAttrString(out, "disorder", MrSpecDisorderTypes[opt.re.dtype]));
  PetscCall(MrOutputAttrString(out, "precision", MrSpecPrecisions[opt.re.prec]));
  if (opt.re.dtype == MR_DISORDER_SPARSE) PetscCall(MrOutputAttrInt(out, "disorder_k", opt.re.K));
  {
    PetscReal *Nr;
    PetscCall(PetscMalloc1(m->R, &Nr));
    for (PetscInt r = 0; r < m->R; r++) Nr[r] = (PetscReal)m->N[r];
    PetscCall(MrOutputAttrRealArray(out, "N", m->R, Nr));
    PetscCall(MrOutputAttrRealArray(out, "g", m->R, m->g));
    PetscCall(PetscFree(Nr));
    PetscCall(MrOutputAttrReal(out, "wall_seconds", sp->wall));
  }
  PetscCall(MrOutputFinish(&out));
  PetscCall(MrSpectrumView(sp));
  PetscCall(PetscPrintf(comm, "  wrote %s\n", opt.out));
  PetscCall(MrSpectrumDestroy(&sp));
  PetscCall(MrModelDestroy(&m));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSpectrumCheck(MPI_Comm comm, MrModel m, MrRealisation *re, PetscReal other, PetscBool sparse, PetscReal *need)
{
  PetscInt    ntot = 0;
  PetscReal   node, phys, gathered, nodeG, physG;
  PetscMPIInt size, rank, nodeRanks;

  PetscFunctionBegin;
  for (PetscInt r = 0; r < m->R; r++) ntot += m->N[r];
  MrCheckInput(comm, re->nb >= 6 && re->nb <= 4096, "-block_size %" PetscInt_FMT " must be between 6 and 4096 (ScaLAPACK's Schur routines need >= 6)", re->nb);
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (ntot >= PETSC_MPI_INT_MAX / 2) {
    MrCheckInput(comm, sparse && re->method == MR_SPECTRUM_AUTO, "the network has n = %" PetscInt_FMT " neurons: too many for a dense eigenvalue problem", ntot);
    re->method = MR_SPECTRUM_SLEPC;
    *need      = 0;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  /* the dense n x n problem must fit in memory before anything large is allocated */
  *need = MrConnectivityMemory(ntot, size, re->nb);
  PetscCall(MrAnalysisNodeMemory(comm, *need + other, &node, &phys));
  /* lapack: all ranks on rank 0's node: W only on rank 0, with dgehrd's and
     dhseqr's work; else rank 0 also holds the gathered Hessenberg matrix */
  PetscCall(MrAnalysisNodeRanks(comm, &nodeRanks, NULL, NULL));
  gathered = 8.0 * (PetscReal)ntot * (PetscReal)ntot + 8.0 * (PetscReal)ntot * 64;
  if (nodeRanks == size)
    PetscCall(MrAnalysisNodeMemory(comm, other + (rank == 0 ? gathered : 0), &nodeG, &physG));
  else
    PetscCall(MrAnalysisNodeMemory(comm, *need + other + (rank == 0 ? gathered : 0), &nodeG, &physG));
  if (re->method == MR_SPECTRUM_AUTO) {
    if (nodeG < 0.8 * physG)
      re->method = MR_SPECTRUM_LAPACK;
    else if (node < 0.8 * phys)
      re->method = MR_SPECTRUM_SCALAPACK;
    else if (sparse) {
      re->method = MR_SPECTRUM_SLEPC;
      *need      = 0;
      PetscFunctionReturn(PETSC_SUCCESS);
    }
  }
  if (re->method == MR_SPECTRUM_LAPACK) {
    MrCheckInput(comm, nodeG < 0.8 * physG,
                 "spectrum: -spectrum_method lapack gathers the %" PetscInt_FMT " x %" PetscInt_FMT " matrix on rank 0: %.3g GB on one node but it has %.3g GB: use -spectrum_method scalapack, more nodes or a smaller network", ntot, ntot, nodeG / 1e9,
                 physG / 1e9);
    if (nodeRanks == size)
      *need = rank == 0 ? gathered : 0;
    else if (rank == 0)
      *need += gathered;
  } else
    MrCheckInput(comm, node < 0.8 * phys, "spectrum: the dense %" PetscInt_FMT " x %" PetscInt_FMT " problem needs %.3g GB on one node but it has %.3g GB: use more nodes, a smaller network, or -outliers K", ntot, ntot, node / 1e9, phys / 1e9);
  PetscFunctionReturn(PETSC_SUCCESS);
}
