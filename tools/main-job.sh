#!/usr/bin/env bash
# The main job: run every scenario in scenarios/ on the sample city (generated on first use) or on Monaco
# (imported from the reference data on first use) and print
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
# The real city of the reference data, imported once (scenarios/monaco_*.toml run on it).
shared="${CITYTWIN_SHARED_DATA:-../shared/data}"
monaco="$shared/city/monaco"
if [ ! -f out/monaco.gpkg ] && [ -d "$monaco" ]; then
  echo "== importing Monaco from $monaco"
  "$citytwin" city import --osm "$monaco/monaco-latest.osm.pbf" --dem "$monaco/monaco_dem_srtm3_wgs84.tif" \
    --aoi "$monaco/monaco_aoi.geojson" --out out/monaco.gpkg
fi
for scenario in "${scenarios[@]}"; do
  name="$(basename "$scenario" .toml)"
  if grep -q '^city = "../out/monaco.gpkg"' "$scenario" && [ ! -f out/monaco.gpkg ]; then
    echo "main job: skipping $scenario: it runs on Monaco, whose reference data ($monaco) is missing" >&2
    continue
  fi
  echo "== $scenario"
  "$citytwin" run "$scenario" --out "out/$name" "$@"
done
