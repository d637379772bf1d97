/* Internals of the dmft verb: its modes live in their own files. */
#pragma once
#include <mrdyn/dmft.h>
#include <math.h>
#include "../util/util.h"

/* -mode currents: model.md 2a for a batch of K initial conditions (member k: uniform in [lo, hi) = uniform, NULL: (-initSize, initSize); the given nS0 = C values when K = 1), end states classified, written to o. Collective. */
PETSC_INTERN PetscErrorCode MrDmftCurrentsMode(MPI_Comm comm, MrModel m, const MrInputs *inputs, PetscInt K, PetscReal initSize, const PetscReal uniform[], PetscInt64 seed, PetscInt nS0, const PetscReal S0g[], const PetscReal v0[], PetscReal dt, PetscInt nsteps, PetscBool rk4,
                                               MrOutput o);
/* -mode stationary: its options (read with the others), and the per-region theory over g written to o. Collective. */
PETSC_INTERN PetscErrorCode MrDmftStationaryOptionsRead(MPI_Comm comm, MrDmftOptions *opt);
PETSC_INTERN PetscErrorCode MrDmftStationaryCheckModel(MPI_Comm comm, const MrDmftOptions *opt, MrModel m);
PETSC_INTERN PetscErrorCode MrDmftStationaryMode(MPI_Comm comm, MrModel m, const MrDmftOptions *opt, const MrInputs *inputs, MrOutput o);
/* -stationary: the end state of the two-point dynamics polished into a stationary solution (SNES), written under /stationary. Collective. */
PETSC_INTERN PetscErrorCode MrDmftWriteStationary(MPI_Comm comm, MrModel m, MrLayout L, MrDmft d, PetscInt Nt, PetscInt window, MrOutput o);
