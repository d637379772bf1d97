#!/bin/bash
# The paper's appendix "the fixed-point manifold of symmetric interactions is a
# polytope" (paper-figures.md): vertex counts of the polytope against its number of
# fracture variables for DRAWS draws of sorted b ~ U(1,3)^R, R = 5, 6, 7 (mrdyn
# polytope, cddlib in exact rationals), and for R = FP_R the fixed points that the
# current dynamics reach from FPS random initial currents (init_size 10, Euler
# dt = 0.1 to t = 500) on the polytope of the first draw with f = 1, 2, 3, 4
# fracture variables, embedded in 2-D and coloured by component.
# Local (reduced): DRAWS = 500 per R; R = 7 dominates (0.3 s of CPU per draw):
# 4.5 minutes on 2 ranks of the shared 2-core machine. The full figure (10,000
# draws per R, about 53 core-minutes): jobs/paper/polytope.sbatch.
# Edit (environment): OUT (directory, default polytope), PNG (default
#   $OUT/polytope.png), DRAWS (default 500), DRAWS_5, DRAWS_6, DRAWS_7 (per R,
#   default DRAWS), RS (default "5 6 7"), SEED (default 1; draw k of a given R and
#   seed is the same whatever DRAWS is, so a larger run extends a smaller one),
#   FPS (fixed-point runs per panel, default 250), FP_R (default 7), FP_F (the f of
#   the panels, default 1,2,3,4), NP (ranks of the local mpiexec, default 2), MRDYN, TOOLS.
# Writes: $OUT/stats-R<R>.h5, $OUT/{model,poly,fps}-f<f>.h5, $OUT/table.md, $PNG.
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MRDYN=${MRDYN:-$TOP/build/mrdyn}
TOOLS=${TOOLS:-$TOP/tools}
PY=/usr/bin/python3
OUT=${OUT:-polytope}
PNG=${PNG:-$OUT/polytope.png}
DRAWS=${DRAWS:-500}
RS=${RS:-5 6 7}
SEED=${SEED:-1}
FPS=${FPS:-250}
FP_R=${FP_R:-7}
FP_F=${FP_F:-1,2,3,4}
NP=${NP:-2}
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
# mrdyn on NP ranks, or through jobs/launch.sh's mr_launch when sourced by the sbatch script
mr() { if declare -F mr_launch >/dev/null; then mr_launch "$@"; else mpiexec -n "$NP" "$MRDYN" "$@"; fi; }

mkdir -p "$OUT"
for R in $RS; do
  n=DRAWS_$R
  mr polytope -R "$R" -draws "${!n:-$DRAWS}" -seed "$SEED" -o "$OUT/stats-R$R.h5" -force -progress 60 </dev/null | tee "$OUT/stats-R$R.log"
done
"$PY" "$TOOLS/paper/polytope.py" pick "$OUT" --R "$FP_R" --f "$FP_F"
zeros=$(printf '0%.0s,' $(seq "$FP_R")); zeros=${zeros%,}
while read -r -u 3 f b; do  # fd 3: srun and mpirun read stdin
  mr model paper -R "$FP_R" -N 100 -g "$zeros" -a "$zeros" -b "$b" -o "$OUT/model-f$f.h5" -force </dev/null >"$OUT/model-f$f.log"
  mr polytope -b "$b" -o "$OUT/poly-f$f.h5" -force </dev/null >"$OUT/poly-f$f.log"
  mr dmft -model "$OUT/model-f$f.h5" -mode currents -batch "$FPS" -init_size 10 -dt 0.1 -t_final 500 -integrator euler \
    -seed "$SEED" -o "$OUT/fps-f$f.h5" -force </dev/null >"$OUT/fps-f$f.log"
done 3<"$OUT/runs.txt"
"$PY" "$TOOLS/paper/polytope.py" plot "$OUT" -o "$PNG" --table "$OUT/table.md"
