"""A real single-node SLURM (tests/slurm_harness.py) runs the batch patterns our
jobs/*.sbatch scripts use: a plain job, a job array with a dependent merge job,
the requeue-on-signal checkpoint pattern (signal sent by scancel, and by the
time limit through --signal), and MPI under SLURM (srun --mpi=pmix, mpirun).
Skips (exit 77) when SLURM cannot run here (not root, packages missing) unless
MRDYN_REQUIRE_SLURM=1.  Does not need the mrdyn binary."""
import os
import shutil
import signal
import subprocess
import sys
import time

from mrtest import check, finish, tmpdir
from slurm_harness import SlurmCluster, require_slurm

# the test runner's SIGTERM (timeout) still stops the daemons through __exit__
signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))

T0 = time.monotonic()


def elapsed():
    return time.monotonic() - T0


def write(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def read(path):
    with open(path) as f:
        return f.read()


require_slurm()

d = tmpdir()

# ---- job scripts ------------------------------------------------------------------

write(os.path.join(d, "trivial.sbatch"), """#!/bin/bash
#SBATCH --job-name=trivial
echo "hello from $SLURM_JOB_ID arg=$1 conf=$SLURM_CONF"
""")

write(os.path.join(d, "part.sbatch"), """#!/bin/bash
#SBATCH --job-name=part
echo "$SLURM_ARRAY_TASK_ID" > part-$SLURM_ARRAY_TASK_ID.txt
""")

write(os.path.join(d, "merge.sbatch"), """#!/bin/bash
#SBATCH --job-name=merge
cat part-*.txt | sort -n > merged.txt
""")

write(os.path.join(d, "fail.sbatch"), """#!/bin/bash
exit 3
""")

# A stand-in for mrdyn: counts steps from its checkpoint (if any) to N; on SIGUSR1
# writes the checkpoint and exits 0 at once.  "worker at step" tells the test
# that it runs with its handler installed and has done some work.
write(os.path.join(d, "worker.py"), """import os, signal, sys, time
state, n = sys.argv[1], int(sys.argv[2])
i = int(open(state).read()) if os.path.exists(state) else 0
stop = []
signal.signal(signal.SIGUSR1, lambda *a: stop.append(1))
print("worker resumes at", i, flush=True)
i0 = i
while i < n and not stop:
    i += 1
    if i == i0 + 20:
        print("worker at step", i, flush=True)
    time.sleep(0.01)
if stop:
    with open(state + ".tmp", "w") as f:
        f.write(str(i))
    os.replace(state + ".tmp", state)
    print("worker got USR1, checkpoint at", i, flush=True)
    sys.exit(0)
with open("result.txt", "w") as f:
    f.write(str(i))
print("worker done at", i, flush=True)
""")

# The requeue-on-signal pattern of our long-run job scripts:
#  - --signal=B:USR1@120: SLURM sends USR1 to the batch shell only (B:) 120 s
#    before the time limit; --requeue lets the job be requeued; --open-mode=append
#    keeps the first run's output when the job runs again.
#  - bash runs a trap only when the foreground command returns, so the worker
#    runs in the background and the shell waits in `wait`, which a trapped
#    signal interrupts at once.
#  - the trap forwards USR1 to the worker, waits for it to write its checkpoint
#    and exit, then requeues the job (it goes back to PENDING and, after
#    SLURM's hold-back, runs again with SLURM_RESTART_COUNT=1, 2, ...);
#    the next run resumes from the checkpoint.
write(os.path.join(d, "requeue.sbatch"), """#!/bin/bash
#SBATCH --job-name=requeue
#SBATCH --signal=B:USR1@120 --requeue --open-mode=append
echo "run ${SLURM_RESTART_COUNT:-0} starts"
on_usr1() {
  echo "batch shell got USR1"
  kill -USR1 "$worker"
  wait "$worker"
  echo "checkpoint written (worker exit $?), requeueing"
  scontrol requeue "$SLURM_JOB_ID"
  exit 0
}
trap on_usr1 USR1
/usr/bin/python3 worker.py state.txt "$1" &
worker=$!
wait "$worker"
echo "run ${SLURM_RESTART_COUNT:-0} finished (worker exit $?)"
""")

# The same signal sent by the time limit: --time=1 (minute), USR1 50 s before it.
# slurmctld checks time limits only every 30 s and sends the signal up to that
# much early, so it arrives 0-30 s after the start (measured: 18-27 s).
write(os.path.join(d, "timelimit.sbatch"), """#!/bin/bash
#SBATCH --job-name=timelimit
#SBATCH --time=1 --signal=B:USR1@50
echo "start $(date +%s.%N)"
trap 'echo "usr1 $(date +%s.%N)"; kill $sleeper; exit 0' USR1
sleep 100 &
sleeper=$!
wait $sleeper
echo "no signal"
""")

write(os.path.join(d, "mpi_hello.c"), r"""#include <mpi.h>
#include <stdio.h>
int main(int argc, char **argv)
{
  int rank, size, sum, one = 1;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Allreduce(&one, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  printf("rank %d of %d sum %d\n", rank, size, sum);
  MPI_Finalize();
  return 0;
}
""")

# Open MPI as root needs these; sbatch exports the submit environment to the job.
write(os.path.join(d, "mpi.sbatch"), """#!/bin/bash
#SBATCH --job-name=mpi --ntasks=2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
echo "== srun"
srun --mpi=pmix ./mpi_hello
echo "srun rc=$?"
echo "== mpirun"
mpirun ./mpi_hello
echo "mpirun rc=$?"
""")

mpicc = shutil.which("mpicc")
if mpicc:
    subprocess.run([mpicc, "-o", os.path.join(d, "mpi_hello"), os.path.join(d, "mpi_hello.c")], check=True)

# ---- run ----------------------------------------------------------------------------


# 4 slots on this 2-core machine (the harness allows it): these jobs mostly
# sleep, and all can run side by side, which keeps the test short.
with SlurmCluster(cpus=max(4, os.cpu_count() or 1)) as c:
    print("private SLURM up in %.1f s (%s, %d CPUs)" % (elapsed(), c.dir, c.cpus), flush=True)
    # the slow ones first, so the others run meanwhile
    j_tl = c.sbatch(["timelimit.sbatch"], cwd=d, extra=["-o", "timelimit.out"])
    j_rq = c.sbatch(["requeue.sbatch", "1000"], cwd=d, extra=["-o", "requeue.out"])
    j_triv = c.sbatch(["trivial.sbatch", "xyz"], cwd=d, extra=["-o", "trivial-%j.out"])
    j_arr = c.sbatch(["part.sbatch"], cwd=d, extra=["--array=0-3", "-o", "part-%A_%a.out"])
    j_merge = c.sbatch(["merge.sbatch"], cwd=d, extra=["--dependency=afterok:%d" % j_arr, "-o", "merge.out"])
    j_fail = c.sbatch(["fail.sbatch"], cwd=d, extra=["-o", "fail.out"])
    j_never = c.sbatch(["trivial.sbatch"], cwd=d, extra=["--dependency=afterok:%d" % j_fail, "-o", "never.out"])
    j_mpi = c.sbatch(["mpi.sbatch"], cwd=d, extra=["-o", "mpi.out"]) if mpicc else None

    # requeue on signal: signal the batch shell once the worker runs (trap set before it starts)
    rq_out = os.path.join(d, "requeue.out")
    c.wait_until(lambda: os.path.exists(rq_out) and "worker at step" in read(rq_out), 60,
                 "requeue job's worker to start", poll=0.1, jobid=j_rq)
    c.scancel(j_rq, signal="USR1", batch=True)
    t_sig = time.monotonic()
    c.wait_until(lambda: c.records(j_rq)[0].get("Restarts") == "1", 30, "requeue of job %d" % j_rq, jobid=j_rq)
    print("requeue: job %d requeued %.1f s after scancel --signal=USR1 --batch" % (j_rq, time.monotonic() - t_sig))

    # plain job
    st = c.wait(j_triv, timeout=60)
    check(st == {str(j_triv): "COMPLETED"}, "trivial job %d COMPLETED (%s)" % (j_triv, st))
    out = read(os.path.join(d, "trivial-%d.out" % j_triv))
    check(out.strip() == "hello from %d arg=xyz conf=%s" % (j_triv, c.conf),
          "trivial job output has its id, argument and SLURM_CONF: %r" % out.strip())

    # array and dependent merge
    st = c.wait(j_arr, timeout=60)
    check(st == {"%d_%d" % (j_arr, i): "COMPLETED" for i in range(4)}, "array %d: 4 tasks COMPLETED (%s)" % (j_arr, st))
    check(all(read(os.path.join(d, "part-%d.txt" % i)).strip() == str(i) for i in range(4)),
          "each array task wrote its index")
    st = c.wait(j_merge, timeout=60)
    check(st == {str(j_merge): "COMPLETED"}, "dependent merge job %d COMPLETED (%s)" % (j_merge, st))
    check(read(os.path.join(d, "merged.txt")).split() == ["0", "1", "2", "3"], "merge job saw all 4 parts")
    ends = [c.records("%d_%d" % (j_arr, i))[0]["EndTime"] for i in range(4)]
    start = c.records(j_merge)[0]["StartTime"]
    check(start >= max(ends), "merge started (%s) after the last array task ended (%s)" % (start, max(ends)))

    # a dependency that fails: the dependent job is cancelled, not left pending
    st_fail, st_never = c.wait(j_fail, timeout=60), c.wait(j_never, timeout=60)
    check(st_fail == {str(j_fail): "FAILED"} and st_never == {str(j_never): "CANCELLED"},
          "afterok on a failed job: %s, dependent %s" % (st_fail, st_never))

    # MPI under SLURM, 2 tasks
    if mpicc:
        st = c.wait(j_mpi, timeout=120)
        out = read(os.path.join(d, "mpi.out"))
        srun_part, _, mpirun_part = out.partition("== mpirun")
        ranks = ["rank %d of 2 sum 2" % r for r in range(2)]
        ok_srun = all(r in srun_part for r in ranks) and "srun rc=0" in srun_part
        ok_mpirun = all(r in mpirun_part for r in ranks) and "mpirun rc=0" in mpirun_part
        check(ok_srun, "srun --mpi=pmix ran 2 ranks that communicate")
        check(ok_mpirun, "mpirun in the allocation ran 2 ranks that communicate")
        check(st == {str(j_mpi): "COMPLETED"}, "MPI job %d COMPLETED (%s)" % (j_mpi, st))
        if not (ok_srun and ok_mpirun):
            print(out)
    else:
        print("skip MPI checks: no mpicc")

    # requeue pattern, second run
    st = c.wait(j_rq, timeout=120)
    out = read(rq_out)
    rec = c.records(j_rq)[0]
    check(st == {str(j_rq): "COMPLETED"}, "requeue job %d COMPLETED (%s)" % (j_rq, st))
    check(out.count("starts") == 2 and "run 0 starts" in out and "run 1 starts" in out,
          "requeue job ran twice, the second time with SLURM_RESTART_COUNT=1")
    check(rec.get("Restarts") == "1", "scontrol shows Restarts=1")
    check(out.count("batch shell got USR1") == 1 and out.count("worker got USR1") == 1,
          "USR1 reached the batch shell once and was forwarded to the worker once")
    ck = [line for line in out.splitlines() if line.startswith("worker got USR1")]
    resumed = [line for line in out.splitlines() if line.startswith("worker resumes at")]
    ck_at = int(ck[0].split()[-1]) if ck else -1
    check(len(resumed) == 2 and resumed[1] == "worker resumes at %d" % ck_at and 20 <= ck_at < 1000,
          "second run resumed from the checkpoint (step %d)" % ck_at)
    check(read(os.path.join(d, "result.txt")) == "1000" and "run 1 finished (worker exit 0)" in out,
          "second run finished the work (1000 steps)")
    runs = [r.get("JobState") for r in c.jobcomp_records(j_rq)]
    check(runs == ["PENDING", "COMPLETED"], "job completion log: first run requeued, second completed (%s)" % runs)

    # time-limit signal
    st = c.wait(j_tl, timeout=120)
    out = read(os.path.join(d, "timelimit.out")).split()
    t_start = float(out[out.index("start") + 1]) if "start" in out else None
    t_usr1 = float(out[out.index("usr1") + 1]) if "usr1" in out else None
    check(st == {str(j_tl): "COMPLETED"} and t_usr1 is not None,
          "--time=1 --signal=B:USR1@50: the batch shell got USR1 before the limit (%s)" % st)
    if t_usr1 is not None:
        print("time-limit signal arrived %.1f s after the job started (asked for 10 s)" % (t_usr1 - t_start))
        check(t_usr1 - t_start < 60, "time-limit signal before the 60 s limit")

print("total %.1f s" % elapsed())
if not os.environ.get("MRDYN_KEEP_SLURM"):
    shutil.rmtree(d, ignore_errors=True)
finish()
