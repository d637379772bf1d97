#!/usr/bin/python3
"""Plots a scaling study (jobs/scaling.sbatch writes scaling.csv): time per step
and parallel efficiency for weak scaling in R and strong scaling in P, and the
exchange bytes per step against the edge cut.

usage: tools/plot_scaling.py scaling.csv [-o scaling.png]"""
import argparse
import csv

import numpy as np
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("csv")
    ap.add_argument("-o", default="scaling.png")
    a = ap.parse_args()
    rows = list(csv.DictReader(open(a.csv)))
    fig, ax = plt.subplots(1, 3, figsize=(14, 4), constrained_layout=True)
    for study, mk in (("weak", "o-"), ("strong", "s-")):
        r = sorted((x for x in rows if x["study"] == study), key=lambda x: int(x["P"]))
        if not r:
            continue
        P = np.array([int(x["P"]) for x in r])
        t = np.array([float(x["seconds_per_step"]) for x in r])
        ax[0].loglog(P, t, mk, label="%s (R = %s)" % (study, "%d P" % (int(r[0]["R"]) // P[0]) if study == "weak" else r[0]["R"]))
        eff = t[0] / t if study == "weak" else t[0] * P[0] / (t * P)
        ax[1].semilogx(P, eff, mk, label=study)
        ax[2].loglog(np.maximum([int(x["edge_cut_channels"]) for x in r], 1), np.maximum([float(x["exchange_bytes_per_step"]) for x in r], 1), mk, label=study)
    ax[0].set(xlabel="ranks P", ylabel="seconds per step", title="time per step")
    ax[1].set(xlabel="ranks P", ylabel="efficiency", title="parallel efficiency", ylim=(0, 1.1))
    ax[2].set(xlabel="edge cut (channels)", ylabel="exchange bytes per step", title="exchange volume vs edge cut")
    for x in ax:
        x.legend(fontsize=8)
        x.grid(alpha=0.3)
    fig.savefig(a.o, dpi=110)
    print("wrote", a.o)


if __name__ == "__main__":
    main()
