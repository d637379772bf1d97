#!/usr/bin/python3
"""The paper's appendix figure "routing by a constant input" from the files of
jobs/paper/routing.sh: the 5x5 current matrices S^{mn} (current from region n into
region m) at the end of the runs with the input off and on, the time courses, and
the finite network against both forms of the input term.

    routing.py DIR [-o routing.png] [-json routing.json] [-t_max 400]

DIR holds theory-{reference,trapezoid}-I{0,2}.h5 (mrdyn dmft -mode currents; reference =
the notebook's form, trapezoid = mrdyn's) and network-I{0,2}-seed*.h5 (mrdyn simulate).
Region 1 of the paper is index 0 here; "column 1" = S^{m1}, m = 2..5 (the currents out
of region 1), "row 1" = S^{1n}, n = 2..5 (the currents into region 1)."""
import argparse
import glob
import json
import os
import re

import h5py
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

FORMS = {"reference": "notebook's form", "trapezoid": "mrdyn's form"}


def load(path):
    """(t, S (nt, R, R) as [target][source], psi (nt, R)) of a run or currents-mode file."""
    with h5py.File(path, "r") as f:
        t = f["time"][:]
        tgt, src = f["channel/target"][:], f["channel/source"][:]
        C = len(tgt)
        R = int(max(tgt.max(), src.max())) + 1
        cur = f["currents"][:].reshape(len(t), -1)
        S = np.zeros((len(t), R, R))
        for c in range(C):
            S[:, tgt[c], src[c]] = cur[:, c]
        return t, S, f["psi"][:].reshape(len(t), -1)


def numbers(t, S, psi):
    """The figure's numbers at the end of a run, and how far it still moved over its last 100 time units."""
    e = S[-1]
    j = max(np.searchsorted(t, t[-1] - 100.0), 0)
    return {"S11": float(e[0, 0]), "column1": [float(x) for x in e[1:, 0]], "row1": [float(x) for x in e[0, 1:]],
            "column1_mean_abs": float(np.abs(e[1:, 0]).mean()), "row1_mean_abs": float(np.abs(e[0, 1:]).mean()),
            "psi": [float(x) for x in psi[-1]], "t_end": float(t[-1]), "moved_last_100": float(np.abs(S[-1] - S[j]).max())}


def matrix(ax, S, title):
    R = S.shape[0]
    ax.imshow(S, cmap="RdBu_r", vmin=-2, vmax=2)
    for m in range(R):
        for n in range(R):
            ax.text(n, m, "%.2f" % S[m, n], ha="center", va="center", fontsize=6.5, color="k" if abs(S[m, n]) < 1.3 else "w")
    ax.set_xticks(range(R))
    ax.set_yticks(range(R))
    ax.set_xticklabels(range(1, R + 1))
    ax.set_yticklabels(range(1, R + 1))
    ax.set_xlabel("source region n")
    ax.set_ylabel("target region m")
    ax.set_title(title, fontsize=8.5)


def courses(ax, t, S, title, tmax):
    R = S.shape[1]
    k = t <= tmax
    for m in range(R):
        for n in range(R):
            if m and n:
                ax.plot(t[k], S[k, m, n], color="0.75", lw=0.6)
    for m in range(1, R):
        ax.plot(t[k], S[k, m, 0], color="tab:red", lw=0.9, label="out of region 1 ($S^{m1}$)" if m == 1 else None)
        ax.plot(t[k], S[k, 0, m], color="tab:blue", lw=0.9, label="into region 1 ($S^{1n}$)" if m == 1 else None)
    ax.plot(t[k], S[k, 0, 0], color="k", lw=1.2, label="$S^{11}$")
    ax.set_xlabel("t")
    ax.set_ylabel("currents")
    ax.set_title(title, fontsize=8.5)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("-o", default="routing.png")
    ap.add_argument("-json", default=None)
    ap.add_argument("-t_max", type=float, default=400.0, help="time courses up to this time")
    a = ap.parse_args()

    th, out = {}, {"theory": {}, "network": {}}
    for form in FORMS:
        for I in (0, 2):
            th[form, I] = load(os.path.join(a.dir, "theory-%s-I%d.h5" % (form, I)))
            out["theory"]["%s I=%d" % (form, I)] = numbers(*th[form, I])
    net = {0: [], 2: []}
    for path in sorted(glob.glob(os.path.join(a.dir, "network-I*-seed*.h5")), key=lambda p: int(re.findall(r"seed(\d+)", p)[-1])):
        I = int(re.findall(r"network-I(\d+)-", os.path.basename(path))[0])
        if I in net:
            net[I].append((path, load(path)))
    for I in (0, 2):
        rows = [numbers(*r) for _, r in net[I]]
        out["network"]["I=%d" % I] = rows
        if rows:
            c = np.abs(np.array([r["column1"] for r in rows])).ravel()
            out["network"]["I=%d summary" % I] = {"runs": len(rows), "column1_mean_abs": float(c.mean()),
                                                  "column1_se": float(c.std(ddof=1) / np.sqrt(len(c))) if len(c) > 1 else None,
                                                  "S11_mean_abs": float(np.mean([abs(r["S11"]) for r in rows])),
                                                  "psi1_mean": float(np.mean([r["psi"][0] for r in rows]))}
    with h5py.File(os.path.join(a.dir, "model.h5"), "r") as f:
        N = int(np.asarray(f["N"])[0])

    fig = plt.figure(figsize=(13, 10))
    gs = fig.add_gridspec(3, 4, height_ratios=[1.05, 0.9, 0.8], hspace=0.5, wspace=0.38)
    panels = [(("reference", 0), "notebook's form, input off"), (("reference", 2), "notebook's form, input on (I = 2)"),
              (("trapezoid", 0), "mrdyn's form, input off"), (("trapezoid", 2), "mrdyn's form, input on (I = 2)")]
    for k, (key, title) in enumerate(panels):
        t, S, _ = th[key]
        matrix(fig.add_subplot(gs[0, k]), S[-1], "%s\n$S^{mn}$ at t = %g" % (title, t[-1]))
        ax = fig.add_subplot(gs[1, k])
        courses(ax, t, S, title, a.t_max)
        if k == 0:
            ax.legend(fontsize=6.5, loc="lower right")
    # the network against both forms
    for k, I in enumerate((0, 2)):
        if net[I]:
            _, (t, S, _) = net[I][0]
            matrix(fig.add_subplot(gs[2, k]), S[-1], "network N = %d, seed %s, I = %d\n$S^{mn}$ at t = %g" % (N, re.findall(r"seed(\d+)", net[I][0][0])[-1], I, t[-1]))
    ax = fig.add_subplot(gs[2, 2:])
    for k, I in enumerate((0, 2)):
        vals = np.abs(np.array([numbers(*r)["column1"] for _, r in net[I]])).ravel() if net[I] else np.array([])
        x = k + 0.08 * np.linspace(-1, 1, max(len(vals), 1))[: len(vals)]
        ax.plot(x, vals, "o", color="0.4", ms=3.5, label="network, every realisation and m" if k == 0 else None)
        if len(vals):
            ax.errorbar(k + 0.22, vals.mean(), yerr=vals.std(ddof=1) / np.sqrt(len(vals)) if len(vals) > 1 else 0, fmt="D", color="k", ms=5,
                        label="network mean $\\pm$ s.e." if k == 0 else None)
        for form, col in (("reference", "tab:orange"), ("trapezoid", "tab:green")):
            v = np.abs(th[form, I][1][-1, 1:, 0]).mean()
            ax.hlines(v, k - 0.3, k + 0.3, color=col, lw=2, label=FORMS[form] if k == 0 else None)
    ax.set_xticks([0, 1])
    ax.set_xticklabels(["input off", "input on (I = 2)"])
    ax.set_ylabel("$|S^{m1}|$, m = 2..5 (out of region 1)")
    ax.set_title("which form does the network follow? (theory lines: mean over m)", fontsize=8.5)
    ax.legend(fontsize=7, loc="upper left")
    ax.set_xlim(-0.5, 1.5)
    fig.suptitle("Routing by a constant input into region 1 (R = 5, g = 0; Fig. 3 set 2, V[m,1] = 0.1)", fontsize=11)
    fig.savefig(a.o, dpi=110, bbox_inches="tight")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)
    for key, v in out["theory"].items():
        print("theory %-14s S11 %+.4f  |column 1| %.4f  |row 1| %.4f  psi_1 %.4f  (moved %.1e over the last 100)" % (key, v["S11"], v["column1_mean_abs"], v["row1_mean_abs"], v["psi"][0], v["moved_last_100"]))
    for I in (0, 2):
        s = out["network"].get("I=%d summary" % I)
        if s:
            print("network I=%d: %d runs, |column 1| %.4f +- %s, |S11| %.4f, psi_1 %.4f" % (I, s["runs"], s["column1_mean_abs"], "%.4f" % s["column1_se"] if s["column1_se"] else "-", s["S11_mean_abs"], s["psi1_mean"]))
    print("wrote %s" % a.o)


if __name__ == "__main__":
    main()
