/* Benchmark (not a test): the dense network step against this machine's memory
   bandwidth, measured in the same run.

   1. STREAM-style triad a = b + s c on every rank at once (best of 10, counted
      as 24 bytes per entry like STREAM): the aggregate bandwidth B of P ranks,
      measured right before and right after each configuration (this machine's
      bandwidth drifts), the larger of the two is the bound.
   2. For each N: a paper model with R regions of N neurons, g = 1.5, realised
      over the P ranks; time per step (right-hand side + Euler update), best and
      mean of reps; the bytes of J streamed per step / best time, divided by B.

   3. With -trials 1,8,32: the same step for K trajectories at once (J streamed
      once for all), and the per-trial throughput relative to K = 1.

   usage: mpiexec -n P build/bench/bench_step [-R 4] [-sizes 4000,8000,12000] [-reps 10] [-precisions double,single] [-trials 1,8,32] */
#include <mrdyn/mrdyn.h>
#include "network/network_impl.h"
#include <petscts.h>

static PetscErrorCode Triad(MPI_Comm comm, PetscInt n, PetscInt reps, PetscReal *bw)
{
  double        *a, *b, *c, best = 1e30;
  PetscLogDouble t0, t1;

  PetscFunctionBegin;
  PetscCall(PetscMalloc3(n, &a, n, &b, n, &c));
  for (PetscInt i = 0; i < n; i++) {
    a[i] = 0;
    b[i] = 1.0 + 1e-9 * i;
    c[i] = 2.0;
  }
  for (PetscInt k = 0; k < reps; k++) {
    double dt;
    PetscCallMPI(MPI_Barrier(comm));
    PetscCall(PetscTime(&t0));
    for (PetscInt i = 0; i < n; i++) a[i] = b[i] + 3.0 * c[i];
    PetscCall(PetscTime(&t1));
    dt = t1 - t0;
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &dt, 1, MPI_DOUBLE, MPI_MAX, comm));
    best = PetscMin(best, dt);
    c[k % n] += a[(k * 7) % n]; /* keep the loop live */
  }
  {
    PetscMPIInt P;
    PetscCallMPI(MPI_Comm_size(comm, &P));
    *bw = 3.0 * sizeof(double) * (double)n * P / best;
  }
  PetscCall(PetscFree3(a, b, c));
  PetscFunctionReturn(PETSC_SUCCESS);
}

typedef struct {
  MrModel   m;
  MrLayout  L;
  MrNetwork net;
  Vec       X, F;
} Case;

/* The paper model (R regions of N, g = 1.5, make_T(2, 1.5)) realised over comm with T trials. */
static PetscErrorCode CaseCreate(MPI_Comm comm, PetscInt R, PetscInt N, MrPrecision prec, PetscInt T, Case *c)
{
  char       Rs[32], Ns[32];
  PetscReal *cost, *S0, *v0;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(Rs, sizeof(Rs), "%" PetscInt_FMT, R));
  PetscCall(PetscSNPrintf(Ns, sizeof(Ns), "%" PetscInt_FMT, N));
  PetscCall(PetscOptionsSetValue(NULL, "-R", Rs));
  PetscCall(PetscOptionsSetValue(NULL, "-N", Ns));
  PetscCall(PetscOptionsSetValue(NULL, "-g", "1.5"));
  PetscCall(PetscOptionsSetValue(NULL, "-a", "2.0"));
  PetscCall(PetscOptionsSetValue(NULL, "-b", "1.5"));
  PetscCall(MrModelGenerate(comm, "paper", &c->m));
  PetscCall(PetscMalloc3(R, &cost, c->m->C * T, &S0, R, &v0));
  for (PetscInt r = 0; r < R; r++) {
    cost[r] = (PetscReal)N * N;
    v0[r]   = 1.0;
  }
  for (PetscInt i = 0; i < c->m->C * T; i++) S0[i] = 0.5;
  PetscCall(MrLayoutCreate(comm, c->m, cost, 0, &c->L));
  PetscCall(MrNetworkCreate(c->m, c->L, 1, MR_DISORDER_DENSE, prec, 0, T, &c->net));
  PetscCall(VecCreateMPI(comm, c->net->nloc, PETSC_DETERMINE, &c->X));
  PetscCall(VecDuplicate(c->X, &c->F));
  PetscCall(MrNetworkInitialState(c->net, 5, S0, v0, c->X));
  PetscCall(PetscFree3(cost, S0, v0));
  PetscCall(MrNetworkRHS(NULL, 0.0, c->X, c->F, c->net)); /* warm-up */
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode CaseDestroy(Case *c)
{
  PetscFunctionBegin;
  PetscCall(VecDestroy(&c->X));
  PetscCall(VecDestroy(&c->F));
  PetscCall(MrNetworkDestroy(&c->net));
  PetscCall(MrLayoutDestroy(&c->L));
  PetscCall(MrModelDestroy(&c->m));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Best and mean time of one step (right-hand side + Euler update, as TS does), over reps. */
static PetscErrorCode CaseTime(MPI_Comm comm, Case *c, PetscInt reps, PetscReal *best, PetscReal *mean)
{
  PetscFunctionBegin;
  *best = 1e30;
  *mean = 0;
  for (PetscInt k = 0; k < reps; k++) {
    PetscLogDouble t0, t1;
    double         dt;
    PetscCallMPI(MPI_Barrier(comm));
    PetscCall(PetscTime(&t0));
    PetscCall(MrNetworkRHS(NULL, 0.0, c->X, c->F, c->net));
    PetscCall(VecAXPY(c->X, 0.05, c->F));
    PetscCall(PetscTime(&t1));
    dt = t1 - t0;
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &dt, 1, MPI_DOUBLE, MPI_MAX, comm));
    *best = PetscMin(*best, dt);
    *mean += dt / reps;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  MPI_Comm    comm;
  PetscInt    R = 4, sizes[16] = {4000, 8000, 12000}, nsizes = 3, reps = 10, nprec = 2, triadN = 1 << 25, trials[8] = {1}, ntrials = 0;
  char       *precs[2] = {NULL, NULL};
  PetscReal   bw       = 0;
  PetscMPIInt P;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  comm = PETSC_COMM_WORLD;
  PetscCallMPI(MPI_Comm_size(comm, &P));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-R", &R, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-reps", &reps, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-triad_n", &triadN, NULL));
  PetscCall(PetscOptionsGetIntArray(NULL, NULL, "-sizes", sizes, &nsizes, NULL));
  ntrials = 8;
  PetscCall(PetscOptionsGetIntArray(NULL, NULL, "-trials", trials, &ntrials, NULL));
  PetscCall(PetscOptionsGetStringArray(NULL, NULL, "-precisions", precs, &nprec, NULL));
  if (!precs[0]) {
    PetscCall(PetscStrallocpy("double", &precs[0]));
    PetscCall(PetscStrallocpy("single", &precs[1]));
    nprec = 2;
  }
  PetscCall(PetscPrintf(comm, "mrdyn bench_step: %d ranks; triad arrays of %" PetscInt_FMT " doubles per rank\n", P, triadN));
  PetscCall(PetscPrintf(comm, "%6s %6s %9s %12s %12s %12s %12s %12s\n", "R", "N", "precision", "best ms", "mean ms", "triad GB/s", "J GB/s", "ratio"));
  for (PetscInt is = 0; is < nsizes; is++) {
    for (PetscInt ip = 0; ip < nprec; ip++) {
      Case      c;
      PetscBool single;
      PetscReal best, mean, Jbytes = 0, bw2;
      PetscCall(PetscStrcmp(precs[ip], "single", &single));
      PetscCall(CaseCreate(comm, R, sizes[is], single ? MR_PRECISION_SINGLE : MR_PRECISION_DOUBLE, 1, &c));
      for (PetscInt k = 0; k < c.L->nslices; k++) Jbytes += (PetscReal)(c.L->slice[k].rend - c.L->slice[k].rstart) * c.m->N[c.L->slice[k].region] * (single ? 4 : 8);
      PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &Jbytes, 1, MPIU_REAL, MPI_SUM, comm));
      PetscCall(Triad(comm, triadN, 10, &bw));
      PetscCall(CaseTime(comm, &c, reps, &best, &mean));
      PetscCall(Triad(comm, triadN, 10, &bw2));
      bw = PetscMax(bw, bw2);
      PetscCall(PetscPrintf(comm, "%6" PetscInt_FMT " %6" PetscInt_FMT " %9s %12.2f %12.2f %12.2f %12.2f %12.3f\n", R, sizes[is], precs[ip], 1e3 * best, 1e3 * mean, bw / 1e9, Jbytes / best / 1e9, Jbytes / best / bw));
      PetscCall(CaseDestroy(&c));
    }
  }
  if (ntrials > 0) PetscCall(PetscPrintf(comm, "trials: %9s %6s %6s %12s %14s %14s\n", "precision", "N", "K", "ms/step", "ms/trial-step", "per-trial x"));
  for (PetscInt ip = 0; ip < nprec && ntrials > 0; ip++) {
    PetscBool single;
    PetscCall(PetscStrcmp(precs[ip], "single", &single));
    for (PetscInt is = 0; is < nsizes; is++) {
      PetscReal base = 0;
      for (PetscInt it = 0; it < ntrials; it++) {
        Case      c;
        PetscReal best, mean;
        PetscInt  T = trials[it];
        PetscCall(CaseCreate(comm, R, sizes[is], single ? MR_PRECISION_SINGLE : MR_PRECISION_DOUBLE, T, &c));
        PetscCall(CaseTime(comm, &c, reps, &best, &mean));
        if (it == 0) base = best / T;
        PetscCall(PetscPrintf(comm, "        %9s %6" PetscInt_FMT " %6" PetscInt_FMT " %12.2f %14.3f %14.2f\n", precs[ip], sizes[is], T, 1e3 * best, 1e3 * best / T, base / (best / T)));
        PetscCall(CaseDestroy(&c));
      }
    }
  }
  for (PetscInt ip = 0; ip < 2; ip++) PetscCall(PetscFree(precs[ip]));
  PetscCall(PetscFinalize());
  return 0;
}
