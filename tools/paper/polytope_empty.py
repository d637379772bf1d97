#!/usr/bin/python3
"""Where do the current dynamics settle when the polytope is empty? (docs/gallery/polytope.md)

For random sorted b ~ U(1,3)^R, R = 3, 4, 5, integrates the current equations of
c = sqrt(b) sqrt(b)^T - diag(b) at g = 0 (model.md 2a, T[m,n,r] = delta_mr c[m,n]) in
NumPy with Euler dt = 0.1 to t = 500 from K currents uniform in (-10, 10), and counts
the fixed points (|dS/dt| < 1e-8) with psi_i b_i = 1 in every region (on the polytope),
separately for b whose polytope is nonempty and empty (brute force over bases).
Independent of mrdyn. Usage: polytope_empty.py [--trials 60] [--K 20] [--seed 5]
"""
import argparse
import itertools

import numpy as np


def psi(D):
    return 1 / np.sqrt(1 + np.pi / 2 * D)


def settle(b, K, rng, T=500.0, dt=0.1):
    R = len(b)
    c = np.outer(np.sqrt(b), np.sqrt(b))
    np.fill_diagonal(c, 0)
    S = rng.uniform(-10, 10, (K, R, R))  # [member][target][source]
    for _ in range(int(round(T / dt))):
        p = psi((S ** 2).sum(2))  # psi_n from the currents into n
        S = S + dt * (-S + p[:, None, :] * c[None] * np.transpose(S, (0, 2, 1)))
    p = psi((S ** 2).sum(2))
    res = np.abs(-S + p[:, None, :] * c[None] * np.transpose(S, (0, 2, 1))).max((1, 2))
    return res < 1e-8, np.abs(p * b[None] - 1).max(1) < 1e-6


def nonempty(b):
    R = len(b)
    pairs = [(i, j) for i in range(R) for j in range(i + 1, R)]
    W = np.zeros((R, len(pairs)))
    for q, (i, j) in enumerate(pairs):
        W[i, q], W[j, q] = 1, b[j] / b[i]
    A = (b ** 2 - 1) * 2 / np.pi
    for cols in itertools.combinations(range(len(pairs)), R):
        B = W[:, cols]
        if abs(np.linalg.det(B)) > 1e-12 and np.linalg.solve(B, A).min() >= -1e-12:
            return True
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trials", type=int, default=60)
    ap.add_argument("--K", type=int, default=20)
    ap.add_argument("--seed", type=int, default=5)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    out = {}
    for R in (3, 4, 5):
        for _ in range(a.trials):
            b = np.sort(rng.uniform(1, 3, R))
            conv, on = settle(b, a.K, rng)
            s = out.setdefault((R, nonempty(b)), [0, 0, 0])
            s[0] += 1
            s[1] += conv.sum()
            s[2] += (conv & on).sum()
    for (R, ne), (nb, nc, no) in sorted(out.items()):
        print("R = %d, polytope %s: %d b, %d fixed points reached, %d with psi_i b_i = 1 everywhere"
              % (R, "nonempty" if ne else "empty", nb, nc, no))


if __name__ == "__main__":
    main()
