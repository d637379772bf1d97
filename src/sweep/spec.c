/* The sweep file (YAML, libyaml): reading, validation and expansion into members. */
#include "sweep_impl.h"
#include "../util/util.h"
#include <yaml.h>
#include <math.h>
#include <stdlib.h>

/* Options of the generators (verbs.c), so a plain key can be routed to the model. */
static const char *const MrGenOptions[] = {"R",         "N",      "g",    "tau",    "description", "a",        "b",     "u",   "hdiag",         "V",     "w_re", "w_im", "tol", "rho", "seed",
                                           "max_tries", "degree", "rank", "sigma2", "rescale",     "clusters", "p_out", "box", "box_prefilter", "model", "file", "T",    "U",   "set", NULL};

typedef struct {
  yaml_document_t *doc;
  MPI_Comm         comm;
  const char      *path;
} MrYaml;

static yaml_node_t *MrYamlNode(MrYaml *y, int id) { return yaml_document_get_node(y->doc, id); }

/* A scalar, or a flow list of scalars joined by commas (g per region: [1.5, 1.0]). */
static PetscErrorCode MrYamlScalar(MrYaml *y, yaml_node_t *n, const char *what, char **out)
{
  char   buf[4096] = "";
  size_t len       = 0;

  PetscFunctionBegin;
  if (n->type == YAML_SCALAR_NODE) {
    MrCheckInput(y->comm, n->data.scalar.length < sizeof(buf), "%s: %s: value too long", y->path, what);
    PetscCall(PetscStrallocpy((const char *)n->data.scalar.value, out));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  MrCheckInput(y->comm, n->type == YAML_SEQUENCE_NODE, "%s: %s must be a value or a list of values (line %d)", y->path, what, (int)n->start_mark.line + 1);
  for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
    yaml_node_t *c = MrYamlNode(y, *it);
    MrCheckInput(y->comm, c->type == YAML_SCALAR_NODE, "%s: %s: nested lists go one level deep (line %d)", y->path, what, (int)c->start_mark.line + 1);
    MrCheckInput(y->comm, len + c->data.scalar.length + 2 < sizeof(buf), "%s: %s: value too long", y->path, what);
    if (len) buf[len++] = ',';
    memcpy(buf + len, c->data.scalar.value, c->data.scalar.length);
    len += c->data.scalar.length;
    buf[len] = 0;
  }
  PetscCall(PetscStrallocpy(buf, out));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode MrYamlReal(MrYaml *y, yaml_node_t *n, const char *what, PetscReal *v)
{
  char *end;

  PetscFunctionBegin;
  MrCheckInput(y->comm, n->type == YAML_SCALAR_NODE, "%s: %s must be a number (line %d)", y->path, what, (int)n->start_mark.line + 1);
  *v = strtod((const char *)n->data.scalar.value, &end);
  MrCheckInput(y->comm, end != (char *)n->data.scalar.value && !*end && isfinite(*v), "%s: %s: '%s' is not a number (line %d)", y->path, what, (const char *)n->data.scalar.value, (int)n->start_mark.line + 1);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A mapping of options: key -> value (or list joined by commas). */
static PetscErrorCode MrYamlOptions(MrYaml *y, yaml_node_t *n, const char *what, PetscBool allowGenerator, char *generator, size_t glen, PetscInt *count, char ***keys, char ***vals)
{
  PetscInt np = 0;

  PetscFunctionBegin;
  MrCheckInput(y->comm, n->type == YAML_MAPPING_NODE, "%s: '%s' must be a mapping of option: value (line %d)", y->path, what, (int)n->start_mark.line + 1);
  np = (PetscInt)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
  PetscCall(PetscCalloc2(np + 1, keys, np + 1, vals));
  *count = 0;
  for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
    yaml_node_t *k = MrYamlNode(y, p->key), *v = MrYamlNode(y, p->value);
    const char  *key;
    MrCheckInput(y->comm, k->type == YAML_SCALAR_NODE, "%s: '%s': keys must be option names", y->path, what);
    key = (const char *)k->data.scalar.value;
    if (key[0] == '-') key++;
    if (allowGenerator && !strcmp(key, "generator")) {
      MrCheckInput(y->comm, v->type == YAML_SCALAR_NODE, "%s: model generator must be a name", y->path);
      PetscCall(PetscStrncpy(generator, (const char *)v->data.scalar.value, glen));
      continue;
    }
    PetscCall(PetscStrallocpy(key, &(*keys)[*count]));
    PetscCall(MrYamlScalar(y, v, key, &(*vals)[*count]));
    (*count)++;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode MrFormatReal(PetscReal v, char **out)
{
  char buf[64];

  PetscFunctionBegin;
  if (v == floor(v) && fabs(v) <= 9007199254740992.0) /* whole numbers in full: seeds 1000000000000 and 1000000000001 stay apart */
    PetscCall(PetscSNPrintf(buf, sizeof(buf), "%.0f", (double)v));
  else
    PetscCall(PetscSNPrintf(buf, sizeof(buf), "%.12g", (double)v));
  PetscCall(PetscStrallocpy(buf, out));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The values of one parameter: a value, a list, or {linspace|logspace: [a, b, n]} / {range: [a, b(, step)]}. */
static PetscErrorCode MrYamlValues(MrYaml *y, yaml_node_t *n, const char *name, PetscInt *count, char ***values)
{
  PetscFunctionBegin;
  if (n->type == YAML_SCALAR_NODE) {
    *count = 1;
    PetscCall(PetscMalloc1(1, values));
    PetscCall(MrYamlScalar(y, n, name, &(*values)[0]));
  } else if (n->type == YAML_SEQUENCE_NODE) {
    PetscInt k = 0;
    *count     = (PetscInt)(n->data.sequence.items.top - n->data.sequence.items.start);
    MrCheckInput(y->comm, *count > 0, "%s: vary %s: empty list", y->path, name);
    PetscCall(PetscMalloc1(*count, values));
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) PetscCall(MrYamlScalar(y, MrYamlNode(y, *it), name, &(*values)[k++]));
  } else {
    yaml_node_pair_t *p = n->data.mapping.pairs.start;
    yaml_node_t      *k, *v;
    const char       *kind;
    PetscReal         a[3] = {0, 0, 1};
    PetscInt          na   = 0;
    MrCheckInput(y->comm, n->data.mapping.pairs.top - p == 1, "%s: vary %s: give one of linspace, logspace, range (line %d)", y->path, name, (int)n->start_mark.line + 1);
    k    = MrYamlNode(y, p->key);
    v    = MrYamlNode(y, p->value);
    kind = (const char *)k->data.scalar.value;
    MrCheckInput(y->comm, v->type == YAML_SEQUENCE_NODE, "%s: vary %s: %s needs a list [start, stop, ...] (line %d)", y->path, name, kind, (int)v->start_mark.line + 1);
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
      MrCheckInput(y->comm, na < 3, "%s: vary %s: %s takes at most three numbers", y->path, name, kind);
      PetscCall(MrYamlReal(y, MrYamlNode(y, *it), name, &a[na++]));
    }
    if (!strcmp(kind, "linspace") || !strcmp(kind, "logspace")) {
      PetscBool lg = (PetscBool)!strcmp(kind, "logspace");
      MrCheckInput(y->comm, na == 3 && a[2] >= 1 && a[2] == floor(a[2]) && a[2] <= 1e7, "%s: vary %s: %s needs [start, stop, count >= 1]", y->path, name, kind);
      *count = (PetscInt)a[2];
      PetscCall(PetscMalloc1(*count, values));
      for (PetscInt i = 0; i < *count; i++) {
        PetscReal x = *count == 1 ? a[0] : a[0] + (a[1] - a[0]) * i / (*count - 1);
        PetscCall(MrFormatReal(lg ? pow(10.0, x) : x, &(*values)[i]));
      }
    } else if (!strcmp(kind, "range")) {
      PetscReal len;
      MrCheckInput(y->comm, na >= 2 && a[2] != 0, "%s: vary %s: range needs [start, stop(, step != 0)]", y->path, name);
      len = ceil((a[1] - a[0]) / a[2] - 1e-9);
      MrCheckInput(y->comm, len >= 1 && len <= 1e7, "%s: vary %s: range [%g, %g) step %g is empty or too long", y->path, name, (double)a[0], (double)a[1], (double)a[2]);
      MrCheckInput(y->comm, PetscMax(fabs(a[0]), fabs(a[1])) <= 9007199254740992.0, "%s: vary %s: range [%.17g, %.17g) goes beyond 2^53, where its values are not exact; list them instead", y->path, name, (double)a[0], (double)a[1]);
      *count = (PetscInt)len;
      PetscCall(PetscMalloc1(*count, values));
      for (PetscInt i = 0; i < *count; i++) PetscCall(MrFormatReal(a[0] + i * a[2], &(*values)[i]));
    } else
      MrCheckInput(y->comm, PETSC_FALSE, "%s: vary %s: unknown '%s' (linspace, logspace, range, or a list)", y->path, name, kind);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode MrSweepAddParams(MrYaml *y, MrSweep sw, yaml_node_t *n, PetscBool zip)
{
  PetscInt zipAxis = -1;

  PetscFunctionBegin;
  MrCheckInput(y->comm, n->type == YAML_MAPPING_NODE, "%s: '%s' must be a mapping of parameter: values", y->path, zip ? "zip" : "vary");
  for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
    yaml_node_t  *k = MrYamlNode(y, p->key);
    MrSweepParam *q;
    const char   *key;
    MrCheckInput(y->comm, k->type == YAML_SCALAR_NODE, "%s: parameter names must be plain names", y->path);
    MrCheckInput(y->comm, sw->npar < 64, "%s: at most 64 varied parameters", y->path);
    q   = &sw->par[sw->npar];
    key = (const char *)k->data.scalar.value;
    if (key[0] == '-') key++;
    if (!strncmp(key, "model.", 6)) {
      q->target = 0;
      key += 6;
    } else if (!strncmp(key, "run.", 4)) {
      q->target = 1;
      key += 4;
    } else {
      q->target = 1;
      if (sw->generator[0])
        for (PetscInt i = 0; MrGenOptions[i]; i++)
          if (!strcmp(key, MrGenOptions[i])) q->target = 0;
    }
    MrCheckInput(y->comm, q->target == 1 || sw->generator[0], "%s: %s varies the model, but the model is a file (give model: {generator: ...})", y->path, key);
    for (PetscInt i = 0; i < sw->npar; i++) MrCheckInput(y->comm, strcmp(sw->par[i].name, key) || sw->par[i].target != q->target, "%s: parameter %s is varied twice", y->path, key);
    PetscCall(PetscStrallocpy(key, &q->name));
    PetscCall(MrYamlValues(y, MrYamlNode(y, p->value), key, &q->n, &q->values));
    if (zip) {
      if (zipAxis < 0) {
        zipAxis              = sw->naxes++;
        sw->axisLen[zipAxis] = q->n;
      }
      MrCheckInput(y->comm, q->n == sw->axisLen[zipAxis], "%s: zipped parameters need lists of one length (%s has %" PetscInt_FMT ", others %" PetscInt_FMT ")", y->path, key, q->n, sw->axisLen[zipAxis]);
      q->axis = zipAxis;
    } else {
      q->axis              = sw->naxes++;
      sw->axisLen[q->axis] = q->n;
    }
    q->numeric = PETSC_TRUE;
    for (PetscInt i = 0; i < q->n; i++) {
      char       *end;
      double      v      = strtod(q->values[i], &end);
      const char *digits = q->values[i] + (q->values[i][0] == '-' || q->values[i][0] == '+');
      if (end == q->values[i] || *end || !isfinite(v)) q->numeric = PETSC_FALSE;
      /* an integer from 2^53 on (a large seed), which a double may not hold, stays a string, exactly as given */
      if (digits[0] && !digits[strspn(digits, "0123456789")] && fabs(v) >= 9007199254740992.0) q->numeric = PETSC_FALSE;
    }
    sw->npar++;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode MrSweepParse(MPI_Comm comm, const char path[], MrSweep sw)
{
  yaml_parser_t   parser;
  yaml_document_t doc;
  MrYaml          y = {&doc, comm, path};
  yaml_node_t    *root;
  int             ok;
  PetscReal       M     = 1;
  char          **aggr  = NULL;
  PetscInt        naggr = -1;

  PetscFunctionBegin;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, (const unsigned char *)sw->text, strlen(sw->text));
  ok = yaml_parser_load(&parser, &doc);
  if (!ok) {
    char msg[512];
    PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s: YAML error at line %d: %s", path, (int)parser.problem_mark.line + 1, parser.problem ? parser.problem : "unknown"));
    yaml_parser_delete(&parser);
    MrCheckInput(comm, PETSC_FALSE, "%s", msg);
  }
  yaml_parser_delete(&parser);
  root = yaml_document_get_root_node(&doc);
  MrCheckInput(comm, root && root->type == YAML_MAPPING_NODE, "%s: the sweep file must be a YAML mapping (verb:, model:, options:, vary:, ...)", path);
  PetscCall(PetscCalloc2(64, &sw->par, 64, &sw->axisLen));
  PetscCall(PetscStrncpy(sw->verb, "dmft", sizeof(sw->verb)));
  sw->window         = 0.5;
  sw->nkeep          = -1;
  sw->ranksPerMember = 0; /* auto */
  sw->memberFiles    = PETSC_TRUE;
  /* model first: routing plain parameter names needs to know about the generator */
  for (int pass = 0; pass < 2; pass++)
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
      yaml_node_t *k = MrYamlNode(&y, p->key), *v = MrYamlNode(&y, p->value);
      const char  *key;
      MrCheckInput(comm, k->type == YAML_SCALAR_NODE, "%s: top-level keys must be names", path);
      key = (const char *)k->data.scalar.value;
      if (!strcmp(key, "model")) {
        if (pass) continue;
        if (v->type == YAML_SCALAR_NODE)
          PetscCall(PetscStrncpy(sw->modelFile, (const char *)v->data.scalar.value, sizeof(sw->modelFile)));
        else {
          PetscCall(MrYamlOptions(&y, v, "model", PETSC_TRUE, sw->generator, sizeof(sw->generator), &sw->nmodel, &sw->modelKey, &sw->modelVal));
          MrCheckInput(comm, sw->generator[0], "%s: model: give a generator (paper, random, graph) or a model file name", path);
        }
        continue;
      }
      if (!pass) continue;
      if (!strcmp(key, "verb")) {
        MrCheckInput(comm, v->type == YAML_SCALAR_NODE && (!strcmp((const char *)v->data.scalar.value, "dmft") || !strcmp((const char *)v->data.scalar.value, "simulate")), "%s: verb must be dmft or simulate", path);
        PetscCall(PetscStrncpy(sw->verb, (const char *)v->data.scalar.value, sizeof(sw->verb)));
      } else if (!strcmp(key, "output")) {
        MrCheckInput(comm, v->type == YAML_SCALAR_NODE && v->data.scalar.length > 0, "%s: output must be a directory name", path);
        PetscCall(PetscStrncpy(sw->outdir, (const char *)v->data.scalar.value, sizeof(sw->outdir)));
      } else if (!strcmp(key, "options")) {
        PetscCall(MrYamlOptions(&y, v, "options", PETSC_FALSE, NULL, 0, &sw->nopt, &sw->optKey, &sw->optVal));
      } else if (!strcmp(key, "vary")) {
        PetscCall(MrSweepAddParams(&y, sw, v, PETSC_FALSE));
      } else if (!strcmp(key, "zip")) {
        PetscCall(MrSweepAddParams(&y, sw, v, PETSC_TRUE));
      } else if (!strcmp(key, "keep")) {
        if (v->type == YAML_SCALAR_NODE && !strcmp((const char *)v->data.scalar.value, "all"))
          sw->nkeep = -1;
        else if (v->type == YAML_SCALAR_NODE && !strcmp((const char *)v->data.scalar.value, "none"))
          sw->nkeep = 0;
        else {
          MrCheckInput(comm, v->type == YAML_SEQUENCE_NODE, "%s: keep must be all, none, or a list of dataset names", path);
          sw->nkeep = (PetscInt)(v->data.sequence.items.top - v->data.sequence.items.start);
          PetscCall(PetscCalloc1(sw->nkeep + 1, &sw->keep));
          for (PetscInt i = 0; i < sw->nkeep; i++) PetscCall(MrYamlScalar(&y, MrYamlNode(&y, v->data.sequence.items.start[i]), "keep", &sw->keep[i]));
        }
      } else if (!strcmp(key, "member_files")) {
        const char *val = (const char *)v->data.scalar.value;
        MrCheckInput(comm, v->type == YAML_SCALAR_NODE && (!strcmp(val, "true") || !strcmp(val, "false")), "%s: member_files must be true or false", path);
        sw->memberFiles = (PetscBool)!strcmp(val, "true");
      } else if (!strcmp(key, "aggregate")) {
        PetscInt na = v->type == YAML_SEQUENCE_NODE ? (PetscInt)(v->data.sequence.items.top - v->data.sequence.items.start) : 1;
        MrCheckInput(comm, (v->type == YAML_SCALAR_NODE || v->type == YAML_SEQUENCE_NODE) && na <= 64, "%s: aggregate must be a parameter name or a list of them", path);
        PetscCall(PetscCalloc1(na + 1, &aggr));
        naggr = na;
        for (PetscInt i = 0; i < na; i++) PetscCall(MrYamlScalar(&y, v->type == YAML_SCALAR_NODE ? v : MrYamlNode(&y, v->data.sequence.items.start[i]), "aggregate", &aggr[i]));
      } else if (!strcmp(key, "classify_window")) {
        PetscCall(MrYamlReal(&y, v, "classify_window", &sw->window));
        MrCheckInput(comm, sw->window > 0 && sw->window <= 1, "%s: classify_window must be in (0, 1]", path);
      } else if (!strcmp(key, "ranks_per_member")) {
        PetscInt64 k = 0;
        if (!(v->type == YAML_SCALAR_NODE && !strcmp((const char *)v->data.scalar.value, "auto"))) {
          char what[PETSC_MAX_PATH_LEN + 64];
          MrCheckInput(comm, v->type == YAML_SCALAR_NODE, "%s: ranks_per_member must be auto or a whole number >= 1", path);
          PetscCall(PetscSNPrintf(what, sizeof(what), "%s: ranks_per_member (auto or a count)", path));
          PetscCall(MrCheckInt64Text(comm, what, (const char *)v->data.scalar.value, 1, PETSC_MAX_INT, &k));
        }
        sw->ranksPerMember = (PetscInt)k;
      } else
        MrCheckInput(comm, PETSC_FALSE, "%s: unknown key '%s' (verb, output, model, options, vary, zip, keep, member_files, aggregate, classify_window, ranks_per_member)", path, key);
    }
  yaml_document_delete(&doc);
  MrCheckInput(comm, sw->generator[0] || sw->modelFile[0], "%s: no model (model: FILE or model: {generator: NAME, ...})", path);
  MrCheckInput(comm, sw->outdir[0], "%s: no output directory (output: DIR)", path);
  for (PetscInt i = 0; i < sw->nopt; i++) {
    const char *reserved[] = {"model", "o", "force", "restart", "checkpoint"};
    for (size_t k = 0; k < sizeof(reserved) / sizeof(reserved[0]); k++) MrCheckInput(comm, strcmp(sw->optKey[i], reserved[k]), "%s: options: -%s is set by the sweep for each member", path, sw->optKey[i]);
  }
  MrCheckInput(comm, sw->memberFiles || sw->nkeep == 0, "%s: member_files: false keeps only the summary record of each member; it needs keep: none", path);
  /* the pooled axes of /grid: those of the named parameters, by default those of any parameter called seed */
  for (PetscInt i = 0; i < (naggr < 0 ? 0 : naggr); i++) {
    const char *a = aggr[i], *nm = !strncmp(a, "model.", 6) ? a + 6 : !strncmp(a, "run.", 4) ? a + 4 : a;
    PetscBool   found = PETSC_FALSE;
    for (PetscInt p = 0; p < sw->npar; p++)
      if (!strcmp(sw->par[p].name, nm) && (a == nm || (a[0] == 'm') == (sw->par[p].target == 0))) {
        sw->aggregate[sw->par[p].axis] = PETSC_TRUE;
        found                          = PETSC_TRUE;
      }
    MrCheckInput(comm, found, "%s: aggregate: '%s' is not a varied parameter", path, a);
  }
  if (naggr < 0)
    for (PetscInt p = 0; p < sw->npar; p++)
      if (!strcmp(sw->par[p].name, "seed")) sw->aggregate[sw->par[p].axis] = PETSC_TRUE;
  sw->aggregateSet = (PetscBool)(naggr >= 0);
  for (PetscInt i = 0; i < (naggr < 0 ? 0 : naggr); i++) PetscCall(PetscFree(aggr[i]));
  PetscCall(PetscFree(aggr));
  for (PetscInt a = 0; a < sw->naxes; a++) M *= sw->axisLen[a];
  MrCheckInput(comm, M <= 1e8, "%s: %g members is too many (at most 1e8)", path, (double)M);
  sw->M = (PetscInt)M;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSweepLoad(MPI_Comm comm, const char path[], MrSweep *swp)
{
  MrSweep     sw;
  PetscMPIInt rank;
  long        len      = -1;
  char        msg[512] = "";

  PetscFunctionBegin;
  PetscCall(PetscNew(&sw));
  sw->comm = comm;
  PetscCall(PetscStrncpy(sw->path, path, sizeof(sw->path)));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) { /* rank 0 reads, every rank parses the same text */
    FILE *f = fopen(path, "rb");
    if (!f)
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "cannot read the sweep file '%s'", path));
    else {
      fseek(f, 0, SEEK_END);
      len = ftell(f);
      fseek(f, 0, SEEK_SET);
      if (len < 0 || len > (1 << 24)) {
        PetscCall(PetscSNPrintf(msg, sizeof(msg), "the sweep file '%s' is too large", path));
        len = -1;
      } else {
        PetscCall(PetscMalloc1(len + 1, &sw->text));
        if (fread(sw->text, 1, (size_t)len, f) != (size_t)len) {
          PetscCall(PetscSNPrintf(msg, sizeof(msg), "cannot read the sweep file '%s'", path));
          len = -1;
        } else
          sw->text[len] = 0;
      }
      fclose(f);
    }
  }
  PetscCall(MrShareStatus(comm, (PetscBool)(rank != 0 || len >= 0), msg));
  PetscCallMPI(MPI_Bcast(&len, 1, MPI_LONG, 0, comm));
  if (rank) PetscCall(PetscMalloc1(len + 1, &sw->text));
  PetscCallMPI(MPI_Bcast(sw->text, (int)len + 1, MPI_CHAR, 0, comm));
  PetscCall(MrSweepParse(comm, path, sw));
  *swp = sw;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrSweepDestroy(MrSweep *swp)
{
  MrSweep sw = *swp;

  PetscFunctionBegin;
  if (!sw) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt i = 0; i < sw->nmodel; i++) {
    PetscCall(PetscFree(sw->modelKey[i]));
    PetscCall(PetscFree(sw->modelVal[i]));
  }
  for (PetscInt i = 0; i < sw->nopt; i++) {
    PetscCall(PetscFree(sw->optKey[i]));
    PetscCall(PetscFree(sw->optVal[i]));
  }
  PetscCall(PetscFree2(sw->modelKey, sw->modelVal));
  PetscCall(PetscFree2(sw->optKey, sw->optVal));
  for (PetscInt p = 0; p < sw->npar; p++) {
    for (PetscInt i = 0; i < sw->par[p].n; i++) PetscCall(PetscFree(sw->par[p].values[i]));
    PetscCall(PetscFree(sw->par[p].values));
    PetscCall(PetscFree(sw->par[p].name));
  }
  PetscCall(PetscFree2(sw->par, sw->axisLen));
  for (PetscInt i = 0; i < sw->nkeep; i++) PetscCall(PetscFree(sw->keep[i]));
  PetscCall(PetscFree(sw->keep));
  PetscCall(PetscFree(sw->text));
  PetscCall(PetscFree(sw));
  *swp = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscInt MrSweepSize(MrSweep sw) { return sw->M; }

/* Axis index of member m: mixed radix, the first axis varies slowest. */
const char *MrSweepValue(MrSweep sw, PetscInt p, PetscInt m)
{
  PetscInt stride = 1;
  for (PetscInt a = sw->naxes - 1; a > sw->par[p].axis; a--) stride *= sw->axisLen[a];
  return sw->par[p].values[(m / stride) % sw->axisLen[sw->par[p].axis]];
}

/* The name of parameter p in the summary and in member files: the model's seed is
   model_seed, so that it does not clash with the run's seed. */
PetscErrorCode MrSweepParamColumn(MrSweep sw, PetscInt p, char name[], size_t len)
{
  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(name, len, "%s%s", sw->par[p].target ? "" : (strcmp(sw->par[p].name, "seed") ? "" : "model_"), sw->par[p].name));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* key=value lines, sorted, so the hash does not depend on the order in the file. */
static int MrCmpStr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

PetscErrorCode MrSweepMemberName(MrSweep sw, PetscInt m, char name[], size_t len)
{
  PetscInt n = 0;
  char   **line;
  uint64_t h = MR_HASH_INIT;
  char     buf[8192];

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(sw->nmodel + sw->nopt + sw->npar + 2, &line));
  for (int target = 0; target < 2; target++) {
    PetscInt nb = target ? sw->nopt : sw->nmodel;
    char   **k = target ? sw->optKey : sw->modelKey, **v = target ? sw->optVal : sw->modelVal;
    for (PetscInt i = 0; i < nb; i++) {
      PetscBool over = PETSC_FALSE;
      for (PetscInt p = 0; p < sw->npar; p++) over = (PetscBool)(over || (sw->par[p].target == target && !strcmp(sw->par[p].name, k[i])));
      if (over) continue;
      PetscCall(PetscSNPrintf(buf, sizeof(buf), "%s.%s=%s", target ? "run" : "model", k[i], v[i]));
      PetscCall(PetscStrallocpy(buf, &line[n++]));
    }
  }
  for (PetscInt p = 0; p < sw->npar; p++) {
    PetscCall(PetscSNPrintf(buf, sizeof(buf), "%s.%s=%s", sw->par[p].target ? "run" : "model", sw->par[p].name, MrSweepValue(sw, p, m)));
    PetscCall(PetscStrallocpy(buf, &line[n++]));
  }
  qsort(line, (size_t)n, sizeof(char *), MrCmpStr);
  PetscCall(PetscSNPrintf(buf, sizeof(buf), "verb=%s;model=%s%s;", sw->verb, sw->generator[0] ? "generator:" : "file:", sw->generator[0] ? sw->generator : sw->modelFile));
  h = MrHash64(buf, strlen(buf), h);
  for (PetscInt i = 0; i < n; i++) {
    h = MrHash64(line[i], strlen(line[i]) + 1, h);
    PetscCall(PetscFree(line[i]));
  }
  PetscCall(PetscFree(line));
  PetscCall(PetscSNPrintf(name, len, "m-%016llx.h5", (unsigned long long)h));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Looks a setting up: the member's value, else the base option, else def. */
static PetscReal MrSweepNumber(MrSweep sw, PetscInt m, int target, const char key[], PetscReal def)
{
  PetscInt nb = target ? sw->nopt : sw->nmodel;
  char   **k = target ? sw->optKey : sw->modelKey, **v = target ? sw->optVal : sw->modelVal;
  for (PetscInt p = 0; p < sw->npar; p++)
    if (sw->par[p].target == target && !strcmp(sw->par[p].name, key)) return atof(MrSweepValue(sw, p, m));
  for (PetscInt i = 0; i < nb; i++)
    if (!strcmp(k[i], key)) return atof(v[i]);
  return def;
}

PetscReal MrSweepCost(MrSweep sw, PetscInt m)
{
  PetscReal steps = MrSweepNumber(sw, m, 1, "t_final", 20.0) / PetscMax(MrSweepNumber(sw, m, 1, "dt", 0.05), 1e-12);
  PetscReal R = MrSweepNumber(sw, m, 0, "R", 2), N = MrSweepNumber(sw, m, 0, "N", 1000);
  return !strcmp(sw->verb, "dmft") ? R * steps * steps : R * N * N * steps;
}

/* The memory one member needs (bytes): the stored disorder of a simulation (the
   mean-field engine keeps O(Nt) per region). sumN2: sum of N_r^2 of a model
   file, or 0 for generated models (R N^2 from the member's settings). */
PetscReal MrSweepMemory(MrSweep sw, PetscInt m, PetscReal sumN2)
{
  PetscReal R = MrSweepNumber(sw, m, 0, "R", 2), N = MrSweepNumber(sw, m, 0, "N", 1000), n2 = sumN2 > 0 ? sumN2 : R * N * N;
  PetscReal nrows = sumN2 > 0 ? sqrt(sumN2 * R) : R * N, K = MrSweepNumber(sw, m, 1, "disorder_k", 100);
  PetscBool single = PETSC_FALSE, sparse = PETSC_FALSE;
  if (strcmp(sw->verb, "simulate")) return 64.0 * R * MrSweepNumber(sw, m, 1, "t_final", 20.0) / MrSweepNumber(sw, m, 1, "dt", 0.05);
  for (PetscInt i = 0; i < sw->nopt; i++) {
    if (!strcmp(sw->optKey[i], "precision")) single = (PetscBool)!strcmp(sw->optVal[i], "single");
    if (!strcmp(sw->optKey[i], "disorder")) sparse = (PetscBool)!strcmp(sw->optVal[i], "sparse");
  }
  return sparse ? 12.0 * K * nrows : (single ? 4.0 : 8.0) * n2;
}
