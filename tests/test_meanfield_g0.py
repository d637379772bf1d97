"""A g = 0 network follows the current ODE of model.md section 2a, with an error
that shrinks like 1/sqrt(N).

Reference (computed here, independently of mrdyn): with no disorder and U = 1,
x^s = sum_q m^{sq} S^{sq} + sqrt(v0) xi e^{-t}, so Delta_s = sum_q (S^{sq})^2 + v0 e^{-2t}
and dS^{rs}/dt = -S^{rs} + psi(Delta_s) sum_q T[r,s,q] S^{sq}, stepped with the same Euler dt."""
import os
import h5py
import numpy as np
from mrtest import run, tmpdir, check, finish, write_dense_model, make_T, psi

d = tmpdir()
R, dt, tf, v0 = 2, 0.05, 20.0, 0.5
T = make_T([2.0, 1.8], [1.5, 1.2])
S0 = np.array([[0.8, 0.3], [-0.2, 0.6]])

def reference():
    S = S0.copy()
    out = [S.copy()]
    for j in range(int(round(tf / dt))):
        t = j * dt
        D = (S ** 2).sum(axis=1) + v0 * np.exp(-2 * t)   # Delta_s, s = target index of S[s, q]
        H = np.einsum("rsq,s,sq->rs", T, psi(D), S)
        S = S + dt * (-S + H)
        out.append(S.copy())
    return np.array(out).reshape(-1, R * R)

ref = reference()
errs = {}
for N in (1000, 4000, 16000):
    model = os.path.join(d, "m%d.h5" % N)
    write_dense_model(model, N=[N, N], g=[0.0, 0.0], T=T)
    e = []
    for seed in range(1, 9):
        out = os.path.join(d, "r%d_%d.h5" % (N, seed))
        run(["simulate", "-model", model, "-o", out, "-dt", dt, "-t_final", tf, "-progress", 0, "-seed", seed,
             "-init_currents", ",".join("%g" % v for v in S0.ravel()), "-init_variance", v0], np_=2)
        with h5py.File(out, "r") as f:
            S = f["currents"][:]
        e.append(np.max(np.abs(S - ref)))
    errs[N] = np.mean(e)
    print("N = %5d: mean max |S_net - S_ode| = %.4f" % (N, errs[N]))

scale = np.max(np.abs(ref))
check(errs[4000] < errs[1000] and errs[16000] < errs[4000], "the error falls as N grows")
Ns = np.array(sorted(errs))
slope = np.polyfit(np.log(Ns), np.log([errs[n] for n in Ns]), 1)[0]
check(-0.85 < slope < -0.3, "log-log slope of the error vs N = %.2f, about -1/2" % slope)
check(errs[16000] < 0.05 * scale, "N=16000 within 5%% of the current scale (%.4f vs %.3f)" % (errs[16000], scale))
check(np.max(np.abs(ref[-1] - ref[-20])) < 1e-3, "the reference reaches a fixed point")
finish()
