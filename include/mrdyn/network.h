/* MrNetwork: a realised multiregion network distributed over a layout, its
   right-hand side, and the `simulate` driver (PETSc TS). */
#pragma once
#include <mrdyn/connectivity.h>
#include <mrdyn/exchange.h>
#include <mrdyn/io.h>

typedef struct _p_MrNetwork *MrNetwork;

/* Piecewise-constant input schedule: I^r(t) = amp on [t0, t1). */
typedef struct {
  PetscInt   n;
  PetscInt  *region;
  PetscReal *t0, *t1, *amp;
} MrInputs;

/* Parses "r:t0:t1:amp,..." (validates against R). Collective (input errors). */
PETSC_EXTERN PetscErrorCode MrInputsParse(MPI_Comm comm, const char spec[], PetscInt R, MrInputs *in);
PETSC_EXTERN PetscErrorCode MrInputsDestroy(MrInputs *in);
/* I^r(t) for every region. */
PETSC_EXTERN void MrInputsEval(const MrInputs *in, PetscReal t, PetscInt R, PetscReal amp[]);

/* Initial currents: the given C values, or the default N(0, 1) draws of the seed
   (the same for the network and the mean-field theory). */
PETSC_EXTERN void MrInitialCurrents(PetscInt64 seed, PetscInt C, PetscInt ngiven, const PetscReal given[], PetscReal S0[]);
/* Initial currents uniform in [lo, hi) per channel, drawn from the seed (-init_uniform). */
PETSC_EXTERN void MrInitialCurrentsUniform(PetscInt64 seed, PetscInt C, PetscReal lo, PetscReal hi, PetscReal S0[]);

/* Runs the `simulate` verb on comm from the options database. Collective. */
PETSC_EXTERN PetscErrorCode MrSimulate(MPI_Comm comm);
/* Prints what a model or run file holds. Collective (rank 0 reads). */
PETSC_EXTERN PetscErrorCode MrInfo(MPI_Comm comm, const char path[]);
/* Compares a simulation with a mean-field file of the same model. Collective (rank 0 reads). */
PETSC_EXTERN PetscErrorCode MrCompare(MPI_Comm comm, const char sim[], const char theory[]);
/* Runs the `model` verb: builds a model from a generator and writes it. Collective. */
PETSC_EXTERN PetscErrorCode MrModelVerb(MPI_Comm comm, const char generator[]);
