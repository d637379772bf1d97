#!/usr/bin/python3
"""Draws a run, mean-field or sweep-member file: the currents per channel, the
variance and psi per region. With `simulate -trials K` output every trial is a
line in the colour of its channel or region (one legend entry each); the trials
are not averaged, since trials of one network may settle on different states
(e.g. fixed points of opposite sign).

usage: /usr/bin/python3 tools/plot_run.py RUN.h5 OUT.png [--trial K] [--mean] [--print-info]
  --trial K      draw trial K only
  --mean         draw the mean over the trials as well (thick)
  --print-info   print the panels' labels and legend entries (one line each)
"""
import argparse
import sys

import h5py
import numpy as np
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

MAX_CHANNELS = 40  # channels drawn (the first ones)
MAX_LEGEND = 16


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def title_of(path, f):
    """A title that says what the file is: a sweep member by its parameters, a run
    by its verb and settings (not the member file's hash)."""
    a = f.attrs
    if "member" in a and "params" in f:
        params = ", ".join("%s=%s" % (k, text(v)) for k, v in f["params"].attrs.items())
        return "member %d: %s  (%s)" % (int(a["member"]), params, text(a.get("class", b"")))
    verb = text(a.get("verb", b"run"))
    bits = ["%s %s" % (verb, path)]
    for k in ("seed", "trials", "dt", "t_final"):
        if k in a:
            bits.append("%s=%s" % (k, text(a[k]) if isinstance(a[k], bytes) else ("%g" % a[k])))
    return ", ".join(bits)


def read(path, trial):
    """The series with a trial axis (nt, K, ...) whatever the file (K = 1 without one)."""
    with h5py.File(path, "r") as f:
        for k in ("time", "currents", "variance", "psi", "channel/target", "channel/source"):
            if k not in f:
                sys.exit("plot_run: %s has no /%s: not a run, mean-field or sweep-member file with series (a member needs keep: all)" % (path, k))
        t = f["time"][:]
        K = int(f.attrs.get("trials", 1))
        S, var, psi = f["currents"][:], f["variance"][:], f["psi"][:]
        if S.ndim == 2:  # no trial axis
            S, var, psi = S[:, None, :], var[:, None, :], psi[:, None, :]
            K = 1
        if S.shape[1] != K:
            sys.exit("plot_run: %s: /currents has %d trials, the attribute trials says %d" % (path, S.shape[1], K))
        tgt, src = f["channel/target"][:], f["channel/source"][:]
        title = title_of(path, f)
    if trial is not None:
        if not 0 <= trial < K:
            sys.exit("plot_run: --trial %d: %s has trials 0 .. %d" % (trial, path, K - 1))
        S, var, psi = S[:, [trial]], var[:, [trial]], psi[:, [trial]]
        title += " (trial %d of %d)" % (trial, K)
    elif K > 1:
        title += " (%d trials, a line each)" % K
    return t, S, var, psi, tgt, src, title


def lines(ax, t, Y, label, colour, mean=False):
    """Y (nt, K): a line per trial (and their mean, thick), one legend entry."""
    K = Y.shape[1]
    for q in range(K):
        ax.plot(t, Y[:, q], lw=1.0 if K == 1 else 0.8, alpha=1.0 if K == 1 else 0.7, color=colour, label=label if q == 0 else None)
    if mean and K > 1:
        ax.plot(t, Y.mean(axis=1), lw=2.2, color=colour)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run")
    ap.add_argument("png")
    ap.add_argument("--trial", type=int)
    ap.add_argument("--mean", action="store_true")
    ap.add_argument("--print-info", action="store_true")
    a = ap.parse_args()
    t, S, var, psi, tgt, src, title = read(a.run, a.trial)
    if a.mean and S.shape[1] > 1:
        title = title.replace("a line each)", "a line each; thick: their mean)")
    C, R = S.shape[2], var.shape[2]
    colours = plt.get_cmap("tab20" if C > 10 else "tab10")
    fig, ax = plt.subplots(3, 1, figsize=(8, 9), sharex=True)
    for c in range(min(C, MAX_CHANNELS)):
        lines(ax[0], t, S[:, :, c], "S[%d<-%d]" % (tgt[c], src[c]), colours(c % colours.N), a.mean)
    ax[0].set_ylabel("currents S")
    if C > MAX_CHANNELS:
        ax[0].set_title("the first %d of %d channels" % (MAX_CHANNELS, C), fontsize=8)
    if C <= MAX_LEGEND:
        ax[0].legend(ncol=4, fontsize=7)
    for r in range(R):
        col = plt.get_cmap("tab10")(r % 10)
        lines(ax[1], t, var[:, :, r], "region %d" % r, col, a.mean)
        lines(ax[2], t, psi[:, :, r], "region %d" % r, col, a.mean)
    ax[1].set_ylabel("variance of x")
    ax[1].legend(fontsize=7)
    ax[2].set_ylabel("psi = <phi'(x)>")
    ax[2].set_xlabel("time (tau)")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(a.png, dpi=110)
    if a.print_info:
        print("title: %s" % title)
        for k, axis in enumerate(ax):
            leg = axis.get_legend()
            entries = [x.get_text() for x in leg.get_texts()] if leg else []
            print("panel %d: ylabel=%r legend=%r" % (k, axis.get_ylabel(), entries))
    print("wrote %s" % a.png)


if __name__ == "__main__":
    main()
