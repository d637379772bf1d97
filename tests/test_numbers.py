"""Numbers from options and files (issue 12): every integer is read in 64 bits and
checked against the range mrdyn supports, so nothing wraps (2^32 + 300 is not 300,
uint64 2^64 - 1 is not -1); a malformed or out-of-range number in any option,
mrdyn's own or PETSc's (-ts_rk_type, -ts_rtol), ends as one message naming the
option and the text as written, a non-zero exit on every rank, no PETSc or MPI
noise before it, and no output file. Seeds are 64-bit: -seed 4294967297 is not
-seed 1, and 2^53 + 1 is not 2^53."""
import os
import subprocess
import h5py
import numpy as np
from mrtest import run, tmpdir, check, finish, write_dense_model, make_T, MRDYN, MPIEXEC, ENV

# one node: shared memory only, no probing of network devices (a launch in 0.15 s, not 0.65 s)
ENV = dict(ENV, OMPI_MCA_pml="ob1", OMPI_MCA_btl="self,vader", HWLOC_COMPONENTS="-pci,-linuxio")

d = tmpdir()
good = os.path.join(d, "good.h5")
write_dense_model(good, N=[60, 40], g=[0.5, 0.5], T=make_T([2.0, 2.0], [1.5, 1.5]))
NOISE = ("error on rank", "MPI_Abort", "PETSC ERROR", "MPI_ABORT", "[0]PETSC", "Caught signal")
_ncalls = [0]


def run_ranks(args, np_, timeout=60):
    """mrdyn on np_ ranks, each under a shell that records its own exit status (mpiexec
    reports one); returns (stderr, statuses of ranks 0..np_-1, None where a rank was killed)."""
    _ncalls[0] += 1
    tag = os.path.join(d, "rc%d" % _ncalls[0])
    script = '"$0" "$@"; echo $? > "%s.${OMPI_COMM_WORLD_RANK:-${PMI_RANK:-0}}"' % tag
    cmd = [MPIEXEC, "-n", str(np_), "sh", "-c", script, MRDYN] + [str(a) for a in args]
    p = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=timeout, cwd=d)
    status = []
    for k in range(np_):
        try:
            with open("%s.%d" % (tag, k)) as f:
                status.append(int(f.read()))
        except (OSError, ValueError):
            status.append(None)
    return p.stderr, status


def refused(args, phrase, what, ranks=(1,)):
    """One "mrdyn: error" line containing phrase, nothing from PETSc or MPI, a non-zero
    exit on every rank, and no output file (@OUT in args names it)."""
    out = os.path.join(d, "out%d.h5" % (_ncalls[0] + 1))
    args = [out if a == "@OUT" else a for a in args]
    for p in ranks:
        try:
            err, status = run_ranks(args, p)
        except subprocess.TimeoutExpired:
            check(False, "%s (P=%d): finished without hanging" % (what, p))
            continue
        msgs = [l for l in err.splitlines() if l.startswith("mrdyn: error")]
        check(len(msgs) == 1 and phrase in msgs[0] and not any(n in err for n in NOISE),
              "%s (P=%d): one clear message [%s]" % (what, p, msgs[0] if msgs else err.strip()[:300]))
        check(all(s is not None and s != 0 for s in status), "%s (P=%d): non-zero exit on every rank %s" % (what, p, status))
        check(not os.path.exists(out) and not os.path.exists(out + ".partial"), "%s (P=%d): no output file" % (what, p))


sim = ["simulate", "-model", good, "-o", "@OUT", "-t_final", 0.5, "-progress", 0]
I64 = "9223372036854775807"
IMAX = "2147483647"

# 1. options: malformed, beyond 64 bits, beyond the supported range; mrdyn's readers and PETSc's
both = (1, 3)
refused(sim + ["-seed", "1.5"], "option -seed: '1.5' is not an integer", "-seed 1.5")
refused(sim + ["-seed", "99999999999999999999"], "option -seed: '99999999999999999999' is out of range [0, %s]" % I64, "-seed beyond 64 bits", both)
refused(sim + ["-init_seed", "18446744073709551615"], "option -init_seed: '18446744073709551615' is out of range [-1, %s]" % I64, "-init_seed 2^64 - 1")
refused(sim + ["-seed", "1e17"], "option -seed: '1e17' is too large for floating notation", "-seed 1e17 (not exact in a double)")
refused(sim + ["-trials", "4294967298"], "option -trials: '4294967298' is out of range [1, 64]", "-trials 2^32 + 2", both)
refused(sim + ["-save_every", "4294967297"], "option -save_every: '4294967297' is out of range [1, %s]" % IMAX, "-save_every 2^32 + 1")
refused(sim + ["-checkpoint_every", "2147483648"], "option -checkpoint_every: '2147483648' is out of range [0, %s]" % IMAX, "-checkpoint_every 2^31")
refused(sim + ["-traces", "0x10"], "option -traces: '0x10' is not an integer", "-traces 0x10")
refused(sim + ["-block_size", "1x", "-analysis", "spectrum"], "option -block_size: '1x' is not an integer", "-block_size 1x")
refused(sim + ["-dimension_t_start", "0.5x", "-analysis", "dimension", "-save_activity", 1], "option -dimension_t_start: '0.5x' is not a number", "-dimension_t_start 0.5x")
refused(sim + ["-dt", "0.01", "-t_final", "1e9", "-dry_run"], "-t_final 1e+09 / -dt 0.01 = 1e+11 steps", "a step count beyond PetscInt (-dry_run)", both)
refused(sim + ["-dt", "1e-300", "-t_final", "1"], "-dt 1e-300 = 1e+300 steps", "-dt 1e-300")
refused(sim + ["-delta_times", "0.1,0.2x"], "option -delta_times (item 2): '0.2x' is not a number", "a malformed list item")
refused(sim + ["-dt", "nan"], "option -dt: 'nan' is not a finite number", "-dt nan")
refused(sim + ["-save_connectivity", "maybe"], "option -save_connectivity: 'maybe' is not a truth value", "a malformed truth value", both)
# PETSc's own options, through the same collective message
refused(sim + ["-ts_type", "rk", "-ts_rk_type", "bogus"], "option -ts_rk_type: unknown value 'bogus' (choices: ", "unknown -ts_rk_type", both)
refused(sim + ["-ts_adapt_type", "bogus"], "option -ts_adapt_type: unknown type 'bogus'", "unknown -ts_adapt_type")
refused(sim + ["-ts_type", "rk", "-ts_rtol", "0.1x"], "option -ts_rtol: '0.1x' is not a number", "-ts_rtol 0.1x")
refused(sim + ["-ts_rk_type", "bogus"], "option -ts_rk_type 'bogus' has no effect", "-ts_rk_type without -ts_type rk")
# the other verbs
refused(["dmft", "-model", good, "-o", "@OUT", "-window", "1e3x"], "option -window: '1e3x' is not an integer", "dmft -window 1e3x")
refused(["dmft", "-model", good, "-o", "@OUT", "-t_final", "1e9", "-dt", "0.01"], "-t_final 1e+09 / -dt 0.01 = 1e+11 grid steps", "dmft: too many grid steps")
refused(["dmft", "-model", good, "-o", "@OUT", "-mode", "stationary", "-g_scan", "0:1:4294967297"], "-g_scan 0:1:4294967297: n: '4294967297' is out of range [1, 1000000]", "dmft -g_scan n beyond 2^32")
refused(["lyapunov", "-model", good, "-o", "@OUT", "-lyap_every", "4294967297"], "option -lyap_every: '4294967297' is out of range [1, %s]" % IMAX, "lyapunov -lyap_every 2^32 + 1")
refused(["lyapunov", "-model", good, "-o", "@OUT", "-t_final", "1e12", "-dt", "0.001"], "-t_final 1e+12 / -dt 0.001 = 1e+15 Euler steps", "lyapunov: too many steps")
refused(["spectrum", "-model", good, "-o", "@OUT", "-seed", "18446744073709551617"], "option -seed: '18446744073709551617' is out of range", "spectrum -seed 2^64 + 1")
refused(["polytope", "-R", 3, "-draws", "2x", "-o", "@OUT"], "option -draws: '2x' is not an integer", "polytope -draws 2x")
refused(["dimension", good, "-o", "@OUT", "-t_start", "1y"], "option -t_start: '1y' is not a number", "dimension -t_start 1y")
refused(["compare", good, good, "-tol", "0.1x"], "option -tol: '0.1x' is not a number", "compare -tol 0.1x")
refused(["model", "random", "-R", 2, "-N", 10, "-tol", "0.1x", "-o", "@OUT"], "option -tol: '0.1x' is not a number", "model random -tol 0.1x")
refused(["model", "graph", "-R", 4, "-N", 10, "-seed", "-5", "-o", "@OUT"], "option -seed: '-5' is out of range [0, %s]" % I64, "model graph -seed -5")
refused(["model", "paper", "-R", 2, "-N", "300,4294967596", "-a", 2, "-b", 1.5, "-o", "@OUT"], "option -N (item 2): '4294967596' is out of range [1, 1073741823]", "model paper -N 2^32 + 300", both)
refused(["model", "paper", "-R", "4294967298", "-o", "@OUT"], "option -R: '4294967298' is out of range [1, 10000000]", "model paper -R 2^32 + 2")
refused(["model", "from", "-model", good, "-set", "N:4294967296=5", "-o", "@OUT"], "index 4294967296 is outside 0..1", "model from -set with an index beyond 2^32")
refused(["sweep", os.path.join(d, "none.yaml"), "-array_count", "4294967297"], "option -array_count: '4294967297' is out of range [1, %s]" % IMAX, "sweep -array_count 2^32 + 1")

# 2. integers in files: any HDF5 integer width, signed or not, in 64 bits (model files: integers
# only, as docs/file-formats.md says; run files store N as floats, which must hold whole numbers)
def model_N(name, N, dtype):
    path = os.path.join(d, name + ".h5")
    R = len(N)
    with h5py.File(path, "w") as f:
        f["N"] = np.array(N, dtype=dtype)
        f["g"] = np.full(R, 0.5)
        f["T"] = make_T([2.0] * R, [1.5] * R)
    return path

for name, N, dtype, phrase in [
        ("n2p32", [2**32 + 300, 300], np.int64, "dataset /N: value 4294967596 at index 0 is out of range (supported: 1 to 1073741823)"),
        ("n2p31", [300, 2**31], np.int64, "dataset /N: value 2147483648 at index 1 is out of range"),
        ("nu64", [2**64 - 1, 300], np.uint64, "dataset /N: value 18446744073709551615 at index 0 is out of range"),
        ("nu32", [300, 2**32 - 1], np.uint32, "dataset /N: value 4294967295 at index 1 is out of range"),
        ("ni8", [100, -3], np.int8, "dataset /N: value -3 at index 1 is out of range"),
        ("nf64", [2.0**32 + 300, 300], np.float64, "dataset /N must hold integers"),
        ("nsum", [2**30 - 1, 2**30 - 1, 302], np.int64, "its 3 regions hold 2147483948 neurons in all; this build supports at most 1073741823"),
        ("nwrap", [2**31 - 1, 2**31 - 1, 302], np.int64, "value 2147483647 at index 0 is out of range")]:
    path = model_N(name, N, dtype)
    refused(sim + ["-model", path], phrase, "model /N %s %s" % (np.dtype(dtype).name, N), both if name in ("n2p32", "nu64") else (1,))
    if name == "nu64":
        r = run(["info", path], check=False)
        check(r.returncode != 0 and "value 18446744073709551615 at index 0" in r.stderr, "info: uint64 2^64 - 1 is refused as written, not read as -1")
for name, N, dtype in [("ou8", [255, 200], np.uint8), ("oi16", [300, 1000], np.int16), ("ou32", [300, 70000], np.uint32), ("ou64", [300, 2**30 - 301], np.uint64)]:
    r = run(["info", model_N(name, N, dtype)], check=False)
    check(r.returncode == 0 and "N = %d " % N[0] in r.stdout and "N = %d " % N[1] in r.stdout, "model /N as %s %s is read exactly" % (np.dtype(dtype).name, N))


def channel_model(name, target=(0, 1), row=(0,)):
    path = os.path.join(d, name + ".h5")
    with h5py.File(path, "w") as f:
        f["N"] = np.array([60, 40]); f["g"] = np.array([0.5, 0.5])
        f["channel/target"] = np.asarray(target); f["channel/source"] = np.array([1, 0])
        f["T/row"] = np.asarray(row); f["T/col"] = np.array([1]); f["T/value"] = np.array([0.5])
    return path

refused(sim + ["-model", channel_model("ctgt", target=np.array([2**64 - 1, 1], dtype=np.uint64))], "dataset /channel/target: value 18446744073709551615 at index 0 is out of range (supported: 0 to 1)", "channel form: target uint64 2^64 - 1")
refused(sim + ["-model", channel_model("crow", row=np.array([2**32], dtype=np.int64))], "dataset /T/row: value 4294967296 at index 0 is out of range (supported: 0 to 1)", "channel form: /T/row 2^32")
r = run(["info", channel_model("crow16", row=np.array([0], dtype=np.int16))], check=False)
check(r.returncode == 0 and "channel form" in r.stdout, "channel form with int16 indices is read")
with h5py.File(model_N("draws", [300, 300], np.int64), "a") as f:
    f.attrs["draws"] = np.uint64(2**64 - 1)
refused(sim + ["-model", os.path.join(d, "draws.h5")], "attribute draws is not a count", "model attribute draws = uint64 2^64 - 1")

# an NPY header whose shape multiplies past 2^64 (no data behind it)
npy = os.path.join(d, "huge.npy")
hdr = "{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952, 8, 1), }"
hdr += " " * (63 - (10 + len(hdr)) % 64) + "\n"
with open(npy, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + len(hdr).to_bytes(2, "little") + hdr.encode())
refused(["model", "from", "-T", npy, "-o", "@OUT"], "has a shape of more than 2147483647 entries", "model from: an NPY shape of 2^64 entries")

# a run file: the region sizes of dimension, and the seed that spectrum -run takes
seeds = {}
for s in ("1", "4294967297", "9007199254740992", "9007199254740993", I64):
    out = os.path.join(d, "s%s.h5" % s)
    run(["simulate", "-model", good, "-o", out, "-t_final", 1, "-progress", 0, "-seed", s, "-save_connectivity", "-save_activity", 2], np_=1)
    seeds[s] = h5py.File(out, "r")
for s, f in seeds.items():
    check(f.attrs["seed"].dtype == np.int64 and int(f.attrs["seed"]) == int(s), "-seed %s is stored exactly (int64)" % s)
J = lambda s: seeds[s]["network/region0/J"][:]
check(not np.array_equal(J("1"), J("4294967297")), "-seed 4294967297 and -seed 1 give different networks")
check(not np.array_equal(J("9007199254740992"), J("9007199254740993")), "-seed 2^53 and 2^53 + 1 give different networks")
check(not np.array_equal(seeds["1"]["currents"][-1], seeds["4294967297"]["currents"][-1]), "-seed 4294967297 and -seed 1 give different runs")
out3 = os.path.join(d, "s3.h5")
run(["simulate", "-model", good, "-o", out3, "-t_final", 1, "-progress", 0, "-seed", "4294967297", "-save_connectivity"], np_=3)
with h5py.File(out3, "r") as f:
    check(all(np.array_equal(f["network/region%d/J" % r][:], seeds["4294967297"]["network/region%d/J" % r][:]) for r in (0, 1)), "-seed 4294967297: the same network on 1 and 3 ranks")
r = run(["info", os.path.join(d, "s4294967297.h5")])
check("seed                         4294967297" in r.stdout, "info prints the seed in full")

for name, value, phrase in [("dimN", np.array([2.0**32 + 300, 40.0]), "attribute N: value 4294967596 at index 0 is not a whole number in [1, 1073741823]"),
                            ("dimU", np.array([2**64 - 1, 40], dtype=np.uint64), "attribute N: value 18446744073709551615 at index 0 is out of range [1, 1073741823]"),
                            ("dimS", np.array([b"60", b"40"]), "attribute N must hold integers")]:
    path = os.path.join(d, name + ".h5")
    with h5py.File(os.path.join(d, "s1.h5"), "r") as src, h5py.File(path, "w") as f:
        for k in ("activity", "activity_time"):
            f[k] = src[k][:]
        f.attrs["N"] = value
    refused(["dimension", path, "-o", "@OUT"], phrase, "dimension: run file %s" % name, both if name == "dimU" else (1,))

spec = os.path.join(d, "spec.h5")
run(["spectrum", "-run", os.path.join(d, "s4294967297.h5"), "-o", spec, "-block_size", 8], np_=1)
with h5py.File(spec, "r") as f:
    check(int(f.attrs["seed"]) == 4294967297, "spectrum -run takes the seed 4294967297 in full")
bad = os.path.join(d, "badseed.h5")
with h5py.File(os.path.join(d, "s1.h5"), "r") as src, h5py.File(bad, "w") as f:
    for k, v in src.attrs.items():
        f.attrs[k] = v
    f.attrs["seed"] = np.uint64(2**64 - 1)
refused(["spectrum", "-run", bad, "-o", "@OUT"], "attribute seed is not a seed from 0 to %s" % I64, "spectrum -run: seed uint64 2^64 - 1")

# a sweep over seeds beyond 2^53: the members differ, and the summary keeps the seeds exactly
yaml = os.path.join(d, "seeds.yaml")
with open(yaml, "w") as f:
    f.write("verb: simulate\noutput: %s\nmodel: %s\noptions: {t_final: 0.5, progress: 0}\n"
            "vary:\n  seed: [9007199254740992, 9007199254740993]\n" % (os.path.join(d, "sw"), good))
run(["sweep", yaml], np_=2)
with h5py.File(os.path.join(d, "sw", "summary.h5"), "r") as f:
    rows = f["members"][:]
check([bytes(v).rstrip(b"\0") for v in rows["seed"]] == [b"9007199254740992", b"9007199254740993"], "sweep summary: seeds beyond 2^53 kept exactly %s" % list(rows["seed"]))
S = [h5py.File(os.path.join(d, "sw", fn.decode()), "r")["currents"][-1] for fn in rows["file"]]
check(not np.array_equal(S[0], S[1]), "sweep: seeds 2^53 and 2^53 + 1 give different members")
finish()
