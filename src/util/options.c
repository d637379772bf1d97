/* The options database check shared by every verb. */
#include <mrdyn/error.h>
#include "util.h"
#include <stdlib.h>
#include <math.h>

/* Options nobody asked for are typos: stop before any work or output. */
PetscErrorCode MrCheckUnusedOptions(MPI_Comm comm, const char *const known[])
{
  PetscInt                 n;
  char                   **names, **values;
  static const char *const ignore[] = {"log_view", "options_left",      "malloc",  "malloc_debug", "malloc_dump",     "memory_view",  "info",       "help",        "options_file_yaml", "options_file", "log_trace", "on_error_abort",
                                       "fp_trap",  "no_signal_handler", "log_all", "log",          "log_view_memory", "options_view", "checkstack", "malloc_test", "use_gpu_aware_mpi", "mca"};

  PetscFunctionBegin;
  PetscCall(PetscOptionsLeftGet(NULL, &n, &names, &values));
  for (PetscInt i = 0; i < n; i++) {
    PetscBool skip = PETSC_FALSE;
    for (size_t k = 0; k < sizeof(ignore) / sizeof(ignore[0]) && !skip; k++) PetscCall(PetscStrcmp(names[i], ignore[k], &skip));
    if (skip) continue;
    {
      char        msg[512];
      const char *best  = NULL;
      PetscInt    bestd = 3; /* suggest only close matches */
      for (PetscInt k = 0; known && known[k]; k++) {
        PetscInt dist = MrEditDistance(names[i], known[k] + 1);
        if (dist < bestd) {
          bestd = dist;
          best  = known[k];
        }
      }
      if (best)
        PetscCall(PetscSNPrintf(msg, sizeof(msg), "unknown option -%s (did you mean %s? -help lists the options)", names[i], best));
      else
        PetscCall(PetscSNPrintf(msg, sizeof(msg), "unknown option -%s (see -help for the options of this verb)", names[i]));
      PetscCall(PetscOptionsLeftRestore(NULL, &n, &names, &values));
      MrCheckInput(comm, PETSC_FALSE, "%s", msg);
    }
  }
  PetscCall(PetscOptionsLeftRestore(NULL, &n, &names, &values));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrCheckNumericOptions(MPI_Comm comm, const char *const names[])
{
  PetscFunctionBegin;
  for (PetscInt k = 0; names[k]; k++) {
    char      val[4096];
    PetscBool set;
    PetscCall(PetscOptionsGetString(NULL, NULL, names[k], val, sizeof(val), &set));
    if (!set) continue;
    MrCheckInput(comm, val[0], "option %s needs a value", names[k]);
    for (char *p = val; *p;) {
      char  *end;
      double x = strtod(p, &end);
      MrCheckInput(comm, end != p && isfinite(x) && (*end == 0 || *end == ','), "option %s: '%s' is not a number (or a comma-separated list of numbers)", names[k], val);
      p = *end ? end + 1 : end;
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrCheckChoice(MPI_Comm comm, const char name[], const char *const list[], PetscInt n)
{
  char      val[256], all[1024] = "";
  PetscBool set, ok             = PETSC_FALSE;

  PetscFunctionBegin;
  PetscCall(PetscOptionsGetString(NULL, NULL, name, val, sizeof(val), &set));
  if (!set) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt k = 0; k < n; k++) {
    PetscBool eq;
    PetscCall(PetscStrcasecmp(val, list[k], &eq));
    ok = (PetscBool)(ok || eq);
    PetscCall(PetscStrlcat(all, k ? ", " : "", sizeof(all)));
    PetscCall(PetscStrlcat(all, list[k], sizeof(all)));
  }
  MrCheckInput(comm, ok, "option %s: '%s' is not one of %s", name, val, all);
  PetscFunctionReturn(PETSC_SUCCESS);
}
