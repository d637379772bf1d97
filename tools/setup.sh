#!/usr/bin/env bash
# Sets mrdyn up on a fresh Debian 12 machine: installs the Debian packages it needs
# (tools/setup-deps.sh), configures and builds into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup-deps.sh
if [ -f build/build.ninja ]; then
  meson setup --reconfigure build >/dev/null
else
  meson setup build >/dev/null
fi
meson compile -C build
