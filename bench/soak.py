#!/usr/bin/python3
"""Soak benchmark (not in CI; issue 12): a long run of a small network with
periodic checkpoints, the resident memory (VmRSS) of every rank read from
/proc every time a progress line arrives, and the verdict whether it stays flat.

    /usr/bin/python3 bench/soak.py [--steps 1000000] [--ranks 2] [--ckpt 10000]
                                   [--every 100000] [--mrdyn build/mrdyn] [--keep DIR]
                                   [-- extra simulate options]

Prints one line per 10^5 steps (the RSS of each rank at the first progress line
at or after that step) and the largest relative change of each rank's RSS
between the first mark and the end; exits 1 if that exceeds --tolerance (1%).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--steps", type=int, default=1000000)
ap.add_argument("--ranks", type=int, default=2)
ap.add_argument("--ckpt", type=int, default=10000, help="-checkpoint_every")
ap.add_argument("--every", type=int, default=100000, help="report the RSS every this many steps")
ap.add_argument("--dt", type=float, default=0.05)
ap.add_argument("--save_every", type=int, default=100)
ap.add_argument("--tolerance", type=float, default=0.01)
ap.add_argument("--mrdyn", default=os.environ.get("MRDYN", "build/mrdyn"))
ap.add_argument("--mpiexec", default=os.environ.get("MPIEXEC", "mpiexec"))
ap.add_argument("--keep", default=None, help="work in this directory and keep it")
ap.add_argument("extra", nargs="*", help="more simulate options (after --)")
a = ap.parse_args()

env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")
d = a.keep or tempfile.mkdtemp(prefix="mrdyn-soak-")
os.makedirs(d, exist_ok=True)
model = os.path.join(d, "soak-model.h5")
out = os.path.join(d, "soak.h5")
for p in (out, out + ".partial", out + ".ckpt"):
    if os.path.exists(p):
        os.unlink(p)
# three regions (N = 200, 150, 100): one chaotic, the paper's make_T couplings
R = 3
aa, bb = np.array([1.2, 1.5, 1.1]), np.array([0.8, 0.6, 0.9])
c = np.outer(np.sqrt(bb), np.sqrt(bb)) + np.diag(aa - bb)
T = np.zeros((R, R, R))
for r in range(R):
    T[r, :, r] = c[r, :]
with h5py.File(model, "w") as f:
    f["N"] = np.array([200, 150, 100], dtype=np.int64)
    f["g"] = np.array([1.5, 1.2, 0.8])
    f["T"] = T

tf = a.steps * a.dt
cmd = [a.mpiexec, "-n", str(a.ranks), a.mrdyn, "simulate", "-model", model, "-o", out, "-t_final", repr(tf), "-dt", repr(a.dt),
       "-save_every", str(a.save_every), "-checkpoint_every", str(a.ckpt), "-progress", "0.1", "-seed", "7"] + a.extra
print("# " + " ".join(cmd), flush=True)
t0 = time.time()
p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def ranks():
    """pids of the mrdyn processes under mpiexec."""
    parent, comm = {}, {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/stat" % pid) as f:
                st = f.read()
        except OSError:
            continue
        parent[int(pid)] = int(st[st.rindex(")") + 2:].split()[1])
        comm[int(pid)] = st[st.index("(") + 1:st.rindex(")")]
    out = []
    for pid in parent:
        q = pid
        while q > 1 and q != p.pid:
            q = parent.get(q, 1)
        if q == p.pid and comm[pid] == "mrdyn":
            out.append(pid)
    return sorted(out)


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


samples = []  # (step, [rss of each rank in kB])
step_re = re.compile(r"^\s*step (\d+)\s")
log = []
ckpts = set()  # the checkpoint files seen (each is written to .partial and renamed: a new inode)
for line in p.stdout:
    log.append(line)
    m = step_re.match(line)
    if m:
        pids = ranks()
        rs = [rss_kb(q) for q in pids]
        if pids and None not in rs:
            samples.append((int(m.group(1)), rs))
        try:
            st = os.stat(out + ".ckpt")
            ckpts.add((st.st_ino, st.st_mtime_ns))
        except OSError:
            pass
p.wait()
wall = time.time() - t0
if p.returncode != 0:
    sys.stdout.write("".join(log[-30:]))
    print("soak: the run failed (exit %d)" % p.returncode)
    sys.exit(1)
with h5py.File(out, "r") as f:
    steps, rows = int(f.attrs["steps"]), f["time"].shape[0]
last = 0
if a.ckpt <= steps:
    with h5py.File(out + ".ckpt", "r") as f:
        last = int(f.attrs["step"])
print("# %d steps in %.0f s on %d ranks (%.0f steps/s), %d saved rows; checkpoints every %d steps: %d distinct files seen by the "
      "sampler, the last at step %d; %d RSS samples" % (steps, wall, a.ranks, steps / wall, rows, a.ckpt, len(ckpts), last, len(samples)))
if steps != a.steps or rows != steps // a.save_every + 1 or (a.ckpt <= steps and (last % a.ckpt or last < steps - a.ckpt)):
    print("soak: the run is not what was asked (steps %d, rows %d, last checkpoint at %d)" % (steps, rows, last))
    sys.exit(1)
marks = []
for k in range(1, steps // a.every + 1):
    at = [s for s in samples if s[0] >= k * a.every]
    if at:
        marks.append(at[0])
if not marks:
    print("soak: no progress line reached the first mark (run longer or print progress more often)")
    sys.exit(1)
print("%10s  %s" % ("step", "  ".join("rank%d RSS/kB" % i for i in range(len(marks[0][1])))))
for s, rs in marks:
    print("%10d  %s" % (s, "  ".join("%12d" % v for v in rs)))
base = np.array(marks[0][1], float)
allr = np.array([rs for s, rs in samples if s >= marks[0][0]], float)
growth = (allr.max(axis=0) - allr.min(axis=0)) / base
last = (np.array(marks[-1][1], float) - base) / base
print("# per rank, from step %d on: (max - min) / RSS at the first mark = %s; last mark vs first = %s" %
      (marks[0][0], ", ".join("%.3f%%" % (100 * g) for g in growth), ", ".join("%+.3f%%" % (100 * g) for g in last)))
ok = bool((growth <= a.tolerance).all())
print("soak: %s (tolerance %.1f%%)" % ("flat" if ok else "GROWS", 100 * a.tolerance))
if not a.keep:
    shutil.rmtree(d, ignore_errors=True)
sys.exit(0 if ok else 1)
