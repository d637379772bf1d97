"""Model generators (interfaces.md): paper make_T / make_T_from_uh, random T with a
target leading eigenvalue of That (the disk rule, and the published Fig. 5 box
ensemble -box), and sparse random region graphs."""
import glob
import json
import os
import h5py
import numpy as np
from scipy import stats
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

# random: the default (disk) and -rescale ensembles give the T they gave before -box existed
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "random_disk_T.json")) as f:
    for case in json.load(f)["cases"]:
        p, _ = gen("random", *case["options"], "-N", 100)
        with h5py.File(p, "r") as f1:
            check(np.array_equal(f1["T"][:], np.array(case["T"])), "random %s: the same T as before" % " ".join(case["options"]))


# random -box: the published Fig. 5 ensemble, T ~ N(0, |w|^2/R) until the leading eigenvalue is in the box
def lead(T):
    ev = np.linalg.eigvals(That(T))
    return ev[np.argmax(ev.real + 1e-9 * ev.imag)]


def in_box(l, wre, wim, tol):
    return abs(l.real - wre) < tol and abs(abs(l.imag) - wim) < tol


for (wre, wim, seed) in ((1.25, 0.6, 1), (1.6, 1.1, 2), (2.3, 0.1, 3), (1.0, 1.5, 4)):
    p, out = gen("random", "-box", "-R", 2, "-g", 1.5, "-w_re", wre, "-w_im", wim, "-tol", 0.01875, "-seed", seed)
    with h5py.File(p, "r") as f:
        T, draws = f["T"][:], f.attrs.get("draws", 0)
    l = lead(T)
    check(in_box(l, wre, wim, 0.01875), "random -box: leading eigenvalue %.4f%+.4fi in the box around %g%+gi" % (l.real, l.imag, wre, wim))
    check(draws >= 1 and ("T accepted after %d draws" % draws) in out, "random -box: %d draws recorded in the file and printed" % draws)
p1, _ = gen("random", "-box", "-w_re", 1.25, "-w_im", 0.6, "-tol", 0.05, "-seed", 9)
p2, _ = gen("random", "-box", "-w_re", 1.25, "-w_im", 0.6, "-tol", 0.05, "-seed", 9, "-rho", float(np.hypot(1.25, 0.6)))
p3, _ = gen("random", "-box", "-w_re", 1.25, "-w_im", 0.6, "-tol", 0.05, "-seed", 10)
with h5py.File(p1, "r") as f1, h5py.File(p2, "r") as f2, h5py.File(p3, "r") as f3:
    check(np.array_equal(f1["T"][:], f2["T"][:]) and f1.attrs["draws"] == f2.attrs["draws"], "random -box: rho defaults to |w|; the same seed gives the same T")
    check(not np.array_equal(f1["T"][:], f3["T"][:]), "random -box: another seed, another T")
r = run(["info", p1])
check("random T accepted after" in r.stdout, "info shows the number of draws")
# the entries are N(0, |w|^2/R): a box that takes the first draw, R = 20 (8000 entries)
p, _ = gen("random", "-box", "-R", 20, "-w_re", 3, "-w_im", 4, "-tol", 1000, "-seed", 3)
with h5py.File(p, "r") as f:
    z = f["T"][:].ravel() / np.sqrt(25 / 20)
    ks = stats.kstest(z, "norm").pvalue
    check(f.attrs["draws"] == 1 and abs(z.var() - 1) < 0.06 and abs(z.mean()) < 0.05 and abs(stats.kurtosis(z)) < 0.25 and ks > 1e-3,
          "random -box: T entries N(0, |w|^2/R): var %.3f, mean %.3f, excess kurtosis %.3f, KS p = %.2g" % (z.var(), z.mean(), stats.kurtosis(z), ks))
for args, phrase in ((["-rescale"], "-box and -rescale exclude each other"), (["-w_re", 0, "-w_im", 0], "give -rho when w = 0"),
                     (["-w_re", 5, "-w_im", 5, "-max_tries", 1000], "no draw in 1000 tries has its leading eigenvalue in the box")):
    r = run(["model", "random", "-box"] + args + ["-o", os.path.join(d, "refused.h5")], check=False)
    check(r.returncode == 1 and phrase in r.stderr and not os.path.exists(os.path.join(d, "refused.h5")), "random -box refuses %s" % " ".join(map(str, args)))

# the prefilter accepts exactly the draw that checking every draw's eigenvalues accepts: one
# sweep of 8 targets (R = 1, 2, 3; near the real axis, on it, small |w|) x 15 seeds, with and without it
sweep = os.path.join(d, "box.yaml")
with open(sweep, "w") as f:
    f.write("""verb: dmft
output: %s
model: {generator: random, box: 1, g: 1.5}
options: {dt: 0.05, t_final: 0.1}
zip:
  R:    [2,       2,       2,       2,     2,    3,   3,    1]
  w_re: [1.25,    1.575,   2.0,     1.0,   0.3,  1.5, 2.0,  1.0]
  w_im: [0.6,     0.025,   0.0,     1.5,   0.0,  0.5, 0.0,  0.0]
  tol:  [0.01875, 0.01875, 0.01875, 0.05,  0.05, 0.1, 0.05, 0.05]
vary:
  seed: {range: [1, 16]}
  box_prefilter: [0, 1]
keep: [model]
""" % os.path.join(d, "box_out"))
run(["sweep", sweep], np_=2, timeout=600)
members = {}
for name in glob.glob(os.path.join(d, "box_out", "m-*.h5")):
    with h5py.File(name, "r") as f:
        pr = {k: v.decode() for k, v in f["params"].attrs.items()}
        members[(pr["R"], pr["w_re"], pr["w_im"], pr["tol"], pr["model_seed"], pr["box_prefilter"])] = (f["model/T"][:], int(f["model"].attrs["draws"]))
pairs = [(k, members[k], members.get(k[:5] + ("0",))) for k in members if k[5] == "1"]
same = [k for k, a, b in pairs if b is not None and np.array_equal(a[0], b[0]) and a[1] == b[1]]
inbox = [k for k, a, b in pairs if in_box(lead(a[0]), float(k[1]), float(k[2]), float(k[3]))]
check(len(pairs) == 120 and len(same) == 120, "random -box: the prefilter accepts the same draw as the eigenvalues of every draw (%d of %d, %d draws in all)" % (len(same), len(pairs), sum(a[1] for _, a, _ in pairs)))
check(len(inbox) == 120, "random -box: every accepted leading eigenvalue is in its box (%d of 120)" % len(inbox))

# the accepted eigenvalues fill the box, and the draws it takes match the acceptance rate of
# the ensemble (estimated independently with NumPy's generator)
sweep = os.path.join(d, "fill.yaml")
with open(sweep, "w") as f:
    f.write("""verb: dmft
output: %s
model: {generator: random, box: 1, R: 2, g: 1.5, w_re: 1.25, w_im: 0.6, tol: 0.05}
options: {dt: 0.05, t_final: 0.1}
vary: {seed: {range: [1, 81]}}
keep: [model]
""" % os.path.join(d, "fill_out"))
run(["sweep", sweep], np_=2, timeout=600)
ls, draws = [], []
for name in glob.glob(os.path.join(d, "fill_out", "m-*.h5")):
    with h5py.File(name, "r") as f:
        ls.append(lead(f["model/T"][:]))
        draws.append(int(f["model"].attrs["draws"]))
x, y = np.array([l.real for l in ls]) - 1.25, np.abs([l.imag for l in ls]) - 0.6
quads = [np.sum((x * sx > 0) & (y * sy > 0)) for sx in (-1, 1) for sy in (-1, 1)]
check(len(ls) == 80 and np.all(np.abs(x) < 0.05) and np.all(np.abs(y) < 0.05) and min(quads) >= 5 and np.ptp(x) > 0.07 and np.ptp(y) > 0.07,
      "random -box: 80 accepted eigenvalues fill the box (quadrants %s, spread %.3f x %.3f of 0.1 x 0.1)" % (quads, np.ptp(x), np.ptp(y)))
Z = np.random.default_rng(0).standard_normal((400000, 2, 2, 2)) * np.hypot(1.25, 0.6) / np.sqrt(2)
M = np.zeros((len(Z), 4, 4))
for r_ in range(2):
    for s_ in range(2):
        for q_ in range(2):
            M[:, r_ * 2 + s_, s_ * 2 + q_] = Z[:, r_, s_, q_]
ev = np.linalg.eigvals(M)
lz = ev[np.arange(len(ev)), np.argmax(ev.real + 1e-9 * ev.imag, axis=1)]
acc = np.mean((np.abs(lz.real - 1.25) < 0.05) & (np.abs(np.abs(lz.imag) - 0.6) < 0.05))
md, se = np.mean(draws), np.std(draws) / np.sqrt(len(draws))
check(abs(md - 1 / acc) < 4 * se + 0.1 / acc, "random -box: mean draws %.0f +- %.0f, NumPy's acceptance rate gives %.0f" % (md, se, 1 / acc))

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
