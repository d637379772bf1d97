/* `mrdyn spectrum -outliers K`: a few eigenvalues of the realised connectivity W
   (or of the Jacobian -I + W diag(phi'(x)) at a state x) with SLEPc's
   Krylov-Schur, on a shell matrix whose product is the network's own: the
   disorder J^r of each region on its rows (the region's vector gathered over
   its rank group when it is split), and the low-rank part through the
   projections n^c . v / N_s, exchanged between regions exactly like the
   currents of the right-hand side, then the inputs m^c. No n x n matrix is
   formed: memory is the network's plus the Krylov basis. */
#include <mrdyn/mrdyn.h>
#include "spectrum_impl.h"
#include "../network/network_impl.h"
#include <slepceps.h>
#include <math.h>

const char *const MrOutliersWhichTypes[] = {"real", "modulus", "MrOutliersWhich", "MR_OUTLIERS_", NULL};

typedef struct {
  MrNetwork  net;
  PetscReal *dphi; /* Jacobian: phi'(x) of the owned rows; NULL: W */
  PetscReal *u;    /* dphi o v */
  PetscInt   nmult;
} MrOutliersCtx;

/* y = W u (u = phi'(x) o v for the Jacobian, then y -= v). Collective. */
static PetscErrorCode MrOutliersMult(Mat A, Vec V, Vec Y)
{
  MrOutliersCtx     *c;
  MrNetwork          net;
  MrLayout           L;
  MrModel            m;
  const PetscScalar *v;
  PetscScalar       *y;
  const PetscReal   *u;

  PetscFunctionBegin;
  PetscCall(MatShellGetContext(A, &c));
  net = c->net;
  L   = net->layout;
  m   = net->model;
  PetscCall(VecGetArrayRead(V, &v));
  PetscCall(VecGetArray(Y, &y));
  u = v;
  if (c->dphi) {
    for (PetscInt i = 0; i < net->nx; i++) c->u[i] = c->dphi[i] * v[i];
    u = c->u;
  }
  /* 1. the projections n^c . u / N_s of the out-channels, in fixed row blocks */
  for (PetscInt k = 0; k < L->nslices; k++) {
    MrSlice         *sl   = &L->slice[k];
    const MrVectors *vv   = &net->vec[k];
    const PetscInt   nout = vv->nout, s = sl->region;
    if (!nout) continue;
    for (PetscInt b = sl->bstart; b < sl->bend; b++) {
      PetscReal *p  = net->part + (b - sl->bstart) * nout;
      PetscInt   i0 = b * MR_ROW_BLOCK - sl->rstart, i1 = PetscMin(i0 + MR_ROW_BLOCK, sl->rend - sl->rstart);
      for (PetscInt o = 0; o < nout; o++) p[o] = 0;
      for (PetscInt i = i0; i < i1; i++) {
        const PetscReal *row = vv->vec + (size_t)i * vv->D, ui = u[net->xoff[k] + i];
        for (PetscInt o = 0; o < nout; o++) p[o] += row[o] * ui;
      }
    }
    PetscCall(MrLayoutGroupBlockSum(L, sl, nout, net->part, net->work, net->tot));
    for (PetscInt o = 0; o < nout; o++) net->sbar[m->outCh[m->outOff[s] + o]] = net->tot[o] / (PetscReal)sl->N;
  }
  /* 2. they travel while the disorder product is computed */
  PetscCall(MrExchangeBegin(net->ex, net->sbar));
  for (PetscInt k = 0; k < L->nslices; k++) {
    MrSlice         *sl   = &L->slice[k];
    PetscScalar     *ys   = y + net->xoff[k];
    const PetscReal *full = u + net->xoff[k];
    for (PetscInt i = 0; i < sl->rend - sl->rstart; i++) ys[i] = 0;
    if (!net->J[k].present) continue;
    if (sl->gsize > 1 || net->J[k].ncols != sl->rend - sl->rstart) {
      PetscCall(MrLayoutGroupAllgather(L, sl, 1, u + net->xoff[k], net->phiFull));
      full = net->phiFull;
    }
    PetscCall(MrDisorderMultAdd(&net->J[k], 1, full, ys));
  }
  PetscCall(MrExchangeEnd(net->ex, net->sbar));
  /* 3. the incoming low-rank part m^c_i sbar_c */
  for (PetscInt k = 0; k < L->nslices; k++) {
    MrSlice         *sl = &L->slice[k];
    const MrVectors *vv = &net->vec[k];
    const PetscInt   r = sl->region, nin = vv->nin, *inCh = m->inCh + m->inOff[r];
    PetscScalar     *ys = y + net->xoff[k];
    const PetscReal *vs = v + net->xoff[k];
    for (PetscInt i = 0; i < sl->rend - sl->rstart; i++) {
      const PetscReal *row = vv->vec + (size_t)i * vv->D + vv->nout;
      PetscReal        a   = ys[i];
      for (PetscInt j = 0; j < nin; j++) a += row[j] * net->sbar[inCh[j]];
      ys[i] = c->dphi ? a - vs[i] : a;
    }
  }
  c->nmult++;
  PetscCall(VecRestoreArrayRead(V, &v));
  PetscCall(VecRestoreArray(Y, &y));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Decreasing real part (or modulus); ties: imaginary part decreasing. */
static int MrCmpReal(const void *pa, const void *pb)
{
  const double *a = (const double *)pa, *b = (const double *)pb;
  if (a[0] != b[0]) return a[0] < b[0] ? 1 : -1;
  if (a[1] != b[1]) return a[1] < b[1] ? 1 : -1;
  return 0;
}
static int MrCmpModulus(const void *pa, const void *pb)
{
  const double *a = (const double *)pa, *b = (const double *)pb;
  const double  ma = hypot(a[0], a[1]), mb = hypot(b[0], b[1]);
  if (ma != mb) return ma < mb ? 1 : -1;
  return MrCmpReal(pa, pb);
}

PetscErrorCode MrSpectrumOutliers(MrNetwork net, const PetscReal x[], PetscInt k, MrOutliersWhich which, MrSpectrum *sp)
{
  MrSpectrum     s;
  MrOutliersCtx  c;
  Mat            A;
  EPS            eps;
  PetscInt       nconv, ntot = 0;
  PetscLogDouble t0, t1;
  PetscReal     *pairs;

  PetscFunctionBegin;
  PetscCheck(net->nt == 1, net->comm, PETSC_ERR_ARG_WRONG, "outliers need a network with one trial");
  PetscCall(PetscNew(&s));
  s->comm     = net->comm;
  s->method   = MR_SPECTRUM_SLEPC;
  s->jacobian = x ? PETSC_TRUE : PETSC_FALSE;
  s->which    = which;
  s->nwant    = k;
  for (PetscInt r = 0; r < net->model->R; r++) ntot += net->model->N[r];
  s->ntot = ntot;
  PetscCheck(k >= 1 && k < ntot, net->comm, PETSC_ERR_ARG_OUTOFRANGE, "-outliers %" PetscInt_FMT " must be between 1 and n - 1 = %" PetscInt_FMT, k, ntot - 1);
  PetscCall(PetscMemzero(&c, sizeof(c)));
  c.net = net;
  if (x) {
    PetscBool tanh_;
    PetscCall(PetscStrcmp(net->model->phi, "tanh", &tanh_));
    PetscCall(PetscMalloc2(net->nx + 1, &c.dphi, net->nx + 1, &c.u));
    for (PetscInt i = 0; i < net->nx; i++) {
      const PetscReal th = tanh_ ? tanh(x[i]) : 0;
      c.dphi[i]          = tanh_ ? 1 - th * th : exp(-0.25 * M_PI * x[i] * x[i]);
    }
  }
  {
    PetscBool up;
    PetscCall(SlepcInitialized(&up));
    if (!up) PetscCall(SlepcInitialize(NULL, NULL, NULL, NULL)); /* on the running PETSc: registers SLEPc's classes */
  }
  PetscCall(MatCreateShell(net->comm, net->nx, net->nx, ntot, ntot, &c, &A));
  PetscCall(MatShellSetOperation(A, MATOP_MULT, (void (*)(void))MrOutliersMult));
  PetscCall(EPSCreate(net->comm, &eps));
  PetscCall(EPSSetOperators(eps, A, NULL));
  PetscCall(EPSSetProblemType(eps, EPS_NHEP));
  PetscCall(EPSSetType(eps, EPSKRYLOVSCHUR));
  PetscCall(EPSSetWhichEigenpairs(eps, which == MR_OUTLIERS_REAL ? EPS_LARGEST_REAL : EPS_LARGEST_MAGNITUDE));
  PetscCall(EPSSetDimensions(eps, k, PETSC_DEFAULT, PETSC_DEFAULT));
  PetscCall(EPSSetTolerances(eps, 1e-12, PETSC_DEFAULT));
  PetscCall(EPSSetFromOptions(eps));
  PetscCall(PetscTime(&t0));
  PetscCall(EPSSolve(eps));
  PetscCall(PetscTime(&t1));
  s->wall = t1 - t0;
  PetscCallMPI(MPI_Bcast(&s->wall, 1, MPIU_REAL, 0, net->comm)); /* attributes must be identical on every rank */
  PetscCall(EPSGetConverged(eps, &nconv));
  PetscCall(EPSGetIterationNumber(eps, &s->its));
  s->n = PetscMin(nconv, k);
  PetscCall(PetscMalloc1(3 * s->n + 1, &pairs));
  for (PetscInt i = 0; i < s->n; i++) {
    PetscScalar kr, ki;
    PetscReal   err;
    PetscCall(EPSGetEigenvalue(eps, i, &kr, &ki));
    PetscCall(EPSComputeError(eps, i, EPS_ERROR_RELATIVE, &err));
    pairs[3 * i]     = PetscRealPart(kr);
    pairs[3 * i + 1] = PetscRealPart(ki);
    pairs[3 * i + 2] = err;
  }
  /* sort (eigenvalue, residual) triples by the criterion */
  qsort(pairs, (size_t)s->n, 3 * sizeof(double), which == MR_OUTLIERS_REAL ? MrCmpReal : MrCmpModulus);
  PetscCall(PetscMalloc2(2 * s->n + 1, &s->eig, s->n + 1, &s->res));
  for (PetscInt i = 0; i < s->n; i++) {
    s->eig[2 * i]     = pairs[3 * i];
    s->eig[2 * i + 1] = pairs[3 * i + 1];
    s->res[i]         = pairs[3 * i + 2];
  }
  PetscCall(PetscFree(pairs));
  /* the spectral radius only when the largest moduli were asked for */
  s->radius = which == MR_OUTLIERS_MODULUS && s->n ? hypot(s->eig[0], s->eig[1]) : NAN;
  PetscCall(EPSDestroy(&eps));
  PetscCall(MatDestroy(&A));
  if (x) PetscCall(PetscFree2(c.dphi, c.u));
  PetscCall(MrSpectrumTheory(s, net->model));
  *sp = s;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSpectrumOutliersDefault(MrNetwork net, MrSpectrum *sp)
{
  MrModel    m = net->model;
  PetscInt   nthat, nout = 0, ntot = 0;
  PetscReal *twr, *twi, gmax       = 0;

  PetscFunctionBegin;
  for (PetscInt r = 0; r < m->R; r++) {
    gmax = PetscMax(gmax, m->g[r]);
    ntot += m->N[r];
  }
  PetscCall(MrModelThatEigenvalues(m, &nthat, &twr, &twi));
  for (PetscInt k = 0; k < nthat; k++)
    if (hypot(twr[k], twi[k]) > gmax) nout++;
  PetscCall(PetscFree2(twr, twi));
  /* only the predicted outliers: they converge in a few restarts, while an
     eigenvalue at the bulk edge (a dense cluster) takes thousands (measured at
     n = 60,000: 2 outliers 0.2 s, one bulk eigenvalue more 40 s) */
  PetscCall(MrSpectrumOutliers(net, NULL, PetscMin(PetscMax(nout, 1), ntot - 1), MR_OUTLIERS_MODULUS, sp));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOutliersClaimOptions(MPI_Comm comm)
{
  PetscInt                 n;
  char                   **names, **values;
  static const char *const prefixes[] = {"eps_", "st_", "bv_", "ds_", "rg_", "ksp_", "pc_"};

  PetscFunctionBegin;
  PetscCall(PetscOptionsLeftGet(NULL, &n, &names, &values));
  for (PetscInt i = 0; i < n; i++) {
    for (size_t p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++) {
      PetscBool match, set;
      char      name[256];
      PetscCall(PetscStrncmp(names[i], prefixes[p], strlen(prefixes[p]), &match));
      if (!match) continue;
      PetscCall(PetscSNPrintf(name, sizeof(name), "-%s", names[i]));
      PetscCall(PetscOptionsHasName(NULL, NULL, name, &set)); /* a query marks it used */
    }
  }
  PetscCall(PetscOptionsLeftRestore(NULL, &n, &names, &values));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* x of the owned rows from /state/x of `path`: (n, trials) in a checkpoint or a
   run file (trial 0), (1, n) in a lyapunov output. Rank 0 reads. Collective. */
static PetscErrorCode MrOutliersReadState(MrNetwork net, const char path[], PetscReal x[])
{
  MrLayout    L = net->layout;
  MrModel     m = net->model;
  PetscMPIInt rank;
  PetscInt    ntot = 0, T = 1, *off;
  char        msg[1024] = "";
  double     *all       = NULL, *full;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(m->R + 1, &off));
  for (PetscInt r = 0; r < m->R; r++) {
    off[r] = ntot;
    ntot += m->N[r];
  }
  PetscCall(PetscMalloc1(ntot, &full));
  PetscCallMPI(MPI_Comm_rank(net->comm, &rank));
  if (rank == 0) {
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "-jacobian '%s' is missing or not an HDF5 file", path));
    else {
      int     nd      = 0;
      hsize_t dims[4] = {0, 0, 0, 0};
      char    why[512];
      PetscCall(MrH5ReadDataset(f, "/state/x", H5T_NATIVE_DOUBLE, &nd, dims, (void **)&all, why, sizeof(why)));
      if (why[0])
        PetscCall(PetscSNPrintf(msg, sizeof(msg), "-jacobian '%s': %s (the state at the end of a run: a simulate output or checkpoint, or a lyapunov output)", path, why));
      else if (nd == 2 && dims[0] == 1 && dims[1] == (hsize_t)ntot)
        T = 1; /* lyapunov: one row */
      else if (nd == 2 && dims[0] == (hsize_t)ntot && dims[1] >= 1)
        T = (PetscInt)dims[1];
      else
        PetscCall(
            PetscSNPrintf(msg, sizeof(msg), "-jacobian '%s': /state/x has shape (%llu, %llu), not (%" PetscInt_FMT ", trials) or (1, %" PetscInt_FMT ") of this model", path, (unsigned long long)dims[0], (unsigned long long)dims[1], ntot, ntot));
      if (!msg[0])
        for (PetscInt i = 0; i < ntot; i++) full[i] = all[(size_t)i * T];
      free(all);
      H5Fclose(f);
    }
  }
  PetscCall(MrShareStatus(net->comm, (PetscBool)!msg[0], msg));
  PetscCallMPI(MPI_Bcast(full, (PetscMPIInt)ntot, MPIU_REAL, 0, net->comm));
  for (PetscInt k = 0; k < L->nslices; k++) {
    const MrSlice *sl = &L->slice[k];
    for (PetscInt i = sl->rstart; i < sl->rend; i++) x[net->xoff[k] + i - sl->rstart] = full[off[sl->region] + i];
  }
  PetscCall(PetscFree(full));
  PetscCall(PetscFree(off));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSpectrumOutliersRealise(MPI_Comm comm, MrModel m, const MrRealisation *re, PetscInt k, MrOutliersWhich which, const char state[], MrSpectrum *sp)
{
  MrLayout   L;
  MrNetwork  net;
  PetscReal *cost, *x = NULL;
  PetscInt   ncv = PetscMax(2 * k, k + 15);

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(m->R, &cost));
  for (PetscInt r = 0; r < m->R; r++) {
    const PetscReal N = (PetscReal)m->N[r];
    cost[r]           = N * (m->outOff[r + 1] - m->outOff[r] + m->inOff[r + 1] - m->inOff[r] + 1) + (m->g[r] > 0 ? (re->dtype == MR_DISORDER_DENSE ? N * N * (re->prec == MR_PRECISION_SINGLE ? 0.5 : 1.0) : N * re->K) : 0);
  }
  /* the same layout as lyapunov (and simulate without -partition) */
  PetscCall(MrLayoutCreate(comm, m, cost, 0, &L));
  PetscCall(PetscFree(cost));
  {
    PetscReal   mine = 0, node, phys;
    PetscMPIInt nlocal;
    for (PetscInt s = 0; s < L->nslices; s++) {
      const MrSlice  *sl   = &L->slice[s];
      const PetscReal rows = (PetscReal)(sl->rend - sl->rstart), D = (PetscReal)(m->outOff[sl->region + 1] - m->outOff[sl->region] + m->inOff[sl->region + 1] - m->inOff[sl->region] + 1);
      mine += rows * (m->g[sl->region] > 0 ? (re->dtype == MR_DISORDER_DENSE ? 8.0 * ceil(sl->N / 8.0) * 8 * (re->prec == MR_PRECISION_SINGLE ? 0.5 : 1) : re->K * 16.0) : 0); /* J */
      mine += rows * 8.0 * (D + ncv + 8) + 8.0 * sl->N;                                                                                                                        /* vectors, the Krylov basis, work, a gathered region */
    }
    PetscCall(MrLayoutNodeMemory(L, mine, &node, &phys, &nlocal));
    MrCheckInput(comm, node < 0.9 * phys, "spectrum -outliers: the network and a Krylov basis of %" PetscInt_FMT " vectors need %.3g GB on one node but it has %.3g GB", ncv, node / 1e9, phys / 1e9);
  }
  PetscCall(MrNetworkCreate(m, L, re->seed, re->dtype, re->prec, re->K, 1, &net));
  if (state && state[0]) {
    PetscCall(PetscMalloc1(net->nx + 1, &x));
    PetscCall(MrOutliersReadState(net, state, x));
  }
  PetscCall(MrSpectrumOutliers(net, x, k, which, sp));
  PetscCall(PetscFree(x));
  PetscCall(MrNetworkDestroy(&net));
  PetscCall(MrLayoutDestroy(&L));
  PetscFunctionReturn(PETSC_SUCCESS);
}
