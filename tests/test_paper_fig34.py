"""The paper's Figs. 3 and 4: mrdyn dmft -mode stationary (model.md 2c) against the
published set-1 numbers and an independent SciPy solution of the energy condition, the
Delta(tau) ODE against SciPy's integrator, and tiny end-to-end runs of
jobs/paper/fig3.sh and fig4.sh (PNG and numbers)."""
import json
import os
import subprocess
import time

import h5py
import numpy as np
from scipy.integrate import quad, solve_ivp
from scipy.optimize import brentq

from mrtest import ENV, MRDYN, check, check_refused, finish, run, tmpdir

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TP = 2 / np.pi
d = tmpdir()
t_start = time.time()

# ---- the published set-1 theory of Fig. 4 (paper-figures.md) ----
a1 = [2.07056209, 2.01600629, 2.03914952, 2.08963573, 2.07470232]
b1 = [2.46090888, 2.53800354, 2.49394571, 2.49587125, 2.51642394]
g1 = [1.5, 1.25817094, 1.23044151, 1.204867, 1.21775453]
lam1 = np.maximum(a1, b1)
fmt = lambda v: ",".join("%.10g" % x for x in v)  # noqa: E731
m1 = os.path.join(d, "set1.h5")
run(["model", "paper", "-R", 5, "-N", 1000, "-g", fmt(g1), "-a", fmt(a1), "-b", fmt(b1), "-o", m1])
st1 = os.path.join(d, "st1.h5")
run(["dmft", "-mode", "stationary", "-model", m1, "-stationary_lambda", fmt(lam1), "-o", st1])
with h5py.File(st1, "r") as f:
    sA = np.sqrt(f["stationary_theory/A"][0])
    txt = lambda v: v.decode() if isinstance(v, bytes) else str(v)  # noqa: E731
    check(txt(f.attrs["mode"]) == "stationary" and txt(f.attrs["status"]) == "complete", "stationary output complete")
published = [1.343, 1.565, 1.537, 1.552, 1.565]
check(np.array_equal(np.round(sA, 3), published), "set 1: sqrt(A) = %s, published %s" % (np.round(sA, 4), published))
# the default: psi(Delta0) from the g = 0 fixed point of the currents (here: every region active)
st1d = os.path.join(d, "st1d.h5")
run(["dmft", "-mode", "stationary", "-model", m1, "-t_final", 200, "-o", st1d])
with h5py.File(st1d, "r") as f:
    check(np.allclose(f["stationary_theory/lambda"][:], lam1, rtol=1e-6), "default lambda from the current fixed point = max(a, b): %s" % f["stationary_theory/lambda"][:])
    check(np.allclose(np.sqrt(f["stationary_theory/A"][0]), sA, rtol=1e-5), "default path gives the same sqrt(A)")


# ---- independent SciPy: the energy condition V(Delta_inf) = V(Delta0) by brentq ----
def Cf(D0, x):
    return TP * np.arcsin(x / (D0 + TP))


def Phi(D0, x):  # int_0^x C(D0, D0, s) ds by quadrature (not mrdyn's closed form)
    return quad(lambda s: Cf(D0, s), 0, x, epsabs=1e-14, epsrel=1e-13)[0]


def scipy_point(b, g):
    """(branch, A, Delta_inf) of one region with psi(Delta0) = 1/b."""
    D0 = TP * (b * b - 1)
    # stability of the static state: g^2 <phi'(x)^2> < 1, phi'(x) = exp(-pi x^2/4), x ~ N(0, D0)
    phi2 = quad(lambda x: np.exp(-np.pi * x * x / 2) * np.exp(-x * x / (2 * D0)) / np.sqrt(2 * np.pi * D0), -np.inf, np.inf, epsabs=1e-14)[0]
    if g * g * phi2 <= 1:
        return 0, D0 - g * g * Cf(D0, D0), D0
    PhiD0 = Phi(D0, D0)

    def F(x):
        A = x - g * g * Cf(D0, x)
        return (-x * x / 2 + g * g * Phi(D0, x) + A * x) - (-D0 * D0 / 2 + g * g * PhiD0 + A * D0)
    if F(0.0) <= 0:
        return 2, 0.0, 0.0
    hi = next((D0 - y for y in D0 * np.logspace(-1, -7, 25) if F(D0 - y) < 0), None)
    if hi is None:  # the root is closer than 1e-7 Delta0 to the static one
        return 1, D0 - g * g * Cf(D0, D0), D0
    x = brentq(F, 0.0, hi, xtol=1e-14, rtol=1e-14)
    return 1, x - g * g * Cf(D0, x), x


sc = os.path.join(d, "scan.h5")
m3 = os.path.join(d, "b3.h5")
run(["model", "paper", "-R", 3, "-N", 1000, "-g", 0, "-u", "0,0,0", "-hdiag", "1.5,2,2.5", "-o", m3])
run(["dmft", "-mode", "stationary", "-model", m3, "-stationary_lambda", "1.5,2,2.5", "-g_scan", "0:4:401",
     "-delta_tau_g", "1.5,2.25,2.6", "-delta_tau_max", 40, "-o", sc], np_=2)
with h5py.File(sc, "r") as f:
    st = {k: f["stationary_theory/" + k][:] for k in f["stationary_theory"]}
g = st["g"][:, 0]
check(np.allclose(g, np.linspace(0, 4, 401)), "-g_scan 0:4:401 is the grid")
worst = 0
for r, b in enumerate((1.5, 2.0, 2.5)):
    for gv in (0.5, 1.2, 1.45, 1.6, 1.8, 1.9, 2.0, 2.2, 2.3, 2.4, 2.6, 3.0):
        i = int(round(gv * 100))
        br, A, Di = scipy_point(b, g[i])
        ok = st["branch"][i, r] == br and abs(st["A"][i, r] - max(A, 0)) < 1e-9 and abs(st["Delta_inf"][i, r] - Di) < 1e-9
        worst = max(worst, abs(st["A"][i, r] - max(A, 0)))
        if not ok:
            check(False, "b = %g g = %g: mrdyn branch %d A %.12f Delta_inf %.12f; SciPy %d %.12f %.12f" % (b, g[i], st["branch"][i, r], st["A"][i, r], st["Delta_inf"][i, r], br, A, Di))
check(worst < 1e-9, "36 (b, g) points: branch, A and Delta_inf agree with SciPy's brentq (max |dA| %.1e)" % worst)
# A_fp: the static solution continued
D0 = TP * (np.array([1.5, 2.0, 2.5]) ** 2 - 1)
Afp = D0[None, :] - g[:, None] ** 2 * Cf(D0[None, :], D0[None, :])
check(np.allclose(st["A_fp"], Afp, atol=1e-12), "A_fp = Delta0 - g^2 C(Delta0, Delta0, Delta0)")
check(np.allclose(st["Delta0_structure"], D0, rtol=1e-13), "Delta0 = psi^{-1}(1/b)")

# the onset: the g where g^2 <phi'^2> = 1 (SciPy brentq in g), and the notebook's grid transition
for r, b in enumerate((1.5, 2.0, 2.5)):
    phi2 = quad(lambda x: np.exp(-np.pi * x * x / 2) * np.exp(-x * x / (2 * D0[r])) / np.sqrt(2 * np.pi * D0[r]), -np.inf, np.inf, epsabs=1e-14)[0]
    gon = 1 / np.sqrt(phi2)
    check(abs(st["onset_g"][r] - gon) < 1e-9, "b = %g: onset g %.9f = 1/sqrt(<phi'^2>) %.9f" % (b, st["onset_g"][r], gon))
    diff = D0[r] - np.array([scipy_point(b, gv)[2] for gv in g[(g > gon - 0.05) & (g < gon + 0.1)]])
    gg = g[(g > gon - 0.05) & (g < gon + 0.1)]
    k = np.argmax((diff > 1e-3) & (diff < 0.1))
    check(abs(st["transition_g"][r] - gg[k]) < 1e-12 and st["transition_g"][r] >= st["onset_g"][r],
          "b = %g: notebook transition on the grid %.2f (SciPy %.2f), after the exact onset %.4f" % (b, st["transition_g"][r], gg[k], st["onset_g"][r]))
    # end of the structured chaos: the SCS variance reaches Delta0
    ge = st["end_g"][r]
    def scs_minus_D0(gv):
        f = lambda D: -D * D / 2 + gv * gv * (Phi(D, D) - Phi(D, 0))  # noqa: E731
        return brentq(f, 1e-6, 50) - D0[r]
    check(abs(brentq(scs_minus_D0, 1.01, 5) - ge) < 1e-7, "b = %g: end g %.6f: the SCS variance equals Delta0 there" % (b, ge))
check(np.allclose(st["transition_g"], [1.37, 1.63, 1.85]), "transition points on the 0.01 grid: %s" % st["transition_g"])

# ---- Delta(tau): the stationary ODE against SciPy's integrator ----
tau = st["tau"]
for k, gv in enumerate((1.5, 2.25, 2.6)):
    br, A, Di = scipy_point(2.5, gv)
    if br == 2:  # pure chaos: the SCS variance, A = 0
        f = lambda D: -D * D / 2 + gv * gv * (Phi(D, D) - Phi(D, 0))  # noqa: E731
        Ds = brentq(f, 1e-6, 50)
    else:
        Ds = D0[2]
    sol = solve_ivp(lambda t, y: [y[1], y[0] - gv * gv * Cf(Ds, y[0]) - max(A, 0)], (0, 20), [Ds, 0], rtol=1e-12, atol=1e-13, dense_output=True)
    sel = tau <= 20
    err = np.abs(st["delta_tau"][k, 2, sel] - sol.sol(tau[sel])[0]).max()
    check(err < 1e-7, "Delta(tau), b = 2.5, g = %g: RK4 = SciPy to %.1e over tau <= 20" % (gv, err))
dt_ = st["delta_tau"][:, 2]
check(np.all(dt_[0] == dt_[0, 0]) and abs(dt_[0, 0] - 3.34225) < 1e-5, "g = 1.5: flat at Delta0 = 3.342 (static)")
Dinf = st["delta_tau_Delta_inf"][1, 2]
check(abs(dt_[1, 0] - 3.34225) < 1e-5 and abs(Dinf - 1.6857837) < 1e-7 and abs(dt_[1, -1] - Dinf) < 1e-4,
      "g = 2.25: 3.342 -> %.6f at tau = 40, Delta_inf = %.7f (published 3.34 -> 1.684)" % (dt_[1, -1], Dinf))
check(abs(dt_[2, 0] - 4.0300) < 1e-4 and dt_[2, -1] < 1e-3, "g = 2.6: from the SCS value 4.030 to 0")

# ---- input errors ----
bad = os.path.join(d, "bad.h5")
check_refused(["dmft", "-mode", "stationary", "-model", m3, "-g_scan", "0:4", "-o", bad], bad, "-g_scan", "malformed -g_scan", ranks=(1,))
check_refused(["dmft", "-mode", "stationary", "-model", m3, "-stationary_lambda", "1,2", "-o", bad], bad, "-stationary_lambda", "wrong number of lambdas", ranks=(1,))
check_refused(["dmft", "-model", m3, "-g_scan", "0:4:5", "-o", bad], bad, "-mode stationary", "-g_scan outside -mode stationary", ranks=(1,))
h = run(["dmft", "-help"], check=False)
check(h.returncode == 0 and "-g_scan" in h.stdout and "-delta_tau_max" in h.stdout, "dmft -help lists the stationary options")
print("theory part: %.1f s" % (time.time() - t_start))


# ---- tiny end-to-end runs of the figure scripts ----
def script(name, out, **env):
    e = dict(ENV, MRDYN=MRDYN, TINY="1", **env)
    t0 = time.time()
    p = subprocess.run(["bash", os.path.join(ROOT, "jobs", "paper", name), out], env=e, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        print(p.stdout[-3000:], p.stderr[-3000:])
    return p, time.time() - t0


def is_png(path):
    with open(path, "rb") as f:
        return os.path.getsize(path) > 20000 and f.read(8) == b"\x89PNG\r\n\x1a\n"


o3 = os.path.join(d, "fig3")
p, sec = script("fig3.sh", o3, SETS="1 2")
check(p.returncode == 0 and is_png(os.path.join(o3, "fig3.png")), "fig3.sh (tiny): PNG written in %.0f s" % sec)
with open(os.path.join(o3, "fig3.json")) as f:
    j3 = json.load(f)
for s, (a, b) in {"1": (a1, b1), "2": ([2.56497381, 1.97552974, 1.97887313, 1.95708126, 2.03461631], [1.90793845, 2.56979247, 2.46955172, 2.51276156, 2.49002518])}.items():
    v = j3["N"]["300"][s]
    th = np.sqrt(2 * (np.maximum(a, b) ** 2 - 1) / np.pi)
    check(np.allclose(v["theory_sqrtA"], th, rtol=1e-12), "fig3 set %s: theory sqrt(2 (max(a,b)^2 - 1)/pi)" % s)
    net = np.array(v["network_sqrtA_end"])
    check(net.shape == (2, 5) and np.all(np.isfinite(net)) and v["t_final"] == 10, "fig3 set %s: 2 runs x 5 regions to t = 10" % s)
with h5py.File(os.path.join(o3, "N300", "set1-run1.h5"), "r") as f:
    S = f["currents"][:].reshape(-1, 5, 5)
    t = f["time"][:]
    check(abs(t[1] - 0.25) < 1e-12 and f["traces/x"].shape[1] == 20, "saved every 0.25, 20 traces")
    check(np.allclose(S[0], S[0, :1, :]), "S0[m, n] = 2.5/sqrt(5) z_n does not depend on the target m")
    check(abs(f["variance"][0] / (S[0] ** 2).sum(-1) - 1).max() < 0.35, "x(0) = sum_n m^{mn} S0: population variance ~ sum_n S0^2 (no extra noise)")

o4 = os.path.join(d, "fig4")
p, sec = script("fig4.sh", o4, SETS="1 3", NS="200 400")
check(p.returncode == 0 and is_png(os.path.join(o4, "fig4.png")), "fig4.sh (tiny): PNG written in %.0f s" % sec)
with open(os.path.join(o4, "fig4.json")) as f:
    j4 = json.load(f)
check(np.array_equal(np.round(j4["network"]["N"]["400"]["1"]["theory_sqrtA"], 3), published), "fig4 set 1 theory = the published numbers")
check(j4["network"]["N"]["400"]["3"]["theory_sqrtA"][0] == 0 and j4["network"]["N"]["400"]["3"]["branch"][0] == 2, "fig4 set 3: region 1 (g = 2.65) loses its structure, A = 0")
for k, e in j4["panel_b"].items():
    check(e["dmft_max_abs_diff"] < 0.01, "panel b %s: two-point DMFT (dt = 0.05) within %.4f of the stationary ODE" % (k, e["dmft_max_abs_diff"]))
check(sorted(j4["scaling"]) == ["1", "3"] and all(len(v) == 2 for v in j4["scaling"].values()), "panel c: errors at two N for both sets")
# the two-point DMFT of each run's model from its initial currents, at the run's times
with h5py.File(os.path.join(o4, "dmft", "set1-run1.h5"), "r") as f, h5py.File(os.path.join(o4, "N400", "set1-run1.h5"), "r") as g_:
    check(np.allclose(f["time"][:], g_["time"][:], rtol=0, atol=1e-9) and np.array_equal(f["currents"][0], g_["currents"][0]), "DMFT of run 1: same times and initial currents as the network")
v = j4["network"]["N"]["400"]["1"]
check(len(v["dmft_sqrtA_end"]) == 1 and np.isfinite(v["mean_abs_error_vs_dmft"]), "fig4 JSON: network against the DMFT at the same time")
print("total %.1f s" % (time.time() - t_start))
finish()
