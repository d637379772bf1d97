/* `mrdyn dmft -mode currents`: a batch of current dynamics without disorder, and its output. */
#include "dmft_impl.h"
#include <mrdyn/rng.h>

static const char *const MrFpStability[] = {"stable", "marginal", "unstable"};

/* A single solve's trajectory under the run file's names: /time, /currents (nt, C),
   /variance = Delta_s(t) and /psi (nt, R), the channel map; rows held by rank 0. Collective. */
static PetscErrorCode MrDmftCurrentsWriteTrajectory(MPI_Comm comm, MrModel m, PetscInt nsave, PetscReal *traj, MrOutput o)
{
  const PetscInt C = m->C, R = m->R, w = 1 + C + 2 * R;
  PetscMPIInt    rank;
  PetscReal     *t = NULL, *S = NULL, *D = NULL, *p = NULL;
  hsize_t        dt[1], dc[2], dr[2];

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Bcast(&nsave, 1, MPIU_INT, 0, comm));
  dt[0] = dc[0] = dr[0] = (hsize_t)nsave;
  dc[1]                 = (hsize_t)C;
  dr[1]                 = (hsize_t)R;
  if (rank == 0) {
    PetscCall(PetscMalloc4(nsave, &t, nsave * C + 1, &S, nsave * R, &D, nsave * R, &p));
    for (PetscInt j = 0; j < nsave; j++) {
      t[j] = traj[j * w];
      for (PetscInt i = 0; i < C; i++) S[j * C + i] = traj[j * w + 1 + i];
      for (PetscInt s = 0; s < R; s++) {
        D[j * R + s] = traj[j * w + 1 + C + s];
        p[j * R + s] = traj[j * w + 1 + C + R + s];
      }
    }
  }
  PetscCall(MrOutputWriteChannelMap(o, C, m->target, m->source));
  PetscCall(MrOutputWriteRoot(o, "/time", H5T_NATIVE_DOUBLE, 1, dt, t));
  PetscCall(MrOutputWriteRoot(o, "/currents", H5T_NATIVE_DOUBLE, 2, dc, S));
  PetscCall(MrOutputWriteRoot(o, "/variance", H5T_NATIVE_DOUBLE, 2, dr, D));
  PetscCall(MrOutputWriteRoot(o, "/psi", H5T_NATIVE_DOUBLE, 2, dr, p));
  if (rank == 0) PetscCall(PetscFree4(t, S, D, p));
  PetscCall(PetscFree(traj));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* -mode currents: model.md 2a for a batch of initial conditions, end states classified. */
PetscErrorCode MrDmftCurrentsMode(MPI_Comm comm, MrModel m, const MrInputs *inputs, MrDmftScheme scheme, PetscInt K, PetscReal initSize, const PetscReal uniform[], PetscInt64 seed, PetscInt nS0, const PetscReal S0g[], const PetscReal v0[],
                                  PetscReal dt, PetscInt nsteps, PetscBool rk4, PetscInt saveEvery, MrOutput o)
{
  const MrCurrentsForm form = scheme == MR_DMFT_REFERENCE ? MR_CURRENTS_NOTEBOOK : MR_CURRENTS_NETWORK;
  MrCurrentsResult     res;
  PetscReal           *S0, *buf, *lead, *fres, *traj = NULL;
  const char         **stab;
  PetscInt             C = m->C, counts[4] = {0, 0, 0, 0}, nsave = 0;
  hsize_t              dk[2] = {(hsize_t)K, (hsize_t)C}, d1 = (hsize_t)K;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(K * C + 1, &S0));
  for (PetscInt k = 0; k < K; k++)
    for (PetscInt c = 0; c < C; c += 4) { /* member k: uniform in (-a, a) or [lo, hi), Philox keyed by (seed, k) */
      double u[4];
      MrUniform4((uint64_t)seed, MR_STREAM_INITS, (uint64_t)(k + 1), (uint64_t)(c / 4), 1, u);
      for (PetscInt q = 0; q < 4 && c + q < C; q++) S0[k * C + c + q] = (K == 1 && nS0) ? S0g[c + q] : uniform ? uniform[0] + (uniform[1] - uniform[0]) * u[q] : initSize * (2 * u[q] - 1);
    }
  PetscCall(MrCurrentsBatchForm(comm, m, inputs, form, v0, K, S0, dt, nsteps, rk4, saveEvery, &nsave, K == 1 ? &traj : NULL, &res));
  if (K == 1) PetscCall(MrDmftCurrentsWriteTrajectory(comm, m, nsave, traj, o));
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
  PetscCall(PetscMalloc3(res.nfp + 1, &lead, res.nfp + 1, &stab, res.nfp + 1, &fres));
  for (PetscInt q = 0; q < res.nfp; q++) {
    PetscReal tol;
    fres[q] = 0; /* the residual max |dS/dt| of the member the point was found from (its copy) */
    for (PetscInt k = 0; k < K; k++) {
      PetscBool same = PETSC_FALSE;
      if (res.cls[k] == MR_END_FIXED_POINT) PetscCall(PetscArraycmp(res.final + k * C, res.fp + q * C, C, &same));
      if (same) {
        fres[q] = res.residual[k];
        break;
      }
    }
    /* leading real part: < -tol stable, within tol of 0 marginal, else unstable. A point
       a distance d off a family of fixed points has a spurious eigenvalue of about its
       residual (measured: 1.2x), hence the tolerance max(1e-9, 10 x residual). */
    tol     = PetscMax(MR_MARGINAL_TOL, 10 * fres[q]);
    lead[q] = -1e300;
    for (PetscInt i = 0; i < C; i++) lead[q] = PetscMax(lead[q], res.fpEigRe[q * C + i]);
    stab[q] = MrFpStability[lead[q] < -tol ? 0 : lead[q] <= tol ? 1 : 2];
  }
  if (res.nfp) {
    hsize_t    df[2] = {(hsize_t)res.nfp, (hsize_t)C}, de[3] = {(hsize_t)res.nfp, (hsize_t)C, 2}, dn = (hsize_t)res.nfp;
    PetscReal *e;
    PetscCall(MrOutputWriteRoot(o, "/fixed_points/S", H5T_NATIVE_DOUBLE, 2, df, res.fp));
    PetscCall(PetscMalloc1(2 * res.nfp * C, &e));
    for (PetscInt i = 0; i < res.nfp * C; i++) {
      e[2 * i]     = res.fpEigRe[i];
      e[2 * i + 1] = res.fpEigIm[i];
    }
    PetscCall(MrOutputWriteRoot(o, "/fixed_points/jacobian_eigenvalues", H5T_NATIVE_DOUBLE, 3, de, e));
    PetscCall(MrOutputWriteRoot(o, "/fixed_points/leading_eigenvalue", H5T_NATIVE_DOUBLE, 1, &dn, lead));
    PetscCall(MrOutputWriteStrings(o, "/fixed_points/stability", res.nfp, stab));
    PetscCall(MrOutputWriteRoot(o, "/fixed_points/residual", H5T_NATIVE_DOUBLE, 1, &dn, fres));
    PetscCall(MrOutputAttrRealAt(o, "/fixed_points", "marginal_tolerance", MR_MARGINAL_TOL));
    PetscCall(PetscFree(e));
  }
  PetscCall(MrOutputAttrInt(o, "batch", K));
  PetscCall(MrOutputAttrInt(o, "distinct_fixed_points", res.nfp));
  PetscCall(MrOutputAttrString(o, "integrator", rk4 ? "rk4" : "euler"));
  PetscCall(MrOutputAttrString(o, "currents_form", form == MR_CURRENTS_NOTEBOOK ? "notebook" : "network"));
  PetscCall(PetscPrintf(comm, "  input term: %s\n", form == MR_CURRENTS_NOTEBOOK ? "the notebook's, psi_s T S + V I (-scheme reference)" : "the network's, psi_s (T S + V F) with F the filtered input"));
  PetscCall(PetscPrintf(comm, "  %" PetscInt_FMT " initial conditions: %" PetscInt_FMT " fixed point, %" PetscInt_FMT " limit cycle, %" PetscInt_FMT " not converged\n", K, counts[1], counts[2], counts[3]));
  for (PetscInt q = 0; q < res.nfp; q++) {
    PetscReal n2 = 0;
    for (PetscInt i = 0; i < C; i++) n2 += res.fp[q * C + i] * res.fp[q * C + i];
    PetscCall(PetscPrintf(comm, "  fixed point %" PetscInt_FMT ": |S| = %.5f, leading Jacobian eigenvalue (real part) %.3e (%s)\n", q, (double)PetscSqrtReal(n2), (double)lead[q], stab[q]));
  }
  for (PetscInt k = 0; k < K && k < 16; k++)
    if (res.cls[k] == MR_END_LIMIT_CYCLE) PetscCall(PetscPrintf(comm, "  member %" PetscInt_FMT ": limit cycle, period %.4f, amplitude %.4f\n", k, (double)res.period[k], (double)res.amplitude[k]));
  PetscCall(MrCurrentsResultDestroy(&res));
  PetscCall(PetscFree3(lead, stab, fres));
  PetscCall(PetscFree(S0));
  PetscFunctionReturn(PETSC_SUCCESS);
}
