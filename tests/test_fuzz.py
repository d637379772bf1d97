"""Fuzz test (issue 12): input files mutated at random and fed to every verb that
reads them, at 1 rank (the program started directly, an MPI singleton) and at 3
ranks (mpiexec), under a timeout. Each case must either succeed, or fail with
exactly one "mrdyn: error: ..." line and exit status 1, with no PETSc, HDF5 or MPI
noise (no "error on rank", MPI_Abort, PETSc banner or traceback), no hang (a case
that times out runs once more with twice the time, as an MPI start-up on an
oversubscribed machine can stall; a second timeout fails it), no
output file left (final, .partial or checkpoint), and every input file unchanged
(SHA-256 before and after). After a success, the values the output records (N, g,
tau, seed) are the ones the input gave: a number that wrapped or a setting
replaced by a default fails the case. Nothing is whitelisted: a failing case
fails the test.

Targets: model files (dense and channel form), simulate run files (read by
compare, dimension, info, spectrum -run), dmft files (compare, info),
checkpoints and the .partial output they continue (simulate -restart, also with
-analysis lyapunov), arrays for model from (-file HDF5, -T .npy), sweep files
(sweep, sweep -dry_run), and PETSc option files (-options_file_yaml,
-options_file). Mutations: truncation, bit flips, zeroed or appended bytes,
missing datasets, groups and attributes, wrong dtypes (strings, floats for
integers, complex, compound, bool), wrong shapes (extra or missing dimensions,
one element more or less, empty), huge, negative, NaN and Inf values, dangling
links; for text files deleted or duplicated lines, stray YAML syntax, odd
values, binary bytes.

Options (each also as an environment variable):
  -seed S      MRDYN_FUZZ_SEED   the seed (default: random; printed either way)
  -cases N     MRDYN_FUZZ_CASES  number of cases (default 500)
  -jobs J      MRDYN_FUZZ_JOBS   cases run at once (default 6; most of a case's time is start-up)
  -only K,..   MRDYN_FUZZ_ONLY   the case numbers to run (with the same seed)
  -keep        MRDYN_FUZZ_KEEP   keep every case's directory (the command is in cmd.txt)

A failing case prints its number, what was mutated, the command and the output;
replay it with: test_fuzz.py -seed S -only K -keep
"""
import concurrent.futures
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import h5py
import numpy as np

from mrtest import MRDYN, MPIEXEC, ENV, write_dense_model, make_T, job_processes


def _arg(name, env, default):
    """-name VALUE on the command line, else the environment variable env, else default."""
    if "-" + name in sys.argv:
        k = sys.argv.index("-" + name)
        v = sys.argv[k + 1] if k + 1 < len(sys.argv) else "-"
        return v if not v.startswith("-") or v[1:2].isdigit() else "1"
    return os.environ.get(env, default)


SEED = int(_arg("seed", "MRDYN_FUZZ_SEED", str(random.SystemRandom().randrange(1 << 31))))
CASES = int(_arg("cases", "MRDYN_FUZZ_CASES", "500"))
JOBS = int(_arg("jobs", "MRDYN_FUZZ_JOBS", "6"))
ONLY = [int(x) for x in _arg("only", "MRDYN_FUZZ_ONLY", "").split(",") if x.strip()]
KEEP = _arg("keep", "MRDYN_FUZZ_KEEP", "") not in ("", "0")
P3 = 0.2  # share of the cases run at 3 ranks under mpiexec
TIMEOUT = {1: 30, 3: 60}
MRDYN = os.path.abspath(MRDYN)

# Lines that must never appear: PETSc's error report and banner, an error of one rank,
# MPI_Abort, HDF5's error stack, ROMIO (MPI-IO) messages, crashes, Python tracebacks.
NOISE = ("PETSC ERROR", "Petsc Release Version", "MPI_ABORT", "HDF5-DIAG", "error on rank", "ADIOI", "MPI_ERR", "Traceback", "Segmentation",
         "Process received signal", "Abort(", "munmap_chunk", "free(): ", "double free", "stack smashing", "AddressSanitizer", "ORTE_ERROR_LOG")

print("fuzz: seed %d (replay with -seed %d), %d cases, %d at a time" % (SEED, SEED, CASES, JOBS), flush=True)


# ---------------------------------------------------------------- base files
def write_channel_model(path, N, g, Tdense):
    """The dense model's channels written in the channel form (COO T)."""
    R = len(N)
    tgt, src = [], []
    for r in range(R):
        for s in range(R):
            tgt.append(r)
            src.append(s)
    row, col, val = [], [], []
    for r in range(R):
        for s in range(R):
            for q in range(R):
                if Tdense[r, s, q] != 0:
                    row.append(r * R + s)  # out-channel s -> r (source s)
                    col.append(s * R + q)  # in-channel q -> s (target s)
                    val.append(Tdense[r, s, q])
    with h5py.File(path, "w") as f:
        f["N"] = np.asarray(N, np.int64)
        f["g"] = np.asarray(g, float)
        f["channel/target"] = np.asarray(tgt, np.int64)
        f["channel/source"] = np.asarray(src, np.int64)
        f["T/row"] = np.asarray(row, np.int64)
        f["T/col"] = np.asarray(col, np.int64)
        f["T/value"] = np.asarray(val, float)
        f["V"] = np.linspace(0.1, 0.4, R * R)
        f.attrs["phi"] = "erf"
        f.attrs["tau"] = 1.0


SIM = ["-t_final", "1.5", "-dt", "0.1", "-progress", "0", "-seed", "3"]
SIM_RUN = SIM + ["-save_activity", "1", "-checkpoint_every", "7"]
SIM_LY = SIM + ["-analysis", "lyapunov", "-lyap_k", "2", "-t_transient", "0.5", "-checkpoint_every", "7"]
SWEEP_YAML = """verb: dmft
output: sw
model:
  generator: paper
  R: 2
  N: 50
  g: [1.5, 0.5]
  a: [1.2, 1.5]
  b: [0.8, 0.6]
options:
  dt: 0.1
  t_final: 2
vary:
  run.seed: {range: [1, 3]}
  init_variance: [0.5, 1.0]
keep: none
classify_window: 0.5
"""
OPTS_YAML = """seed: 4
init_variance: 0.7
traces: 2
save_every: 2
output_buffer: 3
"""
OPTS_TXT = """-seed 4
-init_variance 0.7
# a comment
-traces 2
-save_every 2
"""


def base_run(args, cwd):
    p = subprocess.run([MRDYN] + args, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        sys.stderr.write("fuzz: setting up the base files failed: %s\n%s%s" % (" ".join(args), p.stdout, p.stderr))
        raise SystemExit(1)


# root attributes a run writes only when it completes (a .partial left by a signal has none of them)
END_ATTRS = ("status", "steps", "rhs_per_step", "exchange_bytes_per_rhs", "exchange_messages_per_rhs", "exchange_bytes_per_step",
             "exchange_messages_per_step", "wall_seconds", "current_exponent", "lyap_every", "lyap_k", "running_change_last_quarter",
             "t_accumulated", "t_transient")


def make_partial(d, out):
    """An interrupted run: the checkpoint of step 14 and the output as it was then (the
    complete file cut back to the checkpoint's rows, without what the end adds)."""
    shutil.copy(os.path.join(d, out), os.path.join(d, out + ".partial"))
    with h5py.File(os.path.join(d, out + ".ckpt"), "r") as c:
        rows, arows = int(c.attrs["saved_rows"]), int(c.attrs["activity_rows"])
    with h5py.File(os.path.join(d, out + ".partial"), "a") as f:
        for k in END_ATTRS:
            if k in f.attrs:
                del f.attrs[k]
        if "lyapunov" in f:
            del f["lyapunov"]
        for k in ("time", "currents", "variance", "psi", "traces/x"):
            f[k].resize(rows, axis=0)
        for k in ("activity", "activity_time"):
            if k in f:
                f[k].resize(arows, axis=0)


def make_bases(d):
    Td = make_T([1.2, 1.5], [0.8, 0.6])
    U = np.zeros((2, 2, 2))
    for s in range(2):
        U[s] = [[1.0, 0.2], [0.2, 1.0]]
    write_dense_model(os.path.join(d, "model.h5"), N=[12, 10], g=[1.5, 0.5], T=Td, U=U, V=[[0.1, 0.2], [0.3, 0.4]],
                      sigma2=[6.0, 6.0], attrs={"phi": "erf", "tau": 1.0, "description": "fuzz base"})
    write_channel_model(os.path.join(d, "chan.h5"), [12, 10], [1.5, 0.5], Td)
    base_run(["simulate", "-model", "model.h5", "-o", "run.h5"] + SIM_RUN, d)
    base_run(["simulate", "-model", "model.h5", "-o", "ly.h5"] + SIM_LY, d)
    base_run(["dmft", "-model", "model.h5", "-o", "mf.h5"] + SIM[:4] + ["-seed", "3"], d)
    for out in ("run.h5", "ly.h5"):
        make_partial(d, out)
    # the restarts of the unchanged files succeed (else every restart case would only test a refusal)
    for out, args in (("run.h5", SIM_RUN), ("ly.h5", SIM_LY)):
        t = os.path.join(d, "try")
        os.makedirs(t)
        for n in ("model.h5", out + ".ckpt", out + ".partial"):
            shutil.copy(os.path.join(d, n), os.path.join(t, n))
        base_run(["simulate", "-model", "model.h5", "-o", out] + args + ["-restart", out + ".ckpt"], t)
        shutil.rmtree(t)
    # arrays for model from: an HDF5 file of arrays and a .npy file of T
    with h5py.File(os.path.join(d, "arrays.h5"), "w") as f:
        f["T"] = Td
        f["U"] = U
        f["V"] = np.array([[0.1, 0.2], [0.3, 0.4]])
        f["g"] = np.array([1.5, 0.5])
        f["N"] = np.array([12, 10], np.int64)
        f["sigma2"] = np.array([6.0, 6.0])
    np.save(os.path.join(d, "T.npy"), Td)
    with open(os.path.join(d, "sweep.yaml"), "w") as f:
        f.write(SWEEP_YAML)
    with open(os.path.join(d, "opts.yaml"), "w") as f:
        f.write(OPTS_YAML)
    with open(os.path.join(d, "opts.txt"), "w") as f:
        f.write(OPTS_TXT)


# ---------------------------------------------------------------- mutations
HUGE_INTS = [2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 32 + 12, 2 ** 63 - 1, -1, -(2 ** 31), -(2 ** 63), 0, 10 ** 9, 10 ** 7]
HUGE_FLOATS = [np.nan, np.inf, -np.inf, 1e308, -1e308, 1e-308, 0.0, -1.0, 1e30, 2.0 ** 31, 2.0 ** 64, 5e-324]


def mutate_bytes(rng, path):
    data = bytearray(open(path, "rb").read())
    n = len(data)
    kind = rng.choice(["truncate", "truncate_head", "bitflip", "bitflip_meta", "zero", "append", "empty", "text"])
    if n < 16 and kind not in ("empty", "text"):
        kind = "append"
    if kind == "truncate":
        k = int(rng.integers(1, n))
        data = data[:k]
        what = "truncated to %d of %d bytes" % (k, n)
    elif kind == "truncate_head":
        k = int(rng.integers(8, max(9, min(n, 4096))))
        data = data[:k]
        what = "truncated to %d bytes (inside the metadata)" % k
    elif kind in ("bitflip", "bitflip_meta"):
        m = int(rng.integers(1, 9))
        hi = n if kind == "bitflip" else min(n, 2048)
        pos = sorted(int(x) for x in rng.integers(0, hi, m))
        for p in pos:
            data[p] ^= 1 << int(rng.integers(0, 8))
        what = "%d bit(s) flipped at bytes %s" % (m, pos)
    elif kind == "zero":
        a = int(rng.integers(0, n))
        b = min(n, a + int(rng.integers(1, 512)))
        data[a:b] = bytes(b - a)
        what = "bytes %d..%d zeroed" % (a, b)
    elif kind == "append":
        k = int(rng.integers(1, 4096))
        data += bytes(rng.integers(0, 256, k, dtype=np.uint8))
        what = "%d random bytes appended" % k
    elif kind == "empty":
        data = bytearray()
        what = "emptied"
    else:
        data = bytearray(b"not an HDF5 file\n" * int(rng.integers(1, 50)))
        what = "replaced by text"
    open(path, "wb").write(bytes(data))
    return "bytes: " + what


def h5_items(f):
    dsets, groups = [], []

    def visit(name, obj):
        (dsets if isinstance(obj, h5py.Dataset) else groups).append(name)
    f.visititems(visit)
    return sorted(dsets), sorted(groups)


def odd_array(rng, old):
    """A replacement for dataset `old`: another dtype, shape or values."""
    shape = old.shape
    kind = rng.choice(["string", "float_for_int", "int_for_float", "complex", "compound", "bool", "extra_dim", "drop_dim", "longer",
                       "shorter", "empty", "scalar", "huge", "nan", "negative", "uint64", "int8", "transpose", "float32"])
    a = old[()] if old.size < 10 ** 6 else np.zeros(shape)
    if isinstance(a, bytes) or getattr(a, "dtype", np.dtype(float)).kind not in "iufb":
        a = np.zeros(shape)
    a = np.asarray(a)
    if kind == "string":
        return kind, np.array([b"abc"] * max(1, a.size)).reshape(shape if a.size else (1,))
    if kind == "float_for_int":
        return kind, a.astype(float) + 0.5
    if kind == "int_for_float":
        return kind, a.astype(np.int64)
    if kind == "complex":
        return kind, a.astype(complex) + 1j
    if kind == "compound":
        c = np.zeros(a.shape, dtype=[("re", float), ("im", float)])
        return kind, c
    if kind == "bool":
        return kind, a != 0
    if kind == "extra_dim":
        return kind, a[..., None] if a.ndim else a.reshape(1, 1)
    if kind == "drop_dim":
        return kind, a.reshape(-1)[:1].reshape(()) if a.ndim <= 1 else a.reshape(a.shape[0], -1)[:, 0]
    if kind == "longer":
        return kind, np.concatenate([a.reshape((-1,) + a.shape[1:]) if a.ndim else a.reshape(1), (a.reshape((-1,) + a.shape[1:]) if a.ndim else a.reshape(1))[:1]])
    if kind == "shorter":
        return kind, a[:-1] if a.ndim else a.reshape(1)[:0]
    if kind == "empty":
        return kind, np.zeros((0,) + a.shape[1:], a.dtype)
    if kind == "scalar":
        return kind, np.asarray(a.reshape(-1)[0] if a.size else 0)
    if kind == "huge":
        v = rng.choice(HUGE_INTS) if a.dtype.kind in "iu" else rng.choice(HUGE_FLOATS)
        b = a.copy().astype(np.int64 if a.dtype.kind in "iu" and -2 ** 63 <= v < 2 ** 63 else float)
        if b.size:
            b.reshape(-1)[int(rng.integers(0, b.size))] = v
        return "value %r" % (v,), b
    if kind == "nan":
        b = a.astype(float)
        if b.size:
            b.reshape(-1)[int(rng.integers(0, b.size))] = rng.choice([np.nan, np.inf, -np.inf])
        return kind, b
    if kind == "negative":
        return kind, -np.abs(a) - 1
    if kind == "uint64":
        b = a.astype(np.int64)
        b = np.where(b < 0, 0, b).astype(np.uint64)
        if b.size:
            b.reshape(-1)[int(rng.integers(0, b.size))] = np.uint64(2 ** 64 - 1)
        return kind, b
    if kind == "int8":
        return kind, np.clip(a, -128, 127).astype(np.int8)
    if kind == "transpose":
        return kind, a.T.copy() if a.ndim >= 2 else a.reshape(-1, 1)
    return kind, a.astype(np.float32)


def odd_attr(rng):
    return rng.choice(["string", "nan", "huge", "negative", "array", "empty", "long", "int", "float", "bytes"]), None


def attr_value(kind, rng):
    if kind == "string":
        return "fast"
    if kind == "nan":
        return rng.choice([np.nan, np.inf, -np.inf])
    if kind == "huge":
        return rng.choice([2 ** 63 - 1, 2 ** 32 + 7, 1e308, 2 ** 31])
    if kind == "negative":
        return rng.choice([-1, -(2 ** 31), -1.5])
    if kind == "array":
        return np.arange(3.0)
    if kind == "empty":
        return ""
    if kind == "long":
        return "x" * 5000
    if kind == "int":
        return np.int64(7)
    if kind == "float":
        return 0.25
    return np.void(b"\x00\x01\x02")


def mutate_h5(rng, path):
    """One structural change of an HDF5 file through h5py."""
    with h5py.File(path, "a") as f:
        dsets, groups = h5_items(f)
        objs = [""] + groups + dsets
        kind = rng.choice(["del_dataset", "replace_dataset", "replace_dataset", "replace_dataset", "del_attr", "attr_type", "attr_type",
                           "dataset_to_group", "group_to_dataset", "dangling_link", "extra_dataset", "del_group"])
        if kind in ("del_dataset", "replace_dataset", "dataset_to_group", "dangling_link") and dsets:
            name = dsets[int(rng.integers(0, len(dsets)))]
            if kind == "del_dataset":
                del f[name]
                return "h5: dataset /%s deleted" % name
            if kind == "dataset_to_group":
                del f[name]
                f.create_group(name)
                return "h5: dataset /%s replaced by a group" % name
            if kind == "dangling_link":
                del f[name]
                f[name] = h5py.SoftLink("/nowhere/" + name)
                return "h5: dataset /%s replaced by a dangling soft link" % name
            how, val = odd_array(rng, f[name])
            del f[name]
            f[name] = val
            return "h5: dataset /%s replaced (%s: dtype %s shape %s)" % (name, how, val.dtype, val.shape)
        if kind == "del_group" and groups:
            name = groups[int(rng.integers(0, len(groups)))]
            del f[name]
            return "h5: group /%s deleted" % name
        if kind == "group_to_dataset" and groups:
            name = groups[int(rng.integers(0, len(groups)))]
            del f[name]
            f[name] = np.arange(3.0)
            return "h5: group /%s replaced by a dataset" % name
        if kind == "extra_dataset":
            f["extra_%d" % int(rng.integers(0, 100))] = np.arange(int(rng.integers(0, 5)), dtype=float)
            return "h5: an extra dataset"
        # attributes
        withattrs = [o for o in objs if len((f[o] if o else f).attrs)]
        if not withattrs:
            return mutate_bytes(rng, path) if False else "h5: nothing to change"
        o = withattrs[int(rng.integers(0, len(withattrs)))]
        obj = f[o] if o else f
        names = sorted(obj.attrs.keys())
        name = names[int(rng.integers(0, len(names)))]
        if kind == "del_attr":
            del obj.attrs[name]
            return "h5: attribute %s of /%s deleted" % (name, o)
        how, _ = odd_attr(rng)
        v = attr_value(how, rng)
        del obj.attrs[name]
        obj.attrs[name] = v
        return "h5: attribute %s of /%s set to %s (%s)" % (name, o, how, repr(v)[:40])


YAML_ODD = ["", "~", "[]", "{}", "[1, [2, [3]]]", "-1", "1e999", "nan", ".inf", "-.inf", "4294967297", "99999999999999999999", "0x10", "1.5",
            "'quoted'", "\"unterminated", "a: b: c", "&anchor 1", "*nowhere", "!!binary aGVsbG8=", "!include nope.yaml", "|\n  block",
            "2147483648", "-2147483649", "1,2,3", "[0.5, 1e308]", "{linspace: [0, 1, -5]}", "{range: [1, 1000000000]}", "{range: [0, 1, 0]}",
            "{logspace: [0, 400, 3]}", "yes", "null"]
YAML_JUNK = [":", "[", "]", "{", "}", "-", "#", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`", "\t", "\x00", "\xff", "  ", "\n"]


def mutate_text(rng, path):
    text = open(path, "rb").read().decode("utf-8", "replace")
    lines = text.split("\n")
    kind = rng.choice(["value", "value", "value", "del_line", "dup_line", "junk", "truncate", "indent", "binary", "empty", "key"])
    if kind in ("value", "key"):
        cand = [i for i, l in enumerate(lines) if ":" in l or l.lstrip().startswith("-")]
        if cand:
            i = cand[int(rng.integers(0, len(cand)))]
            v = YAML_ODD[int(rng.integers(0, len(YAML_ODD)))]
            l = lines[i]
            if ":" in l:
                k = l.index(":")
                lines[i] = (l[:k + 1] + " " + v) if kind == "value" else (l[:len(l) - len(l.lstrip())] + rng.choice(["bogus", "t_fnal", "-x", "9", "a b"]) + l[k:])
            else:  # an options file line "-name value"
                parts = l.split()
                lines[i] = (parts[0] + " " + v) if kind == "value" else (rng.choice(["-bogus", "-t_fnal", "x", "--"]) + " " + " ".join(parts[1:]))
            text = "\n".join(lines)
            what = "line %d -> %r" % (i + 1, lines[i][:60])
        else:
            kind = "junk"
    if kind == "del_line":
        i = int(rng.integers(0, len(lines)))
        what = "line %d deleted" % (i + 1)
        del lines[i]
        text = "\n".join(lines)
    elif kind == "dup_line":
        i = int(rng.integers(0, len(lines)))
        lines.insert(i, lines[i])
        text = "\n".join(lines)
        what = "line %d duplicated" % (i + 1)
    elif kind == "junk":
        p = int(rng.integers(0, len(text) + 1))
        j = YAML_JUNK[int(rng.integers(0, len(YAML_JUNK)))]
        text = text[:p] + j + text[p:]
        what = "%r inserted at %d" % (j, p)
    elif kind == "truncate":
        p = int(rng.integers(0, len(text) + 1))
        text = text[:p]
        what = "truncated to %d characters" % p
    elif kind == "indent":
        i = int(rng.integers(0, len(lines)))
        lines[i] = rng.choice([" ", "   ", "\t"]) + lines[i]
        text = "\n".join(lines)
        what = "line %d indented" % (i + 1)
    elif kind == "binary":
        open(path, "wb").write(bytes(rng.integers(0, 256, int(rng.integers(1, 300)), dtype=np.uint8)))
        return "text: replaced by random bytes"
    elif kind == "empty":
        text = ""
        what = "emptied"
    open(path, "w", encoding="utf-8", errors="surrogateescape").write(text)
    return "text: " + what


def mutate_npy(rng, path):
    """A .npy file: its bytes, or an array of another dtype, shape or values."""
    try:
        old = np.load(path) if rng.random() >= 0.4 else None
    except Exception:  # an earlier byte mutation left no .npy file to edit
        old = None
    if old is None:
        return mutate_bytes(rng, path)
    how, val = odd_array(rng, old)
    np.save(path, val)
    return "npy: replaced (%s: dtype %s shape %s)" % (how, val.dtype, val.shape)


# ---------------------------------------------------------------- cases
# (target file, list of verb commands); OUT is the output file, every path is
# relative to the case's own directory.
def verbs_for(target):
    if target in ("model.h5", "chan.h5"):
        m = target
        return [["simulate", "-model", m, "-o", "out.h5"] + SIM,
                ["dmft", "-model", m, "-o", "out.h5"] + SIM[:4],
                ["spectrum", "-model", m, "-o", "out.h5"],
                ["lyapunov", "-model", m, "-o", "out.h5", "-t_final", "1", "-dt", "0.1", "-lyap_k", "2"],
                ["info", m],
                ["model", "from", "-model", m, "-o", "out.h5"]]
    if target == "run.h5":
        return [["compare", "run.h5", "mf.h5", "-tol", "1e9"],
                ["dimension", "run.h5", "-o", "out.h5"],
                ["info", "run.h5"],
                ["spectrum", "-run", "run.h5", "-o", "out.h5"]]
    if target == "mf.h5":
        return [["compare", "run.h5", "mf.h5", "-tol", "1e9"], ["info", "mf.h5"]]
    if target in ("run.h5.ckpt", "run.h5.partial"):
        return [["simulate", "-model", "model.h5", "-o", "run.h5"] + SIM_RUN + ["-restart", "run.h5.ckpt"]]
    if target in ("ly.h5.ckpt", "ly.h5.partial"):
        return [["simulate", "-model", "model.h5", "-o", "ly.h5"] + SIM_LY + ["-restart", "ly.h5.ckpt"]]
    if target == "arrays.h5":
        return [["model", "from", "-file", "arrays.h5", "-o", "out.h5"]]
    if target == "T.npy":
        return [["model", "from", "-T", "T.npy", "-N", "12,10", "-g", "1.5,0.5", "-o", "out.h5"]]
    if target == "sweep.yaml":
        return [["sweep", "sweep.yaml", "-dry_run"], ["sweep", "sweep.yaml", "-dry_run"], ["sweep", "sweep.yaml"]]
    if target == "opts.yaml":  # the file's -seed counts (nothing after it sets one)
        return [["simulate", "-model", "model.h5", "-o", "out.h5", "-options_file_yaml", "opts.yaml"] + SIM[:6],
                ["dmft", "-model", "model.h5", "-o", "out.h5", "-options_file_yaml", "opts.yaml"] + SIM[:4],
                ["info", "model.h5", "-options_file_yaml", "opts.yaml"]]
    if target == "opts.txt":
        return [["simulate", "-model", "model.h5", "-o", "out.h5", "-options_file", "opts.txt"] + SIM[:6],
                ["dmft", "-model", "model.h5", "-o", "out.h5", "-options_file", "opts.txt"] + SIM[:4]]
    raise ValueError(target)


# what each target needs beside it
NEEDS = {"run.h5": ["model.h5", "mf.h5"], "mf.h5": ["run.h5", "model.h5"], "run.h5.ckpt": ["model.h5", "run.h5.partial"],
         "run.h5.partial": ["model.h5", "run.h5.ckpt"], "ly.h5.ckpt": ["model.h5", "ly.h5.partial"], "ly.h5.partial": ["model.h5", "ly.h5.ckpt"],
         "opts.yaml": ["model.h5"], "opts.txt": ["model.h5"]}
TARGETS = [("model.h5", 5), ("chan.h5", 3), ("run.h5", 4), ("mf.h5", 2), ("run.h5.ckpt", 2), ("run.h5.partial", 1), ("ly.h5.ckpt", 1),
           ("ly.h5.partial", 0.5), ("arrays.h5", 1), ("T.npy", 0.5), ("sweep.yaml", 2), ("opts.yaml", 2), ("opts.txt", 1)]


class Case:
    pass


def plan(i):
    """Case i: its target, mutation seed, verb and rank count; a function of (SEED, i) only."""
    rng = np.random.default_rng([SEED, i])
    c = Case()
    c.i = i
    names, w = zip(*TARGETS)
    w = np.asarray(w, float)
    c.target = names[int(rng.choice(len(names), p=w / w.sum()))]
    vs = verbs_for(c.target)
    c.args = vs[int(rng.integers(0, len(vs)))]
    c.np = 3 if rng.random() < P3 else 1
    c.rng = rng
    c.fixed = None
    return c


def zero_global_heap(path):
    """The objects of the first global heap collection zeroed: HDF5 1.10 itself never
    finishes reading a variable-length string (h5py's attributes) from it."""
    data = bytearray(open(path, "rb").read())
    i = data.find(b"GCOL")
    data[i + 16:i + 216] = bytes(200)
    open(path, "wb").write(bytes(data))
    return "bytes: the objects of the global heap at %d zeroed" % i


def fixed_cases():
    """Damage that random mutation finds rarely, checked in every run (numbered from -1 down)."""
    out = []
    for k, (target, args) in enumerate([("chan.h5", ["model", "from", "-model", "chan.h5", "-o", "out.h5"]),
                                        ("model.h5", ["simulate", "-model", "model.h5", "-o", "out.h5"] + SIM)]):
        c = Case()
        c.i, c.target, c.args, c.np, c.rng, c.fixed = -1 - k, target, args, 1, np.random.default_rng([SEED, 1 << 40, k]), zero_global_heap
        out.append(c)
    return out


def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def listing(d):
    out = []
    for root, dirs, files in os.walk(d):
        for f in files:
            out.append(os.path.relpath(os.path.join(root, f), d))
        for x in dirs:
            out.append(os.path.relpath(os.path.join(root, x), d) + "/")
    return sorted(out)


def run_case(c, base, top):
    d = os.path.join(top, "case%04d" % c.i)
    os.makedirs(d)
    c.dir = d
    for n in [c.target] + NEEDS.get(c.target, []):
        shutil.copy(os.path.join(base, n), os.path.join(d, n))
    path = os.path.join(d, c.target)
    text = c.target.endswith((".yaml", ".txt"))
    m = []
    kinds = [] if c.fixed else ["text" if text else "npy" if c.target.endswith(".npy") else "bytes" if c.rng.random() < 0.35 else "h5"
             for _ in range(1 + (c.rng.random() < 0.15))]  # sometimes two mutations
    # the byte mutations last: libhdf5 (in h5py) can crash on a damaged file, so it edits intact ones only
    for k in sorted(kinds, key=lambda k: k == "bytes"):
        if k == "text":
            m.append(mutate_text(c.rng, path))
        elif k == "npy":
            m.append(mutate_npy(c.rng, path))
        elif k == "bytes":
            m.append(mutate_bytes(c.rng, path))
        else:
            m.append(mutate_h5(c.rng, path))
    if c.fixed:
        m.append(c.fixed(path))
    c.mutation = "; ".join(m)
    before = {n: sha(os.path.join(d, n)) for n in listing(d) if not n.endswith("/")}
    cmd = ([MPIEXEC, "-n", "3"] if c.np == 3 else []) + [MRDYN] + c.args
    c.cmd = " ".join(cmd[:-len(c.args) - 1] + ["mrdyn"] + c.args)
    with open(os.path.join(d, "cmd.txt"), "w") as f:
        f.write("# case %d, seed %d: %s: %s\ncd %s && %s\n" % (c.i, SEED, c.target, c.mutation, d, " ".join(cmd)))
    before["cmd.txt"] = None
    keep = os.path.join(top, "orig%04d" % c.i)  # the mutated inputs, for a second try
    shutil.copytree(d, keep)
    c.stall = None
    for attempt in (1, 2):
        t0 = time.time()
        p = subprocess.Popen(cmd, cwd=d, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace", start_new_session=True)
        try:
            so, se = p.communicate(timeout=TIMEOUT[c.np] * attempt)
            c.hang = False
        except subprocess.TimeoutExpired:
            where = waiting(p)
            for q in job_processes(p) + [p.pid]:
                try:
                    os.kill(q, signal.SIGKILL)
                except OSError:
                    pass
            so, se = p.communicate()
            c.hang = True
        c.seconds = time.time() - t0
        c.rc, c.out, c.err = p.returncode, so, se
        if not c.hang or attempt == 2:
            break
        # Once more from the same inputs with twice the time: on 2 oversubscribed cores an
        # MPI start-up has stalled for 30 s (once in about 5000 cases). A hang of mrdyn
        # repeats (the inputs decide everything) and fails the case; the stall is reported.
        c.stall = "timed out after %.0f s (waiting: %s), then finished" % (c.seconds, where)
        shutil.rmtree(d)
        shutil.copytree(keep, d)
    shutil.rmtree(keep, ignore_errors=True)
    if c.hang:
        c.stall = None  # it hung twice: a failure
    after = listing(d)
    c.changed = [n for n, h in before.items() if h is not None and (not os.path.exists(os.path.join(d, n)) or sha(os.path.join(d, n)) != h)]
    c.new = [n for n in after if n not in before and n not in ("sw/",)]
    c.new_sw = [n for n in after if n.startswith("sw/")]
    try:
        judge(c)
    except Exception as e:  # the judge must not stop the whole run
        c.problems = ["judge failed: %r" % e]
    if not KEEP and not c.problems:
        shutil.rmtree(d, ignore_errors=True)
    return c


def waiting(p):
    """Where the processes of a timed-out case wait: each one's name and kernel wait channel."""
    out = []
    for q in [p.pid] + job_processes(p):
        try:
            with open("/proc/%d/comm" % q) as f, open("/proc/%d/wchan" % q) as g:
                out.append("%s:%s" % (f.read().strip(), g.read().strip() or "running"))
        except OSError:
            pass
    return ", ".join(out) or "no process"


def judge(c):
    """The verdict: a list of problem kinds (empty: the case passed)."""
    both = c.out + c.err
    msgs = [l for l in both.splitlines() if "mrdyn: error" in l]
    pr = []
    c.msgs = msgs
    restart = "-restart" in c.args
    if c.hang:
        pr.append("hang")
    elif c.rc is None or c.rc < 0 or c.rc > 128:
        pr.append("crash")
    if any(w in both for w in NOISE):
        pr.append("noise")
    if c.rc == 0 and not c.hang:
        if msgs:
            pr.append("message on success")
        if restart:
            # the partial output became the final file; the checkpoint may be rewritten
            out = c.args[c.args.index("-o") + 1]
            c.changed = [n for n in c.changed if n not in (out + ".partial", out + ".ckpt")]
        if c.changed:
            pr.append("input changed")
        if any(n.endswith(".partial") for n in c.new):
            pr.append("partial file left")
        if "-o" in c.args and "-dry_run" not in c.args and not os.path.exists(os.path.join(c.dir, c.args[c.args.index("-o") + 1])):
            pr.append("no output file")
    elif not c.hang:
        if len(msgs) != 1 or not msgs[0].startswith("mrdyn: error: "):
            pr.append("not one message (%d)" % len(msgs))
        if c.rc != 1 and "crash" not in pr:
            pr.append("exit status %s" % c.rc)
        left = [n for n in c.new if not n.endswith("/")]
        if c.args[0] == "sweep" and any(n.endswith(".failed") for n in c.new + c.new_sw):
            left = []  # a failed member is recorded as such, in the sweep's directory (docs/sweep.md)
        elif c.args[0] == "sweep" and c.new_sw:
            left += [n for n in c.new_sw if not n.endswith("/")]
        if left:
            pr.append("file left")
        if c.changed:
            pr.append("input changed")
    if c.rc == 0 and not c.hang:
        pr += oracle(c)
    c.problems = pr


def oracle(c):
    """After a success: the values the output records are the ones the input gave
    (a number that wrapped or a setting replaced by a default is a silent change)."""
    if c.args[0] == "info":  # it says what the file is (a damaged file that printed nothing is no success)
        name = c.args[1]
        return [] if any(l.startswith(name + ": mrdyn ") for l in c.out.splitlines()) else ["info printed no description"]
    out = os.path.join(c.dir, "out.h5")
    if c.args[0] not in ("simulate", "dmft", "model") or not os.path.exists(out):
        return []
    try:
        with h5py.File(out, "r") as f:
            if c.args[0] == "model":  # a model file: N and g are datasets
                got = {k: f[k][()] for k in ("N", "g") if k in f}
            else:
                got = {k: f.attrs[k] for k in ("N", "g", "seed", "tau") if k in f.attrs}
    except Exception:
        return ["output unreadable"]
    want = {}
    try:
        if c.target == "T.npy":
            want = {"N": [12, 10], "g": [1.5, 0.5]}
        elif c.target in ("model.h5", "chan.h5", "arrays.h5"):
            with h5py.File(os.path.join(c.dir, c.target), "r") as f:
                for k in ("N", "g"):  # numbers as stored: 12.5 or 2^32 + 12 accepted as another N is a silent change
                    if k in f and isinstance(f[k], h5py.Dataset) and f[k].dtype.kind in "iuf":
                        want[k] = [x.item() for x in np.atleast_1d(f[k][()])]
                if "tau" in f.attrs and np.asarray(f.attrs["tau"]).dtype.kind in "fi" and np.asarray(f.attrs["tau"]).size == 1:
                    want["tau"] = float(np.asarray(f.attrs["tau"]).reshape(-1)[0])
        elif c.target in ("opts.yaml", "opts.txt"):
            for line in open(os.path.join(c.dir, c.target), encoding="utf-8", errors="replace"):
                k, _, v = line.replace(":", " ", 1).partition(" ") if c.target == "opts.yaml" else line.partition(" ")
                if k.strip() in ("seed", "-seed") and v.strip().isdigit():
                    want["seed"] = int(v.strip())
    except Exception:
        return []
    bad = []
    for k, v in want.items():
        if k not in got:
            continue
        g = [x.item() if hasattr(x, "item") else x for x in np.atleast_1d(got[k])]
        v = np.atleast_1d(v).tolist()
        if len(g) != len(v) or any(not (a == b or (a != a and b != b)) for a, b in zip(g, v)):
            bad.append("silent change of %s (given %s, used %s)" % (k, str(v)[:60], str(g)[:60]))
    return bad


def report(c):
    lines = ["case %d [%s] P=%d %s: %s" % (c.i, ", ".join(c.problems), c.np, c.target, c.mutation),
             "  cmd: %s   (exit %s, %.1f s)" % (c.cmd, c.rc, c.seconds)]
    if c.changed:
        lines.append("  changed: %s" % c.changed)
    if c.new:
        lines.append("  new files: %s" % c.new)
    out = (c.err.strip() + "\n" + c.out.strip()).strip().splitlines()
    show = [l for l in out if "mrdyn: error" in l or any(w in l for w in NOISE)][:6] or out[-4:]
    lines += ["  | " + l[:300] for l in show]
    return "\n".join(lines)


def main():
    top = tempfile.mkdtemp(prefix="mrdyn-fuzz-")
    base = os.path.join(top, "base")
    os.makedirs(base)
    t0 = time.time()
    make_bases(base)
    print("fuzz: base files in %.1f s (%s)" % (time.time() - t0, top), flush=True)
    ids = ONLY or list(range(CASES))
    cases = [plan(i) for i in ids if i >= 0] + [c for c in fixed_cases() if not ONLY or c.i in ONLY]
    done = []
    lock = threading.Lock()
    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=JOBS) as ex:
        futs = [ex.submit(run_case, c, base, top) for c in cases]
        for f in concurrent.futures.as_completed(futs):
            c = f.result()
            with lock:
                done.append(c)
                if c.problems:
                    print(report(c), flush=True)
    wall = time.time() - t0
    done.sort(key=lambda c: c.i)
    bad = [c for c in done if c.problems]
    ok_fail = sum(1 for c in done if not c.problems and c.rc != 0)
    print("fuzz: %d cases in %.0f s (%d at 3 ranks): %d succeeded, %d refused cleanly, %d bad" %
          (len(done), wall, sum(c.np == 3 for c in done), sum(1 for c in done if not c.problems and c.rc == 0), ok_fail, len(bad)))
    by = {}
    for c in done:
        for p in c.problems:
            by.setdefault((c.target, p.split(" (")[0]), []).append(c.i)
    for (k, p), ids_ in sorted(by.items()):
        print("  %-24s %-22s %4d  e.g. case %s" % (k, p, len(ids_), ", ".join(map(str, ids_[:5]))))
    for c in done:
        if c.stall:
            print("  note: case %d %s (not a failure; its second run is judged)" % (c.i, c.stall))
    print("fuzz: seed %d" % SEED)
    if not KEEP:
        keep = {("case%04d" % c.i) for c in done if c.problems}
        if not keep:
            shutil.rmtree(top, ignore_errors=True)
        else:
            print("fuzz: the directories of the failing cases are kept in %s" % top)
    if bad:
        print("%d check(s) failed (seed %d)" % (len(bad), SEED))
        raise SystemExit(1)
    print("all checks passed")


main()
