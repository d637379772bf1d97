#!/usr/bin/python3
"""mrdyn spectrum next to NumPy's eigvals (LAPACK dgeev through NumPy) in one run.

For each n: a paper model with R = 4 regions of n/4 neurons, its W written by
`simulate -save_connectivity` (the same realisation), NumPy's eigvals on it,
then `mrdyn spectrum` on 1 and 2 ranks with each method asked for. Prints one
table with the wall times (mrdyn: the eigenvalue phase it reports, and the
whole command), their ratio to NumPy, and the largest distance between mrdyn's
and NumPy's eigenvalues. Run it on a quiet machine (uptime).

  /usr/bin/python3 bench/bench_spectrum.py [--sizes 2000 4000] [--ranks 1 2]
      [--methods lapack scalapack] [--mrdyn build/mrdyn] [--keep DIR] [--repeat K]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 4000])
ap.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
ap.add_argument("--methods", nargs="+", default=["lapack"])
ap.add_argument("--mrdyn", default=os.path.join(here, "..", "build", "mrdyn"))
ap.add_argument("--keep", default=None, help="work directory to keep (default: a temporary one)")
ap.add_argument("--no-numpy", action="store_true", help="skip NumPy (n too large for the rebuilt W)")
ap.add_argument("--repeat", type=int, default=1, help="runs of each; the fastest is reported")
a = ap.parse_args()

env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")
work = a.keep or tempfile.mkdtemp(prefix="bench-spectrum-")
os.makedirs(work, exist_ok=True)


def sh(cmd, np_=1):
    full = (["mpiexec", "-n", str(np_)] if np_ > 1 else []) + [a.mrdyn] + [str(c) for c in cmd]
    t = time.perf_counter()
    r = subprocess.run(full, capture_output=True, text=True, env=env)
    if r.returncode:
        sys.exit("failed: %s\n%s" % (" ".join(full), r.stderr[-2000:]))
    return time.perf_counter() - t, r.stdout


def rebuild_W(run_file):
    """W[(r,i),(s,j)] = delta_rs J^r_ij + sum_{c: s->r} m^c_i n^c_j / N_s."""
    with h5py.File(run_file, "r") as f:
        N = f.attrs["N"].astype(int)
        R = len(N)
        tgt, src = f["channel/target"][:], f["channel/source"][:]
        vec = [f["network/region%d/vectors" % r][:] for r in range(R)]
        off = np.concatenate([[0], np.cumsum(N)])
        W = np.zeros((off[-1], off[-1]))
        for r in range(R):
            W[off[r]:off[r + 1], off[r]:off[r + 1]] = f["network/region%d/J" % r][:]
    C = len(tgt)
    outs = [[c for c in range(C) if src[c] == s] for s in range(R)]
    ins = [[c for c in range(C) if tgt[c] == r] for r in range(R)]
    for c in range(C):
        r, s = tgt[c], src[c]
        n = vec[s][:, outs[s].index(c)]
        m = vec[r][:, len(outs[r]) + ins[r].index(c)]
        W[off[r]:off[r + 1], off[s]:off[s + 1]] += np.outer(m, n) / N[s]
    return W


def worst(a, b):
    """Largest distance from an eigenvalue of a to the nearest of b (sorted search on the real part)."""
    order = np.argsort(b.real)
    br = b.real[order]
    out = 0.0
    for x in a:
        k = np.searchsorted(br, x.real)
        lo, hi = max(0, k - 200), min(len(b), k + 200)
        out = max(out, np.min(np.abs(b[order[lo:hi]] - x)))
    return out


def machine():
    cpu = [l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")]
    blas = sorted({l.split()[-1] for l in open("/proc/self/maps") if "blas" in l or "lapack" in l})
    return "%d x %s; NumPy %s on %s" % (len(cpu), cpu[0] if cpu else "?", np.__version__, ", ".join(os.path.basename(os.path.dirname(b)) + "/" + os.path.basename(b) for b in blas))


np.linalg.eigvals(np.eye(4))  # load NumPy's LAPACK before looking at the maps
print("machine: %s" % machine())
print("command: %s" % " ".join(sys.argv))
print("load before: %s" % open("/proc/loadavg").read().split()[:3])
rows = []
for n in a.sizes:
    model = os.path.join(work, "m%d.h5" % n)
    sh(["model", "paper", "-R", 4, "-N", n // 4, "-g", 1.5, "-a", 2, "-b", 1.5, "-o", model, "-force"])
    ref = None
    if not a.no_numpy:
        run = os.path.join(work, "run%d.h5" % n)
        sh(["simulate", "-model", model, "-seed", 1, "-o", run, "-t_final", 0.01, "-dt", 0.01, "-save_connectivity", "-progress", 0, "-force"], np_=2)
        W = rebuild_W(run)
        os.remove(run)
        tnp = float("inf")
        for _ in range(a.repeat):
            t = time.perf_counter()
            ref = np.linalg.eigvals(W)
            tnp = min(tnp, time.perf_counter() - t)
        del W
        rows.append((n, "numpy eigvals (dgeev, 1 thread)", 1, tnp, tnp, 1.0, 0.0))
    for meth in a.methods:
        for p in a.ranks:
            out = os.path.join(work, "s%d_%s_%d.h5" % (n, meth, p))
            best = None
            for _ in range(a.repeat):
                wall, _ = sh(["spectrum", "-model", model, "-seed", 1, "-o", out, "-force", "-spectrum_method", meth], np_=p)
                with h5py.File(out, "r") as f:
                    e = f["eigenvalues"][:]
                    eig = f.attrs["wall_seconds"]
                    assert f.attrs["method"].decode() == meth
                    what = "mrdyn spectrum %s" % meth
                    if meth == "lapack":
                        what += " (rank 0, %d thread%s)" % (f.attrs["lapack_threads"], "s" if f.attrs["lapack_threads"] > 1 else "")
                if best is None or eig < best[0]:
                    best = (eig, wall)
            e = e[:, 0] + 1j * e[:, 1]
            dev = worst(e, ref) if ref is not None else float("nan")
            rows.append((n, what, p, best[0], best[1], (tnp / best[0]) if ref is not None else float("nan"), dev))
            os.remove(out)
print("load after: %s" % open("/proc/loadavg").read().split()[:3])
print("| n | what | ranks | eigenvalues (s) | whole command (s) | NumPy's time / this (> 1: faster than NumPy) | largest distance to NumPy's eigenvalues |")
print("|---|---|---|---|---|---|---|")
for n, what, p, eig, wall, ratio, dev in rows:
    print("| %d | %s | %d | %.2f | %.2f | %.2f | %.1e |" % (n, what, p, eig, wall, ratio, dev))
if not a.keep:
    shutil.rmtree(work)
