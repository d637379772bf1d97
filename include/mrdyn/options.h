/* Numbers from options and from text: every numeric option of every verb is read
   through these, so a malformed number, a value that would wrap, or too many
   values is refused with the option's name and the text as written (there is no
   separate list of numeric options to keep in step with the reads). */
#pragma once
#include <petscsys.h>
#include <stdint.h>

/* Seeds are 64-bit everywhere (Philox keys); stored as signed 64-bit in files. */
#define MR_SEED_MAX INT64_MAX

typedef enum {
  MR_PARSE_OK,
  MR_PARSE_MALFORMED, /* not a number (of this kind) */
  MR_PARSE_RANGE,     /* an integer beyond 64 bits */
  MR_PARSE_INEXACT    /* an integer in floating notation beyond 2^53 (it may have been rounded) */
} MrParseStatus;

/* The whole of text as a 64-bit integer: decimal digits with an optional sign, or
   a whole number in floating notation (1e6) up to 2^53. Blanks around it are
   allowed, nothing else. Not collective. */
PETSC_EXTERN MrParseStatus MrParseInt64(const char text[], PetscInt64 *value);
/* The whole of text as a finite real. Not collective. */
PETSC_EXTERN MrParseStatus MrParseReal(const char text[], PetscReal *value);

/* Parses text as an integer in [lo, hi]; refuses with "what: 'text' ..." (what
   names the option or the field). Collective: text must be the same on every rank. */
PETSC_EXTERN PetscErrorCode MrCheckInt64Text(MPI_Comm comm, const char what[], const char text[], PetscInt64 lo, PetscInt64 hi, PetscInt64 *value);
/* The same for a finite real. Collective. */
PETSC_EXTERN PetscErrorCode MrCheckRealText(MPI_Comm comm, const char what[], const char text[], PetscReal *value);

/* Option readers, for use between PetscOptionsBegin and PetscOptionsEnd (so that
   -help lists the option with its default). Each reads the option's text and
   parses all of it; *value keeps def when the option is not given (a truth value:
   true/false, yes/no, on/off, 1/0, or nothing, which is true). Integers must
   lie in [lo, hi], the range the program supports; a list holds at most *n values
   (*n is the capacity on entry and the count on return). helpDefault is the
   default shown by -help for a list. Collective on the communicator of
   PetscOptionsBegin. */
PETSC_EXTERN PetscErrorCode MrOptionsInt64_Private(PetscOptionItems *, const char opt[], const char text[], PetscInt64 def, PetscInt64 *value, PetscBool *set, PetscInt64 lo, PetscInt64 hi);
PETSC_EXTERN PetscErrorCode MrOptionsInt_Private(PetscOptionItems *, const char opt[], const char text[], PetscInt def, PetscInt *value, PetscBool *set, PetscInt lo, PetscInt hi);
PETSC_EXTERN PetscErrorCode MrOptionsBool_Private(PetscOptionItems *, const char opt[], const char text[], PetscBool def, PetscBool *value, PetscBool *set);
PETSC_EXTERN PetscErrorCode MrOptionsReal_Private(PetscOptionItems *, const char opt[], const char text[], PetscReal def, PetscReal *value, PetscBool *set);
PETSC_EXTERN PetscErrorCode MrOptionsRealArray_Private(PetscOptionItems *, const char opt[], const char text[], const char helpDefault[], PetscReal value[], PetscInt *n, PetscBool *set);
PETSC_EXTERN PetscErrorCode MrOptionsIntArray_Private(PetscOptionItems *, const char opt[], const char text[], const char helpDefault[], PetscInt value[], PetscInt *n, PetscBool *set, PetscInt lo, PetscInt hi);
#define MrOptionsInt64(opt, text, def, value, set, lo, hi) MrOptionsInt64_Private(PetscOptionsObject, opt, text, def, value, set, lo, hi)
#define MrOptionsInt(opt, text, def, value, set, lo, hi) MrOptionsInt_Private(PetscOptionsObject, opt, text, def, value, set, lo, hi)
#define MrOptionsBool(opt, text, def, value, set) MrOptionsBool_Private(PetscOptionsObject, opt, text, def, value, set)
#define MrOptionsReal(opt, text, def, value, set) MrOptionsReal_Private(PetscOptionsObject, opt, text, def, value, set)
#define MrOptionsRealArray(opt, text, helpDefault, value, n, set) MrOptionsRealArray_Private(PetscOptionsObject, opt, text, helpDefault, value, n, set)
#define MrOptionsIntArray(opt, text, helpDefault, value, n, set, lo, hi) MrOptionsIntArray_Private(PetscOptionsObject, opt, text, helpDefault, value, n, set, lo, hi)

/* Runs call, an XSetFromOptions of a PETSc object on comm, so that PETSc's own
   option errors (an unknown type, a malformed number: they come from the options
   database, which every rank holds alike) end as one collective input error
   naming the option (and, for the usual type options, the choices). Any other
   error is passed on as it was raised. Collective. */
#define MrSetFromOptions(comm, call)                                                                                                                                                                                                                     \
  do {                                                                                                                                                                                                                                                   \
    MrOptionsErrorTrap mr_trap_;                                                                                                                                                                                                                         \
    PetscCall(MrOptionsErrorTrapPush(&mr_trap_));                                                                                                                                                                                                        \
    mr_trap_.ierr = (call);                                                                                                                                                                                                                              \
    PetscCall(MrOptionsErrorTrapPop(comm, &mr_trap_));                                                                                                                                                                                                   \
  } while (0)

typedef struct {
  PetscErrorCode ierr, code;
  PetscBool      set, fromOptions;
  char           msg[1024];
} MrOptionsErrorTrap;
PETSC_EXTERN PetscErrorCode MrOptionsErrorTrapPush(MrOptionsErrorTrap *);
PETSC_EXTERN PetscErrorCode MrOptionsErrorTrapPop(MPI_Comm, MrOptionsErrorTrap *);
