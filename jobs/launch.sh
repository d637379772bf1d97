# Sourced by the jobs/*.sbatch scripts: how to start mrdyn's ranks inside the allocation.
#   LAUNCH=srun   (default) srun --mpi=pmix: Open MPI built with PMIx, as in Debian
#   LAUNCH=mpirun           mpirun inside the allocation (it reads the node list from SLURM)
# Open MPI refuses to run as root unless told; on clusters you are not root.
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
MRDYN=${MRDYN:-$SLURM_SUBMIT_DIR/build/mrdyn}
LAUNCH=${LAUNCH:-srun}
mr_launch() { # mr_launch ARGS...: mrdyn ARGS on every task of the job
  case "$LAUNCH" in
    srun) srun --mpi=pmix "$MRDYN" "$@" ;;
    mpirun) mpirun -n "${SLURM_NTASKS:-1}" "$MRDYN" "$@" ;;
    *) echo "jobs: LAUNCH must be srun or mpirun, not '$LAUNCH'" >&2; return 2 ;;
  esac
}
# In the background (`mr_exec ARGS & pid=$!`) the launcher replaces the subshell,
# so $pid is srun's or mpirun's and a signal sent to it reaches every rank.
mr_exec() {
  case "$LAUNCH" in
    srun) exec srun --mpi=pmix "$MRDYN" "$@" ;;
    mpirun) exec mpirun -n "${SLURM_NTASKS:-1}" "$MRDYN" "$@" ;;
    *) echo "jobs: LAUNCH must be srun or mpirun, not '$LAUNCH'" >&2; exit 2 ;;
  esac
}
