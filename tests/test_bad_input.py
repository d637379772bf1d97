"""Bad input: one clear message, a non-zero exit on every rank, no hang, and no
output file created or changed. Each case runs at 2 ranks (some also at 1 and 3)."""
import hashlib
import os
import subprocess
import h5py
import numpy as np
from mrtest import run, tmpdir, check, finish, write_dense_model, make_T, MRDYN, MPIEXEC, ENV

d = tmpdir()
good = os.path.join(d, "good.h5")
write_dense_model(good, N=[300, 300], g=[0.5, 0.5], T=make_T([2.0, 2.0], [1.5, 1.5]))

def model_variant(name, **kw):
    path = os.path.join(d, name + ".h5")
    args = dict(N=[300, 300], g=[0.5, 0.5], T=make_T([2.0, 2.0], [1.5, 1.5]))
    args.update(kw)
    write_dense_model(path, **args)
    return path

def raw_model(name, fill):
    path = os.path.join(d, name + ".h5")
    with h5py.File(path, "w") as f:
        fill(f)
    return path

notes = os.path.join(d, "notes.txt")
with open(notes, "w") as f:
    f.write("this is not HDF5\n")
U_bad = np.array([np.eye(2), [[1.0, 2.0], [2.0, 1.0]]])
U_asym = np.array([np.eye(2), [[1.0, 0.5], [0.1, 1.0]]])
T_nan = make_T([2.0, 2.0], [1.5, 1.5]); T_nan[0, 1, 0] = np.nan
existing = os.path.join(d, "exists.h5")
with open(existing, "wb") as f:
    f.write(b"precious results")
digest = hashlib.sha256(open(existing, "rb").read()).hexdigest()

def dup_T(f):
    f["N"] = np.array([300, 300]); f["g"] = np.array([0.5, 0.5])
    f["channel/target"] = np.array([0, 1]); f["channel/source"] = np.array([1, 0])
    f["T/row"] = np.array([0, 0]); f["T/col"] = np.array([1, 1]); f["T/value"] = np.array([0.5, 0.7])

def no_T(f):
    f["N"] = np.array([300, 300]); f["g"] = np.array([0.5, 0.5])

def float_N(f):
    f["N"] = np.array([300.5, 300.0]); f["g"] = np.array([0.5, 0.5]); f["T"] = make_T([2.0, 2.0], [1.5, 1.5])

sim = ["simulate", "-t_final", 0.5, "-progress", 0]
# (name, arguments, phrase expected in the message, output file that must not appear)
cases = [
    ("missing model file", sim + ["-model", os.path.join(d, "nope.h5")], "does not exist"),
    ("model file is not HDF5", sim + ["-model", notes], "is not an HDF5 file"),
    ("dataset /T missing", sim + ["-model", raw_model("noT", no_T)], "/T is missing"),
    ("/T has the wrong shape", sim + ["-model", model_variant("shapeT", T=np.zeros((2, 2)))], "/T has rank 2"),
    ("/g has the wrong length", sim + ["-model", model_variant("shapeg", g=[0.5, 0.5, 0.5])], "/g has the wrong shape"),
    ("NaN in T", sim + ["-model", model_variant("nanT", T=T_nan)], "not finite"),
    ("negative N", sim + ["-model", model_variant("negN", N=[300, -5])], "dataset /N: value -5 at index 1 is out of range"),
    ("zero N", sim + ["-model", model_variant("zeroN", N=[0, 300])], "dataset /N: value 0 at index 0 is out of range"),
    ("non-integer N", sim + ["-model", raw_model("floatN", float_N)], "dataset /N must hold integers"),
    ("negative g", sim + ["-model", model_variant("negg", g=[0.5, -1.0])], "g must be finite and >= 0"),
    ("U not positive definite", sim + ["-model", model_variant("Upd", U=U_bad)], "not positive definite (smallest eigenvalue -1"),
    ("U not symmetric", sim + ["-model", model_variant("Usym", U=U_asym)], "not symmetric"),
    ("unknown generator", ["model", "bogus", "-o", "@OUT"], "unknown model generator 'bogus'"),
    ("unknown option", sim + ["-model", good, "-bogus", 1], "unknown option -bogus"),
    ("misspelled option", sim + ["-model", good, "-t_finale", 3], "did you mean -t_final"),
    ("malformed number", sim + ["-model", good, "-dt", "abc"], "option -dt: 'abc' is not a number"),
    ("negative time step", sim + ["-model", good, "-dt", -0.1], "time step must be > 0"),
    ("wrong number of initial currents", sim + ["-model", good, "-init_currents", "1,2,3"], "-init_currents has 3 values"),
    ("input to a region that does not exist", sim + ["-model", good, "-input", "5:0:1:1"], "region 5 does not exist"),
    ("unknown time stepper", sim + ["-model", good, "-ts_type", "bogus"], "option -ts_type: unknown type 'bogus' (choices: euler"),
    ("sparse disorder with K > N", sim + ["-model", good, "-disorder", "sparse", "-disorder_k", 400], "-disorder_k 400"),
    ("unwritable output path", sim + ["-model", good, "-o", "/nonexistent-dir/out.h5"], "does not exist"),
    ("no output file", sim + ["-model", good], "no output file"),
    ("unknown verb", ["simulat", "-model", good], "unknown verb 'simulat'"),
    ("readout variance too small for T (error on every rank)", sim + ["-model", model_variant("s2", sigma2=[1.0, 1.0])], "has no valid vector statistics"),
    ("T entry listed twice", sim + ["-model", raw_model("dupT", dup_T)], "more than once"),
    ("generator given an impossible readout variance", ["model", "paper", "-R", 2, "-a", 2.5, "-b", 1.5, "-sigma2", 1.0, "-o", "@OUT"], "has no valid vector statistics"),
    ("unknown disorder type", sim + ["-model", good, "-disorder", "bogus"], "option -disorder: 'bogus' is not one of dense, sparse"),
    ("dmft: unknown scheme", ["dmft", "-model", good, "-o", "@OUT", "-scheme", "bogus"], "option -scheme: 'bogus' is not one of"),
    ("dmft: grid step too large", ["dmft", "-model", good, "-o", "@OUT", "-dt", 2], "grid step must be in (0, 1)"),
    ("dmft: batch of size zero", ["dmft", "-model", good, "-o", "@OUT", "-batch", 0], "option -batch: '0' is out of range [1, 10000000]"),
    ("compare: missing simulation file", ["compare", os.path.join(d, "nope.h5"), good], "does not exist"),
    ("a network larger than the node's memory", sim + ["-model", model_variant("huge", N=[200000, 200000])], "GB on one node but it has"),
    ("generator with impossible parameters", ["model", "paper", "-R", 2, "-a", "1,2,3", "-b", 1, "-o", "@OUT"], "option -a: more than 2 values in '1,2,3'"),
]

for k, (name, args, phrase) in enumerate(cases):
    out = os.path.join(d, "out%d.h5" % k)
    args = [a if a != "@OUT" else out for a in args]
    if args[0] == "simulate" and "-o" not in args and name != "no output file":
        args += ["-o", out]
    for p in ((1, 2, 3) if k % 5 == 0 or "every rank" in name else (2,)):
        try:
            r = run(args, np_=p, timeout=60, check=False)
        except subprocess.TimeoutExpired:
            check(False, "%s (P=%d): finished without hanging" % (name, p))
            continue
        msgs = [l for l in r.stderr.splitlines() if l.startswith("mrdyn: error")]
        check(r.returncode != 0, "%s (P=%d): non-zero exit" % (name, p))
        check(len(msgs) == 1 and phrase in msgs[0], "%s (P=%d): one clear message [%s]" % (name, p, msgs[0] if msgs else r.stderr.strip()[:200]))
        check(not os.path.exists(out) and not os.path.exists(out + ".partial"), "%s (P=%d): no output file" % (name, p))

# an existing output is refused without -force and left untouched
r = run(sim + ["-model", good, "-o", existing], np_=2, check=False)
check(r.returncode != 0 and "exists; remove it or add -force" in r.stderr, "existing output refused without -force")
check(hashlib.sha256(open(existing, "rb").read()).hexdigest() == digest, "existing output left untouched")
check(not os.path.exists(existing + ".partial"), "no partial file next to the existing output")
print("%d distinct malformed inputs checked" % (len(cases) + 1))
finish()
