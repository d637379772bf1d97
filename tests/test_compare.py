"""mrdyn compare: matching autocovariance times, a NaN in the simulation fails,
malformed files are refused, and -stationary works with -window."""
import json
import os
import shutil
import h5py
import numpy as np
from mrtest import run, tmpdir, check, finish, write_dense_model, make_T

d = tmpdir()
model = os.path.join(d, "m.h5")
write_dense_model(model, N=[1500, 1500], g=[1.2, 0.8], T=make_T([2.0, 1.8], [1.5, 1.2]))
sim, mf = os.path.join(d, "sim.h5"), os.path.join(d, "mf.h5")
run(["simulate", "-model", model, "-o", sim, "-t_final", 20.0, "-seed", 4, "-delta_times", 10, "-delta_lag_max", 5, "-progress", 0], np_=2)
run(["dmft", "-model", model, "-o", mf, "-t_final", 20.0, "-seed", 4, "-delta_times", 10, "-delta_lag_max", 5, "-progress", 0,
     "-stationary", "-window", 100], np_=2)
with h5py.File(sim, "r") as f, h5py.File(mf, "r") as g:
    check(abs(f["delta_times"][0] - g["delta_times"][0]) < 1e-9, "reference times written as used: %r vs %r" % (f["delta_times"][0], g["delta_times"][0]))
    check("stationary/Delta0" in g, "-stationary works together with -window")
js = os.path.join(d, "c.json")
r = run(["compare", sim, mf, "-tol", 1.0, "-json", js], check=False)
summary = json.load(open(js))
check(r.returncode == 0 and all(x["acov_max_abs_diff"] is not None for x in summary["regions"]), "the autocovariances are compared (common reference time found)")
bad = os.path.join(d, "nan.h5")
shutil.copy(sim, bad)
with h5py.File(bad, "r+") as f:
    f["currents"][-3, 0] = np.nan
js2 = os.path.join(d, "nan.json")
r = run(["compare", bad, mf, "-tol", 1e9, "-json", js2], check=False)
check(r.returncode != 0 and "exceeds -tol" in r.stderr, "a NaN in the simulation fails the comparison at any tolerance")
s2 = json.load(open(js2))
check(s2["pass"] is False and s2["largest_relative_difference"] is None, "the JSON summary stays valid JSON (null for non-finite)")
cut = os.path.join(d, "cut.h5")
shutil.copy(sim, cut)
with h5py.File(cut, "r+") as f:
    psi = f["psi"][:5]
    del f["psi"]
    f["psi"] = psi
r = run(["compare", cut, mf], check=False)
check(r.returncode != 0 and "/psi has an unexpected shape" in r.stderr, "a malformed file is refused with a message")
finish()
