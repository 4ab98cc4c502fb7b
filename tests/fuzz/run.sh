#!/usr/bin/env bash
# Builds the fuzz targets with clang in their own folder and runs each for a bounded time.
#   tests/fuzz/run.sh [SECONDS]      (total budget, default 120, shared evenly by the targets;
#                                     FUZZ_BUILD_DIR overrides the build folder, FUZZ_TARGETS the list)
# Seeds: tests/fuzz/corpus/<target>/ in the repository, plus reference files of ../shared/data when it is
# there (CITYTWIN_SHARED_DATA overrides), each behind the format byte its target reads first.
set -euo pipefail
seconds="${1:-120}"
source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build_dir="${FUZZ_BUILD_DIR:-${source_dir}/build-fuzz}"
shared_data="${CITYTWIN_SHARED_DATA:-${source_dir}/../shared/data}"
read -r -a targets <<<"${FUZZ_TARGETS:-ngsi_ld_parser_fuzz scenario_parser_fuzz osm_tag_values_fuzz energy_inputs_fuzz traffic_inputs_fuzz building_results_fuzz cityjson_parser_fuzz context_document_fuzz mqtt_endpoint_fuzz}"
# As tools/build.sh: clones in other folders share ccache hits.
export CCACHE_BASEDIR="${source_dir}" CCACHE_NOHASHDIR=1
# Coverage instrumentation for the libraries too, so the fuzzer sees inside the parsers.
instrument="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer"
cmake -S "${source_dir}" -B "${build_dir}" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="${instrument}" -DCMAKE_C_FLAGS="${instrument}" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DCITYTWIN_FUZZ=ON -DCITYTWIN_BUILD_VIEWER=OFF -DCITYTWIN_BUILD_BENCHMARKS=OFF \
  -DCITYTWIN_MODELS="flood;traffic;energy" -DCITYTWIN_WARNINGS_AS_ERRORS=OFF >/dev/null
ninja -C "${build_dir}" -j"${FUZZ_JOBS:-2}" "${targets[@]}"

# seed TARGET FORMAT_BYTE FILE...: the first 4 KiB of each file that exists, behind the format byte.
seed() {
  local target="$1" format="$2"
  shift 2
  local file
  for file in "$@"; do
    [ -f "${file}" ] || continue
    { printf "\\x${format}"; head -c 4095 "${file}"; } >"${build_dir}/fuzz-corpus/${target}/seed-$(basename "${file}")-${format}"
  done
}

per_target=$((seconds / ${#targets[@]}))
[ "${per_target}" -ge 1 ] || per_target=1
for target in "${targets[@]}"; do
  corpus="${build_dir}/fuzz-corpus/${target}"
  mkdir -p "${corpus}"
  cp -n "${source_dir}/tests/fuzz/corpus/${target}/"* "${corpus}/" 2>/dev/null || true
  case "${target}" in
    scenario_parser_fuzz) cp -n "${source_dir}/scenarios/"*.toml "${corpus}/" 2>/dev/null || true ;;
    energy_inputs_fuzz)
      seed "${target}" 00 "${shared_data}/energy/matpower/case9.m" "${shared_data}/energy/matpower/case14.m"
      seed "${target}" 02 "${shared_data}/energy/bestest/"*.toml
      seed "${target}" 03 "${shared_data}/energy/weather/"*.epw ;;
    traffic_inputs_fuzz)
      seed "${target}" 00 "${shared_data}/traffic/tntp/SiouxFalls_net.tntp"
      seed "${target}" 01 "${shared_data}/traffic/tntp/SiouxFalls_trips.tntp" ;;
  esac
  echo "fuzz: ${target} for ${per_target} s"
  log="${build_dir}/fuzz-${target}.log"
  status=0
  "${build_dir}/tests/fuzz/${target}" -max_total_time="${per_target}" -max_len=4096 -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="${build_dir}/" "${corpus}" >"${log}" 2>&1 || status=$?
  if [ "${status}" -ne 0 ]; then
    tail -n 60 "${log}"
    echo "fuzz: ${target} failed (exit ${status}); the failing input is named above, the log is ${log}" >&2
    exit "${status}"
  fi
  grep -E "^(Done|stat::number_of_executed_units|stat::new_units_added)" "${log}" || true
done
