"""The paper's Fig. 5 (paper-figures.md, docs/paper.md): the published classification
of each region's normalised two-point function, in `dmft -classify` and in sweeps.

1. The five published example points: over several T of the published ensemble
   each, the published label is the most frequent one (mrdyn's T draws are its own).
2. `dmft -classify`: /classification holds the curve from step int(Nt/3) and the
   labels the rule (re-implemented here in NumPy) gives for it; the curve is the
   normalised row of the full Delta; the same bits at 1 and 2 ranks.
3. The reduced sweep jobs/paper/fig5-small.yaml (in-memory members, record
   journals, early stop): every label equals a full `dmft -classify` run of the
   member, /grid equals the aggregation of /members done in NumPy (scipy.stats.mode's
   tie rule, entropy in bits); a torn journal record is ignored and its member rerun;
   the same summary at 1 and 2 ranks; early stop and full runs agree on every label.
4. jobs/paper/fig5.sh on the reduced sweep: the PNG, the table and the examples."""
import os
import shutil
import subprocess

import h5py
import numpy as np
from mrtest import ENV, MRDYN, check, check_refused, finish, run, tmpdir

here = os.path.dirname(os.path.abspath(__file__))
top = os.path.dirname(here)
d = tmpdir()
LABELS = ["invalid", "chaos", "fixed point + chaos", "fixed point", "limit cycle + chaos", "limit cycle"]


def rule(c):
    """The published rule (the authors' heatmaps notebook), independently of the C code."""
    c = c[c != 0]
    if len(c) == 0:
        return 0
    if np.std(c) < 1e-2:
        return 3
    pk = [k for k in range(1, len(c) - 1) if c[k - 1] < c[k] > c[k + 1]]
    if not pk:
        return 0
    if pk[0] < 10:
        pk[0] = 0
    v = c[pk]
    if len(v) == 1 and c[-1] > 0.05:
        return 2
    if (len(v) >= 2 and v[1] > 0.98) or (len(v) >= 3 and v[1] > 0.97 and v[2] > 0.97):
        return 5
    if len(v) <= 2 or v[-2] > 1.05 * v[-1]:
        return 1
    return 4


def model(path, wre, wim, seed):
    run(["model", "random", "-R", 2, "-N", 1000, "-g", 1.5, "-w_re", wre, "-w_im", wim, "-tol", 0.01875, "-box", 1, "-max_tries", 100000000, "-seed", seed, "-o", path, "-force"])


def solve(m, out, seed, extra=(), np_=1):
    run(["dmft", "-model", m, "-o", out, "-force", "-scheme", "reference", "-dt", 0.05, "-t_final", 124.95, "-init_uniform", "0,1", "-seed", seed, "-classify", "-progress", 0] + list(extra), np_=np_)


# 1. the five example points, six T each (12 labels)
examples = [((1.25, 0.6), 1), ((1.575, 0.025), 2), ((2.3, 0.1), 3), ((1.6, 1.1), 4), ((2.1, 0.5), 5)]
for (wre, wim), want in examples:
    labs = []
    for s in range(1, 7):
        m = os.path.join(d, "ex.h5")
        model(m, wre, wim, s)
        out = os.path.join(d, "exr.h5")
        solve(m, out, s)
        with h5py.File(out, "r") as f:
            labs += list(f["classification/code"][:])
    counts = np.bincount(labs, minlength=6)
    check(np.argmax(counts) == want, "(%g, %g): the published label '%s' is the most frequent of 12 (counts %s)" % (wre, wim, LABELS[want], counts.tolist()))

# 2. -classify against the full Delta, the rule, and across ranks
m = os.path.join(d, "m.h5")
model(m, 2.1, 0.5, 3)
solve(m, os.path.join(d, "full.h5"), 3, ["-save_full", "-t_final", 29.95])
with h5py.File(os.path.join(d, "full.h5"), "r") as f:
    D = f["full/Delta"][:]
    cur = f["classification/curve"][:]
    t0 = int(f["classification"].attrs["t0_step"])
    names = [x.decode() if isinstance(x, bytes) else x for x in f["classification/region"][:]]
    code = f["classification/code"][:]
n = D.shape[1]
check(t0 == n // 3, "t0 is step int(Nt/3) (%d of %d)" % (t0, n))
for r in range(2):
    dg = np.diag(D[r])
    want = D[r, t0, t0:] / np.sqrt(dg[t0] * dg[t0:])
    check(np.allclose(cur[:, r], want, rtol=1e-14, atol=0), "region %d: the curve is the normalised row of Delta from t0" % r)
    check(code[r] == rule(cur[:, r]) and names[r] == LABELS[code[r]], "region %d: the label '%s' is the rule's on the saved curve" % (r, names[r]))
for p in (1, 2):
    solve(m, os.path.join(d, "p%d.h5" % p), 3, np_=p)
with h5py.File(os.path.join(d, "p1.h5"), "r") as a, h5py.File(os.path.join(d, "p2.h5"), "r") as b:
    check(np.array_equal(a["classification/curve"][:], b["classification/curve"][:]) and np.array_equal(a["classification/code"][:], b["classification/code"][:]), "the same curve bits and labels at 1 and 2 ranks")
    for r in range(2):
        check(a["classification/code"][r] == rule(a["classification/curve"][:, r]), "region %d: the Nt = 2500 label is the rule's on its curve" % r)

# bad settings of the new options: one message, no file
bad = os.path.join(d, "bad.h5")
for args, phrase in ((["-classify", "-classify_t0", 200], "-classify_t0"), (["-init_uniform", "1,0"], "-init_uniform"), (["-silence", 5], "-silence"),
                     (["-classify", "-window", 10], "-window"), (["-classify_early_stop"], "need -classify")):
    check_refused(["dmft", "-model", m, "-o", bad, "-t_final", 20] + args, bad, phrase, "dmft %s" % " ".join(map(str, args)))

# -init_uniform: the same initial currents in simulate and dmft, inside [0, 1)
run(["simulate", "-model", m, "-o", os.path.join(d, "sim.h5"), "-t_final", 0.1, "-init_uniform", "0,1", "-seed", 5, "-progress", 0])
run(["dmft", "-model", m, "-o", os.path.join(d, "dm.h5"), "-t_final", 0.1, "-init_uniform", "0,1", "-seed", 5, "-progress", 0])
with h5py.File(os.path.join(d, "sim.h5"), "r") as a, h5py.File(os.path.join(d, "dm.h5"), "r") as b:
    s0 = a["currents"][0]
    check(np.array_equal(s0, b["currents"][0]) and np.all((s0 >= 0) & (s0 < 1)), "-init_uniform 0,1: simulate and dmft start from the same currents in [0, 1) (%s)" % s0)

# 3. the reduced sweep
small = os.path.join(top, "jobs", "paper", "fig5-small.yaml")
text = open(small).read()
def sweep_file(name, out, body=text):
    p = os.path.join(d, name)
    with open(p, "w") as f:
        f.write(body.replace("output: fig5-small", "output: " + out))
    return p
s1 = sweep_file("s1.yaml", os.path.join(d, "s1"))
run(["sweep", s1], np_=2, timeout=600)
with h5py.File(os.path.join(d, "s1", "summary.h5"), "r") as f:
    mem = f["members"][:]
    grid = f["grid"][:]
check(len(mem) == 240 and all(x == b"done" for x in mem["status"]), "240 members done")
check(not any(n.startswith("m-") for n in os.listdir(os.path.join(d, "s1"))) and os.listdir(os.path.join(d, "s1", "records")), "member_files: false writes journals, no member files")
# every label equals a full verb run of the member (four members, early-stopped or not)
for k in (0, 77, 150, 239):
    out = os.path.join(d, "mem%d.h5" % k)
    run(["sweep", s1, "-member", k, "-o", out])
    with h5py.File(out, "r") as f:
        check(list(f["classification/code"][:]) == [mem["label_code_0"][k], mem["label_code_1"][k]], "member %d: the sweep's labels are those of its full run (%s)" % (k, mem["label_0"][k]))
        check(int(f.attrs["steps_run"]) == 2499, "member %d: -member runs the whole grid" % k)
# /grid from /members in NumPy
ok = True
for g in grid:
    sel = mem[(mem["w_re"] == g["w_re"]) & (mem["w_im"] == g["w_im"])]
    labs = np.concatenate([sel["label_code_0"], sel["label_code_1"]])
    cnt = np.bincount(labs, minlength=6)
    p = cnt / cnt.sum()
    ent = -(p[p > 0] * np.log2(p[p > 0])).sum()
    ok &= (g["members"] == len(sel) and list(cnt) == [g["n_invalid"], g["n_chaos"], g["n_fixed_point_chaos"], g["n_fixed_point"], g["n_limit_cycle_chaos"], g["n_limit_cycle"]]
           and g["mode_code"] == int(np.argmax(cnt)) and abs(g["entropy_bits"] - ent) < 1e-12)
check(ok and len(grid) == 48, "/grid: 48 points, counts, mode (ties to the smaller code) and entropy equal NumPy's from /members")
# slices of a job array, then -merge: the same summary
sa = sweep_file("sa.yaml", os.path.join(d, "sa"))
for i in range(2):
    run(["sweep", sa, "-array_index", i, "-array_count", 2], np_=2, timeout=600)
run(["sweep", sa, "-merge"], np_=1)
with h5py.File(os.path.join(d, "sa", "summary.h5"), "r") as f:
    ma, ga = f["members"][:], f["grid"][:]
check(np.array_equal(ma["label_code_0"], mem["label_code_0"]) and np.array_equal(ma["S_1_0"], mem["S_1_0"]) and np.array_equal(ga["entropy_bits"], grid["entropy_bits"]), "two array slices merged: the same /members and /grid as one job")
# early stop against full runs: every label the same
s2 = sweep_file("s2.yaml", os.path.join(d, "s2"), text.replace("classify_early_stop: 1", "classify_early_stop: 0"))
run(["sweep", s2], np_=2, timeout=900)
with h5py.File(os.path.join(d, "s2", "summary.h5"), "r") as f:
    full = f["members"][:]
check(np.array_equal(full["label_code_0"], mem["label_code_0"]) and np.array_equal(full["label_code_1"], mem["label_code_1"]), "early stop: all 480 labels equal those of full runs (%d members stopped early)" % int(np.sum(mem["wall_seconds"] < 0.6 * full["wall_seconds"])))
# the same summary at 1 rank; a torn journal record is ignored and its member rerun
shutil.copytree(os.path.join(d, "s1"), os.path.join(d, "s3"))
os.remove(os.path.join(d, "s3", "summary.h5"))
recs = sorted(os.listdir(os.path.join(d, "s3", "records")))
path = os.path.join(d, "s3", "records", recs[0])
size = os.path.getsize(path)
with open(path, "r+b") as f:
    f.truncate(size - 20)
s3 = sweep_file("s3.yaml", os.path.join(d, "s3"))
r = run(["sweep", s3], np_=1, timeout=600)
check(", 1 to run" in r.stdout, "a torn last record: exactly that member runs again (%s)" % r.stdout.splitlines()[0])
with h5py.File(os.path.join(d, "s3", "summary.h5"), "r") as f:
    m3 = f["members"][:]
check(np.array_equal(m3["label_code_0"], mem["label_code_0"]) and np.array_equal(m3["S_0_1"], mem["S_0_1"]), "after the rerun on 1 rank the summary equals the 2-rank one (labels, final currents)")

# 4. the figure script on the reduced sweep
env = dict(ENV, SWEEP=sweep_file("s4.yaml", os.path.join(d, "s4")), MRDYN=MRDYN, NP="2")
p = subprocess.run(["bash", os.path.join(top, "jobs", "paper", "fig5.sh")], env=env, capture_output=True, text=True, timeout=900)
check(p.returncode == 0 and os.path.getsize(os.path.join(d, "s4", "fig5.png")) > 20000, "jobs/paper/fig5.sh draws the figure [%s]" % p.stderr[-300:])
tab = open(os.path.join(d, "s4", "table.md")).read() if os.path.exists(os.path.join(d, "s4", "table.md")) else ""
check(tab.count("\n| (") == 5 and "published transition" in tab, "and the table of the five example points and the onset")
check(sum(os.path.exists(os.path.join(d, "s4", "ex%d.h5" % k)) for k in range(1, 6)) >= 3, "and reruns the example members it finds")
finish()
