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
  PetscReal     window;         /* classify from this last fraction of the run */
  PetscInt      ranksPerMember; /* 0: auto (fewest ranks whose memory holds a member) */
  char         *text;           /* the sweep file, kept in the summary */
  PetscBool     memberFiles;    /* false: members are appended to record journals (records/NAME.rec) */
  PetscBool     aggregate[64];  /* per crossed axis: pooled into one grid point of /grid */
  PetscBool     aggregateSet;   /* the file named the pooled parameters */
};

/* What the summary keeps of a member: read from its member file or a journal
   record, or built from an in-memory run. */
typedef struct {
  PetscInt64 member;
  char       name[24]; /* m-<hash>.h5 */
  int        code;     /* MrDynClass of the currents; -1: the member file was unreadable */
  double     amplitude, level, peak, period, wall;
  PetscInt   C, R;
  double    *S, *var, *psi;   /* (C), (R), (R): the last saved state */
  long long *target, *source; /* (C) channel map */
  int       *label;           /* (R) MrLabel codes; NULL when the run was not classified */
} MrMemberRecord;

PETSC_INTERN PetscErrorCode MrMemberRecordFree(MrMemberRecord *rec);
/* Member file <-> record (rank 0, serial HDF5). A missing or unreadable file gives code -1. */
PETSC_INTERN PetscErrorCode MrMemberRecordRead(const char file[], MrMemberRecord *rec);
/* Writes the member file (".partial" then renamed); extra datasets are copied from
   the run file src (may be negative) as `keep` lists them; msg set on failure. */
PETSC_INTERN PetscErrorCode MrMemberRecordWrite(MrSweep sw, const MrMemberRecord *rec, hid_t src, const char model[], const char file[], char msg[], size_t len);

/* Journals: append-only files of checksummed records, one per writing process,
   in OUTPUT/records/; a torn last record (a killed job) is ignored. */
typedef struct _p_MrJournal *MrJournal;
/* Appends a record, opening this process's journal at its first record; msg set on failure. */
PETSC_INTERN PetscErrorCode MrJournalAppend(MrSweep sw, MrJournal *j, const MrMemberRecord *rec, char msg[], size_t len);
PETSC_INTERN PetscErrorCode MrJournalClose(MrJournal *j);
/* Every complete record of every journal in the sweep's directory, sorted by name
   (the first of duplicates kept). Rank 0. */
PETSC_INTERN PetscErrorCode MrJournalReadAll(MrSweep sw, PetscInt *n, MrMemberRecord **recs);
/* The record of member file name in a sorted array, or NULL. */
PETSC_INTERN MrMemberRecord *MrJournalFind(PetscInt n, MrMemberRecord *recs, const char name[]);

/* The value of parameter p for member m. */
PETSC_INTERN const char *MrSweepValue(MrSweep sw, PetscInt p, PetscInt m);
/* Parameter p's column name in the summary and member files (model_seed for the
   model's seed). Not collective. */
PETSC_INTERN PetscErrorCode MrSweepParamColumn(MrSweep sw, PetscInt p, char name[], size_t len);
/* Member m's file name (hash of its parameters, 16 hex digits) without directory. */
PETSC_INTERN PetscErrorCode MrSweepMemberName(MrSweep sw, PetscInt m, char name[], size_t len);
/* The memory member m needs (bytes), for sizing member groups. */
PETSC_INTERN PetscReal MrSweepMemory(MrSweep sw, PetscInt m, PetscReal sumN2);
/* A rough cost of member m (for balancing groups). */
PETSC_INTERN PetscReal MrSweepCost(MrSweep sw, PetscInt m);
