#!/usr/bin/env bash
# Installs mrdyn's build and test dependencies from Debian's packages (Debian 12).
# Only apt-get is used; nothing is downloaded from anywhere else.
set -euo pipefail
pkgs=(build-essential pkg-config meson ninja-build git
      openmpi-bin libopenmpi-dev libpetsc-real-dev libhdf5-openmpi-dev
      libscalapack-openmpi-dev libslepc-real-dev librandom123-dev libyaml-dev libopenblas0-serial
      libopenblas0-pthread  # only rank 0 of `mrdyn spectrum` loads it (see pin_serial below)
      libcdd-dev libgmp-dev  # cddlib (exact GMP rationals) for mrdyn polytope
      python3-numpy python3-h5py python3-matplotlib python3-scipy
      python3-pandas python3-xarray python3-h5netcdf python3-yaml  # the Python package mrdyn (tools/python)
      slurmctld slurmd slurm-client munge)  # a private SLURM for tests/test_slurm_harness.py
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
# One thread per MPI rank everywhere (PETSc, ScaLAPACK, numpy): the serial
# OpenBLAS stays the system's BLAS and LAPACK, in manual mode so that installing
# the pthread build (a higher priority) does not switch it. `mrdyn spectrum`
# loads the pthread build on rank 0 only, with a thread per rank of its node.
pin_serial() {
  local arch alt f
  arch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
  for alt in libblas.so.3 liblapack.so.3 libopenblas.so.0; do
    f=/usr/lib/$arch/openblas-serial/$alt
    if [ -e "$f" ] && ! update-alternatives --query "$alt-$arch" 2>/dev/null | grep -q "^Status: manual"; then
      $SUDO update-alternatives --set "$alt-$arch" "$f"
    fi
  done
}
pin_serial
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  # The munge/slurm packages start their system services on installation; the
  # tests run their own daemons, so deny service starts for the duration
  # (policy-rc.d is obeyed by invoke-rc.d and deb-systemd-invoke) unless the
  # machine already has a policy.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# temporary, from mrdyn tools/setup-deps.sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    trap '$SUDO rm -f "$policy"' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  pin_serial
fi
