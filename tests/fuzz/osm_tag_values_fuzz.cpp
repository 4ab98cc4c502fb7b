// libFuzzer target for the free-text values of OSM tags and the times the scenario and the context feeds
// carry: lengths, levels, years, speeds, lane counts, voltages, date-times and durations. Any text must give
// a value or "none", never a crash, and a value must be finite.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "citytwin/core/date_time.hpp"
#include "citytwin/io/osm_tags.hpp"
#include "citytwin/sim/time_text.hpp"
#include "osm_power.hpp"

using namespace citytwin;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto metres = io::parseLengthMetres(text); metres && !std::isfinite(*metres)) __builtin_trap();
  if (const auto speed = io::parseSpeedKph(text); speed && !std::isfinite(*speed)) __builtin_trap();
  if (const auto levels = io::parseLevels(text); levels && *levels <= 0) __builtin_trap();
  (void)io::parseYear(text);
  if (const auto lanes = io::parsePositiveInt(text); lanes && *lanes <= 0) __builtin_trap();
  for (const double kv : io::parseVoltagesKv(text)) {
    if (!std::isfinite(kv)) __builtin_trap();
  }
  (void)parseDateTime(text);
  (void)sim::parseDuration(text);
  io::OsmTags tags;
  tags.addHstore(text);
  return 0;
}
