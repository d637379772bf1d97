/* Private: the spectrum object shared by spectrum.c (dense, the verb) and
   outliers.c (SLEPc on the network's operator). */
#pragma once
#include <mrdyn/analysis.h>

struct _p_MrSpectrum {
  MPI_Comm         comm;
  MrSpectrumMethod method;   /* lapack, scalapack or slepc */
  PetscBool        jacobian; /* slepc: eigenvalues of -I + W diag(phi'(x)) instead of W */
  PetscInt         which;    /* slepc: MrOutliersWhich */
  PetscInt         ntot;     /* neurons */
  PetscInt         n;        /* eigenvalues held: ntot (dense) or the converged ones (slepc) */
  PetscInt         nwant;    /* slepc: asked for */
  PetscInt         its;      /* slepc: restarts of Krylov-Schur */
  PetscInt         nthat, nout, R;
  PetscReal       *eig;  /* n x 2, dense: by decreasing modulus; slepc: by decreasing real part or modulus */
  PetscReal       *res;  /* slepc: n relative residual norms ||W v - lambda v|| / |lambda| */
  PetscReal       *pred; /* nout x 2: That's eigenvalues outside every bulk disk */
  PetscReal       *tall; /* nthat x 2: all of That's eigenvalues */
  PetscReal       *g;    /* bulk radii */
  PetscReal        radius, gmax, wall;
  PetscInt         threads;                    /* lapack: threads of rank 0's LAPACK */
  char             lapack[PETSC_MAX_PATH_LEN]; /* lapack: "linked", or the threaded library loaded */
};

/* The theory next to the eigenvalues: bulk radii, That's eigenvalues, the outliers among them. */
PETSC_INTERN PetscErrorCode MrSpectrumTheory(MrSpectrum s, MrModel model);
