#!/usr/bin/python3
"""The paper's appendix "the fixed-point manifold of symmetric interactions is a
polytope" (paper-figures.md). Used by jobs/paper/polytope.sh.

  polytope.py pick OUT --R 7 --f 1,2,3,4
      reads OUT/stats-R<R>.h5 (mrdyn polytope -R R -draws K) and writes OUT/runs.txt,
      one line "f b1,...,bR" per requested f: the first draw with f fracture
      variables (a missing f is reported and skipped).
  polytope.py plot OUT [-o polytope.png] [--table OUT/table.md]
      (a) log10 vertex count (mean +- 2 std over the draws) against the number of
      fracture variables f for every OUT/stats-R*.h5, as the published panel;
      (b) the mean sorted b per f for the largest R; (c-f) the fixed points of
      OUT/fps-f<f>.h5 (mrdyn dmft -mode currents -batch K) in 2-D, by classical MDS
      (= PCA of the currents), coloured by component. A component is a sign pattern
      of the fracture currents: at a fixed point S^{ij} and S^{ji} have the same sign
      and any pattern of signs is a fixed point, so the fixed-point set is 2^P copies
      of the polytope, glued where the flipped pairs vanish; a fracture variable
      never vanishes, so its sign cannot change continuously: 2^f components.
      The table checks this against the data (every fixed point on the polytope,
      the gap between components larger than the spacing inside them).
"""
import argparse
import glob
import os
import re

import h5py
import numpy as np

# log10(vertex count) mean and std per f = 0, 1, ..., R-1, printed by the authors'
# notebook (MultiregionDMFT paper-notebooks/convex-figs.ipynb) for 10,000 draws per R
PUBLISHED = {5: [(1.6232, 0.0), (1.4771, 0.0), (1.3009, 0.0036), (1.0792, 0.0), (0.7782, 0.0)],
             6: [(2.3676, 0.0236), (2.1948, 0.0148), (2.0057, 0.0080), (1.7827, 0.0103), (1.4771, 0.0), (1.0, 0.0)],
             7: [(3.2820, 0.1267), (3.0180, 0.0892), (2.7948, 0.0676), (2.5696, 0.0452), (2.1783, 0.0667), (1.7782, 0.0),
                 (1.1761, 0.0)]}
COLORS = {5: "gray", 6: "salmon", 7: "black"}


def load_stats(out):
    st = {}
    for path in sorted(glob.glob(os.path.join(out, "stats-R*.h5"))):
        with h5py.File(path, "r") as f:
            R = int(f.attrs["R"])
            st[R] = {k: f[k][:] for k in f}
            st[R]["attrs"] = dict(f.attrs)
    return st


def pick(a):
    with h5py.File(os.path.join(a.out, "stats-R%d.h5" % a.R), "r") as f:
        fc, b = f["fracture_count"][:], f["b"][:]
    lines = []
    for fv in [int(x) for x in a.f.split(",")]:
        k = np.flatnonzero(fc == fv)
        if not len(k):
            print("polytope.py: no draw with f = %d among %d (skipped)" % (fv, len(fc)))
            continue
        lines.append("%d %s" % (fv, ",".join("%.17g" % x for x in b[k[0]])))
        print("polytope.py: f = %d: draw %d of %d (%d draws have f = %d)" % (fv, k[0], len(fc), len(k), fv))
    with open(os.path.join(a.out, "runs.txt"), "w") as g:
        g.write("\n".join(lines) + ("\n" if lines else ""))


def fixed_points(out, fv):
    """Fixed points of run f: embedding, component labels, and the checks."""
    with h5py.File(os.path.join(out, "poly-f%d.h5" % fv), "r") as f:
        pairs, W, A, b = f["pairs"][:], f["weights"][:], f["A"][:], f["b"][:]
        frac, V = f["fracture"][:].astype(bool), f["vertices"][:]
        dim = int(f.attrs["dimension"])
    with h5py.File(os.path.join(out, "fps-f%d.h5" % fv), "r") as f:
        S, cls = f["batch/final"][:], f["batch/class"][:]
    R = len(b)
    S3 = S.reshape(len(S), R, R)  # [member][target][source]
    off = ~np.eye(R, dtype=bool)
    X = S3[:, off]
    x = S3[:, pairs[:, 0], pairs[:, 1]] ** 2  # x_p = (S^{ij})^2, i < j
    eq = np.abs(x @ W.T - A).max(axis=1) / A.max()
    sym = np.abs(S3[:, pairs[:, 1], pairs[:, 0]] ** 2 - (b[pairs[:, 1]] / b[pairs[:, 0]]) * x).max(axis=1) / A.max()
    sgn = np.sign(S3[:, pairs[frac, 0], pairs[frac, 1]])
    same_sign = bool((sgn == np.sign(S3[:, pairs[frac, 1], pairs[frac, 0]])).all())
    keys = [tuple(s) for s in sgn.astype(int)]
    uniq = sorted(set(keys))
    label = np.array([uniq.index(k) for k in keys])
    # classical MDS of the Euclidean distances = PCA of the centred currents
    Xc = X - X.mean(axis=0)
    U, s, _ = np.linalg.svd(Xc, full_matrices=False)
    emb = U[:, :2] * s[:2]
    # gap between components vs spacing inside them (converged members)
    ok = cls == 1
    D = np.sqrt(((X[ok, None, :] - X[None, ok, :]) ** 2).sum(-1))
    lab = label[ok]
    samec = lab[:, None] == lab[None, :]
    np.fill_diagonal(D, np.inf)
    between = D[~samec].min() if (~samec).any() else np.nan
    nn_within = np.where(samec, D, np.inf).min(axis=1)
    within = nn_within[np.isfinite(nn_within)].max() if np.isfinite(nn_within).any() else np.nan
    # any two fixed points in different components differ in the sign of a fracture pair
    # p = {i, j}: their distance is at least 2 sqrt(min x_p (1 + b_j/b_i)), min over the vertices
    bound = min((2 * np.sqrt(V[:, q].min() * (1 + b[pairs[q, 1]] / b[pairs[q, 0]])) for q in np.flatnonzero(frac)), default=np.nan)
    return dict(f=fv, b=b, nv=len(V), dim=dim, bound=bound, frac=frac, pairs=pairs, emb=emb, label=label, ncomp=len(uniq),
                ok=ok, eq=eq[ok].max() if ok.any() else np.nan, sym=sym[ok].max() if ok.any() else np.nan,
                same_sign=same_sign, between=between, within=within, var=s[:2] ** 2 / (s ** 2).sum(), n=len(S))


def plot(a):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    st = load_stats(a.out)
    runs = []
    for path in sorted(glob.glob(os.path.join(a.out, "fps-f*.h5"))):
        fv = int(re.search(r"fps-f(\d+)\.h5$", path).group(1))
        if os.path.exists(os.path.join(a.out, "poly-f%d.h5" % fv)):
            runs.append(fixed_points(a.out, fv))
    ncol = max(4, len(runs))
    fig = plt.figure(figsize=(3.2 * ncol, 6.6))
    gs = fig.add_gridspec(2, ncol, height_ratios=[1.15, 1], hspace=0.42, wspace=0.3)
    ax = fig.add_subplot(gs[0, :ncol // 2])
    lines = []
    for R in sorted(st):
        s = st[R]
        fc, nv = s["fracture_count"], s["vertex_count"]
        for fv in range(R):
            m = fc == fv
            if not m.any():
                continue
            lv = np.log10(nv[m])
            ax.errorbar(lv.mean(), fv + 0.08 * (R - 6), xerr=2 * lv.std(), capsize=2, marker="o", ms=3.5,
                        color=COLORS.get(R, None), label="R = %d" % R if fv == int(fc.min()) else None)
        attrs = s["attrs"]
        lines.append("R = %d: %d draws in %.0f s on %d ranks (%.1f ms per draw and rank; %d empty polytopes drawn again)"
                     % (R, len(fc), attrs["wall_time"], attrs["mpi_size"], 1e3 * s["seconds"].sum() / len(fc), int((s["attempts"] - 1).sum())))
    for R, pub in PUBLISHED.items():
        if R in st:
            ax.plot([p[0] for p in pub], np.arange(len(pub)) + 0.08 * (R - 6), "x", color=COLORS[R], ms=6, mew=1.0)
    ax.plot([], [], "kx", label="published means")
    ax.set_xlabel("log$_{10}$(number of vertices)   (mean $\\pm$ 2 std over draws)")
    ax.set_ylabel("fracture variables $f$")
    ax.set_xlim(0, 4.5)
    ax.set_ylim(-0.4, 6.4)
    ax.set_yticks(range(7))
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title("(a) polytope vertices against fracture variables", fontsize=10)

    if st:
        R = max(st)
        ax = fig.add_subplot(gs[0, ncol // 2:])
        fc, bs = st[R]["fracture_count"], st[R]["b"]
        cmap = plt.get_cmap("viridis")
        for fv in range(R):
            m = fc == fv
            if not m.any():
                continue
            mu, se = bs[m].mean(0), bs[m].std(0) / np.sqrt(m.sum())
            ax.errorbar(np.arange(R) + 1, mu, yerr=2 * se, color=cmap(fv / max(R - 1, 1)), label="f = %d (%d)" % (fv, m.sum()), capsize=2)
        ax.set_xlabel("index of sorted $b$")
        ax.set_ylabel("mean sorted $b$ ($\\pm$ 2 s.e.)")
        ax.set_ylim(1, 3)
        ax.legend(fontsize=7, ncol=2, loc="upper left")
        ax.set_title("(b) R = %d: which b give which f" % R, fontsize=10)

    cols = list(plt.get_cmap("tab10").colors) + list(plt.get_cmap("tab20").colors[1::2])
    for q, r in enumerate(runs):
        ax = fig.add_subplot(gs[1, q])
        e = r["emb"]
        for c in range(r["ncomp"]):
            m = (r["label"] == c) & r["ok"]
            ax.scatter(e[m, 0], e[m, 1], s=6, lw=0, color=cols[c % len(cols)])
        m = ~r["ok"]
        if m.any():
            ax.scatter(e[m, 0], e[m, 1], s=8, marker="x", lw=0.5, color="0.55", label="still moving (%d)" % m.sum())
            ax.legend(fontsize=7, loc="lower right")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title("(%s) f = %d: %d components (2$^f$ = %d)" % ("cdefgh"[q], r["f"], r["ncomp"], 2 ** r["f"]), fontsize=9)
        ax.set_xlabel("MDS 1 (%.0f%%)" % (100 * r["var"][0]), fontsize=8)
        ax.set_ylabel("MDS 2 (%.0f%%)" % (100 * r["var"][1]), fontsize=8)
    fig.suptitle("Fixed points of symmetric interactions without self-loops form a polytope "
                 "(mrdyn polytope; fixed points: mrdyn dmft -mode currents)", fontsize=10)
    fig.savefig(a.o, dpi=130, bbox_inches="tight")
    print("polytope.py: wrote %s" % a.o)

    t = ["| R | f | draws | mean vertex count | log10 mean +- std (mrdyn) | published log10 mean +- std |",
         "|---|---|---|---|---|---|"]
    for R in sorted(st):
        fc, nv = st[R]["fracture_count"], st[R]["vertex_count"]
        for fv in range(R):
            m = fc == fv
            pub = PUBLISHED.get(R, [])
            ps = "%.4f +- %.4f" % pub[fv] if fv < len(pub) else "-"
            if m.any():
                lv = np.log10(nv[m])
                t.append("| %d | %d | %d | %.1f | %.4f +- %.4f | %s |" % (R, fv, m.sum(), nv[m].mean(), lv.mean(), lv.std(), ps))
            else:
                t.append("| %d | %d | 0 | - | - | %s |" % (R, fv, ps))
    t.append("")
    t += ["- " + s for s in lines]
    t += ["", "| f | b | vertices | dimension | fixed points (converged) | components (2^f) | max equality error | distance between components: smallest (bound) | largest nearest-neighbour distance inside |",
          "|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        t.append("| %d | %s | %d | %d | %d (%d) | %d (%d) | %.1e | %.3f (%.3f) | %.3f |" % (
            r["f"], ", ".join("%.3f" % x for x in r["b"]), r["nv"], r["dim"], r["n"], r["ok"].sum(), r["ncomp"], 2 ** r["f"],
            r["eq"], r["between"], r["bound"], r["within"]))
        if not r["same_sign"]:
            t.append("| | S^{ij} and S^{ji} of a fracture pair differ in sign somewhere | | | | | | | |")
    text = "\n".join(t) + "\n"
    print(text)
    if a.table:
        with open(a.table, "w") as g:
            g.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pick")
    p.add_argument("out")
    p.add_argument("--R", type=int, default=7)
    p.add_argument("--f", default="1,2,3,4")
    p = sub.add_parser("plot")
    p.add_argument("out")
    p.add_argument("-o", default="polytope.png")
    p.add_argument("--table")
    a = ap.parse_args()
    pick(a) if a.cmd == "pick" else plot(a)


if __name__ == "__main__":
    main()
