#!/usr/bin/python3
"""The paper's appendix figure "five regions, complexity against uniform disorder"
(paper-figures.md): T = randn(5,5,5)*3.5/sqrt(5) after np.random.seed(43), the same
g in every region, g in {0, 1, 2, 3}. Used by jobs/paper/fiveregion.sh.

  fiveregion.py prepare OUT [--g 0,1,2,3] [--draws K]
      writes OUT/model-g<g>.h5 and OUT/runs.txt ("name model initial-current-options").
      The main runs start from the notebook's initial currents: its solver draws
      S(0) = rand(5,5) from NumPy's global generator after the T draw, once per g in
      order. K extra runs per g start from S(0) ~ U[0,1) drawn by mrdyn.
  fiveregion.py plot OUT [-o fiveregion.png] [--table OUT/table.md]
"""
import argparse
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shaping  # noqa: E402

SEED, R, SCALE = 43, 5, 3.5
G_ALL = [0.0, 1.0, 2.0, 3.0]
PUBLISHED = {0.0: "oscillatory currents", 1.0: "oscillatory currents", 2.0: "weaker, decorrelating fluctuations",
             3.0: "currents quenched: S = 0, psi constant 0.32"}
RUN_FILE = re.compile(r"^g([0-9.]+?)(-u[0-9]+)?\.h5$")
TAU_MAX = 50.0
LAST = 1000


def name(g, draw=0):
    return "g%g" % g + ("-u%d" % draw if draw else "")


def prepare(a):
    gs = [float(x) for x in a.g.split(",")] if a.g else G_ALL
    T, rs = shaping.draw_T(SEED, R, SCALE)
    S0 = {g: rs.rand(R, R) for g in G_ALL}  # the notebook's order, whatever subset runs here
    os.makedirs(a.out, exist_ok=True)
    lines = []
    for g in gs:
        m = os.path.join(a.out, "model-g%g.h5" % g)
        shaping.write_model(m, T, [g] * R, description="five-region appendix: seed 43, g = %g in every region" % g)
        init = ("-init_currents " + ",".join(repr(float(v)) for v in S0[g].ravel())) if g in S0 else "-init_uniform 0,1 -seed 1"
        lines.append("%s %s %s" % (name(g), m, init))
        for k in range(1, a.draws + 1):
            lines.append("%s %s -init_uniform 0,1 -seed %d" % (name(g, k), m, k))
    with open(os.path.join(a.out, "runs.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("fiveregion.py: %d models, %d runs listed in %s" % (len(gs), len(lines), os.path.join(a.out, "runs.txt")))


def summary(r):
    n = int(round(TAU_MAX / r["dt"]))
    S, ps = r["S"][-LAST:], r["psi"][-LAST:]
    return dict(labels=r["labels"], labels50=[shaping.classify(r["curve"][:n, i]) for i in range(R)],
                amp=float(np.max(S.max(0) - S.min(0))), smax=float(np.max(np.abs(S))),
                psi=(float(ps.min()), float(ps.max())), psi_sd=float(ps.std(0).max()),
                dend=r["curve"][n - 1])


def fmt(ls):
    return "/".join(shaping.SHORT[x] for x in ls)


def table(gs, runs):
    rows = ["| g | published | labels, tau < 50 (Python rule) | labels, tau to 62.5 (`-classify`) | max abs S, last 50 | "
            "peak-to-peak S | psi range, last 50 | other S(0) ~ U[0,1) (tau < 50) |",
            "|---|---|---|---|---|---|---|---|"]
    for g in gs:
        s = runs.get(name(g))
        if s is None:
            continue
        others = {}
        for k in runs:
            if k.startswith(name(g) + "-u"):
                key = "same" if runs[k]["labels50"] == s["labels50"] else fmt(runs[k]["labels50"])
                others[key] = others.get(key, 0) + 1
        rows.append("| %g | %s | %s | %s | %.3g | %.3g | %.3f-%.3f | %s |" % (
            g, PUBLISHED.get(g, "(not shown)"), fmt(s["labels50"]), fmt(s["labels"]), s["smax"], s["amp"], s["psi"][0],
            s["psi"][1], ", ".join("%d %s" % (v, k) for k, v in sorted(others.items(), key=lambda kv: kv[0] != "same")) or "-"))
    return "\n".join(rows)


def plot(a):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    shaping.style(plt)
    runs, data = {}, {}
    shaping.check_runs(a.out)
    for f in sorted(os.listdir(a.out)):
        m = RUN_FILE.match(f)
        if m:
            r = shaping.read_run(os.path.join(a.out, f))
            runs[f[:-3]] = summary(r)
            if not m.group(2):
                data[float(m.group(1))] = r
    gs = sorted(data)
    tab = table(gs, runs)
    print(tab)
    if a.table:
        with open(a.table, "w") as f:
            f.write(tab + "\n")
    if not gs:
        sys.exit("fiveregion.py: no runs in %s" % a.out)
    fig = plt.figure(figsize=(10.5, 5.2))
    sub = fig.add_gridspec(3, 1 + len(gs), left=0.06, right=0.99, top=0.92, bottom=0.1,
                           width_ratios=[2.2] + [1] * len(gs), hspace=0.6, wspace=0.3)
    ax = fig.add_subplot(sub[:, 0])
    r0 = data[gs[0]]
    for g in gs:
        if g > 0:
            x = np.linspace(-g, g, 400)
            y = np.sqrt(np.maximum(g * g - x * x, 0))
            ax.fill_between(x, -y, y, color="gray", alpha=0.2, lw=0, zorder=0)
            ax.plot(x, y, color="black", lw=0.6)
            ax.plot(x, -y, color="black", lw=0.6)
    shaping.panel_spectrum(ax, r0["that"], lim=4.0)
    ax.set_title("(a) eigenvalues of $\\hat T$ (%d), disks of radius g" % len(r0["that"]), loc="left")
    for j, g in enumerate(gs):
        r = data[g]
        axd = fig.add_subplot(sub[0, j + 1])
        shaping.panel_delta(axd, r["curve"], r["dt"], TAU_MAX, j == 0)
        axd.set_title("$g = %g$\n%s" % (g, fmt(runs[name(g)]["labels50"])), fontsize=7)
        shaping.panel_psi(fig.add_subplot(sub[1, j + 1]), r["time"][-LAST:], r["psi"][-LAST:], j == 0)
        shaping.panel_dynamic(fig.add_subplot(sub[2, j + 1]), r["dyn"], j == 0, ylim=2.0)
    fig.text(0.01, 0.01, "rows: normalised two-point function from $t_0$ = %g; gains over the last %g; eigenvalues of "
             "$\\hat T\\psi(t)$ every 20th step of the last 1000; regions 1-5: blue, orange, green, dark grey, grey"
             % (r0["t0"], LAST * r0["dt"]), fontsize=7)
    fig.savefig(a.o, dpi=a.dpi)
    print("fiveregion.py: wrote %s" % a.o)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sp = ap.add_subparsers(dest="cmd", required=True)
    p = sp.add_parser("prepare")
    p.add_argument("out")
    p.add_argument("--g", default="", help="comma-separated g values (default: 0, 1, 2, 3)")
    p.add_argument("--draws", type=int, default=0)
    p.set_defaults(fn=prepare)
    p = sp.add_parser("plot")
    p.add_argument("out")
    p.add_argument("-o", default="fiveregion.png")
    p.add_argument("--table", default="")
    p.add_argument("--dpi", type=int, default=130)
    p.set_defaults(fn=plot)
    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
