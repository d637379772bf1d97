/* MrDmft: the mean-field theory of model.md section 2b (two-point functions with
   disorder) on a grid t_j = j dt, regions spread over ranks with the simulator's
   layout; only the drives H of the currents (one number per channel) cross ranks. */
#pragma once
#include <mrdyn/exchange.h>
#include <mrdyn/network.h>

typedef enum {
  MR_DMFT_TRAPEZOID, /* default: exponential trapezoid with a predictor, O(dt^2) */
  MR_DMFT_REFERENCE  /* the published recurrence, step for step (tests/data/README.md) */
} MrDmftScheme;

typedef struct _p_MrDmft *MrDmft;

/* Creates the solver for Nt grid points of step h. window > 0 keeps only the last
   `window` lags of the two-point functions (O(Nt window) work). Collective. */
PETSC_EXTERN PetscErrorCode MrDmftCreate(MrModel model, MrLayout layout, MrDmftScheme scheme, PetscReal h, PetscInt Nt, PetscInt window, MrDmft *dmft);
PETSC_EXTERN PetscErrorCode MrDmftDestroy(MrDmft *dmft);
/* Initial currents (C values) and initial variance beyond the structured part
   (R values; NULL: the scheme's default). Not collective. */
PETSC_EXTERN PetscErrorCode MrDmftSetInitial(MrDmft dmft, const PetscReal S0[], const PetscReal v0[]);
/* Input schedule (copied by reference: keep it alive). */
PETSC_EXTERN PetscErrorCode MrDmftSetInputs(MrDmft dmft, const MrInputs *inputs);
/* Record Delta(t_ref, t_ref + k lagStride dt), k < nlag, for these reference steps. */
PETSC_EXTERN PetscErrorCode MrDmftSetDeltaRecord(MrDmft dmft, PetscInt nref, const PetscInt refStep[], PetscInt nlag, PetscInt lagStride);
/* Keep the whole upper triangles of Delta and Gamma (small Nt only). */
PETSC_EXTERN PetscErrorCode MrDmftSetKeepFull(MrDmft dmft, PetscBool keep);

/* Called after every grid step j with the owned regions' values. */
typedef PetscErrorCode (*MrDmftMonitor)(MrDmft dmft, PetscInt j, void *ctx);
/* Runs all Nt - 1 steps. Collective. */
PETSC_EXTERN PetscErrorCode MrDmftRun(MrDmft dmft, MrDmftMonitor monitor, void *ctx);

/* Values at the current step for owned slice k: variance Delta(t,t), psi, and
   the currents of the region's in-channels (ordered as model->inCh). */
PETSC_EXTERN PetscErrorCode MrDmftGetState(MrDmft dmft, PetscInt k, PetscReal *variance, PetscReal *psi, const PetscReal **S);
/* Recorded autocovariances of owned slice k: (nref x nlag), and full matrices (Nt x Nt, [i][j], i <= j). */
PETSC_EXTERN PetscErrorCode MrDmftGetDelta(MrDmft dmft, PetscInt k, const PetscReal **delta, const PetscReal **fullDelta, const PetscReal **fullGamma);

/* The `dmft` verb. Collective. */
PETSC_EXTERN PetscErrorCode MrDmftVerb(MPI_Comm comm);
