#!/usr/bin/env bash
# Installs mrdyn's build and test dependencies from Debian's packages (Debian 12).
# Only apt-get is used; nothing is downloaded from anywhere else.
set -euo pipefail
pkgs=(build-essential pkg-config meson ninja-build git
      openmpi-bin libopenmpi-dev libpetsc-real-dev libhdf5-openmpi-dev
      libscalapack-openmpi-dev libslepc-real-dev librandom123-dev libyaml-dev libopenblas0-serial
      libcdd-dev libgmp-dev  # cddlib (exact GMP rationals) for mrdyn polytope
      python3-numpy python3-h5py python3-matplotlib python3-scipy
      slurmctld slurmd slurm-client munge)  # a private SLURM for tests/test_slurm_harness.py
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
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
fi
