"""Model generators (interfaces.md): paper make_T / make_T_from_uh, random T with a
target leading eigenvalue of That, and sparse random region graphs."""
import os
import h5py
import numpy as np
from mrtest import run, tmpdir, check, finish, make_T

d = tmpdir()

def gen(name, *args, np_=1):
    out = os.path.join(d, "%s_%d.h5" % (name, len(os.listdir(d))))
    r = run(["model", name] + list(args) + ["-o", out], np_=np_)
    return out, r.stdout

def That(T):
    R = T.shape[0]
    M = np.zeros((R * R, R * R))
    for r in range(R):
        for s in range(R):
            for q in range(R):
                M[r * R + s, s * R + q] = T[r, s, q]
    return M

# paper: make_T(a, b)
p, _ = gen("paper", "-R", 3, "-N", "100,200,300", "-g", "0.5,1.0,1.5", "-a", "2.0,1.8,2.2", "-b", "1.5,1.2,1.4")
with h5py.File(p, "r") as f:
    check(np.allclose(f["T"][:], make_T([2.0, 1.8, 2.2], [1.5, 1.2, 1.4]), atol=1e-15), "paper: T = make_T(a, b)")
    check(list(f["N"][:]) == [100, 200, 300] and np.allclose(f["g"][:], [0.5, 1.0, 1.5]), "paper: N and g per region")
    check("U" not in f, "paper: U absent (identity)")
# paper: make_T_from_uh(u, h)
p, _ = gen("paper", "-R", 2, "-N", 100, "-u", "1.0,0.5", "-hdiag", "0.3,-0.2")
with h5py.File(p, "r") as f:
    u, h = np.array([1.0, 0.5]), np.array([0.3, -0.2])
    c = np.outer(u, u) + np.diag(h)
    T = np.zeros((2, 2, 2))
    for r in range(2):
        T[r, :, r] = c[r]
    check(np.allclose(f["T"][:], T, atol=1e-15), "paper: T = make_T_from_uh(u, h)")

# random: leading eigenvalue of That within tol of the target, reproducible by seed
for (wre, wim) in ((1.5, 0.0), (1.2, 0.8)):
    p1, out = gen("random", "-R", 2, "-N", 100, "-g", 1.5, "-w_re", wre, "-w_im", wim, "-tol", 0.05, "-seed", 11)
    p2, _ = gen("random", "-R", 2, "-N", 100, "-g", 1.5, "-w_re", wre, "-w_im", wim, "-tol", 0.05, "-seed", 11)
    with h5py.File(p1, "r") as f1, h5py.File(p2, "r") as f2:
        T = f1["T"][:]
        ev = np.linalg.eigvals(That(T))
        lead = ev[np.argmax(ev.real + 1e-9 * ev.imag)]
        check(abs(lead.real - wre) <= 0.05 + 1e-9 and abs(abs(lead.imag) - wim) <= 0.05 + 1e-9,
              "random: leading eigenvalue %.3f%+.3fi within 0.05 of %g%+gi" % (lead.real, lead.imag, wre, wim))
        check(np.array_equal(T, f2["T"][:]), "random: same seed, same T")
    check("leading eigenvalue of That" in out, "random: the accepted eigenvalue is reported")

# graph: out-degree k, rank d, no self edges, T only inside a region, runs in parallel
R, k, dd = 40, 4, 2
p, _ = gen("graph", "-R", R, "-N", 100, "-g", 0.8, "-degree", k, "-rank", dd, "-seed", 3)
with h5py.File(p, "r") as f:
    tgt, src = f["channel/target"][:], f["channel/source"][:]
    row, col = f["T/row"][:], f["T/col"][:]
    check(len(tgt) == R * k * dd, "graph: C = R k d = %d channels" % (R * k * dd))
    outdeg = [len(set(tgt[src == s])) for s in range(R)]
    check(all(o == k for o in outdeg), "graph: every region sends to %d distinct regions" % k)
    check(not np.any(tgt == src), "graph: no self edges")
    check(np.all(src[row] == tgt[col]), "graph: T pairs out- and in-channels of the same region")
    pairs = set(zip(tgt.tolist(), src.tolist()))
    check(all(np.sum((tgt == a) & (src == b)) == dd for a, b in pairs), "graph: rank %d per edge" % dd)
r = run(["info", p])
check("channel form" in r.stdout and "R = 40" in r.stdout, "info reads a channel-form model")
out = os.path.join(d, "graph_run.h5")
run(["simulate", "-model", p, "-o", out, "-t_final", 1.0, "-progress", 0], np_=3)
with h5py.File(out, "r") as f:
    check(f["currents"].shape == (21, R * k * dd) and np.all(np.isfinite(f["currents"][:])), "graph model simulates at 3 ranks")

# a channel-form model written by hand, with a region that has no channels at all
iso = os.path.join(d, "isolated.h5")
with h5py.File(iso, "w") as f:
    f["N"] = np.array([300, 200, 100]); f["g"] = np.array([0.5, 1.2, 0.8])
    f["channel/target"] = np.array([0, 1]); f["channel/source"] = np.array([1, 0])
    f["T/row"] = np.array([0, 1]); f["T/col"] = np.array([1, 0]); f["T/value"] = np.array([1.5, 1.2])
for p_ in (1, 3):
    out = os.path.join(d, "iso%d.h5" % p_)
    run(["simulate", "-model", iso, "-o", out, "-t_final", 1.0, "-progress", 0], np_=p_)
    with h5py.File(out, "r") as f:
        check(f["currents"].shape == (21, 2) and np.all(np.isfinite(f["variance"][:])), "isolated region simulates at P=%d" % p_)
finish()
