/* Internals of `mrdyn simulate` shared by the driver and its checkpoints. */
#pragma once
#include "network_impl.h"
#include <mrdyn/analysis.h>

typedef struct {
  char            model[PETSC_MAX_PATH_LEN], out[PETSC_MAX_PATH_LEN], input[4096];
  PetscBool       force, saveConn, help, dryRun;
  PetscReal       bandwidth, latency, network; /* -dry_run: GB/s per rank, microseconds, GB/s per rank */
  PetscInt64      seed, initSeed;
  PetscReal       dt, tfinal, progress;
  PetscInt        saveEvery, traces, buffer, K, trials, activityEvery;
  PetscReal      *S0, *v0;
  PetscInt        nS0, nv0;
  PetscBool       hasUniform; /* -init_uniform lo,hi */
  PetscReal       uniform[2];
  PetscReal       dtimes[64], dlagMax;
  PetscInt        ndref, dlagEvery;
  MrDisorderType  dtype;
  MrPrecision     prec;
  char            checkpoint[PETSC_MAX_PATH_LEN], restart[PETSC_MAX_PATH_LEN];
  PetscInt        ckptEvery;
  MrPartitionType partition;
  char            analysis[256];         /* -analysis: comma list */
  PetscBool       doLyap, doSpec, doDim; /* lyapunov in-line, spectrum of the realisation, dimension at the end */
  PetscReal       dimTstart;             /* -dimension_t_start */
  PetscInt        blockSize;             /* -block_size (spectrum) */
  PetscInt        lyapK, lyapEvery;      /* -lyap_k, -lyap_every */
  PetscReal       ttrans;                /* -t_transient */
} MrSimOptions;

typedef struct {
  MrNetwork      net;
  MrSimOptions  *opt;
  MrOutput       out;
  MrSeries       time, currents, variance, psi, traces, activity, activityTime;
  PetscInt       ntr, *trLocal;             /* owned trace rows: local state index */
  PetscReal     *rowbuf, *var, *ps, *rates; /* rates: phi(x) of the owned neurons (-save_activity) */
  PetscInt       lastSaved, nsaved;
  PetscLogDouble wall0, lastPrint;
  PetscLogStage  stageOutput;
  /* autocovariance (1/N) x(t_ref) . x(t_ref + lag) */
  PetscInt   nlag, *refStep;
  PetscReal *refTime;          /* the time of each reference step, as written */
  PetscReal *xref, *rec, *dot; /* nref x nx; nslices x nref x nlag; nslices */
  /* checkpoints and stop requests */
  PetscInt    startStep, lastDelta, lastCkpt, maxSteps, lastAct, nact; /* nact: rows of /activity */
  MPI_Request stopReq;
  int         stopFlag, stopAgreed, stopSignal;
  MrLyapunov  ly; /* -analysis lyapunov */
} MrSimCtx;

/* Writes the full state at `step` (after its row was saved) to the checkpoint
   file, atomically (a ".partial" renamed over the previous one), after flushing
   the output so that the rows it records are on disk. Collective. */
PETSC_INTERN PetscErrorCode MrSimCheckpointWrite(MrSimCtx *ctx, TS ts, PetscInt step, PetscReal t, Vec X);
/* Refuses, with one message, a -restart file that is not an intact, complete simulate checkpoint. Collective. */
PETSC_INTERN PetscErrorCode MrSimCheckpointCheck(MPI_Comm comm, const char path[]);
/* Restores the state, TS time, step and step size, and the counters from
   -restart FILE, checking that it belongs to this run. Returns the number of
   saved rows the output must be cut back to. Collective. */
PETSC_INTERN PetscErrorCode MrSimCheckpointRead(MrSimCtx *ctx, TS ts, Vec X, PetscInt64 *nsaved);
/* TS post-step: agrees on a stop request with a non-blocking reduction started
   one step earlier, so no rank waits on the others inside a step. Collective. */
PETSC_INTERN PetscErrorCode MrSimPostStep(TS ts);
