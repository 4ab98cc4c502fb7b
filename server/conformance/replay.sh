#!/bin/sh
# ETSI NGSI-LD test-suite replay (../shared/tools/ngsi-replay) against this build's `citytwin serve`, with
# the suite's remote @context documents preloaded (--context-cache through CITYTWIN_CONTEXT_CACHE), as a
# site without outbound access would run it.
# Usage: server/conformance/replay.sh [BIN] [OUT] [replay.py options...]
set -eu
BIN=$(realpath "${1:-build/release/tools/cli/citytwin}")
OUT=${2:-/tmp/ngsi-replay-out}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] && shift
REPLAY=${NGSI_REPLAY:-$(dirname "$0")/../../../shared/tools/ngsi-replay}
[ -d "$REPLAY" ] || REPLAY=/work/shared/tools/ngsi-replay
CONTEXTS="$REPLAY/suite/resources/jsonld-contexts"
CACHE=$(mktemp -d)
trap 'rm -rf "$CACHE"' EXIT
cp "$CONTEXTS/ngsi-ld-test-suite.jsonld" "$CONTEXTS/ngsi-ld-test-suite-compound.jsonld" "$CACHE/"
BASE=https://raw.githubusercontent.com/marek-mraz/ngsi-ld-test-suite/main/resources/jsonld-contexts
cat > "$CACHE/index.json" <<JSON
{
  "$BASE/ngsi-ld-test-suite.jsonld": "ngsi-ld-test-suite.jsonld",
  "$BASE/ngsi-ld-test-suite-compound.jsonld": "ngsi-ld-test-suite-compound.jsonld",
  "https://easy-global-market.github.io/ngsild-api-data-models/ngsildTestSuite/ngsildTestSuiteV1.8-compound.jsonld": "ngsi-ld-test-suite-compound.jsonld"
}
JSON
CITYTWIN_CONTEXT_CACHE="$CACHE" /usr/bin/python3 "$REPLAY/replay.py" --bin "$BIN" --out "$OUT" "$@"
