/* Counter-based random numbers (Random123 Philox4x64-10): a number is a pure
   function of (seed, stream, region, a, b), independent of ranks and order. */
#pragma once
#include <mrdyn/error.h>
#include <stdint.h>

typedef enum {
  MR_STREAM_J = 1, /* disorder values: a = row, b = column block */
  MR_STREAM_JCOL,  /* sparse disorder columns */
  MR_STREAM_VEC,   /* low-rank vectors: a = row */
  MR_STREAM_INITX, /* initial state noise: a = row */
  MR_STREAM_INITS, /* default initial currents */
  MR_STREAM_MODEL, /* model generators */
  MR_STREAM_TEST,
  MR_STREAM_TANGENT, /* initial tangent vectors of `lyapunov`: a = row */
  MR_STREAM_POLYTOPE /* `polytope` draws of b: region = R, a = draw, b = attempt and block of 4 */
} MrStream;

/* Four standard normals for counter (a, b). */
PETSC_EXTERN void MrNormal4(uint64_t seed, MrStream stream, uint64_t region, uint64_t a, uint64_t b, double out[4]);
/* Four uniforms in (0, 1). */
PETSC_EXTERN void MrUniform4(uint64_t seed, MrStream stream, uint64_t region, uint64_t a, uint64_t b, double out[4]);
/* Normals z[0..n) of the sequence (seed, stream, region, a, b = k/4). */
PETSC_EXTERN void MrNormalRow(uint64_t seed, MrStream stream, uint64_t region, uint64_t a, PetscInt n, double z[]);
