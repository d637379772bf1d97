/* A BLACS grid over the run's communicator, and block-cyclic descriptors. */
#include "scalapack.h"
#include <mrdyn/layout.h>
#include <math.h>

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

PetscErrorCode MrAnalysisNodeRanks(MPI_Comm comm, PetscMPIInt *nrank0)
{
  MrModel   one;
  MrLayout  L;
  PetscReal cost = 1, node, phys;

  PetscFunctionBegin;
  PetscCall(MrModelCreate(comm, &one));
  one->R = 1;
  PetscCall(PetscMalloc2(1, &one->N, 1, &one->g));
  one->N[0] = 1;
  one->g[0] = 0;
  PetscCall(MrLayoutCreate(comm, one, &cost, 1, &L));
  PetscCall(MrLayoutNodeMemory(L, 0, &node, &phys, nrank0));
  PetscCall(MrLayoutDestroy(&L));
  PetscCall(MrModelDestroy(&one));
  PetscCallMPI(MPI_Bcast(nrank0, 1, MPI_INT, 0, comm));
  PetscFunctionReturn(PETSC_SUCCESS);
}
