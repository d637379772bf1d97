#!/bin/bash
# The worked example of docs/weights.md: a multiregion network planted from the
# paper's model is written from Python as a user's weight matrix (neurons
# shuffled, labelled by region), imported and fitted by `mrdyn model weights`,
# simulated exactly, compared with the mean-field theory of the fitted
# structure, and drawn. About a minute on 2 cores.
#   jobs/weights-example.sh [OUTDIR]      (default: weights-example/)
# Env: NP (ranks, default 2), N (neurons per region, default 1000), MRDYN.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-weights-example}
NP=${NP:-2}
N=${N:-1000}
MRDYN=${MRDYN:-$here/build/mrdyn}
PY=/usr/bin/python3
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
export OMPI_MCA_rmaps_base_oversubscribe=1
mkdir -p "$out"
cd "$out"
# 1. a planted network: 3 regions, make_T(a, b), disorder g per region
"$PY" "$here/tools/weights_plant.py" -o W.h5 -N "$N" -g 1.3,0.5,0.8 -a 2.2,1.6,1.8 -b 1.0,0.8,1.2 -seed 3 -shuffle
# 2. import and fit (ranks from the bulk edge of every block)
"$MRDYN" model weights -weights W.h5 -o model.h5 -force
# 3. the network of W itself, and the theory of the fitted structure, from the same initial currents
common=(-t_final 60 -delta_times 40 -delta_lag_max 20 -init_currents "1,1,1,1,1,1,1,1,1")
mpiexec -n "$NP" "$MRDYN" simulate -model model.h5 -o run.h5 -force -progress 0 "${common[@]}"
mpiexec -n "$NP" "$MRDYN" dmft -model model.h5 -o theory.h5 -force "${common[@]}"
"$MRDYN" compare run.h5 theory.h5 -json compare.json -tol 0.2
# 4. the figure
"$PY" "$here/tools/plot_weights.py" model.h5 run.h5 theory.h5 weights-example.png W-truth.h5
echo "wrote $out/weights-example.png"
