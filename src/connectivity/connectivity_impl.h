/* Internals shared by the connectivity sources. */
#pragma once
#include <mrdyn/connectivity.h>
#include <mrdyn/weights.h>

/* bytes at an aligned address (64 bytes, or 2 MiB with a huge-page hint for large
   blocks); free mem with PetscFree. Not collective. */
PETSC_INTERN PetscErrorCode MrAlignedAlloc(size_t bytes, void **mem, void **aligned);
