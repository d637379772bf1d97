#!/bin/bash
# The paper's appendix figure "five regions, complexity against uniform disorder"
# (paper-figures.md): T = randn(5,5,5)*3.5/sqrt(5) after np.random.seed(43), the same
# g in every region, g = 0, 1, 2, 3; the published mean-field recurrence
# (-scheme reference), dt = 0.05, Nt = 2500 (t = 0 .. 124.95). Full resolution runs
# locally: one solve takes about a second.
# Edit (environment): OUT (directory, default fiveregion), PNG (default
#   $OUT/fiveregion.png), G (comma list, default 0,1,2,3), DRAWS (extra runs per g
#   from S(0) ~ U[0,1) drawn by mrdyn, default 4), NT (default 2500), MRDYN, TOOLS.
# Writes: $OUT/model-g*.h5, $OUT/g<g>[-u<k>].h5 (mrdyn dmft), $OUT/table.md, $PNG.
# Under SLURM: jobs/paper/fiveregion.sbatch.
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MRDYN=${MRDYN:-$TOP/build/mrdyn}
TOOLS=${TOOLS:-$TOP/tools}
PY=/usr/bin/python3
OUT=${OUT:-fiveregion}
PNG=${PNG:-$OUT/fiveregion.png}
NT=${NT:-2500}
DRAWS=${DRAWS:-4}
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
mr() { if declare -F mr_launch >/dev/null; then mr_launch "$@"; else "$MRDYN" "$@"; fi; }

DT=0.05
TF=$(awk -v n="$NT" -v dt="$DT" 'BEGIN { printf "%.10g", (n - 1) * dt }')
T0=$(awk -v n="$NT" -v dt="$DT" 'BEGIN { printf "%.10g", int(n / 2) * dt }')    # the notebook's t0: step Nt/2
TDYN=$(awk -v n="$NT" -v dt="$DT" 'BEGIN { s = n - 1000; if (s < 0) s = 0; printf "%.10g", s * dt }')  # last 1000 steps
"$PY" "$TOOLS/paper/fiveregion.py" prepare "$OUT" --draws "$DRAWS" ${G:+--g "$G"}
while read -r -u 3 name model init; do  # fd 3: srun and mpirun read stdin
  # shellcheck disable=SC2086 # $init holds the run's initial-current options
  mr dmft -model "$model" -o "$OUT/$name.h5" -force -progress 0 -scheme reference -dt "$DT" -t_final "$TF" \
    -classify -classify_t0 "$T0" -dynamic_spectrum 20 -dynamic_spectrum_start "$TDYN" $init </dev/null >"$OUT/$name.log"
done 3<"$OUT/runs.txt"
"$PY" "$TOOLS/paper/fiveregion.py" plot "$OUT" -o "$PNG" --table "$OUT/table.md"
