/* `mrdyn compare SIM.h5 THEORY.h5`: a simulation against the mean-field theory of
   the same model, over a time window: currents per channel, stationary variance
   and psi per region, normalised autocovariance; a table, a JSON summary, and
   an exit status from -tol. Rank 0 reads and computes; the verdict is shared. */
#include <mrdyn/mrdyn.h>
#include <stdlib.h>
#include <math.h>
#include <unistd.h>
#include <limits.h>
#include <errno.h>

typedef struct {
  int        nt, C, R, ndt, nlag;
  double    *t, *S, *var, *psi, *delta, *dtimes, *dlags;
  long long *tgt, *src;
  char       hash[64];
} MrRunData;

static void MrRunDataFree(MrRunData *d)
{
  free(d->t);
  free(d->S);
  free(d->var);
  free(d->psi);
  free(d->delta);
  free(d->dtimes);
  free(d->dlags);
  free(d->tgt);
  free(d->src);
}

/* Rank 0: reads what compare needs; msg set on failure. */
static PetscErrorCode MrRunDataRead(const char path[], MrRunData *d, char msg[], size_t len)
{
  hid_t   f;
  int     rank;
  hsize_t dims[4];
  char    m[512];

  PetscFunctionBegin;
  PetscCall(PetscMemzero(d, sizeof(*d)));
  PetscCall(MrH5OpenRead(path, "file", &f, msg, len));
  if (f < 0) PetscFunctionReturn(PETSC_SUCCESS);
#define MR_RD(name, type, ptr)                                                                                                                                                                                                                           \
  do {                                                                                                                                                                                                                                                   \
    PetscCall(MrH5ReadDataset(f, name, type, &rank, dims, (void **)&(ptr), m, sizeof(m)));                                                                                                                                                               \
    if (m[0]) {                                                                                                                                                                                                                                          \
      PetscCall(PetscSNPrintf(msg, len, "'%s': %s (is it a run or mean-field file?)", path, m));                                                                                                                                                         \
      goto done;                                                                                                                                                                                                                                         \
    }                                                                                                                                                                                                                                                    \
  } while (0)
#define MR_SHAPE_OK(cond, what)                                                                                                                                                                                                                          \
  do {                                                                                                                                                                                                                                                   \
    if (!(cond)) {                                                                                                                                                                                                                                       \
      PetscCall(PetscSNPrintf(msg, len, "'%s': %s has an unexpected shape", path, what));                                                                                                                                                                \
      goto done;                                                                                                                                                                                                                                         \
    }                                                                                                                                                                                                                                                    \
  } while (0)
  MR_RD("/time", H5T_NATIVE_DOUBLE, d->t);
  MR_SHAPE_OK(rank == 1 && dims[0] < (hsize_t)INT_MAX, "/time");
  d->nt = (int)dims[0];
  if (d->nt < 1) { /* nothing to compare (a run stopped before its first saved row) */
    PetscCall(PetscSNPrintf(msg, len, "'%s': /time has no rows: the file holds no saved state", path));
    goto done;
  }
  for (int i = 0; i < d->nt; i++)
    if (!isfinite(d->t[i]) || (i && !(d->t[i] > d->t[i - 1]))) {
      PetscCall(PetscSNPrintf(msg, len, "'%s': /time is not finite and increasing (row %d is %g)", path, i, d->t[i]));
      goto done;
    }
  MR_RD("/currents", H5T_NATIVE_DOUBLE, d->S);
  d->C = rank == 2 ? (int)dims[1] : 0;
  if (rank != 2 || (int)dims[0] != d->nt || dims[1] < 1 || dims[1] >= (hsize_t)INT_MAX) {
    PetscCall(PetscSNPrintf(msg, len, "'%s': /currents does not have shape (nt, C) with nt = %d rows of /time and C >= 1", path, d->nt));
    goto done;
  }
  MR_RD("/variance", H5T_NATIVE_DOUBLE, d->var);
  MR_SHAPE_OK(rank == 2 && (int)dims[0] == d->nt && dims[1] >= 1 && dims[1] < (hsize_t)INT_MAX, "/variance");
  d->R = (int)dims[1];
  MR_RD("/psi", H5T_NATIVE_DOUBLE, d->psi);
  MR_SHAPE_OK(rank == 2 && (int)dims[0] == d->nt && (int)dims[1] == d->R, "/psi");
  MR_RD("/channel/target", H5T_NATIVE_LLONG, d->tgt);
  MR_SHAPE_OK(rank == 1 && (int)dims[0] == d->C, "/channel/target");
  MR_RD("/channel/source", H5T_NATIVE_LLONG, d->src);
  MR_SHAPE_OK(rank == 1 && (int)dims[0] == d->C, "/channel/source");
  if (MrH5Exists(f, "/delta") && MrH5Exists(f, "/delta_lags") && MrH5Exists(f, "/delta_times")) {
    MR_RD("/delta", H5T_NATIVE_DOUBLE, d->delta);
    MR_SHAPE_OK(rank == 3 && (int)dims[0] == d->R && dims[1] >= 1 && dims[2] >= 1 && dims[1] * dims[2] < (hsize_t)INT_MAX, "/delta");
    d->ndt  = (int)dims[1];
    d->nlag = (int)dims[2];
    MR_RD("/delta_lags", H5T_NATIVE_DOUBLE, d->dlags);
    MR_SHAPE_OK(rank == 1 && (int)dims[0] == d->nlag, "/delta_lags");
    MR_RD("/delta_times", H5T_NATIVE_DOUBLE, d->dtimes);
    MR_SHAPE_OK(rank == 1 && (int)dims[0] == d->ndt, "/delta_times");
  }
#undef MR_SHAPE_OK
  if (H5Aexists(f, "model_hash") > 0) { /* one string: an array of them overran d->hash */
    PetscBool ok;
    PetscCall(MrH5GetAttrString(f, "model_hash", d->hash, sizeof(d->hash), &ok));
    if (!ok) {
      PetscCall(PetscSNPrintf(msg, len, "'%s': the attribute model_hash is not one string", path));
      goto done;
    }
  }
done:
  H5Fclose(f);
#undef MR_RD
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A JSON string (quoted, escaped) of a file name. */
static void MrJS(FILE *f, const char *s)
{
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c < 0x20)
      fprintf(f, "\\u%04x", c);
    else
      fputc(c, f);
  }
  fputc('"', f);
}

/* A JSON number, or null where it is not finite (JSON has no NaN or infinity). */
static const char *MrJ(double v, char buf[40])
{
  if (isfinite(v))
    snprintf(buf, 40, "%.17g", v);
  else
    snprintf(buf, 40, "null");
  return buf;
}

/* Linear interpolation of column c of y (nt x ncol) at time x. */
static double MrInterp(const MrRunData *d, const double *y, int ncol, int c, double x)
{
  int lo = 0, hi = d->nt - 1;
  if (x <= d->t[0]) return y[c];
  if (x >= d->t[hi]) return y[hi * ncol + c];
  while (hi - lo > 1) {
    int mid = (lo + hi) / 2;
    if (d->t[mid] <= x)
      lo = mid;
    else
      hi = mid;
  }
  double w = (x - d->t[lo]) / (d->t[hi] - d->t[lo]);
  return (1 - w) * y[lo * ncol + c] + w * y[hi * ncol + c];
}

/* Normalised autocovariance of region r, reference q, at lag L (linear in the lags). */
static double MrAcov(const MrRunData *d, int r, int q, double L)
{
  const double *y = d->delta + ((size_t)r * d->ndt + q) * d->nlag;
  int           k = 0;
  if (!(y[0] > 0)) return NAN;
  while (k + 1 < d->nlag && d->dlags[k + 1] < L) k++;
  if (k + 1 >= d->nlag) return y[d->nlag - 1] / y[0];
  double w = (L - d->dlags[k]) / (d->dlags[k + 1] - d->dlags[k]);
  return ((1 - w) * y[k] + w * y[k + 1]) / y[0];
}

PetscErrorCode MrCompare(MPI_Comm comm, const char simPath[], const char thPath[])
{
  PetscMPIInt rank;
  PetscReal   tol = 0.1, win[3] = {NAN, NAN, NAN};
  PetscInt    nwin                     = 3;
  char        json[PETSC_MAX_PATH_LEN] = "", msg[1024] = "";
  PetscBool   pass = PETSC_TRUE, help, hasWin, force = PETSC_FALSE;
  double      worst = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscOptionsBegin(comm, NULL, "mrdyn compare SIM.h5 THEORY.h5", NULL);
  PetscCall(MrOptionsReal("-tol", "largest accepted relative difference (exit status 1 above)", tol, &tol, NULL));
  PetscCall(MrOptionsRealArray("-window", "t0,t1 of the compared window", "the last half", win, &nwin, &hasWin));
  PetscCall(PetscOptionsString("-json", "write a machine-readable summary here", NULL, json, json, sizeof(json), NULL));
  PetscCall(PetscOptionsBool("-force", "replace an existing -json file", NULL, force, &force, NULL));
  PetscOptionsEnd();
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  if (help) PetscFunctionReturn(PETSC_SUCCESS);
  {
    static const char *const known[] = {"-tol", "-window", "-json", "-force", NULL};
    PetscCall(MrCheckUnusedOptions(comm, known));
  }
  MrCheckInput(comm, !hasWin || nwin == 2, "-window takes two values t0,t1 (got %" PetscInt_FMT ")", nwin);
  MrCheckInput(comm, !hasWin || (isfinite(win[0]) && isfinite(win[1]) && win[0] < win[1]), "-window %g,%g: give finite t0 < t1", (double)win[0], (double)win[1]);
  MrCheckInput(comm, isfinite(tol) && tol >= 0, "-tol %g must be a finite number >= 0", (double)tol);
  if (json[0]) {
    const char *opt[] = {"-json"}, *path[] = {json}, *in[] = {simPath, thPath, NULL};
    PetscCall(MrOutputCheckPaths(comm, 1, path, opt, in, force));
  }
  if (rank == 0) {
    MrRunData a, b;
    PetscCall(PetscMemzero(&a, sizeof(a)));
    PetscCall(PetscMemzero(&b, sizeof(b)));
    PetscCall(MrRunDataRead(simPath, &a, msg, sizeof(msg)));
    if (!msg[0]) PetscCall(MrRunDataRead(thPath, &b, msg, sizeof(msg)));
    if (!msg[0] && (a.C != b.C || a.R != b.R)) PetscCall(PetscSNPrintf(msg, sizeof(msg), "the files describe different networks (C = %d vs %d, R = %d vs %d)", a.C, b.C, a.R, b.R));
    for (int c = 0; !msg[0] && c < a.C; c++)
      if (a.tgt[c] != b.tgt[c] || a.src[c] != b.src[c]) PetscCall(PetscSNPrintf(msg, sizeof(msg), "the channel maps differ (channel %d)", c));
    if (!msg[0] && a.hash[0] && b.hash[0] && strcmp(a.hash, b.hash)) PetscCall(PetscSNPrintf(msg, sizeof(msg), "the files come from different model files (hash %s vs %s)", a.hash, b.hash));
    if (!msg[0]) {
      double t0 = PetscMax(a.t[0], b.t[0]), t1 = PetscMin(a.t[a.nt - 1], b.t[b.nt - 1]);
      if (hasWin) {
        t0 = PetscMax(t0, win[0]);
        t1 = PetscMin(t1, win[1]);
      } else
        t0 = 0.5 * (t0 + t1);
      int     n = 0;
      double *rms, *mx, *thr, scale = 0, *vs, *vt, *ps, *pt;
      rms = calloc((size_t)a.C + 1, 8);
      mx  = calloc((size_t)a.C + 1, 8);
      thr = calloc((size_t)a.C + 1, 8);
      vs  = calloc((size_t)a.R + 1, 8);
      vt  = calloc((size_t)a.R + 1, 8);
      ps  = calloc((size_t)a.R + 1, 8);
      pt  = calloc((size_t)a.R + 1, 8);
      for (int i = 0; i < a.nt; i++) {
        if (a.t[i] < t0 - 1e-12 || a.t[i] > t1 + 1e-12) continue;
        n++;
        for (int c = 0; c < a.C; c++) {
          double th = MrInterp(&b, b.S, b.C, c, a.t[i]), e = a.S[i * a.C + c] - th;
          rms[c] += e * e;
          thr[c] += th * th;
          mx[c] = PetscMax(mx[c], fabs(e));
        }
        for (int r = 0; r < a.R; r++) {
          vs[r] += a.var[i * a.R + r];
          vt[r] += MrInterp(&b, b.var, b.R, r, a.t[i]);
          ps[r] += a.psi[i * a.R + r];
          pt[r] += MrInterp(&b, b.psi, b.R, r, a.t[i]);
        }
      }
      if (!n)
        PetscCall(PetscSNPrintf(msg, sizeof(msg), "no saved time of the simulation lies in the window [%g, %g]", t0, t1));
      else {
        FILE *js = NULL;
        char  tmp[PETSC_MAX_PATH_LEN + 16];
        for (int c = 0; c < a.C; c++) {
          rms[c] = sqrt(rms[c] / n);
          thr[c] = sqrt(thr[c] / n);
          scale  = PetscMax(scale, thr[c]);
        }
        if (scale == 0) scale = 1;
        if (json[0]) {
          PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s.partial", json));
          js = fopen(tmp, "w");
          if (!js) PetscCall(PetscSNPrintf(msg, sizeof(msg), "cannot write '%s'", tmp));
        }
        printf("mrdyn compare: %s (simulation) vs %s (theory), window [%g, %g], %d samples, tolerance %g\n", simPath, thPath, t0, t1, n, (double)tol);
        printf("  currents (errors relative to the largest RMS theory current, %.4g):\n  %8s %8s %12s %12s %12s %12s\n", scale, "target", "source", "RMS theory", "RMS error", "max error", "rel RMS");
        if (js) {
          fprintf(js, "{\n  \"simulation\": ");
          MrJS(js, simPath);
          fprintf(js, ",\n  \"theory\": ");
          MrJS(js, thPath);
          fprintf(js, ",\n  \"window\": [%.17g, %.17g],\n  \"tolerance\": %.17g,\n  \"current_scale\": %.17g,\n  \"currents\": [", t0, t1, (double)tol, scale);
        }
        for (int c = 0; c < a.C; c++) {
          double rel = rms[c] / scale;
          worst      = isfinite(rel) ? PetscMax(worst, rel) : INFINITY; /* NaN must fail, not pass */
          if (a.C <= 64) printf("  %8lld %8lld %12.5g %12.5g %12.5g %12.4f\n", a.tgt[c], a.src[c], thr[c], rms[c], mx[c], rel);
          if (js) {
            char b[4][40];
            fprintf(js, "%s\n    {\"target\": %lld, \"source\": %lld, \"rms_theory\": %s, \"rms_error\": %s, \"max_error\": %s, \"relative_rms\": %s}", c ? "," : "", a.tgt[c], a.src[c], MrJ(thr[c], b[0]), MrJ(rms[c], b[1]), MrJ(mx[c], b[2]),
                    MrJ(rel, b[3]));
          }
        }
        printf("  regions (window means):\n  %8s %12s %12s %10s %12s %12s %10s %12s\n", "region", "var sim", "var theory", "rel", "psi sim", "psi theory", "rel", "acov diff");
        if (js) fprintf(js, "\n  ],\n  \"regions\": [");
        for (int r = 0; r < a.R; r++) {
          double ev = fabs(vs[r] - vt[r]) / PetscMax(fabs(vt[r]), 1e-300), ep = fabs(ps[r] - pt[r]) / PetscMax(fabs(pt[r]), 1e-300), ea = NAN;
          if (a.delta && b.delta) { /* matching reference times; lags common to both */
            int npts = 0;
            ea       = 0;
            for (int q = 0; q < a.ndt; q++)
              for (int p = 0; p < b.ndt; p++) {
                if (fabs(a.dtimes[q] - b.dtimes[p]) > 1e-6 * (1 + fabs(b.dtimes[p]))) continue;
                double Lmax = PetscMin(a.dlags[a.nlag - 1], b.dlags[b.nlag - 1]);
                for (int l = 0; l < a.nlag && a.dlags[l] <= Lmax + 1e-12; l++) {
                  double vt = MrAcov(&b, r, p, a.dlags[l]), vs = MrAcov(&a, r, q, a.dlags[l]);
                  if (!isfinite(vt)) continue; /* beyond the theory's recorded (windowed) lags */
                  ea = isfinite(vs) ? PetscMax(ea, fabs(vs - vt)) : INFINITY;
                  npts++;
                }
              }
            if (npts)
              worst = PetscMax(worst, ea);
            else
              ea = NAN; /* no common reference time: not compared */
          }
          worst = (isfinite(ev) && isfinite(ep)) ? PetscMax(worst, PetscMax(ev, ep)) : INFINITY;
          printf("  %8d %12.6g %12.6g %10.4f %12.6g %12.6g %10.4f %12.4f\n", r, vs[r] / n, vt[r] / n, ev, ps[r] / n, pt[r] / n, ep, ea);
          if (js) {
            char b[7][40];
            fprintf(js, "%s\n    {\"region\": %d, \"variance_sim\": %s, \"variance_theory\": %s, \"variance_rel\": %s, \"psi_sim\": %s, \"psi_theory\": %s, \"psi_rel\": %s, \"acov_max_abs_diff\": %s}", r ? "," : "", r, MrJ(vs[r] / n, b[0]),
                    MrJ(vt[r] / n, b[1]), MrJ(ev, b[2]), MrJ(ps[r] / n, b[3]), MrJ(pt[r] / n, b[4]), MrJ(ep, b[5]), MrJ(ea, b[6]));
          }
        }
        pass = (PetscBool)(worst <= tol && !msg[0]);
        printf("  largest relative difference %.4g: %s (tolerance %g)\n", worst, pass ? "PASS" : "FAIL", (double)tol);
        fflush(stdout);
        if (js) {
          char wst[40]; /* a non-finite difference is null in JSON, and fails */
          fprintf(js, "\n  ],\n  \"largest_relative_difference\": %s,\n  \"pass\": %s\n}\n", MrJ(worst, wst), pass ? "true" : "false");
          if (ferror(js) | fclose(js))
            PetscCall(PetscSNPrintf(msg, sizeof(msg), "cannot write '%s': %s", tmp, strerror(errno)));
          else if (rename(tmp, json) != 0)
            PetscCall(PetscSNPrintf(msg, sizeof(msg), "cannot write '%s': %s", json, strerror(errno)));
          if (msg[0]) (void)unlink(tmp);
        }
      }
      free(rms);
      free(mx);
      free(thr);
      free(vs);
      free(vt);
      free(ps);
      free(pt);
    }
    MrRunDataFree(&a);
    MrRunDataFree(&b);
  }
  PetscCall(MrShareStatus(comm, msg[0] == 0, msg));
  PetscCallMPI(MPI_Bcast(&pass, 1, MPIU_BOOL, 0, comm));
  PetscCallMPI(MPI_Bcast(&worst, 1, MPI_DOUBLE, 0, comm));
  MrCheckInput(comm, pass, "compare: the largest relative difference %.4g exceeds -tol %g", worst, (double)tol);
  PetscFunctionReturn(PETSC_SUCCESS);
}
