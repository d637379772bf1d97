#!/usr/bin/python3
"""The paper's Fig. 6: disorder in region 1 reshapes the dynamics of a three-region
network (paper-figures.md, "Fig. 6"). Used by jobs/paper/fig6.sh.

  fig6.py prepare OUT [--g1 0.3,0.6,...] [--draws K]
      writes OUT/model-<T>-<g1>.h5 for T(i) (np.random.seed(1302430346)) and T(ii)
      (seed 3276071239), T = randn(3,3,3)*2/sqrt(3), g = (g1, 0, 0), and
      OUT/runs.txt: one line per mrdyn dmft run, "name model initial-current-options".
      The main runs start from the notebook's own initial currents: its solver draws
      S(0) = rand(3,3) from NumPy's global generator, which continues after the two
      T draws, once per call in the order g1 (outer), T (inner). K extra runs per
      point start from S(0) ~ U[0,1) drawn by mrdyn (-init_uniform 0,1 -seed k).
  fig6.py plot OUT [-o fig6.png] [--table OUT/table.md]
      draws the published layout from the runs and prints the table of outcomes.
"""
import argparse
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shaping  # noqa: E402

SEEDS = {"i": 1302430346, "ii": 3276071239}
G1_ALL = [round(0.3 * k, 1) for k in range(1, 11)]  # the notebook's np.arange(0.3, 3.3, 0.3)
SHOWN = {"i": [0.3, 0.6, 1.5, 2.7], "ii": [0.6, 1.5, 2.1, 2.7]}
PUBLISHED = {("i", 0.3): "fixed point", ("i", 0.6): "limit cycle", ("i", 1.5): "limit cycle",
             ("i", 2.7): "limit cycle (psi_1 about 0.34)", ("ii", 0.6): "fixed point", ("ii", 1.5): "fixed point",
             ("ii", 2.1): "fixed point, chaos in region 1 (D_1 settles near 0.78)", ("ii", 2.7): "limit cycle"}
TAU_MAX = 50.0  # the notebook plots and (here) classifies the first 1000 lags: tau < 50
RUN_FILE = re.compile(r"^(i|ii)-g([0-9.]+?)(-u[0-9]+)?\.h5$")
LAST = 1000     # S, psi and the dynamic spectrum over the last 1000 steps (50 time units)


def models():
    """T(i), T(ii) and the notebook's generator state after drawing them."""
    Ti, _ = shaping.draw_T(SEEDS["i"], 3, 2.0)
    Tii, rs = shaping.draw_T(SEEDS["ii"], 3, 2.0)
    return {"i": Ti, "ii": Tii}, rs


def name(t, g1, draw=0):
    return "%s-g%.1f" % (t, g1) + ("-u%d" % draw if draw else "")


def prepare(a):
    g1s = [float(x) for x in a.g1.split(",")] if a.g1 else G1_ALL
    T, rs = models()
    S0 = {}
    for g1 in G1_ALL:  # the whole sequence: a subset keeps the notebook's draws
        for t in ("i", "ii"):
            S0[(t, g1)] = rs.rand(3, 3)
    os.makedirs(a.out, exist_ok=True)
    lines = []
    for g1 in g1s:
        key = min(G1_ALL, key=lambda x: abs(x - g1))
        for t in ("i", "ii"):
            m = os.path.join(a.out, "model-%s-g%.1f.h5" % (t, g1))
            shaping.write_model(m, T[t], [g1, 0.0, 0.0], description="Fig. 6 T(%s), g = (%g, 0, 0)" % (t, g1))
            if abs(key - g1) < 1e-9:
                init = "-init_currents " + ",".join(repr(float(v)) for v in S0[(t, key)].ravel())
            else:  # not on the notebook's grid: no notebook draw
                init = "-init_uniform 0,1 -seed 1"
            lines.append("%s %s %s" % (name(t, g1), m, init))
            for k in range(1, a.draws + 1):
                lines.append("%s %s -init_uniform 0,1 -seed %d" % (name(t, g1, k), m, k))
    with open(os.path.join(a.out, "runs.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("fig6.py: %d models, %d runs listed in %s" % (2 * len(g1s), len(lines), os.path.join(a.out, "runs.txt")))


def summary(r):
    """The measured outcome of one run."""
    n = int(round(TAU_MAX / r["dt"]))
    short = [shaping.classify(r["curve"][:n, i]) for i in range(r["curve"].shape[1])]
    S, ps = r["S"][-LAST:], r["psi"][-LAST:]
    return dict(labels=r["labels"], labels50=short, amp=float(np.max(S.max(0) - S.min(0))),
                psi1=(float(ps[:, 0].min()), float(ps[:, 0].max())), d1_end=float(r["curve"][n - 1, 0]),
                lead=max(r["that"], key=lambda z: z.real), lead_sil=max(r["silenced"], key=lambda z: z.real))


def overall(labels):
    """One phrase for the three regions' labels, in the words of the published outcome."""
    s = set(labels)
    if s == {"fixed point"}:
        return "fixed point"
    if s == {"limit cycle"}:
        return "limit cycle"
    if labels[0] == "fixed point + chaos" and set(labels[1:]) == {"fixed point"}:
        return "fixed point, chaos in region 1"
    return " / ".join(shaping.SHORT[x] for x in labels)


def fmt_labels(ls):
    return "/".join(shaping.SHORT[x] for x in ls)


def table(a, runs):
    rows = ["| T | g1 | published | mrdyn: labels, tau < 50 (Python rule) | labels, tau to 75 (`-classify`) | "
            "psi_1 over the last 50 | peak-to-peak S | D_1(tau = 50) | other S(0) ~ U[0,1) (tau < 50) |",
            "|---|---|---|---|---|---|---|---|---|"]
    for t in ("i", "ii"):
        for g1 in a.g1s:
            nm = name(t, g1)
            if nm not in runs:
                continue
            s = runs[nm]
            extra = [runs[k] for k in runs if k.startswith(nm + "-u")]
            others = {}
            for e in extra:
                key = "same" if e["labels50"] == s["labels50"] else overall(e["labels50"])
                others[key] = others.get(key, 0) + 1
            rows.append("| (%s) | %.1f | %s | %s (%s) | %s | %.3f-%.3f | %.3g | %.3f | %s |" % (
                t, g1, PUBLISHED.get((t, g1), "(not shown)"), overall(s["labels50"]), fmt_labels(s["labels50"]),
                fmt_labels(s["labels"]), s["psi1"][0], s["psi1"][1], s["amp"], s["d1_end"],
                ", ".join("%d %s" % (v, k) for k, v in sorted(others.items(), key=lambda kv: kv[0] != "same")) or "-"))
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
            if not m.group(3):
                data[f[:-3]] = r
    present = sorted({float(RUN_FILE.match(f).group(2)) for f in os.listdir(a.out) if RUN_FILE.match(f)})
    a.g1s = present
    tab = table(a, runs)
    print(tab)
    if a.table:
        with open(a.table, "w") as f:
            f.write(tab + "\n")
    fig = plt.figure(figsize=(10.5, 13.0))
    t0 = 0.0
    for half, t in enumerate(("i", "ii")):
        sub = fig.add_gridspec(4, 5, left=0.07, right=0.99, top=0.955 - half * 0.5, bottom=0.545 - half * 0.5,
                               width_ratios=[1.5, 1, 1, 1, 1], hspace=0.55, wspace=0.3)
        shown = [g for g in SHOWN[t] if name(t, g) in data] or [g for g in present if name(t, g) in data][:4]
        if not shown:
            continue
        r0 = data[name(t, shown[0])]
        t0 = r0["t0"]
        ax = fig.add_subplot(sub[0:2, 0])
        shaping.panel_spectrum(ax, r0["that"])
        ax.set_title("(a.%s) eigenvalues of $\\hat T$" % t, loc="left")
        ax = fig.add_subplot(sub[2:4, 0])
        shaping.panel_spectrum(ax, r0["silenced"])
        ax.set_title("region 1 silenced", loc="left")
        for j, g1 in enumerate(shown):
            r = data[name(t, g1)]
            tt = r["time"][-LAST:]
            ax = fig.add_subplot(sub[0, j + 1])
            for c in range(r["S"].shape[1]):
                ax.plot(tt - tt[0], r["S"][-LAST:, c], color=plt.cm.tab10(c // 3), alpha=0.4 + 0.3 * (c % 3))
            ax.set_xlim(0, tt[-1] - tt[0])
            ax.set_ylim(-1.5, 1.5)
            ax.set_xlabel("$t$ (last 50)", labelpad=0)
            ax.set_title("$g_1 = %.1f$\n%s" % (g1, overall(runs[name(t, g1)]["labels50"])), fontsize=7)
            if j == 0:
                ax.set_ylabel("$S^{\\mu\\nu}(t)$")
                ax.text(-0.5, 1.25, "(b.%s)" % t, transform=ax.transAxes, fontsize=9)
            shaping.panel_delta(fig.add_subplot(sub[1, j + 1]), r["curve"], r["dt"], TAU_MAX, j == 0)
            shaping.panel_psi(fig.add_subplot(sub[2, j + 1]), tt, r["psi"][-LAST:], j == 0)
            shaping.panel_dynamic(fig.add_subplot(sub[3, j + 1]), r["dyn"], j == 0)
        fig.text(0.005, 0.97 - half * 0.5, "T(%s): seed %d" % (t, SEEDS[t]), fontsize=10, weight="bold")
    fig.text(0.01, 0.003, "rows: (b) currents over the last 50, (c) normalised two-point function from $t_0$ = %g, (d) gains, "
             "(e) eigenvalues of $\\hat T\\psi(t)$ every 20th step of the last 1000;\n"
             "region 1 blue, 2 orange, 3 green; titles: labels of the published rule over $\\tau$ < 50" % t0, fontsize=7)
    fig.savefig(a.o, dpi=a.dpi)
    print("fig6.py: wrote %s" % a.o)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sp = ap.add_subparsers(dest="cmd", required=True)
    p = sp.add_parser("prepare")
    p.add_argument("out")
    p.add_argument("--g1", default="", help="comma-separated g1 values (default: 0.3, 0.6, ..., 3.0)")
    p.add_argument("--draws", type=int, default=0, help="extra runs per point from S(0) ~ U[0,1) drawn by mrdyn")
    p.set_defaults(fn=prepare)
    p = sp.add_parser("plot")
    p.add_argument("out")
    p.add_argument("-o", default="fig6.png")
    p.add_argument("--table", default="")
    p.add_argument("--dpi", type=int, default=130)
    p.set_defaults(fn=plot)
    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
