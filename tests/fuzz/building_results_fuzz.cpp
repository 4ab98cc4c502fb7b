// libFuzzer target for the reader of a run's per-building results (state/building.csv) behind
// `citytwin export 3dtiles --run`: any bytes as the file must end in results or a citytwin::Error, never a
// crash, a hang or undefined behaviour.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <unordered_map>

#include "citytwin/core/error.hpp"
#include "tiles/building_results.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path run =
      std::filesystem::temp_directory_path() / ("citytwin-fuzz-results-" + std::to_string(::getpid()));
  static const std::unordered_map<std::string, std::size_t> buildings{
      {"b1", 0}, {"b2", 1}, {"sample:building/3", 2}};
  std::filesystem::create_directories(run / "base" / "state");
  {
    std::ofstream out(run / "base" / "state" / "building.csv", std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    const auto results = citytwin::cli::tiles::readBuildingResults(run, "base", buildings);
    for (const auto& result : results) {
      if (result.values.size() != buildings.size()) __builtin_trap();  // one value per building, always
    }
  } catch (const citytwin::Error&) {
  }
  return 0;
}
