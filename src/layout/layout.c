/* Region layout over ranks: groups for P >= R, whole regions per rank for P < R. */
#include <mrdyn/layout.h>
#include <mrdyn/error.h>
#include <petscviewer.h>
#include <unistd.h>
#include "layout_impl.h"

PetscErrorCode MrLayoutRows(MrLayout L, PetscInt r, PetscInt N, PetscMPIInt k, PetscInt *rstart, PetscInt *rend)
{
  PetscInt nb = (N + MR_ROW_BLOCK - 1) / MR_ROW_BLOCK, g = L->nranks[r];
  PetscInt b0 = (PetscInt)(((PetscInt64)k * nb) / g), b1 = (PetscInt)(((PetscInt64)(k + 1) * nb) / g);

  PetscFunctionBegin;
  *rstart = PetscMin(b0 * MR_ROW_BLOCK, N);
  *rend   = PetscMin(b1 * MR_ROW_BLOCK, N);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscInt MrLayoutFindSlice(MrLayout L, PetscInt r)
{
  for (PetscInt k = 0; k < L->nslices; k++)
    if (L->slice[k].region == r) return k;
  return -1;
}

PetscErrorCode MrLayoutCreate(MPI_Comm comm, MrModel model, const PetscReal cost[], PetscInt maxPerRegion, MrLayout *layout)
{
  PetscFunctionBegin;
  PetscCall(MrLayoutCreatePartitioned(comm, model, cost, maxPerRegion, MR_PARTITION_CONTIGUOUS, layout));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscInt MrLayoutEdgeCut(MrLayout L, MrModel m)
{
  PetscInt cut = 0;
  for (PetscInt c = 0; c < m->C; c++)
    if (m->target[c] != m->source[c] && (L->grouped || L->first[m->target[c]] != L->first[m->source[c]])) cut++;
  return cut;
}

PetscErrorCode MrLayoutCreatePartitioned(MPI_Comm comm, MrModel model, const PetscReal cost[], PetscInt maxPerRegion, MrPartitionType type, MrLayout *layout)
{
  MrLayout    L;
  PetscInt    R = model->R;
  PetscMPIInt P;
  int         color;

  PetscFunctionBegin;
  PetscCall(PetscNew(&L));
  L->comm = comm;
  L->R    = R;
  PetscCallMPI(MPI_Comm_rank(comm, &L->rank));
  PetscCallMPI(MPI_Comm_size(comm, &P));
  L->size = P;
  PetscCall(PetscMalloc3(R, &L->first, R, &L->nranks, R, &L->cost));
  PetscCall(PetscArraycpy(L->cost, cost, R));
  L->grouped = (PetscBool)(P >= R);
  if (L->grouped) {
    /* every region one rank, then each further rank to the region with the largest
       cost per rank (but never more ranks than row blocks) */
    PetscInt used = R;
    for (PetscInt r = 0; r < R; r++) L->nranks[r] = 1;
    while (used < P) {
      PetscInt best = -1;
      for (PetscInt r = 0; r < R; r++) {
        PetscInt nb = (model->N[r] + MR_ROW_BLOCK - 1) / MR_ROW_BLOCK;
        if (L->nranks[r] >= nb || (maxPerRegion > 0 && L->nranks[r] >= maxPerRegion)) continue;
        if (best < 0 || cost[r] / L->nranks[r] > cost[best] / L->nranks[best]) best = r;
      }
      if (best < 0) break; /* remaining ranks idle */
      L->nranks[best]++;
      used++;
    }
    for (PetscInt r = 0, f = 0; r < R; r++) {
      L->first[r] = (PetscMPIInt)f;
      f += L->nranks[r];
    }
  } else if (type != MR_PARTITION_CONTIGUOUS) {
    PetscMPIInt *owner;
    PetscCall(PetscMalloc1(R, &owner));
    PetscCall(MrLayoutPartitionRegions(comm, model, cost, type, owner));
    for (PetscInt r = 0; r < R; r++) {
      L->first[r]  = owner[r];
      L->nranks[r] = 1;
    }
    PetscCall(PetscFree(owner));
  } else {
    /* contiguous regions per rank, cut at equal shares of the prefix cost */
    PetscReal total = 0, prefix = 0;
    for (PetscInt r = 0; r < R; r++) total += cost[r];
    for (PetscInt r = 0; r < R; r++) {
      PetscReal   mid = prefix + 0.5 * cost[r];
      PetscMPIInt p   = total > 0 ? (PetscMPIInt)(mid / total * P) : (PetscMPIInt)((PetscInt64)r * P / R);
      L->first[r]     = PetscMin(p, P - 1);
      L->nranks[r]    = 1;
      prefix += cost[r];
    }
  }
  /* this rank's slices */
  L->nslices = 0;
  for (PetscInt r = 0; r < R; r++)
    if (L->rank >= L->first[r] && L->rank < L->first[r] + L->nranks[r]) L->nslices++;
  PetscCall(PetscCalloc1(L->nslices + 1, &L->slice));
  color = MPI_UNDEFINED;
  for (PetscInt r = 0, k = 0; r < R; r++) {
    if (!(L->rank >= L->first[r] && L->rank < L->first[r] + L->nranks[r])) continue;
    MrSlice *sl = &L->slice[k++];
    sl->region  = r;
    sl->N       = model->N[r];
    sl->grank   = L->rank - L->first[r];
    sl->gsize   = L->nranks[r];
    sl->nblocks = (sl->N + MR_ROW_BLOCK - 1) / MR_ROW_BLOCK;
    PetscCall(MrLayoutRows(L, r, sl->N, sl->grank, &sl->rstart, &sl->rend));
    sl->bstart = sl->rstart / MR_ROW_BLOCK;
    sl->bend   = (sl->rend + MR_ROW_BLOCK - 1) / MR_ROW_BLOCK;
    PetscCall(PetscMalloc6(sl->gsize, &sl->blockCounts, sl->gsize, &sl->blockDispls, sl->gsize, &sl->rowCounts, sl->gsize, &sl->rowDispls, sl->gsize, &sl->scnt, sl->gsize, &sl->sdsp));
    for (PetscMPIInt q = 0; q < sl->gsize; q++) {
      PetscInt a, b;
      PetscCall(MrLayoutRows(L, r, sl->N, q, &a, &b));
      sl->rowDispls[q]   = (PetscMPIInt)a;
      sl->rowCounts[q]   = (PetscMPIInt)(b - a);
      sl->blockDispls[q] = (PetscMPIInt)(a / MR_ROW_BLOCK);
      sl->blockCounts[q] = (PetscMPIInt)((b + MR_ROW_BLOCK - 1) / MR_ROW_BLOCK - a / MR_ROW_BLOCK);
    }
    if (L->grouped) color = (int)r;
  }
  /* region groups; with P < R (or an idle rank) the group is the rank alone */
  PetscCallMPI(MPI_Comm_split(comm, L->grouped && color != MPI_UNDEFINED ? color : (int)(R + L->rank), L->rank, &L->gcomm));
  *layout = L;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrLayoutDestroy(MrLayout *layout)
{
  MrLayout L = *layout;

  PetscFunctionBegin;
  if (!L) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt k = 0; k < L->nslices; k++) {
    MrSlice *sl = &L->slice[k];
    PetscCall(PetscFree6(sl->blockCounts, sl->blockDispls, sl->rowCounts, sl->rowDispls, sl->scnt, sl->sdsp));
  }
  PetscCall(PetscFree(L->slice));
  PetscCall(PetscFree3(L->first, L->nranks, L->cost));
  PetscCallMPI(MPI_Comm_free(&L->gcomm));
  PetscCall(PetscFree(L));
  *layout = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrLayoutView(MrLayout L, PetscViewer viewer)
{
  PetscFunctionBegin;
  PetscCall(PetscViewerASCIIPrintf(viewer, "Layout: %d ranks, %" PetscInt_FMT " regions, %s\n", L->size, L->R, L->grouped ? "a rank group per region" : "whole regions per rank"));
  if (!L->grouped) { /* balance of whole regions over ranks */
    PetscReal *load, mx = 0, tot = 0;
    PetscCall(PetscCalloc1(L->size, &load));
    for (PetscInt r = 0; r < L->R; r++) load[L->first[r]] += L->cost[r];
    for (PetscMPIInt p = 0; p < L->size; p++) {
      mx = PetscMax(mx, load[p]);
      tot += load[p];
    }
    PetscCall(PetscViewerASCIIPrintf(viewer, "  cost per rank: largest / mean = %.3f\n", tot > 0 ? (double)(mx * L->size / tot) : 1.0));
    PetscCall(PetscFree(load));
  }
  if (L->R <= 32) {
    for (PetscInt r = 0; r < L->R; r++) PetscCall(PetscViewerASCIIPrintf(viewer, "  region %3" PetscInt_FMT ": ranks %d..%d  (cost %g)\n", r, L->first[r], L->first[r] + L->nranks[r] - 1, (double)L->cost[r]));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrLayoutGroupBlockSum(MrLayout L, MrSlice *sl, PetscInt nq, const PetscReal local[], PetscReal work[], PetscReal total[])
{
  const PetscReal *all = local;

  PetscFunctionBegin;
  if (sl->gsize > 1) {
    for (PetscMPIInt q = 0; q < sl->gsize; q++) {
      sl->scnt[q] = (PetscMPIInt)(sl->blockCounts[q] * nq);
      sl->sdsp[q] = (PetscMPIInt)(sl->blockDispls[q] * nq);
    }
    PetscCallMPI(MPI_Allgatherv(local, (PetscMPIInt)((sl->bend - sl->bstart) * nq), MPIU_REAL, work, sl->scnt, sl->sdsp, MPIU_REAL, L->gcomm));
    all = work;
  }
  for (PetscInt q = 0; q < nq; q++) total[q] = 0;
  for (PetscInt b = 0; b < sl->nblocks; b++)
    for (PetscInt q = 0; q < nq; q++) total[q] += all[b * nq + q];
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrLayoutRegionSum(MrLayout L, PetscInt nq, const PetscReal regionTotal[], PetscInt chunk, PetscReal work[], PetscReal total[])
{
  PetscFunctionBegin;
  for (PetscInt q = 0; q < nq; q++) total[q] = 0;
  for (PetscInt r0 = 0; r0 < L->R; r0 += chunk) {
    const PetscInt n = PetscMin(chunk, L->R - r0);
    for (PetscInt i = 0; i < n * nq; i++) work[i] = 0;
    for (PetscInt k = 0; k < L->nslices; k++) {
      const MrSlice *sl = &L->slice[k];
      if (sl->grank == 0 && sl->region >= r0 && sl->region < r0 + n) PetscCall(PetscArraycpy(work + (sl->region - r0) * nq, regionTotal + k * nq, nq));
    }
    /* one nonzero contribution per entry (its region's leader): the sum is exact */
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, work, (PetscMPIInt)(n * nq), MPIU_REAL, MPI_SUM, L->comm));
    for (PetscInt r = 0; r < n; r++)
      for (PetscInt q = 0; q < nq; q++) total[q] += work[r * nq + q];
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrLayoutGroupAllgather(MrLayout L, MrSlice *sl, PetscInt width, const PetscReal local[], PetscReal full[])
{
  PetscFunctionBegin;
  if (sl->gsize > 1) {
    for (PetscMPIInt q = 0; q < sl->gsize; q++) {
      sl->scnt[q] = (PetscMPIInt)(sl->rowCounts[q] * width);
      sl->sdsp[q] = (PetscMPIInt)(sl->rowDispls[q] * width);
    }
    PetscCallMPI(MPI_Allgatherv(local, (PetscMPIInt)((sl->rend - sl->rstart) * width), MPIU_REAL, full, sl->scnt, sl->sdsp, MPIU_REAL, L->gcomm));
  } else if (full != local)
    PetscCall(PetscArraycpy(full, local, (sl->rend - sl->rstart) * width));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrLayoutNodeMemory(MrLayout L, PetscReal mine, PetscReal *node, PetscReal *phys, PetscMPIInt *nlocal)
{
  MPI_Comm shm;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_split_type(L->comm, MPI_COMM_TYPE_SHARED, L->rank, MPI_INFO_NULL, &shm));
  PetscCallMPI(MPI_Comm_size(shm, nlocal));
  PetscCallMPI(MPI_Allreduce(&mine, node, 1, MPIU_REAL, MPI_SUM, shm));
  PetscCallMPI(MPI_Comm_free(&shm));
  *phys = (PetscReal)sysconf(_SC_PHYS_PAGES) * (PetscReal)sysconf(_SC_PAGESIZE);
  /* every rank must take the same decision: the largest node need, the smallest node */
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, node, 1, MPIU_REAL, MPI_MAX, L->comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, phys, 1, MPIU_REAL, MPI_MIN, L->comm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrCommSplitGroups(MPI_Comm comm, PetscInt k, MPI_Comm *sub, PetscInt *group, PetscInt *ngroups)
{
  PetscMPIInt rank, size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  *ngroups = PetscMax(size / k, 1);
  *group   = rank / k < *ngroups ? rank / k : -1;
  PetscCallMPI(MPI_Comm_split(comm, *group >= 0 ? (PetscMPIInt)*group : MPI_UNDEFINED, rank, sub));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrCommFree(MPI_Comm *comm)
{
  PetscFunctionBegin;
  if (*comm != MPI_COMM_NULL) PetscCallMPI(MPI_Comm_free(comm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrCommMemoryShare(MPI_Comm comm, PetscReal *share)
{
  MPI_Comm    shm;
  PetscMPIInt nlocal;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &shm));
  PetscCallMPI(MPI_Comm_size(shm, &nlocal));
  PetscCallMPI(MPI_Comm_free(&shm));
  *share = (PetscReal)sysconf(_SC_PHYS_PAGES) * (PetscReal)sysconf(_SC_PAGESIZE) / nlocal;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, share, 1, MPIU_REAL, MPI_MIN, comm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrLayoutAllSumReal(MrLayout L, PetscInt n, PetscReal v[])
{
  PetscFunctionBegin;
  if (L->size > 1 && n > 0) PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, v, (PetscMPIInt)n, MPIU_REAL, MPI_SUM, L->comm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrLayoutAllSumInt(MrLayout L, PetscInt n, PetscInt v[])
{
  PetscFunctionBegin;
  if (L->size > 1 && n > 0) PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, v, (PetscMPIInt)n, MPIU_INT, MPI_SUM, L->comm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrLayoutAllTrue(MrLayout L, PetscBool *flag)
{
  int v = *flag ? 1 : 0;

  PetscFunctionBegin;
  if (L->size > 1) PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_INT, MPI_MIN, L->comm));
  *flag = v ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(PETSC_SUCCESS);
}
