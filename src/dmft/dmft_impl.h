/* Internals of the dmft verb: its modes live in their own files. */
#pragma once
#include <mrdyn/dmft.h>
#include <math.h>
#include "../util/util.h"

/* -mode currents: model.md 2a for a batch of K initial conditions, end states classified, written to o. Collective. */
PETSC_INTERN PetscErrorCode MrDmftCurrentsMode(MPI_Comm comm, MrModel m, const MrInputs *inputs, PetscInt K, PetscReal initSize, PetscInt64 seed, PetscInt nS0, const PetscReal S0g[], const PetscReal v0[], PetscReal dt, PetscInt nsteps, PetscBool rk4,
                                               MrOutput o);
/* -stationary: the end state of the two-point dynamics polished into a stationary solution (SNES), written under /stationary. Collective. */
PETSC_INTERN PetscErrorCode MrDmftWriteStationary(MPI_Comm comm, MrModel m, MrLayout L, MrDmft d, PetscInt Nt, PetscInt window, MrOutput o);
