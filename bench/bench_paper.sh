#!/bin/bash
# Side by side with the authors' published simulator settings (not a test):
# R = 5 regions, N = 8000, g = 1.5, dt = 0.05, 400 steps (the published PyTorch
# code takes about 76 ms per step on this machine's CPU, with one random matrix
# shared by all regions; mrdyn draws independent disorder per region, as the
# model says, so it streams five matrices per step). Prints ms per step of
# `mrdyn simulate` for P = 1, 2 and double/single precision.
# usage: bench/bench_paper.sh [build dir]
set -euo pipefail
B=${1:-build}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
d=$(mktemp -d /tmp/mrdyn-bench-XXXXXX)
"$B/mrdyn" model paper -R 5 -N 8000 -g 1.5 -a 1.2,1.2,1.2,1.2,1.2 -b 0.5,0.5,0.5,0.5,0.5 -o "$d/m.h5" > /dev/null
printf "%2s %-7s %10s\n" P precision ms/step
for P in 1 2; do
  for prec in double single; do
    mpiexec -n $P "$B/mrdyn" simulate -model "$d/m.h5" -o "$d/r.h5" -force -dt 0.05 -t_final 20 -precision $prec -progress 0 -traces 0 > /dev/null
    "$B/mrdyn" info "$d/r.h5" | awk -v P=$P -v p=$prec '$1=="steps"{s=$2} $1=="wall_seconds"{w=$2} END{printf "%2d %-7s %10.1f\n", P, p, 1e3*w/s}'
  done
done
rm -rf "$d"
