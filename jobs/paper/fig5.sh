#!/bin/bash
# The paper's Fig. 5 (paper-figures.md): the most frequent label of each region's
# dynamics and its entropy over a 40 x 40 grid of That's leading eigenvalue, 50
# random T per point (jobs/paper/fig5.yaml: 80,000 mean-field solves), and five
# examples rerun in full. About 10 minutes on 2 cores (docs/performance.md).
# Edit (environment): SWEEP (default jobs/paper/fig5.yaml; jobs/paper/fig5-small.yaml
#   is 240 solves), NP (ranks, default 2), PNG (default <output>/fig5.png), MRDYN, TOOLS.
# Writes: the sweep's directory (records/, summary.h5), ex<k>.h5 (+ ex<k>-model.h5),
#   table.md and the PNG. Rerunning continues a stopped sweep.
# Under SLURM: jobs/paper/fig5.sbatch (the same with srun or mpirun).
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MRDYN=${MRDYN:-$TOP/build/mrdyn}
TOOLS=${TOOLS:-$TOP/tools}
PY=/usr/bin/python3
SWEEP=${SWEEP:-$TOP/jobs/paper/fig5.yaml}
NP=${NP:-2}
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
# the sweep on all ranks: through jobs/launch.sh's mr_launch when sourced by the sbatch script
if declare -F mr_launch >/dev/null; then mr_launch sweep "$SWEEP"; else mpiexec -n "$NP" "$MRDYN" sweep "$SWEEP"; fi
OUT=$("$MRDYN" sweep "$SWEEP" -dry_run | sed -n 's/.*files in \(.*\)\/$/\1/p')
PNG=${PNG:-$OUT/fig5.png}
"$PY" "$TOOLS/paper/fig5.py" examples "$OUT/summary.h5" > "$OUT/examples.txt"
while read -r -u 3 k member; do  # fd 3: mpiexec and srun read stdin
  [ "$member" = none ] && continue
  "$MRDYN" sweep "$SWEEP" -member "$member" -o "$OUT/ex$k.h5" -force </dev/null >"$OUT/ex$k.log"
done 3<"$OUT/examples.txt"
"$PY" "$TOOLS/paper/fig5.py" plot "$OUT/summary.h5" -o "$PNG" --runs "$OUT" --table "$OUT/table.md"
echo "wrote $PNG and $OUT/table.md"
