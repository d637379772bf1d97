/* `mrdyn spectrum`: the eigenvalues of one realisation's connectivity W with
   ScaLAPACK, next to the theory of model.md (appendix A.1 of the paper): a bulk
   disk of radius g_r per region and outliers at the eigenvalues of That. */
#include <mrdyn/mrdyn.h>
#include <mrdyn/analysis.h>
#include "scalapack.h"
#include <math.h>
#include <stdlib.h>

static const char *const MrSpecDisorderTypes[] = {"dense", "sparse", "MrDisorderType", "MR_DISORDER_", NULL};
static const char *const MrSpecPrecisions[]    = {"double", "single", "MrPrecision", "MR_PRECISION_", NULL};
static const char *const MrSpecKnown[]         = {"-model", "-o", "-force", "-seed", "-disorder", "-disorder_k", "-precision", "-block_size", "-log_view", "-run", NULL};

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
    PetscCall(MrDisorderGenerate(re->seed, r, m->N[r], m->g[r], i0, i0 + run, re->dtype, re->prec, re->K, &J));
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

PetscErrorCode MrConnectivityEigenvalues(MPI_Comm comm, MrModel m, const MrRealisation *re, PetscReal wr[], PetscReal wi[])
{
  MrBlacsGrid grid;
  PetscInt    ntot = 0;
  int         n, nb, desc[9], mloc, nloc, one = 1, info, lwork, liwork, query = -1;
  double     *A, *tau, *work, wq;
  int        *iwork;

  PetscFunctionBegin;
  for (PetscInt r = 0; r < m->R; r++) ntot += m->N[r];
  PetscCheck(ntot < PETSC_MPI_INT_MAX && re->nb >= 6, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "n = %" PetscInt_FMT " and block size %" PetscInt_FMT ": ScaLAPACK needs n < 2^31 and blocks >= 6", ntot, re->nb);
  n  = (int)ntot;
  nb = (int)PetscMin(re->nb, PetscMax(ntot, 6));
  PetscCall(MrBlacsGridCreate(comm, &grid));
  PetscCall(MrBlacsDescriptor(&grid, n, n, nb, desc, &mloc, &nloc));
  PetscCall(PetscMalloc2((size_t)PetscMax(mloc, 1) * PetscMax(nloc, 1), &A, nloc + nb + 1, &tau));
  PetscCall(MrConnectivityFill(m, re, &grid, n, nb, mloc, nloc, desc[8], A));

  /* Hessenberg reduction */
  pdgehrd_(&n, &one, &n, A, &one, &one, desc, tau, &wq, &query, &info);
  PetscCallScaLAPACK("pdgehrd (workspace query)", info);
  lwork = (int)wq + 1;
  PetscCall(PetscMalloc1(lwork, &work));
  pdgehrd_(&n, &one, &n, A, &one, &one, desc, tau, work, &lwork, &info);
  PetscCallScaLAPACK("pdgehrd", info);
  PetscCall(PetscFree(work));
  /* below the subdiagonal pdgehrd leaves its reflectors: H is what remains */
  for (int lj = 0; lj < nloc; lj++) {
    const int gj = MrBcGlobal(lj, nb, grid.mycol, grid.npcol);
    for (int li = 0; li < mloc; li++)
      if (MrBcGlobal(li, nb, grid.myrow, grid.nprow) > gj + 1) A[(size_t)lj * desc[8] + li] = 0;
  }

  /* Schur form with pdlahqr, WANTT = true. Debian's ScaLAPACK 2.2 gives wrong
     eigenvalues on more than one rank when only eigenvalues are asked for
     (WANTT = false), and pdhseqr deadlocks inside pdlaqr5 on a 1 x 3 grid. */
  {
    int yes = 1, no = 0, lcm = grid.nprow, lld = desc[8], l[2];
    while (lcm % grid.npcol) lcm += grid.nprow;
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
  }
  PetscCall(PetscFree2(A, tau));
  PetscCall(MrBlacsGridDestroy(&grid));
  PetscFunctionReturn(PETSC_SUCCESS);
}

typedef struct {
  char          model[PETSC_MAX_PATH_LEN], out[PETSC_MAX_PATH_LEN], run[PETSC_MAX_PATH_LEN];
  PetscBool     force, help;
  MrRealisation re;
} MrSpecOptions;

/* -run RUN.h5: the model file and realisation of a simulate output (rank 0 reads). */
static PetscErrorCode MrSpecFromRun(MPI_Comm comm, MrSpecOptions *o)
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
    hid_t f = H5Fopen(o->run, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "-run '%s' is missing or not an HDF5 file", o->run));
    else {
      const char *need[] = {"model_file", "seed", "disorder", "precision", "verb"};
      for (size_t k = 0; k < 5 && !msg[0]; k++)
        if (H5Aexists(f, need[k]) <= 0) PetscCall(PetscSNPrintf(msg, sizeof(msg), "-run '%s' is not a simulate output (no attribute %s)", o->run, need[k]));
      if (!msg[0]) {
        char  s[64] = "";
        hid_t t     = H5Tcopy(H5T_C_S1), a;
        H5Tset_size(t, sizeof(r.model));
        a = H5Aopen(f, "model_file", H5P_DEFAULT);
        H5Aread(a, t, r.model);
        H5Aclose(a);
        H5Tset_size(t, sizeof(s));
        a = H5Aopen(f, "disorder", H5P_DEFAULT);
        H5Aread(a, t, s);
        H5Aclose(a);
        r.dtype = !strcmp(s, "sparse") ? MR_DISORDER_SPARSE : MR_DISORDER_DENSE;
        a       = H5Aopen(f, "precision", H5P_DEFAULT);
        H5Aread(a, t, s);
        H5Aclose(a);
        r.prec = !strcmp(s, "single") ? MR_PRECISION_SINGLE : MR_PRECISION_DOUBLE;
        H5Tclose(t);
        PetscInt64 v;
        /* the integers in 64 bits, checked: a damaged file must not wrap into another realisation */
        if (!MrH5ReadAttrInt64(f, "seed", &v) || v < 0) PetscCall(PetscSNPrintf(msg, sizeof(msg), "-run '%s': attribute seed is not a seed from 0 to %" PetscInt64_FMT, o->run, (PetscInt64)MR_SEED_MAX));
        r.seed = v;
        r.K    = o->re.K;
        if (!msg[0] && H5Aexists(f, "disorder_k") > 0) {
          if (!MrH5ReadAttrInt64(f, "disorder_k", &v) || v < 1 || v > PETSC_MAX_INT) PetscCall(PetscSNPrintf(msg, sizeof(msg), "-run '%s': attribute disorder_k is not a count from 1 to %" PetscInt_FMT, o->run, (PetscInt)PETSC_MAX_INT));
          r.K = v;
        }
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
  PetscCall(PetscOptionsHasHelp(NULL, &o->help));
  o->re.seed = seed;
  if (o->help) PetscFunctionReturn(PETSC_SUCCESS);
  if (o->run[0]) PetscCall(MrSpecFromRun(comm, o));
  MrCheckInput(comm, o->model[0], "spectrum: no model file given (-model FILE)");
  MrCheckInput(comm, o->out[0], "spectrum: no output file given (-o FILE)");
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

struct _p_MrSpectrum {
  MPI_Comm   comm;
  PetscInt   n, nthat, nout, R;
  PetscReal *eig;  /* n x 2, by decreasing modulus */
  PetscReal *pred; /* nout x 2: That's eigenvalues outside every bulk disk */
  PetscReal *tall; /* nthat x 2: all of That's eigenvalues */
  PetscReal *g;    /* bulk radii */
  PetscReal  radius, gmax, wall;
};

PetscErrorCode MrSpectrumCompute(MPI_Comm comm, MrModel m, const MrRealisation *re, MrSpectrum *sp)
{
  MrSpectrum     s;
  PetscReal     *wr, *wi, *twr = NULL, *twi = NULL;
  PetscLogDouble t0, t1;

  PetscFunctionBegin;
  PetscCall(PetscNew(&s));
  s->comm = comm;
  s->R    = m->R;
  for (PetscInt r = 0; r < m->R; r++) {
    s->n += m->N[r];
    s->gmax = PetscMax(s->gmax, m->g[r]);
  }
  PetscCall(PetscMalloc2(s->n, &wr, s->n, &wi));
  PetscCall(PetscMalloc3(2 * s->n, &s->eig, 2 * m->C + 2, &s->pred, m->R, &s->g));
  PetscCall(PetscArraycpy(s->g, m->g, m->R));
  PetscCall(PetscTime(&t0));
  PetscCall(MrConnectivityEigenvalues(comm, m, re, wr, wi));
  PetscCall(PetscTime(&t1));
  s->wall = t1 - t0;
  PetscCallMPI(MPI_Bcast(&s->wall, 1, MPIU_REAL, 0, comm)); /* attributes must be identical on every rank */
  for (PetscInt k = 0; k < s->n; k++) {
    s->eig[2 * k]     = wr[k];
    s->eig[2 * k + 1] = wi[k];
  }
  qsort(s->eig, (size_t)s->n, 2 * sizeof(double), MrCmpEig);
  s->radius = hypot(s->eig[0], s->eig[1]);
  /* theory: outliers at the eigenvalues of That outside every bulk disk */
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
  PetscCall(PetscFree2(wr, wi));
  *sp = s;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSpectrumDestroy(MrSpectrum *sp)
{
  MrSpectrum s = *sp;

  PetscFunctionBegin;
  if (!s) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscFree3(s->eig, s->pred, s->g));
  PetscCall(PetscFree(s->tall));
  PetscCall(PetscFree(s));
  *sp = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSpectrumWrite(MrSpectrum s, MrOutput out, const char prefix[])
{
  char    name[256];
  hsize_t dn[2] = {(hsize_t)s->n, 2}, dm[2] = {(hsize_t)s->nout, 2}, dt[2] = {(hsize_t)s->nthat, 2}, dr = (hsize_t)s->R;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(name, sizeof(name), "%s/eigenvalues", prefix));
  PetscCall(MrOutputWriteRoot(out, name, H5T_NATIVE_DOUBLE, 2, dn, s->eig));
  PetscCall(PetscSNPrintf(name, sizeof(name), "%s/theory/outliers", prefix));
  PetscCall(MrOutputWriteRoot(out, name, H5T_NATIVE_DOUBLE, 2, dm, s->pred));
  PetscCall(PetscSNPrintf(name, sizeof(name), "%s/theory/that_eigenvalues", prefix));
  PetscCall(MrOutputWriteRoot(out, name, H5T_NATIVE_DOUBLE, 2, dt, s->tall));
  PetscCall(PetscSNPrintf(name, sizeof(name), "%s/theory/bulk_radius", prefix));
  PetscCall(MrOutputWriteRoot(out, name, H5T_NATIVE_DOUBLE, 1, &dr, s->g));
  PetscCall(MrOutputAttrReal(out, "spectral_radius", s->radius));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSpectrumView(MrSpectrum s)
{
  PetscFunctionBegin;
  PetscCall(PetscPrintf(s->comm, "  eigenvalues in %.3g s; spectral radius %.4f; largest bulk radius g = %.4f\n", (double)s->wall, (double)s->radius, (double)s->gmax));
  for (PetscInt k = 0; k < PetscMin(s->nout, 8); k++) {
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
  PetscCall(MrCheckUnusedOptions(comm, MrSpecKnown));
  PetscCall(MrModelLoad(comm, opt.model, &m));
  for (PetscInt r = 0; r < m->R; r++) {
    ntot += m->N[r];
    if (opt.re.dtype == MR_DISORDER_SPARSE) MrCheckInput(comm, opt.re.K >= 1 && opt.re.K <= m->N[r], "-disorder_k %" PetscInt_FMT " must be between 1 and N = %" PetscInt_FMT " of region %" PetscInt_FMT, opt.re.K, m->N[r], r);
  }
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(MrSpectrumCheck(comm, m, &opt.re, 0, &need));
  PetscCall(MrOutputCheckPath(comm, opt.out, opt.force));

  PetscCall(
      PetscPrintf(comm, "mrdyn spectrum: n = %" PetscInt_FMT " (R = %" PetscInt_FMT "), seed %" PetscInt64_FMT ", %s disorder, %d ranks, block size %" PetscInt_FMT "\n", ntot, m->R, opt.re.seed, MrSpecDisorderTypes[opt.re.dtype], size, opt.re.nb));
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
  PetscCall(MrOutputAttrInt(out, "block_size", opt.re.nb));
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

PetscErrorCode MrSpectrumCheck(MPI_Comm comm, MrModel m, const MrRealisation *re, PetscReal other, PetscReal *need)
{
  PetscInt    ntot = 0;
  PetscReal   node, phys;
  PetscMPIInt size;

  PetscFunctionBegin;
  for (PetscInt r = 0; r < m->R; r++) ntot += m->N[r];
  MrCheckInput(comm, ntot < PETSC_MPI_INT_MAX / 2, "the network has n = %" PetscInt_FMT " neurons: too many for a dense eigenvalue problem", ntot);
  MrCheckInput(comm, re->nb >= 6 && re->nb <= 4096, "-block_size %" PetscInt_FMT " must be between 6 and 4096 (ScaLAPACK's Schur routines need >= 6)", re->nb);
  /* the dense n x n problem must fit in memory before anything large is allocated */
  PetscCallMPI(MPI_Comm_size(comm, &size));
  *need = MrConnectivityMemory(ntot, size, re->nb);
  PetscCall(MrAnalysisNodeMemory(comm, *need + other, &node, &phys));
  MrCheckInput(comm, node < 0.8 * phys, "spectrum: the dense %" PetscInt_FMT " x %" PetscInt_FMT " problem needs %.3g GB on one node but it has %.3g GB: use more nodes or a smaller network", ntot, ntot, node / 1e9, phys / 1e9);
  PetscFunctionReturn(PETSC_SUCCESS);
}
