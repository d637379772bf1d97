"""tools/plot_run.py, tools/plot_compare.py and tools/plot_sweep.py on `-trials K`
output and on small sweeps: exit 0, a non-empty PNG, and (--print-info) one legend
entry per channel / region whatever the number of trials, sweep axes named by the
swept parameters with every cell centred on its parameter values, member plots
titled by their parameters; a sweep with too many free parameters is refused."""
import os
import subprocess

import numpy as np

from mrtest import check, finish, run, tmpdir

TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools")
d = tmpdir()
P = lambda name: os.path.join(d, name)  # noqa: E731


def tool(name, *args):
    p = subprocess.run(["/usr/bin/python3", os.path.join(TOOLS, name)] + [str(a) for a in args],
                       capture_output=True, text=True, timeout=120, cwd=d)
    return p


def png_ok(path):
    return os.path.exists(path) and os.path.getsize(path) > 10000


def info(p, prefix):
    return [l[len(prefix):].strip() for l in p.stdout.splitlines() if l.startswith(prefix)]


run(["model", "paper", "-R", 2, "-N", 300, "-g", "1.5,0", "-a", "2.0,1.8", "-b", "1.5,1.2", "-o", P("m.h5")])
run(["simulate", "-model", P("m.h5"), "-o", P("trials.h5"), "-t_final", 6, "-save_every", 2, "-seed", 3, "-trials", 3,
     "-delta_times", 2, "-progress", 0], np_=2)
run(["simulate", "-model", P("m.h5"), "-o", P("one.h5"), "-t_final", 6, "-save_every", 2, "-seed", 3, "-delta_times", 2, "-progress", 0])
run(["dmft", "-model", P("m.h5"), "-o", P("mf.h5"), "-t_final", 6, "-save_every", 2, "-seed", 3, "-delta_times", 2, "-progress", 0])
CH = ["S[0<-0]", "S[0<-1]", "S[1<-0]", "S[1<-1]"]
REG = ["region 0", "region 1"]

# plot_run
for f, what in (("trials.h5", "3 trials"), ("one.h5", "one trial"), ("mf.h5", "mean-field")):
    p = tool("plot_run.py", P(f), P(f + ".png"), "--print-info")
    panels = info(p, "panel")
    check(p.returncode == 0 and png_ok(P(f + ".png")), "plot_run (%s): exit 0 and a PNG [%s]" % (what, p.stderr.strip()[-200:]))
    check(len(panels) == 3 and ("legend=%r" % CH) in panels[0] and ("legend=%r" % REG) in panels[1],
          "plot_run (%s): one legend entry per channel and per region %s" % (what, panels))
p = tool("plot_run.py", P("trials.h5"), P("t2.png"), "--trial", 2, "--print-info")
check(p.returncode == 0 and "trial 2 of 3" in p.stdout and png_ok(P("t2.png")), "plot_run --trial 2 draws that trial")
p = tool("plot_run.py", P("trials.h5"), P("t5.png"), "--trial", 5)
check(p.returncode != 0 and "trials 0 .. 2" in p.stderr and not os.path.exists(P("t5.png")), "plot_run --trial 5 of 3 trials: refused [%s]" % p.stderr.strip())

# plot_compare
for f, what, want in (("trials.h5", "3 trials", "[0]"), ("one.h5", "one trial", "[0]")):
    p = tool("plot_compare.py", P(f), P("mf.h5"), P(f + "-cmp.png"), "--print-info")
    panels = info(p, "panel")
    check(p.returncode == 0 and png_ok(P(f + "-cmp.png")), "plot_compare (%s): exit 0 and a PNG [%s]" % (what, p.stderr.strip()[-200:]))
    check(len(panels) == 3 and ("legend=%r" % CH) in panels[0] and ("legend=%r" % REG) in panels[2] and "at t = 2" in panels[2],
          "plot_compare (%s): one legend entry per channel and region, the autocovariance at the common t_ref %s" % (what, panels))
    check(("matching the theory's initial currents: %s" % want) in p.stdout,
          "plot_compare (%s): trial 0 is the one that starts from the theory's initial currents" % what)

# plot_sweep: a 4 x 4 grid, two (seed, initial variance) pairs zipped and pooled, member files with series
with open(P("sq.yaml"), "w") as fh:
    fh.write("verb: dmft\noutput: sq\nmodel: {generator: random, R: 2, N: 500, g: 1.5, tol: 0.05, rescale: 1}\n"
             "options: {dt: 0.1, t_final: 30}\n"
             "vary:\n  w_re: {linspace: [0.5, 3.5, 4]}\n  w_im: {linspace: [0.0, 3.0, 4]}\n"
             "zip:\n  seed: [1, 2]\n  run.init_variance: [0.5, 1.0]\naggregate: [seed]\n")
run(["sweep", P("sq.yaml")], cwd=d)
p = tool("plot_sweep.py", P("sq/summary.h5"), "-o", P("sq"), "--print-info")
check(p.returncode == 0 and all(png_ok(P("sq-%s.png" % k)) for k in ("classes", "entropy", "members")),
      "plot_sweep (4 x 4): exit 0, classes, entropy and member PNGs [%s]" % p.stderr.strip()[-300:])
x, y, cells = info(p, "x:"), info(p, "y:"), info(p, "cells")
check(x and x[0].startswith("w_re ") and y and y[0].startswith("w_im "), "plot_sweep: the axes are the swept parameters (%s, %s)" % (x, y))
want = "x centres [%s], y centres [%s]" % (", ".join("%.6g" % v for v in np.linspace(0.5, 3.5, 4)), ", ".join("%.6g" % v for v in np.linspace(0, 3, 4)))
check(cells and cells[0].endswith(want), "plot_sweep: every cell is centred on its parameter values (%s; want %s)" % (cells, want))
check(info(p, "pooled:") == ["['seed', 'run.init_variance']"], "plot_sweep: the zip: axis of the pooled seed is pooled (%s)" % info(p, "pooled:"))
titles = info(p, "member plot:")
check(len(titles) == 6 and all("w_re=" in t and "w_im=" in t and "run.init_variance=" in t and "m-" not in t for t in titles),
      "plot_sweep: member plots titled by their parameters, not their hash (%s)" % titles[:2])

# one swept parameter (logspace): bars on a log axis, centred on the values
with open(P("s1.yaml"), "w") as fh:
    fh.write("verb: dmft\noutput: s1\nmodel: {generator: random, R: 2, N: 500, g: 1.5, tol: 0.05, rescale: 1, w_im: 1.0}\n"
             "options: {dt: 0.1, t_final: 20}\nkeep: none\nvary:\n  w_re: {logspace: [-0.5, 0.5, 3]}\n  seed: [1, 2]\n")
run(["sweep", P("s1.yaml")], cwd=d)
p = tool("plot_sweep.py", P("s1"), "-o", P("s1"), "--print-info")
bars = info(p, "bars")
check(p.returncode == 0 and png_ok(P("s1-classes.png")) and bars and bars[0].endswith("[%s]" % ", ".join("%.6g" % v for v in np.logspace(-0.5, 0.5, 3))),
      "plot_sweep (1-D): bars at the parameter values %s [%s]" % (bars, p.stderr.strip()[-200:]))

# four free parameters: refused with what to do; with a facet and a pooled one: drawn
with open(P("s4.yaml"), "w") as fh:
    fh.write("verb: dmft\noutput: s4\nmodel: {generator: random, R: 2, N: 500, tol: 0.05, rescale: 1}\n"
             "options: {dt: 0.1, t_final: 10}\nkeep: none\nvary:\n  w_re: [0.5, 2.0]\n  w_im: [0.0, 2.0]\n  g: [0.5, 1.5]\n  tau: [1, 2]\n")
run(["sweep", P("s4.yaml")], cwd=d)
p = tool("plot_sweep.py", P("s4"), "-o", P("s4"))
check(p.returncode == 2 and "varies 4 parameters" in p.stderr and "--pool" in p.stderr and not os.path.exists(P("s4-classes.png")),
      "plot_sweep (4 free parameters): refused, naming them and --pool [%s]" % p.stderr.strip())
p = tool("plot_sweep.py", P("s4"), "-o", P("s4"), "-x", "g", "-y", "w_re", "--facet", "tau", "--pool", "w_im", "--print-info")
check(p.returncode == 0 and png_ok(P("s4-classes.png")) and info(p, "facet:") == ["tau ['1', '2']"] and info(p, "x:") == ["g ['0.5', '1.5']"],
      "plot_sweep (4 parameters, -x g -y w_re --facet tau --pool w_im): drawn [%s]" % p.stderr.strip()[-200:])
finish()
