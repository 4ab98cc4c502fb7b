#!/usr/bin/env bash
# README command 2: the whole test suite (unit, validation against ../shared/data, command line and
# viewer tests) on a release build. Installs missing packages first, so it also works on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build.sh release
ctest --preset release -j"${CITYTWIN_JOBS:-$(nproc)}"
