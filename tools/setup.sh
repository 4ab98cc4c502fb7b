#!/usr/bin/env bash
# Installs every Debian 12 package citytwin needs to build, test and view.
# Idempotent: packages already present are left alone, so it is safe to re-run.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git ccache
  # geospatial core: raster/vector I/O, CRS transforms
  libgdal-dev gdal-bin libproj-dev proj-bin
  # numerics and parallelism
  libeigen3-dev libtbb-dev libsuitesparse-dev
  # storage, formats, command line, HTTP
  libsqlite3-dev sqlite3 libbz2-dev libtomlplusplus-dev nlohmann-json3-dev libcli11-dev
  libcpp-httplib-dev libpugixml-dev
  # tests and benchmarks
  doctest-dev libbenchmark-dev valgrind clang libclang-rt-14-dev
  # viewer and headless rendering
  libopenscenegraph-dev openscenegraph libimgui-dev libstb-dev
  xvfb xauth libgl1-mesa-dri mesa-utils
  # side-by-side traffic checks; osmium writes the Monaco extract as the OSM XML netconvert reads
  sumo sumo-tools osmium-tool
  # run reports: --pdf printing and the report tests' check that every image of the page loads
  chromium
  # 3D Tiles export (GLB through tinygltf) and its web page: Node.js/npm fetch CesiumJS and the glTF validator
  libtinygltf-dev nodejs
  # live store on PostgreSQL/PostGIS (serve --store postgresql://); the tests start a private server
  libpq-dev postgresql-15 postgresql-15-postgis-3
  # ensembles over MPI ranks: `mpirun -np R citytwin run` (CITYTWIN_MPI) and its tests
  libopenmpi-dev openmpi-bin
  # the citytwin Python module (python/): binding, tables and arrays, distributed runs, examples, tests
  pybind11-dev python3-dev python3-numpy python3-pandas python3-pytest python3-distributed python3-matplotlib
  # CityJSON export tests: validation against the CityJSON 2.0 JSON Schemas
  python3 python3-jsonschema
  # context broker: https fetches of remote @context documents (libcpp-httplib is built with OpenSSL), and the ETSI NGSI-LD replay
  libssl-dev python3-requests python3-deepdiff
  # MQTT notification endpoints (mqtt:// subscriptions, libmosquitto) and the broker their tests and benchmark start
  libmosquitto-dev mosquitto
)
# npm comes as Debian's package unless the installed Node.js brings its own (builds of nodejs that do
# conflict with Debian's npm package, so asking for it there would fail the whole install).
if ! command -v npm >/dev/null; then PACKAGES+=(npm); fi

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages already installed"
  "$(dirname "$0")/setup-web.sh"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
"$(dirname "$0")/setup-web.sh"
