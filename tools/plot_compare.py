#!/usr/bin/python3
"""Draws theory over simulation: the currents, the variance per region, and the
normalised autocovariance (when both files hold /delta at a common reference time).

Theory: thick translucent lines; simulation: thin lines in the same colour. With
`simulate -trials K` output every trial is drawn: solid where the trial starts
from the theory's initial currents (the theory follows that trajectory), dotted
where it starts elsewhere (trial q draws its state from -init_seed + q).

usage: /usr/bin/python3 tools/plot_compare.py SIM.h5 THEORY.h5 OUT.png [--print-info]
"""
import argparse
import sys

import h5py
import numpy as np
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

MAX_CHANNELS = 12


def with_trials(f, name):
    """(nt, K, n) whatever the file: a trial axis of length 1 where there is none."""
    x = f[name][:]
    return x[:, None, :] if x.ndim == 2 else x


def delta_with_trials(f):
    """/delta as (R, K, nref, nlag), and the reference times."""
    x = f["delta"][:]
    if x.ndim == 3:
        x = x[:, None]
    return x, f["delta_times"][:]


def read(path, what):
    f = h5py.File(path, "r")
    for k in ("time", "currents", "variance", "channel/target", "channel/source"):
        if k not in f:
            sys.exit("plot_compare: the %s file %s has no /%s" % (what, path, k))
    return f


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sim")
    ap.add_argument("theory")
    ap.add_argument("png")
    ap.add_argument("--print-info", action="store_true")
    a = ap.parse_args()
    fs, ft = read(a.sim, "simulation"), read(a.theory, "theory")
    tgt, src = fs["channel/target"][:], fs["channel/source"][:]
    if not (np.array_equal(tgt, ft["channel/target"][:]) and np.array_equal(src, ft["channel/source"][:])):
        sys.exit("plot_compare: %s and %s have different channel maps: not the same model" % (a.sim, a.theory))
    ts, tt = fs["time"][:], ft["time"][:]
    Ss, St = with_trials(fs, "currents"), with_trials(ft, "currents")
    Vs, Vt = with_trials(fs, "variance"), with_trials(ft, "variance")
    K, C, R = Ss.shape[1], Ss.shape[2], Vs.shape[2]
    # the trials that start from the theory's initial currents
    s0 = St[0, 0]
    match = [q for q in range(K) if np.allclose(Ss[0, q], s0, rtol=1e-9, atol=1e-12)]
    style = lambda q: "-" if (q in match or K == 1) else ":"  # noqa: E731

    acov = "delta" in fs and "delta" in ft
    if acov:
        Ds, rs = delta_with_trials(fs)
        Dt, rt = delta_with_trials(ft)
        dt = float(fs.attrs.get("dt", 0.05))
        common = [(i, j) for j, x in enumerate(rt) for i, y in enumerate(rs) if abs(x - y) < 0.5 * dt]
        acov = bool(common)
    fig, ax = plt.subplots(3 if acov else 2, 1, figsize=(8, 10 if acov else 7))
    for c in range(min(C, MAX_CHANNELS)):
        line, = ax[0].plot(tt, St[:, 0, c], lw=2.5, alpha=0.45)
        for q in range(K):
            ax[0].plot(ts, Ss[:, q, c], lw=0.8, ls=style(q), color=line.get_color(), label="S[%d<-%d]" % (tgt[c], src[c]) if q == 0 else None)
    ax[0].set_ylabel("currents (thick: theory)")
    ax[0].legend(ncol=4, fontsize=7)
    for r in range(R):
        line, = ax[1].plot(tt, Vt[:, 0, r], lw=2.5, alpha=0.45)
        for q in range(K):
            ax[1].plot(ts, Vs[:, q, r], lw=0.8, ls=style(q), color=line.get_color(), label="region %d" % r if q == 0 else None)
    ax[1].set_ylabel("variance (thick: theory)")
    ax[1].set_xlabel("time (tau)")
    ax[1].legend(fontsize=7)
    if acov:
        i, j = common[0]
        ls_, lt = fs["delta_lags"][:], ft["delta_lags"][:]
        for r in range(R):
            yb = Dt[r, 0, j]
            line, = ax[2].plot(lt, yb / yb[0], lw=2.5, alpha=0.45)
            for q in range(K):
                ya = Ds[r, q, i]
                ax[2].plot(ls_, ya / ya[0], lw=0.8, ls=style(q), color=line.get_color(), label="region %d" % r if q == 0 else None)
        ax[2].set_xlabel("lag (tau)")
        ax[2].set_ylabel("Delta(t, t+lag) / Delta(t, t) at t = %g" % rs[i])
        ax[2].legend(fontsize=7)
    if K > 1:
        head = "%d trials: solid %s (from the theory's initial currents), dotted the others" % (
            K, "trial " + ",".join(map(str, match)) if match else "none")
    else:
        head = "" if match else "the simulation starts from other initial currents than the theory"
    fig.suptitle("%s vs %s%s" % (a.sim, a.theory, ("\n" + head) if head else ""), fontsize=9)
    fig.tight_layout()
    fig.savefig(a.png, dpi=110)
    if a.print_info:
        print("trials: %d, matching the theory's initial currents: %s" % (K, match))
        for k, axis in enumerate(ax):
            leg = axis.get_legend()
            print("panel %d: ylabel=%r legend=%r" % (k, axis.get_ylabel(), [x.get_text() for x in leg.get_texts()] if leg else []))
    print("wrote %s" % a.png)


if __name__ == "__main__":
    main()
