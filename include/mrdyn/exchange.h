/* MrExchange: moves the instantaneous projections Sbar (one number per channel)
   from the ranks of each source region to the ranks of each target region with a
   neighbourhood collective on a distributed graph communicator. Nothing of size N. */
#pragma once
#include <mrdyn/layout.h>

typedef struct _p_MrExchange *MrExchange;

/* Builds the send/receive plan from the region graph and the layout. Collective. */
PETSC_EXTERN PetscErrorCode MrExchangeCreate(MrLayout layout, MrModel model, MrExchange *ex);
PETSC_EXTERN PetscErrorCode MrExchangeDestroy(MrExchange *ex);
/* sbar has length C. On entry it holds the out-channels of every owned region; on
   return also the in-channels of every owned region. Collective. */
PETSC_EXTERN PetscErrorCode MrExchangeDo(MrExchange ex, PetscReal sbar[]);
/* Values per channel in the arrays exchanged (trials; default 1): sbar[c * width + k]. Not collective. */
PETSC_EXTERN PetscErrorCode MrExchangeSetWidth(MrExchange ex, PetscInt width);
/* The same split in two non-blocking halves (MPI_Ineighbor_alltoallv), so that
   work not needing the projections can run while they travel. Collective. */
PETSC_EXTERN PetscErrorCode MrExchangeBegin(MrExchange ex, const PetscReal sbar[]);
PETSC_EXTERN PetscErrorCode MrExchangeEnd(MrExchange ex, PetscReal sbar[]);
/* Bytes and messages this rank sends per call; totals over all ranks (collective). */
PETSC_EXTERN PetscErrorCode MrExchangeStats(MrExchange ex, PetscInt64 *bytes, PetscInt64 *messages, PetscInt64 *totalBytes, PetscInt64 *totalMessages);
/* Neighbour counts on this rank (for reports). Not collective. */
PETSC_EXTERN PetscErrorCode MrExchangeDegree(MrExchange ex, PetscMPIInt *indeg, PetscMPIInt *outdeg);
