"""Checkpoint and restart (issue 4): a run stopped by SIGUSR1 or SIGTERM writes a
checkpoint and exits with status 75; -restart continues it on the same or another
number of ranks and the result equals an uninterrupted run bit for bit; a kill -9
leaves the last periodic checkpoint valid and the output clearly partial; a
restart that does not belong to the run is refused with one message."""
import os
import signal
import subprocess
import time
import h5py
import numpy as np
from mrtest import run, tmpdir, check, finish, write_dense_model, make_T, signal_ranks, kill_job, MRDYN, MPIEXEC, ENV

d = tmpdir()
model = os.path.join(d, "m.h5")
# three regions of different disorder: chaos (g = 1.5) next to a fixed-point region
write_dense_model(model, N=[500, 400, 300], g=[1.5, 1.2, 0.8], T=make_T([1.2, 1.5, 1.1], [0.8, 0.6, 0.9]))
KEYS = ["time", "currents", "variance", "psi", "traces/x", "delta", "delta_times", "delta_lags"]


def opts(out, tf=400.0, extra=()):
    return ["simulate", "-model", model, "-o", out, "-t_final", tf, "-delta_times", "5,20", "-delta_lag_max", 10,
            "-traces", 3, "-save_every", 3, "-output_buffer", 7, "-progress", 0, "-seed", 4] + list(extra)


def same(a, b, what, keys=KEYS):
    with h5py.File(a, "r") as f, h5py.File(b, "r") as g:
        ok = all(np.array_equal(f[k][()], g[k][()], equal_nan=True) for k in keys)
        check(ok, what)
        return ok


def start(np_, args):
    return subprocess.Popen([MPIEXEC, "-n", str(np_), MRDYN] + [str(a) for a in args], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for(path, timeout=120):
    t0 = time.time()
    while not os.path.exists(path) and time.time() - t0 < timeout:
        time.sleep(0.05)
    return os.path.exists(path)


ref = os.path.join(d, "ref.h5")
run(opts(ref), np_=2)

# 1. SIGUSR1 (SLURM --signal) to mpiexec, which forwards it to every rank
for sig, np1, np2 in ((signal.SIGUSR1, 2, 2), (signal.SIGTERM, 2, 3), (signal.SIGUSR1, 1, 4)):
    out = os.path.join(d, "sig%d-%d-%d.h5" % (sig, np1, np2))
    p = start(np1, opts(out))
    check(wait_for(out + ".partial"), "the run started (%s)" % out)
    time.sleep(0.5)
    if sig == signal.SIGUSR1:
        p.send_signal(sig)  # mpiexec forwards SIGUSR1 to every rank
    else:
        signal_ranks(p, sig)  # SLURM signals every task itself; mpiexec would kill the job on SIGTERM
    so, se = p.communicate(timeout=120)
    check(p.returncode == 75, "signal %d: exit status 75 (got %s)" % (sig, p.returncode))
    check("checkpoint" in se and "-restart" in se, "signal %d: one message naming the checkpoint and -restart" % sig)
    check(os.path.exists(out + ".ckpt") and os.path.exists(out + ".partial") and not os.path.exists(out),
          "signal %d: checkpoint written, output left as .partial" % sig)
    with h5py.File(out + ".ckpt", "r") as f:
        step = int(f.attrs["step"])
        check(f.attrs["status"] == b"complete" or f.attrs["status"] == "complete", "checkpoint marked complete")
    check(0 < step < 8000, "stopped mid-run (step %d of 8000)" % step)
    r = run(opts(out, extra=["-restart", out + ".ckpt"]), np_=np2)
    check("restarting from" in r.stdout, "restart announced")
    same(ref, out, "restart on %d ranks after a stop on %d equals the uninterrupted run bitwise" % (np2, np1))
    check(not os.path.exists(out + ".partial"), "no partial file after the restarted run completes")

# 2. kill -9 between periodic checkpoints: the last checkpoint stays valid
out = os.path.join(d, "killed.h5")
p = start(2, opts(out, extra=["-checkpoint_every", 200]))
check(wait_for(out + ".ckpt"), "a periodic checkpoint appeared")
time.sleep(0.3)
kill_job(p)
check(not os.path.exists(out), "kill -9: no file under the final name")
check(os.path.exists(out + ".partial"), "kill -9: the output is left clearly partial")
with h5py.File(out + ".ckpt", "r") as f:
    check(int(f.attrs["step"]) % 200 == 0, "kill -9: the checkpoint is a complete periodic one (step %d)" % f.attrs["step"])
run(opts(out, extra=["-checkpoint_every", 200, "-restart", out + ".ckpt"]), np_=3)
same(ref, out, "restart after kill -9 equals the uninterrupted run bitwise")

# 3. trials, RK4 and -save_activity survive a restart too
for extra, name in ((["-trials", 3, "-delta_times", "5,20", "-delta_lag_max", 5], "trials"), (["-ts_type", "rk", "-ts_rk_type", "4"], "rk4"), (["-save_activity", 7], "activity")):
    keys = ["time", "currents", "variance", "psi", "traces/x"] + (["activity", "activity_time"] if name == "activity" else []) + (["delta"] if name == "trials" else [])
    base = ["simulate", "-model", model, "-t_final", 300 if name == "activity" else 60, "-progress", 0, "-seed", 2] + extra
    ref2 = os.path.join(d, "ref-%s.h5" % name)
    run(base + ["-o", ref2], np_=2)
    out = os.path.join(d, "stop-%s.h5" % name)
    p = start(2, base + ["-o", out])
    wait_for(out + ".partial")
    time.sleep(0.3)
    p.send_signal(signal.SIGUSR1)
    p.communicate(timeout=120)
    check(p.returncode == 75, "%s: stopped with status 75" % name)
    run(base + ["-o", out, "-restart", out + ".ckpt"], np_=1)
    same(ref2, out, "%s: restart on 1 rank equals the uninterrupted run" % name, keys)

# 4. restarts that do not belong to the run: one message, exit 1 on every rank, nothing damaged
out = os.path.join(d, "bad.h5")
p = start(2, opts(out))
wait_for(out + ".partial")
time.sleep(0.3)
p.send_signal(signal.SIGUSR1)
p.communicate(timeout=120)
ck = out + ".ckpt"
st = os.stat(ck).st_mtime_ns, os.stat(out + ".partial").st_mtime_ns
other = os.path.join(d, "other.h5")
write_dense_model(other, N=[500, 400, 300], g=[1.5, 1.2, 0.9], T=make_T([1.2, 1.5, 1.1], [0.8, 0.6, 0.9]))
cases = [
    (opts(out, extra=["-restart", os.path.join(d, "nope.ckpt")]), "cannot open"),
    (opts(out, extra=["-restart", model]), "not a simulate checkpoint"),
    (opts(out, extra=["-restart", ck, "-seed", 5]), "-seed"),
    (opts(out, tf=100.0, extra=["-restart", ck]), "-t_final"),
    (opts(out, extra=["-restart", ck, "-trials", 2]), "-trials"),
    (opts(os.path.join(d, "elsewhere.h5"), extra=["-restart", ck]), "belongs to the run"),
    ([a if a != model else other for a in opts(out, extra=["-restart", ck])], "another model"),
    (opts(out, extra=["-checkpoint_every", -1]), "-checkpoint_every"),
]
for args, words in cases:
    r = run(args, np_=2, check=False)
    check(r.returncode == 1 and words in r.stderr and r.stderr.count("mrdyn: error") == 1,
          "bad restart (%s): exit 1 with one message" % words)
check((os.stat(ck).st_mtime_ns, os.stat(out + ".partial").st_mtime_ns) == st, "bad restarts changed neither checkpoint nor output")
r = run(opts(ref, extra=["-restart", ck]), np_=1, check=False)
check(r.returncode == 1 and ("already complete" in r.stderr or "belongs to the run" in r.stderr), "restart of a complete output refused")
finish()
