"""The exchange volume per step does not depend on N and equals what the region
graph predicts from the documented layout (P < R: region r lives on rank
floor((r + 1/2) P / R) for equal costs; P = R: one region per rank)."""
import os
import h5py
import numpy as np
from mrtest import run, tmpdir, check, finish, write_dense_model, make_T

d = tmpdir()
R = 4
T = make_T([2.0] * R, [1.5] * R)

def stats(N, p, model=None):
    if model is None:
        model = os.path.join(d, "m%d.h5" % N)
        if not os.path.exists(model):
            write_dense_model(model, N=[N] * R, g=[0.5] * R, T=T)
    out = os.path.join(d, "r_%s_%d.h5" % (os.path.basename(model), p))
    run(["simulate", "-model", model, "-o", out, "-t_final", 0.5, "-progress", 0, "-force"], np_=p)
    with h5py.File(out, "r") as f:
        return f.attrs["exchange_bytes_per_step"], f.attrs["exchange_messages_per_step"]

def predicted(target, source, owner):
    cross = [(owner[s], owner[r]) for r, s in zip(target, source) if owner[r] != owner[s]]
    return 8 * len(cross), len(set(cross))

for p in (2, 3, 4):
    b500, m500 = stats(500, p)
    b5000, m5000 = stats(5000, p)
    check(b500 == b5000 and m500 == m5000, "P=%d: same bytes (%d) and messages (%d) for N=500 and N=5000" % (p, b500, m500))
    owner = [int((r + 0.5) * p / R) for r in range(R)]
    tgt = [r for r in range(R) for s in range(R)]
    src = [s for r in range(R) for s in range(R)]
    eb, em = predicted(tgt, src, owner)
    check(b500 == eb and m500 == em, "P=%d: bytes %d, messages %d as predicted (%d, %d)" % (p, b500, m500, eb, em))

# P > R: rank groups; the volume still does not depend on N
for p in (3, 4):
    model_a = os.path.join(d, "two500.h5")
    model_b = os.path.join(d, "two5000.h5")
    for path, N in ((model_a, 500), (model_b, 5000)):
        if not os.path.exists(path):
            write_dense_model(path, N=[N, N], g=[0.5, 0.5], T=make_T([2.0, 2.0], [1.5, 1.5]))
    check(stats(None, p, model_a) == stats(None, p, model_b), "R=2 on P=%d ranks (groups): volume independent of N" % p)

# a sparse region graph in the channel form: only channels between ranks cross
g = os.path.join(d, "graph.h5")
run(["model", "graph", "-R", 12, "-N", 200, "-g", 0.3, "-degree", 3, "-rank", 2, "-seed", 5, "-o", g])
with h5py.File(g, "r") as f:
    tgt, src = f["channel/target"][:], f["channel/source"][:]
for p in (2, 3):
    b, m = stats(None, p, g)
    owner = [int((r + 0.5) * p / 12) for r in range(12)]
    eb, em = predicted(tgt, src, owner)
    check(b == eb and m == em, "graph R=12 on P=%d: bytes %d, messages %d as predicted (%d, %d)" % (p, b, m, eb, em))
finish()
