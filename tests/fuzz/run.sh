#!/usr/bin/env bash
# Builds the NGSI-LD parser fuzz target with clang in its own folder and runs it for a bounded time.
#   tests/fuzz/run.sh [SECONDS]      (default 60; FUZZ_BUILD_DIR overrides the build folder)
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
ninja -C "${build_dir}" -j"${FUZZ_JOBS:-2}" ngsi_ld_parser_fuzz context_document_fuzz
corpus="${build_dir}/fuzz-corpus/ngsi_ld"
mkdir -p "${corpus}"
cp -n "${source_dir}/tests/fuzz/corpus/ngsi_ld/"* "${corpus}/" 2>/dev/null || true
"${build_dir}/tests/fuzz/ngsi_ld_parser_fuzz" -max_total_time="${seconds}" -max_len=4096 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 "${corpus}"
# Remote @context documents (compound, self-referencing): a shorter run, the code under test is small.
context_corpus="${build_dir}/fuzz-corpus/context_document"
mkdir -p "${context_corpus}"
cp -n "${source_dir}/tests/fuzz/corpus/context_document/"* "${context_corpus}/" 2>/dev/null || true
"${build_dir}/tests/fuzz/context_document_fuzz" -max_total_time="${CONTEXT_FUZZ_SECONDS:-20}" -max_len=4096 \
  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${context_corpus}"
