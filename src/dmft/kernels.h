/* The hot loops of the mean-field engine: one column of the two-point functions.
   Each has a plain version (_ref, for tests) and vectorised ones for AVX-512 and
   AVX2 + FMA picked by CPU feature; every element is computed alone with the same
   operations (ISO C does not contract into FMA; fma() is explicit), so every
   version gives the same bits. */
#pragma once
#include <petscsys.h>

typedef struct {
  PetscInt         lo, hi; /* rows i in [lo, hi) */
  PetscReal        c1, h;  /* the published recurrence: Dc[i] = c1 Dp[i] + h Gp[i] */
  PetscReal        g2, rj; /* g^2 and 1/sqrt(Delta_jj + 2/pi) */
  PetscInt         nin, Nt;
  const PetscReal *H, *w; /* drives of the in-channels (nin x Nt, channel-major) and U H_j */
  PetscBool        input; /* add I_i I_j */
  const PetscReal *Ih;
  PetscReal        Ij;
  const PetscReal *Dp, *Gp, *ri;
  PetscReal       *Dc, *out;
} MrColumnArgs;

/* The published recurrence: Dc[i] = c1 Dp[i] + h Gp[i], out[i] = h (g2 C + A_i) with
   C = (2/pi) asin(Dc[i] ri[i] rj) and A_i = I_i I_j + sum_a H_a[i] w_a. */
PETSC_INTERN void MrDmftColumnRef(const MrColumnArgs *a);
PETSC_INTERN void MrDmftColumnRef_ref(const MrColumnArgs *a);
/* out[i] = g2 C + A_i from the given Dc (the second-order scheme). */
PETSC_INTERN void MrDmftColumnF(const MrColumnArgs *a);
PETSC_INTERN void MrDmftColumnF_ref(const MrColumnArgs *a);
/* G[i] = c G[i-1] + b[i] for i in [lo, hi], G[lo-1] given, cpow[k] = c^k for
   k <= 8: in blocks of eight, each by three doubling steps, then the carry (the
   AVX-512 version and the plain one do the same fma in the same order). */
PETSC_INTERN void MrDmftScan(PetscInt lo, PetscInt hi, PetscReal c, const PetscReal cpow[], const PetscReal b[], PetscReal G[]);
PETSC_INTERN void MrDmftScan_ref(PetscInt lo, PetscInt hi, PetscReal c, const PetscReal cpow[], const PetscReal b[], PetscReal G[]);
/* The version MrDmftColumnRef/F run on this CPU: "avx512", "avx2" or "portable". */
PETSC_INTERN const char *MrDmftKernelName(void);
