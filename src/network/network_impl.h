/* Internals of the network simulator shared by network.c and simulate.c. */
#pragma once
#include <mrdyn/network.h>
#include <petscts.h>

struct _p_MrNetwork {
  MPI_Comm    comm;
  MrModel     model;
  MrLayout    layout;
  MrExchange  ex;
  PetscInt64  seed;
  PetscInt    nt; /* trials integrated together: value r of trial k at r * nt + k */
  PetscBool   tanh_;
  MrDisorder *J;        /* per slice */
  MrVectors  *vec;      /* per slice */
  PetscInt   *xoff;     /* per slice: offset of its rows in the local state */
  PetscInt    nx;       /* local neuron rows */
  PetscInt    nS, *Sch; /* channels whose current S this rank integrates (leader of the target) */
  PetscInt    nloc;     /* nx + nS */
  MrInputs    inputs;
  /* work */
  PetscReal    *phi, *phiFull, *part, *work, *sbar, *tot, *Iamp;
  PetscInt64    nrhs;
  PetscLogStage stageExchange;
  PetscLogEvent evDisorder, evProject, evGather;
};

PETSC_INTERN PetscErrorCode MrNetworkCreate(MrModel model, MrLayout layout, PetscInt64 seed, MrDisorderType dtype, MrPrecision prec, PetscInt K, PetscInt ntrial, MrNetwork *net);
PETSC_INTERN PetscErrorCode MrNetworkDestroy(MrNetwork *net);
PETSC_INTERN PetscErrorCode MrNetworkRHS(TS ts, PetscReal t, Vec X, Vec F, void *ctx);
/* Initial state of every trial q: x = sum m S0_q + sqrt(v0_r) xi (noise from seed + q), S = S0_q;
   S0 holds ntrial x C values. */
PETSC_INTERN PetscErrorCode MrNetworkInitialState(MrNetwork net, PetscInt64 seed, const PetscReal S0[], const PetscReal v0[], Vec X);
/* Per owned slice and trial: (1/N) sum_i a_i b_i over the region (a, b: local states), dot[k * ntrial + q]. Collective. */
PETSC_INTERN PetscErrorCode MrNetworkDot(MrNetwork net, const PetscReal a[], const PetscReal b[], PetscReal dot[]);
/* Per owned slice and trial (var[k * ntrial + q]): population variance and mean phi'. Collective. */
PETSC_INTERN PetscErrorCode MrNetworkDiagnostics(MrNetwork net, const PetscReal x[], PetscReal var[], PetscReal psi[]);
