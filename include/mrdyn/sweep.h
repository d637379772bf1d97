/* Parameter sweeps (`mrdyn sweep`): a YAML file declares a base run and the
   parameters to vary; members run side by side on sub-communicators, each
   writes its own file named by a hash of its parameters, and a summary table
   collects parameters and observables (docs/sweep.md). */
#pragma once
#include <mrdyn/error.h>

typedef struct _p_MrSweep *MrSweep;

/* Dynamics of the currents at the end of a run (paper, Fig. 5). */
typedef enum { MR_DYN_FIXED_POINT = 0, MR_DYN_LIMIT_CYCLE = 1, MR_DYN_CHAOS = 2, MR_DYN_MIXED = 3, MR_DYN_FAILED = 4, MR_DYN_MISSING = 5 } MrDynClass;
PETSC_EXTERN const char *const MrDynClassNames[];

typedef struct {
  MrDynClass cls;
  PetscReal  amplitude; /* rms fluctuation of the currents in the window */
  PetscReal  level;     /* rms of the currents in the window */
  PetscReal  peak;      /* largest normalised autocovariance beyond its first zero */
  PetscReal  period;    /* lag of that peak (limit cycles), else NaN */
} MrDynamics;

/* Classifies a (nt, C) series of currents with time step dt from the autocovariance
   of its last `window` fraction: fixed point when the fluctuation is below
   1e-3 of the level (+1e-6), or when the currents are still settling (the last
   quarter of the window moves < 25% of what the first quarter moved); then the
   autocovariance on every k-th point (k = max(1, n/512) for n points); limit cycle when the autocovariance returns above
   0.9 after its first zero; chaos when it stays below 0.5; mixed otherwise. Not collective. */
PETSC_EXTERN PetscErrorCode MrClassifyCurrents(PetscInt nt, PetscInt C, const PetscReal S[], PetscReal dt, PetscReal window, MrDynamics *d);

/* Reads and expands a sweep file (rank 0 reads; errors are collective). Collective. */
PETSC_EXTERN PetscErrorCode MrSweepLoad(MPI_Comm comm, const char path[], MrSweep *sweep);
PETSC_EXTERN PetscErrorCode MrSweepDestroy(MrSweep *sweep);
/* Number of members. Not collective. */
PETSC_EXTERN PetscInt MrSweepSize(MrSweep sweep);
/* Runs members [first, last) not yet complete on sub-communicators of
   ranksPerMember ranks, then writes the summary of that range. Collective. */
PETSC_EXTERN PetscErrorCode MrSweepRun(MrSweep sweep, PetscInt first, PetscInt last, PetscInt ranksPerMember, const char summary[], PetscBool verbose);
/* Runs member m alone, in full, through its verb into the file out (and its generated
   model next to it, OUT-model.h5): a member file of any sweep with every dataset of
   a normal run. Collective. */
PETSC_EXTERN PetscErrorCode MrSweepRunMember(MrSweep sweep, PetscInt m, const char out[], PetscBool force);
/* Writes the summary table of members [first, last) from their files (missing
   members are listed as such). Collective (rank 0 reads and writes). */
PETSC_EXTERN PetscErrorCode MrSweepSummary(MrSweep sweep, PetscInt first, PetscInt last, const char summary[]);
/* The `sweep` verb. Collective. */
PETSC_EXTERN PetscErrorCode MrSweepVerb(MPI_Comm comm, const char path[]);
