"""The jobs/ scripts under a real single-node SLURM (tests/slurm_harness.py):
one run (srun --mpi=pmix), a multi-node script launched with mpirun, a long run
that checkpoints on USR1 and requeues itself (result equal to an uninterrupted
run), a sweep as a job array with a dependent merge job, and the reduced Fig. 5
example with its PNGs. Skips (77) where SLURM cannot start unless
MRDYN_REQUIRE_SLURM=1."""
import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
from mrtest import check, finish, tmpdir, run, MRDYN
from slurm_harness import SlurmCluster, require_slurm

signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
require_slurm()

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
mrdyn = os.path.abspath(MRDYN)
d = tmpdir()
os.chmod(d, 0o755)
model = os.path.join(d, "m.h5")
run(["model", "paper", "-R", 3, "-N", 300, "-g", "1.5,1.2,0.8", "-a", "1.2,1.5,1.1", "-b", "0.8,0.6,0.9", "-o", model])
env = {"MRDYN": mrdyn, "JOBS": os.path.join(top, "jobs"), "TOOLS": os.path.join(top, "tools"), "MODEL": model,
       "OMPI_MCA_rmaps_base_oversubscribe": "1"}


def read(path):
    with open(path) as f:
        return f.read()


def same(a, b, keys=("time", "currents", "variance", "psi", "traces/x")):
    with h5py.File(a, "r") as f, h5py.File(b, "r") as g:
        return all(np.array_equal(f[k][()], g[k][()]) for k in keys)


LONG = "-t_final 1500 -save_every 10 -seed 3"
ref_long = os.path.join(d, "ref-long.h5")
run(["simulate", "-model", model, "-o", ref_long, "-progress", 0] + LONG.split(), np_=2)
ref_one = os.path.join(d, "ref-one.h5")
run(["simulate", "-model", model, "-o", ref_one, "-progress", 0, "-t_final", 20, "-seed", 5], np_=1)
sweep = os.path.join(d, "s.yaml")
with open(sweep, "w") as f:
    f.write("""verb: dmft
output: %s
model: {generator: random, R: 2, N: 500, g: 1.5, tol: 0.05, rescale: 1}
options: {dt: 0.05, t_final: 40}
vary: {w_re: [0.5, 2.5, 4.0], w_im: [0.0, 2.0], seed: [1, 2]}
""" % os.path.join(d, "sw"))

with SlurmCluster(cpus=max(4, os.cpu_count() or 1)) as c:
    e = dict(env)
    # the long run first: it is requeued and waits out SLURM's hold-back meanwhile
    j_long = c.sbatch([os.path.join(top, "jobs/long-run.sbatch")], cwd=d,
                      env=dict(e, OUT="long.h5", OPTS=LONG, EVERY="5000", LAUNCH="srun"),
                      extra=["--ntasks=2", "-o", "long.out"])
    j_one = c.sbatch([os.path.join(top, "jobs/simulate.sbatch")], cwd=d,
                     env=dict(e, OUT="one.h5", OPTS="-t_final 20 -seed 5"), extra=["--ntasks=2", "-o", "one.out"])
    j_mn = c.sbatch([os.path.join(top, "jobs/multinode.sbatch")], cwd=d,
                    env=dict(e, OUT="mn.h5", OPTS="-t_final 20 -seed 5", LAUNCH="mpirun"),
                    extra=["--nodes=1", "--ntasks-per-node=2", "-o", "mn.out"])
    p = c.run([os.path.join(top, "jobs/submit-sweep.sh"), sweep, "3", "--ntasks=1"], cwd=d, env=dict(e, PLOT="sw"))
    words = p.stdout.split()
    j_arr, j_merge = int(words[3]), int(words[-1])
    check("merge job" in p.stdout, "submit-sweep.sh queued an array and a merge job: %s" % p.stdout.strip())

    # the long run: once it computes, USR1 to the batch shell as --signal=B:USR1 would send it
    c.wait_until(lambda: os.path.exists(os.path.join(d, "long.h5.partial")) and "step" in read(os.path.join(d, "long.out")) or
                 os.path.exists(os.path.join(d, "long.h5.partial")), 120, "long run to start", poll=0.1, jobid=j_long)
    time.sleep(1.0)
    c.scancel(j_long, signal="USR1", batch=True)
    st = c.wait(j_one, timeout=300)
    check(st == {str(j_one): "COMPLETED"}, "jobs/simulate.sbatch (srun --mpi=pmix) completed: %s" % st)
    check(os.path.exists(os.path.join(d, "one.h5")) and same(ref_one, os.path.join(d, "one.h5")), "its output equals the same run by mpiexec")
    st = c.wait(j_mn, timeout=300)
    check(st == {str(j_mn): "COMPLETED"}, "jobs/multinode.sbatch with LAUNCH=mpirun completed: %s" % st)
    check("launched with mpirun" in read(os.path.join(d, "mn.out")) and same(ref_one, os.path.join(d, "mn.h5")), "its output equals the same run by mpiexec")

    st = c.wait(j_merge, timeout=600)
    check(st == {str(j_merge): "COMPLETED"}, "the merge job ran after the array: %s" % st)
    arr = c.states(j_arr)
    check(len(arr) == 3 and all(v == "COMPLETED" for v in arr.values()), "three array tasks completed: %s" % arr)
    with h5py.File(os.path.join(d, "sw", "summary.h5"), "r") as f:
        m = f["members"][:]
    check(len(m) == 12 and all(m["status"] == b"done"), "the merged summary lists all 12 members done")
    check(all(os.path.exists(os.path.join(d, "sw", "summary-%d-of-3.h5" % i)) for i in range(3)), "one summary per slice")
    check(os.path.exists(os.path.join(d, "sw-classes.png")) and os.path.exists(os.path.join(d, "sw-entropy.png")), "the merge job drew the PNGs")

    st = c.wait(j_long, timeout=600)
    out = read(os.path.join(d, "long.out"))
    recs = c.records(j_long)
    check(st == {str(j_long): "COMPLETED"}, "the long run completed after its requeue: %s" % st)
    check("requeueing" in out and "restarting from" in out and recs[0].get("Restarts") == "1",
          "it checkpointed on USR1, requeued itself once and restarted from the checkpoint")
    check(os.path.exists(os.path.join(d, "long.h5")) and same(ref_long, os.path.join(d, "long.h5")), "the requeued run equals an uninterrupted run bit for bit")

    # the scaling study on a tiny setting, and its plot
    jsc = c.sbatch([os.path.join(top, "jobs/scaling.sbatch")], cwd=d, env=dict(e, PLIST="1 2", N="64", REGIONS_PER_RANK="16", STEPS_T="0.5", LAUNCH="mpirun"),
                   extra=["--nodes=1", "--ntasks-per-node=2", "-o", "scaling.out"])
    st = c.wait(jsc, timeout=600)
    check(st == {str(jsc): "COMPLETED"}, "jobs/scaling.sbatch completed: %s" % st)
    rows = read(os.path.join(d, "scaling.csv")).strip().splitlines()
    check(len(rows) == 5 and rows[0].startswith("study,P,R") and all(len(r.split(",")) == 10 for r in rows), "scaling.csv: weak and strong points at P = 1, 2")
    sp = subprocess.run(["/usr/bin/python3", os.path.join(top, "tools/plot_scaling.py"), os.path.join(d, "scaling.csv"), "-o", os.path.join(d, "scaling.png")], capture_output=True, text=True)
    check(sp.returncode == 0 and os.path.exists(os.path.join(d, "scaling.png")), "tools/plot_scaling.py draws it")

    # the reduced map of the currents' classes (jobs/currents-map-small.yaml)
    t0 = time.time()
    j5 = c.sbatch([os.path.join(top, "jobs/currents-map.sbatch")], cwd=d, env=dict(e, SWEEP=os.path.join(top, "jobs/currents-map-small.yaml"), PLOT="currents-map-small"),
                  extra=["--ntasks=2", "-o", "currents-map.out"])
    st = c.wait(j5, timeout=900)
    check(st == {str(j5): "COMPLETED"}, "jobs/currents-map.sbatch on the reduced grid completed in %.0f s: %s" % (time.time() - t0, st))
    with h5py.File(os.path.join(d, "currents-map-small", "summary.h5"), "r") as f:
        m = f["members"][:]
    check(len(m) == 400 and all(m["status"] == b"done"), "400 mean-field solves done")
    classes = set(m["class"])
    check({b"fixed point", b"limit cycle"} <= classes, "fixed points and limit cycles over the grid (%s)" % sorted(classes))
    fp = m[m["w_re"] < 0.5]
    check(all(fp["class"] == b"fixed point"), "small w_re: every draw settles on a fixed point")
    check(os.path.exists(os.path.join(d, "currents-map-small-classes.png")) and os.path.exists(os.path.join(d, "currents-map-small-entropy.png")), "heat map and entropy map written")
finish()
