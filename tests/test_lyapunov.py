"""mrdyn lyapunov: leading Lyapunov exponents from simulate's Euler trajectory
and the tangent map of the Euler step, re-orthonormalised by CholeskyQR2.
* one region, no structure: the largest exponent is positive at g = 2 and
  negative at g = 0.5, where the trajectory sits at x = 0 and the exponents are
  the log-moduli of the Euler map I + dt(-I + J) (its leading eigenvalues);
* two regions at a nonzero fixed point: all exponents negative and equal to
  log|1 + dt mu| / dt for the leading eigenvalues mu of the Jacobian
  -I + W diag(phi'(x*)), i.e. their real parts up to O(dt);
* the same exponents at 1, 2, 3, 4 ranks, bit for bit (the Gram matrix is summed
  in row blocks, then regions in order); a running estimate that settles;
* in-line (`simulate -analysis lyapunov`): the verb's exponents along
  simulate's own trajectory, the same at 1 and 3 ranks, and bit for bit across
  a stop (SIGUSR1) and a restart on another number of ranks;
* bad input: one message, non-zero exit, no output."""
import os
import signal
import subprocess
import time
import h5py
import numpy as np
from mrtest import run, tmpdir, check, check_refused, finish, write_dense_model, make_T, MRDYN, MPIEXEC, ENV

d = tmpdir()
dt = 0.05


def lyap(model, p, name, k=4, extra=()):
    out = os.path.join(d, "ly_" + name)
    run(["lyapunov", "-model", model, "-o", out, "-lyap_k", k, "-t_final", 100, "-t_transient", 20, "-progress", 0] + list(extra), np_=p)
    with h5py.File(out, "r") as f:
        return f["lyapunov/exponents"][:], f["lyapunov/running"][:], f["lyapunov/time"][:], f["state/x"][0], dict(f.attrs)


def rebuild_W(run_file):
    """W from simulate -save_connectivity (dense form, rank one per channel)."""
    with h5py.File(run_file, "r") as f:
        N = f.attrs["N"].astype(int)
        R = len(N)
        vec = [f["network/region%d/vectors" % r][:] for r in range(R)]
        off = np.concatenate([[0], np.cumsum(N)])
        W = np.zeros((off[-1], off[-1]))
        for r in range(R):
            if "network/region%d/J" % r in f:
                W[off[r]:off[r + 1], off[r]:off[r + 1]] = f["network/region%d/J" % r][:]
    for r in range(R):      # dense form: channel c = r*R + s; region s stores n^{rs} for r = 0..R-1, then m^{sq} for q
        for s in range(R):
            W[off[r]:off[r + 1], off[s]:off[s + 1]] += np.outer(vec[r][:, R + s], vec[s][:, r]) / N[s]
    return W


def euler_prediction(W, x):
    mu = np.linalg.eigvals(-np.eye(len(x)) + W * np.exp(-np.pi * x ** 2 / 4)[None, :])
    return np.sort(np.log(np.abs(1 + dt * mu)) / dt)[::-1], np.sort(mu.real)[::-1]


# one region, chaos (g = 2): positive, and the same at 1-4 ranks
mc = os.path.join(d, "chaos.h5")
write_dense_model(mc, N=[400], g=[2.0], T=np.zeros((1, 1, 1)))
ex1, run1, tq, _, attrs = lyap(mc, 1, "chaos1.h5")
check(ex1[0] > 0.05, "g = 2: largest exponent %.4f > 0 (chaos); exponents %s" % (ex1[0], np.round(ex1, 4)))
check(run1.shape == (len(tq), 4) and np.allclose(run1[-1], ex1) and abs(tq[-1] - 100) < 1e-9, "running estimate (%d rows) ends at the reported exponents" % len(tq))
half = run1[len(run1) // 2]
check(abs(run1[-1, 0] - half[0]) < 0.05, "g = 2: the running lambda_1 settles (t = %.0f: %.4f, t = 100: %.4f)" % (tq[len(tq) // 2], half[0], run1[-1, 0]))
check(np.all(np.isfinite(attrs["running_change_last_quarter"])) and abs(attrs["running_change_last_quarter"][0]) < 0.05, "g = 2: lambda_1 moved by %+.4f over the last quarter (reported)" % attrs["running_change_last_quarter"][0])
check(abs(attrs["current_exponent"] - np.log(1 - dt) / dt) < 1e-12, "the currents' exponent log(1 - dt)/dt = %.5f is reported" % attrs["current_exponent"])
for p in (2, 3, 4):
    ex = lyap(mc, p, "chaos%d.h5" % p)[0]
    check(np.array_equal(ex, ex1), "g = 2, P=%d: the same exponents as on one rank, bit for bit (diff %.1e)" % (p, np.abs(ex - ex1).max()))

# one region, g = 0.5: the fixed point x = 0
ms = os.path.join(d, "stable.h5")
write_dense_model(ms, N=[400], g=[0.5], T=np.zeros((1, 1, 1)))
ex, _, _, x, _ = lyap(ms, 2, "stable.h5")
rs = os.path.join(d, "stable_run.h5")
run(["simulate", "-model", ms, "-o", rs, "-t_final", 0.05, "-save_connectivity", "-progress", 0], np_=2)
pred, re = euler_prediction(rebuild_W(rs), x)
check(np.abs(x).max() < 1e-8 and ex.max() < 0, "g = 0.5: at x = 0 (|x| <= %.1e) every exponent is negative: %s" % (np.abs(x).max(), np.round(ex, 4)))
# the bulk edge's moduli differ by ~1/N: single exponents mix slowly, their sum converges
check(ex.max() < pred[0] + 0.02 and ex.min() > pred[7] - 0.02, "g = 0.5: exponents within the range of the 8 leading predicted [%.4f, %.4f] (+-0.02)" % (pred[7], pred[0]))
check(abs(ex.sum() - pred[:4].sum()) < 0.03, "g = 0.5: sum %.4f = sum of the 4 leading log|1 + dt mu|/dt %.4f (+-0.03); Re mu_1 = %.4f ~ -(1 - g)" % (ex.sum(), pred[:4].sum(), re[0]))

# two regions at a nonzero fixed point
mf = os.path.join(d, "fp.h5")
write_dense_model(mf, N=[200, 150], g=[0.3, 0.3], T=make_T([1.8, 1.6], [0.4, 0.4]))
exf, _, _, xf, _ = lyap(mf, 1, "fp1.h5")
rf = os.path.join(d, "fp_run.h5")
run(["simulate", "-model", mf, "-o", rf, "-t_final", 0.05, "-save_connectivity", "-progress", 0], np_=2)
pred, re = euler_prediction(rebuild_W(rf), xf)
check(np.abs(xf).max() > 0.5 and exf.max() < 0, "fixed point (max |x*| = %.2f): all exponents negative %s" % (np.abs(xf).max(), np.round(exf, 4)))
check(np.abs(exf[:3] - pred[:3]).max() < 0.01 and np.abs(exf - pred[:4]).max() < 0.02,
      "fixed point: exponents = log|1 + dt mu|/dt of the Jacobian's leading eigenvalues %s (worst %.4f)" % (np.round(pred[:4], 4), np.abs(exf - pred[:4]).max()))
check(np.abs(exf - re[:4]).max() < 0.02, "fixed point: exponents = Re mu %s up to O(dt) (worst %.4f)" % (np.round(re[:4], 4), np.abs(exf - re[:4]).max()))
# the trajectory is simulate's: the same end state as simulate -t_final 100 (Euler)
rt = os.path.join(d, "fp_traj.h5")
run(["simulate", "-model", mf, "-o", rt, "-t_final", 100, "-save_every", 100000, "-traces", 3, "-progress", 0], np_=2)
with h5py.File(rt, "r") as f:
    last, idx = f["traces/x"][-1], f["traces/index"][:]
xs = np.array([xf[200 * r + i] for r, i in idx])
# bit for bit except simulate's last two steps, which PETSc's TS shortens by the rounding
# of its accumulated time to land on t_final: equal to rounding at the end
check(np.abs(xs - last).max() < 1e-12, "fixed point: /state/x equals simulate's final x of the traced neurons (diff %.1e)" % np.abs(xs - last).max())
for p in (2, 3, 4):
    ex, _, _, xp, _ = lyap(mf, p, "fp%d.h5" % p)
    check(np.array_equal(ex, exf), "fixed point, P=%d: the same exponents as on one rank, bit for bit (diff %.1e)" % (p, np.abs(ex - exf).max()))
    check(np.array_equal(xp, xf), "fixed point, P=%d: the same end state /state/x, bit for bit" % p)

# in-line: simulate -analysis lyapunov, along simulate's own TS trajectory
def sim_ly(p, name, tf=100, extra=()):
    out = os.path.join(d, name)
    run(["simulate", "-model", mc, "-o", out, "-t_final", tf, "-analysis", "lyapunov", "-lyap_k", 4, "-t_transient", 20, "-progress", 0, "-save_every", 20] + list(extra), np_=p)
    return out


def ly_data(out):
    with h5py.File(out, "r") as f:
        return {k: f[k][()] for k in ("lyapunov/exponents", "lyapunov/running", "lyapunov/time", "currents", "time")}


a1 = ly_data(sim_ly(1, "inline1.h5"))
check(np.abs(a1["lyapunov/exponents"] - ex1).max() < 1e-10 and np.abs(a1["lyapunov/running"] - run1).max() < 1e-10,
      "in-line: the verb's exponents and running estimates (diff %.1e)" % np.abs(a1["lyapunov/running"] - run1).max())
a3 = ly_data(sim_ly(3, "inline3.h5"))
check(np.array_equal(a3["lyapunov/running"], a1["lyapunov/running"]), "in-line, P=3: the same running exponents as on one rank, bit for bit")
ref = ly_data(sim_ly(2, "inline_ref.h5", tf=300))
out = os.path.join(d, "inline_stop.h5")
args = ["simulate", "-model", mc, "-o", out, "-t_final", 300, "-analysis", "lyapunov", "-lyap_k", 4, "-t_transient", 20, "-progress", 0, "-save_every", 20]
p = subprocess.Popen([MPIEXEC, "-n", "2", MRDYN] + [str(a) for a in args], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
t0 = time.time()
while not os.path.exists(out + ".partial") and time.time() - t0 < 60:
    time.sleep(0.05)
time.sleep(1.0)
p.send_signal(signal.SIGUSR1)
p.communicate(timeout=120)
check(p.returncode == 75, "in-line: stopped by SIGUSR1 with status 75 (got %s)" % p.returncode)
with h5py.File(out + ".ckpt", "r") as f:
    check("lyapunov/Q" in f and f["lyapunov/Q"].shape == (400, 4), "in-line: the checkpoint holds the tangent vectors in global order (400 x 4)")
    stopped = int(f.attrs["step"])
run(args + ["-restart", out + ".ckpt"], np_=3)
b = ly_data(out)
check(0 < stopped < 6000 and all(np.array_equal(ref[k], b[k]) for k in ref),
      "in-line: stopped at step %d on 2 ranks, restarted on 3: exponents, running estimates and currents equal the uninterrupted run bit for bit" % stopped)
bad = [
    ("unknown analysis", ["-analysis", "lyapunov,spectra"], "unknown analysis 'spectra'"),
    ("with trials", ["-analysis", "lyapunov", "-trials", 2], "does not go with -trials"),
    ("with RK4", ["-analysis", "lyapunov", "-ts_type", "rk"], "-ts_type euler"),
    ("more vectors than neurons", ["-analysis", "lyapunov", "-lyap_k", 64, "-model", os.path.join(d, "tiny.h5")], "exceeds the 6 neurons"),
]
write_dense_model(os.path.join(d, "tiny.h5"), N=[3, 3], g=[0.5, 0.5], T=make_T([1.0, 1.0], [0.3, 0.3]))
for k, (name, args, phrase) in enumerate(bad):
    o = os.path.join(d, "badsim%d.h5" % k)
    check_refused(["simulate", "-model", mc, "-o", o, "-progress", 0] + args, o, phrase, "simulate " + name)

# bad input
cases = [
    ("no tangent vectors", ["-model", mf, "-lyap_k", 0], "option -lyap_k: '0' is out of range [1, 64]"),
    ("more vectors than neurons", ["-model", os.path.join(d, "tiny.h5"), "-lyap_k", 8], "-lyap_k 8 exceeds the 6 neurons"),
    ("orthonormalise every 0 steps", ["-model", mf, "-lyap_every", 0], "option -lyap_every: '0' is out of range [1, "),
    ("transient longer than the run", ["-model", mf, "-t_transient", 200], "must be in [0, t_final)"),
    ("missing model", ["-model", os.path.join(d, "nope.h5")], "does not exist"),
    ("unknown option", ["-model", mf, "-lyap_q", 3], "unknown option -lyap_q"),
]
write_dense_model(os.path.join(d, "tiny.h5"), N=[3, 3], g=[0.5, 0.5], T=make_T([1.0, 1.0], [0.3, 0.3]))
for k, (name, args, phrase) in enumerate(cases):
    out = os.path.join(d, "bad%d.h5" % k)
    check_refused(["lyapunov"] + args + ["-o", out, "-progress", 0], out, phrase, name)
finish()
