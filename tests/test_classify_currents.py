"""The class of the currents that `mrdyn sweep` gives every member (MrClassifyCurrents,
issue 11): series with known classes through tests/unit/classify_series.c (sines,
decaying and growing oscillations, a slow component, the Lorenz system), and members of
jobs/currents-map.yaml (t = 125) that the old rule mislabelled, whose continuation of the same
mean-field equations to t = 500 settles the truth.

usage: test_classify_currents.py BUILD/tests/classify_series"""
import os
import subprocess
import sys

import h5py
import numpy as np
from scipy.integrate import solve_ivp
from mrtest import run, tmpdir, check, finish

HELPER = sys.argv[1]
NAMES = ["fixed point", "limit cycle", "chaos", "mixed", "failed", "missing", "undetermined"]
d = tmpdir()


def classify(S, dt, window=0.5):
    """(class, period) of a (nt, C) series by MrClassifyCurrents."""
    path = os.path.join(d, "series.bin")
    np.ascontiguousarray(S, dtype=np.float64).tofile(path)
    out = subprocess.run([HELPER, path, str(S.shape[0]), str(S.shape[1]), repr(dt), repr(window)], capture_output=True, text=True, check=True).stdout.split()
    return NAMES[int(out[0])], float(out[1])


# 1. series whose class is known by construction (window: the last 62.5 of t = 0..125)
t = np.arange(2501) * 0.05


def circle(P, rate=0.0):
    return np.exp(rate * t)[:, None] * np.c_[np.sin(2 * np.pi * t / P), np.cos(2 * np.pi * t / P)]


c, p = classify(circle(10), 0.05)
check(c == "limit cycle" and abs(p - 10) < 1e-3, "a steady oscillation of period 10: limit cycle, period %.4f" % p)
c, p = classify(circle(20), 0.05)
check(c == "limit cycle" and abs(p - 20) < 1e-3, "period 20, three periods in the window of 62.5: still a limit cycle (%s)" % c)
c, _ = classify(circle(50), 0.05)
check(c == "undetermined", "period 50, fewer than three periods in the window: undetermined (%s)" % c)
c, _ = classify(circle(10, -0.005), 0.05)
check(c == "undetermined", "an oscillation decaying by 27%% across the window is no limit cycle: undetermined (%s)" % c)
c, _ = classify(circle(10, -0.05), 0.05)
check(c == "fixed point", "an oscillation decaying by a factor 20 across the window: fixed point (%s)" % c)
c, _ = classify(circle(10, 0.005), 0.05)
check(c == "undetermined", "a growing oscillation: undetermined (%s)" % c)
c, _ = classify(np.c_[1 + np.exp(-0.05 * t), 2 - np.exp(-0.05 * t)], 0.05)
check(c == "fixed point", "a monotone exponential approach to (1, 2): fixed point (%s)" % c)
c, _ = classify(np.c_[np.sqrt(0.7) * np.sin(2 * np.pi * t / 8) + np.sqrt(0.3) * np.sin(2 * np.pi * t / 100)], 0.05)
check(c == "undetermined", "a period-8 oscillation with 30%% of the variance in a period-100 one: undetermined (%s)" % c)
c, _ = classify(np.c_[np.sin(2 * np.pi * t / 8) + 0.8 * np.sin(2 * np.pi * t / (8 * 1.618034))], 0.05)
check(c == "mixed", "two incommensurate periods (8, 12.9): mixed (%s)" % c)
c, _ = classify(np.c_[t, -t], 0.05)
check(c == "undetermined", "a linear drift: undetermined (%s)" % c)
bad = circle(10)
bad[2000, 1] = np.nan
check(classify(bad, 0.05)[0] == "failed", "a NaN in the window: failed")
tl = np.arange(20001) * 0.01
lorenz = solve_ivp(lambda _, u: [10 * (u[1] - u[0]), u[0] * (28 - u[2]) - u[1], u[0] * u[1] - 8 / 3 * u[2]], (0, 200), [1, 1, 20], t_eval=tl, rtol=1e-9, atol=1e-9).y.T
c, _ = classify(lorenz, 0.01)
check(c == "chaos", "the Lorenz system (x, y, z over t = 100..200): chaos (%s)" % c)

# 2. members of jobs/currents-map.yaml: the old rule's class at t = 125, and why it was wrong
MEMBERS = [("1.45", "1", 1, "limit cycle: the normalised autocovariance cancels the decay (issue's example)"),
           ("1.38461538462", "0.615384615385", 2, "limit cycle: decays to 0"),
           ("1.53846153846", "1.23076923077", 3, "limit cycle: decays by a factor 2 every 100 time units"),
           ("1.53846153846", "0", 3, "chaos: a slow monotone approach to a nonzero fixed point"),
           ("1.69230769231", "0.153846153846", 3, "chaos: a limit cycle of period 40"),
           ("1.69230769231", "0.153846153846", 7, "chaos: a limit cycle of period 67"),
           ("2", "1.07692307692", 6, "limit cycle (right)"),
           ("2.15384615385", "0", 1, "fixed point (right)")]
SWEEP = """verb: dmft
output: {out}
model: {{generator: random, R: 2, N: 1000, g: 1.5, tol: 0.05, rescale: 1}}
options: {{dt: 0.05, t_final: {tf}}}
zip:
  w_re: [{wr}]
  w_im: [{wi}]
  seed: [{seed}]
keep: [currents, time]
classify_window: 0.5
"""
rows = {}
for tf in (125, 500):
    path = os.path.join(d, "s%d.yaml" % tf)
    with open(path, "w") as f:
        f.write(SWEEP.format(out=os.path.join(d, "o%d" % tf), tf=tf, wr=", ".join(m[0] for m in MEMBERS), wi=", ".join(m[1] for m in MEMBERS),
                             seed=", ".join(str(m[2]) for m in MEMBERS)))
    run(["sweep", path], np_=2)
    with h5py.File(os.path.join(d, "o%d" % tf, "summary.h5"), "r") as f:
        tab = f["members"][:]
    check(len(tab) == len(MEMBERS) and all(tab["status"] == b"done"), "t = %d: %d members done" % (tf, len(MEMBERS)))
    for row, m in zip(tab, MEMBERS):
        with h5py.File(os.path.join(d, "o%d" % tf, row["file"].decode()), "r") as f:
            rows.setdefault(m, []).append((row["class"].decode(), float(row["period"]), f["currents"][:], f["time"][:]))


def truth(S, dt):
    """The long run's dynamics from its end: ('fixed point', nan) when the rms fluctuation of
    each of the last three blocks of 100 time units is <= 0.7 of the block before (a
    geometric decay) or below 1e-12; ('limit cycle', P) when the last 250 time units return
    onto themselves after P to 1e-3 of their rms fluctuation, with the same amplitude over the
    first and the last period (1%); else ('unsettled', nan)."""
    b = int(round(100 / dt))
    rms = [np.sqrt(((x - x.mean(0)) ** 2).mean()) for x in (S[-3 * b - b:-3 * b], S[-3 * b:-2 * b], S[-2 * b:-b], S[-b:])]
    if rms[-1] < 1e-12 or all(rms[i + 1] <= 0.7 * rms[i] for i in range(3)):
        return "fixed point", np.nan
    x = S[-int(round(250 / dt)):]
    amp = np.sqrt(((x - x.mean(0)) ** 2).mean())
    ret = np.array([np.sqrt(((x[k:] - x[:len(x) - k]) ** 2).mean()) / amp for k in range(1, len(x) // 2)])
    for k in range(1, len(ret) - 1):  # the first close return, refined between steps by a parabola
        if ret[k] <= ret[k - 1] and ret[k] <= ret[k + 1] and ret[k] < 0.05:
            y = ret[k - 1:k + 2] ** 2
            off = 0.5 * (y[0] - y[2]) / (y[0] - 2 * y[1] + y[2])
            r2 = y[1] - 0.25 * (y[0] - y[2]) * off
            P = (k + 1 + off) * dt
            n = k + 1
            steady = abs(np.sqrt(((x[-n:] - x.mean(0)) ** 2).mean()) / np.sqrt(((x[:n] - x.mean(0)) ** 2).mean()) - 1) < 0.01
            return ("limit cycle", P) if np.sqrt(max(r2, 0)) < 1e-3 and steady else ("unsettled", np.nan)
    return "unsettled", np.nan


W = 62.5  # the classified window of the t = 125 runs
for m in MEMBERS:
    (c, p, S, tm), (_, _, L, _) = rows[m]
    dt = tm[1] - tm[0]
    name = "w = %s + %si, seed %d" % m[:3]
    check(np.array_equal(L[:len(S)], S), "%s: the t = 500 run continues the t = 125 run bit for bit" % name)
    check(classify(S, dt)[0] == c, "%s: the summary's class is MrClassifyCurrents' on the last half of the currents" % name)
    tc, tp = truth(L, dt)
    check(tc != "unsettled", "%s: the run to t = 500 settles the truth (%s)" % (name, tc))
    if tc == "fixed point":
        ok = c in ("fixed point", "undetermined")
    elif tp <= W / 3:
        ok = c == "limit cycle" and abs(p - tp) < 0.02 * tp
    else:
        ok = c == "undetermined"
    check(ok, "%s: t = 125 says %s%s; the truth is a %s%s (the old rule: %s)" % (name, c, " (period %.2f)" % p if c == "limit cycle" else "", tc,
                                                                               " of period %.1f" % tp if tc == "limit cycle" else "", m[3]))
# the fast decays are clear-cut fixed points, not merely undetermined
check([rows[m][0][0] for m in MEMBERS[:2]] == ["fixed point"] * 2, "the currents decaying to 0 at w = 1.45 + 1i and 1.385 + 0.615i are fixed points")
finish()
