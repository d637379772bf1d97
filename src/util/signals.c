/* Stop requests by signal, and SIGPIPE. A signal handler can reach nothing but
   static storage, so this file holds mrdyn's only mutable globals: the flag the
   handler sets (async-signal-safe: one sig_atomic_t store), the handlers it
   replaced, to put them back, and whether stdout has met a closed pipe. */
#include <mrdyn/error.h>
#include <signal.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

static volatile sig_atomic_t mrSignal       = 0;
static volatile sig_atomic_t mrStdoutClosed = 0; /* a write to stdout met a closed pipe */
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

/* PETSc's printing with a closed stdout treated as "stop printing": the text is
   formatted as PETSc does, written, and flushed at the end of a line (not after
   every piece of one, so fewer writes reach a pipe). Other write errors are
   ignored, as PETSc's own default does. */
static PetscErrorCode MrVFPrintfPipe(FILE *fd, const char format[], va_list ap)
{
  char    small[1024], *buf = small;
  size_t  full = 0;
  va_list cp;

  if (fd == stdout && mrStdoutClosed) return PETSC_SUCCESS;
  va_copy(cp, ap);
  if (PetscVSNPrintf(small, sizeof(small), format, &full, ap)) full = 0;
  if (full >= sizeof(small)) {
    buf = (char *)malloc(full + 1);
    if (!buf || PetscVSNPrintf(buf, full + 1, format, &full, cp)) {
      free(buf);
      buf = small; /* the cut text rather than none */
    }
  }
  va_end(cp);
  errno = 0;
  if (fputs(buf, fd) < 0 || ((!buf[0] || buf[strlen(buf) - 1] == '\n' || fd != stdout) && fflush(fd) != 0)) {
    if (fd == stdout && errno == EPIPE) mrStdoutClosed = 1;
    clearerr(fd);
  }
  if (buf != small) free(buf);
  return PETSC_SUCCESS;
}

PetscErrorCode MrSignalsSetUpOutput(void)
{
  PetscFunctionBegin;
  /* after PetscInitialize, which installs its own handler for it: a write to a
     closed pipe fails with EPIPE instead of killing the process */
  PetscCheck(signal(SIGPIPE, SIG_IGN) != SIG_ERR, PETSC_COMM_SELF, PETSC_ERR_SYS, "signal(SIGPIPE) failed");
  PetscVFPrintf = MrVFPrintfPipe;
  PetscFunctionReturn(PETSC_SUCCESS);
}
