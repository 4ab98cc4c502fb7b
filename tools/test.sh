#!/usr/bin/env bash
# README command 2: the whole test suite (unit, validation against ../shared/data, command line, viewer
# and Python module tests) on a release build. Installs missing packages first, so it also works on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build.sh release
ctest --preset release -j"${CITYTWIN_JOBS:-$(nproc)}"
# The Python module's suite (python/tests) for the system Python the module is built for; pytest prints
# its summary line, and its non-zero exit codes (5: no test collected) fail this script.
# Every shipped scenario's KPIs through Python against the command line, the heavier ones (marked slow) too.
bash tools/python-tests.sh -m "slow or not slow"
