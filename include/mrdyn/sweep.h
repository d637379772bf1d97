/* Parameter sweeps (`mrdyn sweep`): a YAML file declares a base run and the
   parameters to vary; members run side by side on sub-communicators, each
   writes its own file named by a hash of its parameters, and a summary table
   collects parameters and observables (docs/sweep.md). */
#pragma once
#include <mrdyn/error.h>

typedef struct _p_MrSweep *MrSweep;

/* Dynamics of the currents at the end of a run. Codes are stable (new ones are appended). */
typedef enum { MR_DYN_FIXED_POINT = 0, MR_DYN_LIMIT_CYCLE = 1, MR_DYN_CHAOS = 2, MR_DYN_MIXED = 3, MR_DYN_FAILED = 4, MR_DYN_MISSING = 5, MR_DYN_UNDETERMINED = 6 } MrDynClass;
PETSC_EXTERN const char *const MrDynClassNames[];

typedef struct {
  MrDynClass cls;
  PetscReal  amplitude; /* rms fluctuation of the currents in the window */
  PetscReal  level;     /* rms of the currents in the window */
  PetscReal  peak;      /* largest normalised autocovariance beyond its first zero */
  PetscReal  period;    /* lag of that peak (limit cycles), else NaN */
} MrDynamics;

/* Classifies a (nt, C) series of currents with time step dt from its last `window`
   fraction: n points, W = n dt (docs/sweep.md has the reasons). In order:
   failed: a non-finite value.
   fixed point: the rms fluctuation is <= 1e-3 of the rms level + 1e-6; or the
     currents settle (the last quarter of the window moves < 25% of what the first
     quarter moved, and <= 1% of the level + 1e-6); or they decay: the rms speed
     |S(t+dt) - S(t)| over each sixth of the window is <= 0.8 of that over the
     sixth before (floor((n-1)/6) steps each).
   Then A(l), the normalised autocovariance over the overlap of each lag l on every
   k-th point (k = max(1, n/512)), lags up to half the window. Its peak is its
   maximum after its first zero; the period P of a limit cycle is the first local
   maximum within 0.05 of the peak (parabola-refined), sought when the peak >= 0.9.
   The slowest period P_slow = 2 x the lag of A's first local minimum after its
   first zero, or P if larger.
   undetermined: A never reaches zero, or has no minimum after it; or W < 3 P_slow;
     or more than 25% of the variance lies in the window's first two Fourier
     harmonics (1 and 2 periods per window); or the rms fluctuation (about its own
     mean) over the last m P' of the window differs from that over the first m P'
     by more than a factor 0.9 either way (P' = P for a limit cycle, else P_slow;
     m = floor(W / (3 P'))): a decaying or growing oscillation.
   limit cycle: peak >= 0.9 (undetermined if P is not found); chaos: peak < 0.5;
   mixed otherwise.
   Not collective. */
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
