#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
/* A BLACS grid over the run's communicator, and block-cyclic descriptors. */
#include "scalapack.h"
#include <mrdyn/layout.h>
#include <math.h>
#include <sched.h>

void MrBlacsGridShape(int P, int *nprow, int *npcol)
{
  int r = (int)floor(sqrt((double)P) + 1e-9);
  while (r > 1 && P % r) r--; /* the largest divisor <= sqrt(P): as square as P allows */
  *nprow = r;
  *npcol = P / r;
}

PetscErrorCode MrBlacsGridCreate(MPI_Comm comm, MrBlacsGrid *g)
{
  PetscMPIInt size;
  int         nprow, npcol;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(g, sizeof(*g)));
  g->comm = comm;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  MrBlacsGridShape(size, &nprow, &npcol);
  /* the grid lives on this communicator, never on MPI_COMM_WORLD */
  g->handle = Csys2blacs_handle(comm);
  g->ctxt   = g->handle;
  Cblacs_gridinit(&g->ctxt, "Row", nprow, npcol);
  Cblacs_gridinfo(g->ctxt, &g->nprow, &g->npcol, &g->myrow, &g->mycol);
  PetscCheck(g->nprow == nprow && g->npcol == npcol && g->myrow >= 0 && g->mycol >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "BLACS Cblacs_gridinit failed: got a %d x %d grid (position %d, %d) instead of %d x %d", g->nprow, g->npcol, g->myrow, g->mycol,
             nprow, npcol);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrBlacsGridDestroy(MrBlacsGrid *g)
{
  PetscFunctionBegin;
  if (g->nprow > 0) Cblacs_gridexit(g->ctxt);
  if (g->nprow > 0) Cfree_blacs_system_handle(g->handle);
  PetscCall(PetscMemzero(g, sizeof(*g)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrBlacsDescriptor(const MrBlacsGrid *g, int m, int n, int nb, int desc[9], int *mloc, int *nloc)
{
  int zero = 0, info, lld;

  PetscFunctionBegin;
  *mloc = numroc_(&m, &nb, &g->myrow, &zero, &g->nprow);
  *nloc = numroc_(&n, &nb, &g->mycol, &zero, &g->npcol);
  lld   = PetscMax(1, *mloc);
  descinit_(desc, &m, &n, &nb, &nb, &zero, &zero, &g->ctxt, &lld, &info);
  PetscCallScaLAPACK("descinit", info);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrAnalysisNodeMemory(MPI_Comm comm, PetscReal mine, PetscReal *node, PetscReal *phys)
{
  MrModel     one; /* the node query needs only the communicator: a layout of one neuron */
  MrLayout    L;
  PetscReal   cost = 1;
  PetscMPIInt nlocal;

  PetscFunctionBegin;
  PetscCall(MrModelCreate(comm, &one));
  one->R = 1;
  PetscCall(PetscMalloc2(1, &one->N, 1, &one->g)); /* as MrModelDestroy frees them */
  one->N[0] = 1;
  one->g[0] = 0;
  PetscCall(MrLayoutCreate(comm, one, &cost, 1, &L));
  PetscCall(MrLayoutNodeMemory(L, mine, node, phys, &nlocal));
  PetscCall(MrLayoutDestroy(&L));
  PetscCall(MrModelDestroy(&one));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrAnalysisNodeRanks(MPI_Comm comm, PetscMPIInt *nrank0, PetscMPIInt *ncpu0, void *cpus0)
{
  MPI_Comm    shm;
  PetscMPIInt rank, n[2];
  cpu_set_t   mine, all;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &shm));
  PetscCallMPI(MPI_Comm_size(shm, &n[0]));
  /* the cores the node's ranks may run on (mpiexec binds each of 1 or 2 ranks to one core) */
  CPU_ZERO(&mine);
  PetscCheck(sched_getaffinity(0, sizeof(mine), &mine) == 0, PETSC_COMM_SELF, PETSC_ERR_SYS, "sched_getaffinity failed");
  PetscCallMPI(MPI_Reduce(&mine, &all, (PetscMPIInt)sizeof(all), MPI_BYTE, MPI_BOR, 0, shm));
  PetscCallMPI(MPI_Comm_free(&shm));
  n[1] = rank == 0 ? CPU_COUNT(&all) : 0;
  PetscCallMPI(MPI_Bcast(n, 2, MPI_INT, 0, comm)); /* key = rank: rank 0 is its node's first */
  *nrank0 = n[0];
  if (ncpu0) *ncpu0 = n[1];
  if (cpus0 && rank == 0) *(cpu_set_t *)cpus0 = all;
  PetscFunctionReturn(PETSC_SUCCESS);
}
