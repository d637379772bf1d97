/* Assignment of whole regions to ranks (P < R) by partitioning the region graph. */
#include "layout_impl.h"
#include <petscmat.h>

const char *const MrPartitionTypes[] = {"contiguous", "roundrobin", "ptscotch", "MrPartitionType", "MR_PARTITION_", NULL};

/* Rows [r0, r1) of the undirected region graph: neighbours sorted, weight = channels
   between the two regions in either direction, no self loops. */
static PetscErrorCode MrRegionGraphRows(MrModel m, PetscInt r0, PetscInt r1, PetscInt **ia, PetscInt **ja, PetscInt **wa)
{
  PetscInt n = 0, *cnt, *mark;
  PetscInt R = m->R;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(r1 - r0 + 1, ia));
  PetscCall(PetscCalloc2(R, &cnt, R, &mark));
  for (PetscInt pass = 0; pass < 2; pass++) {
    n = 0;
    for (PetscInt r = r0; r < r1; r++) {
      PetscInt nb = 0, *list = pass ? *ja + (*ia)[r - r0] : NULL;
      if (!pass) (*ia)[r - r0] = n;
      /* channels out of r (to their targets) and into r (from their sources) */
      for (int dir = 0; dir < 2; dir++) {
        const PetscInt *off = dir ? m->inOff : m->outOff, *ch = dir ? m->inCh : m->outCh;
        for (PetscInt i = off[r]; i < off[r + 1]; i++) {
          PetscInt c = ch[i], s = dir ? m->source[c] : m->target[c];
          if (s == r) continue;
          if (mark[s] != r + 1) {
            mark[s] = r + 1;
            cnt[s]  = 0;
            if (pass) list[nb] = s;
            nb++;
          }
          cnt[s]++;
        }
      }
      if (pass) {
        PetscCall(PetscSortInt(nb, list));
        for (PetscInt k = 0; k < nb; k++) (*wa)[(*ia)[r - r0] + k] = cnt[list[k]];
      }
      for (PetscInt i = m->outOff[r]; i < m->outOff[r + 1]; i++) mark[m->target[m->outCh[i]]] = 0;
      for (PetscInt i = m->inOff[r]; i < m->inOff[r + 1]; i++) mark[m->source[m->inCh[i]]] = 0;
      n += nb;
    }
    if (!pass) {
      (*ia)[r1 - r0] = n;
      PetscCall(PetscMalloc1(n + 1, ja));
      PetscCall(PetscMalloc1(n + 1, wa));
    }
  }
  PetscCall(PetscFree2(cnt, mark));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrLayoutPartitionRegions(MPI_Comm comm, MrModel m, const PetscReal cost[], MrPartitionType type, PetscMPIInt owner[])
{
  PetscMPIInt     rank, P;
  PetscInt        R    = m->R, r0, r1, *ia, *ja, *wa, *vw;
  PetscReal       cmax = 0;
  Mat             adj;
  MatPartitioning part;
  IS              is, all;
  const PetscInt *o;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &P));
  if (type == MR_PARTITION_ROUNDROBIN) {
    for (PetscInt r = 0; r < R; r++) owner[r] = (PetscMPIInt)(r % P);
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCheck(type == MR_PARTITION_PTSCOTCH, comm, PETSC_ERR_ARG_OUTOFRANGE, "unknown partition type");
  /* each rank describes a contiguous share of the regions; the model is replicated */
  r0 = (PetscInt)((PetscInt64)R * rank / P);
  r1 = (PetscInt)((PetscInt64)R * (rank + 1) / P);
  PetscCall(MrRegionGraphRows(m, r0, r1, &ia, &ja, &wa));
  for (PetscInt r = 0; r < R; r++) cmax = PetscMax(cmax, cost[r]);
  PetscCall(PetscMalloc1(r1 - r0 + 1, &vw));
  for (PetscInt r = r0; r < r1; r++) vw[r - r0] = 1 + (PetscInt)(1000.0 * cost[r] / (cmax > 0 ? cmax : 1)); /* Scotch wants integer weights */
  PetscCall(MatCreateMPIAdj(comm, r1 - r0, R, ia, ja, wa, &adj));                                           /* takes ia, ja, wa */
  PetscCall(MatPartitioningCreate(comm, &part));
  PetscCall(MatPartitioningSetAdjacency(part, adj));
  PetscCall(MatPartitioningSetType(part, MATPARTITIONINGPTSCOTCH));
  PetscCall(MatPartitioningSetNParts(part, P));
  PetscCall(MatPartitioningSetVertexWeights(part, vw)); /* takes vw */
  MrSetFromOptions(comm, MatPartitioningSetFromOptions(part));
  PetscCall(MatPartitioningApply(part, &is));
  PetscCall(ISAllGather(is, &all));
  PetscCall(ISGetIndices(all, &o));
  for (PetscInt r = 0; r < R; r++) owner[r] = (PetscMPIInt)o[r];
  PetscCall(ISRestoreIndices(all, &o));
  PetscCall(ISDestroy(&all));
  PetscCall(ISDestroy(&is));
  PetscCall(MatPartitioningDestroy(&part));
  PetscCall(MatDestroy(&adj));
  /* a rank left without regions would idle; PT-Scotch avoids it, check anyway */
  {
    PetscInt *has;
    PetscCall(PetscCalloc1(P, &has));
    for (PetscInt r = 0; r < R; r++) has[owner[r]] = 1;
    for (PetscMPIInt p = 0; p < P; p++)
      if (!has[p]) PetscCall(PetscInfo(NULL, "partition leaves rank %d without regions\n", p));
    PetscCall(PetscFree(has));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}
