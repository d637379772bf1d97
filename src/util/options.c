/* Numbers from options and text, and the options database checks shared by every verb. */
#include <mrdyn/error.h>
#include <mrdyn/options.h>
#include "util.h"
#include <petscts.h>
#include <petscsnes.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <math.h>

/* The text without blanks around it: [*s, *s + *len). */
static void MrTrim(const char text[], const char **s, size_t *len)
{
  const char *p = text ? text : "";
  size_t      n;
  while (isspace((unsigned char)*p)) p++;
  n = strlen(p);
  while (n && isspace((unsigned char)p[n - 1])) n--;
  *s   = p;
  *len = n;
}

MrParseStatus MrParseInt64(const char text[], PetscInt64 *value)
{
  const char *s, *end;
  size_t      len;
  long long   v;
  double      x;
  char       *e;

  MrTrim(text, &s, &len);
  if (!len) return MR_PARSE_MALFORMED;
  errno = 0;
  v     = strtoll(s, &e, 10);
  end   = e;
  if (end == s + len && isdigit((unsigned char)s[len - 1])) {
    if (errno == ERANGE) return MR_PARSE_RANGE;
    *value = (PetscInt64)v;
    return MR_PARSE_OK;
  }
  /* floating notation of a whole number (1e6): decimal only, no hex, inf or nan */
  for (size_t i = 0; i < len; i++)
    if (!strchr("0123456789+-.eE", s[i])) return MR_PARSE_MALFORMED;
  errno = 0;
  x     = strtod(s, &e);
  end   = e;
  if (end != s + len) return MR_PARSE_MALFORMED;
  if (isinf(x)) return MR_PARSE_RANGE;
  if (errno == ERANGE || x != floor(x)) return MR_PARSE_MALFORMED; /* an underflow is no integer either */
  if (fabs(x) >= 9223372036854775808.0) return MR_PARSE_RANGE;
  if (fabs(x) > 9007199254740992.0) return MR_PARSE_INEXACT; /* 2^53: beyond it a double need not hold what was written */
  *value = (PetscInt64)x;
  return MR_PARSE_OK;
}

MrParseStatus MrParseReal(const char text[], PetscReal *value)
{
  const char *s;
  size_t      len;
  char       *e;
  double      x;

  MrTrim(text, &s, &len);
  if (!len) return MR_PARSE_MALFORMED;
  x = strtod(s, &e);
  if (e != s + len) return MR_PARSE_MALFORMED;
  if (!isfinite(x)) return MR_PARSE_RANGE;
  *value = (PetscReal)x;
  return MR_PARSE_OK;
}

PetscErrorCode MrCheckInt64Text(MPI_Comm comm, const char what[], const char text[], PetscInt64 lo, PetscInt64 hi, PetscInt64 *value)
{
  PetscInt64    v = 0;
  MrParseStatus st;

  PetscFunctionBegin;
  MrCheckInput(comm, text && text[0], "%s needs a value", what);
  st = MrParseInt64(text, &v);
  MrCheckInput(comm, st != MR_PARSE_MALFORMED, "%s: '%s' is not an integer", what, text);
  MrCheckInput(comm, st != MR_PARSE_INEXACT, "%s: '%s' is too large for floating notation (it may have been rounded); write the integer in digits", what, text);
  /* beyond 64 bits is beyond any range the program supports */
  MrCheckInput(comm, st == MR_PARSE_OK && v >= lo && v <= hi, "%s: '%s' is out of range [%" PetscInt64_FMT ", %" PetscInt64_FMT "]", what, text, lo, hi);
  *value = v;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrCheckRealText(MPI_Comm comm, const char what[], const char text[], PetscReal *value)
{
  PetscReal     v = 0;
  MrParseStatus st;

  PetscFunctionBegin;
  MrCheckInput(comm, text && text[0], "%s needs a value", what);
  st = MrParseReal(text, &v);
  MrCheckInput(comm, st != MR_PARSE_MALFORMED, "%s: '%s' is not a number", what, text);
  MrCheckInput(comm, st == MR_PARSE_OK, "%s: '%s' is not a finite number", what, text);
  *value = v;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The option's whole text (not truncated) after PetscOptionsString has listed it
   for -help with the default dflt. */
static PetscErrorCode MrOptionsText(PetscOptionItems *PetscOptionsObject, const char opt[], const char text[], const char dflt[], const char **value, PetscBool *set)
{
  char shown[256] = "";

  PetscFunctionBegin;
  PetscCall(PetscOptionsString(opt, text, NULL, dflt, shown, sizeof(shown), set));
  *value = NULL;
  if (*set) PetscCall(PetscOptionsFindPair(PetscOptionsObject->options, PetscOptionsObject->prefix, opt, value, set));
  if (*set && !*value) *value = "";
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOptionsInt64_Private(PetscOptionItems *PetscOptionsObject, const char opt[], const char text[], PetscInt64 def, PetscInt64 *value, PetscBool *set, PetscInt64 lo, PetscInt64 hi)
{
  char        dflt[32], what[128];
  const char *s;
  PetscBool   flg;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(dflt, sizeof(dflt), "%" PetscInt64_FMT, def));
  PetscCall(MrOptionsText(PetscOptionsObject, opt, text, dflt, &s, &flg));
  *value = def;
  if (set) *set = flg;
  if (!flg) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscSNPrintf(what, sizeof(what), "option %s", opt));
  PetscCall(MrCheckInt64Text(PetscOptionsObject->comm, what, s, lo, hi, value));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOptionsInt_Private(PetscOptionItems *PetscOptionsObject, const char opt[], const char text[], PetscInt def, PetscInt *value, PetscBool *set, PetscInt lo, PetscInt hi)
{
  PetscInt64 v;

  PetscFunctionBegin;
  PetscCall(MrOptionsInt64_Private(PetscOptionsObject, opt, text, def, &v, set, PetscMax(lo, PETSC_MIN_INT), PetscMin(hi, PETSC_MAX_INT)));
  *value = (PetscInt)v; /* in [lo, hi], so it fits */
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOptionsReal_Private(PetscOptionItems *PetscOptionsObject, const char opt[], const char text[], PetscReal def, PetscReal *value, PetscBool *set)
{
  char        dflt[32], what[128];
  const char *s;
  PetscBool   flg;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(dflt, sizeof(dflt), "%g", (double)def));
  PetscCall(MrOptionsText(PetscOptionsObject, opt, text, dflt, &s, &flg));
  *value = def;
  if (set) *set = flg;
  if (!flg) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscSNPrintf(what, sizeof(what), "option %s", opt));
  PetscCall(MrCheckRealText(PetscOptionsObject->comm, what, s, value));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOptionsBool_Private(PetscOptionItems *PetscOptionsObject, const char opt[], const char text[], PetscBool def, PetscBool *value, PetscBool *set)
{
  static const char *const yes[] = {"", "1", "true", "yes", "on"}, *const no[] = {"0", "false", "no", "off"};
  const char *s;
  PetscBool   flg, is = PETSC_FALSE, isnt = PETSC_FALSE;

  PetscFunctionBegin;
  PetscCall(MrOptionsText(PetscOptionsObject, opt, text, def ? "true" : "false", &s, &flg));
  *value = def;
  if (set) *set = flg;
  if (!flg) PetscFunctionReturn(PETSC_SUCCESS);
  for (size_t k = 0; k < sizeof(yes) / sizeof(yes[0]) && !is; k++) is = (PetscBool)!strcasecmp(s, yes[k]); /* a bare -force is true */
  for (size_t k = 0; k < sizeof(no) / sizeof(no[0]) && !isnt; k++) isnt = (PetscBool)!strcasecmp(s, no[k]);
  MrCheckInput(PetscOptionsObject->comm, is || isnt, "option %s: '%s' is not a truth value (true, false, yes, no, on, off, 1, 0)", opt, s);
  *value = is;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Splits a comma-separated list and parses each item with parse (0: real, 1: integer in [lo, hi]). */
static PetscErrorCode MrOptionsList(PetscOptionItems *PetscOptionsObject, const char opt[], const char text[], const char helpDefault[], int kind, void *value, PetscInt *n, PetscBool *set, PetscInt lo, PetscInt hi)
{
  MPI_Comm    comm = PetscOptionsObject->comm;
  const char *s, *p;
  PetscBool   flg;
  PetscInt    cap = *n, k = 0;

  PetscFunctionBegin;
  PetscCall(MrOptionsText(PetscOptionsObject, opt, text, helpDefault ? helpDefault : "none", &s, &flg));
  if (set) *set = flg;
  if (!flg) PetscFunctionReturn(PETSC_SUCCESS);
  MrCheckInput(comm, s[0], "option %s needs a value (a comma-separated list)", opt);
  for (p = s;; k++) {
    size_t l = strcspn(p, ",");
    char   item[128], what[256];
    MrCheckInput(comm, k<cap, "option %s: more than %" PetscInt_FMT " values in '%.200s%s'", opt, cap, s, strlen(s)> 200 ? "..." : "");
    MrCheckInput(comm, l > 0 && l<sizeof(item), "option %s: item %" PetscInt_FMT " of '%.200s%s' is %s", opt, k + 1, s, strlen(s)> 200 ? "..." : "", l ? "too long" : "empty");
    memcpy(item, p, l);
    item[l] = 0;
    PetscCall(PetscSNPrintf(what, sizeof(what), "option %s (item %" PetscInt_FMT ")", opt, k + 1));
    if (kind == 0)
      PetscCall(MrCheckRealText(comm, what, item, &((PetscReal *)value)[k]));
    else {
      PetscInt64 v;
      PetscCall(MrCheckInt64Text(comm, what, item, lo, hi, &v));
      ((PetscInt *)value)[k] = (PetscInt)v;
    }
    if (!p[l]) break;
    p += l + 1;
  }
  *n = k + 1;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOptionsRealArray_Private(PetscOptionItems *PetscOptionsObject, const char opt[], const char text[], const char helpDefault[], PetscReal value[], PetscInt *n, PetscBool *set)
{
  PetscFunctionBegin;
  PetscCall(MrOptionsList(PetscOptionsObject, opt, text, helpDefault, 0, value, n, set, 0, 0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOptionsIntArray_Private(PetscOptionItems *PetscOptionsObject, const char opt[], const char text[], const char helpDefault[], PetscInt value[], PetscInt *n, PetscBool *set, PetscInt lo, PetscInt hi)
{
  PetscFunctionBegin;
  PetscCall(MrOptionsList(PetscOptionsObject, opt, text, helpDefault, 1, value, n, set, PetscMax(lo, PETSC_MIN_INT), PetscMin(hi, PETSC_MAX_INT)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ---- PETSc's own options (XSetFromOptions) ---- */

/* The type options mrdyn passes through, with their lists (checked when registered). */
static PetscErrorCode MrCheckTypeOptions(MPI_Comm comm)
{
  struct {
    const char       *opt;
    PetscFunctionList list;
  } const types[] = {
      {"-ts_type", TSList}, {"-snes_type", SNESList}, {"-snes_linesearch_type", SNESLineSearchList}, {"-ksp_type", KSPList}, {"-pc_type", PCList}, {"-mat_partitioning_type", MatPartitioningList},
  };

  PetscFunctionBegin;
  for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
    char         val[256], all[2048] = "";
    PetscBool    set;
    const char **names;
    int          n;
    void (*fn)(void) = NULL;
    if (!types[k].list) continue; /* the package is not in use */
    PetscCall(PetscOptionsGetString(NULL, NULL, types[k].opt, val, sizeof(val), &set));
    if (!set) continue;
    MrCheckInput(comm, val[0], "option %s needs a value", types[k].opt);
    PetscCall(PetscFunctionListFind(types[k].list, val, &fn));
    if (fn) continue;
    PetscCall(PetscFunctionListGet(types[k].list, &names, &n));
    for (int i = 0; i < n; i++) {
      if (!names[i] || !names[i][0]) continue;
      PetscCall(PetscStrlcat(all, all[0] ? ", " : "", sizeof(all)));
      PetscCall(PetscStrlcat(all, names[i], sizeof(all)));
    }
    PetscCall(PetscFree(names));
    MrCheckInput(comm, PETSC_FALSE, "option %s: unknown type '%s' (choices: %s)", types[k].opt, val, all);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode MrTrapHandler(MPI_Comm comm, int line, const char *fun, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *vctx)
{
  MrOptionsErrorTrap *t = (MrOptionsErrorTrap *)vctx;
  if (p == PETSC_ERROR_INITIAL && !t->set) {
    const char *text = mess;
    if (!text || !text[0]) PetscErrorMessage(n, &text, NULL);
    t->set  = PETSC_TRUE;
    t->code = n;
    /* the options parsers of PETSc, and unknown types set from the options */
    t->fromOptions = (PetscBool)((fun && !strncmp(fun, "PetscOptions", 12)) || n == PETSC_ERR_ARG_UNKNOWN_TYPE);
    (void)PetscSNPrintf(t->msg, sizeof(t->msg), "%s", text ? text : "error");
    if (!t->fromOptions) (void)PetscSNPrintf(t->msg, sizeof(t->msg), "%s (in %s, %s:%d)", text ? text : "error", fun, file, line);
  }
  return n;
}

PetscErrorCode MrOptionsErrorTrapPush(MrOptionsErrorTrap *t)
{
  PetscFunctionBegin;
  PetscCall(PetscMemzero(t, sizeof(*t)));
  PetscCall(PetscPushErrorHandler(MrTrapHandler, t));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The option whose value appears in PETSc's message (its messages name the value, not always the option). */
static PetscErrorCode MrOptionNamedIn(const char msg[], char name[], size_t len)
{
  char     *all, *tok, *save = NULL;
  PetscBool bestType = PETSC_FALSE;

  PetscFunctionBegin;
  name[0] = 0;
  PetscCall(PetscOptionsGetAll(NULL, &all));
  for (tok = strtok_r(all, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
    char      val[256];
    PetscBool set, isType;
    size_t    l;
    if (tok[0] != '-' || !isalpha((unsigned char)tok[1])) continue;
    PetscCall(PetscOptionsGetString(NULL, NULL, tok, val, sizeof(val), &set));
    if (!set || !val[0]) continue;
    l = strlen(val);
    {
      const char *q     = msg;
      PetscBool   found = PETSC_FALSE;
      for (; (q = strstr(q, val)) && !found; q++) /* as a whole word */
        found = (PetscBool)((q == msg || !isalnum((unsigned char)q[-1])) && !isalnum((unsigned char)q[l]) && q[l] != '.');
      if (!found) continue;
    }
    isType = (PetscBool)(l < strlen(tok) && strstr(tok, "_type") != NULL);
    if (!name[0] || (isType && !bestType)) {
      PetscCall(PetscStrncpy(name, tok, len));
      bestType = isType;
    }
  }
  PetscCall(PetscFree(all));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrOptionsErrorTrapPop(MPI_Comm comm, MrOptionsErrorTrap *t)
{
  char name[256];

  PetscFunctionBegin;
  PetscCall(PetscPopErrorHandler());
  if (!t->ierr) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCheck(t->fromOptions, PETSC_COMM_SELF, t->code ? t->code : t->ierr, "%s", t->msg); /* maybe one rank's: as it was */
  PetscCall(MrCheckTypeOptions(comm));                                                    /* names the choices when it can */
  {                                                                                       /* PETSc's lists of choices: "Unknown option V for -O. Available options: a b c" */
    char v[256], o[256], list[1024] = "";
    int  used = 0;
    if (sscanf(t->msg, "Unknown option %255s for %255s Available options:%n", v, o, &used) == 2 && used > 0) {
      size_t lo = strlen(o);
      if (lo && o[lo - 1] == '.') o[lo - 1] = 0;
      for (const char *p = t->msg + used; *p;) { /* the choices, comma-separated */
        size_t l;
        while (*p == ' ') p++;
        l = strcspn(p, " ");
        if (!l) break;
        if (list[0]) PetscCall(PetscStrlcat(list, ", ", sizeof(list)));
        if (strlen(list) + l < sizeof(list)) strncat(list, p, l);
        p += l;
      }
      MrCheckInput(comm, PETSC_FALSE, "option %s: unknown value '%s' (choices: %s)", o, v, list);
    }
  }
  PetscCall(MrOptionNamedIn(t->msg, name, sizeof(name)));
  if (name[0]) { /* PETSc's usual messages, in the words of mrdyn's own readers */
    char      val[256] = "";
    PetscBool set;
    PetscCall(PetscOptionsGetString(NULL, NULL, name, val, sizeof(val), &set));
    MrCheckInput(comm, !strstr(t->msg, "has no numeric value"), "option %s: '%s' is not a number", name, val);
    MrCheckInput(comm, !strstr(t->msg, "has no integer value"), "option %s: '%s' is not an integer", name, val);
    MrCheckInput(comm, t->code != PETSC_ERR_ARG_UNKNOWN_TYPE, "option %s: unknown type '%s' (-help lists the choices)", name, val);
  }
  if (name[0] && !strstr(t->msg, name)) MrCheckInput(comm, PETSC_FALSE, "option %s: %s", name, t->msg);
  MrCheckInput(comm, PETSC_FALSE, "%s", t->msg);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ---- the options database ---- */

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
      if (best && bestd == 0) /* a known option that the others make pointless (-ts_rk_type without -ts_type rk) */
        PetscCall(PetscSNPrintf(msg, sizeof(msg), "option -%s%s%s%s has no effect with the other options given (see -help)", names[i], values[i] ? " '" : "", values[i] ? values[i] : "", values[i] ? "'" : ""));
      else if (best)
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
