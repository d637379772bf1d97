/* The options database check shared by every verb. */
#include <mrdyn/error.h>

/* Options nobody asked for are typos: stop before any work or output. */
PetscErrorCode MrCheckUnusedOptions(MPI_Comm comm)
{
  PetscInt n;
  char   **names, **values;
  static const char *const ignore[] = {"log_view", "options_left", "malloc", "malloc_debug", "malloc_dump", "memory_view", "info", "help", "options_file_yaml", "options_file", "log_trace", "on_error_abort", "fp_trap", "no_signal_handler", "log_all", "log", "log_view_memory", "options_view", "checkstack", "malloc_test", "use_gpu_aware_mpi", "mca"};

  PetscFunctionBegin;
  PetscCall(PetscOptionsLeftGet(NULL, &n, &names, &values));
  for (PetscInt i = 0; i < n; i++) {
    PetscBool skip = PETSC_FALSE;
    for (size_t k = 0; k < sizeof(ignore) / sizeof(ignore[0]) && !skip; k++) PetscCall(PetscStrcmp(names[i], ignore[k], &skip));
    if (skip) continue;
    {
      char msg[512];
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "unknown option -%s (see -help for the options of this verb)", names[i]));
      PetscCall(PetscOptionsLeftRestore(NULL, &n, &names, &values));
      MrCheckInput(comm, PETSC_FALSE, "%s", msg);
    }
  }
  PetscCall(PetscOptionsLeftRestore(NULL, &n, &names, &values));
  PetscFunctionReturn(PETSC_SUCCESS);
}

