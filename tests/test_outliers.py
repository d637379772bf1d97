"""mrdyn spectrum -outliers K: a few eigenvalues of W (or of the Jacobian) with
SLEPc's Krylov-Schur on W applied through the network's layout and exchange.
* the K eigenvalues of largest real part (or modulus) are numpy's eigenvalues
  of W rebuilt from `simulate -save_connectivity`, to 1e-10, on 1-4 ranks
  (4 ranks split a region over a rank group), in the channel form on fewer
  ranks than regions, and with sparse disorder;
* -jacobian RUN.h5: the eigenvalues of -I + W diag(phi'(x)) at the run's final
  state /state/x; a checkpoint's state with -run RUN.h5 (refused without);
* -eps_* options reach SLEPc; bad input: one message, no output;
* a network too large for the dense path: the outliers near That's eigenvalues
  (within a few 1/sqrt(N)), and `simulate -analysis spectrum` computes them."""
import os
import h5py
import numpy as np
from mrtest import run, tmpdir, check, check_refused, finish, write_dense_model, make_T

d = tmpdir()


def eigs(path):
    with h5py.File(path, "r") as f:
        e = f["eigenvalues"][:]
        return e[:, 0] + 1j * e[:, 1], dict(f.attrs), f["residuals"][:]


def rebuild_W(run_file):
    """W[(r,i),(s,j)] = delta_rs J^r_ij + sum_{c: s->r} m^c_i n^c_j / N_s, and the final state x."""
    with h5py.File(run_file, "r") as f:
        N = f.attrs["N"].astype(int)
        R = len(N)
        tgt, src = f["channel/target"][:], f["channel/source"][:]
        vec = [f["network/region%d/vectors" % r][:] for r in range(R)]
        off = np.concatenate([[0], np.cumsum(N)])
        W = np.zeros((off[-1], off[-1]))
        for r in range(R):
            if "network/region%d/J" % r in f:
                W[off[r]:off[r + 1], off[r]:off[r + 1]] = f["network/region%d/J" % r][:]
        x = f["state/x"][:, 0]
    C = len(tgt)
    outs = [[c for c in range(C) if src[c] == s] for s in range(R)]
    ins = [[c for c in range(C) if tgt[c] == r] for r in range(R)]
    for c in range(C):
        r, s = tgt[c], src[c]
        n = vec[s][:, outs[s].index(c)]
        m = vec[r][:, len(outs[r]) + ins[r].index(c)]
        W[off[r]:off[r + 1], off[s]:off[s + 1]] += np.outer(m, n) / N[s]
    return W, x


def leading(ref, k, which):
    key = -ref.real if which == "real" else -np.abs(ref)
    return ref[np.argsort(key, kind="stable")][:k]


def worst(a, b):
    return max(np.min(np.abs(b - x)) for x in a)


# 1. W of the simulation: the leading eigenvalues on 1-4 ranks
mA, runA = os.path.join(d, "A.h5"), os.path.join(d, "runA.h5")
write_dense_model(mA, N=[150, 200, 170], g=[0.6, 0.9, 0.4], T=make_T([1.8, -1.4, 1.2], [0.3, 0.3, 0.3]))
ckA = os.path.join(d, "runA.ckpt")
run(["simulate", "-model", mA, "-seed", 2, "-o", runA, "-t_final", 4, "-save_connectivity", "-progress", 0, "-checkpoint", ckA, "-checkpoint_every", 30], np_=2)
W, xA = rebuild_W(runA)
ref = np.linalg.eigvals(W)
scale = np.abs(ref).max()
want = leading(ref, 4, "real")
for p in (1, 2, 3, 4):
    out = os.path.join(d, "outA%d.h5" % p)
    r = run(["spectrum", "-model", mA, "-seed", 2, "-outliers", 4, "-o", out], np_=p)
    e, at, res = eigs(out)
    check(at["method"] in ("slepc", b"slepc") and at["operator"] in ("W", b"W") and at["outliers"] == 4 and e.shape == (4,), "P=%d: 4 eigenvalues, method slepc, operator W" % p)
    check("method slepc" in r.stdout, "P=%d: the printed line names the method" % p)
    dev = max(worst(e, want), worst(want, e)) / scale
    check(dev < 1e-10, "P=%d: the 4 eigenvalues of largest real part = numpy's (worst %.1e of the spectral radius)" % (p, dev))
    check(np.all(np.diff(e.real) <= 0) and res.max() < 1e-10, "P=%d: sorted by real part, residuals %.1e" % (p, res.max()))
    # same seed, any rank count: the same eigenvalues up to the order of the
    # reductions in Krylov-Schur (measured <= 6e-14 on 1-4 ranks), not bitwise
    if p == 1:
        e1 = e
    else:
        check(np.abs(e - e1).max() < 1e-12 * scale, "P=%d: the eigenvalues of P=1 to 1e-12 (%.1e)" % (p, np.abs(e - e1).max() / scale))
out = os.path.join(d, "outAmod.h5")
run(["spectrum", "-model", mA, "-seed", 2, "-outliers", 3, "-outliers_which", "modulus", "-o", out], np_=2)
e, at, _ = eigs(out)
wantm = leading(ref, 3, "modulus")
dev = max(worst(e, wantm), worst(wantm, e)) / scale
check(dev < 1e-10 and abs(at["spectral_radius"] - scale) < 1e-10 * scale, "-outliers_which modulus: numpy's 3 largest in modulus (worst %.1e), spectral_radius" % dev)
# the theory next to them, as the dense verb writes it
with h5py.File(out, "r") as f:
    pred = f["theory/outliers"][:]
    check(len(pred) == 3 and np.allclose(f["theory/bulk_radius"][:], [0.6, 0.9, 0.4]), "/theory/outliers and /theory/bulk_radius written")

# 2. channel form on fewer ranks than regions; sparse disorder against the dense path
mG, runG, outG = os.path.join(d, "G.h5"), os.path.join(d, "runG.h5"), os.path.join(d, "outG.h5")
run(["model", "graph", "-R", 5, "-N", 80, "-degree", 2, "-rank", 2, "-g", 0.5, "-seed", 1, "-o", mG])
run(["simulate", "-model", mG, "-seed", 2, "-o", runG, "-t_final", 0.05, "-save_connectivity", "-progress", 0], np_=2)
refG = np.linalg.eigvals(rebuild_W(runG)[0])
run(["spectrum", "-model", mG, "-seed", 2, "-outliers", 4, "-o", outG], np_=3)
e, _, _ = eigs(outG)
wantG = leading(refG, 4, "real")
dev = max(worst(e, wantG), worst(wantG, e)) / np.abs(refG).max()
check(dev < 1e-10, "channel form (R = 5, rank-2 channels, P=3): numpy's 4 of largest real part (worst %.1e)" % dev)
dense, sp = os.path.join(d, "denseS.h5"), os.path.join(d, "outS.h5")
run(["spectrum", "-model", mA, "-seed", 2, "-disorder", "sparse", "-disorder_k", 40, "-o", dense], np_=1)
run(["spectrum", "-model", mA, "-seed", 2, "-disorder", "sparse", "-disorder_k", 40, "-outliers", 4, "-o", sp], np_=3)
with h5py.File(dense, "r") as f:
    refS = f["eigenvalues"][:]
refS = refS[:, 0] + 1j * refS[:, 1]
e, _, _ = eigs(sp)
wantS = leading(refS, 4, "real")
dev = max(worst(e, wantS), worst(wantS, e)) / np.abs(refS).max()
check(dev < 1e-10, "sparse disorder (P=3): the dense path's 4 of largest real part (worst %.1e)" % dev)

# 3. the Jacobian at the run's final state
outJ = os.path.join(d, "outJ.h5")
run(["spectrum", "-jacobian", runA, "-outliers", 4, "-o", outJ], np_=2)
e, at, _ = eigs(outJ)
phip = np.exp(-0.25 * np.pi * xA ** 2)  # the model's phi = erf(sqrt(pi) x / 2)
refJ = np.linalg.eigvals(-np.eye(len(xA)) + W * phip[None, :])
wantJ = leading(refJ, 4, "real")
dev = max(worst(e, wantJ), worst(wantJ, e)) / np.abs(refJ).max()
check(at["operator"] in ("jacobian", b"jacobian") and dev < 1e-10, "-jacobian RUN.h5: numpy's 4 eigenvalues of -I + W diag(phi'(x)) of largest real part (worst %.1e)" % dev)
check(np.abs(e - leading(ref, 4, "real")).min() > 1e-3, "-jacobian: not W's eigenvalues")
# a checkpoint holds the state but not the realisation: refused alone, with -run it is the run's W at the checkpoint's x
outK = os.path.join(d, "outK.h5")
check_refused(["spectrum", "-jacobian", ckA, "-outliers", 4, "-o", outK], outK, "with -run RUN.h5", "-jacobian CHECKPOINT without -run", ranks=(2,))
run(["spectrum", "-run", runA, "-jacobian", ckA, "-outliers", 4, "-o", outK], np_=2)
with h5py.File(ckA, "r") as f:
    xK = f["state/x"][:, 0]
phipK = np.exp(-0.25 * np.pi * xK ** 2)
wantK = leading(np.linalg.eigvals(-np.eye(len(xK)) + W * phipK[None, :]), 4, "real")
e, _, _ = eigs(outK)
dev = max(worst(e, wantK), worst(wantK, e)) / np.abs(refJ).max()
check(dev < 1e-10 and np.abs(xK - xA).max() > 1e-3, "-run RUN.h5 -jacobian CHECKPOINT: numpy's Jacobian eigenvalues at the checkpoint's state (worst %.1e)" % dev)

# 4. -eps_* options reach SLEPc
outE = os.path.join(d, "outE.h5")
r = run(["spectrum", "-model", mA, "-seed", 2, "-outliers", 4, "-eps_max_it", 1, "-eps_ncv", 9, "-o", outE], np_=2)
e, at, _ = eigs(outE)
check(at["krylov_schur_restarts"] == 1, "-eps_max_it 1 reaches SLEPc: one restart (%d)" % at["krylov_schur_restarts"])
cases = [
    ("negative -outliers", ["-model", mA, "-outliers", -1], "option -outliers: '-1' is out of range [0, "),
    ("bad -outliers_which", ["-model", mA, "-outliers", 2, "-outliers_which", "bogus"], "-outliers_which"),
    ("-outliers >= n", ["-model", mA, "-outliers", 520], "-outliers 520 must be smaller than n = 520"),
    ("-jacobian without /state/x", ["-model", mA, "-jacobian", mA], "-jacobian"),
    ("unknown option", ["-model", mA, "-outliers", 2, "-bogus", 1], "unknown option -bogus"),
    ("bad -spectrum_method", ["-model", mA, "-spectrum_method", "qr"], "-spectrum_method"),
]
for k, (name, args, phrase) in enumerate(cases):
    out = os.path.join(d, "bad%d.h5" % k)
    check_refused(["spectrum"] + args + ["-o", out], out, phrase, name, ranks=(2,))

# 5. too large for the dense path (n = 60,000): the outliers near That's
# eigenvalues, and simulate -analysis spectrum computes them with SLEPc
N = 30000
mL = os.path.join(d, "L.h5")
write_dense_model(mL, N=[N, N], g=[0.5, 0.5], T=make_T([2.0, 1.5], [0.3, 0.3]))
with h5py.File(mL, "r") as f:
    That = np.linalg.eigvals(f["T"][:])
out = os.path.join(d, "badL.h5")
check_refused(["spectrum", "-model", mL, "-o", out], out, "or -outliers K", "dense n = 60,000: refused with a hint", ranks=(2,))
runL = os.path.join(d, "runL.h5")
r = run(["simulate", "-model", mL, "-seed", 1, "-disorder", "sparse", "-disorder_k", 20, "-o", runL, "-t_final", 0.05, "-dt", 0.05, "-progress", 0, "-analysis", "spectrum"], np_=2)
check("outliers with SLEPc" in r.stdout, "simulate -analysis spectrum: says it uses SLEPc")
with h5py.File(runL, "r") as f:
    e = f["spectrum/eigenvalues"][:]
    e = e[:, 0] + 1j * e[:, 1]
    check(f.attrs["spectrum_method"] in ("slepc", b"slepc") and "currents" in f, "simulate -analysis spectrum: method slepc, next to the run's series")
    pred = f["spectrum/theory/outliers"][:]
    s2 = f.attrs["readout_variance"]
pred = pred[:, 0] + 1j * pred[:, 1]
check(len(e) == len(pred) == 2, "simulate -analysis spectrum: as many eigenvalues as predicted outliers (%d)" % len(e))
for lam in pred:
    err = np.min(np.abs(e - lam))
    # the sampling noise of the overlaps n.m/N, as in test_spectrum: sd sqrt((sigma^2 + lambda^2)/N)
    sd = np.sqrt((s2.max() + abs(lam) ** 2) / N)
    check(err < 4 * sd, "n = 60,000: an outlier within 4 sd = %.3f of That's %.3f%+.3fi (error %.4f)" % (4 * sd, lam.real, lam.imag, err))
finish()
