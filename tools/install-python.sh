#!/usr/bin/env bash
# Makes the release build's `citytwin` Python module importable by /usr/bin/python3: writes citytwin.pth,
# naming build/release/python, into that Python's folder for local packages (/usr/local/lib/python3.X/
# dist-packages; CITYTWIN_PYTHON_SITE overrides it). Rebuilding updates the module in place. Also prints
# the PYTHONPATH line that does the same for one shell or another Python.
set -euo pipefail
cd "$(dirname "$0")/.."
package="$(pwd -P)/build/release/python"
python=/usr/bin/python3
if [ ! -f "$package/citytwin/__init__.py" ]; then
  echo "python: $package/citytwin is missing (the build found no pybind11 or Python headers)" >&2
  exit 1
fi
site="${CITYTWIN_PYTHON_SITE:-$("$python" -c 'import sys; print("/usr/local/lib/python%d.%d/dist-packages" % sys.version_info[:2])')}"
SUDO=""
if [ ! -w "$(dirname "$site")" ] && [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then SUDO="sudo"; fi
if $SUDO mkdir -p "$site" && echo "$package" | $SUDO tee "$site/citytwin.pth" >/dev/null; then
  echo "python: $python imports citytwin from $package ($site/citytwin.pth)"
else
  echo "python: could not write $site/citytwin.pth" >&2
fi
echo "python: elsewhere: export PYTHONPATH=$package"
