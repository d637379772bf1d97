"""The paper's Fig. 5 from a `mrdyn sweep jobs/paper/fig5.yaml` summary.

    /usr/bin/python3 tools/paper/fig5.py examples SUMMARY.h5         # prints the example members to rerun
    /usr/bin/python3 tools/paper/fig5.py plot SUMMARY.h5 -o fig5.png [--runs DIR] [--table table.md]

The layout of the published figure: the most frequent label per grid point in the
published categorical colours (matplotlib's Accent, ordered as the authors' notebook
orders it), the entropy of the label distribution in bits (0 .. log2 5), the circle
|w| = 1.5 (dashed), and five examples (currents for t <= 50, each region's normalised
two-point function for tau <= 50) at the published example points, each a member whose
two regions carry the point's published label. --runs DIR holds the example runs
(`ex<k>.h5`, written by jobs/paper/fig5.sh from the `examples` listing)."""
import argparse
import os
import sys

import h5py
import numpy as np

LABELS = ["invalid", "chaos", "fixed point + chaos", "fixed point", "limit cycle + chaos", "limit cycle"]
SHORT = ["invalid", "chaos", "FP+\nchaos", "FP", "LC+\nchaos", "LC"]
# the published example points and their labels (paper-figures.md, Fig. 5)
EXAMPLES = [((1.25, 0.6), 1), ((1.575, 0.025), 2), ((2.3, 0.1), 3), ((1.6, 1.1), 4), ((2.1, 0.5), 5)]


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def load(summary):
    with h5py.File(summary, "r") as f:
        grid = f["grid"][:]
        members = f["members"][:]
        yaml = text(f.attrs.get("sweep_yaml", ""))
    wre = np.unique(grid["w_re"])
    wim = np.unique(grid["w_im"])
    mode = np.full((len(wre), len(wim)), -1)
    ent = np.full((len(wre), len(wim)), np.nan)
    counts = np.zeros((len(wre), len(wim), len(LABELS)), int)
    names = [n for n in grid.dtype.names if n.startswith("n_")]
    for row in grid:
        i, j = np.searchsorted(wre, row["w_re"]), np.searchsorted(wim, row["w_im"])
        mode[i, j] = row["mode_code"]
        ent[i, j] = row["entropy_bits"]
        counts[i, j] = [row[n] for n in names]
    return wre, wim, mode, ent, counts, members, yaml


def example_members(wre, wim, members):
    """Per example point: the nearest grid point and the first member (lowest seed)
    whose two regions both carry the published label, as the authors' notebook picks them."""
    out = []
    for (x, y), code in EXAMPLES:
        gx, gy = wre[np.argmin((wre - x) ** 2)], wim[np.argmin((wim - y) ** 2)]
        sel = members[(members["w_re"] == gx) & (members["w_im"] == gy) & (members["label_code_0"] == code) & (members["label_code_1"] == code)]
        sel = sel[np.argsort(sel["model_seed"])]
        out.append((gx, gy, code, int(sel["model_seed"][0]) if len(sel) else None, int(sel["member"][0]) if len(sel) else None))
    return out


def cmap5():
    import matplotlib
    import matplotlib.pyplot as plt
    colors = list(plt.cm.Accent(range(0, 5)))[::-1]
    colors[1], colors[4] = colors[4], colors[1]
    return matplotlib.colors.LinearSegmentedColormap.from_list(None, colors, 5)


def table(wre, wim, mode, ent, counts):
    rows = ["| point (Re, Im) | grid point | published label | mrdyn's most frequent label | counts (chaos, FP+chaos, FP, LC+chaos, LC, invalid) of 2 x members | entropy (bits) |",
            "|---|---|---|---|---|---|"]
    for (x, y), code in EXAMPLES:
        i, j = np.argmin((wre - x) ** 2), np.argmin((wim - y) ** 2)
        c = counts[i, j]
        rows.append("| (%.3g, %.3g) | (%.4f, %.4f) | %s | %s | %d, %d, %d, %d, %d, %d | %.2f |" % (x, y, wre[i], wim[j], LABELS[code], LABELS[mode[i, j]] if mode[i, j] >= 0 else "-", c[1], c[2], c[3], c[4], c[5], c[0], ent[i, j]))
    # the onset of non-chaotic labels along the real axis (published: where Re(w) psi(Delta_0) = 1, Re = 1.522)
    row0 = mode[:, 0]
    onset = next((wre[i] for i in range(len(wre)) if row0[i] not in (1, -1)), np.nan)
    rows.append("")
    rows.append("First grid point along Im = 0 whose most frequent label is not chaos: Re = %.4f (published transition: Re = 1.522)." % onset)
    return "\n".join(rows) + "\n"


def plot(args):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    wre, wim, mode, ent, counts, members, _ = load(args.summary)
    fig = plt.figure(figsize=(14, 4.2), dpi=120)
    ax1 = fig.add_axes((0.05, 0.13, 0.2, 0.66))
    ax2 = fig.add_axes((0.27, 0.13, 0.2, 0.66))
    c1 = fig.add_axes((0.05, 0.83, 0.2, 0.03))
    c2 = fig.add_axes((0.27, 0.83, 0.2, 0.03))
    dx = (wre[1] - wre[0]) / 2 if len(wre) > 1 else 0.05
    dy = (wim[1] - wim[0]) / 2 if len(wim) > 1 else 0.05
    ext = [wre[0] - dx, wre[-1] + dx, wim[0] - dy, wim[-1] + dy]
    shown = np.where(mode >= 1, mode, np.nan)  # invalid (0) and missing points stay white
    im = ax1.imshow(shown.T, origin="lower", extent=ext, cmap=cmap5(), vmin=0.5, vmax=5.5, interpolation="nearest", aspect="auto")
    cb = plt.colorbar(im, cax=c1, orientation="horizontal", ticks=[1, 2, 3, 4, 5])
    c1.set_xticklabels(SHORT[1:], fontsize=7)
    c1.tick_params(top=True, labeltop=True, bottom=False, labelbottom=False, pad=0)
    im2 = ax2.imshow(ent.T, origin="lower", extent=ext, cmap="jet", vmin=0, vmax=np.log2(5), interpolation="nearest", aspect="auto")
    plt.colorbar(im2, cax=c2, orientation="horizontal", ticks=[0, np.log2(5)])
    c2.set_xticklabels(["0", "$\\log_2 5$"], fontsize=7)
    c2.tick_params(top=True, labeltop=True, bottom=False, labelbottom=False, pad=0)
    c2.set_title("solution entropy (bits)", fontsize=8, pad=12)
    xx = np.linspace(1.0, 1.5, 400)
    for ax in (ax1, ax2):
        ax.plot(xx, np.sqrt(np.maximum(1.5 ** 2 - xx ** 2, 0)), "k--", lw=0.8)
        ax.set_xlabel("Re $\\lambda$")
        ax.set_xlim(ext[0], ext[1])
        ax.set_ylim(ext[2], ext[3])
    ax1.set_ylabel("Im $\\lambda$")
    ax2.set_yticklabels([])
    for k, ((x, y), code) in enumerate(EXAMPLES):
        ax1.scatter([x], [y], color="black", s=6, lw=0)
        ax1.annotate(str(k + 1), (x, y), fontsize=8)
    ex = example_members(wre, wim, members)
    w = 0.09
    for k, (gx, gy, code, mseed, member) in enumerate(ex):
        x0 = 0.52 + k * (w + 0.008)
        au = fig.add_axes((x0, 0.5, w, 0.33))
        al = fig.add_axes((x0, 0.13, w, 0.28))
        au.set_title("%d. %s" % (k + 1, SHORT[code].replace("\n", " ")), fontsize=8)
        run = os.path.join(args.runs, "ex%d.h5" % (k + 1)) if args.runs else None
        if run and os.path.exists(run):
            with h5py.File(run, "r") as f:
                t = f["time"][:]
                S = f["currents"][:]
                cur = f["classification/curve"][:]
                dt = float(f.attrs["dt"])
            keep = t <= 50 + 1e-9
            au.plot(t[keep], S[keep], lw=0.8)
            tau = np.arange(cur.shape[0]) * dt
            kl = tau <= 50 + 1e-9
            al.plot(tau[kl], cur[kl, 1], color="0.6", lw=0.8)
            al.plot(tau[kl], cur[kl, 0], color="black", lw=0.8)
            au.text(0.02, 0.02, "T seed %s" % mseed, transform=au.transAxes, fontsize=6)
        else:
            au.text(0.5, 0.5, "no run", ha="center", transform=au.transAxes, fontsize=7)
        au.set_ylim(-2, 2)
        au.axhline(0, ls="--", c="k", lw=0.5)
        au.set_xlim(0, 50)
        au.set_xlabel("t", fontsize=7, labelpad=0)
        al.set_ylim(-1, 1.05)
        al.set_xlim(0, 50)
        al.axhline(0, ls="--", c="k", lw=0.5)
        al.axhline(1, ls="--", c="k", lw=0.5)
        al.set_xlabel("$\\tau$", fontsize=7, labelpad=0)
        for a in (au, al):
            a.tick_params(labelsize=6)
            if k:
                a.set_yticklabels([])
        if not k:
            au.set_ylabel("$S^{\\mu\\nu}(t)$", fontsize=8)
            al.set_ylabel("$\\hat\\Delta^{\\mu}(\\tau)$", fontsize=8)
    fig.savefig(args.o)
    t = table(wre, wim, mode, ent, counts)
    if args.table:
        with open(args.table, "w") as f:
            f.write(t)
    sys.stdout.write(t)


def examples(args):
    wre, wim, _, _, _, members, _ = load(args.summary)
    for k, (gx, gy, code, mseed, member) in enumerate(example_members(wre, wim, members)):
        # one line per example: index and the sweep member to rerun in full (or "none": no member has the label)
        print(k + 1, member if member is not None else "none")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("plot")
    a.add_argument("summary")
    a.add_argument("-o", default="fig5.png")
    a.add_argument("--runs", default=None)
    a.add_argument("--table", default=None)
    b = sub.add_parser("examples")
    b.add_argument("summary")
    args = p.parse_args()
    (plot if args.cmd == "plot" else examples)(args)


if __name__ == "__main__":
    main()
