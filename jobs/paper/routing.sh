#!/bin/bash
# The paper's appendix figure "routing by a constant input" (paper-figures.md), locally
# on 2 cores in a few minutes: R = 5 regions without disorder, a and b of Fig. 3's set 2,
# u = s sqrt(b) with the signs s = (+1, +1, +1, -1, -1) = np.random.default_rng(0).choice([-1, 1], 5),
# T = make_T_from_uh(u, a - b), V[m, 0] = 0.1 for m = 1..4 (0-based), a constant input I
# into region 0 only (I = 0 and I = 2). Euler dt = 0.1 to t = 2000 from one S(0) ~ U(-1, 1)
# (-init_uniform -1,1, -seed 1).
#   theory: mrdyn dmft -mode currents in the notebook's form (-scheme reference) and in
#           mrdyn's (the network's) form, I = 0 and 2;
#   network: mrdyn simulate, N per region, g = 0, the same model, input and S(0), one run
#           per realisation seed (SEEDS), to T_NET;
#   plot:   tools/paper/routing.py -> $OUT/routing.png and $OUT/routing.json (the numbers).
# Settings (environment): OUT (routing), NP (2 ranks), N (8000), T_THEORY (2000),
# T_NET (500: the network has settled to 1e-3 or better in most realisations, see
# docs/gallery/routing.md), SEEDS ("1 2 3 4"), PNG ($OUT/routing.png), MRDYN (build/mrdyn).
# jobs/paper/routing.sbatch runs the same at full length under SLURM (it sources this file
# with mr_launch from jobs/launch.sh as the launcher).
set -euo pipefail
TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
MRDYN=${MRDYN:-$TOP/build/mrdyn}
OUT=${OUT:-routing}
NP=${NP:-2}
N=${N:-8000}
T_THEORY=${T_THEORY:-2000}
T_NET=${T_NET:-500}
SEEDS=${SEEDS:-"1 2 3 4"}
PNG=${PNG:-$OUT/routing.png}
PY=/usr/bin/python3
if ! declare -F mr_launch >/dev/null; then # local: mpiexec (as root Open MPI needs to be told)
  if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
  mr_launch() { mpiexec -n "$NP" "$MRDYN" "$@"; }
fi
mkdir -p "$OUT"

# the model: u = s sqrt(b), h = a - b (Fig. 3's set 2), V[m, 0] = 0.1 for m = 1..4
read -r U H V < <($PY - <<'EOF'
import numpy as np
a = np.array([2.56497381, 1.97552974, 1.97887313, 1.95708126, 2.03461631])
b = np.array([1.90793845, 2.56979247, 2.46955172, 2.51276156, 2.49002518])
s = np.random.default_rng(0).choice([-1, 1], 5)  # (+1, +1, +1, -1, -1)
V = np.zeros((5, 5)); V[1:, 0] = 0.1
f = lambda x: ",".join("%.17g" % v for v in np.ravel(x))
print(f(s * np.sqrt(b)), f(a - b), f(V))
EOF
)
"$MRDYN" model paper -R 5 -N "$N" -u "$U" -hdiag "$H" -V "$V" -description "routing by a constant input (paper appendix)" -o "$OUT/model.h5" -force

# mean-field currents: both forms, input off and on, from the same S(0)
for form in reference trapezoid; do
  for I in 0 2; do
    mr_launch dmft -model "$OUT/model.h5" -o "$OUT/theory-$form-I$I.h5" -force -mode currents -scheme "$form" -integrator euler \
      -dt 0.1 -t_final "$T_THEORY" -init_uniform -1,1 -seed 1 -input "0:0:1e9:$I" -save_every 10 -progress 0
  done
done

# the finite network from the theory's S(0), one run per realisation
S0=$($PY -c "import h5py, sys; print(','.join('%.17g' % v for v in h5py.File(sys.argv[1], 'r')['batch/initial'][0]))" "$OUT/theory-reference-I0.h5")
for seed in $SEEDS; do
  for I in 0 2; do
    mr_launch simulate -model "$OUT/model.h5" -o "$OUT/network-I$I-seed$seed.h5" -force -seed "$seed" -dt 0.1 -t_final "$T_NET" \
      -init_currents "$S0" -input "0:0:1e9:$I" -save_every 10 -traces 0 -progress 0
  done
done

$PY "$TOP/tools/paper/routing.py" "$OUT" -o "$PNG" -json "$OUT/routing.json"
