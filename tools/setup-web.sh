#!/usr/bin/env bash
# Installs the npm packages of viewer/web (CesiumJS for the 3D Tiles page, Khronos' glTF validator for the
# tests) into viewer/web/node_modules, at the versions of its package-lock.json. Idempotent; needs the
# network only when they are missing. tools/setup.sh runs it after the Debian packages.
set -euo pipefail
web="$(cd "$(dirname "${BASH_SOURCE[0]}")/../viewer/web" && pwd)"
if ! command -v npm >/dev/null; then
  echo "setup-web: npm not found (Debian package npm); the 3D Tiles page and its tests are left out" >&2
  exit 0
fi
if [ -f "${web}/node_modules/cesium/Build/Cesium/Cesium.js" ] && [ -d "${web}/node_modules/gltf-validator" ]; then
  echo "setup-web: npm packages of viewer/web already installed"
  exit 0
fi
echo "setup-web: installing the npm packages of viewer/web"
npm ci --prefix "${web}" --no-audit --no-fund --loglevel=error
echo "setup-web: done"
