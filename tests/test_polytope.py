"""mrdyn polytope: the fixed-point polytope of symmetric interactions without
self-loops (c = u u^T - diag(b), u = sqrt(b), g = 0):
* every vertex satisfies the equalities and x >= 0, and the vertex set equals
  an independent brute-force enumeration in NumPy (basic feasible solutions over
  every set of R columns) for R = 3, 4, 5, including an empty polytope and
  unsorted b; fracture/zero masks and the dimension agree with the vertices;
* statistics (-R -draws): identical datasets at 1, 2, 3 ranks, each draw equal
  to the one-polytope mode on its b;
* physics: the fixed points that `mrdyn dmft -mode currents` reaches from random
  currents on `mrdyn model paper -a 0 -b ...` map onto the polytope: the
  equalities hold, (S^{ji})^2 = (b_j/b_i) (S^{ij})^2, the self-currents vanish,
  and x is a convex combination of the enumerated vertices;
* bad input: one message, non-zero exit, no file; -help exits 0."""
import itertools
import os
import h5py
import numpy as np
from scipy.optimize import nnls
from mrtest import run, tmpdir, check, check_refused, finish

d = tmpdir()


def equalities(b):
    """The pairs (triu order), the equality matrix W (R, P) and A, written from the docs."""
    b = np.asarray(b, float)
    R = len(b)
    pairs = [(i, j) for i in range(R) for j in range(i + 1, R)]
    W = np.zeros((R, len(pairs)))
    for p, (i, j) in enumerate(pairs):
        W[i, p] = 1.0           # region i < j: x_p = (S^{ij})^2
        W[j, p] = b[j] / b[i]   # region j > i: (S^{ji})^2 = (b_j/b_i) x_p
    A = (b ** 2 - 1) * 2 / np.pi  # psi^{-1}(1/b)
    return pairs, W, A


def brute_vertices(b):
    """Basic feasible solutions: x_B = W_B^{-1} A >= 0 for every nonsingular R-column basis."""
    pairs, W, A = equalities(b)
    R, P = W.shape
    out = []
    for cols in itertools.combinations(range(P), R):
        B = W[:, cols]
        if abs(np.linalg.det(B)) < 1e-12:
            continue
        xb = np.linalg.solve(B, A)
        if xb.min() < -1e-12:
            continue
        x = np.zeros(P)
        x[list(cols)] = np.maximum(xb, 0)
        if not any(np.abs(x - y).max() < 1e-9 for y in out):
            out.append(x)
    return np.array(out).reshape(-1, P)


def same_sets(V, Wv, tol=1e-10):
    if V.shape != Wv.shape:
        return False
    used = np.zeros(len(Wv), bool)
    for v in V:
        dist = np.abs(Wv - v).max(axis=1) if len(Wv) else np.array([])
        k = int(np.argmin(dist)) if len(dist) else -1
        if k < 0 or dist[k] > tol * max(1, np.abs(v).max()) or used[k]:
            return False
        used[k] = True
    return bool(used.all())


def one(b, name, p=1):
    out = os.path.join(d, name)
    r = run(["polytope", "-b", ",".join("%.17g" % x for x in b), "-o", out], np_=p)
    with h5py.File(out, "r") as f:
        return {k: f[k][:] for k in f}, dict(f.attrs), r.stdout


# (a) vertices against the brute force, R = 3 (one empty), 4, 5 (sorted and not)
cases = [("R3", [1.5, 2.0, 2.5]), ("R3empty", [2.9, 1.1, 1.3]), ("R4", [1.3, 1.7, 2.2, 2.8]),
         ("R4unsorted", [2.6, 1.4, 2.9, 1.9]), ("R5", [1.2, 1.5, 2.0, 2.5, 2.9]),
         ("R5b", [1.05, 1.9, 2.05, 2.4, 2.95])]
for name, b in cases:
    dsets, attrs, out = one(b, name + ".h5", p=2 if name == "R5" else 1)
    pairs, W, A = equalities(b)
    V = dsets["vertices"]
    bv = brute_vertices(b)
    check(np.array_equal(dsets["pairs"], np.array(pairs).reshape(-1, 2)) and np.allclose(dsets["weights"], W, rtol=0, atol=0)
          and np.array_equal(dsets["A"], A) and np.array_equal(dsets["b"], b),
          "%s: /pairs (triu order), /weights, /A = (b^2-1)2/pi, /b as documented" % name)
    if len(V):
        res = np.abs(V @ W.T - A).max() / A.max()
        check(res < 1e-10 and V.min() >= 0, "%s: %d vertices satisfy W x = A (rel. %.1e) and x >= 0 (min %.1e)" % (name, len(V), res, V.min()))
    check(attrs["vertex_count"] == len(V) == len(bv) and same_sets(V, bv),
          "%s: the vertex set equals the brute-force enumeration (%d and %d vertices)" % (name, len(V), len(bv)))
    if len(V):
        frac, zero = (V > 0).all(axis=0), (V == 0).all(axis=0)
        dim = np.linalg.matrix_rank(V - V[0], tol=1e-9) if len(V) > 1 else 0
    else:
        frac, zero, dim = np.zeros(len(pairs), bool), np.zeros(len(pairs), bool), -1
    check(np.array_equal(dsets["fracture"].astype(bool), frac) and attrs["fracture_count"] == frac.sum()
          and np.array_equal(dsets["zero"].astype(bool), zero) and attrs["zero_count"] == zero.sum(),
          "%s: fracture variables %s = those nonzero at every vertex; zero ones %s" % (name, [pairs[q] for q in np.flatnonzero(frac)], [pairs[q] for q in np.flatnonzero(zero)]))
    check(attrs["dimension"] == dim, "%s: dimension %d = rank of the vertex differences (%d)" % (name, attrs["dimension"], dim))
check(one(cases[1][1], "R3empty_again.h5")[0]["vertices"].shape == (0, 3), "an empty polytope: /vertices is (0, P), dimension -1")

# (b) statistics at 1, 2, 3 ranks: the same draws, the same results
K, R = 24, 5
stats = {}
for p in (1, 2, 3):
    out = os.path.join(d, "stats_np%d.h5" % p)
    run(["polytope", "-R", R, "-draws", K, "-seed", 7, "-o", out, "-progress", 0], np_=p)
    with h5py.File(out, "r") as f:
        stats[p] = {k: f[k][:] for k in f if k != "seconds"}
        check(f.attrs["mpi_size"] == p and f.attrs["draws"] == K and f["seconds"].shape == (K,), "statistics at %d ranks written" % p)
for p in (2, 3):
    check(stats[p].keys() == stats[1].keys() and all(np.array_equal(stats[p][k], stats[1][k]) for k in stats[1]),
          "statistics identical at 1 and %d ranks (%s)" % (p, ", ".join(sorted(stats[1]))))
s = stats[1]
bs = s["b"]
check(bs.shape == (K, R) and (np.diff(bs, axis=1) >= 0).all() and bs.min() > 1 and bs.max() < 3 and len(np.unique(bs)) == K * R,
      "draws: sorted b in (1, 3), all different")
check((s["vertex_count"] > 0).all() and (s["attempts"] >= 1).all(), "every draw has a nonempty polytope (empty ones drawn again: %d extra)" % (s["attempts"] - 1).sum())
for k in range(2):
    dk, ak, _ = one(bs[k], "draw%d.h5" % k)
    check(ak["vertex_count"] == s["vertex_count"][k] and ak["fracture_count"] == s["fracture_count"][k]
          and ak["dimension"] == s["dimension"][k] and np.array_equal(dk["fracture"], s["fracture"][k]),
          "draw %d: the same polytope as -b on its b (%d vertices, f = %d)" % (k, ak["vertex_count"], ak["fracture_count"]))
other = os.path.join(d, "stats_seed8.h5")
run(["polytope", "-R", R, "-draws", 4, "-seed", 8, "-o", other, "-progress", 0])
with h5py.File(other, "r") as f:
    check(not np.array_equal(f["b"][:], bs[:4]), "another seed, other draws")

# (c) the fixed points of the current dynamics lie on the polytope
b = [1.2, 1.5, 2.0, 2.5, 2.9]
R = len(b)
pairs, W, A = equalities(b)
V = one(b, "phys_poly.h5")[0]["vertices"]
frac = (V > 0).all(axis=0)
model = os.path.join(d, "paper5.h5")
run(["model", "paper", "-R", R, "-N", 100, "-g", "0,0,0,0,0", "-a", "0,0,0,0,0", "-b", ",".join(map(str, b)), "-o", model])
fps = os.path.join(d, "fps.h5")
run(["dmft", "-model", model, "-mode", "currents", "-batch", 40, "-init_size", 10, "-dt", 0.1, "-t_final", 500,
     "-integrator", "euler", "-seed", 3, "-o", fps], np_=2)
with h5py.File(fps, "r") as f:
    S, cls, resid = f["batch/final"][:], f["batch/class"][:], f["batch/residual"][:]
# on a face of the polytope the inactive pairs are marginal (psi_i psi_j b_i b_j = 1), so a
# member may approach it algebraically and still move at t = 500: use the converged ones
fp = cls == 1
check(fp.sum() >= 30, "dynamics: %d of 40 members end at a fixed point (|dS/dt| < 1e-8; largest of all %.1e)" % (fp.sum(), resid.max()))
worst_eq = worst_sym = worst_diag = worst_hull = 0.0
signs = set()
for k in np.flatnonzero(fp):
    S3 = S[k].reshape(R, R)  # [target][source]
    x = np.array([S3[i, j] ** 2 for i, j in pairs])
    worst_eq = max(worst_eq, np.abs(W @ x - A).max() / A.max())
    worst_sym = max(worst_sym, max(abs(S3[j, i] ** 2 - b[j] / b[i] * S3[i, j] ** 2) for i, j in pairs) / A.max())
    worst_diag = max(worst_diag, np.abs(np.diag(S3)).max())
    lam, rn = nnls(np.vstack([V.T, np.ones(len(V))]), np.append(x, 1.0))
    worst_hull = max(worst_hull, rn / np.abs(x).max())
    signs.add(tuple(np.sign(S3[i, j]) for q, (i, j) in enumerate(pairs) if frac[q]))
# tolerance: the members stop with |dS/dt| <= 1e-9, so the equalities hold to about that
check(worst_eq < 1e-8, "fixed points: sum_p w_ip x_p = A_i with x_p = (S^{ij})^2 (worst rel. error %.1e)" % worst_eq)
check(worst_sym < 1e-8 and worst_diag < 1e-12, "fixed points: (S^{ji})^2 = (b_j/b_i)(S^{ij})^2 (%.1e), self-currents 0 (%.1e)" % (worst_sym, worst_diag))
check(worst_hull < 1e-8, "fixed points: x is a convex combination of the %d vertices (worst NNLS residual %.1e)" % (len(V), worst_hull))
check(1 < len(signs) <= 2 ** frac.sum(), "fixed points: %d sign patterns of the %d fracture currents (at most 2^f components)" % (len(signs), frac.sum()))

# (d) bad input and -help
bad = os.path.join(d, "bad.h5")
check_refused(["polytope", "-b", "1.5,0.9,2", "-o", bad], bad, "must be > 1", "b <= 1")
check_refused(["polytope", "-b", "1.5,1,2", "-o", bad], bad, "must be > 1", "b = 1", ranks=(2,))
check_refused(["polytope", "-b", "1.5,2", "-o", bad], bad, "give R = 3 to", "R = 2 with -b", ranks=(2,))
check_refused(["polytope", "-R", 2, "-o", bad], bad, "option -R: '2' is out of range [3, 9]", "R = 2")
check_refused(["polytope", "-R", 5, "-draws", 0, "-o", bad], bad, "option -draws: '0' is out of range [1, ", "K = 0")
check_refused(["polytope", "-b", "1.5,x,2", "-o", bad], bad, "option -b", "b not a number", ranks=(2,))
check_refused(["polytope", "-R", "five", "-o", bad], bad, "option -R", "R not a number", ranks=(2,))
check_refused(["polytope", "-R", 5, "-drawz", 3, "-o", bad], bad, "unknown option -drawz", "a typo", ranks=(2,))
check_refused(["polytope", "-R", 5, "-b", "2,2,2", "-o", bad], bad, "exclude each other", "-b with -R", ranks=(2,))
check_refused(["polytope", "-o", bad], bad, "give -b", "neither -b nor -R", ranks=(2,))
check_refused(["polytope", "-R", 5], bad, "no output file", "no -o", ranks=(2,))
check_refused(["polytope", "-R", 5, "-b_range", "0.5,3", "-o", bad], bad, "-b_range", "b_range below 1", ranks=(2,))
exists = os.path.join(d, "R3.h5")
before = os.path.getmtime(exists)
r = run(["polytope", "-b", "1.5,2,2.5", "-o", exists], check=False)
check(r.returncode != 0 and os.path.getmtime(exists) == before, "an existing output is refused without -force")
r = run(["polytope", "-help"], check=False)
check(r.returncode == 0 and all(o in r.stdout for o in ("-b ", "-R <now 5", "-draws <now 100", "-seed <now 1", "-max_attempts <now 100", "-b_range <now 1,3", "-o ")),
      "-help exits 0 and lists the options with their defaults")
finish()
