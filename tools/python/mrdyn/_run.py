"""mrdyn.run: starts the mrdyn executable with keyword options and opens the result."""
import json
import numbers
import os
import shutil
import subprocess
import sys
import tempfile
import threading

from ._files import open as _open
from ._sweep import open_sweep

# verbs whose result is the file given to -o
FILE_VERBS = ("model", "simulate", "dmft", "spectrum", "dimension", "lyapunov", "polytope")


class MrdynError(RuntimeError):
    """mrdyn exited with a non-zero status. str(e) is mrdyn's message (its
    `mrdyn: error: ...` lines); also .returncode, .command, .stdout, .stderr."""

    def __init__(self, message, returncode=None, command=None, stdout="", stderr=""):
        super().__init__(message)
        self.message, self.returncode, self.command = message, returncode, command
        self.stdout, self.stderr = stdout, stderr


def _package_root():
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__)))))


def find_executable():
    """The mrdyn executable: $MRDYN, else `mrdyn` on PATH, else the one installed
    next to this package (by meson install), else build/mrdyn of the source tree
    this package lives in."""
    env = os.environ.get("MRDYN")
    if env:
        exe = shutil.which(env) or (env if os.path.isfile(env) else None)
        if not exe or not os.access(exe, os.X_OK):
            raise MrdynError("MRDYN=%s is not an executable file" % env)
        return os.path.abspath(exe)
    exe = shutil.which("mrdyn")
    if exe:
        return exe
    try:
        from . import _install
        cand = os.path.join(_install.BINDIR, "mrdyn")
        if os.access(cand, os.X_OK):
            return cand
    except ImportError:
        pass
    root = _package_root()
    for build in ["build"] + sorted(d for d in os.listdir(root) if d.startswith("build") and d != "build") if os.path.isdir(root) else []:
        cand = os.path.join(root, build, "mrdyn")
        if os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    raise MrdynError("cannot find the mrdyn executable: set MRDYN=/path/to/mrdyn, put it on PATH, or build it (meson compile -C build)")


def _fmt(v):
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        return repr(float(v))
    if isinstance(v, (list, tuple)) or type(v).__name__ == "ndarray":
        return ",".join(_fmt(x) for x in list(v))
    return os.fspath(v) if hasattr(v, "__fspath__") else str(v)


def options_to_args(options):
    """[-key, value, ...] from a dict: True -> the flag alone, False/None -> left
    out, lists and arrays -> comma-joined, numbers in full precision."""
    args = []
    for k, v in options.items():
        if v is None or v is False:
            continue
        args.append("-" + k.lstrip("-"))
        if v is not True:
            args.append(_fmt(v))
    return args


def _message(stderr, stdout):
    lines = [l for l in stderr.splitlines() if l.startswith("mrdyn: error")]
    if lines:
        return "\n".join(dict.fromkeys(lines))  # one message per rank: keep one
    rest = [l for l in (stderr or stdout).splitlines() if l.strip()]
    return "\n".join(rest[-10:]) if rest else "no message"


def _environment(ranks, extra):
    env = dict(os.environ)
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # Open MPI refuses root without these
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    if ranks and ranks > (os.cpu_count() or 1):
        env.setdefault("OMPI_MCA_rmaps_base_oversubscribe", "1")
    env.update(extra or {})
    return env


def _execute(cmd, env, cwd, timeout, echo):
    if not echo:
        p = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    err = []
    t = threading.Thread(target=lambda: err.append(p.stderr.read()))
    t.start()
    out = []
    for line in p.stdout:
        out.append(line)
        sys.stdout.write(line)
        sys.stdout.flush()
    p.wait(timeout)
    t.join()
    return p.returncode, "".join(out), "".join(err)


def run(verb, *args, output=None, ranks=None, executable=None, mpiexec=None, mpiexec_args=(),
        cwd=None, env=None, timeout=None, echo=False, options=None, **kw):
    """Runs `mrdyn VERB ARGS -key value ...` and returns its result.

    verb: model, simulate, dmft, compare, sweep, info, spectrum, dimension,
    lyapunov, polytope (or anything mrdyn accepts). args: positional arguments
    (the generator of `model`, the files of `compare`, `dimension` and `info`,
    the sweep file; a dict for `sweep` is written to a YAML file first).
    Keyword options become -key value: True -> -key alone, False / None -> left
    out, lists -> comma-joined (g=[1.5, 0] -> -g 1.5,0); `options` takes a dict
    for names that are not Python identifiers.
    output: the -o file. Without it the result goes to a temporary directory
    that is removed after the result was read into memory.
    ranks: run under `mpiexec -n ranks` ($MPIEXEC or mpiexec on PATH, plus
    mpiexec_args); None runs the executable directly (one rank).
    echo: print mrdyn's output while it runs.

    Returns: the opened file (mrdyn.open) for model, simulate, dmft, spectrum,
    dimension, lyapunov, polytope and sweep -member; the summary DataFrame
    (mrdyn.open_sweep) for sweep; the JSON summary as a dict for compare (its
    "pass" says whether it met -tol; a miss is not an exception); the printed
    text for anything else. Raises MrdynError with mrdyn's message when it fails.
    """
    exe = executable or find_executable()
    opts = dict(options or {})
    opts.update(kw)
    args = list(args)
    tmp = None
    cwd = os.fspath(cwd) if cwd is not None else None
    base = cwd or os.getcwd()
    try:
        result_kind = "text"
        if verb == "sweep" and args and isinstance(args[0], dict):
            tmp = tmp or tempfile.mkdtemp(prefix="mrdyn-py-")
            import yaml
            spec = args[0]
            with open(os.path.join(tmp, "sweep.yaml"), "w") as fh:
                yaml.safe_dump(spec, fh, sort_keys=False)
            args[0] = os.path.join(tmp, "sweep.yaml")
        if verb in FILE_VERBS or (verb == "sweep" and "member" in opts):
            result_kind = "file"
            if output is None:
                tmp = tmp or tempfile.mkdtemp(prefix="mrdyn-py-")
                output = os.path.join(tmp, verb + ".h5")
            opts["o"] = os.fspath(output)
        elif verb == "sweep":
            result_kind = "sweep"
        elif verb == "compare":
            result_kind = "json"
            if not opts.get("json"):
                tmp = tmp or tempfile.mkdtemp(prefix="mrdyn-py-")
                opts["json"] = os.path.join(tmp, "compare.json")
        elif output is not None:
            opts["o"] = os.fspath(output)
        cmd = [exe, verb] + [os.fspath(a) if hasattr(a, "__fspath__") else str(a) for a in args] + options_to_args(opts)
        if ranks is not None:
            launcher = mpiexec or os.environ.get("MPIEXEC") or shutil.which("mpiexec") or "mpiexec"
            cmd = [launcher, "-n", str(int(ranks))] + list(mpiexec_args) + cmd
        rc, out, err = _execute(cmd, _environment(ranks, env), cwd, timeout, echo)

        if result_kind == "json":
            path = opts["json"] if os.path.isabs(opts["json"]) else os.path.join(base, opts["json"])
            if os.path.exists(path) and rc in (0, 1):
                with open(path) as fh:
                    return json.load(fh)
        result = None
        if result_kind == "sweep":
            import yaml
            with open(args[0] if os.path.isabs(args[0]) else os.path.join(base, args[0])) as fh:
                outdir = str((yaml.safe_load(fh) or {}).get("output", ""))
            outdir = outdir if os.path.isabs(outdir) else os.path.join(base, outdir)
            if rc == 0 or os.path.exists(os.path.join(outdir, "summary.h5")):
                result = open_sweep(outdir)
        if rc != 0:
            e = MrdynError(_message(err, out), rc, cmd, out, err)
            e.result = result  # a sweep with failed members still has its summary
            raise e
        if result_kind == "file":
            path = output if os.path.isabs(output) else os.path.join(base, output)
            ds = _open(path, load=tmp is not None)
            if tmp is not None:  # read into memory; the temporary file goes
                ds.encoding.pop("source", None)
            return ds
        return result if result_kind == "sweep" else out
    finally:
        if tmp is not None:  # our own temporary directory: results were read into memory
            shutil.rmtree(tmp, ignore_errors=True)
