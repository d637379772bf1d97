# shellcheck shell=bash
# Sourced by jobs/paper/fig3.sh, fig3.sbatch, fig4.sh and fig4.sbatch: the network runs
# and the per-region theory of the paper's Figs. 3 and 4 (paper-figures.md).
# The caller sets MRDYN (the program), TOOLS (tools/paper), PY (/usr/bin/python3) and
# defines mr_run ARGS...: mrdyn ARGS on the job's ranks (mpiexec locally, srun in SLURM).
# Every run writes DIR/N<N>/set<S>-run<R>.h5 and, once per set and run, the two-point
# mean-field theory of the same model from the same initial currents, DIR/dmft/set<S>-run<R>.h5
# (windowed: the last 60 time units of lags); an existing file is kept (rerun to resume);
# wall times are appended to DIR/times.txt.

# fig34_network FIG DIR N "SETS" RUNS T_FINAL [simulate options...]
fig34_network() {
  local fig=$1 dir=$2 n=$3 sets=$4 runs=$5 tf=$6 s r out model
  shift 6
  mkdir -p "$dir/N$n"
  for s in $sets; do
    for r in $(seq 1 "$runs"); do
      out="$dir/N$n/set$s-run$r.h5"
      model="$dir/N$n/set$s-run$r-model.h5"
      eval "$("$PY" "$TOOLS/fig3.py" args --fig "$fig" --set "$s" --run "$r")"
      [ -f "$model" ] || "$MRDYN" model paper -R 5 -N "$n" -g "$G" -u "$U" -hdiag "$H" -o "$model" >/dev/null
      # the mean-field theory of the same model from the same initial currents (does not depend on N)
      if [ ! -f "$dir/dmft/set$s-run$r.h5" ]; then
        mkdir -p "$dir/dmft"
        mr_run dmft -model "$model" -o "$dir/dmft/set$s-run$r.h5" -force -dt 0.05 -t_final "$tf" -window 1200 \
          -init_currents "$S0" -init_variance 0 -save_every 5 -progress 0 >"$dir/dmft/set$s-run$r.txt"
      fi
      if [ -f "$out" ]; then
        echo "fig$fig: $out exists, kept"
        continue
      fi
      SECONDS=0
      mr_run simulate -model "$model" -o "$out" -dt 0.05 -t_final "$tf" -save_every 5 -traces 4 \
        -init_currents "$S0" -init_variance 0 -seed "$SEED" -progress 120 "$@" >"$out.log"
      echo "fig$fig N=$n set=$s run=$r t_final=$tf $* : ${SECONDS} s" | tee -a "$dir/times.txt"
    done
  done
}

# fig34_theory FIG DIR "SETS": mrdyn dmft -mode stationary per set (lambda = max(a, b), the model's g)
fig34_theory() {
  local fig=$1 dir=$2 sets=$3 s
  mkdir -p "$dir"
  for s in $sets; do
    eval "$("$PY" "$TOOLS/fig3.py" args --fig "$fig" --set "$s" --run 1)"
    "$MRDYN" model paper -R 5 -N 1000 -g "$G" -u "$U" -hdiag "$H" -o "$dir/theory-set$s-model.h5" -force >/dev/null
    "$MRDYN" dmft -mode stationary -model "$dir/theory-set$s-model.h5" -stationary_lambda "$LAMBDA" \
      -o "$dir/theory-set$s.h5" -force >"$dir/theory-set$s.txt"
  done
}
