/* Internals shared by the model sources. */
#pragma once
#include <mrdyn/model.h>

/* The readout variance of every region by the user's values or the 1.05 rule. Collective errors. */
PETSC_INTERN PetscErrorCode MrModelComputeReadoutVariances(MrModel model, PetscReal sigma2[]);
