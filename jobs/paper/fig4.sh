#!/bin/bash
# The paper's Fig. 4 on this machine: (a) sqrt(A) against g for b = 1.5, 2, 2.5 (stationary
# theory), (b) Delta(tau) at b = 2.5, g = 1.5, 2.25, 2.6 (stationary ODE and two-point
# DMFT), and the network panels: R = 5 with disorder in every region (the three g sets of
# paper-figures.md), as Fig. 3. The paper's N = 100,000 dense is 400 GB; here dense
# disorder at N = 500, 1000, 2000 (2 runs per set, t = 100) shows sqrt(A^m) approaching the
# theory like 1/sqrt(N) (panel c). Full resolution: jobs/paper/fig4.sbatch.
# Usage: jobs/paper/fig4.sh [OUTDIR]     (default fig4-out; rerun to resume)
# Settings (environment): NS ("500 1000 2000"), T_FINAL (100), RUNS (2), SETS ("1 2 3"),
# SIMOPTS (extra simulate options, e.g. "-disorder sparse -disorder_k 500"), NP (2), DT (the
# two-point DMFT step, 0.025), PNG, TINY=1 (NS = "200 400", t = 10, 1 run: seconds).
# Writes: OUTDIR/fig4a.h5, fig4b-dmft.h5, N<N>/set<S>-run<R>.h5, theory-set<S>.h5, fig4.json, the PNG.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MRDYN=${MRDYN:-$ROOT/build/mrdyn}
TOOLS=${TOOLS:-$ROOT/tools/paper}
PY=${PY:-/usr/bin/python3}
DIR=${1:-fig4-out}
if [ "${TINY:-0}" = 1 ]; then
  NS=${NS:-"200 400"} T_FINAL=${T_FINAL:-10} RUNS=${RUNS:-1} DT=${DT:-0.05}
fi
NS=${NS:-"500 1000 2000"} T_FINAL=${T_FINAL:-100} RUNS=${RUNS:-2} SETS=${SETS:-"1 2 3"} NP=${NP:-2} DT=${DT:-0.025}
PNG=${PNG:-$DIR/fig4.png}
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
mr_run() { "${MPIEXEC:-mpiexec}" -n "$NP" "$MRDYN" "$@"; }
source "$ROOT/jobs/paper/fig3-runs.sh"
source "$ROOT/jobs/paper/fig4-theory.sh"
fig4_theory "$DIR" "$DT"
fig34_theory 4 "$DIR" "$SETS"
for N in $NS; do
  # shellcheck disable=SC2086 # SIMOPTS is a list of options
  fig34_network 4 "$DIR" "$N" "$SETS" "$RUNS" "$T_FINAL" ${SIMOPTS:-}
done
"$PY" "$TOOLS/fig4.py" "$DIR" -o "$PNG" --json "$DIR/fig4.json"
