"""Finite-N networks against the mean-field theory.

1. Single-region chaos, g = 1.5 and 2.0, N = 4000: the network's stationary
   variance is within 3% of the Sompolinsky-Crisanti-Sommers value (from the
   authors' reference data in tests/data), checked through `mrdyn compare`
   against `mrdyn dmft` (which also agrees with that value).
2. A multiregion fixed point at g = 0: the network's squared current sums into
   each region approach the theory as N grows, roughly like 1/sqrt(N)
   (N = 2000, 8000, 32000)."""
import json
import os
import h5py
import numpy as np
from mrtest import run, tmpdir, check, finish, write_dense_model, make_T

here = os.path.dirname(os.path.abspath(__file__))
ref = json.load(open(os.path.join(here, "data", "dmft_single_region.json")))
d = tmpdir()

for g in (1.5, 2.0):
    scs = [c for c in ref["cases"] if c["g"] == g][0]["Delta0_sompolinsky_brentq"]
    model = os.path.join(d, "chaos%g.h5" % g)
    write_dense_model(model, N=[4000], g=[g], T=np.zeros((1, 1, 1)))
    mf, js = os.path.join(d, "mf%g.h5" % g), os.path.join(d, "cmp%g.json" % g)
    run(["dmft", "-model", model, "-o", mf, "-t_final", 200.0, "-init_currents", 0, "-progress", 0, "-stationary", "-save_every", 4], np_=1)
    means = []
    for seed in (3, 4):
        sim = os.path.join(d, "sim%g_%d.h5" % (g, seed))
        run(["simulate", "-model", model, "-o", sim, "-t_final", 200.0, "-save_every", 4, "-init_currents", 0, "-seed", seed,
             "-precision", "single", "-progress", 0], np_=2)
        with h5py.File(sim, "r") as f:
            t, v = f["time"][:], f["variance"][:, 0]
            means.append(v[t >= 50].mean())
    net = np.mean(means)
    with h5py.File(mf, "r") as f:
        th = f["stationary/Delta0"][0]
    check(abs(th - scs) / scs < 1e-9, "g=%g: mrdyn's stationary theory = the reference SCS value (%.9f vs %.9f)" % (g, th, scs))
    check(abs(net - scs) / scs < 0.03, "g=%g: network Delta_0 = %.4f within 3%% of theory %.4f (%.2f%%)" % (g, net, scs, 100 * (net - scs) / scs))
    r = run(["compare", sim, mf, "-window", "50,200", "-tol", 0.03, "-json", js], check=False)
    summary = json.load(open(js))
    check(r.returncode == 0 and summary["pass"], "g=%g: mrdyn compare passes at -tol 0.03 (largest %.4f)" % (g, summary["largest_relative_difference"]))
    r = run(["compare", sim, mf, "-window", "50,200", "-tol", 1e-4], check=False)
    check(r.returncode != 0 and "exceeds -tol" in r.stderr, "g=%g: mrdyn compare fails (exit %d) at -tol 1e-4" % (g, r.returncode))

# multiregion fixed point without disorder
R = 3
T = make_T([2.0, 1.8, 2.2], [1.5, 1.2, 1.4])
S0 = "0.8,0.2,0.1,0.1,0.7,0.2,0.2,0.1,0.9"
mf = os.path.join(d, "fp_mf.h5")
base = os.path.join(d, "fp_2000.h5")
write_dense_model(base, N=[2000] * R, g=[0.0] * R, T=T)
run(["dmft", "-model", base, "-o", mf, "-t_final", 30.0, "-init_currents", S0, "-init_variance", 0.5, "-progress", 0, "-stationary"])
with h5py.File(mf, "r") as f:
    S = f["stationary/S"][:].reshape(R, R)
    theory = (S ** 2).sum(axis=1)
    check(f.attrs["stationary_converged"] == 1, "the theory has a fixed point (%s)" % np.round(theory, 4))
err = {}
for N in (2000, 8000, 32000):
    model = os.path.join(d, "fp_%d.h5" % N)
    write_dense_model(model, N=[N] * R, g=[0.0] * R, T=T)
    e = []
    for seed in range(1, 7):
        out = os.path.join(d, "fp_%d_%d.run.h5" % (N, seed))
        run(["simulate", "-model", model, "-o", out, "-t_final", 30.0, "-save_every", 100, "-init_currents", S0,
             "-init_variance", 0.5, "-seed", seed, "-progress", 0], np_=2)
        with h5py.File(out, "r") as f:
            net = (f["currents"][-1].reshape(R, R) ** 2).sum(axis=1)
        e.append(np.mean(np.abs(net - theory)))
    err[N] = np.mean(e)
    print("N = %5d: mean |sum_q S_rq^2 (network) - theory| = %.4f" % (N, err[N]))
Ns = np.array(sorted(err))
slope = np.polyfit(np.log(Ns), np.log([err[n] for n in Ns]), 1)[0]
check(err[32000] < err[8000] < err[2000], "the error falls as N grows")
check(-0.85 < slope < -0.3, "log-log slope %.2f, roughly -1/2" % slope)
finish()
