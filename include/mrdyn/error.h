/* Error conventions shared by every mrdyn module. */
#pragma once
#include <petscsys.h>
#include <hdf5.h>
#include <mrdyn/options.h> /* numbers from options and text */

#if PETSC_VERSION_LT(3, 19, 0) /* Debian 12 ships PETSc 3.18 */
#  define PETSC_SUCCESS 0
#endif

/* Errors with this code were raised identically on every rank of the
   communicator (the data behind the check is replicated), so the program can
   exit cleanly on all ranks; any other error aborts the job. */
#define MR_ERR_INPUT PETSC_ERR_USER_INPUT

/* A run stopped on a signal (SIGTERM, SIGUSR1) after writing its checkpoint: raised
   identically on every rank; the program then exits with MR_EXIT_STOPPED. */
#define MR_ERR_STOPPED 101
#define MR_EXIT_STOPPED 75 /* EX_TEMPFAIL: "try again", here with -restart */

/* Collective input check: cond and the message must be the same on every rank. */
#define MrCheckInput(comm, cond, ...) PetscCheck(cond, comm, MR_ERR_INPUT, __VA_ARGS__)

/* Wrap an HDF5 call returning herr_t/hid_t (negative on failure). */
#define PetscCallH5(call)                                                                                                                                                                                                                                \
  do {                                                                                                                                                                                                                                                   \
    if ((call) < 0) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "HDF5 call failed: %s", #call);                                                                                                                                                              \
  } while (0)

/* Installs the error handler that prints one readable line per error. Not collective. */
PETSC_EXTERN PetscErrorCode MrErrorHandlerPush(void);
/* Shares a status and message decided on rank 0 (e.g. after rank-0-only file I/O)
   and turns a failure into a collective MR_ERR_INPUT error. Collective. */
PETSC_EXTERN PetscErrorCode MrShareStatus(MPI_Comm comm, PetscBool ok, const char msg[]);
/* Stops with an input error naming the first option that nothing used (a typo
   or an option of another verb), with a suggestion from known (NULL-terminated,
   may be NULL). Call after every option has been queried. Collective. */
PETSC_EXTERN PetscErrorCode MrCheckUnusedOptions(MPI_Comm comm, const char *const known[]);
/* Stops with an input error when option name is set to none of the n choices. Collective. */
PETSC_EXTERN PetscErrorCode MrCheckChoice(MPI_Comm comm, const char name[], const char *const list[], PetscInt n);

/* SIGTERM and SIGUSR1 (SLURM's --signal) request a clean stop: the handler only
   records the signal; runs poll MrSignalPending() between steps and agree on it
   collectively. Install replaces PETSc's handlers for these two; Restore puts
   back what was there. Not collective. */
PETSC_EXTERN PetscErrorCode MrSignalsInstall(void);
PETSC_EXTERN PetscErrorCode MrSignalsRestore(void);
/* Output to a closed pipe (`mrdyn ... | head`) stops printing instead of stopping
   the run: SIGPIPE ignored, and PETSc's printing drops stdout after EPIPE. Call
   once after PetscInitialize. Not collective. */
PETSC_EXTERN PetscErrorCode MrSignalsSetUpOutput(void);
/* The signal number received since MrSignalsInstall, or 0. */
PETSC_EXTERN int MrSignalPending(void);
