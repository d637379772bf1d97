#!/usr/bin/python3
"""Draws a run (or mean-field) file: currents per channel, variance and psi per region.

usage: /usr/bin/python3 tools/plot_run.py RUN.h5 OUT.png
"""
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with h5py.File(sys.argv[1], "r") as f:
        t = f["time"][:]
        S = f["currents"][:]
        tgt, src = f["channel/target"][:], f["channel/source"][:]
        var, psi = f["variance"][:], f["psi"][:]
    fig, ax = plt.subplots(3, 1, figsize=(8, 9), sharex=True)
    for c in range(min(S.shape[1], 40)):
        ax[0].plot(t, S[:, c], lw=1, label="S[%d<-%d]" % (tgt[c], src[c]))
    ax[0].set_ylabel("currents S")
    if S.shape[1] <= 16:
        ax[0].legend(ncol=4, fontsize=7)
    for r in range(var.shape[1]):
        ax[1].plot(t, var[:, r], label="region %d" % r)
        ax[2].plot(t, psi[:, r])
    ax[1].set_ylabel("variance of x")
    ax[1].legend(fontsize=7)
    ax[2].set_ylabel("psi = <phi'(x)>")
    ax[2].set_xlabel("time (tau)")
    fig.suptitle(sys.argv[1])
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()
