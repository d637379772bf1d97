"""The sampled vectors have the requested overlaps (T, U, V, readout variance)
within a few 1/sqrt(N), and the readout-variance rule of model.md is applied."""
import os
import h5py
import numpy as np
from mrtest import run, tmpdir, check, finish, write_dense_model

d = tmpdir()
R, N = 2, 20000
T = np.array([[[1.6, -1.4], [-2.0, -1.3]], [[-1.3, -0.1], [1.2, 2.1]]])
U = np.array([[[1.0, 0.3], [0.3, 1.2]], [[0.8, -0.2], [-0.2, 1.0]]])
V = np.array([[0.5, 0.0], [0.3, -0.4]])

def expected_cov(s, s2):
    D = 2 * R + 1
    c = np.zeros((D, D))
    c[:R, :R] = s2 * np.eye(R)
    c[:R, R:2 * R] = T[:, s, :]          # <n^{rs} m^{sq}>
    c[R:2 * R, :R] = T[:, s, :].T
    c[R:2 * R, R:2 * R] = U[s]
    c[:R, 2 * R] = c[2 * R, :R] = V[:, s]
    c[2 * R, 2 * R] = 1.0
    return c

def rule(s):
    s2 = 1.0
    while np.linalg.eigvalsh(expected_cov(s, s2)).min() < 0:
        s2 *= 1.05
    return s2

model = os.path.join(d, "m.h5")
write_dense_model(model, N=[N, N], g=[0.0, 0.0], T=T, U=U, V=V)
out = os.path.join(d, "r.h5")
run(["simulate", "-model", model, "-o", out, "-t_final", 0.1, "-progress", 0, "-save_connectivity", "-seed", 3], np_=2)
with h5py.File(out, "r") as f:
    s2used = f.attrs["readout_variance"]
    for s in range(R):
        check(abs(s2used[s] - rule(s)) < 1e-12, "region %d: readout variance %.6f = the 1.05 rule (%.6f)" % (s, s2used[s], rule(s)))
        X = f["network/region%d/vectors" % s][:]
        check(X.shape == (N, 2 * R + 1), "region %d: vectors (N, 2R+1) = %s" % (s, X.shape))
        emp = X.T @ X / N
        c = expected_cov(s, s2used[s])
        tol = 5.0 * np.sqrt((np.outer(np.diag(c), np.diag(c)) + c ** 2) / N)
        z = np.abs(emp - c) / tol
        check(z.max() <= 1.0, "region %d: every overlap within 5 sigma ~ 1/sqrt(N) (worst %.2f of the bound)" % (s, z.max()))
        check(np.abs(X.mean(axis=0)).max() < 5 * np.sqrt(np.diag(c).max() / N), "region %d: vectors have zero mean" % s)

# a user-set readout variance is used as given
model2 = os.path.join(d, "m2.h5")
write_dense_model(model2, N=[N, N], g=[0.0, 0.0], T=T, U=U, V=V, sigma2=[20.0, 30.0])
out2 = os.path.join(d, "r2.h5")
run(["simulate", "-model", model2, "-o", out2, "-t_final", 0.1, "-progress", 0, "-save_connectivity"], np_=1)
with h5py.File(out2, "r") as f:
    check(np.allclose(f.attrs["readout_variance"], [20.0, 30.0]), "user readout variances used")
    X = f["network/region1/vectors"][:]
    check(abs(np.mean(X[:, 0] ** 2) - 30.0) < 5 * 30.0 * np.sqrt(2.0 / N), "region 1 readout variance ~ 30 in the sample")
finish()
