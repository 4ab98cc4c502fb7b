#!/usr/bin/env bash
# README command 1: install what citytwin needs, build it, and run the main job on the sample city.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build.sh release
bash tools/install-python.sh
exec bash tools/main-job.sh
