#!/usr/bin/python3
"""A weight matrix W planted from the multiregion model of docs/model.md, written
as a user would for `mrdyn model weights` (HDF5 with /W and /region).

W[(r,i),(s,j)] = delta_rs J^r_ij + m^{rs}_i n^{rs}_j / N_s, with J^r ~ N(0, g_r^2/N_r)
and, per region s, the vectors (n^{rs} for every r, m^{sq} for every q) drawn as
one Gaussian vector per neuron with covariance [[sigma2_s I, T[:, s, :]],
[T[:, s, :]^T, U[s]]] (sigma2_s by the 1.05 rule unless given).

    /usr/bin/python3 tools/weights_plant.py -o W.h5 -N 600 -g 1.0,0.5 -a 1.8,2.0 -b 1.2,1.5

writes W.h5 and W-truth.h5 (the planted T, U, g, N, sigma2 and the realised T).
"""
import argparse

import h5py
import numpy as np


def make_T(a, b):
    """The paper's make_T(a, b): T[r,s,q] = delta_rq c[r,s], c = sqrt(b)sqrt(b)^T + diag(a-b)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    c = np.outer(np.sqrt(b), np.sqrt(b)) + np.diag(a - b)
    R = len(a)
    T = np.zeros((R, R, R))
    for r in range(R):
        T[r, :, r] = c[r, :]
    return T


def readout_variances(T, U):
    """The 1.05 rule of docs/model.md: 1 times 1.05^k until each region's covariance is PSD."""
    R = T.shape[0]
    s2 = np.ones(R)
    for s in range(R):
        while np.linalg.eigvalsh(np.block([[s2[s] * np.eye(R), T[:, s, :]], [T[:, s, :].T, U[s]]])).min() < 0:
            s2[s] *= 1.05
    return s2


def plant(T, g, N, rng, U=None, sigma2=None):
    """W (n x n, regions in order), the vectors, and the realised T and U."""
    R = T.shape[0]
    N = np.broadcast_to(np.asarray(N, int), (R,)).copy()
    g = np.broadcast_to(np.asarray(g, float), (R,)).copy()
    U = np.stack([np.eye(R)] * R) if U is None else np.asarray(U, float)
    s2 = readout_variances(T, U) if sigma2 is None else np.asarray(sigma2, float)
    nvec, mvec = [], []
    for s in range(R):
        cov = np.block([[s2[s] * np.eye(R), T[:, s, :]], [T[:, s, :].T, U[s]]])
        w, V = np.linalg.eigh(cov)
        Z = rng.standard_normal((N[s], 2 * R)) @ (V * np.sqrt(np.clip(w, 0, None))).T
        nvec.append(Z[:, :R])  # nvec[s][:, r] = n^{rs}
        mvec.append(Z[:, R:])  # mvec[s][:, q] = m^{sq}
    off = np.concatenate([[0], np.cumsum(N)])
    W = np.zeros((off[-1], off[-1]))
    for r in range(R):
        for s in range(R):
            W[off[r]:off[r + 1], off[s]:off[s + 1]] = np.outer(mvec[r][:, s], nvec[s][:, r]) / N[s]
        W[off[r]:off[r + 1], off[r]:off[r + 1]] += g[r] / np.sqrt(N[r]) * rng.standard_normal((N[r], N[r]))
    Treal = np.array([[[nvec[s][:, r] @ mvec[s][:, q] / N[s] for q in range(R)] for s in range(R)] for r in range(R)])
    Ureal = np.array([mvec[s].T @ mvec[s] / N[s] for s in range(R)])
    return W, dict(T=T, U=U, g=g, N=N, sigma2=s2, T_realised=Treal, U_realised=Ureal)


def that_eigenvalues(T):
    """Eigenvalues of That[(r,s),(s,q)] = T[r,s,q] (dense form)."""
    R = T.shape[0]
    H = np.zeros((R * R, R * R))
    for r in range(R):
        for s in range(R):
            H[r * R + s, s * R:(s + 1) * R] = T[r, s, :]
    return np.linalg.eigvals(H)


def write_weights(path, W, N, rng=None, dtype=np.float64):
    """/W and /region; with rng the neurons are shuffled (labels in any order).
    Returns the order: row k of the file is neuron order[k] of W."""
    n = W.shape[0]
    labels = np.repeat(np.arange(len(N)), N)
    order = rng.permutation(n) if rng is not None else np.arange(n)
    with h5py.File(path, "w") as f:
        f["W"] = W[np.ix_(order, order)].astype(dtype)
        f["region"] = labels[order].astype(np.int64)
    return order


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", required=True, help="the weight file to write (and its -truth.h5 next to it)")
    ap.add_argument("-N", default="600", help="neurons per region (one value or R)")
    ap.add_argument("-g", default="1.0,0.5", help="disorder per region")
    ap.add_argument("-a", default="1.8,2.0", help="make_T: diagonal of c")
    ap.add_argument("-b", default="1.2,1.5", help="make_T: c = sqrt(b) sqrt(b)^T + diag(a - b)")
    ap.add_argument("-seed", type=int, default=1)
    ap.add_argument("-shuffle", action="store_true", help="write the neurons in a random order")
    ap.add_argument("-float32", action="store_true", help="store W as float32")
    o = ap.parse_args()
    a = [float(x) for x in o.a.split(",")]
    b = [float(x) for x in o.b.split(",")]
    R = len(a)
    N = np.broadcast_to(np.array([int(x) for x in o.N.split(",")]), (R,))
    g = np.broadcast_to(np.array([float(x) for x in o.g.split(",")]), (R,))
    rng = np.random.default_rng(o.seed)
    W, truth = plant(make_T(a, b), g, N, rng)
    write_weights(o.o, W, N, rng if o.shuffle else None, np.float32 if o.float32 else np.float64)
    with h5py.File(o.o.replace(".h5", "") + "-truth.h5", "w") as f:
        for k, v in truth.items():
            f[k] = v
    print("wrote %s (n = %d, R = %d) and the planted truth; That eigenvalues planted %s, realised %s" % (
        o.o, W.shape[0], R, np.round(np.sort_complex(that_eigenvalues(truth["T"])), 3),
        np.round(np.sort_complex(that_eigenvalues(truth["T_realised"])), 3)))


if __name__ == "__main__":
    main()
