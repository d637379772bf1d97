"""mrdyn dmft -scheme reference reproduces the published recurrence: every case of
tests/data (outputs of the authors' code) to <= 1e-9 relative, at 1, 2, 3 and 4 ranks."""
import json
import os
import h5py
import numpy as np
from mrtest import run, tmpdir, check, finish, write_dense_model

here = os.path.dirname(os.path.abspath(__file__))
d = tmpdir()

def rel(a, b, floor=0.0):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.max(np.abs(a - b)) / max(np.max(np.abs(b)), floor)

# two regions, non-identity U, the whole Delta and Gamma step by step
e = json.load(open(os.path.join(here, "data", "dmft_small_full.json")))
model = os.path.join(d, "small.h5")
write_dense_model(model, N=[1000, 1000], g=e["g_vals"], T=e["T"], U=e["U"])
S0 = np.array(e["S_init"]).ravel()
cur = e["current"]
D, G = np.array(cur["Delta"]), np.array(cur["Gamma"])
iu = np.triu_indices(e["Nt"])
for p in (1, 2, 3, 4):
    out = os.path.join(d, "small%d.h5" % p)
    run(["dmft", "-model", model, "-o", out, "-scheme", "reference", "-dt", e["dt"], "-t_final", (e["Nt"] - 1) * e["dt"],
         "-init_currents", ",".join(repr(v) for v in S0), "-save_full", "-progress", 0], np_=p)
    with h5py.File(out, "r") as f:
        Dm = f["full/Delta"][:].transpose(1, 2, 0)
        Gm = f["full/Gamma"][:].transpose(1, 2, 0)
        check(rel(Dm[iu], D[iu]) <= 1e-9, "small case P=%d: Delta (all i <= j) within 1e-9 (%.1e)" % (p, rel(Dm[iu], D[iu])))
        check(rel(Gm[iu], G[iu]) <= 1e-9, "small case P=%d: Gamma within 1e-9 (%.1e)" % (p, rel(Gm[iu], G[iu])))
        check(rel(f["currents"][:], np.array(cur["S"]).reshape(e["Nt"], -1)) <= 1e-9, "small case P=%d: currents S" % p)
        check(rel(f["psi"][:], cur["psi"]) <= 1e-9, "small case P=%d: psi" % p)
        check(rel(f["variance"][:], np.diagonal(D).T) <= 1e-9, "small case P=%d: variance = diag Delta" % p)

# the default (second-order) scheme gives the same bits on any number of ranks
outs = []
for p in (1, 2, 3, 4):
    out = os.path.join(d, "trap%d.h5" % p)
    run(["dmft", "-model", model, "-o", out, "-dt", e["dt"], "-t_final", 10.0, "-init_currents", ",".join(repr(v) for v in S0),
         "-delta_times", "2.5,5", "-progress", 0], np_=p)
    outs.append(h5py.File(out, "r"))
for p, f in zip((2, 3, 4), outs[1:]):
    same = all(np.array_equal(outs[0][k][:], f[k][:], equal_nan=True) for k in ("currents", "variance", "psi", "delta"))
    check(same, "second-order scheme: P=%d identical to P=1 (currents, variance, psi, delta)" % p)

# many two-point solves side by side (groups of ranks): each member equals a single run
bat = {}
for p in (1, 4):
    out = os.path.join(d, "batch%d.h5" % p)
    run(["dmft", "-model", model, "-o", out, "-batch", 5, "-t_final", 5.0, "-progress", 0], np_=p)
    bat[p] = h5py.File(out, "r")
check(np.array_equal(bat[1]["batch/final"][:], bat[4]["batch/final"][:]) and bat[4].attrs["batch_groups"] == 2,
      "batch of 5 solves: the same at 1 rank and at 4 ranks (2 groups side by side)")
one = os.path.join(d, "member3.h5")
run(["dmft", "-model", model, "-o", one, "-t_final", 5.0, "-progress", 0,
     "-init_currents", ",".join(repr(v) for v in bat[1]["batch/initial"][3])])
with h5py.File(one, "r") as f:
    check(np.array_equal(f["currents"][-1], bat[4]["batch/final"][3]) and np.array_equal(f["variance"][-1], bat[4]["batch/variance"][3]),
          "batch member 3 equals a single run from its initial currents")

# one region without structure, five values of g, 2000 steps
s = json.load(open(os.path.join(here, "data", "dmft_single_region.json")))
Nt, dt = s["Nt"], s["dt"]
for c in s["cases"]:
    model = os.path.join(d, "one_%g.h5" % c["g"])
    write_dense_model(model, N=[1000], g=[c["g"]], T=np.zeros((1, 1, 1)))
    out = os.path.join(d, "one_%g.h5.out" % c["g"])
    row2 = s["lag_row_index"] + 400
    run(["dmft", "-model", model, "-o", out, "-scheme", "reference", "-dt", dt, "-t_final", (Nt - 1) * dt, "-init_currents", 0,
         "-delta_times", "%r,%r" % (s["lag_row_index"] * dt, row2 * dt), "-delta_lag_every", s["lag_step_steps"],
         "-delta_lag_max", 40.0, "-progress", 0], np_=1)
    with h5py.File(out, "r") as f:
        var = f["variance"][:, 0]
        # Delta decays to 1e-47 for g < 1: compare relative to the largest value of each series
        check(rel(var[-1:], [c["Delta_final"]], 1e-300) <= 1e-9, "g=%g: final variance within 1e-9 relative" % c["g"])
        check(rel(var[::s["diag_sample_step"]], c["Delta_diag_every1"]) <= 1e-9, "g=%g: Delta(t,t) every 1.0" % c["g"])
        check(rel(f["delta"][0, 0, :], c["acov_row1199"]) <= 1e-9, "g=%g: autocovariance from row 1199" % c["g"])
        check(rel(f["delta"][0, 1, :len(c["acov_row1599"])], c["acov_row1599"]) <= 1e-9, "g=%g: autocovariance from row 1599" % c["g"])
        check(abs(f["psi"][-1, 0] - c["psi_final"]) <= 1e-9 * c["psi_final"], "g=%g: final psi" % c["g"])
finish()
