/* External input schedules (piecewise-constant pulses per region) and initial currents. */
#include <mrdyn/network.h>
#include <mrdyn/rng.h>
#include <stdlib.h>
#include <math.h>

PetscErrorCode MrInputsParse(MPI_Comm comm, const char spec[], PetscInt R, MrInputs *in)
{
  PetscInt    n = 0, cap;
  const char *p = spec;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(in, sizeof(*in)));
  if (!spec || !spec[0]) PetscFunctionReturn(PETSC_SUCCESS);
  cap = 1;
  for (const char *q = spec; *q; q++) cap += *q == ',';
  PetscCall(PetscMalloc4(cap, &in->region, cap, &in->t0, cap, &in->t1, cap, &in->amp));
  while (*p) {
    char  *end;
    double v[4];
    for (int k = 0; k < 4; k++) {
      v[k] = strtod(p, &end);
      MrCheckInput(comm, end != p && isfinite(v[k]), "-input '%s': expected region:t0:t1:amplitude[,...]", spec);
      p = end;
      if (k < 3) {
        MrCheckInput(comm, *p == ':', "-input '%s': expected region:t0:t1:amplitude[,...]", spec);
        p++;
      }
    }
    MrCheckInput(comm, v[0] == floor(v[0]) && fabs(v[0]) < 1e15, "-input: region '%s' is not an integer", spec);
    MrCheckInput(comm, v[0] >= 0 && v[0] < R, "-input: region %lld does not exist (0..%" PetscInt_FMT ")", (long long)v[0], R - 1);
    MrCheckInput(comm, v[2] > v[1], "-input: pulse on region %lld ends (t1 = %g) before it starts (t0 = %g)", (long long)v[0], v[2], v[1]);
    in->region[n] = (PetscInt)v[0];
    in->t0[n]     = v[1];
    in->t1[n]     = v[2];
    in->amp[n]    = v[3];
    n++;
    if (*p == ',')
      p++;
    else
      MrCheckInput(comm, *p == 0, "-input '%s': unexpected '%c'", spec, *p);
  }
  in->n = n;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrInputsDestroy(MrInputs *in)
{
  PetscFunctionBegin;
  PetscCall(PetscFree4(in->region, in->t0, in->t1, in->amp));
  in->n = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

void MrInputsEval(const MrInputs *in, PetscReal t, PetscInt R, PetscReal amp[])
{
  for (PetscInt r = 0; r < R; r++) amp[r] = 0;
  for (PetscInt k = 0; k < in->n; k++)
    if (t >= in->t0[k] && t < in->t1[k]) amp[in->region[k]] += in->amp[k];
}

void MrInitialCurrents(PetscInt64 seed, PetscInt C, PetscInt ngiven, const PetscReal given[], PetscReal S0[])
{
  for (PetscInt c = 0; c < C; c += 4) {
    double z[4];
    MrNormal4((uint64_t)seed, MR_STREAM_INITS, 0, (uint64_t)(c / 4), 0, z);
    for (PetscInt k = 0; k < 4 && c + k < C; k++) S0[c + k] = ngiven ? given[c + k] : z[k];
  }
}

void MrInitialCurrentsUniform(PetscInt64 seed, PetscInt C, PetscReal lo, PetscReal hi, PetscReal S0[])
{
  for (PetscInt c = 0; c < C; c += 4) {
    double u[4];
    MrUniform4((uint64_t)seed, MR_STREAM_INITS, 0, (uint64_t)(c / 4), 2, u); /* b = 2: apart from the normal draws (b = 0) and batches (b = 1) */
    for (PetscInt k = 0; k < 4 && c + k < C; k++) S0[c + k] = lo + (hi - lo) * u[k];
  }
}
