"""mrdyn spectrum: the eigenvalues of one realisation's connectivity W.
* W is the matrix of the simulated network: numpy's eigenvalues of W rebuilt from
  `simulate -save_connectivity` (same model and seed) agree with ScaLAPACK's;
* the same eigenvalues at 1, 2, 3 and 4 ranks (LAPACK on rank 0 with 1-4
  threads), and with -spectrum_method scalapack (pdlahqr on a 1x3 grid);
* theory (paper appendix A.1): outliers at the eigenvalues of That outside the
  bulk, a bulk that is the union of disks of radius g_r (counting function);
* bad input: one message, non-zero exit, no output file."""
import os
import h5py
import numpy as np
from mrtest import run, tmpdir, check, check_refused, finish, write_dense_model, make_T

d = tmpdir()


def eigs(path):
    with h5py.File(path, "r") as f:
        e = f["eigenvalues"][:]
    return e[:, 0] + 1j * e[:, 1]


def worst_match(a, b):
    """Largest distance when each eigenvalue of a is paired with a distinct nearest one of b."""
    used = np.zeros(len(b), bool)
    worst = 0.0
    for x in a[np.argsort(-np.abs(a))]:
        dist = np.abs(b - x)
        dist[used] = np.inf
        j = int(np.argmin(dist))
        used[j] = True
        worst = max(worst, dist[j])
    return worst


def rebuild_W(run_file):
    """W[(r,i),(s,j)] = delta_rs J^r_ij + sum_{c: s->r} m^c_i n^c_j / N_s from a run file."""
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
    C = len(tgt)
    outs = [[c for c in range(C) if src[c] == s] for s in range(R)]
    ins = [[c for c in range(C) if tgt[c] == r] for r in range(R)]
    K = np.zeros((C, C))  # the realised That: K[c, c'] = n^c . m^c' / N_s, s = source(c) = target(c')
    for c in range(C):
        r, s = tgt[c], src[c]
        n = vec[s][:, outs[s].index(c)]
        m = vec[r][:, len(outs[r]) + ins[r].index(c)]
        W[off[r]:off[r + 1], off[s]:off[s + 1]] += np.outer(m, n) / N[s]
        for c2 in ins[s]:
            K[c, c2] = n @ vec[s][:, len(outs[s]) + ins[s].index(c2)] / N[s]
    return W, K


# 1. the matrix of the simulation, and the same spectrum on 1-4 ranks
mA = os.path.join(d, "A.h5")
write_dense_model(mA, N=[150, 200, 170], g=[0.6, 0.9, 0.4], T=make_T([1.8, -1.4, 1.2], [0.3, 0.3, 0.3]))
runA = os.path.join(d, "runA.h5")
run(["simulate", "-model", mA, "-seed", 2, "-o", runA, "-t_final", 0.05, "-save_connectivity", "-progress", 0], np_=2)
W, _ = rebuild_W(runA)
ref = np.linalg.eigvals(W)
scale = np.abs(ref).max()
for p in (1, 2, 3, 4):
    out = os.path.join(d, "specA%d.h5" % p)
    run(["spectrum", "-model", mA, "-seed", 2, "-o", out], np_=p)
    e = eigs(out)
    with h5py.File(out, "r") as f:
        check(f.attrs["status"] in ("complete", b"complete") and f.attrs["verb"] in ("spectrum", b"spectrum") and f.attrs["mpi_size"] == p, "P=%d: complete file with provenance" % p)
        check(e.shape == (520,), "P=%d: n = 520 eigenvalues (%s)" % (p, e.shape))
        # auto: LAPACK on rank 0 with a thread for every rank of its node (all here)
        lib = f.attrs["lapack_library"]
        lib = lib.decode() if isinstance(lib, bytes) else lib
        # (mpiexec binds each of 1 or 2 ranks to a core; rank 0 borrows them: at most a thread per core)
        want = min(p, len(os.sched_getaffinity(0)))
        check(f.attrs["method"] in ("lapack", b"lapack") and f.attrs["lapack_threads"] == want and (lib == "linked") == (want == 1),
              "P=%d: method lapack, %d thread(s) on rank 0 (%s)" % (p, f.attrs["lapack_threads"], lib))
    dev = worst_match(e, ref) / scale
    check(dev < 1e-10, "P=%d: eigenvalues = numpy's eigenvalues of W from simulate -save_connectivity (worst %.1e of the spectral radius)" % (p, dev))
    if p == 1:
        e1 = e
    else:
        dev = worst_match(e, e1) / scale
        check(dev < 1e-10, "P=%d: the same eigenvalues as on one rank (worst %.1e of the spectral radius)" % (p, dev))
# the distributed path (pdgehrd, pdlahqr on a 1x3 grid) finds the same eigenvalues
out = os.path.join(d, "specA_scalapack.h5")
r = run(["spectrum", "-model", mA, "-seed", 2, "-spectrum_method", "scalapack", "-o", out], np_=3)
dev = worst_match(eigs(out), ref) / scale
with h5py.File(out, "r") as f:
    check(f.attrs["method"] in ("scalapack", b"scalapack") and "method scalapack" in r.stdout and dev < 1e-10, "-spectrum_method scalapack (P=3): numpy's eigenvalues (worst %.1e), method recorded" % dev)
# another seed is another matrix
out = os.path.join(d, "specA_seed3.h5")
run(["spectrum", "-model", mA, "-seed", 3, "-o", out], np_=2)
check(worst_match(eigs(out), e1) > 1e-3, "another seed gives another spectrum")
# channel form: a sparse region graph with rank-2 channels (5 regions on 3 ranks)
mG, runG, specG = os.path.join(d, "G.h5"), os.path.join(d, "runG.h5"), os.path.join(d, "specG.h5")
run(["model", "graph", "-R", 5, "-N", 80, "-degree", 2, "-rank", 2, "-g", 0.5, "-seed", 1, "-o", mG])
run(["simulate", "-model", mG, "-seed", 2, "-o", runG, "-t_final", 0.05, "-save_connectivity", "-progress", 0], np_=2)
run(["spectrum", "-model", mG, "-seed", 2, "-o", specG], np_=3)
refG = np.linalg.eigvals(rebuild_W(runG)[0])
dev = worst_match(eigs(specG), refG) / np.abs(refG).max()
check(dev < 1e-10, "channel form (R = 5, rank-2 channels, P=3): numpy's eigenvalues of simulate's W (worst %.1e)" % dev)
# single precision: J rounded to float, as simulate stores it
runS = os.path.join(d, "runA_single.h5")
run(["simulate", "-model", mA, "-seed", 2, "-o", runS, "-t_final", 0.05, "-save_connectivity", "-progress", 0, "-precision", "single"], np_=3)
Ws, _ = rebuild_W(runS)
out = os.path.join(d, "specA_single.h5")
run(["spectrum", "-model", mA, "-seed", 2, "-precision", "single", "-o", out], np_=3)
es = eigs(out)
dev = worst_match(es, np.linalg.eigvals(Ws)) / scale
check(dev < 1e-10 and worst_match(es, e1) > 1e-9, "single precision (P=3): numpy's eigenvalues of simulate's float J (worst %.1e), not the double ones" % dev)
# sparse disorder: same on 1 and 3 ranks
for p in (1, 3):
    run(["spectrum", "-model", mA, "-seed", 2, "-disorder", "sparse", "-disorder_k", 40, "-o", os.path.join(d, "sparse%d.h5" % p)], np_=p)
es1, es3 = eigs(os.path.join(d, "sparse1.h5")), eigs(os.path.join(d, "sparse3.h5"))
check(worst_match(es3, es1) / np.abs(es1).max() < 1e-10, "sparse disorder: the same eigenvalues at 1 and 3 ranks")

# 2. theory: outliers at That's eigenvalues, bulk disks of radius g_r
N, g = np.array([400, 600]), np.array([0.8, 0.5])
mB = os.path.join(d, "B.h5")
write_dense_model(mB, N=N, g=g, T=make_T([2.2, -1.6], [0.3, 0.3]))  # That: 2.2, -1.6, +-0.3
specB, runB = os.path.join(d, "specB.h5"), os.path.join(d, "runB.h5")
run(["spectrum", "-model", mB, "-seed", 1, "-o", specB], np_=1)
run(["simulate", "-model", mB, "-seed", 1, "-o", runB, "-t_final", 0.05, "-save_connectivity", "-progress", 0], np_=2)
e = eigs(specB)
with h5py.File(specB, "r") as f:
    pred = f["theory/outliers"][:]
    pred = pred[:, 0] + 1j * pred[:, 1]
    check(np.allclose(f["theory/bulk_radius"][:], g), "/theory/bulk_radius = g")
    check(len(pred) == 2 and np.allclose(sorted(pred.real), [-1.6, 2.2]) and np.allclose(pred.imag, 0), "/theory/outliers: That's eigenvalues 2.2 and -1.6 outside the bulk (%s)" % pred)
with h5py.File(runB, "r") as f:
    s2 = f.attrs["readout_variance"]
_, K = rebuild_W(runB)
kev = np.linalg.eigvals(K)
taken = []
for lam in pred:
    j = int(np.argmin(np.abs(e - lam)))
    taken.append(j)
    # sampling noise of the overlap n.m/N: sd sqrt((sigma^2 + T^2)/N)
    sd = np.sqrt((s2.max() + abs(lam) ** 2) / N.min())
    check(abs(e[j] - lam) < 4 * sd, "outlier near %.2f: measured %.4f%+.4fi, within 4 sd = %.3f of the prediction (error %.3f)" % (lam.real, e[j].real, e[j].imag, 4 * sd, abs(e[j] - lam)))
    # given the realised vectors, the disorder moves the outlier by ~ sigma g / (|lambda| sqrt(N))
    k = kev[np.argmin(np.abs(kev - lam))]
    sd2 = np.sqrt(s2.max()) * g.max() / (abs(lam) * np.sqrt(N.min()))
    check(abs(e[j] - k) < 4 * sd2, "outlier near %.2f: within 4 x %.3f of the realised That's eigenvalue %.4f (error %.4f)" % (lam.real, sd2, k.real, abs(e[j] - k)))
bulk = np.delete(e, taken)
a = np.abs(bulk)
check(0.9 * g.max() < a.max() < 1.1 * g.max(), "largest bulk modulus %.4f within 10%% of g_max = %.2f" % (a.max(), g.max()))
check((a > 1.05 * g.max()).sum() == 0, "no bulk eigenvalue beyond 1.05 g_max (%d)" % (a > 1.05 * g.max()).sum())
for rho in (0.3, 0.45, 0.6, 0.75):
    want = sum(n * min(1.0, rho ** 2 / gg ** 2) for n, gg in zip(N, g))
    got = (a < rho).sum()
    check(abs(got - want) < 0.05 * want, "bulk: %d eigenvalues inside |z| < %.2f, union of disks predicts %.1f (within 5%%)" % (got, rho, want))

# the plot tool draws the file
import subprocess
import sys
png = os.path.join(d, "specB.png")
tool = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "plot_spectrum.py")
r = subprocess.run([sys.executable, tool, specB, png], capture_output=True, text=True)
check(r.returncode == 0 and os.path.getsize(png) > 10000, "tools/plot_spectrum.py writes a PNG (%s)" % (r.stderr.strip()[-200:] or "ok"))

# 3. bad input: one clear message, non-zero exit on every rank, no output
huge = os.path.join(d, "huge.h5")
write_dense_model(huge, N=[200000, 200000], g=[0.5, 0.5], T=make_T([2.0, 2.0], [1.5, 1.5]))
cases = [
    ("missing model", ["-model", os.path.join(d, "nope.h5")], "does not exist"),
    ("no model", [], "no model file given"),
    ("n too large for memory", ["-model", huge], "GB on one node but it has"),
    ("block size too small", ["-model", mA, "-block_size", 4], "option -block_size: '4' is out of range [6, 4096]"),
    ("unknown option", ["-model", mA, "-bogus", 1], "unknown option -bogus"),
    ("sparse K > N", ["-model", mA, "-disorder", "sparse", "-disorder_k", 500], "-disorder_k 500"),
    ("malformed seed", ["-model", mA, "-seed", "x"], "option -seed: 'x' is not an integer"),
    ("negative -spectrum_threads", ["-model", mA, "-spectrum_threads", -1], "option -spectrum_threads: '-1' is out of range [0, 1024]"),
]
for k, (name, args, phrase) in enumerate(cases):
    out = os.path.join(d, "bad%d.h5" % k)
    check_refused(["spectrum"] + args + ["-o", out], out, phrase, name)
r = run(["spectrum", "-model", mA], np_=2, check=False)
check(r.returncode != 0 and "no output file given" in r.stderr, "no -o: refused")
# -run: the realisation of a simulate output (model file, seed, disorder) gives the same spectrum
dr = tmpdir()
mr = os.path.join(dr, "m.h5")
run(["model", "paper", "-R", 2, "-N", 200, "-g", "0.8,0.5", "-a", "2.2,1.6", "-b", "0.3,0.2", "-o", mr])
run(["simulate", "-model", mr, "-o", os.path.join(dr, "run.h5"), "-seed", 5, "-t_final", 0.5, "-precision", "single", "-progress", 0], np_=2)
run(["spectrum", "-run", os.path.join(dr, "run.h5"), "-o", os.path.join(dr, "a.h5")], np_=2)
run(["spectrum", "-model", mr, "-seed", 5, "-precision", "single", "-o", os.path.join(dr, "b.h5")], np_=2)
with h5py.File(os.path.join(dr, "a.h5"), "r") as fa, h5py.File(os.path.join(dr, "b.h5"), "r") as fb:
    check(np.array_equal(fa["eigenvalues"][:], fb["eigenvalues"][:]), "spectrum -run RUN.h5 takes the run's model, seed and precision")
# in-line: simulate -analysis spectrum writes the same eigenvalues under /spectrum of the run file
inl = os.path.join(dr, "inline.h5")
r = run(["simulate", "-model", mr, "-o", inl, "-seed", 5, "-t_final", 0.5, "-precision", "single", "-progress", 0, "-analysis", "spectrum"], np_=2)
with h5py.File(inl, "r") as fi, h5py.File(os.path.join(dr, "b.h5"), "r") as fb:
    check(np.array_equal(fi["spectrum/eigenvalues"][:], fb["eigenvalues"][:]) and np.array_equal(fi["spectrum/theory/outliers"][:], fb["theory/outliers"][:])
          and "currents" in fi and fi.attrs["spectral_radius"] == fb.attrs["spectral_radius"],
          "simulate -analysis spectrum: the verb's eigenvalues and theory (bit for bit on the same grid) next to the run's series")
png2 = os.path.join(dr, "inline.png")
r2 = subprocess.run(["/usr/bin/python3", tool, inl, png2], capture_output=True, text=True)
check(r2.returncode == 0 and os.path.getsize(png2) > 10000, "tools/plot_spectrum.py draws the /spectrum of a run file too (%s)" % (r2.stderr.strip()[-200:] or "ok"))
for name, extra, phrase in (("block size", ["-block_size", 4], "option -block_size: '4' is out of range [6, 4096]"), ("n too large", ["-model", huge], "GB on one node but it has")):
    o = os.path.join(dr, "badinl.h5")
    r = run(["simulate", "-model", mr, "-o", o, "-progress", 0, "-analysis", "spectrum"] + extra, np_=2, check=False)
    msgs = [l for l in r.stderr.splitlines() if l.startswith("mrdyn: error")]
    check(r.returncode != 0 and len(msgs) == 1 and phrase in msgs[0] and not os.path.exists(o) and not os.path.exists(o + ".partial"),
          "simulate -analysis spectrum, %s: one clear message before anything is written [%s]" % (name, msgs[0] if msgs else r.stderr.strip()[:200]))
r = run(["spectrum", "-run", os.path.join(dr, "nope.h5"), "-o", os.path.join(dr, "c.h5")], np_=2, check=False)
check(r.returncode == 1 and "-run" in r.stderr and not os.path.exists(os.path.join(dr, "c.h5")), "spectrum -run of a missing file: one message, no output")
finish()
