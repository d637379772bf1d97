# shellcheck shell=bash
# Sourced by jobs/paper/fig4.sh and fig4.sbatch: the single-region theory of Fig. 4a-b.
# Needs MRDYN and mr_run (see fig3-runs.sh).
# fig4_theory DIR [DT]: DIR/fig4a.h5 (sqrt(A) over g in [0, 4] for b = 1.5, 2, 2.5: three
# independent regions with c = diag(b), and Delta(tau) from the stationary ODE at
# g = 1.5, 2.25, 2.6), DIR/fig4b-dmft.h5 (the two-point DMFT of b = 2.5 at those g, /delta).
fig4_theory() {
  local dir=$1 dt=${2:-0.025}
  mkdir -p "$dir"
  "$MRDYN" model paper -R 3 -N 1000 -g 0 -u 0,0,0 -hdiag 1.5,2,2.5 -o "$dir/fig4a-model.h5" -force >/dev/null
  "$MRDYN" dmft -mode stationary -model "$dir/fig4a-model.h5" -stationary_lambda 1.5,2,2.5 -g_scan 0:4:401 \
    -delta_tau_g 1.5,2.25,2.6 -delta_tau_max 40 -delta_tau_step 0.05 -o "$dir/fig4a.h5" -force >"$dir/fig4a.txt"
  "$MRDYN" model paper -R 3 -N 1000 -g 1.5,2.25,2.6 -u 0,0,0 -hdiag 2.5,2.5,2.5 -o "$dir/fig4b-model.h5" -force >/dev/null
  SECONDS=0
  mr_run dmft -model "$dir/fig4b-model.h5" -dt "$dt" -t_final 200 -init_currents 1,0,0,0,1,0,0,0,1 -init_variance 1 \
    -delta_times 150 -delta_lag_max 40 -delta_lag_every 1 -save_every 40 -progress 0 -o "$dir/fig4b-dmft.h5" -force >"$dir/fig4b-dmft.txt"
  echo "fig4 two-point dmft (b = 2.5, dt = $dt, t = 200): ${SECONDS} s" | tee -a "$dir/times.txt"
}
