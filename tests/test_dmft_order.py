"""The default scheme converges at order 2 (three step sizes, g = 2, one region:
the stationary variance against the Sompolinsky-Crisanti-Sommers value of
tests/data), while the reference scheme is off by O(dt) (1.3% at dt = 0.05)."""
import json
import os
import h5py
import numpy as np
from mrtest import run, tmpdir, check, finish, write_dense_model

here = os.path.dirname(os.path.abspath(__file__))
s = json.load(open(os.path.join(here, "data", "dmft_single_region.json")))
scs = [c for c in s["cases"] if c["g"] == 2.0][0]["Delta0_sompolinsky_brentq"]
d = tmpdir()
model = os.path.join(d, "g2.h5")
write_dense_model(model, N=[1000], g=[2.0], T=np.zeros((1, 1, 1)))
err = {}
for scheme in ("trapezoid", "reference"):
    for dt in (0.1, 0.05, 0.025):
        out = os.path.join(d, "%s_%g.h5" % (scheme, dt))
        run(["dmft", "-model", model, "-o", out, "-scheme", scheme, "-dt", dt, "-t_final", 100.0, "-init_currents", 0,
             "-save_every", 100, "-progress", 0])
        with h5py.File(out, "r") as f:
            err[scheme, dt] = (f["variance"][-1, 0] - scs) / scs
        print("%-9s dt = %-6g relative error of the stationary variance %+.3e" % (scheme, dt, err[scheme, dt]))
r1, r2 = err["trapezoid", 0.1] / err["trapezoid", 0.05], err["trapezoid", 0.05] / err["trapezoid", 0.025]
check(3.4 < r1 < 4.6 and 3.4 < r2 < 4.6, "second-order scheme: error ratios %.2f, %.2f under halving dt (order 2: 4)" % (r1, r2))
check(abs(err["trapezoid", 0.05]) < 2e-3, "second-order scheme within 0.2%% at dt = 0.05 (%.2e)" % err["trapezoid", 0.05])
q1, q2 = err["reference", 0.1] / err["reference", 0.05], err["reference", 0.05] / err["reference", 0.025]
check(1.7 < q1 < 2.3 and 1.7 < q2 < 2.3, "reference scheme: first order (ratios %.2f, %.2f)" % (q1, q2))
check(abs(err["reference", 0.05] - 0.0126) < 0.001, "reference scheme off by 1.3%% at dt = 0.05 (%.4f)" % err["reference", 0.05])
finish()
