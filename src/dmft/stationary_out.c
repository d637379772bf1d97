/* `mrdyn dmft -stationary`: the stationary theory polished from the end of the dynamics, and its output. */
#include "dmft_impl.h"

/* The end state of the dynamics (gathered), polished into a stationary solution. */
PetscErrorCode MrDmftWriteStationary(MPI_Comm comm, MrModel m, MrLayout L, MrDmft d, PetscInt Nt, PetscInt window, MrOutput o)
{
  const PetscInt lagMax = window > 0 ? PetscMin((Nt - 1) / 2, window - 1) : (Nt - 1) / 2;
  PetscReal     *S, *D0, *Di, *scs;
  MrStationary   st;
  hsize_t        dr = (hsize_t)m->R, dc = (hsize_t)m->C;

  PetscFunctionBegin;
  PetscCall(PetscCalloc4(m->C + 1, &S, m->R, &D0, m->R, &Di, m->R, &scs));
  for (PetscInt k = 0; k < L->nslices; k++) {
    const PetscReal *Sk;
    PetscReal        psi;
    PetscInt         r = L->slice[k].region;
    PetscCall(MrDmftGetState(d, k, &D0[r], &psi, &Sk));
    for (PetscInt a = 0; a < m->inOff[r + 1] - m->inOff[r]; a++) S[m->inCh[m->inOff[r] + a]] = Sk[a];
    PetscCall(MrDmftGetLag(d, k, lagMax, &Di[r])); /* a long lag that the window keeps */
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, S, (int)m->C, MPIU_REAL, MPI_SUM, comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, D0, (int)m->R, MPIU_REAL, MPI_SUM, comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, Di, (int)m->R, MPIU_REAL, MPI_SUM, comm));
  PetscCall(MrStationarySolve(comm, m, S, D0, Di, &st));
  for (PetscInt r = 0; r < m->R; r++) {
    scs[r] = NAN;
    if (m->g[r] > 1)
      PetscCall(MrScsDelta0(m->g[r], &scs[r]));
    else if (m->R <= 32)
      PetscCall(PetscPrintf(comm, "  region %" PetscInt_FMT ": g = %g <= 1, no chaotic solution of its own (Delta0_scs = NaN); only structure can keep it active\n", r, (double)m->g[r]));
  }
  PetscCall(MrOutputWriteRoot(o, "/stationary/S", H5T_NATIVE_DOUBLE, 1, &dc, st.S));
  PetscCall(MrOutputWriteRoot(o, "/stationary/Delta0", H5T_NATIVE_DOUBLE, 1, &dr, st.Delta0));
  PetscCall(MrOutputWriteRoot(o, "/stationary/Delta_inf", H5T_NATIVE_DOUBLE, 1, &dr, st.DeltaInf));
  PetscCall(MrOutputWriteRoot(o, "/stationary/A", H5T_NATIVE_DOUBLE, 1, &dr, st.A));
  PetscCall(MrOutputWriteRoot(o, "/stationary/psi", H5T_NATIVE_DOUBLE, 1, &dr, st.psi));
  PetscCall(MrOutputWriteRoot(o, "/stationary/Delta0_scs", H5T_NATIVE_DOUBLE, 1, &dr, scs));
  /* every rank solved the same small system; write rank 0's verdict everywhere */
  PetscCallMPI(MPI_Bcast(&st.converged, 1, MPIU_BOOL, 0, comm));
  PetscCallMPI(MPI_Bcast(&st.fnorm, 1, MPIU_REAL, 0, comm));
  PetscCall(MrOutputAttrInt(o, "stationary_converged", st.converged));
  PetscCall(MrOutputAttrReal(o, "stationary_residual", st.fnorm));
  if (st.converged) {
    PetscCall(PetscPrintf(comm, "  stationary state (SNES, %" PetscInt_FMT " iterations, residual %.1e):\n", st.its, (double)st.fnorm));
    for (PetscInt r = 0; r < PetscMin(m->R, 32); r++)
      PetscCall(PetscPrintf(comm, "    region %3" PetscInt_FMT ": Delta0 = %.6f  Delta_inf = %.6f  A = %.6f  psi = %.6f\n", r, (double)st.Delta0[r], (double)st.DeltaInf[r], (double)st.A[r], (double)st.psi[r]));
  } else
    PetscCall(PetscPrintf(comm, "  no stationary state near the end of the dynamics (residual %.1e): the currents may cycle or be chaotic; /stationary holds the last iterate\n", (double)st.fnorm));
  PetscCall(MrStationaryDestroy(&st));
  PetscCall(PetscFree4(S, D0, Di, scs));
  PetscFunctionReturn(PETSC_SUCCESS);
}
