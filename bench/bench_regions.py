#!/usr/bin/python3
"""Benchmark 2 (not a test): many small regions on a sparse region graph.

R regions of N neurons (default R = 10000, N = 200, dense disorder g = 1.2),
out-degree 8, one channel per edge, in 64-region random clusters (most edges
inside); `mrdyn simulate` for a few steps at each P and each -partition. Prints
the time per step, its lower bound from the bytes of J on the busiest rank over
the triad bandwidth measured by bench_step in the same run, and the exchange
bytes per step against the edge cut (8 bytes per cut channel and step).

usage: /usr/bin/python3 bench/bench_regions.py [-R 10000] [-N 200] [-P 1,2] [-t 0.5]
"""
import argparse
import os
import subprocess
import tempfile

import h5py

ap = argparse.ArgumentParser()
ap.add_argument("-R", type=int, default=10000)
ap.add_argument("-N", type=int, default=200)
ap.add_argument("-P", default="1,2")
ap.add_argument("-t", type=float, default=0.5, help="simulated time (dt = 0.05)")
ap.add_argument("-build", default="build")
a = ap.parse_args()
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")
mrdyn = os.path.join(a.build, "mrdyn")
d = tempfile.mkdtemp(prefix="mrdyn-bench-")
model = os.path.join(d, "graph.h5")
subprocess.run([mrdyn, "model", "graph", "-R", str(a.R), "-N", str(a.N), "-g", "1.2", "-degree", "8", "-rank", "1",
                "-clusters", str(max(1, a.R // 64)), "-p_out", "0.05", "-seed", "1", "-o", model], check=True, env=env, stdout=subprocess.DEVNULL)


def triad(P):
    """Aggregate triad bandwidth of P ranks (GB/s), from bench_step with no network sizes."""
    out = subprocess.run(["mpiexec", "-n", str(P), os.path.join(a.build, "bench", "bench_step"), "-sizes", "64", "-reps", "1",
                          "-precisions", "double", "-R", "1"], capture_output=True, text=True, env=env).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) == 8 and f[0] == "1" and f[1] == "64":
            return float(f[5])
    return float("nan")


jbytes = 8.0 * a.R * a.N * (8 * ((a.N + 7) // 8))  # padded rows of dense double J
C = a.R * 8
print("R = %d regions of N = %d, C = %d channels, J = %.2f GB in all" % (a.R, a.N, C, jbytes / 1e9))
print("%2s %-10s %10s %10s %8s %12s %10s %12s" % ("P", "partition", "ms/step", "bound ms", "ratio", "bytes/step", "edge cut", "bytes/(8 cut)"))
for P in [int(x) for x in a.P.split(",")]:
    bw = triad(P)
    for part in ("contiguous", "roundrobin", "ptscotch"):
        if P == 1 and part != "contiguous":
            continue
        out = os.path.join(d, "run-%d-%s.h5" % (P, part))
        subprocess.run(["mpiexec", "-n", str(P), mrdyn, "simulate", "-model", model, "-o", out, "-force", "-t_final", str(a.t),
                        "-traces", "0", "-partition", part, "-progress", "0"], check=True, env=env, stdout=subprocess.DEVNULL)
        with h5py.File(out, "r") as f:
            steps, wall = int(f.attrs["steps"]), float(f.attrs["wall_seconds"])
            eb, cut = float(f.attrs["exchange_bytes_per_step"]), int(f.attrs["edge_cut_channels"])
        t = wall / steps
        bound = jbytes / P / (bw / P * 1e9)  # balanced share of J over each rank's triad bandwidth
        print("%2d %-10s %10.1f %10.1f %8.2f %12.0f %10d %12.2f" % (P, part, 1e3 * t, 1e3 * bound, bound / t, eb, cut, eb / (8 * cut) if cut else float("nan")))
print("(triad bandwidth measured by bench_step next to each P; ratio = bound / time)")
