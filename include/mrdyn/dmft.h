/* MrDmft: the mean-field theory of model.md section 2b (two-point functions with
   disorder) on a grid t_j = j dt, regions spread over ranks with the simulator's
   layout; only the drives H of the currents (one number per channel) cross ranks. */
#pragma once
#include <mrdyn/exchange.h>
#include <mrdyn/network.h>
#include <mrdyn/classify.h>

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
/* Keep the row Delta(t_{t0}, t_j), j >= t0, for the classification (mrdyn/classify.h):
   O(Nt - t0) memory per region. Not collective. */
PETSC_EXTERN PetscErrorCode MrDmftSetClassifyRow(MrDmft dmft, PetscInt t0);
/* The normalised two-point function of owned slice k from t0 to the current step:
   curve[l] = Delta(t0, t0+l) / sqrt(Delta(t0,t0) Delta(t0+l,t0+l)), *n values
   (curve may be NULL to get n). Not collective. */
PETSC_EXTERN PetscErrorCode MrDmftGetClassifyCurve(MrDmft dmft, PetscInt k, PetscInt *n, PetscReal curve[]);
/* Keep the whole upper triangles of Delta and Gamma (small Nt only). */
PETSC_EXTERN PetscErrorCode MrDmftSetKeepFull(MrDmft dmft, PetscBool keep);

/* The curve's value at the current step of owned slice k (step >= t0). Not collective. */
PETSC_EXTERN PetscErrorCode MrDmftGetClassifyValue(MrDmft dmft, PetscInt k, PetscReal *value);
/* Ends MrDmftRun after the current step (from a monitor; every rank of the layout
   must call it at the same step). Not collective. */
PETSC_EXTERN PetscErrorCode MrDmftStop(MrDmft dmft);
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

/* The settings of a `dmft` run, read from the options database (docs/usage.md). */
typedef struct {
  char         model[PETSC_MAX_PATH_LEN], out[PETSC_MAX_PATH_LEN], input[4096];
  PetscInt     mode; /* 0: twopoint, 1: currents, 2: stationary */
  MrDmftScheme scheme;
  PetscInt     integrator; /* currents mode: 0 rk4, 1 euler */
  PetscReal    dt, tFinal;
  PetscInt     Nt, saveEvery, window;
  PetscInt64   seed;     /* draw of the initial currents */
  PetscInt     nS0, nv0; /* given initial currents (C) and variances (1 or R); 0: defaults */
  PetscReal   *S0, *v0;
  PetscBool    hasUniform; /* -init_uniform lo,hi */
  PetscReal    uniform[2];
  PetscInt     nref, lagEvery; /* -delta_times, -delta_lag_every */
  PetscReal    refT[64], lagMax;
  PetscBool    force, saveFull, stationary, help;
  PetscBool    classify;     /* -classify */
  PetscBool    classifyStop; /* -classify_early_stop: end once every region's label is settled */
  PetscBool    keepSeries;   /* keep the saved currents in the result (sweep members) */
  PetscReal    classifyT0;   /* -classify_t0 (negative: default) */
  PetscInt     t0;           /* the step it starts at */
  PetscInt     nsilence, silence[64];
  PetscInt     dynEvery; /* -dynamic_spectrum K */
  PetscReal    dynStart;
  PetscInt     batch;
  PetscReal    initSize, progress;
  /* -mode stationary (stationary_out.c): -g_scan, -stationary_lambda, -delta_tau_* */
  char      gScan[128];
  PetscInt  ng, nLambda, nTauG;
  PetscReal gLo, gHi, lambda[1024], tauG[64], tauMax, tauStep;
} MrDmftOptions;

/* Reads and checks the settings that do not depend on the model. Collective. */
PETSC_EXTERN PetscErrorCode MrDmftOptionsRead(MPI_Comm comm, MrDmftOptions *opt);
/* Checks the settings against the model. Collective. */
PETSC_EXTERN PetscErrorCode MrDmftOptionsCheckModel(MPI_Comm comm, const MrDmftOptions *opt, MrModel model);
PETSC_EXTERN PetscErrorCode MrDmftOptionsDestroy(MrDmftOptions *opt);
/* Stops with an input error naming an option of the database that the dmft verb did not use. Collective. */
PETSC_EXTERN PetscErrorCode MrDmftOptionsCheckUnused(MPI_Comm comm);

/* What a two-point solve ends with, replicated on every rank. */
typedef struct {
  PetscInt   R, C;
  PetscReal *S, *variance, *psi; /* (C), (R), (R): the last grid point */
  MrLabel   *label;              /* (R) with opt->classify */
  PetscReal  wall;               /* seconds of the solve */
  PetscInt   steps;              /* grid steps run (Nt - 1 unless stopped early) */
  PetscInt   nt;                 /* with opt->keepSeries: saved rows of series (nt x C) every dtSaved */
  PetscReal *series, dtSaved;
} MrDmftResult;
PETSC_EXTERN PetscErrorCode MrDmftResultDestroy(MrDmftResult *res);

/* One two-point solve (model.md 2b) of the model with these settings on comm;
   writes the run file's datasets into out when out is not NULL (else prints
   nothing: sweep members). Collective. */
PETSC_EXTERN PetscErrorCode MrDmftTwoPoint(MPI_Comm comm, MrModel model, const MrDmftOptions *opt, const MrInputs *inputs, MrOutput out, MrDmftResult *res);

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

/* One region's stationary theory with structure and disorder (model.md 2c, the
   paper's Figs. 3-4): the structure fixes psi(Delta0s) = 1/lambda, the disorder is g. */
typedef enum {
  MR_BRANCH_STATIC          = 0, /* chaos suppressed: Delta_inf = Delta0s, A = A_fp */
  MR_BRANCH_CHAOS_STRUCTURE = 1, /* chaos with structure: Delta_inf < Delta0s, A > 0 */
  MR_BRANCH_CHAOS           = 2, /* structure lost: A = 0, Delta0 = the SCS variance */
  MR_BRANCH_QUIESCENT       = 3  /* no structure, g <= 1: x -> 0 */
} MrStationaryBranch;
PETSC_EXTERN const char *const MrStationaryBranchNames[];
typedef struct {
  PetscReal          Delta0s;   /* psi^{-1}(1/lambda) (0: no structure) */
  PetscReal          Delta0;    /* the state's variance: Delta0s, or the SCS variance on the chaos branch */
  PetscReal          DeltaInf;  /* Delta(tau -> infinity) */
  PetscReal          A;         /* structured variance sum U S S, clipped at 0 */
  PetscReal          Afp;       /* static solution continued: Delta0s - g^2 C(Delta0s, Delta0s, Delta0s) (< 0: none) */
  PetscReal          Delta0Scs; /* Sompolinsky-Crisanti-Sommers variance at g (NaN for g <= 1) */
  MrStationaryBranch branch;
} MrStationaryPoint;
/* psi^{-1}: the variance D with psi(D) = psi. */
PETSC_EXTERN PetscReal MrPsiInverse(PetscReal psi);
/* The stationary state of a region at disorder g: static for g <= g_onset, chaos
   with structure (Delta_inf the root of V(Delta_inf) = V(Delta0s)) up to g_end,
   then chaos without structure. Not collective. */
PETSC_EXTERN PetscErrorCode MrStationaryRegion(PetscReal Delta0s, PetscReal g, MrStationaryPoint *p);
/* g_onset = (1 + pi Delta0s)^(1/4), where the static state loses stability
   (g^2 <phi'(x)^2> = 1), and g_end, where the SCS variance reaches Delta0s and the
   structured chaos ends (A = 0). Either pointer may be NULL. Not collective. */
PETSC_EXTERN PetscErrorCode MrStationaryCriticalG(PetscReal Delta0s, PetscReal *gOnset, PetscReal *gEnd);
/* Delta(tau) at tau = 0, h, .., (n-1) h from the stationary ODE
   Delta'' = Delta - g^2 C(Delta0, Delta0, Delta) - A, Delta(0) = Delta0, Delta'(0) = 0
   (RK4; static states are constant; the fall onto Delta_inf is held there). Not collective. */
PETSC_EXTERN PetscErrorCode MrStationaryDeltaTau(const MrStationaryPoint *p, PetscReal g, PetscInt n, PetscReal h, PetscReal delta[]);
/* All eigenvalues of That, by decreasing real part (free with PetscFree2(wr, wi)); none for C > 4000. Not collective. */
PETSC_EXTERN PetscErrorCode MrModelThatEigenvalues(MrModel m, PetscInt *n, PetscReal **wr, PetscReal **wi);
/* The same for That[(r,s),(s,q)] = T[r,s,q] psi_s (psi: (R) per middle region s, NULL:
   1; the paper's "dynamic spectrum"), with the currents out of the regions with
   silenced[s] (NULL: none) removed (T[:, s, :] = 0). Not collective. */
PETSC_EXTERN PetscErrorCode MrModelThatEigenvaluesEx(MrModel m, const PetscReal psi[], const PetscBool silenced[], PetscInt *n, PetscReal **wr, PetscReal **wi);

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
