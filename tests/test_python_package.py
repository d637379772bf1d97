"""The Python package mrdyn (tools/python/mrdyn): mrdyn.open on every kind of file
mrdyn writes, checked dataset by dataset against h5py (every dataset is there,
under its named dimensions, with the same values); the h5netcdf route for files
with dimension scales; mrdyn.run (results, and the exception with mrdyn's
message); mrdyn.open_sweep on a small sweep (YAML column names, member files)."""
import glob
import os
import shutil
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "python"))
import mrdyn  # noqa: E402
import mrdyn._files  # noqa: E402
from mrtest import ENV, check, finish, tmpdir  # noqa: E402

d = tmpdir()
P = lambda name: os.path.join(d, name)  # noqa: E731
KW = dict(env=ENV, cwd=d)


def same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind in "SO" or b.dtype.kind in "SO":
        dec = lambda x: np.array([v.decode() if isinstance(v, bytes) else str(v) for v in np.ravel(x)])  # noqa: E731
        return np.array_equal(dec(a), dec(b))
    return a.size == b.size and np.allclose(np.ravel(a), np.ravel(b), rtol=0, atol=0, equal_nan=True)


def h5_datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
    return out


def against_h5py(ds, path, what):
    """Every dataset of the file is a variable or coordinate of ds with the same
    values, and has named dimensions (none of the <name>_dim<i> fallback)."""
    coord_of = {"time": "time", "delta_times": "delta_time", "delta_lags": "lag", "activity_time": "activity_time",
                "lyapunov/time": "lyapunov_time", "dynamic_spectrum/time": "dynamic_spectrum_time",
                "stationary_theory/tau": "tau", "channel/target": "channel_target", "channel/source": "channel_source"}
    missing, differ, unnamed = [], [], []
    for name, val in h5_datasets(path).items():
        if name == "traces/index":
            got = np.stack([ds["trace_region"].values, ds["trace_neuron"].values], axis=1)
        elif name == "pairs":
            got = np.stack([ds["pair_i"].values, ds["pair_j"].values], axis=1)
        else:
            key = name.replace("/", "_")
            if key not in ds.variables and name in coord_of:
                key = coord_of[name]
            if key not in ds.variables:
                missing.append(name)
                continue
            got = ds[key].values
            if any("_dim" in dim for dim in ds[key].dims):
                unnamed.append(name)
        if not same(got, val):
            differ.append(name)
    check(not missing and not differ and not unnamed,
          "%s: every dataset is in the Dataset with named dimensions and the h5py values (missing %s, different %s, unnamed %s)"
          % (what, missing, differ, unnamed))


# ---------------------------------------------------------------- options and errors
check(mrdyn.options_to_args({"t_final": 20, "dt": 0.1, "g": [1.5, 0], "stationary": True, "classify": False, "x": None})
      == ["-t_final", "20", "-dt", "0.1", "-g", "1.5,0", "-stationary"],
      "options_to_args: numbers, comma-joined lists, True a flag, False/None left out")

try:
    mrdyn.run("simulate", model=P("none.h5"), output=P("bad.h5"), **KW)
    check(False, "run() with a missing model raises")
except mrdyn.MrdynError as e:
    check("none.h5" in str(e) and str(e).startswith("mrdyn: error") and e.returncode == 1 and not os.path.exists(P("bad.h5")),
          "run() with a missing model raises MrdynError with mrdyn's message [%s], exit 1, no file" % e)

# ---------------------------------------------------------------- model, run, trials
m = mrdyn.run("model", "paper", R=2, N=300, g=[1.5, 0], a=[2.0, 1.8], b=[1.5, 1.2], output=P("m.h5"), **KW)
check(m.attrs["mrdyn_kind"] == "model" and m["T"].dims == ("target", "middle", "source") and m["N"].dtype.kind == "i"
      and isinstance(m.attrs["phi"], str), "run('model', 'paper', ...) returns the model: T (target, middle, source), integer N, str attributes")
against_h5py(m, P("m.h5"), "model file")

try:
    mrdyn.run("simulate", model=P("m.h5"), t_fianl=5, output=P("bad.h5"), ranks=2, **KW)
    check(False, "run() with a misspelled option raises")
except mrdyn.MrdynError as e:
    check(str(e) == "mrdyn: error: unknown option -t_fianl (did you mean -t_final? -help lists the options)"
          or ("unknown option -t_fianl" in str(e) and "\n" not in str(e)),
          "run(ranks=2) with a misspelled option raises with mrdyn's one-line message [%s]" % e)

run = mrdyn.run("simulate", model=P("m.h5"), output=P("run.h5"), t_final=6, save_every=2, seed=3, delta_times=[2, 3], progress=0, **KW)
with h5py.File(P("run.h5"), "r") as f:
    S, t, var = f["currents"][:], f["time"][:], f["variance"][:]
check(run["currents"].dims == ("time", "target", "source") and run["variance"].dims == ("time", "region")
      and run["delta"].dims == ("region", "delta_time", "lag"), "run file: currents (time, target, source), variance (time, region), delta (region, delta_time, lag)")
check(same(run["currents"].sel(target=0, source=1), S[:, 1]) and same(run["currents"].sel(target=1, source=0), S[:, 2])
      and same(run["time"], t), "run file: currents.sel(target=r, source=s) is channel r*R + s of /currents; time is /time")
check(run["time"].attrs.get("units") == "tau" and "long_name" in run["currents"].attrs and "long_name" in run["variance"].attrs,
      "run file: units and long_name")
a = run.attrs
check(isinstance(a["R"], int) and isinstance(a["seed"], int) and isinstance(a["version"], str) and a["N"].dtype.kind == "i"
      and list(a["N"]) == [300, 300], "run file: attributes decoded (R, seed int; version str; N integers %s)" % (a["N"],))
against_h5py(run, P("run.h5"), "run file")
check(mrdyn.open(P("run.h5")).identical(run), "run() returns what mrdyn.open returns")

tr = mrdyn.run("simulate", model=P("m.h5"), output=P("trials.h5"), t_final=4, save_every=2, seed=3, trials=3, delta_times=2, ranks=2, progress=0, **KW)
check(tr["currents"].dims == ("time", "trial", "target", "source") and tr.sizes["trial"] == 3 and list(tr["trial"].values) == [0, 1, 2]
      and tr["variance"].dims == ("time", "trial", "region") and tr["delta"].dims == ("region", "trial", "delta_time", "lag")
      and tr["traces_x"].dims == ("time", "trial", "trace"), "trials file (2 ranks): a trial axis after time (after region in delta)")
with h5py.File(P("trials.h5"), "r") as f:
    check(same(tr["currents"].isel(trial=2).sel(target=1, source=1), f["currents"][:, 2, 3]), "trials file: trial 2, channel 1<-1")
against_h5py(tr, P("trials.h5"), "trials file")

# lazy reading of large datasets gives the same values
mrdyn._files.LAZY_BYTES = 0
lazy = mrdyn.open(P("run.h5"))
check(lazy["traces_x"].variable._in_memory is False and same(lazy["traces_x"].isel(time=slice(2, 5)), run["traces_x"].isel(time=slice(2, 5))),
      "datasets over LAZY_BYTES are read on indexing, with the same values")
mrdyn._files.LAZY_BYTES = 64 << 20

# an incomplete file is refused (unless complete=False)
shutil.copy(P("run.h5"), P("part.h5"))
with h5py.File(P("part.h5"), "a") as f:
    del f.attrs["status"]
try:
    mrdyn.open(P("part.h5"))
    check(False, "an unfinished file is refused")
except mrdyn.MrdynFileError as e:
    check("not complete" in str(e), "an unfinished file is refused [%s]" % e)
check(mrdyn.open(P("part.h5"), complete=False).sizes["time"] == run.sizes["time"], "complete=False opens it")

# ---------------------------------------------------------------- mean-field files
mf = mrdyn.run("dmft", model=P("m.h5"), output=P("mf.h5"), t_final=6, save_every=2, seed=3, stationary=True, classify=True,
               delta_times=[2, 3], save_full=True, silence=0, dynamic_spectrum=5, progress=0, **KW)
check(mf["classification_region"].dtype.kind == "U" and mf["classification_curve"].dims == ("classification_lag", "region")
      and mf["full_Delta"].dims == ("region", "t1", "t2") and mf["stationary_S"].dims == ("target", "source")
      and mf["that_eigenvalues"].dims == ("that_eigenvalue", "part") and list(mf["part"].values) == ["real", "imag"],
      "mean-field file: labels as str, curve (classification_lag, region), full (region, t1, t2), stationary S (target, source)")
check(np.isclose(float(mf["classification_lag"][mf.classification_curve.attrs["t0_step"]]), mf.classification_curve.attrs["t0"]),
      "mean-field file: the classification lag has the solver's step (lag[t0_step] = t0)")
check("Delta_r(t,t)" in mf["variance"].attrs["long_name"] and mf.attrs["stationary_converged"] is True,
      "mean-field file: its own long_name for variance; flags are booleans")
against_h5py(mf, P("mf.h5"), "mean-field file")
mfc = mrdyn.run("dmft", model=P("m.h5"), output=P("mfc.h5"), mode="currents", batch=4, t_final=40, **KW)
check(mfc["batch_class"].dtype.kind == "i" and mfc["batch_final"].dims[0] == "batch", "currents mode: batch class as integers")
against_h5py(mfc, P("mfc.h5"), "currents-mode file")

# ---------------------------------------------------------------- analyses
act = mrdyn.run("simulate", model=P("m.h5"), output=P("act.h5"), t_final=3, save_activity=2, analysis="lyapunov,dimension,spectrum",
                t_transient=1, progress=0, **KW)
check(act["activity"].dims == ("activity_time", "neuron") and list(np.bincount(act["neuron_region"].values)) == [300, 300]
      and act["spectrum_eigenvalues"].dims == ("eigenvalue", "part") and act["lyapunov_running"].dims == ("lyapunov_time", "exponent"),
      "in-line analyses: activity (activity_time, neuron) with its region, spectrum and lyapunov groups")
against_h5py(act, P("act.h5"), "run file with in-line analyses")
for verb, kw, what in [("dimension", dict(), "dimension file"),
                       ("spectrum", dict(model=P("m.h5")), "spectrum file"),
                       ("lyapunov", dict(model=P("m.h5"), t_final=3, t_transient=1), "lyapunov file"),
                       ("polytope", dict(b=[1.5, 2, 1.2]), "polytope file"),
                       ("polytope", dict(R=3, draws=10), "polytope statistics file")]:
    out = P(verb + str(len(kw)) + ".h5")
    args = [P("act.h5")] if verb == "dimension" else []
    ds = mrdyn.run(verb, *args, output=out, **kw, **KW)
    check(ds.attrs["mrdyn_kind"] == verb, "%s: kind %s" % (what, ds.attrs["mrdyn_kind"]))
    against_h5py(ds, out, what)
sp = mrdyn.open(P("spectrum1.h5"))
check(sp["theory_bulk_radius"].dims == ("region",) and sp["eigenvalues"].sizes["eigenvalue"] == 600, "spectrum file: dims")

g = mrdyn.run("model", "graph", R=6, N=50, g=1, degree=2, rank=2, seed=1, output=P("graph.h5"), **KW)
check(g["T_value"].dims == ("T_entry",) and "channel_target" in g.coords and g.sizes["channel"] == 24,
      "channel-form model: COO entries, channel map as coordinates")
against_h5py(g, P("graph.h5"), "channel-form model file")

mrdyn.run("simulate", model=P("m.h5"), output=P("ck.h5"), t_final=1, checkpoint_every=5, checkpoint=P("ck.ckpt"), save_connectivity=True, progress=0, **KW)
ck = mrdyn.open(P("ck.ckpt"))
check(ck.attrs["mrdyn_kind"] == "checkpoint" and ck["state_x"].dims == ("neuron", "trial"), "checkpoint: state x (neuron, trial)")
against_h5py(ck, P("ck.ckpt"), "checkpoint file")
against_h5py(mrdyn.open(P("ck.h5")), P("ck.h5"), "run file with -save_connectivity")

# ---------------------------------------------------------------- files with dimension scales: xarray's own reader
shutil.copy(P("mf.h5"), P("scaled.h5"))
with h5py.File(P("scaled.h5"), "a") as f:
    for k in ("delta", "delta_lags", "delta_times", "channel", "that_eigenvalues", "classification", "full", "silenced", "dynamic_spectrum"):
        del f[k]
    nt, C = f["currents"].shape
    f["time"].make_scale("time")
    f["channel"] = np.arange(C)
    f["channel"].make_scale("channel")
    f["region"] = np.arange(2)
    f["region"].make_scale("region")
    f["channel_target"], f["channel_source"] = np.arange(C) // 2, np.arange(C) % 2
    for v, dims in [("currents", ("time", "channel")), ("variance", ("time", "region")), ("psi", ("time", "region")),
                    ("channel_target", ("channel",)), ("channel_source", ("channel",))]:
        for i, dim in enumerate(dims):
            f[v].dims[i].attach_scale(f[dim])
    for k in f["stationary"]:
        f["stationary"][k].dims[0].attach_scale(f["channel"] if k == "S" else f["region"])
sc = mrdyn.open(P("scaled.h5"))
check(sc.attrs["mrdyn_engine"] == "h5netcdf" and sc["currents"].dims == ("time", "target", "source")
      and same(sc["currents"], mf["currents"]) and same(sc["stationary_S"], mf["stationary_S"])
      and sc["currents"].attrs.get("long_name") == mf["currents"].attrs["long_name"],
      "a file with dimension scales opens through xarray's h5netcdf engine (dense channels split, attributes filled)")
check(mrdyn.open(P("run.h5")).attrs["mrdyn_engine"] == "h5py", "a file without dimension scales is read with h5py")
try:
    mrdyn.open(P("run.h5"), engine="h5netcdf")
    check(False, "engine='h5netcdf' on a file without dimension scales raises")
except mrdyn.MrdynFileError as e:
    check("dimension scales" in str(e), "engine='h5netcdf' on a file without dimension scales says why [%s]" % e)

# ---------------------------------------------------------------- a sweep
with open(P("sw.yaml"), "w") as fh:
    fh.write("verb: dmft\noutput: sw\nmodel: {generator: paper, R: 2, N: 1000, b: '1.5,1.2'}\n"
             "options: {dt: 0.1, t_final: 10, classify: true}\n"
             "vary:\n  g: {linspace: [0.5, 2.0, 3]}\n  a: [[2.0, 1.8], [2.5, 0.5]]\n  run.seed: {range: [1, 3]}\n"
             "aggregate: [run.seed]\n")
df = mrdyn.run("sweep", P("sw.yaml"), **KW)
with h5py.File(P("sw/summary.h5"), "r") as f:
    raw = f["members"][:]
check(len(df) == 12 and {"g", "a", "run.seed"} <= set(df.columns) and "seed" not in df.columns,
      "open_sweep: parameter columns named as in the YAML (g, a, run.seed) [%s]" % list(df.columns))
check(df["run.seed"].dtype.kind == "i" and df["g"].dtype.kind == "f" and isinstance(df["a"][0], str) and isinstance(df["status"][0], str),
      "open_sweep: integer seeds, float g, str values")
check(same(df["S_0_1"], raw["S_0_1"]) and same(df["g"], raw["g"]) and same(df["run.seed"], raw["seed"]), "open_sweep: the values of /members")
check(all(os.path.exists(p) for p in df["path"]), "open_sweep: every member file is reachable through the column path")
k = 7
mem = mrdyn.open_member(df, k)
row = df[df.member == k].iloc[0]
check(mem.attrs["mrdyn_kind"] == "member" and mem.attrs["member"] == k and mem.attrs["params_seed"] == row["run.seed"]
      and np.isclose(mem.attrs["params_g"], row["g"]) and same(mem["final_currents"].sel(target=0, source=1), row["S_0_1"]),
      "open_member(df, k): the member file of row k (its parameters and final currents agree)")
against_h5py(mem, row["path"], "sweep member file")
gr = mrdyn.open_sweep(P("sw"), table="grid")
check(len(gr) == 6 and "run.seed" not in gr.columns and {"g", "a", "mode", "members"} <= set(gr.columns) and (gr["members"] == 2).all(),
      "open_sweep(table='grid'): 6 grid points pooling the 2 seeds")
su = mrdyn.open(P("sw/summary.h5"))
check(su.attrs["mrdyn_kind"] == "summary" and su["run.seed"].dims == ("member",) and same(su["S_1_1"], raw["S_1_1"]),
      "mrdyn.open of the summary: columns over the member dimension")
mem1 = mrdyn.run("sweep", P("sw.yaml"), member=3, output=P("mem3.h5"), **KW)
check(mem1.attrs["mrdyn_kind"] == "dmft" and "currents" in mem1, "run('sweep', member=K, output=...) returns that member run in full")

# slices of a job array are concatenated
os.makedirs(P("sl"))
for i in range(2):
    shutil.copy(P("sw/summary.h5"), P("sl/summary-%d-of-2.h5" % i))
check(len(mrdyn.open_sweep(P("sl"))) == 24, "open_sweep: the slices summary-i-of-n.h5 of a job array are concatenated")

shutil.rmtree(d, ignore_errors=True)
finish()
