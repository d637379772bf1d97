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
/* Delta(t_{j - lag}, t_j) at the current step j of owned slice k (lag <= j, inside the window). */
PETSC_EXTERN PetscErrorCode MrDmftGetLag(MrDmft dmft, PetscInt k, PetscInt lag, PetscReal *value);
/* Recorded autocovariances of owned slice k: (nref x nlag), and full matrices (Nt x Nt, [i][j], i <= j). */
PETSC_EXTERN PetscErrorCode MrDmftGetDelta(MrDmft dmft, PetscInt k, const PetscReal **delta, const PetscReal **fullDelta, const PetscReal **fullGamma);

/* The `dmft` verb. Collective. */
PETSC_EXTERN PetscErrorCode MrDmftVerb(MPI_Comm comm);

/* Stationary theory (model.md 2c). */
/* Single region without structure: the chaotic stationary variance Delta_0(g) of
   the Sompolinsky-Crisanti-Sommers potential (g > 1). Not collective. */
PETSC_EXTERN PetscErrorCode MrScsDelta0(PetscReal g, PetscReal *Delta0);
/* Phi(Delta0, Delta) = int_0^Delta C(Delta0, Delta0, x) dx. */
PETSC_EXTERN PetscReal MrPhiC(PetscReal Delta0, PetscReal Delta);

typedef struct {
  PetscReal *S;                     /* (C) currents at the fixed point */
  PetscReal *Delta0, *DeltaInf, *A; /* (R) variance, static part, structured variance */
  PetscReal *psi;                   /* (R) */
  PetscBool  converged;
  PetscInt   its;
  PetscReal  fnorm;
} MrStationary;

/* Stationary state with fixed currents and (chaotic or static) disorder, solved by
   PETSc SNES from a guess (e.g. the end of a dynamics run):
     S = psi(Delta0) T S,  Delta_inf = g^2 C(Delta0, Delta0, Delta_inf) + A,
     V(Delta0) = V(Delta_inf) with V = -D^2/2 + g^2 Phi(Delta0, D) + A D, A = sum U S S.
   Replicated on every rank of comm (a small system). Collective. */
PETSC_EXTERN PetscErrorCode MrStationarySolve(MPI_Comm comm, MrModel m, const PetscReal S[], const PetscReal Delta0[], const PetscReal DeltaInf[], MrStationary *st);
PETSC_EXTERN PetscErrorCode MrStationaryDestroy(MrStationary *st);
/* All eigenvalues of That, by decreasing real part (free with PetscFree2(wr, wi)). Not collective. */
PETSC_EXTERN PetscErrorCode MrModelThatEigenvalues(MrModel m, PetscInt *n, PetscReal **wr, PetscReal **wi);

/* Current dynamics without disorder (model.md 2a) for K initial conditions. */
typedef enum { MR_END_FIXED_POINT = 1, MR_END_LIMIT_CYCLE = 2, MR_END_NOT_CONVERGED = 3 } MrEndClass;
typedef struct {
  PetscReal *final;                         /* (K x C) end states */
  PetscReal *finalF;                        /* (K x R) filtered inputs at the end */
  PetscInt  *cls;                           /* (K) MrEndClass */
  PetscReal *period, *residual, *amplitude; /* (K) cycle period; max |dS/dt| at the end; amplitude over the second half */
  PetscInt   nfp;                           /* distinct fixed points */
  PetscReal *fp, *fpEigRe, *fpEigIm;        /* (nfp x C) each */
} MrCurrentsResult;
/* Integrates the K members (rank k % P takes member k) with Euler or RK4 for
   nsteps of h, classifies the end states. Results replicated. Collective. */
PETSC_EXTERN PetscErrorCode MrCurrentsBatch(MPI_Comm comm, MrModel m, const MrInputs *inputs, const PetscReal v0[], PetscInt K, const PetscReal S0[], PetscReal h, PetscInt nsteps, PetscBool rk4, MrCurrentsResult *res);
PETSC_EXTERN PetscErrorCode MrCurrentsResultDestroy(MrCurrentsResult *res);
