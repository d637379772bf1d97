/* `mrdyn dmft -mode currents`: a batch of current dynamics without disorder, and its output. */
#include "dmft_impl.h"
#include <mrdyn/rng.h>

/* -mode currents: model.md 2a for a batch of initial conditions, end states classified. */
PetscErrorCode MrDmftCurrentsMode(MPI_Comm comm, MrModel m, const MrInputs *inputs, PetscInt K, PetscReal initSize, const PetscReal uniform[], PetscInt64 seed, PetscInt nS0, const PetscReal S0g[], const PetscReal v0[], PetscReal dt, PetscInt nsteps,
                                  PetscBool rk4, MrOutput o)
{
  MrCurrentsResult res;
  PetscReal       *S0, *buf;
  PetscInt         C = m->C, counts[4] = {0, 0, 0, 0};
  hsize_t          dk[2] = {(hsize_t)K, (hsize_t)C}, d1 = (hsize_t)K;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(K * C + 1, &S0));
  for (PetscInt k = 0; k < K; k++)
    for (PetscInt c = 0; c < C; c += 4) { /* member k: uniform in (-a, a) or [lo, hi), Philox keyed by (seed, k) */
      double u[4];
      MrUniform4((uint64_t)seed, MR_STREAM_INITS, (uint64_t)(k + 1), (uint64_t)(c / 4), 1, u);
      for (PetscInt q = 0; q < 4 && c + q < C; q++) S0[k * C + c + q] = (K == 1 && nS0) ? S0g[c + q] : uniform ? uniform[0] + (uniform[1] - uniform[0]) * u[q] : initSize * (2 * u[q] - 1);
    }
  PetscCall(MrCurrentsBatch(comm, m, inputs, v0, K, S0, dt, nsteps, rk4, &res));
  PetscCall(MrOutputWriteRoot(o, "/batch/initial", H5T_NATIVE_DOUBLE, 2, dk, S0));
  PetscCall(MrOutputWriteRoot(o, "/batch/final", H5T_NATIVE_DOUBLE, 2, dk, res.final));
  PetscCall(PetscMalloc1(K + 1, &buf));
  for (PetscInt k = 0; k < K; k++) {
    buf[k] = (PetscReal)res.cls[k];
    counts[res.cls[k]]++;
  }
  PetscCall(MrOutputWriteRoot(o, "/batch/class", H5T_NATIVE_DOUBLE, 1, &d1, buf));
  PetscCall(MrOutputWriteRoot(o, "/batch/period", H5T_NATIVE_DOUBLE, 1, &d1, res.period));
  PetscCall(MrOutputWriteRoot(o, "/batch/residual", H5T_NATIVE_DOUBLE, 1, &d1, res.residual));
  PetscCall(PetscFree(buf));
  if (res.nfp) {
    hsize_t    df[2] = {(hsize_t)res.nfp, (hsize_t)C}, de[3] = {(hsize_t)res.nfp, (hsize_t)C, 2};
    PetscReal *e;
    PetscCall(MrOutputWriteRoot(o, "/fixed_points/S", H5T_NATIVE_DOUBLE, 2, df, res.fp));
    PetscCall(PetscMalloc1(2 * res.nfp * C, &e));
    for (PetscInt i = 0; i < res.nfp * C; i++) {
      e[2 * i]     = res.fpEigRe[i];
      e[2 * i + 1] = res.fpEigIm[i];
    }
    PetscCall(MrOutputWriteRoot(o, "/fixed_points/jacobian_eigenvalues", H5T_NATIVE_DOUBLE, 3, de, e));
    PetscCall(PetscFree(e));
  }
  PetscCall(MrOutputAttrInt(o, "batch", K));
  PetscCall(MrOutputAttrInt(o, "distinct_fixed_points", res.nfp));
  PetscCall(PetscPrintf(comm, "  %" PetscInt_FMT " initial conditions: %" PetscInt_FMT " fixed point, %" PetscInt_FMT " limit cycle, %" PetscInt_FMT " not converged\n", K, counts[1], counts[2], counts[3]));
  for (PetscInt q = 0; q < res.nfp; q++) {
    PetscReal lead = -1e300, n2 = 0;
    for (PetscInt i = 0; i < C; i++) {
      lead = PetscMax(lead, res.fpEigRe[q * C + i]);
      n2 += res.fp[q * C + i] * res.fp[q * C + i];
    }
    PetscCall(PetscPrintf(comm, "  fixed point %" PetscInt_FMT ": |S| = %.5f, leading Jacobian eigenvalue (real part) %.5f (%s)\n", q, (double)PetscSqrtReal(n2), (double)lead, lead < 0 ? "stable" : "unstable"));
  }
  for (PetscInt k = 0; k < K && k < 16; k++)
    if (res.cls[k] == MR_END_LIMIT_CYCLE) PetscCall(PetscPrintf(comm, "  member %" PetscInt_FMT ": limit cycle, period %.4f, amplitude %.4f\n", k, (double)res.period[k], (double)res.amplitude[k]));
  PetscCall(MrCurrentsResultDestroy(&res));
  PetscCall(PetscFree(S0));
  PetscFunctionReturn(PETSC_SUCCESS);
}
