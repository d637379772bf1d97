#!/usr/bin/python3
"""Draws what `mrdyn model weights` found in a weight matrix and how its theory
does: the singular values of every block against the bulk edge and the chosen
rank, That's eigenvalues (fitted; with TRUTH.h5 of tools/weights_plant.py also
the realised and planted ones), and the currents and variances of the network
(simulate of the imported W) under the mean-field theory of the fitted model.

usage: /usr/bin/python3 tools/plot_weights.py MODEL.h5 RUN.h5 THEORY.h5 OUT.png [TRUTH.h5]
"""
import sys

import h5py
import numpy as np
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def that(f):
    """Eigenvalues of That from a model file (dense or channel form)."""
    if isinstance(f["T"], h5py.Dataset):
        T = f["T"][()]
        R = T.shape[0]
        H = np.zeros((R * R, R * R))
        for r in range(R):
            for s in range(R):
                H[r * R + s, s * R:(s + 1) * R] = T[r, s, :]
    else:
        C = len(f["channel/target"])
        H = np.zeros((C, C))
        H[f["T/row"][()], f["T/col"][()]] = f["T/value"][()]
    return np.linalg.eigvals(H)


def dense_that(T):
    R = T.shape[0]
    H = np.zeros((R * R, R * R))
    for r in range(R):
        for s in range(R):
            H[r * R + s, s * R:(s + 1) * R] = T[r, s, :]
    return np.linalg.eigvals(H)


def main():
    if len(sys.argv) not in (5, 6):
        sys.exit(__doc__)
    m, a, b = (h5py.File(p, "r") for p in sys.argv[1:4])
    truth = h5py.File(sys.argv[5], "r") if len(sys.argv) == 6 else None
    R = len(m["N"])
    fig = plt.figure(figsize=(13, 10))
    gs = fig.add_gridspec(3, 3)
    rank, thr = m["fit/rank"][()], m["fit/threshold"][()]
    # (a) within-region blocks: the first singular values over the bulk edge
    ax = fig.add_subplot(gs[0, 0])
    for r in range(R):
        sv = m["fit/singular_values/%d_%d" % (r, r)][()][:12]
        line, = ax.plot(np.arange(1, len(sv) + 1), sv, "o-", ms=4, lw=0.8, label="%d<-%d: rank %d" % (r, r, rank[r, r]))
        ax.axhline(thr[r, r], color=line.get_color(), lw=0.8, ls=":")
    ax.set_ylim(0, None)
    ax.set_xlabel("index k")
    ax.set_ylabel("singular value")
    ax.set_title("within regions W^{rr}; dotted: bulk edge + 3 TW", fontsize=9)
    ax.legend(fontsize=7)
    # (b) between regions: exact low rank down to rounding
    ax = fig.add_subplot(gs[0, 1])
    for r in range(R):
        for s in range(R):
            if r == s:
                continue
            sv = m["fit/singular_values/%d_%d" % (r, s)][()][:12]
            ax.semilogy(np.arange(1, len(sv) + 1), np.maximum(sv, 1e-18), ".-", ms=4, lw=0.8, label="%d<-%d: rank %d" % (r, s, rank[r, s]))
    ax.set_xlabel("index k")
    ax.set_title("between regions W^{rs}", fontsize=9)
    ax.legend(fontsize=6, ncol=2)
    # (c) That's eigenvalues
    ax = fig.add_subplot(gs[0, 2])
    ef = that(m)
    ax.plot(ef.real, ef.imag, "o", ms=9, mfc="none", label="fitted model")
    if truth is not None:
        er, ep = dense_that(truth["T_realised"][()]), dense_that(truth["T"][()])
        ax.plot(er.real, er.imag, "x", ms=8, label="realised in W")
        ax.plot(ep.real, ep.imag, "+", ms=8, label="planted")
    t = np.linspace(0, 2 * np.pi, 200)
    for r in range(R):
        ax.plot(m["g"][r] * np.cos(t), m["g"][r] * np.sin(t), lw=0.5, color="0.6")
    ax.set_aspect("equal")
    ax.set_xlabel("Re")
    ax.set_ylabel("Im")
    ax.set_title("eigenvalues of That (grey: fitted g per region)", fontsize=9)
    ax.legend(fontsize=7)
    # (d) currents, (e) variance, (f) autocovariance: network of W (thin) under the theory (thick)
    ax = fig.add_subplot(gs[1, :])
    tgt, src = a["channel/target"][()], a["channel/source"][()]
    for c in range(min(a["currents"].shape[-1], 16)):
        line, = ax.plot(b["time"][()], b["currents"][:, c], lw=2.5, alpha=0.4)
        ax.plot(a["time"][()], a["currents"][:, c], lw=0.8, color=line.get_color(), label="S[%d<-%d]" % (tgt[c], src[c]))
    ax.set_ylabel("currents")
    ax.set_title("simulation of the imported W (thin) and the mean-field theory of the fitted model (thick)", fontsize=9)
    ax.legend(ncol=8, fontsize=7)
    ax = fig.add_subplot(gs[2, 0:2])
    for r in range(R):
        line, = ax.plot(b["time"][()], b["variance"][:, r], lw=2.5, alpha=0.4)
        ax.plot(a["time"][()], a["variance"][:, r], lw=0.8, color=line.get_color(), label="region %d" % r)
    ax.set_xlabel("time")
    ax.set_ylabel("variance of x")
    ax.legend(fontsize=7)
    ax = fig.add_subplot(gs[2, 2])
    if "delta" in a and "delta" in b:
        for r in range(R):
            ya, yb = a["delta"][r, 0, :], b["delta"][r, 0, :]
            line, = ax.plot(b["delta_lags"][()], yb / yb[0], lw=2.5, alpha=0.4)
            ax.plot(a["delta_lags"][()], ya / ya[0], lw=0.8, color=line.get_color(), label="region %d" % r)
        ax.set_xlabel("lag")
        ax.set_ylabel("Delta(t, t+lag) / Delta(t, t)")
        ax.set_ylim(min(0, ax.get_ylim()[0]), 1.05)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(sys.argv[4], dpi=100)


if __name__ == "__main__":
    main()
