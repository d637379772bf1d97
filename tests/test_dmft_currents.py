"""mrdyn dmft -mode currents (model.md 2a): batches of initial conditions, end states
classified. Checked against an independent NumPy integration of the same ODE."""
import os
import h5py
import numpy as np
from mrtest import run, tmpdir, check, finish, write_dense_model, make_T, psi

d = tmpdir()
R = 3
T = make_T([2.0, 1.8, 2.2], [1.5, 1.2, 1.4])
model = os.path.join(d, "fp.h5")
write_dense_model(model, N=[1000] * R, g=[0.0] * R, T=T)

def rhs(S):
    """dS/dt of 2a with U = 1, no input, after the initial variance has decayed."""
    S = S.reshape(R, R)
    D = (S ** 2).sum(axis=1)
    return (-S + np.einsum("rsq,s,sq->rs", T, psi(D), S)).ravel()

outs = {}
for p in (1, 3):
    out = os.path.join(d, "b%d.h5" % p)
    run(["dmft", "-model", model, "-o", out, "-mode", "currents", "-batch", 40, "-t_final", 100.0, "-init_size", 3, "-progress", 0], np_=p)
    outs[p] = h5py.File(out, "r")
f = outs[1]
check(np.array_equal(f["batch/final"][:], outs[3]["batch/final"][:]), "batch results identical at 1 and 3 ranks")
cls = f["batch/class"][:]
check(np.all(cls == 1), "all 40 members end at fixed points")
fps = f["fixed_points/S"][:]
check(fps.shape[0] == 8, "8 distinct fixed points (the sign of each region's active current): %d" % fps.shape[0])
for q, S in enumerate(fps):
    check(np.max(np.abs(rhs(S))) < 1e-7, "fixed point %d solves S = psi(sum S^2) T S" % q)
    # Jacobian by central differences, independently
    J = np.zeros((R * R, R * R))
    for j in range(R * R):
        e = np.zeros(R * R); e[j] = 1e-6
        J[:, j] = (rhs(S + e) - rhs(S - e)) / 2e-6
    ev = np.sort(np.linalg.eigvals(J).real)
    mine = np.sort(f["fixed_points/jacobian_eigenvalues"][q, :, 0])
    check(np.max(np.abs(ev - mine)) < 1e-5, "fixed point %d: Jacobian eigenvalues agree (max diff %.1e), stable: %s" % (q, np.max(np.abs(ev - mine)), ev.max() < 0))

# Euler reaches the same fixed point as RK4 from the same start
for integ in ("euler", "rk4"):
    out = os.path.join(d, "one_%s.h5" % integ)
    run(["dmft", "-model", model, "-o", out, "-mode", "currents", "-integrator", integ, "-t_final", 100.0,
         "-init_currents", "0.8,0.2,0.1,0.1,0.7,0.2,0.2,0.1,0.9", "-progress", 0])
    outs[integ] = h5py.File(out, "r")["batch/final"][0]
check(np.max(np.abs(outs["euler"] - outs["rk4"])) < 1e-6, "Euler and RK4 end at the same fixed point")

# a limit cycle: a random T whose That has leading eigenvalue 1.5 + 1.2i
lc = os.path.join(d, "lc.h5")
run(["model", "random", "-R", 2, "-N", 1000, "-w_re", 1.5, "-w_im", 1.2, "-tol", 0.05, "-seed", 3, "-o", lc])
with h5py.File(lc, "r") as f:
    T2 = f["T"][:]
out = os.path.join(d, "lc.run.h5")
run(["dmft", "-model", lc, "-o", out, "-mode", "currents", "-batch", 6, "-t_final", 300.0, "-init_size", 1.0, "-progress", 0], np_=2)
with h5py.File(out, "r") as f:
    cls, per, S0 = f["batch/class"][:], f["batch/period"][:], f["batch/initial"][0]
check(np.all(cls == 2), "the rotating interaction gives limit cycles for every member (%s)" % cls)

def rhs2(S):
    S = S.reshape(2, 2)
    D = (S ** 2).sum(axis=1)
    return (-S + np.einsum("rsq,s,sq->rs", T2, psi(D), S)).ravel()

S, h, xs = S0.copy(), 0.01, []
for j in range(int(300 / h)):
    k1 = rhs2(S); k2 = rhs2(S + h / 2 * k1); k3 = rhs2(S + h / 2 * k2); k4 = rhs2(S + h * k3)
    S = S + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    xs.append(S[1])
xs = np.array(xs[len(xs) // 2:])
m = xs.mean()
up = np.where((xs[:-1] < m) & (xs[1:] >= m))[0]
period = np.mean(np.diff(up)) * h
check(abs(per[0] - period) / period < 0.01, "limit-cycle period %.4f agrees with an independent RK4 (%.4f)" % (per[0], period))
finish()
