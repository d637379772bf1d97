/* Stop requests by signal. A signal handler can reach nothing but static
   storage, so this file holds mrdyn's only mutable globals: the flag the
   handler sets (async-signal-safe: one sig_atomic_t store) and the handlers
   it replaced, to put them back. */
#include <mrdyn/error.h>
#include <signal.h>

static volatile sig_atomic_t mrSignal = 0;
static struct sigaction      mrOld[2];
static int                   mrInstalled  = 0;
static const int             mrSignals[2] = {SIGTERM, SIGUSR1};

static void MrSignalHandler(int sig) { mrSignal = sig; }

PetscErrorCode MrSignalsInstall(void)
{
  struct sigaction sa;

  PetscFunctionBegin;
  if (mrInstalled++) PetscFunctionReturn(PETSC_SUCCESS);
  mrSignal = 0;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = MrSignalHandler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART; /* system calls (MPI, I/O) continue; the step loop polls */
  for (int k = 0; k < 2; k++) PetscCheck(sigaction(mrSignals[k], &sa, &mrOld[k]) == 0, PETSC_COMM_SELF, PETSC_ERR_SYS, "sigaction failed");
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSignalsRestore(void)
{
  PetscFunctionBegin;
  if (!mrInstalled || --mrInstalled) PetscFunctionReturn(PETSC_SUCCESS);
  for (int k = 0; k < 2; k++) PetscCheck(sigaction(mrSignals[k], &mrOld[k], NULL) == 0, PETSC_COMM_SELF, PETSC_ERR_SYS, "sigaction failed");
  PetscFunctionReturn(PETSC_SUCCESS);
}

int MrSignalPending(void) { return (int)mrSignal; }
