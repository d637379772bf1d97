/* Model generators (model.md section 4, interfaces.md): paper, random, graph, from. */
#include <mrdyn/model.h>
#include "model_impl.h"
#include <mrdyn/error.h>
#include <mrdyn/io.h>
#include <mrdyn/rng.h>
#include <Random123/philox.h>
#include "../util/util.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads a per-region list option: one value (replicated) or R values. */
static PetscErrorCode MrRegionList(PetscOptionItems *PetscOptionsObject, MPI_Comm comm, const char name[], const char help[], PetscInt R, PetscReal def, PetscBool required, PetscReal v[], PetscBool *set)
{
  PetscInt   n = R;
  PetscBool  flg;
  PetscReal *w;
  char       dflt[32];

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(R + 1, &w));
  PetscCall(PetscSNPrintf(dflt, sizeof(dflt), "%g", (double)def)); /* -help shows the default */
  PetscCall(MrOptionsRealArray(name, help, dflt, w, &n, &flg));
  if (set) *set = flg;
  MrCheckInput(comm, flg || !required, "option %s is required (%s)", name, help);
  for (PetscInt r = 0; r < R; r++) v[r] = flg && r < n ? w[r] : def;
  PetscCall(PetscFree(w));
  if (flg) {
    MrCheckInput(comm, n == 1 || n == R, "option %s has %" PetscInt_FMT " values; give 1 or R = %" PetscInt_FMT, name, n, R);
    for (PetscInt r = 1; r < R && n == 1; r++) v[r] = v[0];
    for (PetscInt r = 0; r < R; r++) MrCheckInput(comm, isfinite(v[r]), "option %s: value %" PetscInt_FMT " is not finite", name, r);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Reads -N, neurons per region: one value (replicated) or R, each a whole number in
   the supported range (read in 64 bits, so 2^32 + 300 is refused, not 300). */
static PetscErrorCode MrRegionSizes(PetscOptionItems *PetscOptionsObject, MPI_Comm comm, const char help[], PetscInt R, PetscInt def, PetscInt N[], PetscBool *set)
{
  PetscInt  n = R;
  PetscBool flg;
  PetscInt *w;
  char      dflt[32];

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(R + 1, &w));
  PetscCall(PetscSNPrintf(dflt, sizeof(dflt), "%" PetscInt_FMT, def));
  PetscCall(MrOptionsIntArray("-N", help, dflt, w, &n, &flg, 1, (PetscInt)MR_MODEL_MAX_NEURONS));
  if (set) *set = flg;
  if (flg) MrCheckInput(comm, n == 1 || n == R, "option -N has %" PetscInt_FMT " values; give 1 or R = %" PetscInt_FMT, n, R);
  for (PetscInt r = 0; r < R; r++) N[r] = flg ? w[n == 1 ? 0 : r] : def;
  PetscCall(PetscFree(w));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Common options: R, N, g, tau. */
static PetscErrorCode MrGenCommon(PetscOptionItems *PetscOptionsObject, MPI_Comm comm, MrModel m)
{
  PetscFunctionBegin;
  PetscCall(MrOptionsInt("-R", "number of regions (1 to 1e7)", 2, &m->R, NULL, 1, 10000000));
  PetscCall(PetscMalloc2(m->R, &m->N, m->R, &m->g));
  PetscCall(MrRegionSizes(PetscOptionsObject, comm, "neurons per region (one value or R)", m->R, 1000, m->N, NULL));
  PetscCall(MrRegionList(PetscOptionsObject, comm, "-g", "disorder strength per region (one value or R)", m->R, 0.0, PETSC_FALSE, m->g, NULL));
  PetscCall(MrOptionsReal("-tau", "time constant", m->tau, &m->tau, NULL));
  PetscCall(PetscOptionsString("-description", "free-text description", NULL, m->description, m->description, sizeof(m->description), NULL));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode MrGenDenseChannels(MrModel m)
{
  PetscInt R = m->R;

  PetscFunctionBegin;
  m->dense = PETSC_TRUE;
  m->C     = R * R;
  m->nT    = R * R * R;
  PetscCall(PetscMalloc2(m->C, &m->target, m->C, &m->source));
  PetscCall(PetscCalloc3(m->nT, &m->Trow, m->nT, &m->Tcol, m->nT, &m->Tval));
  for (PetscInt r = 0; r < R; r++)
    for (PetscInt s = 0; s < R; s++) {
      m->target[r * R + s] = r;
      m->source[r * R + s] = s;
      for (PetscInt q = 0; q < R; q++) {
        PetscInt e = (r * R + s) * R + q;
        m->Trow[e] = r * R + s;
        m->Tcol[e] = s * R + q;
      }
    }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* paper: make_T(a, b) or make_T_from_uh(u, h); T[r,s,q] = delta_rq c[r,s]. */
static PetscErrorCode MrGenPaper(PetscOptionItems *PetscOptionsObject, MPI_Comm comm, PetscBool help, MrModel m)
{
  PetscInt   R;
  PetscReal *a, *b, *u, *h, *c, *Vl;
  PetscBool  hasA, hasB, hasU, hasH, hasV;
  PetscInt   nV;

  PetscFunctionBegin;
  PetscCall(MrGenCommon(PetscOptionsObject, comm, m));
  R = m->R;
  MrCheckInput(comm, R <= 1000, "model paper: R = %" PetscInt_FMT " is too large for the dense form (at most 1000; use the graph generator)", R);
  PetscCall(PetscMalloc5(R, &a, R, &b, R, &u, R, &h, R * R, &c));
  PetscCall(MrRegionList(PetscOptionsObject, comm, "-a", "make_T: diagonal of c", R, 0, PETSC_FALSE, a, &hasA));
  PetscCall(MrRegionList(PetscOptionsObject, comm, "-b", "make_T: c = sqrt(b) sqrt(b)^T + diag(a - b)", R, 0, PETSC_FALSE, b, &hasB));
  PetscCall(MrRegionList(PetscOptionsObject, comm, "-u", "make_T_from_uh: c = u u^T + diag(h)", R, 0, PETSC_FALSE, u, &hasU));
  PetscCall(MrRegionList(PetscOptionsObject, comm, "-hdiag", "make_T_from_uh: diagonal h", R, 0, PETSC_FALSE, h, &hasH));
  nV = R * R;
  PetscCall(PetscCalloc1(nV + 1, &Vl));
  PetscCall(MrOptionsRealArray("-V", "input routing V[r,s] = <n^{rs} u^s>, R*R values", "none", Vl, &nV, &hasV));
  if (help) {
    PetscCall(PetscFree(Vl));
    PetscCall(PetscFree5(a, b, u, h, c));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  MrCheckInput(comm, (hasA && hasB && !hasU && !hasH) || (hasU && hasH && !hasA && !hasB), "model paper: give either -a and -b (make_T) or -u and -hdiag (make_T_from_uh)");
  for (PetscInt r = 0; r < R; r++)
    for (PetscInt s = 0; s < R; s++) {
      if (hasA) {
        MrCheckInput(comm, b[r] >= 0, "-b: value %" PetscInt_FMT " = %g is negative (sqrt(b) is used)", r, (double)b[r]);
        c[r * R + s] = sqrt(b[r]) * sqrt(b[s]) + (r == s ? a[r] - b[r] : 0);
      } else
        c[r * R + s] = u[r] * u[s] + (r == s ? h[r] : 0);
    }
  PetscCall(MrGenDenseChannels(m));
  for (PetscInt r = 0; r < R; r++)
    for (PetscInt s = 0; s < R; s++) m->Tval[(r * R + s) * R + r] = c[r * R + s];
  if (hasV) {
    MrCheckInput(comm, nV == R * R, "-V has %" PetscInt_FMT " values; R*R = %" PetscInt_FMT " are needed", nV, R * R);
    m->V = Vl;
  } else
    PetscCall(PetscFree(Vl));
  PetscCall(PetscFree5(a, b, u, h, c));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ---- random -box: the published Fig. 5 ensemble, drawn fast ----
   Draw t takes its normals from Philox4x64-10 words with the key of src/util/rng.c
   (seed, stream MR_STREAM_MODEL, a tag of the target) and the counter (t, b), b = 0, 1, ...;
   a 256-layer ziggurat turns one word into one normal (a few more for ~1.2% of them). */
typedef struct {
  philox4x64_key_t key;
  philox4x64_ctr_t ctr, out;
  int              pos;
} MrWords;

static inline void MrWordsStart(MrWords *w, uint64_t t)
{
  w->ctr.v[0] = t;
  w->ctr.v[1] = w->ctr.v[2] = w->ctr.v[3] = 0;
  w->pos                                  = 4;
}

static inline uint64_t MrWordsNext(MrWords *w)
{
  if (w->pos == 4) {
    w->out = philox4x64(w->ctr, w->key);
    w->ctr.v[1]++;
    w->pos = 0;
  }
  return w->out.v[w->pos++];
}

/* 53 bits mapped to (0, 1), as MrUniform4 does */
static inline double MrWordsU01(MrWords *w) { return ((double)(MrWordsNext(w) >> 11) + 0.5) * 0x1.0p-53; }

/* Marsaglia & Tsang (2000) ziggurat, 256 layers of area v; layer 0 is the base strip with the tail beyond r */
typedef struct {
  double x[257], f[257];
} MrZiggurat;

static void MrZigguratSetUp(MrZiggurat *z)
{
  const double r = 3.6541528853610088, v = 0.00492867323399;

  z->x[0] = v / exp(-0.5 * r * r);
  z->x[1] = r;
  for (int i = 1; i < 255; i++) z->x[i + 1] = sqrt(-2.0 * log(v / z->x[i] + exp(-0.5 * z->x[i] * z->x[i])));
  z->x[256] = 0;
  for (int i = 0; i < 257; i++) z->f[i] = exp(-0.5 * z->x[i] * z->x[i]);
}

/* The tail, the wedges, and a redraw: the ~1.2% of words outside their layer's core. */
static double MrZigguratSlow(const MrZiggurat *z, MrWords *w, uint64_t u)
{
  for (;; u = MrWordsNext(w)) {
    const int    i  = (int)(u & 255);                                   /* bits 0-7: the layer */
    const double sg = (u & 256) ? -1.0 : 1.0;                           /* bit 8: the sign */
    const double x  = (double)(int64_t)(u >> 11) * 0x1.0p-53 * z->x[i]; /* bits 11-63 */
    if (x < z->x[i + 1]) return sg * x;                                 /* inside the layer's core: under the curve */
    if (i == 0) {                                                       /* the tail beyond r (Marsaglia 1964) */
      double a, b;
      do {
        a = -log(MrWordsU01(w)) / z->x[1];
        b = -log(MrWordsU01(w));
      } while (b + b < a * a);
      return sg * (z->x[1] + a);
    }
    if (z->f[i] + MrWordsU01(w) * (z->f[i + 1] - z->f[i]) < exp(-0.5 * x * x)) return sg * x; /* the wedge */
  }
}

/* x with its sign flipped when bit 8 of the word is set (no branch) */
static inline double MrFlipSign(double x, uint64_t bit8)
{
  uint64_t b;
  memcpy(&b, &x, sizeof(b));
  b ^= bit8 << 55;
  memcpy(&x, &b, sizeof(b));
  return x;
}

/* The nT values of draw t, scale times standard normals: value e comes from word e of the
   counters (t, 0..nb-1), nb = ceil(nT/4); the few outside the ziggurat's core continue, in
   the order of e, with the words of the counters (t, nb), (t, nb+1), ... */
static inline void MrBoxDrawN(const MrZiggurat *restrict z, philox4x64_key_t key, uint64_t t, const PetscInt nT, double scale, double *restrict T)
{
  const uint64_t nb  = (uint64_t)(nT + 3) / 4;
  int            bad = 0;

  for (uint64_t b = 0; b < nb; b += 2) { /* two independent Philox chains at a time: twice the throughput */
    philox4x64_ctr_t c0 = {{t, b, 0, 0}}, c1 = {{t, b + 1, 0, 0}}, o0 = philox4x64(c0, key), o1 = philox4x64(c1, key);
    const uint64_t   u8[8] = {o0.v[0], o0.v[1], o0.v[2], o0.v[3], o1.v[0], o1.v[1], o1.v[2], o1.v[3]};
    for (PetscInt k = 0, e = 4 * (PetscInt)b; k < 8 && e < nT; k++, e++) {
      const uint64_t u = u8[k];
      const int      i = (int)(u & 255);
      const double   x = (double)(int64_t)(u >> 11) * 0x1.0p-53 * z->x[i];
      bad |= !(x < z->x[i + 1]);
      T[e] = scale * MrFlipSign(x, u & 256);
    }
  }
  if (bad) {
    MrWords w;
    w.key = key;
    MrWordsStart(&w, t);
    w.ctr.v[1] = nb;
    for (uint64_t b = 0; b < nb; b++) {
      philox4x64_ctr_t c = {{t, b, 0, 0}}, o = philox4x64(c, key);
      for (PetscInt k = 0, e = 4 * (PetscInt)b; k < 4 && e < nT; k++, e++) {
        const uint64_t u = o.v[k];
        const int      i = (int)(u & 255);
        if (!((double)(int64_t)(u >> 11) * 0x1.0p-53 * z->x[i] < z->x[i + 1])) T[e] = scale * MrZigguratSlow(z, &w, u);
      }
    }
  }
}

/* nT = 8 (R = 2) separately, so that the compiler unrolls it */
static inline void MrBoxDraw(const MrZiggurat *z, philox4x64_key_t key, uint64_t t, PetscInt nT, double scale, double *T)
{
  if (nT == 8)
    MrBoxDrawN(z, key, t, 8, scale, T);
  else
    MrBoxDrawN(z, key, t, nT, scale, T);
}

/* The prefilter: p(lambda) = det(lambda - That) of degree n = R^2 <= 9, and its Taylor
   coefficients at the target w, b_j = p^(j)(w)/j! = sum_k a_k K[k][j] (a_k: the
   coefficient of lambda^(n-k)). If |b_0| > sum_{j>=1} |b_j| eps^j, p has no root within
   eps of w, nor of conj(w) (p is real): no eigenvalue lies in the box. */
#define MR_BOX_NMAX 9
typedef struct {
  int    R, n;
  double eps, wabs;
  double K[MR_BOX_NMAX + 1][MR_BOX_NMAX + 1][2];
} MrBoxFilter;

static void MrBoxFilterSetUp(MrBoxFilter *bf, PetscInt R, double wre, double wim, double tol)
{
  double wp[MR_BOX_NMAX + 1][2], binom[MR_BOX_NMAX + 1][MR_BOX_NMAX + 1];

  bf->R    = (int)R;
  bf->n    = (int)(R * R);
  bf->eps  = tol * sqrt(2.0); /* the box lies inside the disk of this radius around w */
  bf->wabs = hypot(wre, wim);
  wp[0][0] = 1;
  wp[0][1] = 0;
  for (int k = 1; k <= bf->n; k++) {
    wp[k][0] = wp[k - 1][0] * wre - wp[k - 1][1] * wim;
    wp[k][1] = wp[k - 1][0] * wim + wp[k - 1][1] * wre;
  }
  for (int a = 0; a <= bf->n; a++)
    for (int b = 0; b <= a; b++) binom[a][b] = (b == 0 || b == a) ? 1 : binom[a - 1][b - 1] + binom[a - 1][b];
  for (int k = 0; k <= bf->n; k++)
    for (int j = 0; j <= bf->n; j++) {
      int d          = bf->n - k - j;
      bf->K[k][j][0] = d >= 0 ? binom[bf->n - k][j] * wp[d][0] : 0;
      bf->K[k][j][1] = d >= 0 ? binom[bf->n - k][j] * wp[d][1] : 0;
    }
}

/* tr(That^k), k = 1..4, for R = 2 from T[r,s,q] = T[4r+2s+q]: tr(That^k) is the sum over
   cyclic region sequences r_0..r_{k-1} of prod_i T[r_i, r_{i+1}, r_{i+2}] (indices mod k) */
static inline void MrPowerSums2(const double *T, double p[])
{
  const double t000 = T[0], t001 = T[1], t010 = T[2], t011 = T[3], t100 = T[4], t101 = T[5], t110 = T[6], t111 = T[7];
  const double a2 = t000 * t000, b2 = t111 * t111, c = t010 * t101;

  p[1] = t000 + t111;
  p[2] = a2 + b2 + 2 * c;
  p[3] = a2 * t000 + b2 * t111 + 3 * (t001 * t010 * t100 + t011 * t110 * t101);
  p[4] = a2 * a2 + b2 * b2 + 4 * (t000 * t001 * t010 * t100 + t011 * t111 * t110 * t101 + t001 * t011 * t110 * t100) + 2 * c * c;
}

/* tr(That^k), k = 1..n, from dense powers That^1..That^h, h = ceil(n/2) */
static void MrPowerSumsDense(int R, const double *T, double p[])
{
  const int n = R * R, h = (n + 1) / 2;
  double    P[(MR_BOX_NMAX + 1) / 2][MR_BOX_NMAX * MR_BOX_NMAX];

  memset(P[0], 0, sizeof(double) * (size_t)(n * n));
  for (int r = 0; r < R; r++)
    for (int s = 0; s < R; s++)
      for (int q = 0; q < R; q++) P[0][(r * R + s) * n + s * R + q] = T[(r * R + s) * R + q];
  for (int k = 1; k < h; k++)
    for (int a = 0; a < n; a++)
      for (int b = 0; b < n; b++) {
        double v = 0;
        for (int c = 0; c < n; c++) v += P[k - 1][a * n + c] * P[0][c * n + b];
        P[k][a * n + b] = v;
      }
  p[1] = 0;
  for (int a = 0; a < n; a++) p[1] += P[0][a * n + a];
  for (int k = 2; k <= n; k++) {
    const int i = (k + 1) / 2, j = k / 2;
    double    v = 0;
    for (int a = 0; a < n; a++)
      for (int b = 0; b < n; b++) v += P[i - 1][a * n + b] * P[j - 1][b * n + a];
    p[k] = v;
  }
}

/* PETSC_TRUE: That (from the nT = R^3 values T) has no eigenvalue in the box. The slack
   1e-6 (|That|_F + |w| + eps)^n bounds |p(lambda)| at an eigenvalue that LAPACK would
   return (rounding in the coefficients, geev's backward error) with a wide margin, so a
   draw the eigenvalue check would accept is never rejected (tests/test_generators.py). */
static inline PetscBool MrBoxRejectN(const MrBoxFilter *bf, const double *T, const int n)
{
  double p[MR_BOX_NMAX + 1], e[MR_BOX_NMAX + 1], fro = 0, b0r = 0, b0i = 0, S = 0, M, slack = 1e-6, epsj = 1;

  for (int k = 0; k < n * bf->R; k++) fro += T[k] * T[k];
  if (n == 4)
    MrPowerSums2(T, p);
  else
    MrPowerSumsDense(bf->R, T, p);
  e[0] = 1; /* Newton's identities: p(lambda) = sum_k (-1)^k e_k lambda^(n-k) */
  for (int k = 1; k <= n; k++) {
    double v = 0;
    for (int i = 1; i <= k; i++) v += (i % 2 ? 1 : -1) * e[k - i] * p[i];
    e[k] = v / k;
  }
  for (int k = 1; k <= n; k += 2) e[k] = -e[k]; /* now the coefficient a_k of lambda^(n-k) */
  for (int k = 0; k <= n; k++) {
    b0r += e[k] * bf->K[k][0][0];
    b0i += e[k] * bf->K[k][0][1];
  }
  for (int j = 1; j <= n; j++) {
    double br = 0, bi = 0;
    for (int k = 0; k <= n - j; k++) {
      br += e[k] * bf->K[k][j][0];
      bi += e[k] * bf->K[k][j][1];
    }
    epsj *= bf->eps;
    S += sqrt(br * br + bi * bi) * epsj;
  }
  M = sqrt(fro) + bf->wabs + bf->eps;
  for (int k = 0; k < n; k++) slack *= M;
  S += slack;
  return (PetscBool)(b0r * b0r + b0i * b0i > S * S);
}

/* n = 4 (R = 2) separately, so that the compiler unrolls it */
static inline PetscBool MrBoxReject(const MrBoxFilter *bf, const double *T) { return bf->n == 4 ? MrBoxRejectN(bf, T, 4) : MrBoxRejectN(bf, T, bf->n); }

/* random -box: T ~ N(0, rho^2/R) redrawn until the eigenvalue of That with the largest real
   part lies in |Re - w_re| < tol, ||Im| - w_im| < tol (w_im >= 0). Draws whose That cannot
   have an eigenvalue there are rejected by the prefilter (R <= 3); the others, and every
   draw without the prefilter, go through MrModelLeadingEigenvalue and the box rule. */
static PetscErrorCode MrGenRandomBox(MrModel m, PetscReal wre, PetscReal wim, PetscReal tol, PetscReal rho, PetscInt64 seed, PetscInt maxTries, PetscBool prefilter, PetscInt *draws, PetscReal *are, PetscReal *aim)
{
  MrZiggurat       z;
  philox4x64_key_t key;
  MrBoxFilter      bf     = {0};
  const PetscInt   nT     = m->nT;
  const double     scale  = rho / sqrt((double)m->R);
  PetscBool        filter = (PetscBool)(prefilter && m->R <= 3);
  PetscInt         t, checks = 0;
  uint64_t         tag = MR_HASH_INIT;
  PetscLogDouble   t0, t1;

  PetscFunctionBegin;
  PetscCall(PetscTime(&t0));
  MrZigguratSetUp(&z);
  if (filter) MrBoxFilterSetUp(&bf, m->R, wre, wim, tol);
  tag      = MrHash64(&wre, sizeof(wre), tag); /* every target gets its own draws */
  tag      = MrHash64(&wim, sizeof(wim), tag);
  key.v[0] = (uint64_t)seed;
  key.v[1] = ((uint64_t)MR_STREAM_MODEL << 48) ^ (tag >> 16);
  *are = *aim = NAN;
  for (t = 0; t < maxTries; t++) {
    MrBoxDraw(&z, key, (uint64_t)t, nT, scale, m->Tval);
    if (filter && MrBoxReject(&bf, m->Tval)) continue;
    checks++;
    PetscCall(MrModelLeadingEigenvalue(m, are, aim));
    if (fabs(*are - wre) < tol && fabs(fabs(*aim) - wim) < tol) break;
  }
  PetscCall(PetscTime(&t1));
  *draws = t < maxTries ? t + 1 : 0;
  PetscCall(PetscInfo(NULL, "random -box: %" PetscInt_FMT " draws, %" PetscInt_FMT " eigenvalue checks, %g s (%.1f ns per draw)\n", PetscMin(t + 1, maxTries), checks, (double)(t1 - t0), 1e9 * (double)(t1 - t0) / (double)PetscMin(t + 1, maxTries)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* random: T[r,s,q] ~ N(0, rho^2/R), redrawn until That's leading eigenvalue is near the target. */
static PetscErrorCode MrGenRandom(PetscOptionItems *PetscOptionsObject, MPI_Comm comm, PetscBool help, MrModel m)
{
  PetscReal  wre = 1.5, wim = 0.0, tol = 0.05, rho = 3.5, are, aim;
  PetscInt   maxTries = 200000, t;
  PetscInt64 seed     = 1;
  PetscBool  rescale = PETSC_FALSE, box = PETSC_FALSE, prefilter = PETSC_TRUE;

  PetscFunctionBegin;
  PetscCall(MrGenCommon(PetscOptionsObject, comm, m));
  PetscCall(MrOptionsReal("-w_re", "target real part of That's leading eigenvalue", wre, &wre, NULL));
  PetscCall(MrOptionsReal("-w_im", "target imaginary part", wim, &wim, NULL));
  PetscCall(MrOptionsBool("-box", "the published Fig. 5 ensemble: accept when the leading eigenvalue lies in |Re - w_re| < tol, ||Im| - |w_im|| < tol; rho defaults to |w|", box, &box, NULL));
  if (box) { /* the defaults of the box ensemble */
    rho      = hypot(wre, wim);
    maxTries = 100000000;
  }
  PetscCall(MrOptionsReal("-tol", box ? "half-width of the accepted box" : "accepted distance to the target", tol, &tol, NULL));
  PetscCall(MrOptionsReal("-rho", "T entries ~ N(0, rho^2/R) (with -box the default is |w|)", rho, &rho, NULL));
  PetscCall(MrOptionsInt64("-seed", "seed of the draws", seed, &seed, NULL, 0, MR_SEED_MAX));
  PetscCall(MrOptionsInt("-max_tries", "draws before giving up (with -box the default is 1e8)", maxTries, &maxTries, NULL, 1, PETSC_MAX_INT - 1));
  PetscCall(MrOptionsBool("-rescale", "accept a draw whose leading eigenvalue points at the target and scale T onto it (reaches any |w|)", rescale, &rescale, NULL));
  PetscCall(MrOptionsBool("-box_prefilter", "-box: reject draws by a bound on That's characteristic polynomial before any eigenvalue is computed (R <= 3; the same draw is accepted; off only to check that)", prefilter, &prefilter, NULL));
  if (help) PetscFunctionReturn(PETSC_SUCCESS);
  MrCheckInput(comm, !(box && rescale), "model random: -box and -rescale exclude each other (the box ensemble is not rescaled)");
  MrCheckInput(comm, tol > 0 && rho > 0, "model random: -tol and -rho must be > 0%s", box ? " (with -box, rho defaults to |w|: give -rho when w = 0)" : "");
  MrCheckInput(comm, m->R <= 60, "model random: R = %" PetscInt_FMT " is too large for the dense That search (use the graph generator)", m->R);
  PetscCall(MrGenDenseChannels(m));
  if (box) {
    wim = fabs(wim); /* either member of a complex pair; -0.0 and 0.0 draw alike */
    wre = wre == 0 ? 0.0 : wre;
    PetscCall(MrGenRandomBox(m, wre, wim, tol, rho, seed, maxTries, prefilter, &m->draws, &are, &aim));
    MrCheckInput(comm, m->draws > 0, "model random: no draw in %" PetscInt_FMT " tries has its leading eigenvalue in the box |Re - %g| < %g, ||Im| - %g| < %g; raise -tol or -max_tries", maxTries, (double)wre, (double)tol, (double)wim, (double)tol);
    PetscCall(PetscInfo(NULL, "random T accepted after %" PetscInt_FMT " draws: w = %g%+gi\n", m->draws, (double)are, (double)aim));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  for (t = 0; t < maxTries; t++) {
    PetscInt nT = m->nT, R = m->R;
    for (PetscInt e = 0; e < nT; e += 4) {
      double z[4];
      MrNormal4((uint64_t)seed, MR_STREAM_MODEL, (uint64_t)t, (uint64_t)(e / 4), 0, z);
      for (PetscInt k = 0; k < 4 && e + k < nT; k++) m->Tval[e + k] = z[k] * rho / sqrt((double)R);
    }
    PetscCall(MrModelLeadingEigenvalue(m, &are, &aim));
    if (rescale) { /* That is linear in T: scaling T by a > 0 scales its eigenvalues by a */
      PetscReal mod = hypot(are, aim), w = hypot(wre, wim), a = mod > 0 ? w / mod : 0;
      if (mod > 0 && hypot(a * are - wre, a * fabs(aim) - fabs(wim)) <= tol) {
        for (PetscInt e = 0; e < nT; e++) m->Tval[e] *= a;
        PetscCall(MrModelLeadingEigenvalue(m, &are, &aim));
        break;
      }
      continue;
    }
    /* complex pairs: accept either member */
    if (hypot(are - wre, fabs(aim) - fabs(wim)) <= tol) break;
  }
  MrCheckInput(comm, t < maxTries, "model random: no draw in %" PetscInt_FMT " tries has a leading eigenvalue within %g of %g%+gi; raise -tol or -max_tries", maxTries, (double)tol, (double)wre, (double)wim);
  m->draws = t + 1;
  PetscCall(PetscInfo(NULL, "random T accepted after %" PetscInt_FMT " draws: w = %g%+gi\n", t + 1, (double)are, (double)aim));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* graph: each region sends to `degree` distinct other regions, `rank` channels per edge;
   T blocks N(0, rho^2 / indegree-channels), U = identity. */
static PetscErrorCode MrGenGraph(PetscOptionItems *PetscOptionsObject, MPI_Comm comm, PetscBool help, MrModel m)
{
  PetscInt   k = 4, d = 1, R, C, *tgt, *in, *inOff, *fill, K = 1, *clus, *cOff, *cMem;
  PetscInt64 seed = 1;
  PetscReal  rho = 1.0, pout = 0.05;

  PetscFunctionBegin;
  PetscCall(MrGenCommon(PetscOptionsObject, comm, m));
  PetscCall(MrOptionsInt("-degree", "out-degree of each region (1 to R-1)", k, &k, NULL, 1, PETSC_MAX_INT));
  PetscCall(MrOptionsInt("-rank", "channels per edge (1 to 64)", d, &d, NULL, 1, 64));
  PetscCall(MrOptionsInt64("-seed", "seed of the graph and T", seed, &seed, NULL, 0, MR_SEED_MAX));
  PetscCall(MrOptionsReal("-rho", "spectral radius scale of That", rho, &rho, NULL));
  PetscCall(MrOptionsInt("-clusters", "K random clusters of regions; edges stay inside them but for -p_out (1 to R)", K, &K, NULL, 1, PETSC_MAX_INT));
  PetscCall(MrOptionsReal("-p_out", "with -clusters: probability that an edge leaves its cluster", pout, &pout, NULL));
  if (help) PetscFunctionReturn(PETSC_SUCCESS);
  R = m->R;
  MrCheckInput(comm, K >= 1 && K <= R, "model graph: -clusters %" PetscInt_FMT " must be between 1 and R", K);
  MrCheckInput(comm, pout >= 0 && pout <= 1, "model graph: -p_out must be in [0, 1]");
  MrCheckInput(comm, K == 1 || k < R / K, "model graph: -degree %" PetscInt_FMT " needs clusters of more than %" PetscInt_FMT " regions (R / clusters = %" PetscInt_FMT ")", k, k, R / K);
  MrCheckInput(comm, k >= 1 && k < R, "model graph: -degree %" PetscInt_FMT " must be between 1 and R-1 = %" PetscInt_FMT, k, R - 1);
  MrCheckInput(comm, d >= 1 && d <= 64, "model graph: -rank %" PetscInt_FMT " must be between 1 and 64", d);
  C    = R * k * d;
  m->C = C;
  PetscCall(PetscMalloc2(C, &m->target, C, &m->source));
  PetscCall(PetscMalloc1(k, &tgt));
  PetscCall(PetscCalloc3(R, &clus, K + 1, &cOff, R, &cMem));
  if (K > 1) { /* each region joins a random cluster, so no simple rank assignment follows them */
    PetscInt *fill;
    for (PetscInt r = 0; r < R; r++) {
      double u[4];
      MrUniform4((uint64_t)seed, MR_STREAM_MODEL, (uint64_t)r, 0, 3, u);
      clus[r] = PetscMin((PetscInt)(u[0] * K), K - 1);
      cOff[clus[r] + 1]++;
    }
    for (PetscInt q = 0; q < K; q++) cOff[q + 1] += cOff[q];
    PetscCall(PetscCalloc1(K, &fill));
    for (PetscInt r = 0; r < R; r++) cMem[cOff[clus[r]] + fill[clus[r]]++] = r;
    PetscCall(PetscFree(fill));
  }
  for (PetscInt s = 0, c = 0; s < R; s++) {
    /* k distinct targets != s (Floyd's algorithm over R - 1 candidates) */
    PetscInt n = 0;
    if (K > 1) { /* clustered: inside the cluster of s, or anywhere with probability p_out */
      PetscInt cl = clus[s], csz = cOff[cl + 1] - cOff[cl];
      for (PetscInt tries = 0; n < k; tries++) {
        double   u[4];
        PetscInt t, dup = 0;
        MrCheckInput(comm, tries < 1000000 && csz > k, "model graph: cannot place %" PetscInt_FMT " distinct edges of region %" PetscInt_FMT " (its cluster has %" PetscInt_FMT " regions)", k, s, csz);
        MrUniform4((uint64_t)seed, MR_STREAM_MODEL, (uint64_t)s, (uint64_t)(2 * R + tries), 2, u);
        t = u[0] < pout ? (PetscInt)(u[1] * R) : cMem[cOff[cl] + PetscMin((PetscInt)(u[1] * csz), csz - 1)];
        t = PetscMin(t, R - 1);
        for (PetscInt i = 0; i < n; i++) dup |= tgt[i] == t;
        if (t == s || dup) continue;
        tgt[n++] = t;
      }
      PetscCall(PetscSortInt(k, tgt));
      for (PetscInt i = 0; i < k; i++)
        for (PetscInt kk = 0; kk < d; kk++, c++) {
          m->target[c] = tgt[i];
          m->source[c] = s;
        }
      continue;
    }
    for (PetscInt j = R - 1 - k; j < R - 1; j++) {
      double u[4];
      MrUniform4((uint64_t)seed, MR_STREAM_MODEL, (uint64_t)s, (uint64_t)j, 1, u);
      PetscInt t = (PetscInt)(u[0] * (double)(j + 1)), dup = 0;
      if (t > j) t = j;
      for (PetscInt i = 0; i < n; i++) dup |= tgt[i] == t;
      tgt[n++] = dup ? j : t;
    }
    PetscCall(PetscSortInt(k, tgt));
    for (PetscInt i = 0; i < k; i++) {
      PetscInt r = tgt[i] >= s ? tgt[i] + 1 : tgt[i];
      for (PetscInt kk = 0; kk < d; kk++, c++) {
        m->target[c] = r;
        m->source[c] = s;
      }
    }
  }
  PetscCall(PetscFree(tgt));
  PetscCall(PetscFree3(clus, cOff, cMem));
  /* in-channel lists to enumerate T blocks: out-channels of s x in-channels of s */
  PetscCall(PetscCalloc3(R + 1, &inOff, C, &in, R, &fill));
  for (PetscInt c = 0; c < C; c++) inOff[m->target[c] + 1]++;
  for (PetscInt r = 0; r < R; r++) inOff[r + 1] += inOff[r];
  for (PetscInt c = 0; c < C; c++) in[inOff[m->target[c]] + fill[m->target[c]]++] = c;
  m->nT = 0;
  for (PetscInt s = 0; s < R; s++) m->nT += k * d * (inOff[s + 1] - inOff[s]);
  PetscCall(PetscMalloc3(m->nT, &m->Trow, m->nT, &m->Tcol, m->nT, &m->Tval));
  for (PetscInt s = 0, e = 0; s < R; s++) {
    PetscInt nin = inOff[s + 1] - inOff[s];
    for (PetscInt o = 0; o < k * d; o++) {
      PetscInt c = s * k * d + o;
      double   z[4];
      for (PetscInt i = 0; i < nin; i++, e++) {
        if (i % 4 == 0) MrNormal4((uint64_t)seed, MR_STREAM_MODEL, (uint64_t)(R + s), (uint64_t)o, (uint64_t)(i / 4), z);
        m->Trow[e] = c;
        m->Tcol[e] = in[inOff[s] + i];
        m->Tval[e] = z[i % 4] * rho / sqrt((double)nin);
      }
    }
  }
  PetscCall(PetscFree3(inOff, in, fill));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* ---- from: a dense model from arrays, or a model file with some parameters changed ---- */

/* Rank 0: an NPY file (format 1.0 or 2.0) of little-endian float64 or float32 in C order. */
static PetscErrorCode MrReadNpy(const char path[], const char opt[], int *ndim, PetscInt shape[], double **data, char msg[], size_t len)
{
  FILE         *fp;
  unsigned char pre[12];
  size_t        hlen = 0, off, n = 1, isz = 0, fsize;
  char         *hdr = NULL, *p, descr[32] = "";
  long          end;

  PetscFunctionBegin;
  *data = NULL;
  *ndim = 0;
  fp    = fopen(path, "rb");
  if (!fp) {
    PetscCall(PetscSNPrintf(msg, len, "%s: file '%s' does not exist or cannot be read", opt, path));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (fseek(fp, 0, SEEK_END) || (end = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) || fread(pre, 1, 10, fp) != 10 || memcmp(pre, "\x93NUMPY", 6)) {
    PetscCall(PetscSNPrintf(msg, len, "%s: '%s' is not an NPY file", opt, path));
    goto done;
  }
  fsize = (size_t)end;
  if (pre[6] == 1) {
    hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
    off  = 10;
  } else if (pre[6] == 2 && fread(pre + 10, 1, 2, fp) == 2) {
    hlen = (size_t)pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
    off  = 12;
  } else {
    PetscCall(PetscSNPrintf(msg, len, "%s: '%s' is NPY format %d.%d; only formats 1.0 and 2.0 are read", opt, path, (int)pre[6], (int)pre[7]));
    goto done;
  }
  if (hlen > 65536 || off + hlen > fsize || !(hdr = calloc(hlen + 1, 1)) || fread(hdr, 1, hlen, fp) != hlen) {
    PetscCall(PetscSNPrintf(msg, len, "%s: '%s' has a malformed NPY header", opt, path));
    goto done;
  }
  /* the header is a Python dict literal: {'descr': '<f8', 'fortran_order': False, 'shape': (2, 2, 2), } */
  if ((p = strstr(hdr, "'descr'"))) {
    p += 7;
    while (*p == ' ' || *p == ':') p++;
    if (*p == '\'') sscanf(p + 1, "%31[^']", descr);
  }
  if (!strcmp(descr, "<f8"))
    isz = 8;
  else if (!strcmp(descr, "<f4"))
    isz = 4;
  else {
    PetscCall(PetscSNPrintf(msg, len, "%s: '%s' holds dtype '%s'; only little-endian float64 ('<f8') or float32 ('<f4') arrays are read", opt, path, descr[0] ? descr : "?"));
    goto done;
  }
  p = strstr(hdr, "'fortran_order'");
  if (p) {
    p += 15;
    while (*p == ' ' || *p == ':') p++;
  }
  if (!p || strncmp(p, "False", 5)) {
    PetscCall(PetscSNPrintf(msg, len, "%s: '%s' is %s; save the array in C order (np.ascontiguousarray)", opt, path, p && !strncmp(p, "True", 4) ? "in Fortran order" : "not marked C order"));
    goto done;
  }
  p = strstr(hdr, "'shape'");
  if (p) p = strchr(p, '(');
  if (!p) {
    PetscCall(PetscSNPrintf(msg, len, "%s: '%s' has a malformed NPY header (no shape)", opt, path));
    goto done;
  }
  for (p++;;) {
    char *e;
    long  v;
    while (*p == ' ' || *p == ',') p++;
    if (*p == ')') break;
    v = strtol(p, &e, 10);
    if (e == p || v < 0 || *ndim == 4) {
      PetscCall(PetscSNPrintf(msg, len, "%s: '%s' has %s", opt, path, *ndim == 4 ? "more than 3 dimensions" : "a malformed NPY shape"));
      goto done;
    }
    if (v > PETSC_MAX_INT || (v && n > (size_t)PETSC_MAX_INT / (size_t)v)) { /* indexed by PetscInt; n * 8 must not wrap */
      PetscCall(PetscSNPrintf(msg, len, "%s: '%s' has a shape of more than %" PetscInt_FMT " entries", opt, path, (PetscInt)PETSC_MAX_INT));
      goto done;
    }
    shape[(*ndim)++] = (PetscInt)v;
    n *= (size_t)v;
    p = e;
  }
  if (fsize - off - hlen != n * isz) {
    PetscCall(PetscSNPrintf(msg, len, "%s: '%s' holds %zu bytes of data but its shape needs %zu", opt, path, fsize - off - hlen, n * isz));
    goto done;
  }
  *data = malloc(sizeof(double) * (n ? n : 1));
  if (isz == 8) {
    if (fread(*data, 8, n, fp) != n) PetscCall(PetscSNPrintf(msg, len, "%s: '%s' cannot be read", opt, path));
  } else {
    float *f = malloc(sizeof(float) * (n ? n : 1));
    if (fread(f, 4, n, fp) != n) PetscCall(PetscSNPrintf(msg, len, "%s: '%s' cannot be read", opt, path));
    for (size_t i = 0; i < n; i++) (*data)[i] = f[i];
    free(f);
  }
done:
  if (msg[0]) {
    free(*data);
    *data = NULL;
  }
  free(hdr);
  fclose(fp);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The arrays of `model from` (index: T, U, V, g, N, sigma2); NULL when not given. */
#define MR_FROM_NARR 6
static const char *const MrFromName[MR_FROM_NARR] = {"T", "U", "V", "g", "N", "sigma2"};
static const int         MrFromRank[MR_FROM_NARR] = {3, 3, 2, 1, 1, 1};
typedef struct {
  PetscInt   R;
  PetscReal *a[MR_FROM_NARR];
} MrFromArrays;

/* Rank 0: checks the shape of array k (ndim 0: a flat list of count values) and sets R from T. */
static PetscErrorCode MrFromShape(const char what[], int k, int ndim, const PetscInt shape[], PetscInt count, PetscInt *R, char msg[], size_t len)
{
  const int want    = MrFromRank[k];
  PetscBool ok      = PETSC_TRUE;
  char      got[64] = "", need[64];

  PetscFunctionBegin;
  if (ndim == 0) {
    if (*R == 0) *R = (PetscInt)llround(cbrt((double)count));
    ok = (PetscBool)(*R >= 1 && count == (PetscInt)pow((double)*R, want));
    if (!ok) {
      if (k == 0)
        PetscCall(PetscSNPrintf(msg, len, "%s has %" PetscInt_FMT " values; T needs R^3 (8 for R = 2, 27 for R = 3)", what, count));
      else
        PetscCall(PetscSNPrintf(msg, len, "%s has %" PetscInt_FMT " values; %s needs R^%d = %" PetscInt_FMT, what, count, MrFromName[k], want, (PetscInt)pow((double)*R, want)));
    }
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (*R == 0) *R = shape[0];
  ok = (PetscBool)(ndim == want && *R >= 1);
  for (int d = 0; d < ndim && ok; d++) ok = (PetscBool)(shape[d] == *R);
  if (!ok) {
    size_t l;
    for (int d = 0; d < ndim; d++) PetscCall(PetscSNPrintf(got + strlen(got), sizeof(got) - strlen(got), "%s%" PetscInt_FMT, d ? "," : "", shape[d]));
    PetscCall(PetscStrncpy(need, want == 3 ? "(R,R,R)" : want == 2 ? "(R,R)" : "(R,)", sizeof(need)));
    l = strlen(need);
    if (k > 0) PetscCall(PetscSNPrintf(need + l, sizeof(need) - l, " with R = %" PetscInt_FMT, *R));
    PetscCall(PetscSNPrintf(msg, len, "%s has shape (%s%s) but %s needs %s", what, got, ndim == 1 ? "," : "", MrFromName[k], need));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

typedef struct {
  char name[64];
} MrFirstName;

static herr_t MrFromUnknownLink(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
  MrFirstName *u = (MrFirstName *)data;
  for (int k = 0; k < MR_FROM_NARR; k++)
    if (!strcmp(name, MrFromName[k])) return 0;
  snprintf(u->name, sizeof(u->name), "%s", name);
  return 1; /* stop */
}

/* Rank 0: the arrays from -file, or from -T/-U/-V (a .npy file or a list of numbers each). */
static PetscErrorCode MrFromRead(const char file[], char *const val[3], PetscInt Ropt, MrFromArrays *A, char msg[], size_t len)
{
  PetscFunctionBegin;
  A->R = 0; /* from T */
  if (file[0]) {
    hid_t       f;
    MrFirstName u = {""};
    PetscCall(MrH5OpenRead(file, "-file", &f, msg, len));
    if (f < 0) PetscFunctionReturn(PETSC_SUCCESS);
    H5Literate(f, H5_INDEX_NAME, H5_ITER_INC, NULL, MrFromUnknownLink, &u);
    if (u.name[0]) PetscCall(PetscSNPrintf(msg, len, "-file '%s': unknown array /%s (the file may hold /T, /U, /V, /g, /N, /sigma2; give a model file with -model)", file, u.name));
    for (int k = 0; k < MR_FROM_NARR && !msg[0]; k++) {
      char    name[16], what[PETSC_MAX_PATH_LEN + 64];
      int     rank;
      hsize_t dims[4];
      void   *raw = NULL;
      PetscCall(PetscSNPrintf(name, sizeof(name), "/%s", MrFromName[k]));
      if (k > 0 && !MrH5Exists(f, name)) continue; /* only T is required */
      PetscCall(MrH5ReadDataset(f, name, H5T_NATIVE_DOUBLE, &rank, dims, &raw, what, sizeof(what)));
      if (what[0]) {
        PetscCall(PetscSNPrintf(msg, len, "-file '%s': %s", file, what));
        break;
      }
      {
        PetscInt shape[4] = {0, 0, 0, 0};
        for (int d = 0; d < rank && d < 4; d++) shape[d] = dims[d] <= (hsize_t)PETSC_MAX_INT ? (PetscInt)dims[d] : -1; /* -1: no match, not a wrapped length */
        PetscCall(PetscSNPrintf(what, sizeof(what), "-file '%s': dataset %s", file, name));
        PetscCall(MrFromShape(what, k, rank == 0 ? -1 : rank, shape, 0, &A->R, msg, len));
      }
      A->a[k] = raw;
    }
    H5Fclose(f);
  } else {
    const char *opt[3] = {"-T", "-U", "-V"};
    for (int k = 0; k < 3 && !msg[0]; k++) {
      size_t   l = strlen(val[k]);
      int      ndim;
      PetscInt shape[4], count = 0;
      if (!val[k][0]) continue;
      if (l > 4 && !strcmp(val[k] + l - 4, ".npy")) {
        PetscCall(MrReadNpy(val[k], opt[k], &ndim, shape, &A->a[k], msg, len));
        if (msg[0]) break;
        if (ndim == 0) ndim = -1; /* a 0-d array is no list */
      } else {
        ndim = 0;
        if (!MrParseRealList(val[k], &count, &A->a[k])) {
          PetscCall(PetscSNPrintf(msg, len, "%s: '%s' is neither a .npy file nor a comma-separated list of finite numbers", opt[k], val[k]));
          break;
        }
      }
      PetscCall(MrFromShape(opt[k], k, ndim, shape, count, &A->R, msg, len));
    }
  }
  if (!msg[0] && (A->R < 1 || A->R > 1000)) PetscCall(PetscSNPrintf(msg, len, "model from: R = %" PetscInt_FMT " regions; the dense form holds 1 to 1000", A->R));
  if (!msg[0] && Ropt > 0 && Ropt != A->R) PetscCall(PetscSNPrintf(msg, len, "-R %" PetscInt_FMT " does not match the arrays (R = %" PetscInt_FMT ")", Ropt, A->R));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The arrays read on rank 0, on every rank. Collective. */
static PetscErrorCode MrFromBcast(MPI_Comm comm, MrFromArrays *A)
{
  PetscMPIInt rank;
  PetscInt    hdr[1 + MR_FROM_NARR];

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  hdr[0] = A->R;
  for (int k = 0; k < MR_FROM_NARR; k++) hdr[1 + k] = A->a[k] != NULL;
  PetscCallMPI(MPI_Bcast(hdr, 1 + MR_FROM_NARR, MPIU_INT, 0, comm));
  A->R = hdr[0];
  for (int k = 0; k < MR_FROM_NARR; k++) {
    PetscInt n = MrFromRank[k] == 3 ? A->R * A->R * A->R : MrFromRank[k] == 2 ? A->R * A->R : A->R;
    if (!hdr[1 + k]) continue;
    if (rank) A->a[k] = malloc(sizeof(PetscReal) * (size_t)n);
    PetscCallMPI(MPI_Bcast(A->a[k], (PetscMPIInt)n, MPIU_REAL, 0, comm));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The dense model of the arrays (N: 1000, g: 0, U: identity where not given). */
static PetscErrorCode MrFromBuild(MPI_Comm comm, MrModel m, const MrFromArrays *A)
{
  PetscInt R = A->R;

  PetscFunctionBegin;
  m->R = R;
  PetscCall(PetscMalloc2(R, &m->N, R, &m->g));
  for (PetscInt r = 0; r < R; r++) {
    PetscReal N = A->a[4] ? A->a[4][r] : 1000;
    MrCheckInput(comm, N >= 1 && N == floor(N) && N <= MR_MODEL_MAX_NEURONS, "model from: /N of region %" PetscInt_FMT " is %.17g; sizes are whole numbers from 1 to %" PetscInt64_FMT, r, (double)N, (PetscInt64)MR_MODEL_MAX_NEURONS);
    m->N[r] = (PetscInt)N;
    m->g[r] = A->a[3] ? A->a[3][r] : 0;
  }
  PetscCall(MrGenDenseChannels(m));
  PetscCall(PetscArraycpy(m->Tval, A->a[0], m->nT));
  if (A->a[1]) PetscCall(MrModelSetDenseU(m, A->a[1]));
  if (A->a[2]) {
    PetscCall(PetscMalloc1(m->C, &m->V));
    PetscCall(PetscArraycpy(m->V, A->a[2], m->C));
  }
  if (A->a[5]) {
    PetscCall(PetscMalloc1(R, &m->sigma2));
    PetscCall(PetscArraycpy(m->sigma2, A->a[5], R));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The defining data of model b (loaded and checked) into the empty model m. */
static PetscErrorCode MrFromCopy(MrModel b, MrModel m)
{
  PetscFunctionBegin;
  m->R     = b->R;
  m->C     = b->C;
  m->nT    = b->nT;
  m->nU    = b->nU;
  m->hasU  = b->hasU;
  m->dense = b->dense;
  m->tau   = b->tau;
  PetscCall(PetscMalloc2(m->R, &m->N, m->R, &m->g));
  PetscCall(PetscArraycpy(m->N, b->N, m->R));
  PetscCall(PetscArraycpy(m->g, b->g, m->R));
  PetscCall(PetscMalloc2(m->C, &m->target, m->C, &m->source));
  PetscCall(PetscArraycpy(m->target, b->target, m->C));
  PetscCall(PetscArraycpy(m->source, b->source, m->C));
  PetscCall(PetscMalloc3(m->nT, &m->Trow, m->nT, &m->Tcol, m->nT, &m->Tval));
  PetscCall(PetscArraycpy(m->Trow, b->Trow, m->nT));
  PetscCall(PetscArraycpy(m->Tcol, b->Tcol, m->nT));
  PetscCall(PetscArraycpy(m->Tval, b->Tval, m->nT));
  PetscCall(PetscMalloc3(m->nU, &m->Urow, m->nU, &m->Ucol, m->nU, &m->Uval));
  PetscCall(PetscArraycpy(m->Urow, b->Urow, m->nU));
  PetscCall(PetscArraycpy(m->Ucol, b->Ucol, m->nU));
  PetscCall(PetscArraycpy(m->Uval, b->Uval, m->nU));
  if (b->V) {
    PetscCall(PetscMalloc1(m->C, &m->V));
    PetscCall(PetscArraycpy(m->V, b->V, m->C));
  }
  if (b->sigma2) {
    PetscCall(PetscMalloc1(m->R, &m->sigma2));
    PetscCall(PetscArraycpy(m->sigma2, b->sigma2, m->R));
  }
  PetscCall(PetscStrncpy(m->phi, b->phi, sizeof(m->phi)));
  PetscCall(PetscStrncpy(m->description, b->description, sizeof(m->description)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* -set NAME:i[:j[:k]]=value,...: entries of T (r:s:q), U (s:q:p), V (r:s), g (r), N (r).
   The list is parsed identically on every rank, so every check is collective. */
static PetscErrorCode MrFromSet(MPI_Comm comm, MrModel m, const char list[])
{
  const char *syntax = "NAME:index...=value with T:r:s:q, U:s:q:p, V:r:s, g:r, N:r (e.g. T:0:1:0=2.0,g:1=0.5)";
  const char *p      = list;
  PetscInt    R      = m->R;

  PetscFunctionBegin;
  while (*p) {
    char     item[256], name[16] = "", *eq, *end, *q;
    size_t   l = strcspn(p, ",");
    PetscInt idx[4], ni = 0, want = -1;
    double   v;
    if (l == 0) { /* empty item: ",," or a trailing comma */
      p++;
      continue;
    }
    MrCheckInput(comm, l < sizeof(item), "-set: item '%.40s...' is too long", p);
    memcpy(item, p, l);
    item[l] = 0;
    p += l + (p[l] == ',');
    eq = strchr(item, '=');
    MrCheckInput(comm, eq && eq != item && eq[1], "-set '%s': expected %s", item, syntax);
    v = strtod(eq + 1, &end);
    MrCheckInput(comm, end != eq + 1 && !*end && isfinite(v), "-set '%s': '%s' is not a finite number", item, eq + 1);
    l = strcspn(item, ":=");
    MrCheckInput(comm, l < sizeof(name), "-set '%s': expected %s", item, syntax);
    memcpy(name, item, l);
    name[l] = 0;
    for (int k = 0; k < MR_FROM_NARR - 1; k++) /* sigma2 is set with -sigma2 */
      if (!strcmp(name, MrFromName[k])) want = MrFromRank[k];
    MrCheckInput(comm, want > 0, "-set '%s': unknown array '%s' (T, U, V, g, N)", item, name);
    for (q = item + l; *q == ':';) {
      size_t        il = strcspn(q + 1, ":=");
      char          field[64];
      PetscInt64    i = -1;
      MrParseStatus st;
      MrCheckInput(comm, il > 0 && il < sizeof(field) && (q[1 + il] == ':' || q[1 + il] == '='), "-set '%s': indices are whole numbers separated by ':' (%s)", item, syntax);
      memcpy(field, q + 1, il);
      field[il] = 0;
      st        = MrParseInt64(field, &i);
      MrCheckInput(comm, st != MR_PARSE_MALFORMED, "-set '%s': indices are whole numbers, not '%s' (%s)", item, field, syntax);
      MrCheckInput(comm, ni < 4, "-set '%s': %s takes %" PetscInt_FMT " indices", item, name, want);
      MrCheckInput(comm, st == MR_PARSE_OK && i >= 0 && i < R, "-set '%s': index %s is outside 0..%" PetscInt_FMT, item, field, R - 1);
      idx[ni++] = (PetscInt)i;
      q += 1 + il;
    }
    MrCheckInput(comm, ni == want, "-set '%s': %s takes %" PetscInt_FMT " ind%s (%s)", item, name, want, want == 1 ? "ex" : "ices", syntax);
    MrCheckInput(comm, m->dense || name[0] == 'g' || name[0] == 'N', "-set '%s': the model is in the channel form; -set changes only g and N there", item);
    if (name[0] == 'g')
      m->g[idx[0]] = v;
    else if (name[0] == 'N') {
      MrCheckInput(comm, v >= 1 && v == floor(v) && v <= MR_MODEL_MAX_NEURONS, "-set '%s': N must be a positive integer up to %" PetscInt64_FMT, item, (PetscInt64)MR_MODEL_MAX_NEURONS);
      m->N[idx[0]] = (PetscInt)v;
    } else if (name[0] == 'V') {
      if (!m->V) PetscCall(PetscCalloc1(m->C, &m->V));
      m->V[idx[0] * R + idx[1]] = v;
    } else {
      /* T[r,s,q]: (out-channel r<-s, in-channel s<-q); U[s,q,p]: (in-channels s<-q, s<-p) */
      PetscInt   row = idx[0] * R + idx[1], col = (name[0] == 'T' ? idx[1] : idx[0]) * R + idx[2], n;
      PetscInt  *rows, *cols, e;
      PetscReal *vals;
      if (name[0] == 'U' && !m->hasU) PetscCall(MrModelSetDenseU(m, NULL));
      n    = name[0] == 'T' ? m->nT : m->nU;
      rows = name[0] == 'T' ? m->Trow : m->Urow;
      cols = name[0] == 'T' ? m->Tcol : m->Ucol;
      vals = name[0] == 'T' ? m->Tval : m->Uval;
      for (e = 0; e < n && !(rows[e] == row && cols[e] == col); e++)
        ;
      MrCheckInput(comm, e < n, "-set '%s': the model has no such entry", item); /* dense models hold every entry */
      vals[e] = v;
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Rank 0: is `out` an existing file that is also the input `in`? */
#define MR_FROM_VALLEN 16384
/* from: -model FILE with changes, or the arrays of -file ARR.h5 or -T/-U/-V. */
static PetscErrorCode MrGenFrom(PetscOptionItems *PetscOptionsObject, MPI_Comm comm, PetscBool help, MrModel m)
{
  char         model[PETSC_MAX_PATH_LEN] = "", file[PETSC_MAX_PATH_LEN] = "", out[PETSC_MAX_PATH_LEN] = "", vbuf[3][MR_FROM_VALLEN], *val[3] = {vbuf[0], vbuf[1], vbuf[2]}, set[4096] = "", desc[256] = "", msg[PETSC_MAX_PATH_LEN + 512] = "";
  const char  *vname[3] = {"-T", "-U", "-V"};
  const char  *vhelp[3] = {"T[r,s,q]: a .npy file of shape (R,R,R) or R^3 values", "U[s,q,p] (identity when absent): a .npy file (R,R,R) or R^3 values", "V[r,s] (no inputs when absent): a .npy file (R,R) or R^2 values"};
  PetscInt     Ropt     = 0, nsrc, R;
  PetscReal    tau      = 1, *gv;
  PetscInt    *Nv;
  PetscBool    tauSet, descSet, Nset, gSet;
  PetscMPIInt  rank;
  MrFromArrays A = {0, {NULL}};

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscOptionsString("-model", "a model file to start from (dense or channel form; it is not changed)", NULL, model, model, sizeof(model), NULL));
  PetscCall(PetscOptionsString("-file", "an HDF5 file of arrays: /T (R,R,R), optional /U (R,R,R), /V (R,R), /g, /N, /sigma2 (R,)", NULL, file, file, sizeof(file), NULL));
  for (int k = 0; k < 3; k++) {
    val[k][0] = 0;
    PetscCall(PetscOptionsString(vname[k], vhelp[k], NULL, val[k], val[k], MR_FROM_VALLEN, NULL));
  }
  PetscCall(MrOptionsInt("-R", "number of regions (0: from T; checked against it when given)", Ropt, &Ropt, NULL, 0, 1000));
  PetscCall(MrOptionsReal("-tau", "time constant (default: the model file's, else 1)", tau, &tau, &tauSet));
  PetscCall(PetscOptionsString("-description", "free-text description", NULL, desc, desc, sizeof(desc), &descSet));
  PetscCall(PetscOptionsString("-set", "entries to change, NAME:index...=value,...: T:r:s:q, U:s:q:p, V:r:s, g:r, N:r (after -g and -N)", NULL, set, set, sizeof(set), NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-o", out, sizeof(out), NULL));
  if (help) {
    PetscReal dummy[2];
    PetscInt  idummy[2];
    PetscCall(MrRegionSizes(PetscOptionsObject, comm, "neurons per region (one value or R; default: the input's, else 1000)", 1, 1000, idummy, NULL));
    PetscCall(MrRegionList(PetscOptionsObject, comm, "-g", "disorder per region (one value or R; default: the input's, else 0)", 1, 0, PETSC_FALSE, dummy, NULL));
    goto done;
  }
  nsrc = (model[0] != 0) + (file[0] != 0) + (val[0][0] != 0);
  MrCheckInput(comm, nsrc == 1, "model from: give the model with exactly one of -model FILE (a model file), -file ARR.h5 (arrays /T, /U, ...), -T (a .npy file or R^3 values)");
  MrCheckInput(comm, !(model[0] || file[0]) || (!val[1][0] && !val[2][0]), "model from: -U and -V go with -T; %s", model[0] ? "change entries of a model file with -set" : "-file gives /U and /V itself");
  MrCheckInput(comm, !model[0] || Ropt == 0, "model from: -R is fixed by the model file");
  if (out[0]) { /* -o (or its .partial) must not be an input, whatever -force says; -force decides later about an existing file */
    const char *const in[6] = {model, file, val[0], val[1], val[2], NULL};
    PetscCall(MrOutputCheckPathInputs(comm, out, in, PETSC_TRUE));
  }
  if (model[0]) {
    MrModel b;
    PetscCall(MrModelLoad(comm, model, &b));
    PetscCall(MrFromCopy(b, m));
    PetscCall(MrModelDestroy(&b));
  } else {
    if (rank == 0) PetscCall(MrFromRead(file, val, Ropt, &A, msg, sizeof(msg)));
    PetscCall(MrShareStatus(comm, msg[0] == 0, msg));
    PetscCall(MrFromBcast(comm, &A));
    PetscCall(MrFromBuild(comm, m, &A));
  }
  R = m->R;
  PetscCall(PetscMalloc2(R, &Nv, R, &gv));
  PetscCall(MrRegionSizes(PetscOptionsObject, comm, "neurons per region (one value or R; default: the input's, else 1000)", R, 1000, Nv, &Nset));
  PetscCall(MrRegionList(PetscOptionsObject, comm, "-g", "disorder per region (one value or R; default: the input's, else 0)", R, 0, PETSC_FALSE, gv, &gSet));
  for (PetscInt r = 0; r < R; r++) {
    if (Nset) m->N[r] = Nv[r];
    if (gSet) m->g[r] = gv[r];
  }
  PetscCall(PetscFree2(Nv, gv));
  if (tauSet) m->tau = tau;
  PetscCall(MrFromSet(comm, m, set));
  if (descSet)
    PetscCall(PetscStrncpy(m->description, desc, sizeof(m->description)));
  else { /* what it was made from, and what changed */
    char all[1024];
    PetscCall(PetscSNPrintf(all, sizeof(all), "mrdyn model from %s", model[0] ? model : file[0] ? file : strlen(val[0]) < 200 ? val[0] : "-T"));
    for (int k = 1; k < 3; k++)
      if (val[k][0]) PetscCall(PetscSNPrintf(all + strlen(all), sizeof(all) - strlen(all), " %s %s", vname[k], strlen(val[k]) < 200 ? val[k] : "(values)"));
    for (int k = 0; k < 3; k++) {
      const char *o[3] = {"-N", "-g", "-set"};
      char        v[512];
      PetscBool   has;
      PetscCall(PetscOptionsGetString(NULL, NULL, o[k], v, sizeof(v), &has));
      if (has) PetscCall(PetscSNPrintf(all + strlen(all), sizeof(all) - strlen(all), " %s %s", o[k], v));
    }
    PetscCall(PetscStrncpy(m->description, all, sizeof(m->description))); /* truncated if long */
  }
done:
  for (int k = 0; k < MR_FROM_NARR; k++) free(A.a[k]);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode MrModelGenerate(MPI_Comm comm, const char name[], MrModel *model)
{
  MrModel   m;
  PetscBool paper, random, graph, from, help;

  PetscFunctionBegin;
  PetscCall(PetscStrcmp(name, "paper", &paper));
  PetscCall(PetscStrcmp(name, "random", &random));
  PetscCall(PetscStrcmp(name, "graph", &graph));
  PetscCall(PetscStrcmp(name, "from", &from));
  MrCheckInput(comm, paper || random || graph || from, "unknown model generator '%s' (paper, random, graph, from)", name);
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  PetscCall(MrModelCreate(comm, &m));
  PetscOptionsBegin(comm, NULL, "mrdyn model: generator options", NULL);
  if (paper)
    PetscCall(MrGenPaper(PetscOptionsObject, comm, help, m));
  else if (random)
    PetscCall(MrGenRandom(PetscOptionsObject, comm, help, m));
  else if (graph)
    PetscCall(MrGenGraph(PetscOptionsObject, comm, help, m));
  else
    PetscCall(MrGenFrom(PetscOptionsObject, comm, help, m));
  {
    PetscReal *s2;
    PetscInt   n = PetscMax(m->R, 1);
    PetscBool  set;
    PetscCall(PetscMalloc1(m->R + 1, &s2));
    for (PetscInt r = 0; r <= m->R; r++) s2[r] = 0;
    PetscCall(MrOptionsRealArray("-sigma2", "readout variance per region (1 or R values)", "the model file's with from, else the 1.05 rule", s2, &n, &set));
    if (set && !help) {
      MrCheckInput(comm, n == 1 || n == m->R, "-sigma2 has %" PetscInt_FMT " values; give 1 or R", n);
      for (PetscInt r = 1; r < m->R && n == 1; r++) s2[r] = s2[0];
      PetscCall(PetscFree(m->sigma2));
      m->sigma2 = s2;
    } else
      PetscCall(PetscFree(s2));
  }
  PetscOptionsEnd();
  if (help) { /* the options are listed; nothing was generated */
    PetscCall(MrModelDestroy(&m));
    *model = NULL;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (!m->description[0]) PetscCall(PetscSNPrintf(m->description, sizeof(m->description), "mrdyn model %s", name));
  PetscCall(MrModelSetUp(m));
  *model = m;
  PetscFunctionReturn(PETSC_SUCCESS);
}
