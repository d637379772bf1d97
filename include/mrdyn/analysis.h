/* Analysis of networks with ScaLAPACK: the connectivity spectrum of one
   realisation, the dimension of activity, Lyapunov exponents. Every routine
   builds its BLACS grid from the communicator passed in (never MPI_COMM_WORLD). */
#pragma once
#include <mrdyn/connectivity.h>
#include <mrdyn/network.h>

/* How the eigenvalues of W are found:
   lapack:    LAPACK's dgehrd and dhseqr (multishift QR with aggressive early
              deflation) on rank 0, with as many threads as there are ranks on
              its node (the other ranks wait without spinning): W is filled on
              rank 0 when every rank shares its node, else reduced to Hessenberg
              form on the grid (pdgehrd) and gathered there;
   scalapack: everything distributed (pdgehrd, then pdlahqr): for a matrix that
              does not fit one node;
   slepc:     only a few eigenvalues (outliers), Krylov-Schur on W applied
              matrix-free through the network (no n x n matrix);
   auto:      lapack when the gathered copy fits rank 0's node, else scalapack. */
typedef enum { MR_SPECTRUM_AUTO, MR_SPECTRUM_LAPACK, MR_SPECTRUM_SCALAPACK, MR_SPECTRUM_SLEPC } MrSpectrumMethod;
PETSC_EXTERN const char *const MrSpectrumMethods[];

/* The realisation whose connectivity is analysed: the same options as `simulate`. */
typedef struct {
  PetscInt64       seed;
  MrDisorderType   dtype;
  MrPrecision      prec;
  PetscInt         K;      /* sparse disorder: nonzeros per row */
  PetscInt         nb;     /* ScaLAPACK block size (>= 6) */
  MrSpectrumMethod method; /* auto (zero) until MrSpectrumCheck resolves it */
  PetscInt         threads; /* lapack: threads of rank 0's LAPACK (0: as many as ranks on its node) */
  const char      *lapack;  /* lapack with threads > 1: a threaded LAPACK to load (NULL: OpenBLAS's pthread build next to the linked one) */
} MrRealisation;

/* Bytes per rank that MrConnectivityEigenvalues needs for n = sum N_r on P ranks
   with block size nb (the local matrix and ScaLAPACK's work). Not collective. */
PETSC_EXTERN PetscReal MrConnectivityMemory(PetscInt n, PetscMPIInt P, PetscInt nb);

/* All n = sum N_r eigenvalues of the connectivity W of the realisation, the
   matrix with recurrent input sum_j W_ij phi(x_j) (model.md section 1):
     W[(r,i),(s,j)] = delta_rs J^r_ij + sum_{channels c: s -> r} m^c_i n^c_j / N_s.
   W is filled block-cyclically straight from the Philox generators, reduced to
   Hessenberg form (pdgehrd) and then, by re->method (lapack or scalapack, as
   resolved by MrSpectrumCheck), to Schur form with LAPACK's dhseqr on a copy
   gathered on rank 0, or with ScaLAPACK's pdlahqr on the grid.
   wr, wi (n each, allocated by the caller) are replicated on return, in
   the library's order. Collective on comm. */
PETSC_EXTERN PetscErrorCode MrConnectivityEigenvalues(MPI_Comm comm, MrModel model, const MrRealisation *re, PetscReal wr[], PetscReal wi[]);

/* Participation ratio of the activity saved by `simulate -save_activity`: rows
   [i0, i0 + nsamp) of /activity in the run file `path` (n = sum N_r neurons) are
   read block-cyclically, centred, and C = X^T X / (nsamp - 1) is formed with
   pdsyrk. pr[r] = (tr C_rr)^2 / tr(C_rr^2) per region, prTotal the same for the
   whole C, eig (n values, ascending) the eigenvalues of C from pdsyevd. Results
   replicated. Collective on comm. */
PETSC_EXTERN PetscErrorCode MrActivityDimension(MPI_Comm comm, const char path[], PetscInt R, const PetscInt N[], PetscInt i0, PetscInt nsamp, PetscInt nb, PetscReal pr[], PetscReal *prTotal, PetscReal eig[]);

/* The dimension of a run file's saved activity (rows at t >= tstart): used by
   the verb and by `simulate -analysis dimension`. */
typedef struct _p_MrDimension *MrDimension;
/* Reads the run file's shapes (rank 0), checks memory, and computes the
   participation ratios and eigenvalues (MrActivityDimension). Collective. */
PETSC_EXTERN PetscErrorCode MrDimensionCompute(MPI_Comm comm, const char run[], PetscReal tstart, PetscInt nb, MrDimension *dim);
/* PREFIX/{participation_ratio (R), participation_ratio_network (1),
   covariance_eigenvalues (n, descending), window (t_start, t_end, samples)}. Collective. */
PETSC_EXTERN PetscErrorCode MrDimensionWrite(MrDimension dim, MrOutput out, const char prefix[]);
/* Prints the ratios on rank 0. Collective. */
PETSC_EXTERN PetscErrorCode MrDimensionView(MrDimension dim);
PETSC_EXTERN PetscErrorCode MrDimensionDestroy(MrDimension *dim);

/* The `dimension` verb on a run file. Collective. */
PETSC_EXTERN PetscErrorCode MrDimensionVerb(MPI_Comm comm, const char run[]);

/* Lyapunov exponents along a network's trajectory: k tangent vectors follow
   the tangent map of the Euler step, Q <- Q + (h/tau)(-Q + W (phi'(x) o Q)),
   W applied as in the right-hand side (k values per channel through the
   exchange), re-orthonormalised by CholeskyQR2 over the layout's rows every
   `every` steps; log R_ii are summed after time ttrans. Used by the
   `lyapunov` verb and by `simulate -analysis lyapunov`. */
typedef struct _p_MrLyapunov *MrLyapunov;
/* k vectors (1..64) drawn from seed and orthonormalised; room for maxRecords
   running estimates. The network must have one trial. Collective. */
PETSC_EXTERN PetscErrorCode MrLyapunovCreate(MrNetwork net, PetscInt k, PetscInt every, PetscReal ttrans, PetscInt64 seed, PetscInt maxRecords, MrLyapunov *ly);
/* Moves the vectors along Euler step number `step` (0-based) of size h taken
   from the state x (owned rows) at time t. Collective. */
PETSC_EXTERN PetscErrorCode MrLyapunovStep(MrLyapunov ly, PetscInt step, PetscReal t, PetscReal h, const PetscReal x[]);
/* Orthonormalises once more if steps were taken since the last time (end of a
   run of `steps` steps at time t). Collective. */
PETSC_EXTERN PetscErrorCode MrLyapunovFinish(MrLyapunov ly, PetscInt steps, PetscReal t);
/* The current estimates (k values, replicated; NaN before the transient ends). Not collective. */
PETSC_EXTERN PetscErrorCode MrLyapunovGetExponents(MrLyapunov ly, PetscReal ex[], PetscReal *tacc);
/* /lyapunov/{exponents,time,running} and root attributes (lyap_k, lyap_every,
   t_transient, t_accumulated, current_exponent, running_change_last_quarter). Collective. */
PETSC_EXTERN PetscErrorCode MrLyapunovWrite(MrLyapunov ly, MrOutput o, PetscReal dt);
/* Checkpoint: the vectors in global neuron order and the sums, so a run
   continues on any number of ranks with the same bits. Collective. */
PETSC_EXTERN PetscErrorCode MrLyapunovSave(MrLyapunov ly, MrOutput ck);
PETSC_EXTERN PetscErrorCode MrLyapunovLoad(MrLyapunov ly, MrOutput ck);
PETSC_EXTERN PetscErrorCode MrLyapunovDestroy(MrLyapunov *ly);

/* The `lyapunov` verb: the leading k Lyapunov exponents of a realised network
   (simulate's Euler trajectory and its tangent map, CholeskyQR2 over the
   layout's rows every -lyap_every steps). Collective. */
PETSC_EXTERN PetscErrorCode MrLyapunovVerb(MPI_Comm comm);

/* The spectrum of one realisation and its theory (bulk radii g_r, That's
   eigenvalues and the outliers among them), used by the verb and by
   `simulate -analysis spectrum`. */
typedef struct _p_MrSpectrum *MrSpectrum;
/* Resolves re->method when it is auto: lapack when the dense problem with the
   gathered copy on rank 0 (plus `other` bytes per rank already in use) fits in
   a node's memory, else scalapack when the distributed problem fits, else slepc
   if `sparse` allows it. Stops with one message when the chosen (or forced)
   dense method does not fit or n is too large; need: bytes per rank of the
   dense path (0 for slepc). Collective. */
PETSC_EXTERN PetscErrorCode MrSpectrumCheck(MPI_Comm comm, MrModel model, MrRealisation *re, PetscReal other, PetscBool sparse, PetscReal *need);
/* Eigenvalues (MrConnectivityEigenvalues) sorted by decreasing modulus, and the theory. Collective. */
PETSC_EXTERN PetscErrorCode MrSpectrumCompute(MPI_Comm comm, MrModel model, const MrRealisation *re, MrSpectrum *sp);
/* PREFIX/eigenvalues (n, 2), PREFIX/theory/{outliers, that_eigenvalues, bulk_radius},
   root attribute spectral_radius. Collective. */
PETSC_EXTERN PetscErrorCode MrSpectrumWrite(MrSpectrum sp, MrOutput out, const char prefix[]);
/* Prints the time, the radius and the nearest eigenvalue of each predicted outlier on rank 0. Collective. */
PETSC_EXTERN PetscErrorCode MrSpectrumView(MrSpectrum sp);
PETSC_EXTERN PetscErrorCode MrSpectrumDestroy(MrSpectrum *sp);

/* A few eigenvalues with SLEPc (src/analysis/outliers.c): Krylov-Schur on a
   shell matrix whose product W v runs through the network's own layout and
   exchange, like its right-hand side (the disorder J of each region, then the
   projections n^c . v / N_s exchanged between regions and the inputs m^c):
   no n x n matrix is ever formed. */
typedef enum { MR_OUTLIERS_REAL, MR_OUTLIERS_MODULUS } MrOutliersWhich;
PETSC_EXTERN const char *const MrOutliersWhichTypes[];
/* The k eigenvalues of largest real part (or modulus) of W, or, when x (the
   network's owned rows of a state) is given, of the Jacobian
   -I + W diag(phi'(x)); -eps_* options apply (default tolerance 1e-12). The
   network must have one trial. With single-precision dense disorder the vector
   is rounded to float before J, as in the simulation. Collective. */
PETSC_EXTERN PetscErrorCode MrSpectrumOutliers(MrNetwork net, const PetscReal x[], PetscInt k, MrOutliersWhich which, MrSpectrum *sp);
/* What `simulate -analysis spectrum` computes when W is too large for the dense
   path: the eigenvalues of largest modulus, as many as That predicts outliers
   (at least one: then the bulk edge, which converges slowly). Collective. */
PETSC_EXTERN PetscErrorCode MrSpectrumOutliersDefault(MrNetwork net, MrSpectrum *sp);
/* The verb's part: builds the layout and network of the realisation (memory
   checked first), reads the state /state/x of `state` (a checkpoint, a
   lyapunov output, or a simulate run file) when given, and computes the
   outliers. Collective. */
PETSC_EXTERN PetscErrorCode MrSpectrumOutliersRealise(MPI_Comm comm, MrModel model, const MrRealisation *re, PetscInt k, MrOutliersWhich which, const char state[], MrSpectrum *sp);
/* Marks the options SLEPc reads (-eps_*, -st_*, -bv_*, -ds_*, -rg_*) as
   used, so the unknown-option check lets them through. Collective. */
PETSC_EXTERN PetscErrorCode MrOutliersClaimOptions(MPI_Comm comm);

/* The `spectrum` verb (options from the database). Collective. */
PETSC_EXTERN PetscErrorCode MrSpectrumVerb(MPI_Comm comm);
