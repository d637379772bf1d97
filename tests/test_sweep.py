"""mrdyn sweep (issue 4): members named by a hash of their parameters, the same
summary on 1, 2 and 3 ranks and from array slices + merge, the skip of complete
members, resume after a kill and after SIGUSR1, the dynamics class checked
against an independent NumPy classification, a simulate sweep on 2-rank
member groups, and bad sweep files."""
import os
import signal
import subprocess
import time
import h5py
import numpy as np
from mrtest import run, tmpdir, check, finish, kill_job, MRDYN, MPIEXEC, ENV

d = tmpdir()
SWEEP = """verb: dmft
output: {out}
model: {{generator: random, R: 2, N: 1000, g: 1.5, tol: 0.05, rescale: 1}}
options: {{dt: 0.05, t_final: {tf}}}
vary:
  w_re: {{linspace: [0.5, 3.5, 3]}}
  w_im: [0.0, 2.5]
  seed: {{range: [1, 3]}}
keep: [currents, time]
"""


def sweep_file(name, out, tf=80):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(SWEEP.format(out=os.path.join(d, out), tf=tf))
    return path


def table(path):
    with h5py.File(path, "r") as f:
        return f["members"][:]


def same_table(a, b, what):
    cols = [c for c in a.dtype.names if c != "wall_seconds"]
    ok = a.dtype.names == b.dtype.names and all(np.array_equal(a[c], b[c], equal_nan=a[c].dtype.kind == "f") for c in cols)
    check(ok, what)


def classify(S, dt, window=0.5):
    """The documented rule (include/mrdyn/sweep.h), written again in NumPy."""
    nt, C = S.shape
    n0 = max(0, nt - max(4, int(window * nt)))
    w = S[n0:]
    n = len(w)
    W = n * dt
    dS = w - w.mean(0)
    var, lev = (dS ** 2).mean(), np.sqrt((w ** 2).mean())
    amp = np.sqrt(var)
    if not np.isfinite(var):
        return "failed", np.nan
    q = n // 4
    e = ((w[:q] - w[q - 1]) ** 2).sum()
    l = ((w[n - q:] - w[-1]) ** 2).sum()
    settled = q > 1 and np.sqrt(l) <= 0.25 * np.sqrt(e) and np.sqrt(l / (q * C)) <= 1e-2 * lev + 1e-6
    s = (n - 1) // 6
    v = np.diff(w, axis=0)
    sp = np.sqrt(np.array([(v[i * s:(i + 1) * s] ** 2).sum() for i in range(6)]))
    decaying = s > 1 and np.all(sp[1:] <= 0.8 * sp[:-1])
    if var == 0 or settled or decaying or amp <= 1e-3 * lev + 1e-6:
        return "fixed point", np.nan
    st = max(1, n // 512)
    nl = n // st // 2
    sub = [dS[0:n - k * st:st] for k in range(nl)]
    ac = np.array([(sub[k] * dS[k * st::st][:len(sub[k])]).sum() / np.sqrt((sub[k] ** 2).sum() * (dS[k * st::st][:len(sub[k])] ** 2).sum() + 1e-300) for k in range(nl)])
    z = np.nonzero(ac <= 0)[0]
    z = z[0] if len(z) else -1
    tmin = -1
    if z >= 0:
        for k in range(max(z, 1), nl - 1):
            if ac[k] <= ac[k - 1] and ac[k] <= ac[k + 1]:
                tmin = k
                break
    peak = ac[z:].max() if z > 0 else 0.0
    per = np.nan
    if z > 0 and peak >= 0.9:
        for k in range(z + 1, nl - 1):
            if ac[k] >= ac[k - 1] and ac[k] >= ac[k + 1] and ac[k] >= peak - 0.05:
                den = ac[k - 1] - 2 * ac[k] + ac[k + 1]
                per = (k + (0.5 * (ac[k - 1] - ac[k + 1]) / den if den < 0 else 0)) * st * dt
                break
    slow = 2 * tmin * st * dt if tmin > 0 else np.inf
    if np.isfinite(per):
        slow = max(slow, per)
    if z < 0 or tmin < 0 or 3 * slow > W:
        return "undetermined", np.nan
    X = np.fft.fft(dS, axis=0)
    frac = 2 * (np.abs(X[1:3]) ** 2).sum() / (n * n * var * C)
    P = per if np.isfinite(per) else slow
    L = min(n // 2, max(2, int(np.floor(np.floor(W / (3 * P)) * P / dt + 0.5))))  # C round()
    a0 = np.sqrt(((w[:L] - w[:L].mean(0)) ** 2).mean())
    a1 = np.sqrt(((w[n - L:] - w[n - L:].mean(0)) ** 2).mean())
    if frac > 0.25 or not (a1 >= 0.9 * a0 and 0.9 * a1 <= a0):
        return "undetermined", np.nan
    if peak >= 0.9:
        return ("limit cycle", per) if np.isfinite(per) else ("undetermined", np.nan)
    return ("chaos" if peak < 0.5 else "mixed"), np.nan


# 1. one job on 2 ranks
s2 = sweep_file("s2.yaml", "out2")
r = run(["sweep", s2], np_=2)
check("12 to run" in r.stdout, "12 members expanded (3 x 2 x 2)")
t2 = table(os.path.join(d, "out2", "summary.h5"))
check(len(t2) == 12 and all(t2["status"] == b"done"), "summary: 12 rows, all done")
grid = [(a, b, c) for a in (0.5, 2.0, 3.5) for b in (0.0, 2.5) for c in (1, 2)]
check([(x["w_re"], x["w_im"], x["model_seed"]) for x in t2] == grid, "summary parameters follow the crossed grid, first axis slowest")
files = sorted(os.listdir(os.path.join(d, "out2")))
check(sum(f.startswith("m-") and f.endswith(".h5") for f in files) == 12 and len(set(t2["file"])) == 12, "one file per member, named by its hash")
classes = set(t2["class"])
check(b"fixed point" in classes and b"limit cycle" in classes, "both fixed points and limit cycles occur (%s)" % sorted(classes))
nok = 0
for row in t2:
    with h5py.File(os.path.join(d, "out2", row["file"].decode()), "r") as f:
        S, tm = f["currents"][:], f["time"][:]
        check(f.attrs["status"] == b"complete" or f.attrs["status"] == "complete", "member file complete") if row["member"] == 0 else None
        check(np.allclose(f["final/currents"][:], S[-1]), "member %d: /final/currents is the last row" % row["member"]) if row["member"] < 2 else None
    cls, per = classify(S, tm[1] - tm[0])
    ok = cls == row["class"].decode() and (np.isnan(per) and np.isnan(row["period"]) or abs(per - row["period"]) < 1e-9 * max(1, per))
    nok += ok
    if not ok:
        print("  member %d: C says %s (period %s), NumPy %s (%s)" % (row["member"], row["class"], row["period"], cls, per))
check(nok == 12, "dynamics class and period agree with an independent NumPy classification (%d/12)" % nok)
lc = t2[t2["class"] == b"limit cycle"]
check(len(lc) == 0 or np.all((lc["period"] > 1) & (lc["period"] < 20)), "limit-cycle periods are finite and plausible")

# 2. the same table on 1 and 3 ranks, and with 3 ranks per member
for np_, extra in ((1, []), (3, []), (3, ["-ranks_per_member", 3])):
    out = "out-%d-%d" % (np_, len(extra))
    s = sweep_file(out + ".yaml", out)
    run(["sweep", s] + extra, np_=np_)
    same_table(t2, table(os.path.join(d, out, "summary.h5")), "summary on %d rank(s) %s equals the 2-rank one" % (np_, " ".join(map(str, extra))))

# 3. complete members are skipped
mt = {f: os.stat(os.path.join(d, "out2", f)).st_mtime_ns for f in files if f.startswith("m-")}
r = run(["sweep", s2], np_=2)
check("12 complete, 0 to run" in r.stdout, "a second run skips every complete member")
check(all(os.stat(os.path.join(d, "out2", f)).st_mtime_ns == t for f, t in mt.items()), "member files untouched")
os.unlink(os.path.join(d, "out2", t2["file"][5].decode()))
r = run(["sweep", s2], np_=2)
check("11 complete, 1 to run" in r.stdout, "a removed member is run again, only it")
same_table(t2, table(os.path.join(d, "out2", "summary.h5")), "and the summary is the same")

# 4. array slices and merge
sa = sweep_file("sa.yaml", "outa")
for i in range(3):
    run(["sweep", sa, "-array_index", i, "-array_count", 3], np_=1)
    ta = table(os.path.join(d, "outa", "summary-%d-of-3.h5" % i))
    check(len(ta) == 4 and list(ta["member"]) == list(range(4 * i, 4 * i + 4)), "slice %d of 3 holds members %d..%d" % (i, 4 * i, 4 * i + 3))
run(["sweep", sa, "-merge"], np_=2)
same_table(t2, table(os.path.join(d, "outa", "summary.h5")), "merged slices equal the one-job summary")
r = run(["sweep", sa, "-merge"], np_=1)
os.unlink(os.path.join(d, "outa", t2["file"][0].decode()))
run(["sweep", sa, "-merge"], np_=1)
tm_ = table(os.path.join(d, "outa", "summary.h5"))
check(tm_["status"][0] == b"missing" and tm_["class"][0] == b"missing" and np.isnan(tm_["S_0_0"][0]), "merge lists a missing member as missing")

# 5. kill -9 and SIGUSR1 mid-sweep, then resume
for sig in (signal.SIGKILL, signal.SIGUSR1):
    out = "outk%d" % sig
    sk = sweep_file(out + ".yaml", out, tf=250)
    p = subprocess.Popen([MPIEXEC, "-n", "2", MRDYN, "sweep", sk], env=ENV, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, start_new_session=True)
    t0 = time.time()
    while time.time() - t0 < 120:
        n = sum(f.startswith("m-") and f.endswith(".h5") for f in os.listdir(os.path.join(d, out))) if os.path.isdir(os.path.join(d, out)) else 0
        if n >= 3:
            break
        time.sleep(0.05)
    if sig == signal.SIGKILL:
        kill_job(p)
        se = ""
    else:
        p.send_signal(sig)
        so, se = p.communicate(timeout=120)
    ndone = sum(f.startswith("m-") and f.endswith(".h5") for f in os.listdir(os.path.join(d, out)))
    check(3 <= ndone < 12, "signal %d: stopped part-way (%d of 12 members complete)" % (sig, ndone))
    if sig == signal.SIGUSR1:
        check(p.returncode == 75 and "run the same command again" in se, "SIGUSR1: exit 75 with a message, summary of what is done")
        tp = table(os.path.join(d, out, "summary.h5"))
        check(sum(tp["status"] == b"done") == ndone and sum(tp["status"] == b"missing") == 12 - ndone, "the partial summary lists done and missing members")
    r = run(["sweep", sk], np_=2)
    check(("%d complete, %d to run" % (ndone, 12 - ndone)) in r.stdout, "signal %d: the resumed sweep runs only the %d missing members" % (sig, 12 - ndone))
    tk = table(os.path.join(d, out, "summary.h5"))
    check(all(tk["status"] == b"done") and len(set(tk["file"])) == 12, "signal %d: every member complete after the resume" % sig)

# 6. a simulate sweep: g per region, network seeds, 2-rank member groups
ss = os.path.join(d, "sim.yaml")
with open(ss, "w") as f:
    f.write("""verb: simulate
output: %s
model: {generator: paper, R: 2, N: 300, a: [1.5, 1.2], b: [0.8, 0.6]}
options: {t_final: 10, traces: 2}
vary:
  g: [[0.5, 0.5], [1.5, 0.5]]
  run.seed: [1, 2]
ranks_per_member: 2
keep: all
""" % os.path.join(d, "outs"))
r = run(["sweep", ss], np_=2)
check("2 rank(s)" in r.stdout, "simulate members run on groups of 2 ranks")
ts = table(os.path.join(d, "outs", "summary.h5"))
check(len(ts) == 4 and all(ts["status"] == b"done") and list(ts["g"]) == [b"0.5,0.5", b"0.5,0.5", b"1.5,0.5", b"1.5,0.5"], "g per region as a string parameter")
with h5py.File(os.path.join(d, "outs", ts["file"][3].decode()), "r") as f:
    check("traces" in f and "model" in f and f["currents"].shape == (201, 4), "keep: all copies the run's series and the model")
    x = f["currents"][:]
ref = os.path.join(d, "single.h5")
run(["model", "paper", "-R", 2, "-N", 300, "-a", "1.5,1.2", "-b", "0.8,0.6", "-g", "1.5,0.5", "-o", os.path.join(d, "pm.h5")])
run(["simulate", "-model", os.path.join(d, "pm.h5"), "-o", ref, "-t_final", 10, "-seed", 2, "-progress", 0], np_=1)
with h5py.File(ref, "r") as f:
    check(np.array_equal(f["currents"][:], x), "a member equals the same run made by hand, bit for bit")

# 6b. the model's seed and the run's seed varied together, with member files: named apart
s2 = os.path.join(d, "seeds.yaml")
with open(s2, "w") as f:
    f.write("""verb: simulate
output: %s
model: {generator: random, R: 2, N: 100, g: 1.5, w_re: 1.5, w_im: 0, tol: 0.05, rescale: 1}
options: {t_final: 1}
vary:
  seed: [7]
  run.seed: [1, 2]
""" % os.path.join(d, "seeds"))
run(["sweep", s2], np_=2)
t6 = table(os.path.join(d, "seeds", "summary.h5"))
check(len(t6) == 2 and all(t6["status"] == b"done"), "a sweep varying the model's seed and the run's seed completes")
with h5py.File(os.path.join(d, "seeds", t6["file"][1].decode()), "r") as f:
    check(f["params"].attrs["seed"] == b"2" and f["params"].attrs["model_seed"] == b"7", "a member file names the run's seed and the model's seed apart")

# 7. bad sweep files: one message, exit 1, nothing run
bad = {
    "broken: [": "YAML error",
    "verb: dmft\noutput: x\nmodel: m.h5\nvary: {model.w_re: [1, 2]}\n": "varies the model",
    "verb: dmft\noutput: x\nmodel: {generator: random}\nvary: {w_re: {linspace: [0, 1]}}\n": "linspace needs",
    "verb: dmft\noutput: x\nmodel: {generator: random}\ncolour: red\n": "unknown key 'colour'",
    "verb: relax\noutput: x\nmodel: m.h5\n": "verb must be",
    "verb: dmft\nmodel: m.h5\n": "no output directory",
    "verb: dmft\noutput: x\nmodel: {generator: random}\nzip: {w_re: [1, 2], w_im: [1, 2, 3]}\n": "one length",
    "verb: dmft\noutput: x\nmodel: {generator: random}\noptions: {o: y.h5}\n": "set by the sweep",
}
for i, (text, words) in enumerate(bad.items()):
    path = os.path.join(d, "bad%d.yaml" % i)
    with open(path, "w") as f:
        f.write(text)
    r = run(["sweep", path], np_=2, check=False)
    check(r.returncode == 1 and words in r.stderr and r.stderr.count("mrdyn: error") == 1, "bad sweep file (%s): exit 1, one message" % words)
r = run(["sweep", os.path.join(d, "none.yaml")], np_=2, check=False)
check(r.returncode == 1 and "cannot read the sweep file" in r.stderr, "missing sweep file: one message")
bo = os.path.join(d, "bo.yaml")
with open(bo, "w") as f:
    f.write(SWEEP.format(out=os.path.join(d, "outb"), tf=10).replace("t_final", "t_fnal"))
r = run(["sweep", bo], np_=2, check=False)
check(r.returncode == 1 and "did you mean -t_final" in r.stderr and r.stderr.count("mrdyn: error") == 1, "a wrong shared option stops the sweep at its first member with one message")
check(not any(f.endswith(".h5") for f in os.listdir(os.path.join(d, "outb"))), "and no member file or summary is written")
finish()
