"""The paper's Fig. 6 and five-region appendix figure (jobs/paper/fig6.sh,
jobs/paper/fiveregion.sh, tools/paper): the model draws are NumPy's legacy
random numbers (checked against an independent MT19937 + polar Gauss in plain
Python), reduced end-to-end runs of both scripts, the published outcome at the
g values where it does not depend on the initial currents, and the mrdyn dmft
outputs the figures read (/classification/curve, /silenced and
/dynamic_spectrum spectra) against their definitions."""
import math
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
from mrtest import ENV, MRDYN, check, finish, run, tmpdir

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(top, "tools", "paper"))
import shaping  # noqa: E402


class LegacyMT:
    """NumPy's legacy RandomState, written out: init_genrand seeding, genrand_res53
    doubles, and the cached polar Box-Muller of legacy gauss."""

    def __init__(self, seed):
        self.mt = [0] * 624
        self.mt[0] = seed & 0xFFFFFFFF
        for i in range(1, 624):
            self.mt[i] = (1812433253 * (self.mt[i - 1] ^ (self.mt[i - 1] >> 30)) + i) & 0xFFFFFFFF
        self.i, self.cached = 624, None

    def u32(self):
        if self.i >= 624:
            mt = self.mt
            for k in range(624):
                y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7FFFFFFF)
                mt[k] = mt[(k + 397) % 624] ^ (y >> 1) ^ (0x9908B0DF if y & 1 else 0)
            self.i = 0
        y = self.mt[self.i]
        self.i += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        return y ^ (y >> 18)

    def rand(self):
        a, b = self.u32() >> 5, self.u32() >> 6
        return (a * 67108864.0 + b) / 9007199254740992.0

    def gauss(self):
        if self.cached is not None:
            g, self.cached = self.cached, None
            return g
        while True:
            x1, x2 = 2.0 * self.rand() - 1.0, 2.0 * self.rand() - 1.0
            r2 = x1 * x1 + x2 * x2
            if 0.0 < r2 < 1.0:
                break
        f = math.sqrt(-2.0 * math.log(r2) / r2)
        self.cached = f * x1
        return f * x2


def script(name, out, **env):
    p = subprocess.run([os.path.join(top, "jobs", "paper", name)], env=dict(ENV, MRDYN=os.path.abspath(MRDYN), OUT=out, **env),
                       capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        sys.stderr.write("%s failed:\n%s\n%s\n" % (name, p.stdout, p.stderr))
    return p


d = tmpdir()

# --- the model draws: NumPy's legacy seeds, reproduced independently
f6, f5 = os.path.join(d, "fig6"), os.path.join(d, "five")
p6 = script("fig6.sh", f6, G1="0.3,2.1,2.7", DRAWS="1")
p5 = script("fiveregion.sh", f5, G="0,3", DRAWS="0")
check(p6.returncode == 0 and p5.returncode == 0, "jobs/paper/fig6.sh (g1 = 0.3, 2.1, 2.7) and fiveregion.sh (g = 0, 3) ran")
ref = {}
for t, seed in (("i", 1302430346), ("ii", 3276071239)):
    mt = LegacyMT(seed)
    ref[t] = np.array([mt.gauss() for _ in range(27)]).reshape(3, 3, 3) * 2 / np.sqrt(3)
# the notebook's initial currents: rand(3,3) per call, g1 outer, T inner, after the T(ii) draw
calls = [[mt.rand() for _ in range(9)] for _ in range(20)]
for t in ("i", "ii"):
    with h5py.File(os.path.join(f6, "model-%s-g2.1.h5" % t), "r") as f:
        check(np.array_equal(f["T"][()], ref[t]), "T(%s) in the model file is randn(3,3,3)*2/sqrt(3) after seed %s (T[0,0,0] = %.6f)"
              % (t, {"i": 1302430346, "ii": 3276071239}[t], ref[t][0, 0, 0]))
        check(list(f["g"][()]) == [2.1, 0, 0] and list(f["N"][()]) == [1000] * 3, "T(%s): g = (2.1, 0, 0), N = 1000" % t)
with h5py.File(os.path.join(f6, "ii-g2.1.h5"), "r") as f:
    S0 = np.asarray(f.attrs["initial_currents"])
check(np.array_equal(S0, calls[2 * 6 + 1]), "T(ii), g1 = 2.1 starts from the notebook's 14th rand(3,3) draw")
mt = LegacyMT(43)
T5 = np.array([mt.gauss() for _ in range(125)]).reshape(5, 5, 5) * 3.5 / np.sqrt(5)
with h5py.File(os.path.join(f5, "model-g3.h5"), "r") as f:
    check(np.array_equal(f["T"][()], T5) and list(f["g"][()]) == [3.0] * 5, "five regions: T after seed 43, g = 3 everywhere")
_ = [mt.rand() for _ in range(25 * 3)]
with h5py.File(os.path.join(f5, "g3.h5"), "r") as f:
    check(np.array_equal(np.asarray(f.attrs["initial_currents"]), [mt.rand() for _ in range(25)]),
          "five regions, g = 3: the notebook's fourth rand(5,5) draw")

# --- the scripts' products
for png in (os.path.join(f6, "fig6.png"), os.path.join(f5, "fiveregion.png")):
    check(os.path.exists(png) and os.path.getsize(png) > 50000, "%s written" % os.path.basename(png))
tab = open(os.path.join(f6, "table.md")).read()
check(tab.count("\n| (i) |") == 3 and tab.count("\n| (ii) |") == 3, "fig6 table: one row per run")

# --- the published outcome where it is robust
r = {n: shaping.read_run(os.path.join(f6, n + ".h5")) for n in ("i-g0.3", "ii-g2.1", "i-g2.7", "ii-g2.1-u1")}
n50 = 1000
lab = {k: [shaping.classify(v["curve"][:n50, i]) for i in range(3)] for k, v in r.items()}
S = r["i-g0.3"]["S"][-1000:]
check(lab["i-g0.3"] == ["fixed point"] * 3 and np.ptp(S, axis=0).max() < 1e-2,
      "T(i), g1 = 0.3: fixed point (peak-to-peak S over the last 50: %.1e)" % np.ptp(S, axis=0).max())
for k in ("ii-g2.1", "ii-g2.1-u1"):
    D1 = r[k]["curve"][n50 - 1, 0]
    check(lab[k] == ["fixed point + chaos", "fixed point", "fixed point"] and abs(D1 - 0.78) < 0.01,
          "T(ii), g1 = 2.1 (%s): fixed point with chaos in region 1, its normalised two-point function at tau = 50: %.3f (published 0.78)"
          % ("notebook S(0)" if k == "ii-g2.1" else "S(0) ~ U[0,1)", D1))
ps = r["i-g2.7"]["psi"][-1000:, 0]
check(lab["i-g2.7"][1:] == ["limit cycle"] * 2 and abs(ps.mean() - 0.34) < 0.02 and np.ptp(r["i-g2.7"]["S"][-1000:], axis=0).max() > 1,
      "T(i), g1 = 2.7: limit cycle in regions 2, 3, region 1's gain about 0.34 (mean %.3f)" % ps.mean())
five = {g: shaping.read_run(os.path.join(f5, "g%d.h5" % g)) for g in (0, 3)}
S3, p3 = five[3]["S"][-1000:], five[3]["psi"][-1000:]
check(np.abs(S3).max() < 1e-6 and np.abs(p3 - 0.32).max() < 0.01 and np.ptp(p3) < 1e-5,
      "five regions, g = 3: currents quenched (max |S| %.1e), psi constant %.3f (peak-to-peak %.1e; it still relaxes)"
      % (np.abs(S3).max(), p3.mean(), np.ptp(p3)))
check(np.ptp(five[0]["S"][-1000:], axis=0).max() > 1 and np.ptp(five[0]["psi"][-1000:], axis=0).min() > 0.1,
      "five regions, g = 0: oscillatory currents (peak-to-peak %.2f)" % np.ptp(five[0]["S"][-1000:], axis=0).max())

# --- what the figures read from mrdyn dmft, against the definitions
for k, v in r.items():
    full = [shaping.classify(v["curve"][:, i]) for i in range(3)]
    check(full == v["labels"], "%s: the Python rule on the whole /classification/curve gives mrdyn's labels %s" % (k, v["labels"]))
Ti = ref["i"]
w = np.sort_complex(np.linalg.eigvals(shaping.that(Ti)))
check(np.allclose(np.sort_complex(r["i-g0.3"]["that"]), w, atol=1e-9), "/that_eigenvalues: the eigenvalues of That(T(i))")
Ts = Ti.copy()
Ts[:, 0, :] = 0
w = np.sort_complex(np.linalg.eigvals(shaping.that(Ts)))
check(np.allclose(np.sort_complex(r["i-g0.3"]["silenced"]), w, atol=1e-9), "/silenced/that_eigenvalues: T[:, 0, :] = 0")
v = r["i-g2.7"]
steps = np.rint(v["dyn_t"] / v["dt"]).astype(int)
check(len(steps) == 50 and steps[0] == 2000 and np.all(np.diff(steps) == 20), "/dynamic_spectrum: every 20th step of the last 1000")
err = max(np.abs(np.sort_complex(v["dyn"][q]) - np.sort_complex(np.linalg.eigvals(shaping.that(Ti, v["psi"][s])))).max()
          for q, s in enumerate(steps))
check(err < 1e-9, "/dynamic_spectrum/eigenvalues: That built from T[m,n,r] psi_n(t) (%.1e)" % err)
# the classified curve is the notebook's normalised slice Delta(t0, t0+tau)/sqrt(Delta(t0,t0) Delta(t0+tau,t0+tau))
small = os.path.join(d, "small.h5")
run(["dmft", "-model", os.path.join(f6, "model-ii-g2.1.h5"), "-o", small, "-scheme", "reference", "-t_final", 19.95, "-classify",
     "-classify_t0", 10, "-save_full", "-progress", 0])
with h5py.File(small, "r") as f:
    D = f["full/Delta"][()]
    c = f["classification/curve"][()]
dg = np.array([np.diag(D[i]) for i in range(3)])
want = np.array([D[i, 200, 200:] / np.sqrt(dg[i, 200] * dg[i, 200:]) for i in range(3)]).T
check(c.shape == (200, 3) and np.abs(c - want).max() < 1e-12, "/classification/curve: Delta normalised from t0 = step 200 to the end")

shutil.rmtree(d)
finish()
