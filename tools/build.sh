#!/usr/bin/env bash
# Configures and builds one preset (default: release) with as many jobs as the machine has cores.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
jobs="${CITYTWIN_JOBS:-$(nproc)}"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -- -j"$jobs"
