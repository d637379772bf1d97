#!/usr/bin/python3
"""Phase diagram of a sweep (the paper's Fig. 5): the dynamics class of every
member over two swept parameters, pooled over the others (e.g. the random T
drawn per grid point).

usage: tools/plot_sweep.py SUMMARY.h5 [-x w_re] [-y w_im] [-o PREFIX]
writes PREFIX-classes.png (fraction of each class per grid point, and the most
frequent class) and PREFIX-entropy.png (Shannon entropy of the class
distribution per grid point, in bits: 0 where every draw agrees)."""
import argparse
import sys

import h5py
import numpy as np
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

CLASSES = ["fixed point", "limit cycle", "chaos", "mixed", "undetermined"]
CODES = [0, 1, 2, 3, 6]  # class_code of each (4 failed and 5 missing are not drawn)
COLOURS = np.array([[0.20, 0.40, 0.80], [0.95, 0.60, 0.10], [0.80, 0.15, 0.20], [0.45, 0.70, 0.35], [0.55, 0.55, 0.55]])


def grid(summary, x, y):
    with h5py.File(summary, "r") as f:
        m = f["members"][:]
    names = m.dtype.names
    for p in (x, y):
        if p not in names:
            sys.exit("plot_sweep: %s has no column %s (columns: %s)" % (summary, p, ", ".join(names)))
    done = m[m["status"] == b"done"]
    xs, ys = np.unique(done[x]), np.unique(done[y])
    frac = np.zeros((len(ys), len(xs), len(CLASSES)))
    count = np.zeros((len(ys), len(xs)))
    for row in done:
        i, j = np.searchsorted(ys, row[y]), np.searchsorted(xs, row[x])
        code = int(row["class_code"])
        if code in CODES:
            frac[i, j, CODES.index(code)] += 1
        count[i, j] += 1
    frac /= np.maximum(count, 1)[..., None]
    return xs, ys, frac, count, len(m) - len(done)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("summary")
    ap.add_argument("-x", default="w_re")
    ap.add_argument("-y", default="w_im")
    ap.add_argument("-o", default="sweep", help="prefix of the PNG files")
    a = ap.parse_args()
    xs, ys, frac, count, notdone = grid(a.summary, a.x, a.y)
    ext = [xs[0], xs[-1], ys[0], ys[-1]] if len(xs) > 1 and len(ys) > 1 else None
    kw = dict(origin="lower", aspect="auto", extent=ext, interpolation="nearest")

    fig, ax = plt.subplots(1, 6, figsize=(22, 3.8), constrained_layout=True)
    for k, name in enumerate(CLASSES):
        im = ax[k].imshow(frac[..., k], vmin=0, vmax=1, cmap="viridis", **kw)
        ax[k].set_title("fraction: %s" % name)
    fig.colorbar(im, ax=ax[4], shrink=0.8)
    rgb = np.tensordot(frac, COLOURS, axes=([2], [0])) + (1 - frac.sum(-1))[..., None]  # white where nothing is done
    ax[5].imshow(np.clip(rgb, 0, 1), **kw)
    ax[5].set_title("classes mixed by fraction")
    handles = [matplotlib.patches.Patch(color=COLOURS[k], label=CLASSES[k]) for k in range(len(CLASSES))]
    ax[5].legend(handles=handles, fontsize=7, loc="upper left")
    for axis in ax:
        axis.set_xlabel(a.x)
        axis.set_ylabel(a.y)
    fig.suptitle("%s: %d grid points, %d members per point%s" % (a.summary, frac.shape[0] * frac.shape[1], int(count.max()),
                                                                 (", %d not done" % notdone) if notdone else ""), fontsize=9)
    fig.savefig(a.o + "-classes.png", dpi=110)

    p = frac[..., :len(CLASSES)]
    with np.errstate(divide="ignore", invalid="ignore"):
        ent = -np.nansum(np.where(p > 0, p * np.log2(p), 0.0), axis=-1)
    fig, ax = plt.subplots(figsize=(5.2, 4.2), constrained_layout=True)
    im = ax.imshow(ent, cmap="magma", vmin=0, vmax=np.log2(len(CLASSES)), **kw)
    fig.colorbar(im, ax=ax, label="entropy of the class (bits)")
    ax.set_xlabel(a.x)
    ax.set_ylabel(a.y)
    ax.set_title("class entropy over the draws per point", fontsize=9)
    fig.savefig(a.o + "-entropy.png", dpi=110)
    print("wrote %s-classes.png and %s-entropy.png (%d x %d grid, up to %d members per point)" % (a.o, a.o, len(xs), len(ys), int(count.max())))


if __name__ == "__main__":
    main()
