/* Analysis of networks with ScaLAPACK: the connectivity spectrum of one
   realisation, the dimension of activity, Lyapunov exponents. Every routine
   builds its BLACS grid from the communicator passed in (never MPI_COMM_WORLD). */
#pragma once
#include <mrdyn/connectivity.h>

/* The realisation whose connectivity is analysed: the same options as `simulate`. */
typedef struct {
  PetscInt64     seed;
  MrDisorderType dtype;
  MrPrecision    prec;
  PetscInt       K;  /* sparse disorder: nonzeros per row */
  PetscInt       nb; /* ScaLAPACK block size (>= 6) */
} MrRealisation;

/* Bytes per rank that MrConnectivityEigenvalues needs for n = sum N_r on P ranks
   with block size nb (the local matrix and ScaLAPACK's work). Not collective. */
PETSC_EXTERN PetscReal MrConnectivityMemory(PetscInt n, PetscMPIInt P, PetscInt nb);

/* All n = sum N_r eigenvalues of the connectivity W of the realisation, the
   matrix with recurrent input sum_j W_ij phi(x_j) (model.md section 1):
     W[(r,i),(s,j)] = delta_rs J^r_ij + sum_{channels c: s -> r} m^c_i n^c_j / N_s.
   W is filled block-cyclically straight from the Philox generators (nothing is
   gathered), reduced to Hessenberg form (pdgehrd) and to Schur form (pdhseqr).
   wr, wi (n each, allocated by the caller) are replicated on return, in
   ScaLAPACK's order. Collective on comm. */
PETSC_EXTERN PetscErrorCode MrConnectivityEigenvalues(MPI_Comm comm, MrModel model, const MrRealisation *re, PetscReal wr[], PetscReal wi[]);

/* Participation ratio of the activity saved by `simulate -save_activity`: rows
   [i0, i0 + nsamp) of /activity in the run file `path` (n = sum N_r neurons) are
   read block-cyclically, centred, and C = X^T X / (nsamp - 1) is formed with
   pdsyrk. pr[r] = (tr C_rr)^2 / tr(C_rr^2) per region, prTotal the same for the
   whole C, eig (n values, ascending) the eigenvalues of C from pdsyev. Results
   replicated. Collective on comm. */
PETSC_EXTERN PetscErrorCode MrActivityDimension(MPI_Comm comm, const char path[], PetscInt R, const PetscInt N[], PetscInt i0, PetscInt nsamp, PetscInt nb, PetscReal pr[], PetscReal *prTotal, PetscReal eig[]);

/* The `dimension` verb on a run file. Collective. */
PETSC_EXTERN PetscErrorCode MrDimensionVerb(MPI_Comm comm, const char run[]);

/* The `lyapunov` verb: the leading k Lyapunov exponents of a realised network
   (simulate's Euler trajectory and its tangent map, CholeskyQR2 over the
   layout's rows every -lyap_every steps). Collective. */
PETSC_EXTERN PetscErrorCode MrLyapunovVerb(MPI_Comm comm);

/* The `spectrum` verb (options from the database). Collective. */
PETSC_EXTERN PetscErrorCode MrSpectrumVerb(MPI_Comm comm);
