#!/usr/bin/python3
"""The paper's Fig. 4: disorder in one region suppresses its currents.

usage: fig4.py DIR [-o PNG] [--json FILE] [--also DIR2=LABEL ...]

Reads (jobs/paper/fig4.sh writes them):
  DIR/fig4a.h5        mrdyn dmft -mode stationary -g_scan ...: panel a (sqrt(A) against g,
                      b = 1.5, 2, 2.5) and the Delta(tau) curves of the stationary ODE (panel b)
  DIR/fig4b-dmft.h5   mrdyn dmft two-point run, b = 2.5 at g = 1.5, 2.25, 2.6: /delta (panel b, dots)
  DIR/N*/set*-run*.h5 and DIR/theory-set*.h5: the network panels (as Fig. 3) at every N
Draws panel a, panel b, panel c (network error against N; --also adds the runs of
other directories, e.g. sparse disorder, as more series), and the network
columns of the largest N of DIR; prints and writes (--json) the numbers.
"""
import argparse
import json
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fig3  # noqa: E402

B_VALUES = (1.5, 2.0, 2.5)
G_B = (1.5, 2.25, 2.6)  # panel b, b = 2.5
LABELS = ("chaos suppressed", "chaos w/ structure", "chaos")


def read_theory(d):
    with h5py.File(os.path.join(d, "fig4a.h5"), "r") as f:
        st = {k: f["stationary_theory/" + k][:] for k in f["stationary_theory"]}
    return st


def read_dmft(d):
    p = os.path.join(d, "fig4b-dmft.h5")
    if not os.path.exists(p):
        return None
    with h5py.File(p, "r") as f:
        return {"delta": f["delta"][:, 0, :], "lags": f["delta_lags"][:], "ref": f["delta_times"][0],
                "dt": float(f.attrs["dt"]), "g": f.attrs["g"][:] if "g" in f.attrs else None}


def panel_a(ax, st):
    g = st["g"][:, 0]
    for r, b in enumerate(B_VALUES):
        A, Afp, br = st["A"][:, r], st["A_fp"][:, r], st["branch"][:, r]
        gtr, gon = st["transition_g"][r], st["onset_g"][r]
        sa = np.sqrt(np.maximum(A, 0))
        stat = br == 0
        ax.plot(g[stat], sa[stat], color="red", lw=1.2)
        ch = np.where(~stat)[0]
        if len(ch):
            k0 = max(ch[0] - 1, 0)  # join the two branches
            ax.plot(g[k0:], sa[k0:], color="blue", lw=1.2)
        cont = (g >= gon) & (Afp >= 0)
        ax.plot(g[cont], np.sqrt(Afp[cont]), color="blue", ls="--", lw=1)
        if np.isfinite(gtr):
            i = np.argmin(abs(g - gtr))
            ax.scatter(g[i], sa[i], color="black", s=8, zorder=10)
        ax.text(0.03, sa[0] + 0.02, "$b=%g$" % b, fontsize=7, va="bottom")
        if r == len(B_VALUES) - 1:
            for k, (gv, lab) in enumerate(zip(G_B, LABELS)):
                i = np.argmin(abs(g - gv))
                y = 0.05 + sa[i]
                c = ("red", "blue", "black")[k]
                ax.scatter(g[i], y, marker="X", s=20, color=c, zorder=11)
                ax.text(g[i] + 0.03, y + 0.03, lab, color=c, fontsize=6)
    ax.set_xlim(0, 3)
    ax.set_ylim(0, 2)
    ax.set_xlabel("$g$")
    ax.set_ylabel("$\\sqrt{A^\\mu}$")
    ax.set_title("a  stationary theory, R = 1, c = b", fontsize=8, loc="left")


def panel_b(ax, st, dm):
    tau = st["tau"]
    r = len(B_VALUES) - 1  # the b = 2.5 region
    for k in range(st["delta_tau"].shape[0]):
        c = ("red", "blue", "black")[k]
        ax.plot(tau, st["delta_tau"][k, r], color=c, lw=1.2, label="g = %g" % st["delta_tau_g"][k, r])
        if dm is not None and k < dm["delta"].shape[0]:
            step = max(1, int(round(1.0 / (dm["lags"][1] - dm["lags"][0]))))
            ax.plot(dm["lags"][::step], dm["delta"][k, ::step], "o", ms=2.2, mfc="none", color=c)
    ax.set_xlim(0, tau[-1])
    ax.set_ylim(0, 4.5)
    ax.set_xlabel("$\\tau$")
    ax.set_ylabel("$\\Delta^\\mu(\\tau)$")
    ax.legend(fontsize=6, frameon=False, title="line: stationary ODE\ndots: dmft two-point" if dm is not None else None, title_fontsize=6)
    ax.set_title("b  b = 2.5", fontsize=8, loc="left")


def scaling(d):
    """{set: [(N, mean |error| vs the stationary theory of the last-quarter average, of the end value,
    runs, mean |error| of the end value vs the two-point DMFT at the same time)]} over regions and runs."""
    files = fig3.run_files(d)
    out = {}
    for (N, s), fl in sorted(files.items()):
        th, _ = fig3.theory_sqrtA(d, s)
        with h5py.File(fl[0], "r") as f:
            tf = float(f["time"][-1])
        avg = fig3.network_sqrtA(fl, tavg=tf / 4)
        end = fig3.network_sqrtA(fl)
        mfs = [fig3.dmft_file(p) for p in fl]
        emf = float(np.abs(end - fig3.network_sqrtA(mfs)).mean()) if all(mfs) else float("nan")
        out.setdefault(s, []).append((N, float(np.abs(avg - th).mean()), float(np.abs(end - th).mean()), len(fl), emf))
    return out


def panel_c(ax, series):
    """series: [(label, marker, scaling dict)]."""
    allN, first = [], None
    for label, marker, sc in series:
        for s, rows in sorted(sc.items()):
            rows = sorted(rows)
            N = np.array([r[0] for r in rows])
            allN += list(N)
            ax.loglog(N, [r[1] for r in rows], marker + "-", ms=3, lw=1, color="C%d" % (s - 1), mfc="none" if marker != "o" else None,
                      label="set %d%s" % (s, label))
        if first is None and sc:
            first = sc
        byN = {}
        for rows in sc.values():
            for r in rows:
                byN.setdefault(r[0], []).append(r[4])
        Ns = sorted(byN)
        if Ns and np.all(np.isfinite([np.mean(byN[n]) for n in Ns])):
            ax.loglog(Ns, [np.mean(byN[n]) for n in Ns], marker + ":", ms=3, lw=1, color="black", mfc="none",
                      label="all sets vs DMFT(t)%s" % label)
    if allN:
        N = np.array(sorted(set(allN)), dtype=float)
        N0 = min(r[0] for rows in first.values() for r in rows)
        ref = np.mean([r[1] for rows in first.values() for r in rows if r[0] == N0])
        ax.loglog(N, ref * np.sqrt(N0 / N), "k--", lw=0.8, label="$\\propto 1/\\sqrt{N}$")
        ax.set_xticks(N)
        ax.set_xticklabels(["%d" % n for n in N], rotation=45)
    ax.set_xlabel("N per region")
    ax.set_ylabel("mean |error| of $\\sqrt{A^\\mu}$")
    from matplotlib.ticker import NullFormatter, ScalarFormatter
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_formatter(ScalarFormatter())
    ax.yaxis.set_minor_formatter(ScalarFormatter())
    ax.tick_params(which="both", labelsize=6)
    ax.legend(fontsize=5, frameon=False, ncol=1 if len(series) == 1 else 2, columnspacing=0.8)
    ax.set_title("c  network vs stationary theory (lines)\n    and vs DMFT at the same t (dotted)", fontsize=7, loc="left")


def numbers(d, st, dm):
    out = {"panel_a": {}, "panel_b": {}}
    g = st["g"][:, 0]
    for r, b in enumerate(B_VALUES):
        row = {"Delta0": float(st["Delta0_structure"][r]), "onset_g": float(st["onset_g"][r]),
               "end_g": float(st["end_g"][r]), "transition_g_grid": float(st["transition_g"][r]),
               "sqrtA_at": {}}
        for gv in (0.0, 1.0, 1.5, 2.0, 2.25, 2.5, 3.0):
            i = np.argmin(abs(g - gv))
            row["sqrtA_at"]["%g" % gv] = float(np.sqrt(max(st["A"][i, r], 0)))
        out["panel_a"]["b=%g" % b] = row
    r = len(B_VALUES) - 1
    for k in range(st["delta_tau"].shape[0]):
        e = {"g": float(st["delta_tau_g"][k, r]), "Delta(0)": float(st["delta_tau"][k, r, 0]),
             "Delta(tau_max)": float(st["delta_tau"][k, r, -1]), "Delta_inf": float(st["delta_tau_Delta_inf"][k, r]),
             "A": float(st["delta_tau_A"][k, r])}
        if dm is not None:
            th = np.interp(dm["lags"], st["tau"], st["delta_tau"][k, r])
            e["dmft_Delta(0)"] = float(dm["delta"][k, 0])
            e["dmft_Delta(last lag)"] = float(dm["delta"][k, -1])
            e["dmft_max_abs_diff"] = float(np.abs(dm["delta"][k] - th).max())
            e["dmft_dt"] = dm["dt"]
        out["panel_b"]["g=%g" % e["g"]] = e
    out["network"] = fig3.numbers(d, 4)
    out["scaling"] = {str(s): rows for s, rows in scaling(d).items()}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("-o", default=None)
    ap.add_argument("--json", default=None)
    ap.add_argument("--also", action="append", default=[], metavar="DIR=LABEL", help="more network runs for panel c")
    ap.add_argument("--label", default="", help="label of DIR's runs in panel c (e.g. the disorder)")
    a = ap.parse_args()
    also = [x.split("=", 1) if "=" in x else (x, os.path.basename(x)) for x in a.also]
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    d = a.dir
    st, dm = read_theory(d), read_dmft(d)
    files = fig3.run_files(d)
    fig = plt.figure(figsize=(10, 11.5))
    outer = fig.add_gridspec(2, 1, height_ratios=[1, 3.3], hspace=0.2, left=0.07, right=0.97, top=0.92, bottom=0.04)
    top = outer[0].subgridspec(1, 3, wspace=0.35)
    panel_a(fig.add_subplot(top[0]), st)
    panel_b(fig.add_subplot(top[1]), st, dm)
    panel_c(fig.add_subplot(top[2]), [((", " + a.label) if a.label else "", "o", scaling(d))] + [(", " + lab, "s", scaling(dd)) for dd, lab in also])
    if files:
        N = max(n for n, _ in files)
        sets = sorted({s for n, s in files if n == N})
        cols = outer[1].subgridspec(1, len(sets), wspace=0.3)
        for k, s in enumerate(sets):
            th, _ = fig3.theory_sqrtA(d, s)
            fig3.draw_column(fig, cols[k], d, N, s, 4, th, k == 0)
    fig.suptitle("Fig. 4: disorder in one region suppresses its currents\nbelow: the network, N = %d per region: x traces, currents into each region (dashed: two-point DMFT), S at t = 50, "
                 "$\\sqrt{A^\\mu}$ of every run (red) and the stationary theory (blue)" % (max(n for n, _ in files) if files else 0), fontsize=8)
    png = a.o or os.path.join(d, "fig4.png")
    fig.savefig(png, dpi=150)
    plt.close(fig)
    num = numbers(d, st, dm)
    for dd, lab in also:
        num["also: " + lab] = {"network": fig3.numbers(dd, 4), "scaling": {str(s): rows for s, rows in scaling(dd).items()}}
    if a.json:
        with open(a.json, "w") as f:
            json.dump(num, f, indent=1)
    for b, row in num["panel_a"].items():
        print("panel a %s: Delta0 %.5f onset g %.5f end g %.5f transition g (grid) %.3f; sqrt(A) at g = 1.5, 2, 2.25: %.4f %.4f %.4f" % (
            b, row["Delta0"], row["onset_g"], row["end_g"], row["transition_g_grid"], row["sqrtA_at"]["1.5"], row["sqrtA_at"]["2"], row["sqrtA_at"]["2.25"]))
    for k, e in num["panel_b"].items():
        s = "panel b %s: Delta %.4f -> %.4f (Delta_inf %.4f)" % (k, e["Delta(0)"], e["Delta(tau_max)"], e["Delta_inf"])
        if "dmft_max_abs_diff" in e:
            s += "; dmft two-point (dt %g) %.4f -> %.4f, max |diff| %.4f" % (e["dmft_dt"], e["dmft_Delta(0)"], e["dmft_Delta(last lag)"], e["dmft_max_abs_diff"])
        print(s)
    for N, per in [(N, per) for key in ["network"] + ["also: " + lab for _, lab in also] for N, per in (num[key] if key == "network" else num[key]["network"])["N"].items()]:
        for s, v in per.items():
            print("N = %s set %s (%d runs, t = %g): theory %s; network (last-quarter mean, run 1) %s; mean |error| %.4f" % (
                N, s, v["runs"], v["t_final"], " ".join("%.3f" % x for x in v["theory_sqrtA"]),
                " ".join("%.3f" % x for x in v["network_sqrtA_mean_last_quarter"][0]), v["mean_abs_error_avg"]))
    print("wrote %s" % png)


if __name__ == "__main__":
    main()
