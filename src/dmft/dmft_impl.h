/* Internals of the dmft verb: its modes live in their own files. */
#pragma once
#include <mrdyn/dmft.h>
#include <math.h>
#include "../util/util.h"

/* The input term of the current dynamics (model.md section 5): the network's
   (psi_s (T S + V F), F the low-pass filtered input, Delta_s with F^2) or the
   published notebook's (psi_s T S + V I, Delta_s with I^2, no filter). */
typedef enum { MR_CURRENTS_NETWORK = 0, MR_CURRENTS_NOTEBOOK = 1 } MrCurrentsForm;
/* MrCurrentsBatch with a choice of form; with traj, also member 0's trajectory every
   saveEvery steps and at the end, *nsave rows of (t, S (C), Delta (R), psi (R)) on
   rank 0 (NULL elsewhere; free with PetscFree). Collective. */
PETSC_INTERN PetscErrorCode MrCurrentsBatchForm(MPI_Comm comm, MrModel m, const MrInputs *inputs, MrCurrentsForm form, const PetscReal v0[], PetscInt K, const PetscReal S0[], PetscReal h, PetscInt nsteps, PetscBool rk4, PetscInt saveEvery,
                                                PetscInt *nsave, PetscReal **traj, MrCurrentsResult *res);
/* A fixed point whose leading Jacobian eigenvalue (real part) is within this of zero
   (or within 10 times its residual max |dS/dt|, if larger) is marginal. */
#define MR_MARGINAL_TOL 1e-9

/* -mode currents: model.md 2a for a batch of K initial conditions (member k: uniform in [lo, hi) = uniform, NULL: (-initSize, initSize); the given nS0 = C values when K = 1), in the form of
   scheme (trapezoid: the network's, reference: the notebook's), end states classified, fixed points labelled stable, marginal or unstable, written to o; a single solve (K = 1) also writes its trajectory every saveEvery steps
   (/time, /currents, /variance, /psi). Collective. */
PETSC_INTERN PetscErrorCode MrDmftCurrentsMode(MPI_Comm comm, MrModel m, const MrInputs *inputs, MrDmftScheme scheme, PetscInt K, PetscReal initSize, const PetscReal uniform[], PetscInt64 seed, PetscInt nS0, const PetscReal S0g[],
                                               const PetscReal v0[], PetscReal dt, PetscInt nsteps, PetscBool rk4, PetscInt saveEvery, MrOutput o);
/* -mode stationary: its options (read with the others), and the per-region theory over g written to o. Collective. */
PETSC_INTERN PetscErrorCode MrDmftStationaryOptionsRead(MPI_Comm comm, MrDmftOptions *opt);
PETSC_INTERN PetscErrorCode MrDmftStationaryCheckModel(MPI_Comm comm, const MrDmftOptions *opt, MrModel m);
PETSC_INTERN PetscErrorCode MrDmftStationaryMode(MPI_Comm comm, MrModel m, const MrDmftOptions *opt, const MrInputs *inputs, MrOutput o);
/* -stationary: the end state of the two-point dynamics polished into a stationary solution (SNES), written under /stationary. Collective. */
PETSC_INTERN PetscErrorCode MrDmftWriteStationary(MPI_Comm comm, MrModel m, MrLayout L, MrDmft d, PetscInt Nt, PetscInt window, MrOutput o);
