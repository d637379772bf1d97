"""Exit statuses when the launcher itself is signalled (issue 12, docs/usage.md
"Exit status"), and how jobs/long-run.sbatch handles them, without SLURM (a stub
scontrol records the requeue):

1. Open MPI's mpiexec sent SIGTERM forwards it to the ranks, which write their
   checkpoint and exit 75, but mpiexec itself returns 1.
2. jobs/long-run.sbatch with LAUNCH=mpirun, its shell and mpirun sent SIGTERM
   (as SLURM signals the batch step on preemption or at the time limit):
   the script requeues the job although mpirun returned 1, and the requeued run
   continues from the checkpoint to the complete output.
3. A run that fails without a signal is not requeued.
"""
import os
import signal
import subprocess
import time

from mrtest import check, finish, tmpdir, run, ENV, MPIEXEC, MRDYN

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
mrdyn = os.path.abspath(MRDYN)
d = tmpdir()
# two regions of 300; the runs are signalled once their first checkpoint (step 500) is written,
# long before their end (10^5 steps for the job, 2 x 10^6 for the first run)
run(["model", "paper", "-R", 2, "-N", 300, "-g", "1.5,0.5", "-a", "1.2,1.5", "-b", "0.8,0.6", "-o", os.path.join(d, "m.h5")])
OPTS = "-t_final 5000 -dt 0.05 -save_every 10 -seed 1"


def wait_for(path, timeout=60):
    t0 = time.time()
    while not os.path.exists(path):
        if time.time() - t0 > timeout:
            return False
        time.sleep(0.05)
    return True


# 1. mpiexec sent SIGTERM
out = os.path.join(d, "a.h5")
# a periodic checkpoint every 500 steps: once the first is there, the step loop runs (signals are handled)
p = subprocess.Popen([MPIEXEC, "-n", "2", mrdyn, "simulate", "-model", os.path.join(d, "m.h5"), "-o", out, "-progress", "0", "-checkpoint_every", "500",
                      "-t_final", "100000", "-dt", "0.05"], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=d)
check(wait_for(out + ".ckpt"), "the run started")
p.send_signal(signal.SIGTERM)
so, se = p.communicate(timeout=120)
check(p.returncode == 1, "mpiexec sent SIGTERM returns 1 (Open MPI; got %s)" % p.returncode)
check("mrdyn: stopped by signal 15" in so + se and "checkpoint" in so + se and os.path.exists(out + ".partial") and not os.path.exists(out),
      "... although the ranks got SIGTERM from it and wrote their checkpoint (the output left as .partial) [%s]" % (se.strip().splitlines() or [""])[0])

# 2. jobs/long-run.sbatch with mpirun, the batch step sent SIGTERM
stub = os.path.join(d, "bin")
os.makedirs(stub)
log = os.path.join(d, "scontrol.log")
with open(os.path.join(stub, "scontrol"), "w") as f:
    f.write('#!/bin/sh\necho "scontrol $*" >> "%s"\n' % log)
os.chmod(os.path.join(stub, "scontrol"), 0o755)
env = dict(ENV, PATH=stub + ":" + os.environ["PATH"], MRDYN=mrdyn, JOBS=os.path.join(top, "jobs"), LAUNCH="mpirun", SLURM_NTASKS="2",
           SLURM_JOB_ID="42", MODEL="m.h5", OUT="long.h5", EVERY="500", OPTS=OPTS)


def job(extra=None, signal_after=None):
    p = subprocess.Popen(["bash", os.path.join(top, "jobs", "long-run.sbatch")], env=dict(env, **(extra or {})), cwd=d,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    if signal_after is not None:
        started = wait_for(os.path.join(d, "long.h5.ckpt"))  # the first periodic checkpoint: the step loop runs
        time.sleep(signal_after)
        # the shell and mpirun (SLURM signals every process of the batch step; mpirun's
        # ranks, in their own process group, get it from mpirun)
        os.killpg(p.pid, signal.SIGTERM)
        check(started, "the job's run started")
    out, _ = p.communicate(timeout=300)
    return p.returncode, out


rc, out = job(signal_after=0.0)
calls = open(log).read() if os.path.exists(log) else ""
check("checkpoint written (status 1)" in out and "stopped by signal 15" in out, "the job saw mpirun return 1 after the ranks checkpointed")
check(rc == 0 and calls == "scontrol requeue 42\n", "... and requeued itself (exit %s, scontrol calls %r)" % (rc, calls))
if os.path.exists(log):
    os.unlink(log)
rc, out = job(extra={"SLURM_RESTART_COUNT": "1"})
check(rc == 0 and "restarting from long.h5.ckpt" in out and os.path.exists(os.path.join(d, "long.h5")) and not os.path.exists(log),
      "the requeued run continued from the checkpoint to the complete output (exit %s)" % rc)

# 3. a failure without a signal is not requeued
rc, out = job(extra={"OUT": "other.h5", "MODEL": "missing.h5"})
check(rc == 1 and "mrdyn finished with status 1" in out and not os.path.exists(log), "a run that fails by itself is not requeued (exit %s)" % rc)
finish()
