#!/bin/bash
# The paper's Fig. 3 on this machine: R = 5 regions without disorder (g = 0), fixed
# points of the currents, network against theory. Parameters of paper-figures.md;
# per run fresh signs u = (+-1) sqrt(b), h = a - b, x(0) = 2.5/sqrt(5) sum_n z_n m^{mn}.
# Reduced: N = 10,000 per region (the paper: 100,000; jobs/paper/fig3.sbatch), t = 100
# (the paper: 400), 5 runs per set, dt = 0.05, saved every 0.25.
# Usage: jobs/paper/fig3.sh [OUTDIR]     (default fig3-out; rerun to resume)
# Settings (environment): N, T_FINAL, RUNS, SETS ("1 2 3"), NP (ranks, 2), PNG, TINY=1
# (N = 300, t = 10, 2 runs: a smoke test in seconds).
# Writes: OUTDIR/N<N>/set<S>-run<R>.h5, OUTDIR/theory-set<S>.h5, OUTDIR/fig3.json, the PNG.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MRDYN=${MRDYN:-$ROOT/build/mrdyn}
TOOLS=${TOOLS:-$ROOT/tools/paper}
PY=${PY:-/usr/bin/python3}
DIR=${1:-fig3-out}
if [ "${TINY:-0}" = 1 ]; then
  N=${N:-300} T_FINAL=${T_FINAL:-10} RUNS=${RUNS:-2}
fi
N=${N:-10000} T_FINAL=${T_FINAL:-100} RUNS=${RUNS:-5} SETS=${SETS:-"1 2 3"} NP=${NP:-2}
PNG=${PNG:-$DIR/fig3.png}
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
mr_run() { "${MPIEXEC:-mpiexec}" -n "$NP" "$MRDYN" "$@"; }
source "$ROOT/jobs/paper/fig3-runs.sh"
fig34_theory 3 "$DIR" "$SETS"
fig34_network 3 "$DIR" "$N" "$SETS" "$RUNS" "$T_FINAL"
"$PY" "$TOOLS/fig3.py" plot "$DIR" -o "$PNG" --json "$DIR/fig3.json"
