/* A user's weight matrix W as a network (docs/weights.md): `mrdyn model weights`
   imports it, fits the multiregion structure of docs/model.md to it, and writes
   one model file that holds both the fitted statistics (T, U, g, N, sigma2: what
   dmft reads) and the exact realisation under /weights (what simulate, spectrum
   and lyapunov run):

     W^{rr} = J^r + sum_{self channels k} m^k n^k^T / N_r     (J^r dense, explicit)
     W^{rs} = sum_{channels k: s -> r} m^k n^k^T / N_s         (exact factors, r != s)

   The channels of a block are its singular components; the first ones are the
   fitted channels of the theory, the others (off-diagonal blocks only) carry the
   rest of the block down to rounding, so that the realisation is W itself. */
#pragma once
#include <mrdyn/connectivity.h>

/* Loads a model file for a network: the model of MrModelLoad, or, when the file
   holds /weights, that model extended by the residual channels of the imported W
   (model->Cth theory channels first, model->weights set) so that J and the
   vectors are read from the file. Rank 0 reads and checks; collective. */
PETSC_EXTERN PetscErrorCode MrModelLoadNetwork(MPI_Comm comm, const char path[], MrModel *model);

/* The disorder rows [rstart, rend) of region r: drawn from Philox
   (MrDisorderGenerate), or read from the model file's /weights. Not collective. */
PETSC_EXTERN PetscErrorCode MrDisorderRealise(MrModel model, PetscInt64 seed, PetscInt r, PetscInt rstart, PetscInt rend, MrDisorderType type, MrPrecision prec, PetscInt K, MrDisorder *J);

/* The vector rows [rstart, rend) of region s read from /weights (called by
   MrVectorsGenerate for a model with weights). Not collective. */
PETSC_EXTERN PetscErrorCode MrWeightsReadVectors(MrModel model, PetscInt s, PetscInt rstart, PetscInt rend, MrVectors *v);

/* Refuses options a realisation from /weights does not have (sparse disorder),
   naming the verb. Collective. */
PETSC_EXTERN PetscErrorCode MrWeightsCheckDisorder(MrModel model, MrDisorderType type, const char verb[]);

/* `mrdyn model weights -weights W.h5 -o model.h5`: import, fit, write. Collective. */
PETSC_EXTERN PetscErrorCode MrWeightsVerb(MPI_Comm comm);
