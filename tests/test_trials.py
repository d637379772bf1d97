"""simulate -trials K: K trajectories of one realisation together (J read once).
Outputs keep a trial axis; every trial equals a single run from its initial
state; the result does not depend on the number of ranks."""
import os
import h5py
import numpy as np
from mrtest import run, tmpdir, check, finish, write_dense_model, make_T

d = tmpdir()
model = os.path.join(d, "m.h5")
write_dense_model(model, N=[700, 900, 500], g=[0.5, 0.4, 0.6], T=make_T([2.0, 1.8, 2.2], [1.5, 1.2, 1.4]))
K = 9  # one chunk of eight trials plus one
runs = {}
for p in (1, 3):
    out = os.path.join(d, "t%d.h5" % p)
    run(["simulate", "-model", model, "-o", out, "-trials", K, "-t_final", 10.0, "-seed", 7, "-init_seed", 11, "-progress", 0,
         "-delta_times", "2,5", "-delta_lag_max", 4], np_=p)
    runs[p] = h5py.File(out, "r")
f = runs[1]
check(f["currents"].shape == (201, K, 9) and f["variance"].shape == (201, K, 3) and f["traces/x"].shape[1] == K, "outputs keep a trial axis (nt, K, ...)")
check(f["delta"].shape == (3, K, 2, 17), "/delta keeps a trial axis (R, K, nref, nlag)")
check(all(np.array_equal(f[k][:], runs[3][k][:]) for k in ("currents", "variance", "psi", "traces/x", "delta")), "trials: identical at 1 and 3 ranks")
for q in (0, 4, 8):
    out = os.path.join(d, "single%d.h5" % q)
    run(["simulate", "-model", model, "-o", out, "-t_final", 10.0, "-seed", 7, "-init_seed", 11 + q, "-progress", 0,
         "-delta_times", "2,5", "-delta_lag_max", 4], np_=2)
    with h5py.File(out, "r") as g:
        rel = np.max(np.abs(f["currents"][:, q, :] - g["currents"][:])) / np.max(np.abs(g["currents"][:]))
        relv = np.max(np.abs(f["variance"][:, q, :] - g["variance"][:])) / np.max(g["variance"][:])
        reld = np.max(np.abs(f["delta"][:, q] - g["delta"][:])) / np.max(np.abs(g["delta"][:]))
    check(rel < 1e-12 and relv < 1e-12 and reld < 1e-12, "trial %d equals a single run with -init_seed %d (rel %.1e, %.1e, delta %.1e)" % (q, 11 + q, rel, relv, reld))
check(np.max(np.abs(f["currents"][-1, 0] - f["currents"][-1, 1])) > 1e-3, "different trials start from different states")
finish()
