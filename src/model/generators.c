/* Model generators (model.md section 4, interfaces.md): paper, random, graph. */
#include <mrdyn/model.h>
#include <mrdyn/error.h>
#include <mrdyn/rng.h>
#include <math.h>

/* Reads a per-region list option: one value (replicated) or R values. */
static PetscErrorCode MrRegionList(PetscOptionItems *PetscOptionsObject, MPI_Comm comm, const char name[], const char help[], PetscInt R, PetscReal def, PetscBool required, PetscReal v[], PetscBool *set)
{
  PetscInt   n = R + 1; /* one more than allowed, so that too many values are seen */
  PetscBool  flg;
  PetscReal *w;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(R + 1, &w));
  PetscCall(PetscOptionsRealArray(name, help, NULL, w, &n, &flg));
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

/* Common options: R, N, g, tau. */
static PetscErrorCode MrGenCommon(PetscOptionItems *PetscOptionsObject, MPI_Comm comm, MrModel m)
{
  PetscReal *N;

  PetscFunctionBegin;
  m->R = 2;
  PetscCall(PetscOptionsInt("-R", "number of regions", NULL, m->R, &m->R, NULL));
  MrCheckInput(comm, m->R >= 1 && m->R <= 10000000, "-R %" PetscInt_FMT ": the number of regions must be between 1 and 1e7", m->R);
  PetscCall(PetscMalloc2(m->R, &m->N, m->R, &m->g));
  PetscCall(PetscMalloc1(m->R, &N));
  PetscCall(MrRegionList(PetscOptionsObject, comm, "-N", "neurons per region (one value or R)", m->R, 1000, PETSC_FALSE, N, NULL));
  for (PetscInt r = 0; r < m->R; r++) {
    MrCheckInput(comm, N[r] >= 1 && N[r] == floor(N[r]) && N[r] < 1e9, "-N: region %" PetscInt_FMT " has N = %g; sizes must be positive integers", r, (double)N[r]);
    m->N[r] = (PetscInt)N[r];
  }
  PetscCall(PetscFree(N));
  PetscCall(MrRegionList(PetscOptionsObject, comm, "-g", "disorder strength per region (one value or R)", m->R, 0.0, PETSC_FALSE, m->g, NULL));
  PetscCall(PetscOptionsReal("-tau", "time constant", NULL, m->tau, &m->tau, NULL));
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
static PetscErrorCode MrGenPaper(PetscOptionItems *PetscOptionsObject, MPI_Comm comm, MrModel m)
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
  nV = R * R + 1; /* one more than allowed, so that too many values are seen */
  PetscCall(PetscMalloc1(nV, &Vl));
  PetscCall(PetscOptionsRealArray("-V", "input routing V[r,s] = <n^{rs} u^s>, R*R values", NULL, Vl, &nV, &hasV));
  if (hasV) {
    MrCheckInput(comm, nV == R * R, "-V has %" PetscInt_FMT " values; R*R = %" PetscInt_FMT " are needed", nV, R * R);
    m->V = Vl;
  } else
    PetscCall(PetscFree(Vl));
  PetscCall(PetscFree5(a, b, u, h, c));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* random: T[r,s,q] ~ N(0, rho^2/R), redrawn until That's leading eigenvalue is near the target. */
static PetscErrorCode MrGenRandom(PetscOptionItems *PetscOptionsObject, MPI_Comm comm, MrModel m)
{
  PetscReal wre = 1.5, wim = 0.0, tol = 0.05, rho = 3.5, are, aim;
  PetscInt  seed = 1, maxTries = 200000, t;
  PetscBool rescale = PETSC_FALSE;

  PetscFunctionBegin;
  PetscCall(MrGenCommon(PetscOptionsObject, comm, m));
  PetscCall(PetscOptionsReal("-w_re", "target real part of That's leading eigenvalue", NULL, wre, &wre, NULL));
  PetscCall(PetscOptionsReal("-w_im", "target imaginary part", NULL, wim, &wim, NULL));
  PetscCall(PetscOptionsReal("-tol", "accepted distance to the target", NULL, tol, &tol, NULL));
  PetscCall(PetscOptionsReal("-rho", "T entries ~ N(0, rho^2/R)", NULL, rho, &rho, NULL));
  PetscCall(PetscOptionsInt("-seed", "seed of the draws", NULL, seed, &seed, NULL));
  PetscCall(PetscOptionsInt("-max_tries", "draws before giving up", NULL, maxTries, &maxTries, NULL));
  PetscCall(PetscOptionsBool("-rescale", "accept a draw whose leading eigenvalue points at the target and scale T onto it (reaches any |w|)", NULL, rescale, &rescale, NULL));
  MrCheckInput(comm, tol > 0 && rho > 0, "model random: -tol and -rho must be > 0");
  MrCheckInput(comm, m->R <= 60, "model random: R = %" PetscInt_FMT " is too large for the dense That search (use the graph generator)", m->R);
  PetscCall(MrGenDenseChannels(m));
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
  PetscCall(PetscInfo(NULL, "random T accepted after %" PetscInt_FMT " draws: w = %g%+gi\n", t + 1, (double)are, (double)aim));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* graph: each region sends to `degree` distinct other regions, `rank` channels per edge;
   T blocks N(0, rho^2 / indegree-channels), U = identity. */
static PetscErrorCode MrGenGraph(PetscOptionItems *PetscOptionsObject, MPI_Comm comm, MrModel m)
{
  PetscInt  k = 4, d = 1, seed = 1, R, C, *tgt, *in, *inOff, *fill, K = 1, *clus, *cOff, *cMem;
  PetscReal rho = 1.0, pout = 0.05;

  PetscFunctionBegin;
  PetscCall(MrGenCommon(PetscOptionsObject, comm, m));
  PetscCall(PetscOptionsInt("-degree", "out-degree of each region", NULL, k, &k, NULL));
  PetscCall(PetscOptionsInt("-rank", "channels per edge", NULL, d, &d, NULL));
  PetscCall(PetscOptionsInt("-seed", "seed of the graph and T", NULL, seed, &seed, NULL));
  PetscCall(PetscOptionsReal("-rho", "spectral radius scale of That", NULL, rho, &rho, NULL));
  PetscCall(PetscOptionsInt("-clusters", "K random clusters of regions; edges stay inside them but for -p_out", NULL, K, &K, NULL));
  PetscCall(PetscOptionsReal("-p_out", "with -clusters: probability that an edge leaves its cluster", NULL, pout, &pout, NULL));
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

PetscErrorCode MrModelGenerate(MPI_Comm comm, const char name[], MrModel *model)
{
  MrModel   m;
  PetscBool paper, random, graph;

  PetscFunctionBegin;
  PetscCall(PetscStrcmp(name, "paper", &paper));
  PetscCall(PetscStrcmp(name, "random", &random));
  PetscCall(PetscStrcmp(name, "graph", &graph));
  MrCheckInput(comm, paper || random || graph, "unknown model generator '%s' (paper, random, graph)", name);
  PetscCall(MrModelCreate(comm, &m));
  PetscOptionsBegin(comm, NULL, "mrdyn model: generator options", NULL);
  if (paper)
    PetscCall(MrGenPaper(PetscOptionsObject, comm, m));
  else if (random)
    PetscCall(MrGenRandom(PetscOptionsObject, comm, m));
  else
    PetscCall(MrGenGraph(PetscOptionsObject, comm, m));
  {
    PetscReal *s2;
    PetscInt   n = m->R + 1;
    PetscBool  set;
    PetscCall(PetscMalloc1(m->R + 1, &s2));
    PetscCall(PetscOptionsRealArray("-sigma2", "readout variance per region (default: the 1.05 rule)", NULL, s2, &n, &set));
    if (set) {
      MrCheckInput(comm, n == 1 || n == m->R, "-sigma2 has %" PetscInt_FMT " values; give 1 or R", n);
      for (PetscInt r = 1; r < m->R && n == 1; r++) s2[r] = s2[0];
      m->sigma2 = s2;
    } else
      PetscCall(PetscFree(s2));
  }
  PetscOptionsEnd();
  if (!m->description[0]) PetscCall(PetscSNPrintf(m->description, sizeof(m->description), "mrdyn model %s", name));
  PetscCall(MrModelSetUp(m));
  *model = m;
  PetscFunctionReturn(PETSC_SUCCESS);
}
