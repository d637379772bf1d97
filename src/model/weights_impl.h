/* Internals of `mrdyn model weights`: the fit of one block and of the whole
   multiregion structure (fit.c), the extended model of a realisation (weights.c). */
#pragma once
#include <mrdyn/weights.h>
#include <stddef.h>

/* LAPACK's divide-and-conquer SVD (Debian's liblapack: hidden CHARACTER length last) */
void dgesdd_(const char *jobz, const int *m, const int *n, double *a, const int *lda, double *s, double *u, const int *ldu, double *vt, const int *ldvt, double *work, const int *lwork, int *iwork, int *info, size_t ljobz);

/* Warnings and notes of a block's fit (bits of MrBlockFit.flags) */
#define MR_FIT_CAPPED 1     /* more components above the bulk edge than -rank_max: not low-rank */
#define MR_FIT_NOT_RANDOM 2 /* the residual's spectrum is not that of a random block */
#define MR_FIT_IN_BULK 4    /* a component (forced by -rank) lies inside the bulk: not corrected */
#define MR_FIT_WEAK 8       /* a component close to the bulk edge: its overlaps are uncertain */
#define MR_FIT_CROSS 16     /* off-diagonal residual above rounding: cross-region disorder the theory leaves out */
#define MR_FIT_NONGAUSS 32  /* a component's vectors are far from Gaussian across neurons */
#define MR_FIT_WARNINGS (MR_FIT_CAPPED | MR_FIT_NOT_RANDOM | MR_FIT_NONGAUSS | MR_FIT_IN_BULK)

/* The fit of one block B (a x b: rows are neurons of the target region, columns of
   the source region), from its full SVD. */
typedef struct {
  PetscInt   a, b, nsv; /* rows, columns, min(a, b) */
  PetscBool  diag;      /* a within-region block */
  PetscReal *sv;        /* the nsv singular values, descending */
  PetscInt   exact;     /* components above the rounding threshold */
  PetscInt   rank;      /* components of the theory (channels) */
  PetscInt   keep;      /* components whose vectors are kept: rank (diagonal), exact (off-diagonal) */
  PetscReal *U, *V;     /* kept vectors, column-major: U (a x keep), V (b x keep), unit length */
  PetscReal  roundThr;  /* n eps s_max (eps of the input's precision) */
  PetscReal  sigmaMed;  /* per-entry noise sd from the median singular value (Marchenko-Pastur) */
  PetscReal  edge, thr; /* bulk edge sigmaMed (sqrt a + sqrt b), and the threshold used by -rank auto */
  PetscReal  sigma2Raw; /* per-entry variance of the residual, sum_{k >= rank} s_k^2 / (a b) */
  PetscReal  sigma2;    /* the same corrected for the disorder removed with the components */
  PetscReal  norm2;     /* |B|_F^2 */
  PetscReal  explained; /* fraction of |B|_F^2 in the theory's components */
  PetscReal  rho;       /* residual sum s^4 a b / ((sum s^2)^2 (a + b)): 1 for a random block, NaN without residual */
  PetscReal *theta;     /* per theory component: the signal's singular value (BBP), */
  PetscReal *cl, *cr;   /* the cosines of the fitted left and right vectors with the signal's, */
  PetscReal *detect;    /* x / x_c: the signal over the detection threshold (inf without bulk) */
  PetscReal *kurt;      /* kurtosis of sqrt(a) u and sqrt(b) v entries (2 per component) */
  PetscReal  recErr;    /* largest |B_ij - realised W_ij| */
  PetscReal  blockMax;  /* largest |B_ij| */
  PetscInt   flags;
} MrBlockFit;

/* Rank rule of a block: MR_RANK_AUTO or a fixed rank >= 0 */
#define MR_RANK_AUTO (-1)

/* Fits block B (a x b, column-major, overwritten): the SVD, the rank by the rule
   (capped by rankMax), the noise variance with its leakage correction, the
   spike signals and cosines, the residual statistics, and for a diagonal block
   the residual J = B - sum_{k < rank} s_k u_k v_k^T into Jout (a x b, row-major;
   NULL when the residual is at rounding level). Not collective. */
PETSC_INTERN PetscErrorCode MrFitBlock(PetscReal *B, PetscInt a, PetscInt b, PetscBool diag, PetscReal eps, PetscInt rule, PetscInt rankMax, MrBlockFit *bf, PetscReal **Jout);
PETSC_INTERN PetscErrorCode MrBlockFitDestroy(MrBlockFit *bf);
/* A block's fit (and its residual J or NULL) as one array of doubles, to send it
   to the rank that assembles the model, and back. Not collective. */
PETSC_INTERN PetscErrorCode MrBlockFitPack(const MrBlockFit *bf, const PetscReal *J, PetscInt *len, PetscReal **buf);
PETSC_INTERN PetscErrorCode MrBlockFitUnpack(const PetscReal *buf, MrBlockFit *bf, PetscReal **J);
/* The median of the Marchenko-Pastur law of ratio beta <= 1 (eigenvalues of X X^T / n
   for X p x n with unit-variance entries, beta = p/n). Not collective. */
PETSC_INTERN PetscReal MrMarchenkoPasturMedian(PetscReal beta);

/* The model extended by nh residual channels (target, source), after the model's
   own C channels, for an explicit realisation: no T entries, identity U, the
   readout variances and hash of the model. Collective (MrModelSetUp). */
PETSC_INTERN PetscErrorCode MrModelExtend(MrModel model, PetscInt nh, const PetscInt target[], const PetscInt source[], MrModel *ext);
