"""Helpers shared by the mrdyn integration tests (run with Debian's /usr/bin/python3)."""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

MRDYN = os.environ.get("MRDYN", "build/mrdyn")
MPIEXEC = os.environ.get("MPIEXEC", "mpiexec")
# Tests run on one node: shared-memory transport only, and no probing of network
# devices or the PCI bus at start-up (a launch takes 0.15 s instead of 0.65 s)
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_MCA_btl_vader_single_copy_mechanism="none",
           OMPI_MCA_pml="ob1", OMPI_MCA_btl="self,vader", HWLOC_COMPONENTS="-pci,-linuxio")

FAILURES = []


_CWD = []


def run(args, np_=1, timeout=300, check=True, cwd=None):
    """Runs mrdyn under mpiexec -n np_ (in a scratch directory unless cwd is given,
    so a relative output path never lands in the source tree); returns the CompletedProcess."""
    cmd = [MPIEXEC, "-n", str(np_), MRDYN] + [str(a) for a in args]
    if cwd is None:
        if not _CWD:
            _CWD.append(tempfile.mkdtemp(prefix="mrdyn-test-cwd-"))
        cwd = _CWD[0]
    p = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=timeout, cwd=cwd)
    if check and p.returncode != 0:
        sys.stderr.write("command failed: %s\n%s\n%s\n" % (" ".join(cmd), p.stdout, p.stderr))
        raise SystemExit(1)
    return p


def job_processes(p):
    """The pids of the processes started under p (mpiexec and its ranks)."""
    parent = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/stat" % pid) as f:
                st = f.read()
        except OSError:
            continue
        parent[int(pid)] = int(st[st.rindex(")") + 2:].split()[1])
    out = []
    for pid in parent:
        q = pid
        while q > 1 and q != p.pid:
            q = parent.get(q, 1)
        if q == p.pid and pid != p.pid:
            out.append(pid)
    return out


def signal_ranks(p, sig):
    """Sends sig to the ranks of the job p, not to mpiexec (as SLURM signals every task)."""
    for pid in job_processes(p):
        try:
            with open("/proc/%d/comm" % pid) as f:
                if f.read().strip() != "mrdyn":
                    continue
            os.kill(pid, sig)
        except OSError:
            pass


def kill_job(p):
    """kill -9 of a whole job, ranks included (they are not in mpiexec's process group)."""
    import signal as _s
    for pid in job_processes(p) + [p.pid]:
        try:
            os.kill(pid, _s.SIGKILL)
        except OSError:
            pass
    p.wait()


def tmpdir():
    return tempfile.mkdtemp(prefix="mrdyn-test-")


def check(cond, what):
    """Records a failed assertion with its description (the test fails at the end)."""
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILURES.append(what)


def check_refused(args, out, phrase, what, ranks=(1, 3)):
    """Bad input at each rank count: a non-zero exit with exactly one
    "mrdyn: error" line containing phrase, and no output file (final or partial)."""
    for p in ranks:
        r = run(args, np_=p, check=False, timeout=60)
        msgs = [l for l in r.stderr.splitlines() if l.startswith("mrdyn: error")]
        check(r.returncode != 0 and len(msgs) == 1 and phrase in msgs[0], "%s (P=%d): one clear message [%s]" % (what, p, msgs[0] if msgs else r.stderr.strip()[:200]))
        check(not os.path.exists(out) and not os.path.exists(out + ".partial"), "%s (P=%d): no output file" % (what, p))


def finish():
    if FAILURES:
        print("%d check(s) failed" % len(FAILURES))
        raise SystemExit(1)
    print("all checks passed")


def write_dense_model(path, N, g, T, U=None, V=None, sigma2=None, attrs=None):
    """A model file in the dense form, written by hand as a user would with h5py."""
    with h5py.File(path, "w") as f:
        f["N"] = np.asarray(N, dtype=np.int64)
        f["g"] = np.asarray(g, dtype=float)
        f["T"] = np.asarray(T, dtype=float)
        if U is not None:
            f["U"] = np.asarray(U, dtype=float)
        if V is not None:
            f["V"] = np.asarray(V, dtype=float)
        if sigma2 is not None:
            f["sigma2"] = np.asarray(sigma2, dtype=float)
        for k, v in (attrs or {}).items():
            f.attrs[k] = v


def make_T(a, b):
    """The paper's make_T(a, b): T[r,s,q] = delta_rq c[r,s], c = sqrt(b)sqrt(b)^T + diag(a-b)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    c = np.outer(np.sqrt(b), np.sqrt(b)) + np.diag(a - b)
    R = len(a)
    T = np.zeros((R, R, R))
    for r in range(R):
        T[r, :, r] = c[r, :]
    return T


def psi(D):
    return 1.0 / np.sqrt(1.0 + 0.5 * np.pi * D)
