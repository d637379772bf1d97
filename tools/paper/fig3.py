#!/usr/bin/python3
"""The paper's Fig. 3 (fixed points without disorder, network + theory), and the
network panels shared with Fig. 4 (tools/paper/fig4.py imports this file).

usage:
  fig3.py args --fig 3|4 --set S --run R     shell assignments for one network run
                                             (U, H, G, S0, LAMBDA, SEED; jobs/paper/fig3-runs.sh)
  fig3.py plot DIR [-o PNG] [--json FILE]    draw DIR's runs (DIR/N*/set*-run*.h5, DIR/theory-set*.h5)

Parameters (paper-figures.md, Figs. 3 and 4): R = 5; per run fresh signs
u = (+-1) sqrt(b), h = a - b (make_T_from_uh); initial currents S0[m, n] =
2.5/sqrt(5) z_n with z ~ N(0, 1) per source region and no independent noise, so
x^m(0) = 2.5/sqrt(5) sum_n z_n m^{mn}. Signs and z come from NumPy's
default_rng([fig, set, run]): the same on every machine.
"""
import argparse
import glob
import json
import os
import re
import sys

import h5py
import numpy as np

R = 5
# Fig. 3 (g = 0) and Fig. 4 (disorder) parameter sets, as published.
SETS = {
    3: [
        ([2.07056209, 2.01600629, 2.03914952, 2.08963573, 2.07470232],
         [2.46090888, 2.53800354, 2.49394571, 2.49587125, 2.51642394], [0.0] * 5),
        ([2.56497381, 1.97552974, 1.97887313, 1.95708126, 2.03461631],
         [1.90793845, 2.56979247, 2.46955172, 2.51276156, 2.49002518], [0.0] * 5),
        ([2.48332969, 2.49774933, 1.91455216, 2.06561083, 1.92826258],
         [1.96633011, 2.02011526, 2.45018848, 2.45768191, 2.4636397], [0.0] * 5),
    ],
    4: [
        ([2.07056209, 2.01600629, 2.03914952, 2.08963573, 2.07470232],
         [2.46090888, 2.53800354, 2.49394571, 2.49587125, 2.51642394],
         [1.5, 1.25817094, 1.23044151, 1.204867, 1.21775453]),
        ([2.06497381, 1.97552974, 1.97887313, 1.95708126, 2.03461631],
         [2.40793845, 2.56979247, 2.46955172, 2.51276156, 2.49002518],
         [2.25, 1.11759437, 1.18710331, 1.18463783, 1.24535078]),
        ([1.98332969, 1.99774933, 1.91455216, 2.06561083, 1.92826258],
         [2.46633011, 2.52011526, 2.45018848, 2.45768191, 2.4636397],
         [2.65, 1.29168832, 1.20166158, 1.15528298, 1.22156233]),
    ],
}
# The published per-region theory of Fig. 4 set 1 (paper-figures.md).
PUBLISHED_SET1 = [1.343, 1.565, 1.537, 1.552, 1.565]
T_MATRIX = 50.0  # the time of the shown 5 x 5 S matrix
T_TRACES = 50.0  # traces are shown for t <= 50


def params(fig, s):
    a, b, g = (np.array(v, dtype=float) for v in SETS[fig][s - 1])
    return a, b, g


def run_args(fig, s, run):
    """The random signs and initial currents of one run, and its simulate seed."""
    a, b, g = params(fig, s)
    rng = np.random.default_rng([fig, s, run])
    u = rng.choice([-1.0, 1.0], size=R) * np.sqrt(b)
    z = rng.standard_normal(R)
    S0 = np.tile(2.5 / np.sqrt(R) * z, (R, 1))  # S0[m, n] = 2.5/sqrt(5) z_n, channel m*R + n
    fmt = lambda v: ",".join("%.10g" % x for x in np.ravel(v))  # noqa: E731
    return {"U": fmt(u), "H": fmt(a - b), "G": fmt(g), "S0": fmt(S0),
            "LAMBDA": fmt(np.maximum(a, b)), "SEED": str(1000 * fig + 100 * s + run)}


def theory_sqrtA_g0(a, b):
    """Fig. 3's theory: sqrt(A) = sqrt(psi^{-1}(1/max(a, b))) = sqrt(2 (max(a,b)^2 - 1)/pi)."""
    lam = np.maximum(a, b)
    return np.sqrt(2 * (lam ** 2 - 1) / np.pi)


def read_run(path):
    with h5py.File(path, "r") as f:
        t = f["time"][:]
        S = f["currents"][:].reshape(len(t), R, R)
        x = f["traces/x"][:] if "traces" in f else None  # mean-field files have none
        idx = f["traces/index"][:] if "traces" in f else None
        N = int(f.attrs["N"][0]) if "N" in f.attrs else None
    return t, S, x, idx, N


def run_files(d):
    """{(N, set): [run files sorted by run]} under d/N*/."""
    out = {}
    for p in glob.glob(os.path.join(d, "N*", "set*-run*.h5")):
        m = re.search(r"N(\d+)/set(\d+)-run(\d+)\.h5$", p)
        if m:
            out.setdefault((int(m.group(1)), int(m.group(2))), []).append((int(m.group(3)), p))
    return {k: [p for _, p in sorted(v)] for k, v in out.items()}


def theory_sqrtA(d, s):
    """sqrt(A) per region from mrdyn dmft -mode stationary (d/theory-set<s>.h5)."""
    with h5py.File(os.path.join(d, "theory-set%d.h5" % s), "r") as f:
        A = f["stationary_theory/A"][0]
        branch = f["stationary_theory/branch"][0]
    return np.sqrt(A), branch


def dmft_file(run_file):
    """DIR/dmft/set<S>-run<R>.h5 for DIR/N<N>/set<S>-run<R>.h5, or None."""
    d, name = os.path.split(run_file)
    p = os.path.join(os.path.dirname(d), "dmft", name)
    return p if os.path.exists(p) else None


def network_sqrtA(files, tavg=None):
    """(runs, R) sqrt(A^m) with A^m = sum_n (S^{mn})^2 at the end (tavg: mean of A over the last tavg time units)."""
    out = []
    for p in files:
        t, S, _, _, _ = read_run(p)
        A = (S ** 2).sum(-1)
        if tavg:
            out.append(np.sqrt(A[t >= t[-1] - tavg].mean(0)))
        else:
            out.append(np.sqrt(A[-1]))
    return np.array(out)


# ---- drawing ----
def draw_params(ax, a, b, g, legend):
    i = np.arange(R) + 1
    ax.plot(i, a, marker=".", color="0.7", label="$a^\\mu$")
    ax.plot(i, b, marker=".", color="black", label="$b^\\mu$")
    if np.any(g != 0):
        ax.plot(i, g, marker=".", color="green", label="$g^\\mu$")
    ax.set_xticks(i)
    ax.set_ylim(1, 3)
    ax.set_yticks([1, 2, 3])
    ax.tick_params(labelsize=6)
    if legend:
        ax.legend(ncol=3, fontsize=6, handlelength=1, loc="upper center", frameon=False, borderaxespad=-0.6)


def draw_column(fig, spec, d, N, s, fig_no, theory, first, tmax=T_TRACES):
    """One parameter set: parameters, 5 rows of x traces and currents, S at t = 50, sqrt(A) of all runs."""
    import matplotlib.gridspec as gridspec
    files = run_files(d).get((N, s), [])
    a, b, g = params(fig_no, s)
    gs = gridspec.GridSpecFromSubplotSpec(3, 1, subplot_spec=spec, height_ratios=[0.7, 5, 2.3], hspace=0.35)
    ax_top = fig.add_subplot(gs[0])
    draw_params(ax_top, a, b, g, first)
    ax_top.set_title("set %d" % s, fontsize=8)
    gt = gridspec.GridSpecFromSubplotSpec(R, 2, subplot_spec=gs[1], hspace=0.15, wspace=0.3)
    gb = gridspec.GridSpecFromSubplotSpec(1, 2, subplot_spec=gs[2], wspace=0.35, width_ratios=[1, 1.1])
    ax_sq, ax_a = fig.add_subplot(gb[0]), fig.add_subplot(gb[1])
    cols = ["C%d" % k for k in range(R)]
    if not files:
        ax_sq.text(0.5, 0.5, "no runs", ha="center", transform=ax_sq.transAxes)
        return None
    t, S, x, idx, _ = read_run(files[0])
    mf = dmft_file(files[0])
    if mf:
        with h5py.File(mf, "r") as f:
            tm, Sm = f["time"][:], f["currents"][:].reshape(-1, R, R)
    tmax = min(tmax, t[-1])
    keep = t <= tmax + 1e-9
    for m in range(R):
        axl, axr = fig.add_subplot(gt[m, 0]), fig.add_subplot(gt[m, 1])
        for k in np.where(idx[:, 0] == m)[0]:
            axl.plot(t[keep], x[keep, k], lw=0.6, color=cols[m])
        for n in range(R):
            axr.plot(t[keep], S[keep, m, n], lw=0.8, color=cols[n])
            if mf:
                km = tm <= tmax + 1e-9
                axr.plot(tm[km], Sm[km, m, n], lw=0.5, ls="--", color="black")
        for ax in (axl, axr):
            ax.set_xlim(0, tmax)
            ax.tick_params(labelsize=5, length=2)
            if m < R - 1:
                ax.set_xticklabels([])
        axl.set_ylabel("%d" % (m + 1), fontsize=6, rotation=0, labelpad=6)
        if m == 0:
            axl.set_title("$x^\\mu_i(t)$", fontsize=7)
            axr.set_title("$S^{\\mu\\nu}(t)$" + (" (dashed: DMFT)" if mf else ""), fontsize=7)
        if m == R - 1:
            axl.set_xlabel("t", fontsize=6, labelpad=0)
            axr.set_xlabel("t", fontsize=6, labelpad=0)
    i50 = np.argmin(abs(t - T_MATRIX))
    im = ax_sq.matshow(S[i50], vmin=-2, vmax=2, cmap="RdGy")
    ax_sq.set_xticks([])
    ax_sq.set_yticks([])
    ax_sq.set_title("$S^{\\mu\\nu}$ at t = %g (run 1)" % t[i50], fontsize=6)
    if first:
        cax = ax_sq.inset_axes([0.0, -0.32, 1.0, 0.06])
        cb = fig.colorbar(im, cax=cax, orientation="horizontal")
        cb.ax.tick_params(labelsize=5)
    net = network_sqrtA(files)
    ax_a.scatter(theory, R - np.arange(R), s=28, facecolors="none", edgecolors="blue", lw=0.8, label="theory")
    for m in range(R):
        ax_a.scatter(net[:, m], np.full(len(net), R - m), color="red", s=6, marker=".", zorder=3, label="network" if m == 0 else None)
    ax_a.set_ylim(0.5, R + 0.5)
    ax_a.set_xlim(0, 2.5)
    ax_a.set_yticks(np.arange(R) + 1)
    ax_a.set_yticklabels(np.arange(R)[::-1] + 1)
    ax_a.yaxis.tick_right()
    ax_a.tick_params(labelsize=5)
    ax_a.set_xlabel("$\\sqrt{A^\\mu}$ (%d runs)" % len(net), fontsize=6)
    if first:
        ax_a.legend(fontsize=5, loc="lower left", handletextpad=0.1, frameon=False)
    return net


def numbers(d, fig_no, sets=(1, 2, 3)):
    """Per N and set: theory and network sqrt(A) (end value and mean over the last quarter), errors."""
    out = {"figure": fig_no, "N": {}}
    files = run_files(d)
    for (N, s), fl in sorted(files.items()):
        th, branch = theory_sqrtA(d, s)
        with h5py.File(fl[0], "r") as f:
            tf = float(f["time"][-1])
        net = network_sqrtA(fl)
        avg = network_sqrtA(fl, tavg=tf / 4)
        mfs = [dmft_file(p) for p in fl]
        mf = network_sqrtA(mfs) if all(mfs) else None
        out["N"].setdefault(str(N), {})[str(s)] = {
            "runs": len(fl), "t_final": tf,
            "theory_sqrtA": th.tolist(), "branch": branch.tolist(),
            "network_sqrtA_end": net.tolist(),
            "network_sqrtA_mean_last_quarter": avg.tolist(),
            "mean_abs_error_end": float(np.abs(net - th).mean()),
            "mean_abs_error_avg": float(np.abs(avg - th).mean()),
            "max_abs_error_end": float(np.abs(net - th).max()),
        }
        if mf is not None:  # the two-point DMFT of each run's model and initial currents, at the same time
            out["N"][str(N)][str(s)]["dmft_sqrtA_end"] = mf.tolist()
            out["N"][str(N)][str(s)]["mean_abs_error_vs_dmft"] = float(np.abs(net - mf).mean())
    return out


def plot(d, png, fig_no=3, title=None):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    files = run_files(d)
    if not files:
        sys.exit("fig3.py: no runs under %s" % d)
    N = max(n for n, _ in files)
    sets = sorted({s for n, s in files if n == N})
    fig = plt.figure(figsize=(3.2 * len(sets), 8.0))
    gs = fig.add_gridspec(1, len(sets), wspace=0.3, left=0.06, right=0.97, top=0.93, bottom=0.06)
    for k, s in enumerate(sets):
        th, _ = theory_sqrtA(d, s)
        draw_column(fig, gs[k], d, N, s, fig_no, th, k == 0)
    fig.suptitle(title or "Fig. 3: R = 5, g = 0, N = %d per region" % N, fontsize=9)
    fig.savefig(png, dpi=150)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("args")
    p.add_argument("--fig", type=int, choices=(3, 4), required=True)
    p.add_argument("--set", type=int, choices=(1, 2, 3), required=True)
    p.add_argument("--run", type=int, required=True)
    p = sub.add_parser("plot")
    p.add_argument("dir")
    p.add_argument("-o", default=None)
    p.add_argument("--json", default=None)
    a = ap.parse_args()
    if a.cmd == "args":
        for k, v in run_args(a.fig, a.set, a.run).items():
            print("%s=%s" % (k, v))
        return
    png = a.o or os.path.join(a.dir, "fig3.png")
    plot(a.dir, png, 3)
    num = numbers(a.dir, 3)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(num, f, indent=1)
    for N, per in num["N"].items():
        for s, v in per.items():
            print("N = %s set %s (%d runs, t = %g): theory sqrt(A) %s" % (N, s, v["runs"], v["t_final"], " ".join("%.4f" % x for x in v["theory_sqrtA"])))
            for r, row in enumerate(v["network_sqrtA_end"]):
                print("   run %d network sqrt(A) %s" % (r + 1, " ".join("%.4f" % x for x in row)))
            print("   mean |error| %.4f (end), %.4f (mean of the last quarter)" % (v["mean_abs_error_end"], v["mean_abs_error_avg"]))
    print("wrote %s" % png)


if __name__ == "__main__":
    main()
