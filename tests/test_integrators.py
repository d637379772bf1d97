"""Time stepping through PETSc TS: forward Euler (default), RK4 and adaptive
embedded RK converge to the same trajectory; input pulses act only while on."""
import os
import h5py
import numpy as np
from mrtest import run, tmpdir, check, check_refused, finish, write_dense_model, make_T

d = tmpdir()
T = make_T([2.0, 1.8], [1.5, 1.2])
V = np.array([[0.6, 0.0], [0.4, -0.5]])
model = os.path.join(d, "m.h5")
write_dense_model(model, N=[2000, 2000], g=[0.0, 0.0], T=T, V=V)
common = ["-model", model, "-t_final", 10.0, "-progress", 0, "-init_currents", "0.8,0.3,-0.2,0.6", "-init_variance", 0.5, "-seed", 4]

def sim(tag, extra, p=2):
    out = os.path.join(d, tag + ".h5")
    run(["simulate", "-o", out] + common + list(extra), np_=p)
    f = h5py.File(out, "r")
    return f

fine = sim("euler_fine", ["-dt", 0.001, "-save_every", 50])
euler = sim("euler", ["-dt", 0.05])
rk4 = sim("rk4", ["-dt", 0.05, "-ts_type", "rk", "-ts_rk_type", "4"])
rk4h = sim("rk4h", ["-dt", 0.1, "-ts_type", "rk", "-ts_rk_type", "4", "-save_every", 1])
ad = sim("adaptive", ["-dt", 0.05, "-ts_type", "rk", "-ts_rk_type", "5dp", "-ts_adapt_type", "basic", "-ts_rtol", 1e-8, "-ts_atol", 1e-10])

check(euler.attrs["ts_type"] == b"euler" or euler.attrs["ts_type"] == "euler", "Euler is the default")
check(abs(euler["time"][-1] - 10.0) < 1e-9 and abs(ad["time"][-1] - 10.0) < 1e-9, "every run ends at t_final")
check(np.all(np.diff(ad["time"][:]) > 0), "adaptive run: saved times increase")
Sf = fine["currents"][-1]
e_eu = np.max(np.abs(euler["currents"][-1] - Sf))
e_rk = np.max(np.abs(rk4["currents"][-1] - Sf))
e_ad = np.max(np.abs(ad["currents"][-1] - Sf))
print("final-state differences to Euler dt=0.001: euler %.2e, rk4 %.2e, adaptive %.2e" % (e_eu, e_rk, e_ad))
check(e_rk < e_eu and e_ad < e_eu, "RK4 and adaptive RK are closer to the fine solution than Euler")
# RK4 is 4th order: halving dt from 0.1 to 0.05 cuts the difference to the finer RK4 a lot
ref = sim("rk4_ref", ["-dt", 0.0125, "-ts_type", "rk", "-ts_rk_type", "4"])
e1 = np.max(np.abs(rk4h["currents"][-1] - ref["currents"][-1]))
e2 = np.max(np.abs(rk4["currents"][-1] - ref["currents"][-1]))
check(e2 < e1 / 8, "RK4 error falls faster than dt^3 (dt 0.1 -> 0.05: %.2e -> %.2e)" % (e1, e2))
check(rk4.attrs["rhs_per_step"] == 4.0 and euler.attrs["rhs_per_step"] == 1.0, "right-hand sides per step: RK4 4, Euler 1")
check(abs(rk4.attrs["exchange_bytes_per_step"] - 4 * rk4.attrs["exchange_bytes_per_rhs"]) < 1e-9, "exchange per step counts every stage")

# input pulses: on region 1 during [2, 4); before 2 the run equals one without input
base = sim("noinput", ["-dt", 0.05])
pulse = sim("pulse", ["-dt", 0.05, "-input", "1:2:4:1.5"])
t = base["time"][:]
before, during = t < 2.0 - 1e-9, (t > 2.5) & (t < 4.0)
check(np.array_equal(base["currents"][before], pulse["currents"][before]), "no effect of the pulse before it starts")
diff = np.abs(base["currents"][:] - pulse["currents"][:])
check(diff[during].max() > 1e-2, "the pulse changes the currents while on (max %.3f)" % diff[during].max())
r = run(["simulate", "-o", os.path.join(d, "in0.h5"), "-dt", 0.05, "-input", "0:1:2:1"] + common, np_=1, check=False)
check(r.returncode == 0 and os.path.exists(os.path.join(d, "in0.h5")), "an input into region 0 runs (V[:,0] != 0)")
# a region without an input direction refuses an input: one message, no file
noV = os.path.join(d, "noV.h5")
write_dense_model(noV, N=[2000, 2000], g=[0.0, 0.0], T=T, V=np.array([[0.6, 0.0], [0.4, 0.0]]))
check_refused(["simulate", "-model", noV, "-o", os.path.join(d, "bad.h5"), "-t_final", 1.0, "-progress", 0, "-input", "1:0:1:1"], os.path.join(d, "bad.h5"),
              "has no input direction", "an input into region 1 whose V[:,1] = 0")
finish()
