#!/usr/bin/python3
"""A straightforward vectorised NumPy version of the published mean-field recurrence
(tests/data/README.md: run_ns_dmft_multi_pop, full memory): the baseline that
bench/bench_dmft.c runs side by side with mrdyn's engine.

usage: /usr/bin/python3 tools/dmft_numpy.py R Nt dt g [--print]
prints the seconds of the recurrence (and with --print the final Delta(t,t) per region).
"""
import sys
import time

import numpy as np


def psi(D):
    return np.sqrt(np.clip(1.0 / ((np.pi / 2.0) * D + 1.0), 1e-20, np.inf))


def corr(D11, D22, D12):
    A = (D11 + 2.0 / np.pi) * (D22 + 2.0 / np.pi)
    return (2.0 / np.pi) * np.arctan(D12 / np.sqrt(np.clip(A - D12 ** 2, 1e-20, np.inf)))


def run(T, U, g, Nt, dt, S0):
    P = T.shape[0]
    Delta = np.zeros((Nt, Nt, P))
    Gamma = np.zeros((Nt, Nt, P))
    S = np.zeros((Nt, P, P))
    H = np.zeros((Nt, P, P))
    ps = np.zeros((Nt, P))
    S[0] = S0
    Delta[0, 0] = g[0] ** 2
    g2 = (g ** 2)[None, :]
    for j in range(1, Nt):
        ps[j] = psi(Delta[j - 1, j - 1])
        H[j] = np.einsum("mnr,n,nr->mn", T, ps[j - 1], S[j - 1])
        S[j] = (1 - dt) * S[j - 1] + dt * H[j - 1]
        Delta[:j, j] = (1 - dt) * Delta[:j, j - 1] + dt * Gamma[:j, j - 1]
        Dstar = Delta[j - 1, j - 1]
        diag = np.einsum("iim->im", Delta[1:j + 1, 1:j + 1]).copy()
        diag[-1] = Dstar
        col = Delta[1:j + 1, j].copy()
        col[-1] = Dstar
        F = g2 * corr(diag, Dstar[None, :], col) + np.einsum("mnr,tmn,mr->tm", U, H[1:j + 1], H[j])
        # Gamma[i, j] = (1-dt) Gamma[i-1, j] + dt F[i-1]: a linear recurrence in i
        w = (1 - dt) ** np.arange(j)[::-1]
        Gamma[1:j + 1, j] = np.cumsum(F * (dt * w)[:, None], axis=0) / w[:, None]
        Delta[j, j] = (1 - dt) * Delta[j - 1, j] + dt * Gamma[j - 1, j]
    return Delta, S


def main():
    R, Nt, dt, g = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    # the model of bench/bench_dmft.c: make_T(a = 2, b = 1.5), U = 1, S0 = 0.5
    c = np.full((R, R), 1.5) + np.diag(np.full(R, 0.5))
    T = np.zeros((R, R, R))
    for r in range(R):
        T[r, :, r] = c[r]
    U = np.array([np.eye(R) for _ in range(R)])
    S0 = np.full((R, R), 0.5)
    t0 = time.perf_counter()
    Delta, S = run(T, U, np.full(R, g), Nt, dt, S0)
    el = time.perf_counter() - t0
    print("%.6f" % el)
    if "--print" in sys.argv:
        print(" ".join("%.17g" % Delta[-1, -1, r] for r in range(R)))


if __name__ == "__main__":
    main()
