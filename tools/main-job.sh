#!/usr/bin/env bash
# The main job: run every scenario in scenarios/ on the sample city (generated on first use) and print
# each scenario's comparison table of KPIs per variant. Extra arguments go to `citytwin run`.
set -euo pipefail
cd "$(dirname "$0")/.."
citytwin=build/release/tools/cli/citytwin
[ -x "$citytwin" ] || { echo "main job: $citytwin is missing; run tools/build.sh first" >&2; exit 1; }
mkdir -p out
shopt -s nullglob
scenarios=(scenarios/*.toml)
if [ ${#scenarios[@]} -eq 0 ]; then
  echo "main job: no scenario in scenarios/" >&2
  exit 1
fi
for scenario in "${scenarios[@]}"; do
  name="$(basename "$scenario" .toml)"
  echo "== $scenario"
  "$citytwin" run "$scenario" --out "out/$name" "$@"
done
