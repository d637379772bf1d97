#!/usr/bin/python3
"""Draws a connectivity spectrum (`mrdyn spectrum`): the eigenvalues, a circle of
radius g_r per region (the bulk) and the predicted outliers (eigenvalues of That).

usage: /usr/bin/python3 tools/plot_spectrum.py SPEC.h5 OUT.png
"""
import sys

import h5py
import numpy as np
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with h5py.File(sys.argv[1], "r") as f:
        base = "spectrum/" if "spectrum/eigenvalues" in f else ""  # a run file of simulate -analysis spectrum
        e = f[base + "eigenvalues"][:]
        out = f[base + "theory/outliers"][:]
        that = f[base + "theory/that_eigenvalues"][:] if base + "theory/that_eigenvalues" in f else out
        g = f[base + "theory/bulk_radius"][:]
        seed = f.attrs.get("seed", -1)
    fig, ax = plt.subplots(figsize=(6.5, 6.5))
    ax.scatter(e[:, 0], e[:, 1], s=3, color="k", alpha=0.6, lw=0, label="eigenvalues of W (n = %d)" % len(e))
    t = np.linspace(0, 2 * np.pi, 400)
    for r, gr in enumerate(g):
        ax.plot(gr * np.cos(t), gr * np.sin(t), lw=1, label="bulk radius g_%d = %.3g" % (r, gr) if r < 8 else None)
    if len(that):
        ax.scatter(that[:, 0], that[:, 1], s=60, facecolors="none", edgecolors="tab:gray", label="eigenvalues of That")
    if len(out):
        ax.scatter(out[:, 0], out[:, 1], s=80, marker="x", color="tab:red", label="predicted outliers")
    ax.set_aspect("equal")
    ax.axhline(0, color="0.8", lw=0.5)
    ax.axvline(0, color="0.8", lw=0.5)
    ax.set_xlabel("Re")
    ax.set_ylabel("Im")
    ax.set_title("connectivity spectrum (seed %d)" % seed)
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=120)


if __name__ == "__main__":
    main()
