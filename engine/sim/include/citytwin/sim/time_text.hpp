#pragma once

#include <cstdint>
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

// Milliseconds since 1970-01-01T00:00:00Z of an ISO 8601 date-time: "2026-07-01T08:00:00Z",
// "2026-07-01T10:00:00+02:00", "2026-07-01 08:00:00.5" (no offset: UTC). nullopt when malformed or
// out of range (month 13, 30 February, hour 24, ...).
std::optional<std::int64_t> parseIsoDateTime(std::string_view text);
std::string formatIsoDateTime(std::int64_t epochMilliseconds);

}  // namespace citytwin::sim
