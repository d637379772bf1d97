/* The fixed-point manifold of symmetric interactions without self-loops is a
   polytope (the paper's appendix; docs/usage.md "mrdyn polytope").

   With c = u u^T - diag(b), u = sqrt(b) (make_T(a = 0, b)), g = 0, the current
   equations (model.md 2a) pair S^{ij} with S^{ji}. At a fixed point where every
   region is active, psi_i = 1/b_i, so the squared currents into region i add up
   to A_i = psi^{-1}(1/b_i) = (b_i^2 - 1) 2/pi, and S^{ji} = sqrt(b_j/b_i) S^{ij}.
   One variable per unordered pair p = {i, j}, i < j: x_p = (S^{ij})^2 (the
   squared current from the higher-numbered region j into i); then
   (S^{ji})^2 = (b_j/b_i) x_p, and region i's equality reads
     sum_{p = {i,j}} w_ip x_p = A_i,  w_ip = 1 (i < j), b_i/b_j (i > j),  x >= 0.
   The vertices are enumerated with cddlib's double description method in exact
   GMP rational arithmetic (the doubles b_i and A_i are taken as exact rationals). */
#pragma once
#include <mrdyn/error.h>

/* One polytope. Pairs are numbered as NumPy's triu_indices(R, 1): (0,1), (0,2),
   ..., (0,R-1), (1,2), ... */
typedef struct {
  PetscInt   R, P;      /* regions, pairs R(R-1)/2 */
  PetscInt  *pairs;     /* (P, 2): i < j */
  PetscReal *b, *A;     /* (R,) */
  PetscReal *weights;   /* (R, P): the equality matrix w_ip (0 where i is not in p) */
  PetscInt   nv;        /* vertex count; 0 when the polytope is empty */
  PetscReal *vertices;  /* (nv, P), the exact rational vertices rounded to double; NULL unless asked for */
  PetscInt   nfracture; /* variables nonzero at every vertex (0 when empty) */
  PetscInt   nzero;     /* variables zero at every vertex (0 when empty) */
  PetscBool *fracture;  /* (P,) */
  PetscBool *zero;      /* (P,) */
  PetscInt   dim;       /* affine dimension (exact); -1 when empty */
} MrPolytope;

/* A_i = psi^{-1}(1/b_i) = (b_i^2 - 1) 2/pi (psi(D) = 1/sqrt(1 + pi/2 D)). Not collective. */
PETSC_EXTERN PetscReal MrPolytopeTarget(PetscReal b);

/* Enumerates the vertices of the polytope of b[0..R) (every b_i > 1, R >= 3).
   keepVertices: also store the vertex coordinates. Not collective (runs on the
   calling process alone). */
PETSC_EXTERN PetscErrorCode MrPolytopeCompute(PetscInt R, const PetscReal b[], PetscBool keepVertices, MrPolytope *poly);
PETSC_EXTERN PetscErrorCode MrPolytopeDestroy(MrPolytope *poly);

/* Statistics over K draws of sorted b ~ U(lo, hi)^R (Philox keyed by seed, R,
   draw and attempt; a draw whose polytope is empty is drawn again, as in the
   paper). Draw k runs on rank k % size; the results are gathered on rank 0 in
   draw order (other ranks get zeros), so they do not depend on the number of
   ranks. Arrays of K (b: K x R, fracture: K x P 0/1) allocated by the caller.
   Collective on comm. */
typedef struct {
  PetscInt64 *nv, *nfracture, *nzero, *dim, *attempts, *fracture;
  PetscReal  *b, *seconds;
} MrPolytopeStats;
PETSC_EXTERN PetscErrorCode MrPolytopeStatistics(MPI_Comm comm, PetscInt R, PetscInt K, PetscInt64 seed, PetscReal lo, PetscReal hi, PetscInt maxAttempts, PetscReal progress, MrPolytopeStats *st);

/* The `polytope` verb: one polytope (-b b1,...,bR) or statistics (-R R -draws K).
   Collective on comm. */
PETSC_EXTERN PetscErrorCode MrPolytopeVerb(MPI_Comm comm);
