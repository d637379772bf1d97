"""simulate -save_activity and mrdyn dimension (participation ratio of the
activity covariance, ScaLAPACK):
* /activity holds phi(x) of every neuron (checked against the traces), the same
  at 1 and 3 ranks;
* the participation ratio and the covariance eigenvalues equal NumPy's from the
  saved activity, and are the same at 1, 2, 3, 4 ranks;
* known dimensions: a fixed point approached along its slowest mode (PR -> 1),
  a limit cycle (PR near 2), chaos whose dimension grows with g;
* in-line (`simulate -analysis dimension`): the verb's results under
  /dimension of the run file;
* bad input: one message, non-zero exit, no output."""
import os
import h5py
import numpy as np
from math import erf, pi, sqrt
from mrtest import run, tmpdir, check, check_refused, finish, write_dense_model, make_T

d = tmpdir()
sim = ["simulate", "-progress", 0]


def pr_numpy(X):
    C = np.cov(X, rowvar=False)
    return np.trace(C) ** 2 / np.sum(C * C), C


def dim(run_file, p, t_start, name):
    out = os.path.join(d, name)
    run(["dimension", run_file, "-o", out, "-t_start", t_start], np_=p)
    with h5py.File(out, "r") as f:
        return f["participation_ratio"][:], f["participation_ratio_network"][0], f["covariance_eigenvalues"][:], dict(f.attrs)


# chaos in one region, N = 300, for three g (the g = 2.5 run is also the consistency case)
prs = {}
for g in (1.5, 2.5, 4.0):
    m = os.path.join(d, "chaos%.1f.h5" % g)
    write_dense_model(m, N=[300], g=[g], T=np.zeros((1, 1, 1)))
    r = os.path.join(d, "run%.1f.h5" % g)
    run(sim + ["-model", m, "-o", r, "-t_final", 80, "-save_activity", 4, "-traces", 5, "-seed", 4], np_=2)
    prs[g] = dim(r, 2, 20, "dim%.1f.h5" % g)[1]
check(prs[1.5] < prs[2.5] < prs[4.0], "chaos: dimension grows with g: PR = %.2f, %.2f, %.2f at g = 1.5, 2.5, 4" % (prs[1.5], prs[2.5], prs[4.0]))
check(prs[1.5] > 2, "chaos at g = 1.5 is more than a limit cycle (PR = %.2f > 2)" % prs[1.5])

r25 = os.path.join(d, "run2.5.h5")
with h5py.File(r25, "r") as f:
    A, ta = f["activity"][:], f["activity_time"][:]
    tx, t = f["traces/x"][:], f["time"][:]
    check(A.shape == (len(ta), 300) and f.attrs["save_activity"] == 4, "/activity (nt, n) = %s, every 4 steps" % (A.shape,))
    idx = [int(np.argmin(np.abs(t - s))) for s in ta]
    phi = np.vectorize(lambda x: erf(sqrt(pi) / 2 * x))(tx[idx])
    check(np.allclose(t[idx], ta, atol=1e-9) and np.abs(A[:, :5] - phi).max() < 1e-14, "/activity = phi(x) of the traced neurons at the same times (diff %.1e)" % np.abs(A[:, :5] - phi).max())
r3 = os.path.join(d, "run2.5_np3.h5")
run(sim + ["-model", os.path.join(d, "chaos2.5.h5"), "-o", r3, "-t_final", 80, "-save_activity", 4, "-traces", 5, "-seed", 4], np_=3)
with h5py.File(r3, "r") as f:
    check(np.array_equal(f["activity"][:], A), "/activity identical at 2 and 3 ranks")

# against NumPy, and the same at 1-4 ranks
X = A[ta >= 20 - 1e-12]
want, C = pr_numpy(X)
ev = np.sort(np.linalg.eigvalsh(C))[::-1]
for p in (1, 2, 3, 4):
    pr, prn, eig, attrs = dim(r25, p, 20, "dim_np%d.h5" % p)
    check(abs(prn - want) < 1e-10 * want and abs(pr[0] - want) < 1e-10 * want, "P=%d: PR %.10f = NumPy's %.10f" % (p, prn, want))
    check(np.abs(eig - ev).max() < 1e-10 * ev[0], "P=%d: covariance eigenvalues = NumPy's (worst %.1e of the largest)" % (p, np.abs(eig - ev).max() / ev[0]))
    check(attrs["samples"] == len(X) and abs((eig.sum() ** 2 / (eig ** 2).sum()) - prn) < 1e-10 * prn, "P=%d: %d samples; PR from the eigenvalues = PR from the traces" % (p, len(X)))

# a fixed point (g = 0, symmetric T): approached along its slowest mode, PR -> 1
mfp = os.path.join(d, "fp.h5")
write_dense_model(mfp, N=[300, 250], g=[0.0, 0.0], T=make_T([1.8, 1.8], [0.5, 0.5]))
rfp = os.path.join(d, "runfp.h5")
run(sim + ["-model", mfp, "-o", rfp, "-t_final", 30, "-save_activity", 2], np_=2)
pr0 = dim(rfp, 2, 0, "dimfp0.h5")
pr1 = dim(rfp, 3, 10, "dimfp1.h5")
with h5py.File(rfp, "r") as f:
    A, ta = f["activity"][:], f["activity_time"][:]
Xr = [A[ta >= 10 - 1e-12][:, :300], A[ta >= 10 - 1e-12][:, 300:]]
check(all(abs(pr1[0][r] - pr_numpy(Xr[r])[0]) < 1e-10 * pr1[0][r] for r in range(2)), "fixed point: per-region PR = NumPy's on the region's columns (%.6f, %.6f)" % tuple(pr1[0]))
check(pr1[1] < 1.05 and max(pr1[0]) < 1.05, "fixed point, t >= 10: PR = %.4f (regions %.4f, %.4f) near 1" % (pr1[1], pr1[0][0], pr1[0][1]))
check(pr0[1] > pr1[1] + 0.01, "fixed point: the transient from t = 0 is higher-dimensional (PR %.4f > %.4f)" % (pr0[1], pr1[1]))

# a limit cycle (g = 0, That's leading eigenvalue 1.4 + 1.2i): PR near 2
mlc = os.path.join(d, "lc.h5")
run(["model", "random", "-R", 2, "-N", 400, "-g", 0, "-w_re", 1.4, "-w_im", 1.2, "-seed", 1, "-o", mlc])
rlc = os.path.join(d, "runlc.h5")
run(sim + ["-model", mlc, "-o", rlc, "-t_final", 100, "-save_activity", 4], np_=2)
lc = dim(rlc, 2, 40, "dimlc.h5")
check(1.5 < lc[1] < 2.5, "limit cycle, t >= 40: PR = %.3f near 2" % lc[1])

# in-line: simulate -analysis dimension reads its own saved activity back at the end
rin = os.path.join(d, "runlc_inline.h5")
run(sim + ["-model", mlc, "-o", rin, "-t_final", 100, "-save_activity", 4, "-analysis", "dimension", "-dimension_t_start", 40], np_=2)
with h5py.File(rin, "r") as f:
    ok = (np.array_equal(f["dimension/participation_ratio"][:], lc[0]) and f["dimension/participation_ratio_network"][0] == lc[1]
          and np.array_equal(f["dimension/covariance_eigenvalues"][:], lc[2]) and np.array_equal(f["activity"][:], h5py.File(rlc, "r")["activity"][:]))
    check(ok and f.attrs["status"] in (b"complete", "complete") and abs(f["dimension/window"][0] - 40) < 1e-9,
          "simulate -analysis dimension: the verb's ratios and eigenvalues bit for bit (same grid), the run's activity unchanged, the file complete")

# bad input
norun = os.path.join(d, "noact.h5")
run(sim + ["-model", mfp, "-o", norun, "-t_final", 1], np_=1)
cases = [
    ("no activity in the run file", ["dimension", norun, "-o", "@OUT"], "holds no /activity"),
    ("missing run file", ["dimension", os.path.join(d, "nope.h5"), "-o", "@OUT"], "does not exist"),
    ("window after the end", ["dimension", rfp, "-o", "@OUT", "-t_start", 100], "fewer than 2 saved rows"),
    ("no output", ["dimension", rfp], "no output file given"),
    ("no run file", ["dimension", "-o", "@OUT"], "usage: mrdyn dimension"),
    ("-save_activity with -trials", sim + ["-model", mfp, "-o", "@OUT", "-save_activity", 2, "-trials", 2], "-save_activity does not go with -trials"),
    ("negative -save_activity", sim + ["-model", mfp, "-o", "@OUT", "-save_activity", -1], "option -save_activity: '-1' is out of range [0, "),
    ("in-line dimension without activity", sim + ["-model", mfp, "-o", "@OUT", "-analysis", "dimension"], "needs the activity: add -save_activity"),
    ("in-line dimension, window after the end", sim + ["-model", mfp, "-o", "@OUT", "-t_final", 2, "-analysis", "dimension", "-save_activity", 2, "-dimension_t_start", 1.99], "fewer than 2 rows of activity"),
]
for k, (name, args, phrase) in enumerate(cases):
    out = os.path.join(d, "bad%d.h5" % k)
    check_refused([a if a != "@OUT" else out for a in args], out, phrase, name)
finish()
