#!/usr/bin/env bash
# Configures and builds one preset (default: release) with as many jobs as the machine has cores.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
jobs="${CITYTWIN_JOBS:-$(nproc)}"
# ccache (used when installed, cmake/CitytwinCompilerCache.cmake): paths under the checkout are hashed
# relative to it and the build folder's path is left out, so clones in other folders share cache hits.
export CCACHE_BASEDIR="$(pwd -P)"
export CCACHE_NOHASHDIR=1
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -- -j"$jobs"
