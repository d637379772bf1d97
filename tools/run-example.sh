#!/usr/bin/env bash
# The built-in default example: three regions coupled through rank-one
# communication subspaces (the paper's make_T construction), each with random
# disorder g = 1.5, simulated on 2 MPI ranks, then its mean-field theory and the
# comparison of the two. Writes runs/model.h5, run.h5, theory.h5 and
# compare.json, and prints a summary of each.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
NP=${NP:-2}
mkdir -p runs
build/mrdyn model paper -R 3 -N 2000 -g 1.5 -a 2.5,2.2,2.8 -b 1.5,1.2,1.4 \
  -description "default example: 3 regions, make_T(a,b), g = 1.5" -o runs/model.h5 -force
mpiexec -n "$NP" build/mrdyn simulate -model runs/model.h5 -o runs/run.h5 -force \
  -t_final 50 -save_every 2 -seed 1 -progress 2
build/mrdyn info runs/run.h5 | head -n 12
# the mean-field theory of the same model from the same initial currents, and the comparison
build/mrdyn dmft -model runs/model.h5 -o runs/theory.h5 -force -t_final 50 -save_every 2 -seed 1 -stationary -progress 0
build/mrdyn compare runs/run.h5 runs/theory.h5 -tol 0.5 -json runs/compare.json
echo "Plot them: /usr/bin/python3 tools/plot_compare.py runs/run.h5 runs/theory.h5 runs/compare.png"
