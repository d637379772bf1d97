"""A private, real, single-node SLURM for tests (stdlib only).

SlurmCluster starts munged, slurmctld and slurmd (Debian 12 packages munge,
slurmctld, slurmd, slurm-client) as child processes, with every file they use
(key, socket, config, state, spool, logs, pids) under one temporary directory
and on free non-default ports, so it never touches or clashes with a system
SLURM.  Client commands run through the cluster's methods get SLURM_CONF, and
jobs inherit it (sbatch exports the environment), so `scontrol requeue` etc.
work inside jobs.

    with SlurmCluster() as c:
        jid = c.sbatch(["job.sbatch", "arg"], cwd=d, extra=["--array=0-3"])
        states = c.wait(jid, timeout=120)   # {"12_0": "COMPLETED", ...}

Needs root (slurmd must be root to start jobs; everything runs as root here,
SlurmUser=root).  When root or the packages are missing, start() (and so
`with`) raises SlurmUnavailable, whose message a test prints as its skip
reason (skip_reason() tells beforehand); any other failure raises SlurmError
carrying squeue, the job records and the tails of the daemons' logs.

Environment: MRDYN_KEEP_SLURM=1 keeps the temporary directory (printed on exit).
"""
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

__all__ = ["SlurmCluster", "SlurmUnavailable", "SlurmError", "skip_reason", "TERMINAL_STATES"]

# Job states after which a job never runs again (a requeued job passes through
# COMPLETING/REQUEUED/PENDING instead, so it is not mistaken for finished).
TERMINAL_STATES = frozenset(["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED",
                             "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE"])

_SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin", "/usr/bin", "/bin"])
_DAEMONS = ["munged", "slurmctld", "slurmd"]
_CLIENTS = ["sbatch", "squeue", "scontrol", "scancel", "sinfo", "srun"]
# Variables from an enclosing SLURM job or the user's shell that would change
# what our client commands do (e.g. SBATCH_PARTITION); removed from their env.
_SCRUB = re.compile(r"^(SLURM_|SBATCH_|SALLOC_|SRUN_|SQUEUE_|SINFO_|SCANCEL_|SCONTROL_|SACCT_)")


class SlurmUnavailable(Exception):
    """SLURM cannot run here at all (not root, packages missing): a skip reason."""


class SlurmError(RuntimeError):
    """SLURM misbehaved (did not start, job timed out, command failed); the message has diagnostics."""


def _which(name):
    return shutil.which(name, path=_SEARCH_PATH)


def skip_reason():
    """Why a private SLURM cannot run on this machine, or None if it can."""
    if not hasattr(os, "geteuid") or not os.path.isdir("/proc"):
        return "private SLURM needs Linux"
    if os.geteuid() != 0:
        return "private SLURM needs root (slurmd/munged run as root here)"
    missing = [n for n in _DAEMONS + _CLIENTS if _which(n) is None]
    if missing:
        return ("SLURM/munge programs not found: %s (apt-get install --no-install-recommends "
                "slurmctld slurmd slurm-client munge)" % " ".join(missing))
    return None


def require_slurm():
    """For a test script: exits 77 (meson's skip) with the reason when a private
    SLURM cannot run here, or 1 when MRDYN_REQUIRE_SLURM=1 (CI) demands it."""
    import sys
    reason = skip_reason()
    if reason:
        if os.environ.get("MRDYN_REQUIRE_SLURM") == "1":
            print("FAIL SLURM unavailable: %s" % reason)
            sys.exit(1)
        print("SKIP: %s" % reason)
        sys.exit(77)


def _free_ports(n):
    """n distinct currently free TCP ports (kept bound until all are chosen)."""
    socks, ports = [], []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports


def _mem_total_mb():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    return 1024


def _die_with_parent():
    """preexec_fn: the daemon gets SIGTERM if the test process dies (even by SIGKILL)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def _tail(path, n):
    try:
        with open(path, errors="replace") as f:
            lines = f.readlines()
    except OSError as e:
        return "(%s)\n" % e
    return "".join(lines[-n:])


def _parse_record(line):
    """One line of `scontrol -o show job|node` as a dict; values with spaces are kept whole."""
    rec, key = {}, None
    for tok in line.split():
        k, eq, v = tok.partition("=")
        if eq and re.match(r"^[A-Za-z][\w:/]*$", k):
            key = k
            rec[key] = v
        elif key is not None:
            rec[key] += " " + tok
    return rec


class SlurmCluster:
    """A single-node SLURM under a temporary directory; use as a context manager.

    cpus: CPUs (slots) of the node, default the machine's; more than the machine
      has is allowed (SlurmdParameters=config_overrides), handy for many mostly
      sleeping test jobs.
    cred_expire: seconds; SLURM also holds a requeued job back for cred_expire+1 s
      (default 120 s in SLURM, 10 s here so requeue tests are quick).
    start_timeout: seconds to wait for the node to become idle.
    keep: keep the directory on exit (default: env MRDYN_KEEP_SLURM=1).
    """

    def __init__(self, cpus=None, memory_mb=None, cred_expire=10, start_timeout=60, keep=None):
        self.cpus = int(cpus or len(os.sched_getaffinity(0)) or os.cpu_count() or 1)
        self.memory_mb = int(memory_mb or max(256, int(_mem_total_mb() * 0.9)))
        self.cred_expire = int(cred_expire)
        self.start_timeout = start_timeout
        self.keep = keep if keep is not None else os.environ.get("MRDYN_KEEP_SLURM", "") not in ("", "0")
        self.node = socket.gethostname().split(".")[0]  # `hostname -s`
        self.dir = None
        self.conf = None
        self.env = None
        self.logs = {}
        self._procs = {}  # name -> Popen, in start order

    # ---- life cycle -------------------------------------------------------

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        """Starts the cluster (once); returns self.  Raises SlurmUnavailable or SlurmError."""
        if self._procs:
            return self
        reason = skip_reason()
        if reason:
            raise SlurmUnavailable(reason)
        self.dir = tempfile.mkdtemp(prefix="mrdyn-slurm-")
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self):
        d = self.dir
        os.chmod(d, 0o755)  # munged refuses a socket in a directory others cannot search
        for sub in ("state", "spool", "log", "run"):
            os.mkdir(os.path.join(d, sub), 0o755)
        self.logs = {n: os.path.join(d, "log", n + ".log") for n in _DAEMONS}
        self.jobcomp = os.path.join(d, "log", "jobcomp.txt")
        self.munge_socket = os.path.join(d, "munge.socket")

        # munge: its own key, socket, pid, seed and log (-F logs to stderr)
        key = os.path.join(d, "munge.key")
        mungekey = _which("mungekey")
        if mungekey:
            subprocess.run([mungekey, "--create", "--keyfile", key, "--bits", "1024"], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        else:
            with open(os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
                f.write(os.urandom(128))
        os.chmod(key, 0o600)
        self._spawn("munged", [_which("munged"), "--foreground", "--socket", self.munge_socket,
                               "--key-file", key, "--pid-file", os.path.join(d, "run", "munged.pid"),
                               "--log-file", self.logs["munged"],
                               "--seed-file", os.path.join(d, "run", "munged.seed")])
        self.wait_until(lambda: os.path.exists(self.munge_socket), 20, "munged to create its socket",
                        poll=0.05)

        self.ctld_port, self.slurmd_port = _free_ports(2)
        self.conf = os.path.join(d, "slurm.conf")
        with open(self.conf, "w") as f:
            f.write(self._slurm_conf())
        self.env = {k: v for k, v in os.environ.items() if not _SCRUB.match(k)}
        self.env["SLURM_CONF"] = self.conf
        self.env["PATH"] = _SEARCH_PATH

        self._spawn("slurmctld", [_which("slurmctld"), "-D", "-f", self.conf])
        self._spawn("slurmd", [_which("slurmd"), "-D", "-f", self.conf, "-N", self.node])

        def node_idle():
            p = self._client(["scontrol", "-o", "show", "node", self.node], timeout=15)
            st = _parse_record(p.stdout).get("State", "") if p.returncode == 0 else ""
            return st.split("+")[0] == "IDLE" and "DRAIN" not in st and "NOT_RESPONDING" not in st
        self.wait_until(node_idle, self.start_timeout, "node %s to become IDLE" % self.node, poll=0.25)

    def _slurm_conf(self):
        d = self.dir
        # Values chosen for a fast, private test cluster; see slurm.conf(5).
        return "\n".join([
            "# written by tests/slurm_harness.py",
            "ClusterName=mrdyntest",
            "SlurmctldHost=%s(127.0.0.1)" % self.node,
            "SlurmctldPort=%d" % self.ctld_port,
            "SlurmdPort=%d" % self.slurmd_port,
            "SlurmUser=root",
            "SlurmdUser=root",
            "AuthType=auth/munge",
            "CredType=cred/munge",
            # socket: our munged; cred_expire also sets the requeue hold-back (cred_expire+1 s)
            "AuthInfo=socket=%s,cred_expire=%d" % (self.munge_socket, self.cred_expire),
            "StateSaveLocation=%s/state" % d,
            "SlurmdSpoolDir=%s/spool" % d,
            "SlurmctldPidFile=%s/run/slurmctld.pid" % d,
            "SlurmdPidFile=%s/run/slurmd.pid" % d,
            "SlurmctldLogFile=%s" % self.logs["slurmctld"],
            "SlurmdLogFile=%s" % self.logs["slurmd"],
            "SlurmctldDebug=info",
            "SlurmdDebug=info",
            "MailProg=/bin/true",
            "ProctrackType=proctrack/linuxproc",  # no cgroups
            "TaskPlugin=task/none",
            "JobAcctGatherType=jobacct_gather/none",
            "AccountingStorageType=accounting_storage/none",  # no slurmdbd, so no sacct
            # final state of every run of every job, also after slurmctld forgets it
            "JobCompType=jobcomp/filetxt",
            "JobCompLoc=%s" % self.jobcomp,
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core",  # 1-CPU jobs and array tasks share the node
            "SlurmdParameters=config_overrides",  # allow more CPUs than the machine has
            "MpiDefault=none",
            "JobRequeue=1",
            "ReturnToService=2",
            "SlurmctldTimeout=10",
            "SlurmdTimeout=30",
            "MessageTimeout=10",
            "KillWait=2",
            "InactiveLimit=0",
            "MinJobAge=3600",  # finished jobs stay visible to scontrol show job
            # main scheduling pass every second (default 60 s), so a requeued job
            # starts as soon as it becomes eligible
            "SchedulerParameters=sched_interval=1",
            # a dependency that can never be met cancels the job instead of leaving it pending
            "DependencyParameters=kill_invalid_depend",
            "NodeName=%s NodeHostname=%s NodeAddr=127.0.0.1 CPUs=%d Sockets=1 CoresPerSocket=%d "
            "ThreadsPerCore=1 RealMemory=%d State=UNKNOWN"
            % (self.node, self.node, self.cpus, self.cpus, self.memory_mb),
            "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP",
            ""])

    def _spawn(self, name, cmd):
        out = open(os.path.join(self.dir, "log", name + ".out"), "w")
        env = dict(self.env or os.environ)
        try:
            # same process group as the test: a test runner that kills the group kills them too
            self._procs[name] = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                                 stderr=subprocess.STDOUT, env=env,
                                                 preexec_fn=_die_with_parent)
        finally:
            out.close()

    def stop(self):
        """Cancels remaining jobs, stops the daemons by pid (TERM, then KILL), removes the directory."""
        ctld = self._procs.get("slurmctld")
        if ctld is not None and ctld.poll() is None and self.env is not None:
            try:
                self._cancel_all()
            except Exception:
                pass
        # slurmstepd (one per job step, not our child) outlives a job's COMPLETED
        # state by a moment; it removes its socket <spool>/<node>_<job>.<step> on exit.
        deadline = time.monotonic() + 10
        while self.dir and time.monotonic() < deadline and self._step_sockets():
            time.sleep(0.1)
        for name in reversed(list(self._procs)):
            p = self._procs[name]
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(5)
        self._procs = {}
        if self.dir and os.path.isdir(self.dir):
            if self.keep:
                print("slurm_harness: kept %s (SLURM_CONF=%s)" % (self.dir, self.conf), flush=True)
            else:
                shutil.rmtree(self.dir, ignore_errors=True)

    def _step_sockets(self):
        try:
            return [n for n in os.listdir(os.path.join(self.dir, "spool")) if n.startswith(self.node + "_")]
        except OSError:
            return []

    def _cancel_all(self):
        """Kills every job of this private cluster and waits (briefly) until none is still on the node."""
        p = self._client(["squeue", "-h", "-o", "%A"], timeout=15)
        ids = sorted(set(p.stdout.split())) if p.returncode == 0 else []
        if not ids:
            return
        self._client(["scancel"] + ids, timeout=15)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            p = self._client(["squeue", "-h", "-t", "RUNNING,COMPLETING,SUSPENDED", "-o", "%A"], timeout=15)
            if p.returncode == 0 and not p.stdout.strip():
                return
            time.sleep(0.2)

    # ---- client commands ------------------------------------------------------

    def _client(self, args, timeout=60, env=None, cwd=None):
        e = dict(self.env)
        if env:
            e.update(env)
        e["SLURM_CONF"] = self.conf
        try:
            return subprocess.run(args, env=e, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                                  text=True, timeout=timeout)
        except subprocess.TimeoutExpired as ex:
            return subprocess.CompletedProcess(args, 124, ex.stdout or "", "timed out after %ss" % timeout)

    def run(self, args, check=True, timeout=60, env=None, cwd=None):
        """Runs a SLURM client command (e.g. ["squeue", "-a"]) against this cluster."""
        p = self._client([str(a) for a in args], timeout=timeout, env=env, cwd=cwd)
        if check and p.returncode != 0:
            raise SlurmError("command failed (%d): %s\n%s%s" % (p.returncode, " ".join(p.args), p.stdout,
                                                                p.stderr))
        return p

    def sbatch(self, args, cwd=None, env=None, extra=()):
        """Submits `sbatch [extra] script [script args]`; returns the job id (int).

        args: [script, arg...] (script relative to cwd); extra: sbatch options;
        env: variables added to the submitting (and so the job's) environment.
        """
        p = self.run(["sbatch", "--parsable"] + list(extra) + list(args), cwd=cwd, env=env)
        return int(p.stdout.strip().split(";")[0])

    def scancel(self, jobid, signal=None, batch=False, full=False):
        """scancel [--signal=SIG] [--batch: the batch shell only] [--full: shell and steps] jobid."""
        cmd = ["scancel"]
        if signal is not None:
            cmd.append("--signal=%s" % signal)
        if batch:
            cmd.append("--batch")
        if full:
            cmd.append("--full")
        self.run(cmd + [str(jobid)])

    def requeue(self, jobid, hold=False):
        """scontrol requeue (or requeuehold) jobid."""
        self.run(["scontrol", "requeuehold" if hold else "requeue", str(jobid)])

    # ---- job state ------------------------------------------------------------

    def records(self, jobid):
        """`scontrol show job jobid` as a list of dicts (one per job / array task); [] if unknown.

        Raises SlurmError if slurmctld does not answer."""
        p = self._client(["scontrol", "-o", "show", "job", str(jobid)], timeout=30)
        if p.returncode != 0:
            if "Invalid job id" in p.stderr:
                return []
            raise SlurmError("scontrol show job %s failed: %s" % (jobid, p.stderr.strip()))
        return [_parse_record(line) for line in p.stdout.splitlines() if line.strip()]

    def jobcomp_records(self, jobid=None):
        """Lines of the job completion log (one per finished run, requeues included) as dicts."""
        try:
            with open(self.jobcomp) as f:
                recs = [_parse_record(line) for line in f if line.strip()]
        except FileNotFoundError:
            return []
        if jobid is None:
            return recs
        j = str(jobid)
        return [r for r in recs if r.get("JobId") == j or r.get("ArrayJobId") == j]

    @staticmethod
    def _label(rec):
        task = rec.get("ArrayTaskId")
        if task is not None and rec.get("ArrayJobId"):
            return "%s_%s" % (rec["ArrayJobId"], task)
        return rec.get("JobId", "?")

    def states(self, jobid):
        """{label: state} for a job, or for every task of an array ("12_3"; pending tasks "12_[2-3]")."""
        recs = self.records(jobid)
        if not recs:  # purged by slurmctld: the last completion record of each job
            recs = self.jobcomp_records(jobid)
        return {self._label(r): r.get("JobState", "UNKNOWN") for r in recs}

    def state(self, jobid):
        """The state of a job or array task; for an array its distinct states joined by ','."""
        return ",".join(sorted(set(self.states(jobid).values()))) or "UNKNOWN"

    def wait(self, jobid, timeout=300, poll=0.5, check=False):
        """Waits until the job, or every task of an array, has reached a terminal state.

        A requeued job counts as unfinished until its last run ends; a job whose
        dependency fails is cancelled (kill_invalid_depend).  Returns {label: state};
        with check=True raises SlurmError unless all are COMPLETED.  On timeout
        raises SlurmError with squeue, the job record and the daemons' logs."""
        last = {}

        def done():
            nonlocal last
            try:
                last = self.states(jobid)
            except SlurmError as e:  # transient (slurmctld busy): poll again
                last = {"?": str(e)}
                return False
            return bool(last) and all(s in TERMINAL_STATES for s in last.values())
        self.wait_until(done, timeout, "job %s to finish" % jobid, poll=poll, jobid=jobid,
                        show=lambda: "last states: %s" % last)
        if check and any(s != "COMPLETED" for s in last.values()):
            raise SlurmError("job %s did not complete: %s\n%s" % (jobid, last, self.diagnostics(jobid)))
        return last

    def wait_state(self, jobid, state="RUNNING", timeout=120, poll=0.25):
        """Waits until the job (all its tasks) is in `state`; returns its states."""
        def reached():
            s = self.states(jobid)
            return s if s and all(v == state for v in s.values()) else None
        return self.wait_until(reached, timeout, "job %s to be %s" % (jobid, state), poll=poll, jobid=jobid)

    def wait_until(self, cond, timeout, what, poll=0.25, jobid=None, show=None):
        """Polls cond() until it returns a true value (returned); raises SlurmError with
        diagnostics after timeout seconds, or at once if a daemon has died."""
        deadline = time.monotonic() + timeout
        while True:
            v = cond()
            if v:
                return v
            dead = [n for n, p in self._procs.items() if p.poll() is not None]
            if dead or time.monotonic() > deadline:
                msg = ("%s exited (%s) while waiting for %s" % (dead[0], self._procs[dead[0]].returncode, what)
                       if dead else "timed out after %ss waiting for %s" % (timeout, what))
                if show:
                    msg += "\n" + show()
                raise SlurmError(msg + "\n" + self.diagnostics(jobid))
            time.sleep(poll)

    def diagnostics(self, jobid=None, lines=30):
        """squeue, scontrol show job/node and the tails of the daemons' logs, as text."""
        out = ["---- private SLURM in %s" % self.dir]
        if self.env is not None and self._procs.get("slurmctld") and self._procs["slurmctld"].poll() is None:
            for cmd in (["squeue", "-a", "-l"],
                        ["scontrol", "show", "job"] + ([str(jobid)] if jobid is not None else []),
                        ["scontrol", "show", "node", self.node]):
                p = self._client(cmd, timeout=15)
                out.append("---- %s (rc %d)\n%s%s" % (" ".join(cmd), p.returncode, p.stdout, p.stderr))
        for name in _DAEMONS:
            for path in (self.logs.get(name), os.path.join(self.dir or "", "log", name + ".out")):
                if path and os.path.exists(path) and os.path.getsize(path):
                    out.append("---- tail %s\n%s" % (path, _tail(path, lines)))
        return "\n".join(out)
