/* The paper's classification of dynamics (Clark & Beiran, Fig. 5): each region's
   normalised two-point function D(tau) = Delta(t0, t0+tau) / sqrt(Delta(t0,t0)
   Delta(t0+tau, t0+tau)) from t0 to the end of a run, labelled by the published
   rule (docs/paper.md). */
#pragma once
#include <mrdyn/error.h>

/* Codes in the order the paper's aggregation breaks ties (scipy.stats.mode: the
   smallest code wins). */
typedef enum {
  MR_LABEL_INVALID = 0,
  MR_LABEL_CHAOS,
  MR_LABEL_FP_CHAOS, /* fixed point + chaos */
  MR_LABEL_FP,       /* fixed point */
  MR_LABEL_LC_CHAOS, /* limit cycle + chaos */
  MR_LABEL_LC,       /* limit cycle */
  MR_NUM_LABELS
} MrLabel;
PETSC_EXTERN const char *const MrLabelNames[]; /* "invalid", "chaos", "fixed point + chaos", ... */

/* Labels a curve c[0..n) by the published rule: exact zeros dropped; empty ->
   invalid; population std < 1e-2 -> fixed point; strict interior local maxima
   (the first moved to index 0 when it is below 10), none -> invalid; one peak
   with c[last] > 0.05 -> fixed point + chaos; the second peak > 0.98, or the
   second and third > 0.97 -> limit cycle; one or two peaks, or the second-to-last
   peak > 1.05 x the last -> chaos; otherwise limit cycle + chaos. Not collective. */
PETSC_EXTERN PetscErrorCode MrClassifyCurve(PetscInt n, const PetscReal c[], MrLabel *label);

/* The most frequent label of counts[MR_NUM_LABELS] (ties: the smallest code) and
   the Shannon entropy of the distribution in bits. Not collective. */
PETSC_EXTERN void MrLabelMode(const PetscInt counts[], MrLabel *mode, PetscReal *entropyBits);

/* The label of a curve seen value by value, for ending a run once it is settled:
   only a limit cycle can be certain before the curve ends (its second peak, or
   second and third, are above the thresholds, and the curve already varies too
   much for the fixed-point test whatever comes after). */
typedef struct {
  PetscInt  n, np;    /* values kept (exact zeros dropped), peaks */
  PetscReal mean, m2; /* running mean and sum of squared deviations */
  PetscReal c0, a, b; /* the first value, the last two values */
  PetscReal pv[3];    /* values of the first three peaks */
} MrLabelWatch;
PETSC_EXTERN void MrLabelWatchInit(MrLabelWatch *w);
PETSC_EXTERN void MrLabelWatchPush(MrLabelWatch *w, PetscReal value);
/* PETSC_TRUE when MrClassifyCurve of any curve of ntotal values that begins with
   the values pushed so far says `limit cycle`. Not collective. */
PETSC_EXTERN PetscBool MrLabelWatchSettled(const MrLabelWatch *w, PetscInt ntotal);
