/* MrLayout: which ranks own which regions and rows.
   P >= R: region r owns a contiguous group of ranks sized by its cost, rows split
   inside the group in blocks of MR_ROW_BLOCK. P < R: every rank owns whole
   regions (a group of one), balanced by cost. The layout is a pure function of
   (model costs, P), so every rank computes all of it without communication. */
#pragma once
#include <mrdyn/model.h>

/* Row blocks: reductions inside a region sum per-block partials in block order,
   so results do not depend on how rows are split over ranks. */
#define MR_ROW_BLOCK 64

typedef struct {
  PetscInt     region;
  PetscInt     N;                         /* neurons in the region */
  PetscInt     rstart, rend;              /* owned rows [rstart, rend) */
  PetscInt     bstart, bend;              /* owned row blocks */
  PetscInt     nblocks;                   /* blocks in the whole region */
  PetscMPIInt  grank, gsize;              /* rank inside the region group */
  PetscMPIInt *blockCounts, *blockDispls; /* per group rank: blocks owned (for gathers) */
  PetscMPIInt *rowCounts, *rowDispls;     /* per group rank: rows owned */
  PetscMPIInt *scnt, *sdsp;               /* scratch for gathers */
} MrSlice;

typedef struct _p_MrLayout *MrLayout;
struct _p_MrLayout {
  MPI_Comm     comm;  /* the run's communicator */
  MPI_Comm     gcomm; /* this rank's region group (MPI_COMM_SELF dup when P < R) */
  PetscMPIInt  rank, size;
  PetscInt     R;
  PetscBool    grouped;        /* P >= R */
  PetscMPIInt *first, *nranks; /* (R) region r is owned by ranks [first, first + nranks) */
  PetscReal   *cost;           /* (R) cost used for balancing */
  PetscInt     nslices;        /* regions owned by this rank */
  MrSlice     *slice;
};

/* How whole regions are assigned to ranks when P < R: contiguous runs of regions
   balanced by cost (default), round-robin (r mod P), or a partition of the region
   graph by PT-Scotch through PETSc's MatPartitioning (vertex weights = cost, edge
   weights = channels between two regions), which keeps channels on one rank. */
typedef enum { MR_PARTITION_CONTIGUOUS, MR_PARTITION_ROUNDROBIN, MR_PARTITION_PTSCOTCH } MrPartitionType;
PETSC_EXTERN const char *const MrPartitionTypes[];

/* Builds the layout with an assignment of regions for P < R (ignored for P >= R). Collective. */
PETSC_EXTERN PetscErrorCode MrLayoutCreatePartitioned(MPI_Comm comm, MrModel model, const PetscReal cost[], PetscInt maxPerRegion, MrPartitionType type, MrLayout *layout);
/* Channels whose source and target regions are on different ranks (the edge cut
   of the region graph in channels; every cross-region channel when P >= R). Not collective. */
PETSC_EXTERN PetscInt MrLayoutEdgeCut(MrLayout layout, MrModel model);

/* Builds the layout for the model on comm with per-region costs; maxPerRegion > 0
   caps the ranks of a region group (1: whole regions only, as the mean-field
   engine needs; extra ranks idle). Collective. */
PETSC_EXTERN PetscErrorCode MrLayoutCreate(MPI_Comm comm, MrModel model, const PetscReal cost[], PetscInt maxPerRegion, MrLayout *layout);
PETSC_EXTERN PetscErrorCode MrLayoutDestroy(MrLayout *layout);
/* Rows owned by rank-in-group k of region r (pure function). */
PETSC_EXTERN PetscErrorCode MrLayoutRows(MrLayout layout, PetscInt r, PetscInt N, PetscMPIInt k, PetscInt *rstart, PetscInt *rend);
/* Index of the slice holding region r on this rank, or -1. */
PETSC_EXTERN PetscInt MrLayoutFindSlice(MrLayout layout, PetscInt r);
/* Memory the ranks of each node need (sum of mine over the node; the largest over
   nodes) and the smallest node's physical memory, the same on every rank. Collective. */
PETSC_EXTERN PetscErrorCode MrLayoutNodeMemory(MrLayout layout, PetscReal mine, PetscReal *node, PetscReal *phys, PetscMPIInt *nlocal);
/* Prints the layout table on rank 0. Collective. */
PETSC_EXTERN PetscErrorCode MrLayoutView(MrLayout layout, PetscViewer viewer);
/* Sums per-block partials of nq quantities over the region group in block order:
   local[(b - bstart) * nq + q] -> total[q]. Collective on the group. */
PETSC_EXTERN PetscErrorCode MrLayoutGroupBlockSum(MrLayout layout, MrSlice *sl, PetscInt nq, const PetscReal local[], PetscReal work[], PetscReal total[]);
/* Sums per-region vectors over all regions in model order: regionTotal[k * nq + q]
   is slice k's total (read from the group leaders only); total[q] is the same
   bits on any number of ranks and any region assignment. Communicates R * nq
   values in chunks of at most `chunk` regions (work: chunk * nq). Collective. */
PETSC_EXTERN PetscErrorCode MrLayoutRegionSum(MrLayout layout, PetscInt nq, const PetscReal regionTotal[], PetscInt chunk, PetscReal work[], PetscReal total[]);
/* Every rank gets the sum over ranks of v (n values, each set by exactly one rank
   and zero elsewhere, e.g. per-region results of their owners): exact, so the
   same bits on any number of ranks. Collective. */
PETSC_EXTERN PetscErrorCode MrLayoutAllSumReal(MrLayout layout, PetscInt n, PetscReal v[]);
PETSC_EXTERN PetscErrorCode MrLayoutAllSumInt(MrLayout layout, PetscInt n, PetscInt v[]);
/* *flag becomes true on every rank when it is true on every rank. Collective. */
PETSC_EXTERN PetscErrorCode MrLayoutAllTrue(MrLayout layout, PetscBool *flag);
/* Gathers the region's full vector from the owned rows (width values per row). Collective on the group. */
PETSC_EXTERN PetscErrorCode MrLayoutGroupAllgather(MrLayout layout, MrSlice *sl, PetscInt width, const PetscReal local[], PetscReal full[]);

/* Splits comm into consecutive groups of k ranks (sweep members); ranks beyond
   the last whole group get MPI_COMM_NULL. Collective. */
PETSC_EXTERN PetscErrorCode MrCommSplitGroups(MPI_Comm comm, PetscInt k, MPI_Comm *sub, PetscInt *group, PetscInt *ngroups);
PETSC_EXTERN PetscErrorCode MrCommFree(MPI_Comm *comm);
/* Physical memory per rank (node memory / ranks on the node), the smallest over comm. Collective. */
PETSC_EXTERN PetscErrorCode MrCommMemoryShare(MPI_Comm comm, PetscReal *share);
