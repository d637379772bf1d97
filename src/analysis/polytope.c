/* The fixed-point polytope of symmetric interactions without self-loops (the
   paper's appendix): vertices by cddlib's double description method in exact
   GMP rational arithmetic, and statistics over random b. */
#include <mrdyn/polytope.h>
#include <mrdyn/io.h>
#include <mrdyn/rng.h>
#include <stdlib.h>
/* libcddgmp's dd_ functions work on mpq_t; libcdd's (plain doubles) have the
   same names, so only libcddgmp is linked (meson.build). */
#define GMPRATIONAL
#include <cddlib/setoper.h>
#include <cddlib/cdd.h>

PetscReal MrPolytopeTarget(PetscReal b) { return (b * b - 1) * 2 / PETSC_PI; }

/* Rank of the m x n rational matrix M (row-major; destroyed) by Gaussian elimination. */
static PetscInt MrRankQ(PetscInt m, PetscInt n, mpq_t *M)
{
  PetscInt rank = 0;
  mpq_t    f, t;

  mpq_init(f);
  mpq_init(t);
  for (PetscInt c = 0; c < n && rank < m; c++) {
    PetscInt piv = -1;
    for (PetscInt r = rank; r < m && piv < 0; r++)
      if (mpq_sgn(M[r * n + c])) piv = r;
    if (piv < 0) continue;
    if (piv != rank)
      for (PetscInt k = 0; k < n; k++) mpq_swap(M[piv * n + k], M[rank * n + k]);
    for (PetscInt r = rank + 1; r < m; r++) {
      if (!mpq_sgn(M[r * n + c])) continue;
      mpq_div(f, M[r * n + c], M[rank * n + c]);
      for (PetscInt k = c; k < n; k++) {
        mpq_mul(t, f, M[rank * n + k]);
        mpq_sub(M[r * n + k], M[r * n + k], t);
      }
    }
    rank++;
  }
  mpq_clear(f);
  mpq_clear(t);
  return rank;
}

PetscErrorCode MrPolytopeCompute(PetscInt R, const PetscReal b[], PetscBool keep, MrPolytope *poly)
{
  const PetscInt  P = R * (R - 1) / 2;
  dd_MatrixPtr    M = NULL, G = NULL;
  dd_PolyhedraPtr H   = NULL;
  dd_ErrorType    err = dd_NoError;
  mpq_t          *bq, *E, x;
  PetscInt        nv = 0, nray = 0, p;

  PetscFunctionBegin;
  PetscCheck(R >= 3, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "polytope: R = %" PetscInt_FMT " < 3", R);
  PetscCall(PetscMemzero(poly, sizeof(*poly)));
  poly->R = R;
  poly->P = P;
  PetscCall(PetscMalloc4(2 * P, &poly->pairs, R, &poly->b, R, &poly->A, R * P, &poly->weights));
  PetscCall(PetscCalloc2(P, &poly->fracture, P, &poly->zero));
  PetscCall(PetscMalloc2(R, &bq, R * P, &E));
  for (PetscInt i = 0; i < R; i++) {
    PetscCheck(b[i] > 1 && PetscIsNormalReal(b[i]), PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "polytope: b[%" PetscInt_FMT "] = %g is not > 1", i, (double)b[i]);
    poly->b[i] = b[i];
    poly->A[i] = MrPolytopeTarget(b[i]);
    mpq_init(bq[i]);
    mpq_set_d(bq[i], b[i]); /* exact: a double is a rational */
  }
  for (PetscInt k = 0; k < R * P; k++) {
    mpq_init(E[k]);
    poly->weights[k] = 0;
  }
  p = 0;
  for (PetscInt i = 0; i < R; i++)
    for (PetscInt j = i + 1; j < R; j++, p++) {
      poly->pairs[2 * p]     = i;
      poly->pairs[2 * p + 1] = j;
      mpq_set_ui(E[i * P + p], 1, 1);      /* region i < j: (S^{ij})^2 = x_p */
      mpq_div(E[j * P + p], bq[j], bq[i]); /* region j > i: (S^{ji})^2 = (b_j/b_i) x_p */
      poly->weights[i * P + p] = 1;
      poly->weights[j * P + p] = b[j] / b[i];
    }

  /* H-representation, rows [A_i | -w_i] (equalities) and [0 | e_p] (x_p >= 0): b - A x >= 0 in cddlib's form */
  dd_set_global_constants();
  M                 = dd_CreateMatrix(R + P, P + 1);
  M->representation = dd_Inequality;
  M->numbtype       = dd_Rational;
  for (PetscInt i = 0; i < R; i++) {
    mpq_set_d(M->matrix[i][0], poly->A[i]);
    for (PetscInt q = 0; q < P; q++) mpq_neg(M->matrix[i][1 + q], E[i * P + q]);
    set_addelem(M->linset, i + 1);
  }
  for (PetscInt q = 0; q < P; q++) mpq_set_ui(M->matrix[R + q][1 + q], 1, 1);
  H = dd_DDMatrix2Poly2(M, dd_LexMax, &err); /* inequalities in lexicographically largest order first: 1.7-2.5x faster than the default at R = 7 */
  if (err == dd_NoError) G = dd_CopyGenerators(H);
  if (G) {
    for (dd_rowrange k = 0; k < G->rowsize; k++) {
      if (mpq_sgn(G->matrix[k][0]) > 0)
        nv++;
      else
        nray++;
    }
    nray += set_card(G->linset) > 0;
  }
  PetscCheck(err == dd_NoError && G && nray == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "cddlib failed on the polytope of R = %" PetscInt_FMT " (error %d, %" PetscInt_FMT " rays or lines)", R, (int)err, nray);

  poly->nv = nv;
  if (keep) PetscCall(PetscMalloc1(nv * P + 1, &poly->vertices));
  for (PetscInt q = 0; q < P; q++) poly->fracture[q] = poly->zero[q] = (PetscBool)(nv > 0);
  mpq_init(x);
  nv = 0;
  for (dd_rowrange k = 0; k < G->rowsize; k++) {
    if (mpq_sgn(G->matrix[k][0]) <= 0) continue;
    for (PetscInt q = 0; q < P; q++) {
      mpq_div(x, G->matrix[k][1 + q], G->matrix[k][0]); /* a vertex row is (1, x) up to scale */
      if (mpq_sgn(x))
        poly->zero[q] = PETSC_FALSE;
      else
        poly->fracture[q] = PETSC_FALSE;
      if (keep) poly->vertices[nv * P + q] = mpq_get_d(x);
    }
    nv++;
  }
  mpq_clear(x);
  for (PetscInt q = 0; q < P; q++) {
    poly->nfracture += poly->fracture[q];
    poly->nzero += poly->zero[q];
  }
  /* the affine hull is {E x = A, x_q = 0 for the variables zero at every vertex} */
  if (poly->nv) {
    PetscInt n = 0;
    for (PetscInt q = 0; q < P; q++) {
      if (poly->zero[q]) continue;
      for (PetscInt i = 0; i < R; i++) mpq_set(E[i * P + n], E[i * P + q]);
      n++;
    }
    for (PetscInt i = 0; i < R; i++) /* compact the rows to R x n */
      for (PetscInt q = 0; q < n; q++) mpq_set(E[i * n + q], E[i * P + q]);
    poly->dim = n - MrRankQ(R, n, E);
  } else
    poly->dim = -1;

  dd_FreeMatrix(G);
  dd_FreePolyhedra(H);
  dd_FreeMatrix(M);
  dd_free_global_constants();
  for (PetscInt k = 0; k < R * P; k++) mpq_clear(E[k]);
  for (PetscInt i = 0; i < R; i++) mpq_clear(bq[i]);
  PetscCall(PetscFree2(bq, E));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrPolytopeDestroy(MrPolytope *poly)
{
  PetscFunctionBegin;
  PetscCall(PetscFree4(poly->pairs, poly->b, poly->A, poly->weights));
  PetscCall(PetscFree2(poly->fracture, poly->zero));
  PetscCall(PetscFree(poly->vertices));
  PetscCall(PetscMemzero(poly, sizeof(*poly)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static int MrCmpReal(const void *a, const void *b)
{
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

PetscErrorCode MrPolytopeStatistics(MPI_Comm comm, PetscInt R, PetscInt K, PetscInt64 seed, PetscReal lo, PetscReal hi, PetscInt maxAttempts, PetscReal progress, MrPolytopeStats *st)
{
  const PetscInt P = R * (R - 1) / 2, nblk = (R + 3) / 4;
  PetscMPIInt    rank, size;
  PetscReal     *b, t0, tlast;
  PetscInt       mine = 0, done = 0;
  PetscInt64     failed = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscMalloc1(4 * nblk, &b));
  PetscCall(PetscArrayzero(st->nv, K));
  PetscCall(PetscArrayzero(st->nfracture, K));
  PetscCall(PetscArrayzero(st->nzero, K));
  PetscCall(PetscArrayzero(st->dim, K));
  PetscCall(PetscArrayzero(st->attempts, K));
  PetscCall(PetscArrayzero(st->fracture, K * P));
  PetscCall(PetscArrayzero(st->b, K * R));
  PetscCall(PetscArrayzero(st->seconds, K));
  for (PetscInt k = rank; k < K; k += size) mine++;
  PetscCall(PetscTime(&t0));
  tlast = t0;
  for (PetscInt k = rank; k < K; k += size) { /* draw k on rank k % size: the same draws on any number of ranks */
    MrPolytope poly;
    PetscReal  ts, te;
    PetscInt   a;
    PetscCall(PetscTime(&ts));
    for (a = 0; a < maxAttempts; a++) {
      for (PetscInt j = 0; j < nblk; j++) MrUniform4((uint64_t)seed, MR_STREAM_POLYTOPE, (uint64_t)R, (uint64_t)k, (uint64_t)(a * nblk + j), b + 4 * j);
      for (PetscInt i = 0; i < R; i++) b[i] = lo + (hi - lo) * b[i];
      qsort(b, (size_t)R, sizeof(PetscReal), MrCmpReal);
      PetscCall(MrPolytopeCompute(R, b, PETSC_FALSE, &poly));
      if (poly.nv > 0) break; /* the paper draws again when the polytope is empty */
      PetscCall(MrPolytopeDestroy(&poly));
    }
    PetscCall(PetscTime(&te));
    st->seconds[k]  = te - ts;
    st->attempts[k] = a < maxAttempts ? a + 1 : maxAttempts;
    if (a == maxAttempts) {
      failed++;
      continue;
    }
    st->nv[k]        = poly.nv;
    st->nfracture[k] = poly.nfracture;
    st->nzero[k]     = poly.nzero;
    st->dim[k]       = poly.dim;
    for (PetscInt q = 0; q < P; q++) st->fracture[k * P + q] = poly.fracture[q];
    for (PetscInt i = 0; i < R; i++) st->b[k * R + i] = b[i];
    PetscCall(MrPolytopeDestroy(&poly));
    done++;
    if (rank == 0 && progress > 0 && te - tlast >= progress) {
      tlast = te;
      PetscCall(PetscPrintf(PETSC_COMM_SELF, "  rank 0: %" PetscInt_FMT " of its %" PetscInt_FMT " draws in %.1f s, about %.0f s to go\n", done, mine, te - t0, (te - t0) / done * (mine - done)));
    }
  }
  /* every draw was made by exactly one rank, the rest are zeros: sums are exact */
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPIU_INT64, MPI_SUM, comm));
  MrCheckInput(comm, failed == 0, "polytope: %lld of %" PetscInt_FMT " draws gave an empty polytope %" PetscInt_FMT " times in a row (-max_attempts)", (long long)failed, K, maxAttempts);
  PetscCallMPI(MPI_Reduce(rank ? st->nv : MPI_IN_PLACE, st->nv, (int)K, MPIU_INT64, MPI_SUM, 0, comm));
  PetscCallMPI(MPI_Reduce(rank ? st->nfracture : MPI_IN_PLACE, st->nfracture, (int)K, MPIU_INT64, MPI_SUM, 0, comm));
  PetscCallMPI(MPI_Reduce(rank ? st->nzero : MPI_IN_PLACE, st->nzero, (int)K, MPIU_INT64, MPI_SUM, 0, comm));
  PetscCallMPI(MPI_Reduce(rank ? st->dim : MPI_IN_PLACE, st->dim, (int)K, MPIU_INT64, MPI_SUM, 0, comm));
  PetscCallMPI(MPI_Reduce(rank ? st->attempts : MPI_IN_PLACE, st->attempts, (int)K, MPIU_INT64, MPI_SUM, 0, comm));
  PetscCallMPI(MPI_Reduce(rank ? st->fracture : MPI_IN_PLACE, st->fracture, (int)(K * P), MPIU_INT64, MPI_SUM, 0, comm));
  PetscCallMPI(MPI_Reduce(rank ? st->b : MPI_IN_PLACE, st->b, (int)(K * R), MPIU_REAL, MPI_SUM, 0, comm));
  PetscCallMPI(MPI_Reduce(rank ? st->seconds : MPI_IN_PLACE, st->seconds, (int)K, MPIU_REAL, MPI_SUM, 0, comm));
  PetscCall(PetscFree(b));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static const char *const MrPolyKnown[] = {"-b", "-R", "-draws", "-seed", "-b_range", "-max_attempts", "-o", "-force", "-progress", NULL};

#define MR_POLY_RMAX 9

/* One polytope: /b, /A, /pairs, /weights, /vertices, /fracture, /zero and attributes. */
static PetscErrorCode MrPolytopeOne(MPI_Comm comm, PetscInt R, const PetscReal b[], const char out[], PetscMPIInt size)
{
  MrPolytope poly;
  MrOutput   o;
  long long *ib;
  PetscReal  t0, t1;
  PetscInt   P;
  hsize_t    dr, dp[2], dw[2], dv[2];

  PetscFunctionBegin;
  /* replicated input, the same exact computation on every rank: no broadcast needed */
  PetscCall(PetscTime(&t0));
  PetscCall(MrPolytopeCompute(R, b, PETSC_TRUE, &poly));
  PetscCall(PetscTime(&t1));
  P     = poly.P;
  dr    = (hsize_t)R;
  dp[0] = (hsize_t)P;
  dp[1] = 2;
  dw[0] = (hsize_t)R;
  dw[1] = (hsize_t)P;
  dv[0] = (hsize_t)poly.nv;
  dv[1] = (hsize_t)P;
  PetscCall(PetscMalloc1(2 * P, &ib));
  PetscCall(MrOutputCreate(comm, out, &o));
  PetscCall(MrOutputWriteRoot(o, "/b", H5T_NATIVE_DOUBLE, 1, &dr, poly.b));
  PetscCall(MrOutputWriteRoot(o, "/A", H5T_NATIVE_DOUBLE, 1, &dr, poly.A));
  for (PetscInt k = 0; k < 2 * P; k++) ib[k] = poly.pairs[k];
  PetscCall(MrOutputWriteRoot(o, "/pairs", H5T_NATIVE_LLONG, 2, dp, ib));
  PetscCall(MrOutputWriteRoot(o, "/weights", H5T_NATIVE_DOUBLE, 2, dw, poly.weights));
  if (poly.nv)
    PetscCall(MrOutputWriteRoot(o, "/vertices", H5T_NATIVE_DOUBLE, 2, dv, poly.vertices));
  else { /* an empty polytope: a (0, P) dataset (HDF5 refuses to write nothing) */
    hid_t sp, d;
    PetscCallH5(sp = H5Screate_simple(2, dv, NULL));
    PetscCallH5(d = H5Dcreate2(MrOutputFile(o), "/vertices", H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    PetscCallH5(H5Dclose(d));
    PetscCallH5(H5Sclose(sp));
  }
  for (PetscInt q = 0; q < P; q++) ib[q] = poly.fracture[q];
  PetscCall(MrOutputWriteRoot(o, "/fracture", H5T_NATIVE_LLONG, 1, dp, ib));
  for (PetscInt q = 0; q < P; q++) ib[q] = poly.zero[q];
  PetscCall(MrOutputWriteRoot(o, "/zero", H5T_NATIVE_LLONG, 1, dp, ib));
  PetscCall(MrOutputProvenance(o, "polytope", "", ""));
  PetscCall(MrOutputAttrString(o, "mode", "single"));
  PetscCall(MrOutputAttrString(o, "arithmetic", "cddlib double description, " dd_ARITHMETIC " (exact)"));
  PetscCall(MrOutputAttrInt(o, "R", R));
  PetscCall(MrOutputAttrInt(o, "P", P));
  PetscCall(MrOutputAttrInt(o, "vertex_count", poly.nv));
  PetscCall(MrOutputAttrInt(o, "fracture_count", poly.nfracture));
  PetscCall(MrOutputAttrInt(o, "zero_count", poly.nzero));
  PetscCall(MrOutputAttrInt(o, "dimension", poly.dim));
  PetscCall(MrOutputAttrInt(o, "mpi_size", size));
  PetscCall(MrOutputAttrReal(o, "wall_time", t1 - t0));
  PetscCall(MrOutputFinish(&o));

  PetscCall(PetscPrintf(comm, "mrdyn polytope: R = %" PetscInt_FMT " regions, %" PetscInt_FMT " pair variables, %" PetscInt_FMT " equalities (exact GMP rationals, %.3f s)\n", R, P, R, t1 - t0));
  PetscCall(PetscPrintf(comm, "  A = psi^-1(1/b):"));
  for (PetscInt i = 0; i < R; i++) PetscCall(PetscPrintf(comm, " %.6g", (double)poly.A[i]));
  PetscCall(PetscPrintf(comm, "\n"));
  if (!poly.nv)
    PetscCall(PetscPrintf(comm, "  empty: no fixed point with every region active\n"));
  else {
    PetscCall(PetscPrintf(comm, "  %" PetscInt_FMT " vertices, dimension %" PetscInt_FMT "; %" PetscInt_FMT " fracture variables (nonzero at every vertex)", poly.nv, poly.dim, poly.nfracture));
    for (PetscInt q = 0; q < P; q++)
      if (poly.fracture[q]) PetscCall(PetscPrintf(comm, " {%" PetscInt_FMT ",%" PetscInt_FMT "}", poly.pairs[2 * q], poly.pairs[2 * q + 1]));
    PetscCall(PetscPrintf(comm, "; %" PetscInt_FMT " variables zero at every vertex\n", poly.nzero));
  }
  PetscCall(PetscPrintf(comm, "  wrote %s\n", out));
  PetscCall(PetscFree(ib));
  PetscCall(MrPolytopeDestroy(&poly));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Statistics over K draws: per-draw datasets and a summary by fracture count. */
static PetscErrorCode MrPolytopeMany(MPI_Comm comm, PetscInt R, PetscInt K, PetscInt64 seed, const PetscReal range[2], PetscInt maxAttempts, PetscReal progress, const char out[], PetscMPIInt size)
{
  const PetscInt  P = R * (R - 1) / 2;
  MrPolytopeStats st;
  MrOutput        o;
  PetscReal       t0, t1, *buf;
  long long      *ib;
  hsize_t         dk = (hsize_t)K, dkr[2] = {(hsize_t)K, (hsize_t)R}, dkp[2] = {(hsize_t)K, (hsize_t)P}, dp[2] = {(hsize_t)P, 2};
  PetscInt        p = 0;

  PetscFunctionBegin;
  PetscCall(PetscMalloc6(K, &st.nv, K, &st.nfracture, K, &st.nzero, K, &st.dim, K, &st.attempts, K * P, &st.fracture));
  PetscCall(PetscMalloc2(K * R, &st.b, K, &st.seconds));
  PetscCall(PetscPrintf(comm, "mrdyn polytope: %" PetscInt_FMT " draws of sorted b ~ U(%g, %g)^%" PetscInt_FMT " on %d ranks (seed %lld)\n", K, (double)range[0], (double)range[1], R, size, (long long)seed));
  PetscCallMPI(MPI_Barrier(comm));
  PetscCall(PetscTime(&t0));
  PetscCall(MrPolytopeStatistics(comm, R, K, seed, range[0], range[1], maxAttempts, progress, &st));
  PetscCall(PetscTime(&t1));

  PetscCall(MrOutputCreate(comm, out, &o));
  PetscCall(MrOutputWriteRoot(o, "/b", H5T_NATIVE_DOUBLE, 2, dkr, st.b));
  PetscCall(MrOutputWriteRoot(o, "/vertex_count", H5T_NATIVE_LLONG, 1, &dk, st.nv));
  PetscCall(MrOutputWriteRoot(o, "/fracture_count", H5T_NATIVE_LLONG, 1, &dk, st.nfracture));
  PetscCall(MrOutputWriteRoot(o, "/zero_count", H5T_NATIVE_LLONG, 1, &dk, st.nzero));
  PetscCall(MrOutputWriteRoot(o, "/dimension", H5T_NATIVE_LLONG, 1, &dk, st.dim));
  PetscCall(MrOutputWriteRoot(o, "/attempts", H5T_NATIVE_LLONG, 1, &dk, st.attempts));
  PetscCall(MrOutputWriteRoot(o, "/fracture", H5T_NATIVE_LLONG, 2, dkp, st.fracture));
  PetscCall(MrOutputWriteRoot(o, "/seconds", H5T_NATIVE_DOUBLE, 1, &dk, st.seconds));
  PetscCall(PetscMalloc1(2 * P, &ib));
  for (PetscInt i = 0; i < R; i++)
    for (PetscInt j = i + 1; j < R; j++, p++) {
      ib[2 * p]     = i;
      ib[2 * p + 1] = j;
    }
  PetscCall(MrOutputWriteRoot(o, "/pairs", H5T_NATIVE_LLONG, 2, dp, ib));
  PetscCall(PetscFree(ib));
  PetscCall(MrOutputProvenance(o, "polytope", "", ""));
  PetscCall(MrOutputAttrString(o, "mode", "statistics"));
  PetscCall(MrOutputAttrString(o, "arithmetic", "cddlib double description, " dd_ARITHMETIC " (exact)"));
  PetscCall(MrOutputAttrInt(o, "R", R));
  PetscCall(MrOutputAttrInt(o, "P", P));
  PetscCall(MrOutputAttrInt(o, "draws", K));
  PetscCall(MrOutputAttrInt(o, "seed", seed));
  PetscCall(MrOutputAttrRealArray(o, "b_range", 2, range));
  PetscCall(MrOutputAttrInt(o, "max_attempts", maxAttempts));
  PetscCall(MrOutputAttrInt(o, "mpi_size", size));
  PetscCall(MrOutputAttrReal(o, "wall_time", t1 - t0));
  PetscCall(MrOutputFinish(&o));

  /* summary by fracture count f (rank 0 holds the gathered results) */
  PetscCall(PetscCalloc1(4 * (P + 1), &buf));
  {
    PetscInt64 extra = 0;
    PetscReal  cpu   = 0;
    for (PetscInt k = 0; k < K; k++) {
      PetscInt f = (PetscInt)st.nfracture[k];
      buf[4 * f] += 1;
      buf[4 * f + 1] += (PetscReal)st.nv[k];
      buf[4 * f + 2] += PetscLog10Real((PetscReal)st.nv[k]);
      buf[4 * f + 3] += PetscSqr(PetscLog10Real((PetscReal)st.nv[k]));
      extra += st.attempts[k] - 1;
      cpu += st.seconds[k];
    }
    PetscCall(PetscPrintf(comm, "  %.2f s wall, %.2f s summed over draws (%.2f ms per draw); %lld empty polytopes drawn again\n", t1 - t0, cpu, 1e3 * cpu / K, (long long)extra));
  }
  PetscCall(PetscPrintf(comm, "  f (fracture variables)   draws   mean vertex count   log10: mean +- std\n"));
  for (PetscInt f = 0; f <= P; f++) {
    PetscReal n = buf[4 * f], mu, sd;
    if (n == 0) continue;
    mu = buf[4 * f + 2] / n;
    sd = PetscSqrtReal(PetscMax(0, buf[4 * f + 3] / n - mu * mu));
    PetscCall(PetscPrintf(comm, "  %8" PetscInt_FMT "                 %7.0f   %17.1f   %.4f +- %.4f\n", f, (double)n, (double)(buf[4 * f + 1] / n), (double)mu, (double)sd));
  }
  PetscCall(PetscPrintf(comm, "  wrote %s\n", out));
  PetscCall(PetscFree(buf));
  PetscCall(PetscFree6(st.nv, st.nfracture, st.nzero, st.dim, st.attempts, st.fracture));
  PetscCall(PetscFree2(st.b, st.seconds));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrPolytopeVerb(MPI_Comm comm)
{
  char        out[PETSC_MAX_PATH_LEN] = "";
  PetscBool   force                   = PETSC_FALSE, help, hasB, hasR, hasK, hasRange;
  PetscReal   b[64] = {0}, range[2] = {1, 3}, progress = 5;
  PetscInt    nb = MR_POLY_RMAX, R = 5, K = 100, nrange = 2, maxAttempts = 100;
  PetscInt64  seed = 1;
  PetscMPIInt size;

  PetscFunctionBegin;
  PetscOptionsBegin(comm, NULL, "mrdyn polytope: vertices of the fixed-point polytope of symmetric interactions (a = 0, g = 0)", NULL);
  PetscCall(MrOptionsRealArray("-b", "one polytope: b_1,...,b_R (each > 1), c = sqrt(b) sqrt(b)^T - diag(b)", "none", b, &nb, &hasB));
  PetscCall(MrOptionsInt("-R", "statistics: number of regions (3 to " PetscStringize(MR_POLY_RMAX) ")", R, &R, &hasR, 3, MR_POLY_RMAX));
  PetscCall(MrOptionsInt("-draws", "statistics: number of draws of sorted b", K, &K, &hasK, 1, PETSC_MAX_INT));
  PetscCall(MrOptionsInt64("-seed", "statistics: Philox seed of the draws", seed, &seed, NULL, 0, MR_SEED_MAX));
  PetscCall(MrOptionsRealArray("-b_range", "statistics: lo,hi of b ~ U(lo, hi), lo >= 1", "1,3", range, &nrange, &hasRange));
  PetscCall(MrOptionsInt("-max_attempts", "statistics: draws again while the polytope is empty, at most this often", maxAttempts, &maxAttempts, NULL, 1, PETSC_MAX_INT));
  PetscCall(MrOptionsReal("-progress", "statistics: seconds between progress lines of rank 0 (0: none)", progress, &progress, NULL));
  PetscCall(PetscOptionsString("-o", "output file", NULL, out, out, sizeof(out), NULL));
  PetscCall(MrOptionsBool("-force", "overwrite an existing output file", force, &force, NULL));
  PetscOptionsEnd();
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  if (help) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(MrCheckUnusedOptions(comm, MrPolyKnown));
  MrCheckInput(comm, hasB || hasR, "polytope: give -b b1,...,bR (one polytope) or -R R -draws K (statistics over random b)");
  MrCheckInput(comm, !(hasB && (hasR || hasK || hasRange)), "polytope: -b (one polytope) and -R/-draws/-b_range (statistics) exclude each other");
  MrCheckInput(comm, out[0], "polytope: no output file given (-o FILE)");
  PetscCallMPI(MPI_Comm_size(comm, &size));
  if (hasB) {
    MrCheckInput(comm, nb >= 3 && nb <= MR_POLY_RMAX, "polytope: -b has %" PetscInt_FMT " values; give R = 3 to %d (one per region)", nb, MR_POLY_RMAX);
    for (PetscInt i = 0; i < nb; i++)
      MrCheckInput(comm, b[i] > 1, "polytope: -b value %" PetscInt_FMT " is %g; every b_i must be > 1 (a fixed point with region i active needs psi_i = 1/b_i < 1, i.e. A_i = psi^-1(1/b_i) = (b_i^2 - 1) 2/pi > 0)", i + 1, (double)b[i]);
    PetscCall(MrOutputCheckPath(comm, out, force));
    PetscCall(MrPolytopeOne(comm, nb, b, out, size));
  } else {
    MrCheckInput(comm, (PetscInt64)K * size <= PETSC_MAX_INT, "polytope: -draws %" PetscInt_FMT " on %d ranks: the per-rank tables of %" PetscInt64_FMT " entries exceed this build's PETSc index range", K, size, (PetscInt64)K * size);
    MrCheckInput(comm, !hasRange || (nrange == 2 && range[0] >= 1 && range[1] > range[0]), "polytope: -b_range needs two values lo,hi with 1 <= lo < hi");
    PetscCall(MrOutputCheckPath(comm, out, force));
    PetscCall(MrPolytopeMany(comm, R, K, seed, range, maxAttempts, progress, out, size));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}
