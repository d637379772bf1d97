/* MrModel: the statistics of a multiregion network (model.md), in channel form.
   A channel c is one (edge s -> r, rank index k); index order is [target][source].
   Models are replicated on every rank of their communicator. */
#pragma once
#include <mrdyn/error.h>

typedef struct _p_MrModel *MrModel;

/* The most neurons a model may hold, in one region and in all: totals, state
   vectors and row blocks are indexed by PetscInt, with room for the channels and
   for padding (1073741823 with 32-bit PetscInt). */
#define MR_MODEL_MAX_NEURONS ((PetscInt64)PETSC_MAX_INT / 2)

struct _p_MrModel {
  MPI_Comm   comm;
  PetscInt   R, C; /* regions, channels */
  PetscInt  *N;    /* (R) neurons per region */
  PetscReal *g;    /* (R) disorder strength */
  PetscReal  tau;
  PetscInt  *target, *source;  /* (C) channel map */
  PetscInt   nT, *Trow, *Tcol; /* T COO: row = out-channel of the middle region s, col = in-channel of s */
  PetscReal *Tval;
  PetscBool  hasU;             /* absent: identity */
  PetscInt   nU, *Urow, *Ucol; /* U COO over in-channel pairs of one region */
  PetscReal *Uval;
  PetscReal *V;      /* (C) <n^c u^{source(c)}>, NULL when the model has no inputs */
  PetscReal *sigma2; /* (R) user-set readout variances, NULL: the 1.05 rule */
  PetscBool  dense;  /* all-to-all, rank one: C = R*R, c = r*R + s */
  char       phi[16];
  char       description[256];
  char       hash[17]; /* content hash (hex) */
  PetscInt   draws;    /* generator random: draws until one was accepted (0: not recorded) */
  /* derived: channel lists per region (CSR) */
  PetscInt  *outOff, *outCh; /* out-channels of region s (source == s) */
  PetscInt  *inOff, *inCh;   /* in-channels of region r (target == r) */
  PetscInt  *TOff, *TIdx;    /* T entries by middle region s (CSR over entry indices) */
  PetscInt  *UOff, *UIdx;    /* U entries by region */
  PetscReal *s2;             /* (R) readout variances in use (user's or the 1.05 rule) */
  /* an explicit realisation (a model file's /weights, include/mrdyn/weights.h): the
     first Cth channels are the theory's; the further ones carry the rest of the
     imported W's off-diagonal blocks, exchanged like the others but without a
     current of their own in outputs. Cth = C and weights = NULL otherwise. */
  PetscInt Cth;
  char    *weights; /* the file holding /weights: J and the vectors are read, not drawn */
};

/* Allocates an empty model on comm (sizes set by the caller, then MrModelSetUp). Not collective. */
PETSC_EXTERN PetscErrorCode MrModelCreate(MPI_Comm comm, MrModel *model);
PETSC_EXTERN PetscErrorCode MrModelDestroy(MrModel *model);
/* Validates shapes, indices, finiteness, U > 0 and builds the derived lists.
   Collective (the model must be replicated): a failure is an input error on every rank. */
PETSC_EXTERN PetscErrorCode MrModelSetUp(MrModel model);
/* Rank 0 reads the file, the result is broadcast and validated. Collective. */
PETSC_EXTERN PetscErrorCode MrModelLoad(MPI_Comm comm, const char path[], MrModel *model);
/* Rank 0 writes the model to path (via a temporary name). Collective. */
PETSC_EXTERN PetscErrorCode MrModelSave(MrModel model, const char path[], PetscBool force);
/* Broadcast a model held on rank 0 to all ranks of comm. Collective. */
PETSC_EXTERN PetscErrorCode MrModelBcast(MPI_Comm comm, MrModel *model);

/* Vector statistics of region s (model.md): the dimension D = nout + nin (+1 with
   an input direction) and the lower Cholesky-like factor L (D x D, row-major) of
   the covariance, with the readout variance actually used. Not collective. */
PETSC_EXTERN PetscErrorCode MrModelRegionFactor(MrModel model, PetscInt s, PetscInt *D, PetscReal **L, PetscReal *sigma2);
/* The full covariance of region s in the same order (for tests and reports). */
PETSC_EXTERN PetscErrorCode MrModelRegionCovariance(MrModel model, PetscInt s, PetscReal sigma2, PetscInt *D, PetscReal **cov);
/* The readout variances in use (the user's or the 1.05 rule, fixed by MrModelSetUp). Not collective. */
PETSC_EXTERN PetscErrorCode MrModelReadoutVariances(MrModel model, PetscReal sigma2[]);
/* Leading eigenvalue of That (channel-level linearisation around S = 0). Not collective. */
PETSC_EXTERN PetscErrorCode MrModelLeadingEigenvalue(MrModel model, PetscReal *wre, PetscReal *wim);
/* Dense U blocks of every region (nin x nin, row-major, identity when absent),
   concatenated: block s starts at off[s]. Free with PetscFree2(off, U). Not collective. */
PETSC_EXTERN PetscErrorCode MrModelUBlocks(MrModel model, PetscInt **off, PetscReal **U);
/* sum_{q,q'} U_{s q q'} a_q b_q' over the in-channels of s (a, b indexed by channel). */
PETSC_EXTERN PetscReal MrModelUForm(MrModel model, const PetscInt off[], const PetscReal U[], PetscInt s, const PetscReal a[], const PetscReal b[]);
/* Does region s carry an input direction u^s? */
PETSC_EXTERN PetscBool MrModelRegionHasInput(MrModel model, PetscInt s);

/* Generators (interfaces.md): "paper", "random", "graph", "from"; parameters from the
   options database. Collective; the result is replicated (NULL under -help). */
PETSC_EXTERN PetscErrorCode MrModelGenerate(MPI_Comm comm, const char name[], MrModel *model);
