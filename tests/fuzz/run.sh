#!/usr/bin/env bash
# Builds the fuzz targets (the NGSI-LD parser, the CityJSON reader) with clang in their own folder and runs
# each for a bounded time.
#   tests/fuzz/run.sh [SECONDS]      (default 60 per target; FUZZ_BUILD_DIR overrides the build folder)
set -euo pipefail
seconds="${1:-60}"
source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build_dir="${FUZZ_BUILD_DIR:-${source_dir}/build-fuzz}"
# Coverage instrumentation for the libraries too, so the fuzzer sees inside the parser.
instrument="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer"
cmake -S "${source_dir}" -B "${build_dir}" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="${instrument}" -DCMAKE_C_FLAGS="${instrument}" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DCITYTWIN_FUZZ=ON -DCITYTWIN_BUILD_VIEWER=OFF -DCITYTWIN_BUILD_BENCHMARKS=OFF -DCITYTWIN_MODELS="" \
  -DCITYTWIN_WARNINGS_AS_ERRORS=OFF >/dev/null
ninja -C "${build_dir}" -j"${FUZZ_JOBS:-2}" ngsi_ld_parser_fuzz cityjson_parser_fuzz
for target in ngsi_ld:ngsi_ld_parser_fuzz cityjson:cityjson_parser_fuzz; do
  corpus_name="${target%%:*}"
  binary="${target#*:}"
  corpus="${build_dir}/fuzz-corpus/${corpus_name}"
  mkdir -p "${corpus}"
  cp -n "${source_dir}/tests/fuzz/corpus/${corpus_name}/"* "${corpus}/" 2>/dev/null || true
  "${build_dir}/tests/fuzz/${binary}" -max_total_time="${seconds}" -max_len=4096 -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 "${corpus}"
done
