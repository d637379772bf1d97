#!/bin/bash
# The latency terms of the performance model on this machine (not a test):
# the cross-region exchange per step (two regions on two ranks, N = 64, so J is
# negligible) and the in-group reduction and rate gather per step (one region of
# N = 2048 split over two ranks), read from -log_view. usage: bench/bench_latency.sh [build]
set -euo pipefail
B=${1:-build}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
d=$(mktemp -d /tmp/mrdyn-bench-XXXXXX)
"$B/mrdyn" model paper -R 2 -N 64 -g 1.5 -a 1.2,1.2 -b 0.5,0.5 -o "$d/two.h5" > /dev/null
"$B/mrdyn" model paper -R 1 -N 2048 -g 1.5 -a 1.2 -b 0.5 -o "$d/one.h5" > /dev/null
steps=4000
mpiexec -n 2 "$B/mrdyn" simulate -model "$d/two.h5" -o "$d/r.h5" -force -t_final $((steps / 20)) -traces 0 -save_every 100 -progress 0 -log_view > "$d/two.log"
mpiexec -n 2 "$B/mrdyn" simulate -model "$d/one.h5" -o "$d/r.h5" -force -t_final $((steps / 20)) -traces 0 -save_every 100 -progress 0 -log_view > "$d/one.log"
ex=$(awk '$2 == "Exchange:" {print $3}' "$d/two.log")
step=$(awk '$2 == "Step:" {print $3}' "$d/two.log")
gg=$(awk '$1 == "MrGroupGather" {print $4}' "$d/one.log")
step1=$(awk '$2 == "Step:" {print $3}' "$d/one.log")
awk -v e="$ex" -v s="$step" -v g="$gg" -v s1="$step1" -v n=$steps 'BEGIN {
  printf "exchange between two ranks: %.2f us per step (whole step %.2f us, R = 2, N = 64)\n", 1e6 * e / n, 1e6 * (s + e) / n;
  printf "in-group gathers, group of two: %.2f us per step (whole step %.2f us, R = 1, N = 2048)\n", 1e6 * g / n, 1e6 * s1 / n }'
rm -rf "$d"
