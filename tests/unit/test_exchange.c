/* Layout and exchange at any number of ranks: rows covered once, every rank gets
   exactly the projections of its in-channels, and the volume is what the
   region graph predicts. */
#include <mrdyn/mrdyn.h>
#include <math.h>
#include "check.h"

static PetscErrorCode CheckCase(MPI_Comm comm, MrModel m, const char *name, int *nchecks)
{
  MrLayout    L;
  MrExchange  ex;
  PetscReal  *cost, *sbar;
  PetscInt64 *rows, *rowsAll, bytes, msgs, tbytes, tmsgs, expect = 0;
  PetscMPIInt rank;
  PetscInt    bad = 0, badAll;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscMalloc4(m->R, &cost, m->C, &sbar, m->R, &rows, m->R, &rowsAll));
  for (PetscInt r = 0; r < m->R; r++) cost[r] = (PetscReal)m->N[r] * m->N[r];
  PetscCall(MrLayoutCreate(comm, m, cost, 0, &L));
  for (PetscInt r = 0; r < m->R; r++) rows[r] = 0;
  for (PetscInt k = 0; k < L->nslices; k++) rows[L->slice[k].region] += L->slice[k].rend - L->slice[k].rstart;
  PetscCallMPI(MPI_Allreduce(rows, rowsAll, (int)m->R, MPIU_INT64, MPI_SUM, comm));
  for (PetscInt r = 0; r < m->R; r++) bad += rowsAll[r] != m->N[r];
  CHECK(bad == 0, "%s: every region's rows owned exactly once", name);
  /* row starts aligned to blocks: reductions do not depend on P */
  bad = 0;
  for (PetscInt k = 0; k < L->nslices; k++) bad += L->slice[k].rstart % MR_ROW_BLOCK != 0 && L->slice[k].rstart != L->slice[k].N;
  PetscCallMPI(MPI_Allreduce(&bad, &badAll, 1, MPIU_INT, MPI_SUM, comm));
  CHECK(badAll == 0, "%s: row ranges start on block boundaries", name);

  PetscCall(MrExchangeCreate(L, m, &ex));
  for (PetscInt c = 0; c < m->C; c++) sbar[c] = NAN;
  for (PetscInt k = 0; k < L->nslices; k++) {
    PetscInt s = L->slice[k].region;
    for (PetscInt i = m->outOff[s]; i < m->outOff[s + 1]; i++) sbar[m->outCh[i]] = 1000.0 + m->outCh[i];
  }
  PetscCall(MrExchangeDo(ex, sbar));
  bad = 0;
  for (PetscInt k = 0; k < L->nslices; k++) {
    PetscInt r = L->slice[k].region;
    for (PetscInt i = m->inOff[r]; i < m->inOff[r + 1]; i++) bad += sbar[m->inCh[i]] != 1000.0 + m->inCh[i];
  }
  PetscCallMPI(MPI_Allreduce(&bad, &badAll, 1, MPIU_INT, MPI_SUM, comm));
  CHECK(badAll == 0, "%s: every owned in-channel received its projection", name);
  /* predicted volume: each rank of a target group receives each in-channel whose
     source region is owned by other ranks, once */
  for (PetscInt c = 0; c < m->C; c++) {
    PetscInt r = m->target[c], s = m->source[c];
    for (PetscMPIInt q = L->first[r]; q < L->first[r] + L->nranks[r]; q++)
      if (!(q >= L->first[s] && q < L->first[s] + L->nranks[s])) expect += (PetscInt64)sizeof(PetscReal);
  }
  PetscCall(MrExchangeStats(ex, &bytes, &msgs, &tbytes, &tmsgs));
  CHECK(tbytes == expect, "%s: %lld bytes per exchange, as the region graph predicts (%lld)", name, (long long)tbytes, (long long)expect);
  *nchecks += 4;
  PetscCall(MrExchangeDestroy(&ex));
  PetscCall(MrLayoutDestroy(&L));
  PetscCall(PetscFree4(cost, sbar, rows, rowsAll));
  PetscFunctionReturn(PETSC_SUCCESS);
}

int main(int argc, char **argv)
{
  MrModel m;
  int     nchecks = 0;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetscOptionsSetValue(NULL, "-R", "3"));
  PetscCall(PetscOptionsSetValue(NULL, "-N", "700,900,500"));
  PetscCall(PetscOptionsSetValue(NULL, "-a", "2"));
  PetscCall(PetscOptionsSetValue(NULL, "-b", "1.5"));
  PetscCall(MrModelGenerate(PETSC_COMM_WORLD, "paper", &m));
  PetscCall(CheckCase(PETSC_COMM_WORLD, m, "paper R=3", &nchecks));
  PetscCall(MrModelDestroy(&m));
  PetscCall(PetscOptionsClear(NULL));
  PetscCall(PetscOptionsSetValue(NULL, "-R", "12"));
  PetscCall(PetscOptionsSetValue(NULL, "-N", "100"));
  PetscCall(PetscOptionsSetValue(NULL, "-degree", "3"));
  PetscCall(PetscOptionsSetValue(NULL, "-rank", "2"));
  PetscCall(MrModelGenerate(PETSC_COMM_WORLD, "graph", &m));
  PetscCall(CheckCase(PETSC_COMM_WORLD, m, "graph R=12 k=3 d=2", &nchecks));
  PetscCall(MrModelDestroy(&m));
  PetscCall(PetscOptionsClear(NULL));
  PetscCall(PetscOptionsSetValue(NULL, "-R", "2"));
  PetscCall(PetscOptionsSetValue(NULL, "-N", "64,2000"));
  PetscCall(PetscOptionsSetValue(NULL, "-a", "2"));
  PetscCall(PetscOptionsSetValue(NULL, "-b", "1"));
  PetscCall(MrModelGenerate(PETSC_COMM_WORLD, "paper", &m));
  PetscCall(CheckCase(PETSC_COMM_WORLD, m, "unequal regions (one block vs many)", &nchecks));
  PetscCall(MrModelDestroy(&m));
  {
    int fails = mr_failures, all;
    MPI_Allreduce(&fails, &all, 1, MPI_INT, MPI_MAX, PETSC_COMM_WORLD);
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%d passed, %d failed\n", nchecks - all, all));
    PetscCall(PetscFinalize());
    return all ? 1 : 0;
  }
}
