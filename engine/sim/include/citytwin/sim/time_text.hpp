#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "citytwin/core/date_time.hpp"
#include "citytwin/sim/sim_time.hpp"

namespace citytwin::sim {

// A duration written as a sum of number+unit parts ("90s", "15m", "1h30m", "2d", "500ms", "1.5h") or in
// ISO 8601 ("PT1H30M", "P1D", "PT0.5S"). Returns nullopt for anything else; the result is exact in ms.
std::optional<SimTime> parseDuration(std::string_view text);
// "1h30m", "2d", "15m", "250ms": the shortest exact form, for messages and reports.
std::string formatDuration(SimTime duration);

// Date-times are read and written by the one codec of core; scenarios write them without a ".000"
// fraction. These names remain for the scenario library and the models.
inline std::optional<std::int64_t> parseIsoDateTime(std::string_view text) { return parseDateTime(text); }
inline std::string formatIsoDateTime(std::int64_t epochMilliseconds) {
  return formatDateTime(epochMilliseconds, DateTimeFraction::WhenNonZero);
}

}  // namespace citytwin::sim
