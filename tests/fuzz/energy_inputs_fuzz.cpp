// libFuzzer target for the energy model's input files: MATPOWER cases, distribution-network files,
// building specifications and EPW weather. The first byte picks the format, the rest is the file; each must
// end in a parsed value or a citytwin::Error naming the place — never another exception or a crash.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "citytwin/core/error.hpp"
#include "citytwin/energy/building_spec.hpp"
#include "citytwin/energy/matpower_case.hpp"
#include "citytwin/energy/network_file.hpp"
#include "citytwin/energy/weather.hpp"
#include "fuzz_input_file.hpp"

using namespace citytwin;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t format = data[0] % 4;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    switch (format) {
      case 0: (void)energy::parseMatpowerCase(text, "fuzz.m"); break;
      case 1: (void)energy::parseNetworkFile(text, "fuzz.toml"); break;
      case 2: (void)energy::parseBuildingSpec(text, "fuzz.toml"); break;
      default: {
        const auto path = fuzzing::writeFuzzInput(data + 1, size - 1, ".epw");
        (void)energy::readEpw(path);
        break;
      }
    }
  } catch (const Error&) {
  }
  return 0;
}
