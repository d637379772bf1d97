"""Regions to ranks by partitioning the region graph (issue 5): on a clustered
graph, PT-Scotch (PETSc MatPartitioning) cuts far fewer channels than a
round-robin or contiguous assignment, the exchange bytes per step follow the
cut (8 bytes per cut channel and step), the cost stays balanced, and the results
are bit-identical for every assignment and 1-4 ranks, including a restart from a
checkpoint written under another assignment."""
import os
import signal
import subprocess
import time
import h5py
import numpy as np
from mrtest import run, tmpdir, check, finish, MRDYN, MPIEXEC, ENV

d = tmpdir()
model = os.path.join(d, "clustered.h5")
run(["model", "graph", "-R", 400, "-N", 64, "-g", 1.2, "-degree", 4, "-rank", 2, "-clusters", 4, "-p_out", 0.02,
     "-seed", 3, "-o", model])
KEYS = ["currents", "variance", "psi", "traces/x", "delta"]


def sim(np_, part, out, extra=()):
    r = run(["simulate", "-model", model, "-o", out, "-t_final", 3, "-partition", part, "-progress", 0,
             "-delta_times", 1, "-delta_lag_max", 1] + list(extra), np_=np_)
    with h5py.File(out, "r") as f:
        res = {k: f[k][()] for k in KEYS}
        res["cut"] = int(f.attrs["edge_cut_channels"])
        res["bytes"] = float(f.attrs["exchange_bytes_per_step"])
        res["partition"] = f.attrs["partition"]
    line = [l for l in r.stdout.splitlines() if "largest / mean" in l]
    res["balance"] = float(line[0].split("=")[1]) if line else 1.0
    return res


ref = sim(1, "contiguous", os.path.join(d, "ref.h5"))
for np_ in (2, 3, 4):
    res = {p: sim(np_, p, os.path.join(d, "%s-%d.h5" % (p, np_))) for p in ("contiguous", "roundrobin", "ptscotch")}
    for p, r in res.items():
        check(all(np.array_equal(ref[k], r[k], equal_nan=True) for k in KEYS), "P = %d, %s: results identical to one rank" % (np_, p))
        check(r["bytes"] == 8 * r["cut"], "P = %d, %s: exchange bytes per step = 8 x cut channels (%d, %d)" % (np_, p, r["bytes"], r["cut"]))
    rr, pt = res["roundrobin"]["cut"], res["ptscotch"]["cut"]
    check(pt < 0.3 * rr, "P = %d: PT-Scotch cuts %d channels, round-robin %d (%.1fx fewer)" % (np_, pt, rr, rr / max(pt, 1)))
    check(pt < 0.3 * res["contiguous"]["cut"], "P = %d: and fewer than the contiguous assignment (%d)" % (np_, res["contiguous"]["cut"]))
    check(res["ptscotch"]["balance"] < 1.1, "P = %d: PT-Scotch keeps the cost balanced (largest/mean %.3f)" % (np_, res["ptscotch"]["balance"]))
    check(res["ptscotch"]["partition"] in (b"ptscotch", "ptscotch"), "partition recorded in the output")

# a checkpoint written under PT-Scotch on 3 ranks continues contiguous on 2 ranks, same bits
out = os.path.join(d, "ck.h5")
full = os.path.join(d, "full.h5")
base = ["simulate", "-model", model, "-t_final", 30, "-progress", 0, "-delta_times", 1, "-delta_lag_max", 1]
run(base + ["-o", full], np_=2)
p = subprocess.Popen([MPIEXEC, "-n", "3", MRDYN] + [str(a) for a in base + ["-o", out, "-partition", "ptscotch"]], env=ENV,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
t0 = time.time()
while not os.path.exists(out + ".partial") and time.time() - t0 < 60:
    time.sleep(0.05)
time.sleep(0.5)
p.send_signal(signal.SIGUSR1)
p.communicate(timeout=120)
check(p.returncode == 75, "stopped by SIGUSR1 under PT-Scotch (status %s)" % p.returncode)
run(base + ["-o", out, "-restart", out + ".ckpt"], np_=2)
with h5py.File(full, "r") as f, h5py.File(out, "r") as g:
    check(all(np.array_equal(f[k][()], g[k][()], equal_nan=True) for k in KEYS), "restart under another assignment and P equals the uninterrupted run")

r = run(["simulate", "-model", model, "-o", os.path.join(d, "bad.h5"), "-partition", "metis"], np_=2, check=False)
check(r.returncode == 1 and "-partition" in r.stderr and r.stderr.count("mrdyn: error") == 1, "unknown -partition: one message")
finish()
