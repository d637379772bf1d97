#pragma once
#include <mrdyn/error.h>
/* Dispatches a verb with its positional words. Collective on comm. */
PetscErrorCode MrRunVerb(MPI_Comm comm, const char verb[], int npos, const char *pos[]);
