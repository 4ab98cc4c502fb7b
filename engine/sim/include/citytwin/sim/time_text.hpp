#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "citytwin/sim/sim_time.hpp"

namespace citytwin::sim {

// A duration written as a sum of number+unit parts ("90s", "15m", "1h30m", "2d", "500ms", "1.5h") or in
// ISO 8601 ("PT1H30M", "P1D", "PT0.5S"). Returns nullopt for anything else; the result is exact in ms.
std::optional<SimTime> parseDuration(std::string_view text);
// "1h30m", "2d", "15m", "250ms": the shortest exact form, for messages and reports.
std::string formatDuration(SimTime duration);

}  // namespace citytwin::sim
