#!/bin/sh
# Regression guard of the ETSI NGSI-LD replay for the validation suite: replays a subset of the test-suite
# (replay.sh options, e.g. --match REGEX) and fails when fewer cases pass than MIN_PASSED. Exits 77
# (skipped) when the replay tool or its Python packages are missing, as validation suites do without the
# shared data.
# Usage: server/conformance/replay_floor.sh BIN MIN_PASSED [replay.py options...]
set -eu
BIN=$1
MIN=$2
shift 2
HERE=$(dirname "$0")
REPLAY=${NGSI_REPLAY:-$HERE/../../../shared/tools/ngsi-replay}
[ -d "$REPLAY" ] || REPLAY=/work/shared/tools/ngsi-replay
if [ ! -f "$REPLAY/replay.py" ] || ! /usr/bin/python3 -c 'import requests, deepdiff' 2>/dev/null; then
  echo "replay_floor: ../shared/tools/ngsi-replay or python3-requests/python3-deepdiff missing: skipped"
  exit 77
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
NGSI_REPLAY="$REPLAY" "$HERE/replay.sh" "$BIN" "$OUT" --slash strict --quiet --no-inline "$@" | tail -3
/usr/bin/python3 - "$OUT/strict/summary.json" "$MIN" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1]))
totals, floor = summary["totals"], int(sys.argv[2])
print(f"replay_floor: {totals['passed']} of {totals['translated']} translated cases passed (floor {floor})")
sys.exit(0 if totals["passed"] >= floor else 1)
PY
