/* Internals of the sweep module: the expanded sweep file. */
#pragma once
#include <mrdyn/sweep.h>

typedef struct {
  char     *name;    /* option name without the leading '-' */
  int       target;  /* 0: the model generator, 1: the verb */
  PetscInt  axis;    /* crossed axis it varies along (zipped parameters share one) */
  PetscInt  n;       /* values */
  char    **values;  /* as option strings */
  PetscBool numeric; /* every value is a number (a float column in the summary) */
} MrSweepParam;

struct _p_MrSweep {
  MPI_Comm      comm;
  char          path[PETSC_MAX_PATH_LEN];
  char          verb[16]; /* dmft or simulate */
  char          outdir[PETSC_MAX_PATH_LEN];
  char          generator[32]; /* empty: a model file */
  char          modelFile[PETSC_MAX_PATH_LEN];
  PetscInt      nmodel, nopt; /* base options of the generator and of the verb */
  char        **modelKey, **modelVal, **optKey, **optVal;
  PetscInt      npar, naxes;
  MrSweepParam *par;
  PetscInt     *axisLen;
  PetscInt      M;     /* members */
  PetscInt      nkeep; /* datasets copied into member files; -1: all */
  char        **keep;
  PetscReal     window; /* classify from this last fraction of the run */
  PetscInt      ranksPerMember; /* 0: auto (fewest ranks whose memory holds a member) */
  char         *text; /* the sweep file, kept in the summary */
};

/* The value of parameter p for member m. */
PETSC_INTERN const char *MrSweepValue(MrSweep sw, PetscInt p, PetscInt m);
/* Member m's file name (hash of its parameters, 16 hex digits) without directory. */
PETSC_INTERN PetscErrorCode MrSweepMemberName(MrSweep sw, PetscInt m, char name[], size_t len);
/* The memory member m needs (bytes), for sizing member groups. */
PETSC_INTERN PetscReal MrSweepMemory(MrSweep sw, PetscInt m, PetscReal sumN2);
/* A rough cost of member m (for balancing groups). */
PETSC_INTERN PetscReal MrSweepCost(MrSweep sw, PetscInt m);
