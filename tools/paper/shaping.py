"""Shared parts of the paper's Fig. 6 and of the five-region appendix figure (both
from the authors' "shaping dynamics" notebook): the model draws with NumPy's
legacy random numbers, the model-file writer, the published classification rule
(paper-figures.md, Fig. 5) in Python, and the panels both figures draw.

Conventions (docs/model.md): T[m, n, r], channel c = m*R + n is the current from
region n into region m, /currents is (nt, C)."""
import os
import subprocess
import sys

import h5py
import numpy as np

LABELS = ["invalid", "chaos", "fixed point + chaos", "fixed point", "limit cycle + chaos", "limit cycle"]
SHORT = {"invalid": "inv", "chaos": "C", "fixed point + chaos": "FP+C", "fixed point": "FP",
         "limit cycle + chaos": "LC+C", "limit cycle": "LC"}
COLOURS = ["tab:blue", "tab:orange", "tab:green", "0.25", "0.5"]


def draw_T(seed, R, scale):
    """T = randn(R,R,R) * scale/sqrt(R) right after NumPy's legacy np.random.seed(seed),
    returned with the legacy generator in the state the notebook leaves it in (its
    default initial currents S(0) = rand(R,R) continue from there)."""
    rs = np.random.RandomState(seed)
    return rs.randn(R, R, R) * scale / np.sqrt(R), rs


def write_model(path, T, g, N=1000, description=""):
    """The dense model file (T[m,n,r], g per region, U = I), written by `mrdyn model from`
    from T saved as NPY next to it (MRDYN: the program, default build/mrdyn)."""
    npy = os.path.splitext(path)[0] + "-T.npy"
    np.save(npy, np.ascontiguousarray(np.asarray(T, dtype=np.float64)))
    mrdyn = os.environ.get("MRDYN", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "mrdyn"))
    subprocess.run([mrdyn, "model", "from", "-T", npy, "-g", ",".join(repr(float(x)) for x in g), "-N", str(N), "-description", description, "-o", path, "-force"],
                   check=True, stdout=subprocess.DEVNULL)


def classify(c0):
    """The published rule on a normalised two-point function (paper-figures.md, Fig. 5)."""
    c = np.asarray(c0, float)
    c = c[c != 0]
    if len(c) == 0:
        return "invalid"
    if np.std(c) < 1e-2:
        return "fixed point"
    k = np.arange(1, len(c) - 1)
    peaks = list(k[(c[k - 1] < c[k]) & (c[k] > c[k + 1])])
    if not peaks:
        return "invalid"
    if peaks[0] < 10:
        peaks[0] = 0
    v = c[peaks]
    if len(v) == 1 and c[-1] > 0.05:
        return "fixed point + chaos"
    if (len(v) >= 2 and v[1] > 0.98) or (len(v) >= 3 and v[1] > 0.97 and v[2] > 0.97):
        return "limit cycle"
    if len(v) <= 2 or v[-2] > 1.05 * v[-1]:
        return "chaos"
    return "limit cycle + chaos"


def that(T, psi=None):
    """That[(m,n),(n',r)] = delta_{n n'} T[m,n,r] psi_n (U = I): the C x C matrix of
    docs/model.md, here only for drawing (mrdyn writes the eigenvalues)."""
    R = T.shape[0]
    p = np.ones(R) if psi is None else np.asarray(psi)
    M = np.zeros((R, R, R, R))
    for n in range(R):
        M[:, n, n, :] = T[:, n, :] * p[n]
    return M.reshape(R * R, R * R)


def eig(ds):
    """An mrdyn (..., 2) [real, imag] eigenvalue dataset as complex numbers."""
    a = np.asarray(ds)
    return a[..., 0] + 1j * a[..., 1]


def read_run(path):
    """What the figures use from one `mrdyn dmft` output."""
    with h5py.File(path, "r") as f:
        r = dict(time=f["time"][:], S=f["currents"][:], psi=f["psi"][:], variance=f["variance"][:],
                 that=eig(f["that_eigenvalues"]), curve=f["classification/curve"][:],
                 labels=[s.decode() if isinstance(s, bytes) else str(s) for s in f["classification/region"][:]],
                 t0=float(f["classification"].attrs["t0"]), dt=float(f.attrs["dt"]),
                 dyn_t=f["dynamic_spectrum/time"][:], dyn=eig(f["dynamic_spectrum/eigenvalues"]),
                 g=np.asarray(f.attrs["g"]))
        if "silenced/that_eigenvalues" in f:
            r["silenced"] = eig(f["silenced/that_eigenvalues"])
    return r


def check_runs(out):
    """Every run listed in OUT/runs.txt has its output (a job script must not plot half a figure)."""
    with open(os.path.join(out, "runs.txt")) as f:
        missing = [ln.split()[0] for ln in f if ln.strip() and not os.path.exists(os.path.join(out, ln.split()[0] + ".h5"))]
    if missing:
        sys.exit("%s: %d listed runs have no output (first: %s)" % (out, len(missing), missing[0]))


def style(plt):
    plt.rcParams.update({"font.size": 7, "axes.titlesize": 8, "axes.labelsize": 7, "xtick.labelsize": 6,
                         "ytick.labelsize": 6, "axes.spines.top": False, "axes.spines.right": False,
                         "lines.linewidth": 0.9})


def panel_spectrum(ax, w, lim=2.0):
    ax.scatter(w.real, w.imag, s=9, lw=0, color="black", clip_on=False)
    ax.axvline(1.0, color="black", ls="--", lw=0.7)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect(1.0)
    ax.set_xlabel(r"Re$\lambda$")
    ax.set_ylabel(r"Im$\lambda$")


def panel_delta(ax, curve, dt, tau_max, ylabel):
    n = int(round(tau_max / dt))
    tau = np.arange(min(n, len(curve))) * dt
    ax.axhline(1.0, color="black", ls="--", lw=0.6)
    ax.axhline(0.0, color="black", ls="--", lw=0.6)
    for i in range(curve.shape[1]):
        ax.plot(tau, curve[:len(tau), i], color=COLOURS[i % len(COLOURS)])
    ax.set_xlim(0, tau_max)
    ax.set_ylim(-1, 1.05)
    ax.set_xlabel(r"$\tau$", labelpad=0)
    if ylabel:
        ax.set_ylabel(r"$\hat\Delta^\mu(\tau)$")


def panel_psi(ax, t, psi, ylabel):
    for i in range(psi.shape[1]):
        ax.plot(t - t[0], psi[:, i], color=COLOURS[i % len(COLOURS)])
    ax.axhline(1.0, color="black", ls="--", lw=0.6)
    ax.set_ylim(0, 1.05)
    ax.set_xlim(0, t[-1] - t[0])
    ax.set_xlabel(r"$t$ (last %g)" % round(t[-1] - t[0] + (t[1] - t[0])), labelpad=0)
    if ylabel:
        ax.set_ylabel(r"$\psi^\mu(t)$")


def panel_dynamic(ax, ev, ylabel, ylim=1.0):
    w = ev.ravel()
    w = w[np.isfinite(w)]
    ax.scatter(w.real, w.imag, s=1.5, lw=0, color="black", clip_on=False)
    ax.axvline(1.0, color="black", ls="--", lw=0.6)
    ax.set_xlim(-2, 2)
    ax.set_ylim(-ylim, ylim)
    ax.set_xlabel(r"Re$\lambda$", labelpad=0)
    if ylabel:
        ax.set_ylabel(r"Im$\lambda$ of $\hat T\psi(t)$")
