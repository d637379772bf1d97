"""mrdyn model weights (issue 16, docs/weights.md): a user's weight matrix W
imported and fitted.

1. The realisation is W itself: simulate of the imported file equals a NumPy
   Euler / RK4 integration of x' = -x + W phi(x) to rounding on 1, 2 and 3 ranks
   (neurons shuffled, unequal regions, cross-region disorder and a forced rank
   that leave residual channels), -trials gives each trial the single run's
   currents, and its spectrum is eig(W).
2. Networks planted from the paper's model (tools/weights_plant.py) are
   recovered: the ranks, g within 2 %, That's eigenvalues within 3/sqrt(N) of
   the realised ones (measured: at most 2/sqrt(N) over 24 networks), also from
   float32; the DMFT of the fitted model agrees with the simulation of W as
   well as the planted model's DMFT with a realisation of its own.
3. A block with a dense non-random structure (a smooth kernel) is warned about.
4. Bad input: one clear message, no output."""
import os
import sys
import json

import h5py
import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.special import erf

from mrtest import run, tmpdir, check, check_refused, finish

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from weights_plant import plant, make_T, write_weights, that_eigenvalues  # noqa: E402

d = tmpdir()
P = lambda name: os.path.join(d, name)  # noqa: E731


def phi(x):
    return erf(np.sqrt(np.pi) / 2 * x)


# ---- 1. the realisation is W ---------------------------------------------
rng = np.random.default_rng(7)
N = np.array([150, 200, 170])
W, truth = plant(make_T([1.5, 1.8, 2.0], [1.0, 1.2, 0.8]), [0.8, 0.5, 1.2], N, rng)
off = np.concatenate([[0], np.cumsum(N)])
W[off[1]:off[2], off[0]:off[1]] += 0.3 / np.sqrt(N[0]) * rng.standard_normal((N[1], N[0]))  # cross-region disorder
write_weights(P("W1.h5"), W, N, rng)  # shuffled neurons
r = run(["model", "weights", "-weights", P("W1.h5"), "-o", P("m1.h5"), "-rank_block", "2,1,0"])
run(["model", "weights", "-weights", P("W1.h5"), "-o", P("m1-np3.h5"), "-rank_block", "2,1,0"], np_=3)  # blocks fitted on 3 ranks


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out


d1, d3 = datasets(P("m1.h5")), datasets(P("m1-np3.h5"))
check(d1.keys() == d3.keys() and all(np.array_equal(d1[k], d3[k], equal_nan=True) for k in d1), "the import on 3 ranks writes the same %d datasets as on 1, bit for bit" % len(d1))
with h5py.File(P("m1.h5"), "r") as f:
    rank, exact = f["fit/rank"][()], f["fit/exact_rank"][()]
    Cth = len(f["fit/channel/target"])
    rel = f["weights"].attrs["max_relative_reconstruction_error"]
    perm = f["weights/permutation"][()]
    tg, sc = f["weights/channel/target"][()], f["weights/channel/source"][()]
    vec = [f["weights/region%d/vectors" % q][()] for q in range(3)]
    chan = (f["channel/target"][()], f["channel/source"][()]) if "channel" in f else None
check(rank.tolist() == [[1, 1, 1], [1, 1, 1], [1, 0, 1]] and exact[1, 0] == N[0] and exact[2, 1] == 1 and exact[0, 1] == 1,
      "ranks: 1 per block (block 2 <- 1 forced to 0), exact ranks: 1 off the diagonal, full with cross-region disorder [%s, exact %s]" % (rank.tolist(), exact.tolist()))
check(Cth == 8 and len(tg) == 8 + N[0] - 1 + 1, "8 theory channels, %d residual channels [%d + %d]" % (N[0], Cth, len(tg) - Cth))
check(rel < 1e-13, "the realisation reproduces W to rounding (largest error %.2g of the block's largest entry)" % rel)
with h5py.File(P("W1.h5"), "r") as f:
    Wf = f["W"][()]
Wr = Wf[np.ix_(perm, perm)]  # regions in order, as the run's neurons
S0 = np.array([-0.2, -0.1, 0.0, 0.1, 0.2, -0.2, -0.1, 0.0])
x0 = np.zeros(off[-1])
for q in range(3):
    nout = int(np.sum(sc == q))
    for j, c in enumerate(np.flatnonzero(tg == q)):
        if c < Cth:  # residual channels start without a current
            x0[off[q]:off[q + 1]] += vec[q][:, nout + j] * S0[c]
F = lambda x: -x + Wr @ phi(x)  # noqa: E731
dt, nsteps = 0.05, 40
ref = {}
for ts in ("euler", "rk4"):
    x, acts = x0.copy(), [phi(x0)]
    for _ in range(nsteps):
        if ts == "euler":
            x = x + dt * F(x)
        else:
            k1 = F(x)
            k2 = F(x + dt / 2 * k1)
            k3 = F(x + dt / 2 * k2)
            k4 = F(x + dt * k3)
            x = x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        acts.append(phi(x))
    ref[ts] = np.array(acts)
base = None
for ts, ranks in (("euler", (1, 2, 3)), ("rk4", (1, 3))):
    for p in ranks:
        out = P("s-%s-%d.h5" % (ts, p))
        extra = ["-ts_type", "rk", "-ts_rk_type", "4"] if ts == "rk4" else []
        run(["simulate", "-model", P("m1.h5"), "-o", out, "-init_variance", "0", "-init_currents", ",".join("%g" % v for v in S0),
             "-save_activity", "1", "-t_final", dt * nsteps, "-dt", dt, "-progress", 0] + extra, np_=p)
        with h5py.File(out, "r") as f:
            a, cur = f["activity"][()], f["currents"][()]
            cmap = (f["channel/target"][()], f["channel/source"][()])
        err = np.abs(a - ref[ts]).max()
        check(a.shape == ref[ts].shape and err < 1e-12, "simulate %s on %d rank(s) = NumPy's x' = -x + W phi(x) (largest difference %.2g)" % (ts, p, err))
        if ts == "euler":
            if base is None:
                base, base_cur = a, cur
                check(cur.shape[1] == Cth and np.array_equal(cmap[0], tg[:Cth]) and np.array_equal(cmap[1], sc[:Cth]), "the run's currents are the theory's %d channels" % Cth)
            else:
                check(np.array_equal(a, base), "simulate on %d ranks: the same bits as on 1" % p)
run(["simulate", "-model", P("m1.h5"), "-o", P("s-trials.h5"), "-init_variance", "0", "-init_currents", ",".join("%g" % v for v in S0), "-trials", 2,
     "-t_final", dt * nsteps, "-dt", dt, "-progress", 0], np_=2)
with h5py.File(P("s-trials.h5"), "r") as f:
    tcur = f["currents"][()]
err = np.abs(tcur - base_cur[:, None, :]).max()
check(tcur.shape == (nsteps + 1, 2, Cth) and err < 1e-12, "simulate -trials 2 (the same initial state): each trial's currents as the single run's (largest difference %.2g)" % err)
run(["spectrum", "-model", P("m1.h5"), "-o", P("spec.h5")], np_=3)
with h5py.File(P("spec.h5"), "r") as f:
    e = f["eigenvalues"][()]
ew = np.linalg.eigvals(Wf)
cost = np.abs((e[:, 0] + 1j * e[:, 1])[:, None] - ew[None, :])
i, j = linear_sum_assignment(cost)
check(cost[i, j].max() < 1e-10, "spectrum of the imported file = eig(W) (largest distance %.2g)" % cost[i, j].max())


# ---- 2. planted networks are recovered -------------------------------------
def recover(name, T, g, N, seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    W, tr = plant(T, g, N, rng)
    write_weights(P(name + ".h5"), W, N, rng, dtype)
    out = run(["model", "weights", "-weights", P(name + ".h5"), "-o", P(name + "-m.h5")])
    R = len(N)
    with h5py.File(P(name + "-m.h5"), "r") as f:
        rank, warn, gf, Tf = f["fit/rank"][()], f["fit/warning"][()], f["g"][()], f["T"][()]
        sdm = np.diag(f["fit/noise_sd_median"][()])
    ef, er = that_eigenvalues(Tf), that_eigenvalues(tr["T_realised"])
    cost = np.abs(ef[:, None] - er[None, :])
    i, j = linear_sum_assignment(cost)
    eerr = cost[i, j].max() * np.sqrt(N.min())
    gerr = np.abs(gf / g - 1).max()
    check((rank == 1).all() and not warn.any() and "warning" not in out.stdout, "%s: rank 1 in every block as planted, no warning" % name)
    check(gerr < 0.02, "%s: g within 2%% (largest error %.2g%%)" % (name, 100 * gerr))
    check(np.abs(sdm * np.sqrt(N) / g - 1).max() < 0.02, "%s: the bulk's noise level from the median singular value within 2%%" % name)
    check(eerr < 3, "%s: That's eigenvalues within 3/sqrt(N) of the realised ones (%.2f/sqrt(N))" % (name, eerr))
    return R


recover("R2", make_T([1.8, 2.0], [1.2, 1.5]), np.array([1.0, 0.5]), np.array([600, 600]), 0)
recover("R3-unequal", make_T([1.5, 1.8, 2.0], [1.0, 1.2, 0.8]), np.array([0.8, 0.5, 1.0]), np.array([300, 500, 400]), 1)
recover("R3-weak-float32", make_T([0.6, 0.5, 0.7], [0.3, 0.2, 0.4]), np.array([0.4, 0.5, 0.3]), np.array([400, 400, 400]), 2, np.float32)

# the DMFT of the fitted structure against the simulation of W, beside the planted
# model's DMFT against a realisation of its own (the same N, initial currents)
common = ["-t_final", 40, "-init_currents", "1,1,1,1"]
run(["dmft", "-model", P("R2-m.h5"), "-o", P("R2-mf.h5")] + common)
run(["simulate", "-model", P("R2-m.h5"), "-o", P("R2-sim.h5"), "-progress", 0] + common, np_=2)
run(["compare", P("R2-sim.h5"), P("R2-mf.h5"), "-json", P("R2-cmp.json"), "-tol", 100])
run(["model", "paper", "-R", 2, "-N", 600, "-g", "1.0,0.5", "-a", "1.8,2.0", "-b", "1.2,1.5", "-o", P("R2-planted.h5")])
run(["dmft", "-model", P("R2-planted.h5"), "-o", P("R2-pmf.h5")] + common)
run(["simulate", "-model", P("R2-planted.h5"), "-o", P("R2-psim.h5"), "-progress", 0] + common, np_=2)
run(["compare", P("R2-psim.h5"), P("R2-pmf.h5"), "-json", P("R2-pcmp.json"), "-tol", 100])
fit_d = json.load(open(P("R2-cmp.json")))["largest_relative_difference"]
pl_d = json.load(open(P("R2-pcmp.json")))["largest_relative_difference"]
check(fit_d < 0.1 and fit_d <= 1.5 * pl_d, "DMFT of the fit vs simulation of W: largest relative difference %.3f (planted model vs its own realisation: %.3f)" % (fit_d, pl_d))

# ---- 3. a dense non-random block is warned about --------------------------
rng = np.random.default_rng(2)
N = np.array([400, 400])
W, _ = plant(make_T([1.5, 1.5], [1.0, 1.0]), [0.6, 0.6], N, rng)
k = np.arange(N[0])
K = np.exp(-np.abs(k[:, None] - k[None, :]) / 20.0)
for name, block in (("kernel", K * 2 / np.linalg.norm(K, 2)), ("kernel+disorder", K * 2 / np.linalg.norm(K, 2) + 0.3 / np.sqrt(N[0]) * rng.standard_normal((N[0], N[0])))):
    W[:N[0], :N[0]] = block
    write_weights(P(name + ".h5"), W, N)
    out = run(["model", "weights", "-weights", P(name + ".h5"), "-o", P(name + "-m.h5")])
    with h5py.File(P(name + "-m.h5"), "r") as f:
        warn, text = f["fit/warning"][()], f["fit"].attrs["warnings"]
    text = text.decode() if isinstance(text, bytes) else text
    check(warn.tolist() == [[1, 0], [0, 0]] and "warning: block 0 <- 0 is not of the model's form" in out.stdout and "block 0 <- 0" in text,
          "%s in block 0 <- 0: warned about (printed and stored), the other blocks not" % name)

# ---- 4. bad input ----------------------------------------------------------
good = P("W1.h5")
out = P("bad-out.h5")


def bad_file(name, **data):
    with h5py.File(P(name), "w") as f:
        for key, v in data.items():
            f[key] = v
    return P(name)


n = 6
Wg, lab = np.eye(n), np.array([0, 0, 1, 1, 2, 2])
Wnan = Wg.copy()
Wnan[2, 3] = np.nan
Winf = Wg.copy()
Winf[4, 1] = np.inf
with open(P("text.h5"), "w") as f:
    f.write("not hdf5\n")
cases = [
    ([P("missing.h5")], "does not exist", "a missing weight file"),
    ([P("text.h5")], "not a readable HDF5 file", "a file that is not HDF5"),
    ([bad_file("noW.h5", region=lab)], "/W is missing", "no /W"),
    ([bad_file("noregion.h5", W=Wg)], "/region is missing", "no /region"),
    ([bad_file("rect.h5", W=np.ones((6, 5)), region=lab)], "square", "a non-square W"),
    ([bad_file("int.h5", W=np.eye(n, dtype=np.int32), region=lab)], "float32 or float64", "an integer W"),
    ([bad_file("nan.h5", W=Wnan, region=lab)], "not finite numbers (the first at row 2, column 3)", "a NaN in W"),
    ([bad_file("inf.h5", W=Winf, region=lab)], "not finite numbers (the first at row 4, column 1)", "an Inf in W"),
    ([bad_file("neg.h5", W=Wg, region=np.array([0, 0, 1, -1, 2, 2]))], "label -1 of neuron 3 is negative", "a negative label"),
    ([bad_file("big.h5", W=Wg, region=lab), "-R", 2], "label 2 of neuron 4 is outside 0..1", "a label beyond -R"),
    ([bad_file("empty.h5", W=Wg, region=np.array([0, 0, 2, 2, 2, 0]))], "region 1 has no neurons", "an empty region"),
    ([bad_file("short.h5", W=Wg, region=lab[:5])], "must hold n = 6 labels", "too few labels"),
    ([bad_file("flt.h5", W=Wg, region=lab.astype(float))], "must hold integers", "labels that are not integers"),
    ([bad_file("random.h5", W=np.random.default_rng(1).standard_normal((60, 60)) / np.sqrt(60), region=np.zeros(60, dtype=np.int64))], "would have no channels", "a W without structure"),
    ([good, "-rank", "two"], "neither auto nor a rank", "-rank two"),
    ([good, "-rank_block", "5,0,1"], "outside the 3 regions", "-rank_block out of range"),
    ([good, "-rank_block", "0,1"], "needs triples", "-rank_block not in triples"),
    ([good, "-rank_max", "0"], "option -rank_max: '0' is out of range [1, 100000]", "-rank_max 0"),
    ([good, "-rnak", "2"], "unknown option -rnak", "a typo"),
]
for k, (args, phrase, what) in enumerate(cases):  # rank 0 reads; every rank shares its verdict
    check_refused(["model", "weights", "-weights"] + args + ["-o", out], out, phrase, what, ranks=(1, 3) if k % 4 == 0 else (3,))
check_refused(["model", "weights", "-weights", good, "-o", good], good + ".never", "never overwritten", "-o naming the weight file")
check(os.path.exists(good), "the weight file is still there")
check_refused(["model", "weights", "-weights", good, "-o", P("m1.h5")], P("m1.h5") + ".never", "exists; remove it or add -force", "an existing output without -force")
check_refused(["simulate", "-model", P("m1.h5"), "-o", out, "-disorder", "sparse"], out, "-disorder sparse does not apply", "simulate -disorder sparse on an imported W")
with h5py.File(P("m1.h5"), "r") as f, h5py.File(P("tampered.h5"), "w") as g:
    for key in f:
        f.copy(key, g)
    for key, v in f.attrs.items():
        g.attrs[key] = v
    del g["weights/region1/vectors"]
    g["weights/region1/vectors"] = np.zeros((N[0], 2))
check_refused(["simulate", "-model", P("tampered.h5"), "-o", out], out, "/weights/region1/vectors has shape (400, 2) but region 1 needs (200,", "a model file whose realisation has the wrong shape")
h = run(["model", "weights", "-help"], check=False)
check(h.returncode == 0 and "-rank_block" in h.stdout and "-rank_max <now 16" in h.stdout, "model weights -help lists its options with their defaults and exits 0")
finish()
