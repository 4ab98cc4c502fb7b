#!/usr/bin/env bash
# The Python module's pytest suite (python/tests) against the release build, for the Python the module
# is built for. Extra arguments go to pytest (e.g. -m slow: the heavier scenarios' identity with the CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
package="$(pwd -P)/build/release/python"
if [ ! -f "$package/citytwin/__init__.py" ]; then
  echo "python tests: $package/citytwin is missing: build the release preset with pybind11-dev and python3-dev" >&2
  exit 1
fi
# pytest's exit code 5 (no test collected) fails too, like any other non-zero code.
PYTHONPATH="$package${PYTHONPATH:+:$PYTHONPATH}" /usr/bin/python3 -m pytest python/tests -p no:cacheprovider "$@"
