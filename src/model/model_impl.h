/* Internals shared by the model sources. */
#pragma once
#include <mrdyn/model.h>

/* The readout variance of every region by the user's values or the 1.05 rule. Collective errors. */
PETSC_INTERN PetscErrorCode MrModelComputeReadoutVariances(MrModel model, PetscReal sigma2[]);
/* Dense-form U (R x R x R, U[s,q,p] at (s R + q) R + p; NULL: identity in every
   region), replacing any U the model has. Not collective. */
PETSC_INTERN PetscErrorCode MrModelSetDenseU(MrModel model, const PetscReal U[]);
/* Writes the model's datasets and root attributes into an open HDF5 file (serial,
   the caller's rank). Not collective. */
PETSC_INTERN PetscErrorCode MrModelWriteH5(MrModel model, hid_t file);
