#!/bin/bash
# Submits a sweep as a job array of N slices and a merge job that runs after it.
# usage: jobs/submit-sweep.sh SWEEP.yaml N [extra sbatch options, e.g. --ntasks=8]
# Env: PLOT=prefix draws the phase diagram after the merge (tools/plot_sweep.py).
set -euo pipefail
SWEEP=${1:?usage: jobs/submit-sweep.sh SWEEP.yaml N [sbatch options]}
N=${2:?number of array tasks}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
array=$(sbatch --parsable --array=0-$((N - 1)) --export=ALL,SWEEP="$SWEEP" "$@" "$here/sweep-array.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --dependency=afterany:"$array" --export=ALL,SWEEP="$SWEEP",PLOT="${PLOT:-}" "$here/sweep-merge.sbatch")
echo "sweep array job $array ($N slices), merge job $merge"
