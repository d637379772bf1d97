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

PETSC_INTERN PetscErrorCode MrNetworkCreate(MrModel model, MrLayout layout, PetscInt64 seed, MrDisorderType dtype, MrPrecision prec, PetscInt K, MrNetwork *net);
PETSC_INTERN PetscErrorCode MrNetworkDestroy(MrNetwork *net);
PETSC_INTERN PetscErrorCode MrNetworkRHS(TS ts, PetscReal t, Vec X, Vec F, void *ctx);
/* Initial state x = sum_q m^{rq} S0^{rq} + sqrt(v0_r) xi, S = S0. */
PETSC_INTERN PetscErrorCode MrNetworkInitialState(MrNetwork net, PetscInt64 seed, const PetscReal S0[], const PetscReal v0[], Vec X);
/* Per owned slice: (1/N) sum_i a_i b_i over the region (a, b: local states). Collective. */
PETSC_INTERN PetscErrorCode MrNetworkDot(MrNetwork net, const PetscReal a[], const PetscReal b[], PetscReal dot[]);
/* Per region (leader only meaningful): population variance and mean phi'. Collective. */
PETSC_INTERN PetscErrorCode MrNetworkDiagnostics(MrNetwork net, const PetscReal x[], PetscReal var[], PetscReal psi[]);
