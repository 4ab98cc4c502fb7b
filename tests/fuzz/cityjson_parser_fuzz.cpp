// libFuzzer target for the CityJSON reader of `citytwin city import --cityjson`: any byte string must end in
// the buildings it describes or an Error naming the field — never a crash, a hang or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cityjson_reader.hpp"  // engine/io/src: the reader behind importCityJson
#include "citytwin/core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const citytwin::io::CityJsonContent content = citytwin::io::readCityJson(text, "fuzz.city.json");
    for (const auto& building : content.buildings) {
      if (building.groundFaces.empty()) __builtin_trap();  // a building is kept only with a footprint
      for (const auto& face : building.groundFaces)
        if (face.outer.size() < 3) __builtin_trap();
    }
  } catch (const citytwin::Error&) {
  }
  (void)citytwin::io::epsgOfReferenceSystem(text);
  return 0;
}
