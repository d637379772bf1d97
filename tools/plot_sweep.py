#!/usr/bin/python3
"""Class maps of a sweep: the class of the currents of every member (`mrdyn sweep`,
docs/sweep.md), as fractions per grid point over the swept parameters, pooled over
the pooled ones (aggregate:, by default every seed).

usage: tools/plot_sweep.py SUMMARY.h5|DIR [-x P] [-y P] [--facet P] [--pool P,..]
                           [-o PREFIX] [--members N] [--print-info]

Axes are the swept parameters named as in the YAML (the first two that are not
pooled, unless -x / -y choose), each cell centred on its parameter values (a
string-valued parameter gets one column per value; a logspace one a log axis).
One swept parameter: bars over its values. Three: one row of panels per value of
the third (--facet). More: choose with -x / -y / --facet and pool the rest with
--pool, or the tool refuses (exit 2).

Writes PREFIX-classes.png (the fraction of each class per grid point, and the
classes mixed by fraction), PREFIX-entropy.png (the Shannon entropy of the class
distribution per grid point, in bits: 0 where every pooled member agrees) and,
when the member files hold the currents (keep: all), PREFIX-members.png: the
currents of up to N members (one of each class first), titled by their parameters.
"""
import argparse
import math
import os
import sys

import numpy as np
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "python"))
import mrdyn  # noqa: E402
from mrdyn._sweep import _yaml  # noqa: E402

CLASSES = ["fixed point", "limit cycle", "chaos", "mixed", "undetermined"]
CODES = [0, 1, 2, 3, 6]  # class_code of each (4 failed and 5 missing are not drawn)
COLOURS = np.array([[0.20, 0.40, 0.80], [0.95, 0.60, 0.10], [0.80, 0.15, 0.20], [0.45, 0.70, 0.35], [0.55, 0.55, 0.55]])
MAX_FACETS = 8


def refuse(msg):
    sys.stderr.write("plot_sweep: %s\n" % msg)
    sys.exit(2)


class Axis:
    """A swept parameter on a plot axis: its values, their positions and the
    cell edges around them (centred on the values)."""

    def __init__(self, name, column, spec):
        self.name = name
        vals = list(dict.fromkeys(column))  # in order of appearance
        self.numeric = all(isinstance(v, (int, float, np.integer, np.floating)) for v in vals)
        if self.numeric:
            vals = sorted(vals)
        self.values = vals
        self.log = False
        if self.numeric:
            x = np.asarray(vals, float)
            self.log = isinstance(spec, dict) and "logspace" in spec and np.all(x > 0) and len(x) > 1
            self.pos = x
            t = np.log10(x) if self.log else x
            if len(t) > 1:
                mid = 0.5 * (t[1:] + t[:-1])
                e = np.concatenate([[t[0] - (mid[0] - t[0])], mid, [t[-1] + (t[-1] - mid[-1])]])
            else:
                e = np.array([t[0] - 0.5, t[0] + 0.5])
            self.edges = 10 ** e if self.log else e
        else:
            self.pos = np.arange(len(vals), dtype=float)
            self.edges = np.arange(len(vals) + 1) - 0.5

    def index(self, v):
        return self.values.index(v)

    def label(self, v):
        return ("%.4g" % v) if self.numeric else str(v)

    def style(self, set_lim, set_scale, set_ticks, set_label):
        set_label(self.name)
        if self.log:
            set_scale("log")
        if not self.numeric:
            set_ticks(self.pos, [str(v) for v in self.values])
        elif len(self.values) <= 12:  # a tick on every value: the cell centres
            set_ticks(self.pos, [self.label(v) for v in self.values])
        set_lim(self.edges[0], self.edges[-1])


def fractions(done, xa, ya, fa):
    """Fraction of each class, member count, per (facet, y, x) cell."""
    nf = len(fa.values) if fa else 1
    ny = len(ya.values) if ya else 1
    frac = np.zeros((nf, ny, len(xa.values), len(CLASSES)))
    count = np.zeros((nf, ny, len(xa.values)))
    for _, row in done.iterrows():
        i = fa.index(row[fa.name]) if fa else 0
        j = ya.index(row[ya.name]) if ya else 0
        k = xa.index(row[xa.name])
        code = int(row["class_code"])
        if code in CODES:
            frac[i, j, k, CODES.index(code)] += 1
        count[i, j, k] += 1
    frac /= np.maximum(count, 1)[..., None]
    return frac, count


def entropy(frac):
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.nansum(np.where(frac > 0, frac * np.log2(frac), 0.0), axis=-1)


def choose_axes(df, a):
    spec = _yaml(df.attrs.get("sweep_yaml", ""))
    varied = spec.get("vary", {}) if isinstance(spec, dict) else {}
    zipped = spec.get("zip", {}) if isinstance(spec, dict) else {}
    specs = dict(varied or {}, **(zipped or {}))
    pooled = list(df.attrs.get("pooled", []))
    for p in (a.pool.split(",") if a.pool else []):
        if p not in specs:
            refuse("--pool %s: not a swept parameter (swept: %s)" % (p, ", ".join(specs)))
        pooled += [k for axis in df.attrs["axes"] if p in axis for k in axis]
    # one candidate per crossed axis that is not pooled (a zip: axis by its first key)
    free = [axis for axis in df.attrs["axes"] if not set(axis) & set(pooled)]
    chosen = {}
    for opt, p in (("-x", a.x), ("-y", a.y), ("--facet", a.facet)):
        if p is None:
            continue
        if p not in specs:
            refuse("%s %s: not a swept parameter (swept: %s)" % (opt, p, ", ".join(specs) or "none"))
        if p in pooled:
            refuse("%s %s: that parameter is pooled (aggregate: or --pool)" % (opt, p))
        chosen[opt] = p
    used = set(chosen.values())
    rest = [axis[0] for axis in free if not set(axis) & used]
    for opt in ("-x", "-y", "--facet"):
        if opt not in chosen and rest:
            if opt == "--facet" and len(rest) > 1:
                break
            chosen[opt] = rest.pop(0)
    if rest:
        refuse("the sweep varies %d parameters besides the pooled ones (%s); a map shows two (-x, -y) and a row of "
               "panels per value of a third (--facet): choose them, and pool the others with --pool %s"
               % (len(free), ", ".join(axis[0] for axis in free), ",".join(rest)))
    mk = lambda p: Axis(p, df[p], specs.get(p)) if p else None  # noqa: E731
    return mk(chosen.get("-x")), mk(chosen.get("-y")), mk(chosen.get("--facet")), pooled


def draw_maps(a, df, done, xa, ya, fa, pooled):
    frac, count = fractions(done, xa, ya, fa)
    nf = frac.shape[0]
    if fa and nf > MAX_FACETS:
        refuse("--facet %s has %d values; at most %d rows of panels" % (fa.name, nf, MAX_FACETS))
    notdone = len(df) - len(done)
    pooled_txt = ("pooled over %s" % ", ".join(pooled)) if pooled else "nothing pooled"
    head = "%s: %d members (%s, %d per point)%s" % (a.summary, len(df), pooled_txt, int(count.max()) if count.size else 0,
                                                    (", %d not done" % notdone) if notdone else "")
    info = []
    ncol = 6 if ya else 1
    fig, axs = plt.subplots(nf, ncol, figsize=(22 if ya else 7, 3.8 * nf), constrained_layout=True, squeeze=False)
    for i in range(nf):
        row = axs[i]
        ftxt = (" (%s = %s)" % (fa.name, fa.label(fa.values[i]))) if fa else ""
        if ya:
            for k, name in enumerate(CLASSES):
                mesh = row[k].pcolormesh(xa.edges, ya.edges, frac[i, :, :, k], vmin=0, vmax=1, cmap="viridis")
                row[k].set_title("fraction: %s%s" % (name, ftxt), fontsize=9)
            fig.colorbar(mesh, ax=row[4], shrink=0.8)
            rgb = np.tensordot(frac[i], COLOURS, axes=([2], [0])) + (1 - frac[i].sum(-1))[..., None]  # white where nothing is done
            rgbmesh = row[5].pcolormesh(xa.edges, ya.edges, np.zeros(rgb.shape[:2]))  # RGB cells (matplotlib < 3.8 has no RGB pcolormesh)
            rgbmesh.set_array(None)
            rgbmesh.set_facecolor(np.clip(rgb, 0, 1).reshape(-1, 3))
            row[5].set_title("classes mixed by fraction%s" % ftxt, fontsize=9)
            if i == 0:
                handles = [matplotlib.patches.Patch(color=COLOURS[k], label=CLASSES[k]) for k in range(len(CLASSES))]
                row[5].legend(handles=handles, fontsize=7, loc="upper left", framealpha=0.8)
            for axis in row:
                xa.style(axis.set_xlim, axis.set_xscale, axis.set_xticks, axis.set_xlabel)
                ya.style(axis.set_ylim, axis.set_yscale, axis.set_yticks, axis.set_ylabel)
            c = mesh.get_coordinates()
            info.append("cells%s: x centres %s, y centres %s" % (ftxt, fmt(0.5 * (c[0, 1:, 0] + c[0, :-1, 0])), fmt(0.5 * (c[1:, 0, 1] + c[:-1, 0, 1]))))
        else:  # one swept parameter: stacked bars over its values
            width = np.diff(xa.edges) * 0.8
            bottom = np.zeros(len(xa.values))
            for k, name in enumerate(CLASSES):
                row[0].bar(xa.pos, frac[i, 0, :, k], width=width, bottom=bottom, color=COLOURS[k], label=name)
                bottom += frac[i, 0, :, k]
            xa.style(row[0].set_xlim, row[0].set_xscale, row[0].set_xticks, row[0].set_xlabel)
            row[0].set_ylabel("fraction of members")
            row[0].set_ylim(0, 1)
            row[0].legend(fontsize=7)
            info.append("bars%s: x centres %s" % (ftxt, fmt(xa.pos)))
    fig.suptitle(head, fontsize=9)
    fig.savefig(a.o + "-classes.png", dpi=110)
    plt.close(fig)

    ent = entropy(frac)
    fig, axs = plt.subplots(1, nf, figsize=(5.2 * nf, 4.2), constrained_layout=True, squeeze=False)
    for i in range(nf):
        axis = axs[0, i]
        ftxt = ("%s = %s: " % (fa.name, fa.label(fa.values[i]))) if fa else ""
        if ya:
            mesh = axis.pcolormesh(xa.edges, ya.edges, ent[i], cmap="magma", vmin=0, vmax=np.log2(len(CLASSES)))
            ya.style(axis.set_ylim, axis.set_yscale, axis.set_yticks, axis.set_ylabel)
        else:
            axis.plot(xa.pos, ent[i, 0], "o-")
            axis.set_ylim(0, np.log2(len(CLASSES)))
            axis.set_ylabel("entropy of the class (bits)")
        xa.style(axis.set_xlim, axis.set_xscale, axis.set_xticks, axis.set_xlabel)
        axis.set_title("%sclass entropy over the pooled members" % ftxt, fontsize=9)
    if ya:
        fig.colorbar(mesh, ax=axs[0, -1], label="entropy of the class (bits)")
    fig.savefig(a.o + "-entropy.png", dpi=110)
    plt.close(fig)
    return frac, count, info


def fmt(x):
    return "[" + ", ".join("%.6g" % v for v in x) + "]"


def member_title(row, df):
    params = ", ".join("%s=%s" % (k, ("%g" % row[k]) if isinstance(row[k], (float, np.floating)) else row[k]) for k in df.attrs["parameters"])
    return "member %d: %s\n%s" % (row["member"], params, row["class"])


def draw_members(a, df, done):
    """The currents of up to N members (one of each class first), titled by their parameters."""
    if a.members <= 0 or not len(done):
        return []
    rows = [grp.iloc[0] for _, grp in done.groupby("class_code", sort=True)]
    rest = done[~done["member"].isin([r["member"] for r in rows])]
    rows += [r for _, r in rest.iloc[np.linspace(0, len(rest) - 1, max(0, a.members - len(rows))).astype(int)].iterrows()] if len(rest) and a.members > len(rows) else []
    rows = rows[:a.members]
    series = []
    for r in rows:
        if not isinstance(r["path"], str):
            continue
        ds = mrdyn.open(r["path"])
        if "currents" not in ds:
            print("plot_sweep: the member files hold no series (keep: none): no member plots")
            return []
        series.append((r, ds))
    if not series:
        return []
    n = len(series)
    cols = min(3, n)
    fig, axs = plt.subplots(math.ceil(n / cols), cols, figsize=(5.5 * cols, 3.6 * math.ceil(n / cols)), constrained_layout=True, squeeze=False)
    titles = []
    for k, (r, ds) in enumerate(series):
        axis = axs.flat[k]
        S = ds["currents"]
        if "trial" in S.dims:
            S = S.isel(trial=0)
        if "target" in S.dims:
            S = S.stack(channel=("target", "source"))
        for c in range(S.sizes["channel"]):
            col = S.isel(channel=c)
            lab = "S[%d<-%d]" % (int(col["target"]), int(col["source"])) if "target" in col.coords else "channel %d" % c
            axis.plot(ds["time"], col, lw=0.9, label=lab)
        t = member_title(r, df)
        titles.append(t.replace("\n", " | "))
        axis.set_title(t, fontsize=8)
        axis.set_xlabel("time (tau)")
        axis.set_ylabel("currents S")
        if S.sizes["channel"] <= 9:
            axis.legend(fontsize=6, ncol=3)
    for axis in list(axs.flat)[n:]:
        axis.set_visible(False)
    fig.savefig(a.o + "-members.png", dpi=110)
    plt.close(fig)
    return titles


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog="\n".join(__doc__.split("\n")[5:]),
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("summary", help="summary.h5 of a sweep, or the sweep's output directory")
    ap.add_argument("-x", help="the parameter along x (default: the first swept one that is not pooled)")
    ap.add_argument("-y", help="the parameter along y (default: the next one)")
    ap.add_argument("--facet", help="a third parameter: one row of panels per value")
    ap.add_argument("--pool", help="parameters to pool as well (comma-separated)")
    ap.add_argument("-o", default="sweep", help="prefix of the PNG files")
    ap.add_argument("--members", type=int, default=6, help="member plots (0: none)")
    ap.add_argument("--print-info", action="store_true", help="print the axes, cell centres and member titles")
    a = ap.parse_args()
    try:
        df = mrdyn.open_sweep(a.summary)
    except (OSError, ValueError) as e:
        refuse(str(e))
    done = df[df["status"] == "done"]
    if not len(done):
        refuse("%s: no member is done" % a.summary)
    xa, ya, fa, pooled = choose_axes(df, a)
    if xa is None:  # nothing swept but pooled parameters: one bar
        df["all members"] = "all"
        done = df[df["status"] == "done"]
        xa = Axis("all members", df["all members"], None)
    frac, count, info = draw_maps(a, df, done, xa, ya, fa, pooled)
    titles = draw_members(a, df, done)
    wrote = [a.o + "-classes.png", a.o + "-entropy.png"] + ([a.o + "-members.png"] if titles else [])
    if a.print_info:
        print("x: %s %s" % (xa.name, [xa.label(v) for v in xa.values]))
        if ya:
            print("y: %s %s" % (ya.name, [ya.label(v) for v in ya.values]))
        if fa:
            print("facet: %s %s" % (fa.name, [fa.label(v) for v in fa.values]))
        print("pooled: %s" % pooled)
        for line in info:
            print(line)
        for t in titles:
            print("member plot: %s" % t)
    print("wrote %s (%s%s%s, up to %d members per point)" % (", ".join(wrote), xa.name, (" x " + ya.name) if ya else "",
                                                               (" per " + fa.name) if fa else "", int(count.max())))


if __name__ == "__main__":
    main()
