"""Files destroyed or trusted when they should not be (issue 12): an output,
checkpoint or JSON path that is an input of the run (also through links, or as
the output's .partial) is refused whatever the flags, and an existing file is
not replaced without -force; a restart from a damaged .partial or checkpoint is
refused naming the file, and a restart from a good one whose .partial holds
more than the checkpoint recorded equals the uninterrupted run bit for bit; a
checkpoint that cannot be written leaves no file; compare, info and the model
reader refuse what they cannot trust; a closed stdout does not stop a run.
Each refusal: non-zero exit, one "mrdyn: error" line naming the problem, and
every file in the directory unchanged (none created, changed or removed)."""
import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
import h5py
import numpy as np
from mrtest import run, tmpdir, check, finish, write_dense_model, make_T, MRDYN, MPIEXEC, ENV

d = tmpdir()
P = lambda name: os.path.join(d, name)
model = P("m.h5")
write_dense_model(model, N=[200, 150], g=[1.5, 1.2], T=make_T([1.2, 1.5], [0.8, 0.6]))


def snapshot(directory=d):
    """Every file of the directory (recursively) with its contents' digest and mtime."""
    out = {}
    for root, _, names in os.walk(directory):
        for n in names:
            p = os.path.join(root, n)
            if os.path.islink(p):
                out[p] = ("link", os.readlink(p))
                continue
            with open(p, "rb") as f:
                out[p] = (hashlib.md5(f.read()).hexdigest(), os.stat(p).st_mtime_ns)
    return out


def refused(args, phrase, what, ranks=(1,)):
    """A refusal at each rank count: non-zero exit, exactly one "mrdyn: error" line
    containing phrase, and no file of the directory created, changed or removed."""
    for p in ranks:
        before = snapshot()
        r = run(args, np_=p, check=False, timeout=60)
        msgs = [l for l in r.stderr.splitlines() if l.startswith("mrdyn: error")]
        check(r.returncode != 0 and len(msgs) == 1 and phrase in msgs[0], "%s (P=%d): refused with one message [%s]" % (what, p, msgs[0] if msgs else r.stderr.strip()[:300]))
        after = snapshot()
        changed = sorted(set(before) ^ set(after)) + sorted(k for k in before if k in after and before[k] != after[k])
        check(not changed, "%s (P=%d): no file created, changed or removed %s" % (what, p, changed[:4]))


# inputs of the runs below: a run file with saved activity, a mean-field file, links to the model
runf, mf = P("run.h5"), P("mf.h5")
run(["simulate", "-model", model, "-o", runf, "-t_final", 20, "-save_activity", 5, "-progress", 0])
run(["dmft", "-model", model, "-o", mf, "-t_final", 20])
os.link(model, P("hard.h5"))
os.symlink("m.h5", P("link.h5"))
shutil.copy(model, P("mp.h5.partial"))  # a model that is some output's .partial
with open(P("opts.txt"), "w") as f:
    f.write("-t_final 5\n")
with open(P("j.json"), "w") as f:
    f.write("{}\n")
sweep = P("s.yaml")
with open(sweep, "w") as f:
    f.write("verb: dmft\noutput: %s\nmodel: %s\noptions: {dt: 0.05}\nvary:\n  t_final: [5, 6]\n" % (P("sw"), model))

# 1. an output that is an input is refused whatever -force says; an existing file needs -force
sim = ["simulate", "-model", model, "-t_final", 5, "-progress", 0]
INPUT = "input file"
for args, phrase, what, ranks in [
    (sim + ["-o", model, "-force"], INPUT, "simulate -o the model -force", (1, 3)),
    (sim + ["-o", P("hard.h5"), "-force"], INPUT, "simulate -o a hard link to the model", (1,)),
    (sim + ["-o", P("link.h5"), "-force"], INPUT, "simulate -o a symbolic link to the model", (1,)),
    (sim + ["-o", P("new.h5"), "-checkpoint", P("link.h5")], INPUT, "simulate -checkpoint the model (no -force)", (1, 3)),
    (["simulate", "-model", P("mp.h5.partial"), "-o", P("mp.h5"), "-t_final", 5], "mp.h5.partial", "simulate -o X whose X.partial is the model", (1,)),
    (sim + ["-o", P("opts.txt"), "-options_file", P("opts.txt"), "-force"], INPUT, "simulate -o its -options_file", (1,)),
    (sim + ["-o", runf], "exists", "simulate -o an existing file without -force", (1,)),
    (["dmft", "-model", P("link.h5"), "-o", model, "-force"], INPUT, "dmft -o its model -force", (1, 2)),
    (["dimension", runf, "-o", runf, "-force"], INPUT, "dimension -o its run file -force", (1, 2)),
    (["lyapunov", "-model", model, "-o", P("hard.h5"), "-force"], INPUT, "lyapunov -o its model -force", (1,)),
    (["spectrum", "-run", runf, "-o", model, "-force"], INPUT, "spectrum -run RUN -o the run's model -force", (1,)),
    (["compare", runf, mf, "-json", runf, "-force"], INPUT, "compare -json the simulation file -force", (1,)),
    (["compare", runf, mf, "-json", P("j.json")], "exists", "compare -json an existing file without -force", (1,)),
    (["model", "from", "-model", model, "-o", P("link.h5"), "-force"], INPUT, "model from -o its model -force", (1,)),
    (["sweep", sweep, "-member", 0, "-o", sweep, "-force"], INPUT, "sweep -member -o the sweep file -force", (1,)),
    (["polytope", "-b", "2,2,2", "-o", model], "exists", "polytope -o an existing file without -force", (1,)),
]:
    refused(args, phrase, what, ranks)
# a long output path (Open MPI's sharedfp/lockedfile overflows on names over ~240 characters)
deep = os.path.join(d, *["d" * 60] * 5)
os.makedirs(deep)
for ranks in (1, 2):
    o = os.path.join(deep, "long-%d.h5" % ranks)
    r = run(["dmft", "-model", model, "-o", o, "-t_final", 5], np_=ranks, check=False)
    check(r.returncode == 0 and os.path.exists(o), "an output path of %d characters is written (P=%d) [%s]" % (len(o), ranks, r.stderr.strip()[-200:]))
shutil.rmtree(os.path.join(d, "d" * 60))
r = run(["compare", runf, mf, "-json", P("j.json"), "-force"], check=False)
with open(P("j.json")) as f:
    js = json.load(f)
check(r.returncode in (0, 1) and js.get("simulation") == runf, "compare -json FILE -force replaces the file with the summary")

# 2. restarts: a damaged .partial or checkpoint is refused naming it; a good one continues exactly
base = ["simulate", "-model", model, "-t_final", 300, "-progress", 0, "-save_every", 3, "-traces", 3, "-output_buffer", 7, "-seed", 4]
KEYS = ["time", "currents", "variance", "psi", "traces/x"]


def ckpt_step(path):
    """The step of a complete checkpoint, or -1."""
    try:
        with h5py.File(path, "r") as f:
            return int(f.attrs["step"])
    except (OSError, KeyError):
        return -1


ref, out = P("ref.h5"), P("s.h5")
run(base + ["-o", ref], np_=2)
p = subprocess.Popen([MPIEXEC, "-n", "2", MRDYN] + [str(a) for a in base + ["-o", out, "-checkpoint_every", 60]], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=d)
t0 = time.time()
while not os.path.exists(out + ".partial") and time.time() - t0 < 60:
    time.sleep(0.02)
while ckpt_step(out + ".ckpt") < 60 and time.time() - t0 < 60:  # a periodic one after step 0: rows were written
    time.sleep(0.02)
p.send_signal(signal.SIGUSR1)  # mpiexec forwards it; the ranks write a checkpoint and stop
p.communicate(timeout=120)
check(p.returncode == 75 and os.path.exists(out + ".ckpt"), "a run stopped by SIGUSR1 (status %s) leaves a checkpoint" % p.returncode)
keep = P("keep")
os.mkdir(keep)
shutil.copy(out + ".partial", keep)
shutil.copy(out + ".ckpt", keep)
with h5py.File(out + ".ckpt", "r") as f:
    saved = int(f.attrs["saved_rows"])
check(saved > 7, "the checkpoint counts %d saved rows (more than one buffer of 7)" % saved)
restart = base + ["-o", out, "-checkpoint_every", 60, "-restart", out + ".ckpt"]


def reset():
    for f in (out, out + ".partial", out + ".ckpt"):
        if os.path.exists(f):
            os.remove(f)
    shutil.copy(os.path.join(keep, "s.h5.partial"), out + ".partial")
    shutil.copy(os.path.join(keep, "s.h5.ckpt"), out + ".ckpt")


def data_offset(path, name):
    """Byte offset in the file of a dataset's first values (its first chunk)."""
    with h5py.File(path, "r") as f:
        ds = f[name]
        return ds.id.get_chunk_info(0).byte_offset if ds.chunks else ds.id.get_offset()


def flip(path, offset, n=16):
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(n)
        f.seek(offset)
        f.write(bytes(x ^ 0x5A for x in b))


def truncate(path, frac):
    os.truncate(path, int(os.path.getsize(path) * frac))


def shrink(path, name, rows):
    with h5py.File(path, "a") as f:
        f[name].resize(rows, axis=0)


def set_attr(path, name, value):
    with h5py.File(path, "a") as f:
        f.attrs[name] = value


PART, CKPT = out + ".partial", out + ".ckpt"
for damage, phrase, what, ranks in [
    (lambda: truncate(PART, 0.5), "'%s' is damaged" % PART, ".partial truncated to half", (1, 2)),
    (lambda: truncate(PART, 0.9), "'%s' is damaged" % PART, ".partial truncated to 90%", (2,)),
    (lambda: flip(PART, data_offset(PART, "currents")), "/currents differs", ".partial with bytes of /currents flipped", (1, 2)),
    (lambda: shrink(PART, "time", saved - 1), "/time holds %d rows, fewer than the %d recorded" % (saved - 1, saved), ".partial with fewer rows of /time than recorded", (2,)),
    (lambda: truncate(CKPT, 0.5), CKPT, "checkpoint truncated to half", (1, 2)),
    (lambda: flip(CKPT, data_offset(CKPT, "state/x")), "'%s' is damaged" % CKPT, "checkpoint with bytes of its state flipped", (1, 2)),
    (lambda: set_attr(CKPT, "saved_rows", np.int64(3)), "saved_rows", "checkpoint with another row count", (2,)),
]:
    reset()
    damage()
    refused(restart, phrase, "restart from a " + what, ranks)
    check(not os.path.exists(out), "restart from a %s: no output file" % what)

# what the .partial holds beyond the checkpoint is dropped and written again
reset()
with h5py.File(PART, "a") as f:
    f.create_group("late/group").attrs["a"] = 1.0
    f["late/group/d"] = [1.0, 2.0]
    f["late_data"] = [3.0]
    f.attrs["steps"] = 5
run(restart, np_=1)
with h5py.File(out, "r") as f, h5py.File(ref, "r") as g:
    check(all(np.array_equal(f[k][()], g[k][()]) for k in KEYS), "restart (1 rank) after writes past the checkpoint equals the uninterrupted run bit for bit")
    check("late" not in f and "late_data" not in f and f.attrs["steps"] == g.attrs["steps"], "restart: the objects written after the checkpoint are gone")
refused(base + ["-o", CKPT, "-restart", CKPT], INPUT, "restart -o the checkpoint it reads")
reset()
refused(restart + ["-checkpoint", P("j.json")], "exists", "restart -checkpoint another existing file without -force")

# 3. a checkpoint that cannot be written leaves no file
refused(sim + ["-o", P("c.h5"), "-checkpoint", P("nodir/c.ckpt")], "does not exist", "-checkpoint in a missing directory", (1, 3))
refused(sim + ["-o", P("c.h5"), "-checkpoint", P("j.json/c.ckpt")], "does not exist", "-checkpoint under a regular file", (1,))
ck = P("ckdir")
os.mkdir(ck)
before = snapshot()
long = ["simulate", "-model", model, "-t_final", 1e6, "-progress", 0, "-o", P("c.h5"), "-checkpoint", os.path.join(ck, "c.ckpt"), "-checkpoint_every", 200]
p = subprocess.Popen([MPIEXEC, "-n", "2", MRDYN] + [str(a) for a in long], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=d)
t0 = time.time()
while not os.path.exists(os.path.join(ck, "c.ckpt")) and time.time() - t0 < 60:
    time.sleep(0.02)
while os.path.exists(ck):  # the checkpoint directory goes away during the run, with the checkpoint written
    shutil.rmtree(ck, ignore_errors=True)
if p.poll() is None:  # the next periodic checkpoint may have failed already
    p.send_signal(signal.SIGUSR1)
so, se = p.communicate(timeout=120)
check(p.returncode not in (0, 75) and "c.ckpt" in se, "a checkpoint that cannot be written: an error naming it (status %s)" % p.returncode)
check(sorted(snapshot()) == sorted(k for k in before if not k.startswith(ck)), "a checkpoint that cannot be written: no c.h5.partial, no other file")

# 4. compare, info and the model reader refuse what they cannot trust
zero = P("zero.h5")
shutil.copy(runf, zero)
with h5py.File(zero, "a") as f:
    for k in ("time", "currents", "variance", "psi"):
        f[k].resize(0, axis=0)
refused(["compare", zero, mf], "no rows", "compare on a run file with zero saved rows", (1, 2))
refused(["compare", runf, mf, "-window", 3], "-window", "compare -window with one value")
for name, src, frac, ranks in [("trunc-model.h5", model, 0.5, (1, 2)), ("trunc-run.h5", runf, 0.6, (2,)), ("garbage.h5", None, 0, (1,))]:
    if src:
        shutil.copy(src, P(name))
        truncate(P(name), frac)
    else:
        with open(P(name), "wb") as f:
            f.write(np.random.default_rng(1).bytes(5000))
    refused(["info", P(name)], name, "info on " + name, ranks)
for attrs, phrase in [({"tau": "fast"}, "attribute tau must be a number, but it is a string"), ({"tau": np.array([1.0, 2.0])}, "attribute tau must be one value"),
                      ({"draws": 1.5}, "attribute draws must be an integer"), ({"phi": 3.0}, "attribute phi must be a string")]:
    bad = P("bad.h5")
    write_dense_model(bad, N=[200, 150], g=[1.5, 1.2], T=make_T([1.2, 1.5], [0.8, 0.6]), attrs=attrs)
    refused(["info", bad], phrase, "a model with %s" % attrs)
    if "tau" in attrs:
        refused(["simulate", "-model", bad, "-o", P("never.h5"), "-t_final", 5], phrase, "simulate with a model with %s" % attrs, (2,))
    os.remove(bad)

# 5. a closed stdout (| head -1) stops the printing, not the run
for ranks in (0, 2):  # 0: mrdyn itself, no mpiexec
    o = P("pipe%d.h5" % ranks)
    cmd = ([MPIEXEC, "-n", str(ranks)] if ranks else []) + [MRDYN, "simulate", "-model", model, "-o", o, "-t_final", "50", "-progress", "0.001" if not ranks else "0"]
    sh = "%s | head -1; exit ${PIPESTATUS[0]}" % " ".join(cmd)
    r = subprocess.run(["bash", "-c", sh], env=ENV, capture_output=True, text=True, timeout=120, cwd=d)
    rows = 0
    if os.path.exists(o):
        with h5py.File(o, "r") as f:
            rows = f["time"].shape[0]
    check(r.returncode == 0 and rows == 1001 and not os.path.exists(o + ".partial"),
          "simulate | head -1 (%s): exit 0 (got %d), complete output (%d rows of 1001) [%s]" % ("%d ranks" % ranks if ranks else "no mpiexec", r.returncode, rows, r.stderr.strip()[:200]))
finish()
