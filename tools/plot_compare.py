#!/usr/bin/python3
"""Draws theory over simulation: currents, variance per region, and the normalised
autocovariance (when both files hold /delta).

usage: /usr/bin/python3 tools/plot_compare.py SIM.h5 THEORY.h5 OUT.png
"""
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
    acov = "delta" in a and "delta" in b
    fig, ax = plt.subplots(3 if acov else 2, 1, figsize=(8, 10 if acov else 7))
    tgt, src = a["channel/target"][:], a["channel/source"][:]
    for c in range(min(a["currents"].shape[1], 12)):
        line, = ax[0].plot(b["time"][:], b["currents"][:, c], lw=2, alpha=0.5)
        ax[0].plot(a["time"][:], a["currents"][:, c], lw=0.8, color=line.get_color(), label="S[%d<-%d]" % (tgt[c], src[c]))
    ax[0].set_ylabel("currents (thick: theory)")
    ax[0].legend(ncol=4, fontsize=7)
    for r in range(a["variance"].shape[1]):
        line, = ax[1].plot(b["time"][:], b["variance"][:, r], lw=2, alpha=0.5)
        ax[1].plot(a["time"][:], a["variance"][:, r], lw=0.8, color=line.get_color(), label="region %d" % r)
    ax[1].set_ylabel("variance (thick: theory)")
    ax[1].set_xlabel("time")
    ax[1].legend(fontsize=7)
    if acov:
        for r in range(a["delta"].shape[0]):
            ya, yb = a["delta"][r, 0, :], b["delta"][r, 0, :]
            line, = ax[2].plot(b["delta_lags"][:], yb / yb[0], lw=2, alpha=0.5)
            ax[2].plot(a["delta_lags"][:], ya / ya[0], lw=0.8, color=line.get_color(), label="region %d" % r)
        ax[2].set_xlabel("lag")
        ax[2].set_ylabel("Delta(t, t+lag) / Delta(t, t)")
        ax[2].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(sys.argv[3], dpi=110)


if __name__ == "__main__":
    main()
