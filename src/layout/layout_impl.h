/* Internals of the layout module. */
#pragma once
#include <mrdyn/layout.h>

/* Owner rank of every region (P < R) for a partition type other than contiguous. Collective. */
PETSC_INTERN PetscErrorCode MrLayoutPartitionRegions(MPI_Comm comm, MrModel model, const PetscReal cost[], MrPartitionType type, PetscMPIInt owner[]);
