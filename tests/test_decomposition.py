"""Same model and seed at 1, 2, 3, 4 ranks: same J, same vectors, same currents.

A non-chaotic case (g = 0.5 < 1, structured fixed point) over 400 Euler steps.
The layout changes from one rank, to whole regions per rank (P < R), to region
groups (P >= R, rows split inside a group), so every code path is compared."""
import os
import h5py
import numpy as np
from mrtest import run, tmpdir, check, finish, write_dense_model, make_T

d = tmpdir()
model = os.path.join(d, "m.h5")
write_dense_model(model, N=[700, 900, 500], g=[0.5, 0.4, 0.6], T=make_T([2.0, 1.8, 2.2], [1.5, 1.2, 1.4]))

def sim(p, tag, extra=()):
    out = os.path.join(d, "r_%s_%d.h5" % (tag, p))
    run(["simulate", "-model", model, "-o", out, "-seed", 7, "-dt", 0.05, "-t_final", 20.0,
         "-save_every", 4, "-progress", 0, "-save_connectivity"] + list(extra), np_=p)
    return h5py.File(out, "r")

ref = sim(1, "d")
check(ref["currents"].shape == (101, 9), "400 steps saved every 4 -> 101 rows of 9 channels")
check(ref.attrs["steps"] == 400, "400 steps taken")
for p in (2, 3, 4):
    f = sim(p, "d")
    for r in range(3):
        J1, Jp = ref["network/region%d/J" % r][:], f["network/region%d/J" % r][:]
        v1, vp = ref["network/region%d/vectors" % r][:], f["network/region%d/vectors" % r][:]
        check(np.array_equal(J1, Jp), "P=%d region %d: J identical" % (p, r))
        check(np.array_equal(v1, vp), "P=%d region %d: vectors identical" % (p, r))
    S1, Sp = ref["currents"][:], f["currents"][:]
    rel = np.max(np.abs(S1 - Sp)) / np.max(np.abs(S1))
    check(rel <= 1e-12, "P=%d: currents agree with P=1 (max rel diff %.1e <= 1e-12)" % (p, rel))
    for name in ("variance", "psi", "traces/x"):
        a, b = ref[name][:], f[name][:]
        rel = np.max(np.abs(a - b)) / np.max(np.abs(a))
        check(rel <= 1e-12, "P=%d: %s agrees (rel diff %.1e)" % (p, name, rel))
    check(f.attrs["mpi_size"] == p, "P=%d recorded in the output" % p)

# single-precision disorder and sparse disorder: also independent of P
for tag, extra in (("single", ["-precision", "single"]), ("sparse", ["-disorder", "sparse", "-disorder_k", 50])):
    a = sim(1, tag, extra)
    for p in (3, 4):
        b = sim(p, tag, extra)
        rel = np.max(np.abs(a["currents"][:] - b["currents"][:])) / np.max(np.abs(a["currents"][:]))
        check(rel <= 1e-12, "%s disorder, P=%d: currents agree with P=1 (rel %.1e)" % (tag, p, rel))

# the fixed point is genuinely non-chaotic: the currents settle
S = ref["currents"][:]
check(np.max(np.abs(S[-1] - S[-10])) < 0.05 * np.max(np.abs(S[-1])), "the reference case settles (non-chaotic)")
finish()
