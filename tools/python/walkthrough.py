#!/usr/bin/python3
"""Writes docs/python.md: runs every cell of the walkthrough below from the top of
the repository (like a notebook: one namespace, the value of a cell's last
expression is shown) and puts the real output under each cell; figures go to
docs/img/python/. Scratch files go to runs/python/ (ignored by git).

usage: /usr/bin/python3 tools/python/walkthrough.py      (a few minutes on 2 cores)
"""
import ast
import contextlib
import io
import os
import shutil
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

INTRO = """# mrdyn from Python

The package `mrdyn` (sources in `tools/python/mrdyn/`, installed by `meson
install` into the site-packages of the Python that runs meson) opens every file
mrdyn writes as an [xarray](https://docs.xarray.dev) `Dataset` with named
dimensions, the summary of a sweep as a [pandas](https://pandas.pydata.org)
`DataFrame`, and runs the `mrdyn` executable with keyword options. It is pure
Python on h5py, NumPy, xarray and pandas (Debian: `python3-h5py python3-xarray
python3-pandas python3-yaml`, installed by `tools/setup.sh`; `python3-h5netcdf`
lets xarray read files with HDF5 dimension scales itself).

| call | returns |
|---|---|
| `mrdyn.open(path)` | any mrdyn file (run, mean-field, checkpoint, sweep member or summary, spectrum, dimension, lyapunov, polytope, model) as an `xarray.Dataset` |
| `mrdyn.open_sweep(dir)` | the sweep's summary as a `pandas.DataFrame`, one row per member; `table="grid"` for the labels per grid point |
| `mrdyn.open_member(df, k)` | member `k`'s file (`mrdyn.open(df.path[i])` does the same for row i) |
| `mrdyn.run(verb, *args, output=None, ranks=None, **options)` | runs `mrdyn VERB ARGS -key value ...` and opens its result |

This page is a notebook-style walkthrough: every cell was run by
`tools/python/walkthrough.py` from the top of the repository (2 cores), and the
output under it is what it printed. The reference of the names follows it.
"""

CELLS = [
    ("""## Set-up

In the source tree the package is in `tools/python` (after `meson install` a
plain `import mrdyn` works). `mrdyn.run` finds the executable through `$MRDYN`,
then `PATH`, then the installed `bin/`, then `build/mrdyn` of the source tree.""",
     """import sys
sys.path.insert(0, "tools/python")   # not needed once meson has installed the package
import os
import numpy as np
import pandas as pd
import xarray as xr
import matplotlib
matplotlib.use("Agg")                # in Jupyter leave this out
import matplotlib.pyplot as plt
import mrdyn

os.makedirs("runs/python", exist_ok=True)
os.path.relpath(mrdyn.find_executable())"""),

    ("""## A model

`mrdyn.run("model", GENERATOR, ...)`: keyword options become `-key value`
(lists are joined by commas, `True` is a bare flag). The result is the model
file, opened: `T[r,s,q] = <n^{rs} m^{sq}>` has the dimensions
(target, middle, source).""",
     """m = mrdyn.run("model", "paper", R=2, N=4000, g=[1.5, 0], a=[2.0, 1.8], b=[1.5, 1.2],
              output="runs/python/two.h5", force=True)
m"""),

    ("""## A simulation with trials

Four trajectories of one network realisation (`-trials 4`) on 2 MPI ranks
(`ranks=2` runs it under `mpiexec -n 2`). Trial q starts from the initial
state drawn with seed `init_seed + q`; trial 0 is the one the theory below
starts from (`-seed` draws the same initial currents in both). The dense
channel axis of the file is split into (target, source), so
`run.currents.sel(target=0, source=1)` is the current from region 1 into
region 0.""",
     """run = mrdyn.run("simulate", model="runs/python/two.h5", output="runs/python/two-run.h5",
                t_final=20, save_every=2, seed=3, trials=4, delta_times=10, ranks=2, force=True)
run"""),

    ("""The currents at the end, trial by trial:""",
     """run.currents.isel(time=-1).to_series().unstack("trial").round(4)"""),

    ("""Attributes are decoded: strings are `str`, sizes and seeds integers.""",
     """{k: run.attrs[k] for k in ("verb", "N", "trials", "seed", "mpi_size", "ts_type", "options")}"""),

    ("""Every variable carries a `long_name`, and `units` where it has one (times
in units of tau), so xarray labels plots by itself:""",
     """fg = run.currents.plot.line(x="time", hue="trial", row="target", col="source", figsize=(9, 5.5))
fg.fig.savefig("docs/img/python/currents.png", dpi=80)"""),

    ("""![the four currents, four trials each](img/python/currents.png)

The trials end on different fixed points: the self-currents of region 1 go to
+1.2 or -1.2 depending on the trial (the equations are symmetric under S -> -S),
so averaging over trials would mean nothing here.

## The theory, and the comparison

The mean-field theory from the same initial currents (`-seed 3`), with the
stationary state polished by SNES:""",
     """mf = mrdyn.run("dmft", model="runs/python/two.h5", output="runs/python/two-mf.h5",
               t_final=20, save_every=2, seed=3, stationary=True, delta_times=10, force=True)
mf.stationary_S"""),

    ("""With the same dimension names, simulation and theory line up by name.
Over the second half of the run, per channel: the size of the theory's
current, the error of trial 0 (which starts where the theory starts), and the
spread across the four trials:""",
     """late = slice(10, 20)
theory = mf.currents.interp(time=run.time)            # the theory on the simulation's times
err = (run.currents.sel(trial=0, drop=True) - theory).sel(time=late)
table = xr.Dataset({
    "rms_theory": np.sqrt((theory.sel(time=late) ** 2).mean("time")),
    "rms_error_trial0": np.sqrt((err ** 2).mean("time")),
    "spread_over_trials": run.currents.sel(time=late).std("trial").mean("time"),
})
table.to_dataframe().round(4)"""),

    ("""Trial 0 follows the theory's self-currents closely (errors 0.057 and 0.005),
while the two cross-currents, whose theory is about 0.013, are off by 0.12 to
0.15 at N = 4000: ten times their own size. The spread over the trials is
large because the trials settle on different fixed points. Drawn, with the
autocovariance at t_ref = 10 (normalised):""",
     """fig, ax = plt.subplots(1, 3, figsize=(13, 3.6))
for k, (t, s) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
    c = "C%d" % k
    mf.currents.sel(target=t, source=s).plot(ax=ax[0], color=c, lw=4, alpha=0.35)
    run.currents.sel(target=t, source=s, trial=0).plot(ax=ax[0], color=c, lw=1, label="S[%d<-%d]" % (t, s))
for r in range(2):
    c = "C%d" % r
    mf.variance.sel(region=r).plot(ax=ax[1], color=c, lw=4, alpha=0.35)
    run.variance.sel(region=r, trial=0).plot(ax=ax[1], color=c, lw=1, label="region %d" % r)
    d_th = mf.delta.sel(region=r).isel(delta_time=0)
    d_sim = run.delta.sel(region=r, trial=0).isel(delta_time=0)
    (d_th / d_th.isel(lag=0)).plot(ax=ax[2], color=c, lw=4, alpha=0.35)
    (d_sim / d_sim.isel(lag=0)).plot(ax=ax[2], color=c, lw=1, label="region %d" % r)
for a, title in zip(ax, ["currents", "variance of x", "Delta(10, 10+lag) / Delta(10, 10)"]):
    a.set_title(title + " (thick: theory)", fontsize=9)
    a.legend(fontsize=7)
fig.tight_layout()
fig.savefig("docs/img/python/theory.png", dpi=80)"""),

    ("""![simulation (trial 0, thin) against theory (thick)](img/python/theory.png)

`mrdyn compare` judges one-trial runs and returns its JSON summary as a dict
(a miss of `-tol` is not an exception: look at `"pass"`). Its columns are
explained in [usage.md](usage.md#mrdyn-compare-simh5-theoryh5):""",
     """one = mrdyn.run("simulate", model="runs/python/two.h5", output="runs/python/one.h5",
                t_final=20, save_every=2, seed=3, ranks=2, force=True)
res = mrdyn.run("compare", "runs/python/one.h5", "runs/python/two-mf.h5", tol=0.2)
print(res["pass"], round(res["largest_relative_difference"], 4))
pd.DataFrame(res["currents"]).round(4)"""),

    ("""## A sweep in pandas

`mrdyn.run("sweep", SPEC)` takes the sweep file, or its content as a dict
(written to a temporary YAML file), runs it and returns the summary. The
parameter columns are named as in the YAML; `seed` (the random T of each grid
point) has integer values; `path` is each member's file.""",
     """df = mrdyn.run("sweep", {
    "verb": "dmft", "output": "runs/python/sweep",
    "model": {"generator": "random", "R": 2, "N": 1000, "g": 1.5, "tol": 0.05, "rescale": 1},
    "options": {"dt": 0.1, "t_final": 60},
    "vary": {"w_re": {"linspace": [0.5, 3.5, 4]}, "w_im": {"linspace": [0.0, 3.0, 4]}, "seed": [1, 2]},
}, ranks=2)
print(df.attrs["axes"], "pooled:", df.attrs["pooled"])
df[["member", "w_re", "w_im", "seed", "class", "amplitude", "period", "S_0_1"]].head(6)"""),

    ("""The usual pandas tools then apply, e.g. the classes of the currents over
the leading eigenvalue w = w_re + i w_im of That, pooled over the two draws of
T per point:""",
     """pd.crosstab([df.w_re, df.w_im], df["class"]).head(8)"""),

    ("""and one member opens like any other file, with its parameters among its
attributes (`params_*`):""",
     """k = df[df["class"] == "limit cycle"].member.iloc[0]
mem = mrdyn.open_member(df, k)
print({a: mem.attrs[a] for a in mem.attrs if a.startswith("params_")}, mem.attrs["class"], round(mem.attrs["period"], 3))
fig, ax = plt.subplots(figsize=(7, 3))
mem.currents.stack(channel=("target", "source")).plot.line(ax=ax, x="time", add_legend=True)
ax.set_title("member %d: w_re = %g, w_im = %g, seed %d" % (k, mem.attrs["params_w_re"], mem.attrs["params_w_im"], mem.attrs["params_seed"]), fontsize=9)
fig.tight_layout()
fig.savefig("docs/img/python/member.png", dpi=80)"""),

    ("""![a limit-cycle member](img/python/member.png)

`tools/plot_sweep.py runs/python/sweep -o runs/python/map` draws the class maps
of the same summary (axes named by the swept parameters, cells centred on
their values, member plots titled by their parameters).

## Errors

A failing run raises `mrdyn.MrdynError` with mrdyn's own message (and
`.returncode`, `.stdout`, `.stderr`, `.command`); nothing is written:""",
     """try:
    mrdyn.run("simulate", model="runs/python/two.h5", t_fianl=20, ranks=2)
except mrdyn.MrdynError as e:
    print(e)
    print("exit status", e.returncode)"""),

    ("""## Every kind of file

`mrdyn.open` recognises the file (root attribute `mrdyn_kind`) and reads it
with h5py, or with xarray's own h5netcdf engine when every dataset has HDF5
dimension scales (`mrdyn_engine` says which). Groups are flattened with `_`
(`/stationary/S` is `stationary_S`):""",
     """for f in ["runs/python/two.h5", "runs/python/two-mf.h5", df.path[0], "runs/python/sweep/summary.h5"]:
    ds = mrdyn.open(f)
    print("%-28s %-9s %-6s %s" % (os.path.basename(f), ds.attrs["mrdyn_kind"], ds.attrs["mrdyn_engine"], dict(ds.sizes)))"""),
]

REFERENCE = """## Reference

### Dimensions

| dimension | coordinate | where |
|---|---|---|
| `time` | `/time` (tau) | series of run, mean-field and member files |
| `trial` | 0 .. K-1 | `simulate -trials K` output: after `time` (after `region` in `delta`) |
| `target`, `source` | region indices | the channel axis of a dense model (c = target R + source); `channel` with coordinates `channel_target`, `channel_source` otherwise |
| `region` | region indices | per-region series and values |
| `middle`, `source2` | region indices | the model's `T` (target, middle, source) and `U` (target, source, source2) |
| `delta_time`, `lag` | `/delta_times`, `/delta_lags` | the two-point function `delta` |
| `trace` | with `trace_region`, `trace_neuron` | `/traces/x` |
| `neuron`, `activity_time` | with `neuron_region` | `/activity` |
| `part` | `real`, `imag` | eigenvalues stored as [real, imag] pairs |
| `that_eigenvalue`, `eigenvalue`, `outlier`, `jacobian_eigenvalue` | | spectra |
| `t1`, `t2` | dt * index | `/full/Delta`, `/full/Gamma` |
| `classification_lag` | dt * index | `/classification/curve` |
| `batch`, `fixed_point` | | `dmft -mode currents` and batches |
| `g_point`, `delta_tau_g_point`, `tau` | | `dmft -mode stationary` |
| `exponent`, `lyapunov_time` | | Lyapunov exponents |
| `pair`, `vertex`, `draw` | with `pair_i`, `pair_j` | polytope files |
| `member`, `grid_point` | | the sweep summary read by `mrdyn.open` (`grid_` columns) |

A dataset in no table of `tools/python/mrdyn/_schema.py` (a newer file) still
opens, with dimensions named `<variable>_dim<i>`.

### Attributes

Bytes become `str`; NumPy scalars `int`, `float`, `bool`; sizes that older files
store as floats (`N`, the summary's `done`, ...) become integers and numeric
flags (`stationary_converged`, `settled_early`) booleans. Group attributes go
on the group's variables (`classification_curve.attrs["t0"]`); a sweep
member's `/params` become root attributes `params_<name>` (numbers parsed).
`mrdyn.open` refuses a file without `status = "complete"` (a run still being
written, or killed) unless `complete=False`. Datasets over 64 MiB
(`mrdyn._files.LAZY_BYTES`) are read when indexed (`load=True` reads all).

### mrdyn.run

`mrdyn.run(verb, *args, output=None, ranks=None, executable=None, mpiexec=None,
mpiexec_args=(), cwd=None, env=None, timeout=None, echo=False, options=None, **options)`:

- keyword options: `True` -> `-key`, `False`/`None` -> left out, lists and arrays
  -> comma-joined, floats in full precision; `options={...}` for names that are
  not Python identifiers;
- `output`: the `-o` file; without it the result goes to a temporary directory,
  is read into memory, and the directory is removed;
- `ranks`: `mpiexec -n ranks` (`$MPIEXEC` or `mpiexec`); as root the Open MPI
  variables that allow it are set; above the number of cores, oversubscription;
- returns: the opened file (`model`, `simulate`, `dmft`, `spectrum`,
  `dimension`, `lyapunov`, `polytope`, `sweep ... member=K`), the summary
  DataFrame (`sweep`), the JSON summary as a dict (`compare`), the printed text
  (`info` and anything else); `echo=True` prints mrdyn's output as it runs;
- raises `mrdyn.MrdynError` (message: mrdyn's `mrdyn: error: ...` line) on a
  non-zero exit; a sweep with failed members raises with `.result` holding its
  summary.

### mrdyn.open_sweep

`mrdyn.open_sweep(path, table="members")`: `path` is the sweep's output
directory (its `summary.h5`, or the slices `summary-i-of-n.h5` of a job array,
concatenated) or a summary file. Columns as in [sweep.md](sweep.md), with the
varied parameters under their YAML names (`seed`, `run.seed`, `model.w_re`),
integers where every YAML value is one, and `path` (None for members without a
file: record journals, failed or missing members). `df.attrs` holds the
summary's attributes and `parameters`, `axes` (the crossed axes: each `vary:`
key, the `zip:` keys together) and `pooled` (the parameters pooled per grid
point).

### What the files do not say yet

- Files without `/channel/*` (`dmft -mode currents`, checkpoints) keep a
  `channel` axis: without the channel map a dense model cannot be told apart.
- The run files have no HDF5 dimension scales yet: `mrdyn.open` reads them with
  h5py. Once mrdyn writes scales on every dataset, `mrdyn.open` (and plain
  `xarray.open_dataset(path, engine="h5netcdf")` per group) read them directly;
  the dense channel axis is split the same way either way.
"""


def run_cell(code, ns):
    tree = ast.parse(code)
    last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    body = tree.body[:-1] if last else tree.body
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(ast.Module(body=body, type_ignores=[]), "<cell>", "exec"), ns)
        if last is not None:
            v = eval(compile(ast.Expression(last.value), "<cell>", "eval"), ns)
            if v is not None:
                print(repr(v))
    return out.getvalue()


def main():
    os.chdir(TOP)
    shutil.rmtree("runs/python", ignore_errors=True)
    os.makedirs("docs/img/python", exist_ok=True)
    import xarray as xr
    import pandas as pd
    xr.set_options(display_width=100, display_max_rows=30)
    pd.set_option("display.width", 110)
    pd.set_option("display.max_columns", 12)
    ns = {"__name__": "__walkthrough__"}
    parts = [INTRO]
    t0 = time.time()
    for prose, code in CELLS:
        t = time.time()
        out = run_cell(code, ns).replace(TOP + "/", "").rstrip()
        sys.stderr.write("cell done in %.1f s\n" % (time.time() - t))
        parts.append(prose)
        parts.append("```python\n%s\n```" % code)
        if out:
            parts.append("```\n%s\n```" % out)
    parts.append(REFERENCE)
    with open("docs/python.md", "w") as f:
        f.write("\n\n".join(p.strip("\n") for p in parts) + "\n")
    sys.stderr.write("wrote docs/python.md in %.0f s\n" % (time.time() - t0))


if __name__ == "__main__":
    main()
