"""mrdyn model from (issue 11): a dense model from arrays (an HDF5 file of arrays,
NPY files, values on the command line), and a model file with some parameters
changed (-g, -N, -set), also as a sweep's generator; bad inputs refused with one
message, exit status 1 and no output file; inputs are never changed."""
import os
import hashlib
import h5py
import numpy as np
from mrtest import run, tmpdir, check, finish, write_dense_model

d = tmpdir()
P = lambda name: os.path.join(d, name)
R = 2
rng = np.random.default_rng(5)
T = rng.standard_normal((R, R, R)) * 1.3
U = np.zeros((R, R, R))
for s in range(R):
    a = rng.standard_normal((R, R))
    U[s] = a @ a.T + R * np.eye(R)  # symmetric positive definite
V = rng.standard_normal((R, R))
g, N, sigma2 = np.array([1.5, 0.7]), np.array([300, 200]), np.array([9.0, 8.0])
base = P("base.h5")
write_dense_model(base, N, g, T, U=U, V=V, sigma2=sigma2, attrs={"tau": 2.0, "description": "a base model"})


def model(out):
    with h5py.File(out, "r") as f:
        return {k: f[k][:] for k in ("T", "U", "V", "g", "N", "sigma2") if k in f}, dict(f.attrs)


def same(out, what, **want):
    m, _ = model(out)
    ref = dict(T=T, U=U, V=V, g=g, N=N)
    ref.update(want)
    bad = [k for k, v in ref.items() if v is not None and not (k in m and m[k].shape == np.shape(v) and np.array_equal(m[k], v))]
    bad += [k for k, v in ref.items() if v is None and k in m]
    check(not bad, "%s: T, U, V, g, N as given%s" % (what, " (differ: %s)" % bad if bad else ""))


def gen(out, *args, np_=1):
    return run(["model", "from"] + [str(a) for a in args] + ["-o", out], np_=np_)


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


base_digest = digest(base)

# round trips: a model file, an HDF5 file of arrays, NPY files, values on the command line
gen(P("rt_model.h5"), "-model", base, np_=3)
same(P("rt_model.h5"), "from -model (3 ranks)")
m, attrs = model(P("rt_model.h5"))
check(np.array_equal(m["sigma2"], sigma2) and attrs["tau"] == 2.0, "from -model keeps sigma2 and tau")
with h5py.File(P("arrays.h5"), "w") as f:
    for k, v in dict(T=T, U=U, V=V, g=g, N=N).items():
        f[k] = v
gen(P("rt_file.h5"), "-file", P("arrays.h5"), np_=2)
same(P("rt_file.h5"), "from -file ARR.h5 (2 ranks)")
for k, v in dict(T=T, U=U, V=V).items():
    np.save(P(k + ".npy"), v)
    np.save(P(k + "32.npy"), v.astype(np.float32))
gen(P("rt_npy.h5"), "-T", P("T.npy"), "-U", P("U.npy"), "-V", P("V.npy"), "-g", "1.5,0.7", "-N", "300,200")
same(P("rt_npy.h5"), "from NPY float64")
gen(P("rt_npy32.h5"), "-T", P("T32.npy"), "-U", P("U32.npy"), "-V", P("V32.npy"), "-g", "1.5,0.7", "-N", "300,200")
same(P("rt_npy32.h5"), "from NPY float32", T=T.astype(np.float32).astype(float), U=U.astype(np.float32).astype(float), V=V.astype(np.float32).astype(float))
vals = lambda a: ",".join(repr(float(x)) for x in a.ravel())
gen(P("rt_cli.h5"), "-T", vals(T), "-R", R, "-U", vals(U), "-V", vals(V), "-g", "1.5,0.7", "-N", "300,200")
same(P("rt_cli.h5"), "from values on the command line")
gen(P("rt_min.h5"), "-T", vals(T))
same(P("rt_min.h5"), "from -T alone: U identity (absent), no V, g = 0, N = 1000", U=None, V=None, g=np.zeros(R), N=np.array([1000, 1000]))
# the arrays of a generated model give the same model (and the same content hash)
run(["model", "random", "-box", "-w_re", 1.25, "-w_im", 0.6, "-tol", 0.05, "-R", 3, "-g", 1.5, "-seed", 2, "-o", P("rnd.h5")])
rm, ra = model(P("rnd.h5"))
np.save(P("rT.npy"), rm["T"])
gen(P("rt_rnd.h5"), "-T", P("rT.npy"), "-g", 1.5, "-description", ra["description"].decode())
m, attrs = model(P("rt_rnd.h5"))
check(np.array_equal(m["T"], rm["T"]) and attrs["hash"] == ra["hash"], "from the arrays of a generated model: the same T and content hash")
check("draws" not in attrs, "from: no draw count (nothing was drawn)")

# changes: -g, -N, -set
gen(P("set.h5"), "-model", base, "-g", 0.9, "-N", 500, "-set", "T:0:1:0=2.5,U:1:0:1=0.25,U:1:1:0=0.25,V:1:0=-1,g:1=0.2,N:0=700")
T2, U2, V2 = T.copy(), U.copy(), V.copy()
T2[0, 1, 0] = 2.5
U2[1, 0, 1] = U2[1, 1, 0] = 0.25
V2[1, 0] = -1
same(P("set.h5"), "-g, -N, then -set", T=T2, U=U2, V=V2, g=np.array([0.9, 0.2]), N=np.array([700, 500]))
m, attrs = model(P("set.h5"))
check("-set T:0:1:0=2.5" in attrs["description"].decode() and "base.h5" in attrs["description"].decode(), "the description names the input and the changes")
gen(P("set_u.h5"), "-T", vals(T), "-set", "U:0:0:0=2,V:0:1=0.5")
Ui = np.array([np.eye(R)] * R)
Ui[0, 0, 0] = 2
Vz = np.zeros((R, R))
Vz[0, 1] = 0.5
same(P("set_u.h5"), "-set U and V on a model without them: identity U and zero V, then the entries", U=Ui, V=Vz, g=np.zeros(R), N=np.array([1000, 1000]))
# a channel-form model: g and N
run(["model", "graph", "-R", 12, "-degree", 2, "-N", 100, "-seed", 3, "-o", P("graph.h5")])
gen(P("graph_g.h5"), "-model", P("graph.h5"), "-g", 0.5, "-set", "g:3=1.25,N:11=400")
with h5py.File(P("graph.h5"), "r") as f0, h5py.File(P("graph_g.h5"), "r") as f1:
    gw, Nw = np.full(12, 0.5), np.full(12, 100)
    gw[3], Nw[11] = 1.25, 400
    same_T = all(np.array_equal(f0[k][:], f1[k][:]) for k in ("T/row", "T/col", "T/value", "channel/target", "channel/source"))
    check(same_T and np.array_equal(f1["g"][:], gw) and np.array_equal(f1["N"][:], Nw), "channel form: -g and -set g, N change only g and N")
check(digest(base) == base_digest, "the input model file is unchanged")

# a sweep varies g and an entry of T of a model file
sweep = P("sweep.yaml")
with open(sweep, "w") as f:
    f.write("""verb: dmft
output: %s
model: {generator: from, model: %s}
options: {dt: 0.05, t_final: 0.5}
vary:
  g: [[0.5, 1.0], 2.0]
  set: [T:0:1:0=1.75, "T:0:1:0=-1.5,g:0=0.25"]
keep: all
""" % (P("sweep_out"), base))
run(["sweep", sweep], np_=2)
got = []
for name in sorted(os.listdir(P("sweep_out"))):
    if name.startswith("m-") and name.endswith(".h5"):
        with h5py.File(os.path.join(P("sweep_out"), name), "r") as f:
            got.append((f["params"].attrs["g"], f["params"].attrs["set"], f["model/g"][:].tolist(), float(f["model/T"][0, 1, 0])))
want = {("0.5,1.0", "T:0:1:0=1.75"): ([0.5, 1.0], 1.75), ("0.5,1.0", "T:0:1:0=-1.5,g:0=0.25"): ([0.25, 1.0], -1.5),
        ("2.0", "T:0:1:0=1.75"): ([2.0, 2.0], 1.75), ("2.0", "T:0:1:0=-1.5,g:0=0.25"): ([0.25, 2.0], -1.5)}
ok = len(got) == 4 and all(want.get((gg.decode() if isinstance(gg, bytes) else gg, ss.decode() if isinstance(ss, bytes) else ss)) == (mg, mt) for gg, ss, mg, mt in got)
check(ok, "sweep over g and -set of a model file: each member's model has its g and T entry %s" % got)
check(digest(base) == base_digest, "the sweep did not change the input model file")


# bad inputs: one clear message, exit status 1, no output file
def refused(args, phrase, what, ranks=(1,)):
    out = P("bad.h5")
    for p in ranks:
        r = run(["model", "from"] + [str(a) for a in args] + ["-o", out], np_=p, check=False, timeout=60)
        msgs = [l for l in r.stderr.splitlines() if l.startswith("mrdyn: error")]
        check(r.returncode == 1 and len(msgs) == 1 and phrase in msgs[0], "%s (P=%d): exit 1, one message [%s]" % (what, p, msgs[0] if msgs else r.stderr.strip()[:200]))
        check(not os.path.exists(out) and not os.path.exists(out + ".partial"), "%s (P=%d): no output file" % (what, p))


with h5py.File(P("shape.h5"), "w") as f:
    f["T"] = np.zeros((2, 2, 3))
refused(["-file", P("shape.h5")], "dataset /T has shape (2,2,3) but T needs (R,R,R)", "wrong shape of /T", ranks=(1, 3))
refused(["-T", "1,2,3,4,5,6,7"], "-T has 7 values; T needs R^3", "a T list of 7 values")
np.save(P("U22.npy"), np.eye(2))
refused(["-T", P("T.npy"), "-U", P("U22.npy")], "-U has shape (2,2) but U needs (R,R,R) with R = 2", "wrong shape of a U .npy")
refused(["-T", vals(T), "-V", "1,2,3"], "-V has 3 values; V needs R^2 = 4", "a V list of 3 values")
refused(["-T", vals(T), "-R", 3], "-R 3 does not match the arrays (R = 2)", "-R against the arrays")
Tn = T.copy()
Tn[1, 0, 1] = np.nan
np.save(P("Tnan.npy"), Tn)
refused(["-T", P("Tnan.npy")], "is not finite", "NaN in T (.npy)", ranks=(1, 3))
refused(["-T", "1,nan,3,4,5,6,7,8"], "is neither a .npy file nor a comma-separated list of finite numbers", "NaN in T (command line)")
refused(["-T", vals(T), "-U", vals(-U)], "U of region 0 is not positive definite", "U not positive definite")
Ua = U.copy()
Ua[0, 0, 1] += 0.5
refused(["-T", vals(T), "-U", vals(Ua)], "U of region 0 is not symmetric", "U not symmetric")
with h5py.File(P("unknown.h5"), "w") as f:
    f["T"] = T
    f["W"] = T
refused(["-file", P("unknown.h5")], "unknown array /W", "an unknown array in -file")
refused(["-model", base, "-set", "W:0=1"], "unknown array 'W'", "-set of an unknown array")
refused(["-model", base, "-set", "T:0:1=2"], "T takes 3 indices", "-set with too few indices")
refused(["-model", base, "-set", "T:0:1:0"], "-set 'T:0:1:0': expected NAME:index...=value", "-set without a value")
refused(["-model", base, "-set", "T:0:x:0=1"], "indices are whole numbers", "-set with a bad index")
refused(["-model", base, "-set", "T:0:2:0=1"], "index 2 is outside 0..1", "-set index out of range")
refused(["-model", base, "-set", "g:0=abc"], "'abc' is not a finite number", "-set with a bad value")
refused(["-model", base, "-set", "N:0=2.5"], "N must be a positive integer", "-set N not an integer")
refused(["-model", P("graph.h5"), "-set", "T:0:1:0=1"], "the model is in the channel form", "-set T of a channel-form model")
refused(["-model", P("missing.h5")], "model file '%s' does not exist" % P("missing.h5"), "a missing model file")
refused(["-file", P("missing.h5")], "-file '%s' does not exist" % P("missing.h5"), "a missing -file")
refused(["-T", P("missing.npy")], "-T: file '%s' does not exist" % P("missing.npy"), "a missing .npy file")
refused([], "give the model with exactly one of -model", "no input")
refused(["-model", base, "-T", P("T.npy")], "give the model with exactly one of -model", "two inputs")
refused(["-model", base, "-U", P("U.npy")], "-U and -V go with -T", "-U with -model")
# NPY files mrdyn does not read
np.save(P("Tbig.npy"), T.astype(">f8"))
np.save(P("Tint.npy"), np.ones((2, 2, 2), dtype=np.int64))
np.save(P("Tfort.npy"), np.asfortranarray(rng.standard_normal((2, 2, 2))))
with open(P("T.npy"), "rb") as f:
    raw = f.read()
with open(P("Tv3.npy"), "wb") as f:
    f.write(raw[:6] + b"\x03" + raw[7:])
with open(P("Tcut.npy"), "wb") as f:
    f.write(raw[:-8])
refused(["-T", P("Tbig.npy")], "holds dtype '>f8'; only little-endian float64 ('<f8') or float32 ('<f4')", "a big-endian .npy")
refused(["-T", P("Tint.npy")], "holds dtype '<i8'", "an integer .npy")
refused(["-T", P("Tfort.npy")], "is in Fortran order", "a Fortran-order .npy")
refused(["-T", P("Tv3.npy")], "is NPY format 3.0; only formats 1.0 and 2.0 are read", "NPY format 3")
refused(["-T", P("Tcut.npy")], "holds 56 bytes of data but its shape needs 64", "a truncated .npy")
refused(["-T", P("arrays.h5")], "is neither a .npy file nor a comma-separated list", "an HDF5 file given to -T")
# the input is never the output, even with -force
r = run(["model", "from", "-model", base, "-g", 0.1, "-o", base, "-force"], check=False)
check(r.returncode == 1 and "is the input file" in r.stderr and digest(base) == base_digest, "-o the input file with -force: refused, the input unchanged")
# -help lists the options and exits 0
r = run(["model", "from", "-help"], check=False)
check(r.returncode == 0 and all(o in r.stdout for o in ("-model", "-file", "-T", "-U", "-V", "-set", "-N", "-g")), "model from -help lists its options, exit 0")
finish()
