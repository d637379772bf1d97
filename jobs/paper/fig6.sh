#!/bin/bash
# The paper's Fig. 6 (paper-figures.md): two three-region networks T(i), T(ii) with
# disorder in region 1 only, g = (g1, 0, 0), g1 = 0.3, 0.6, ..., 3.0; the published
# mean-field recurrence (-scheme reference), dt = 0.05, Nt = 3000 (t = 0 .. 149.95).
# Full resolution runs locally: one solve takes well under a second.
# Edit (environment): OUT (directory, default fig6), PNG (default $OUT/fig6.png),
#   G1 (comma list, default all ten), DRAWS (extra runs per point from S(0) ~ U[0,1)
#   drawn by mrdyn, default 4), NT (grid points, default 3000), MRDYN, TOOLS.
# Writes: $OUT/model-*.h5, $OUT/<T>-g<g1>[-u<k>].h5 (mrdyn dmft), $OUT/table.md, $PNG.
# Under SLURM: jobs/paper/fig6.sbatch (the same, its runs started with srun or mpirun).
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MRDYN=${MRDYN:-$TOP/build/mrdyn}
TOOLS=${TOOLS:-$TOP/tools}
PY=/usr/bin/python3
OUT=${OUT:-fig6}
PNG=${PNG:-$OUT/fig6.png}
NT=${NT:-3000}
DRAWS=${DRAWS:-4}
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
# mrdyn on one rank (R = 3 regions), or through jobs/launch.sh's mr_launch when sourced by the sbatch script
mr() { if declare -F mr_launch >/dev/null; then mr_launch "$@"; else "$MRDYN" "$@"; fi; }

DT=0.05
TF=$(awk -v n="$NT" -v dt="$DT" 'BEGIN { printf "%.10g", (n - 1) * dt }')
T0=$(awk -v n="$NT" -v dt="$DT" 'BEGIN { printf "%.10g", int(n / 2) * dt }')    # the notebook's t0: step Nt/2
TDYN=$(awk -v n="$NT" -v dt="$DT" 'BEGIN { s = n - 1000; if (s < 0) s = 0; printf "%.10g", s * dt }')  # last 1000 steps
"$PY" "$TOOLS/paper/fig6.py" prepare "$OUT" --draws "$DRAWS" ${G1:+--g1 "$G1"}
while read -r -u 3 name model init; do  # fd 3: srun and mpirun read stdin
  # shellcheck disable=SC2086 # $init holds the run's initial-current options
  mr dmft -model "$model" -o "$OUT/$name.h5" -force -progress 0 -scheme reference -dt "$DT" -t_final "$TF" \
    -classify -classify_t0 "$T0" -silence 0 -dynamic_spectrum 20 -dynamic_spectrum_start "$TDYN" $init </dev/null >"$OUT/$name.log"
done 3<"$OUT/runs.txt"
"$PY" "$TOOLS/paper/fig6.py" plot "$OUT" -o "$PNG" --table "$OUT/table.md"
