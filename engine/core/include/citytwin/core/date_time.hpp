#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace citytwin {

// Milliseconds since 1970-01-01T00:00:00Z of an ISO 8601 date-time: "2016-12-07T11:10:00Z",
// "2020-09-16T13:30:00+05:30" (or +0530), "2016-11-30T07:00:00.25Z", "2026-07-01 08:00:00.5", "2024-02-29"
// (midnight). No offset means UTC; seconds are optional; fractions finer than a millisecond are cut off.
// nullopt when malformed or out of range (month 13, 30 February, hour 24, offset +24:00, ...).
std::optional<std::int64_t> parseDateTime(std::string_view text);

enum class DateTimeFraction {
  Always,       // "2016-12-07T11:10:00.000Z": the NGSI-LD form, fixed width
  WhenNonZero,  // "2016-12-07T11:10:00Z", "2016-12-07T11:10:00.250Z": the form of scenarios and reports
};
std::string formatDateTime(std::int64_t millisecondsSinceEpoch, DateTimeFraction fraction = DateTimeFraction::Always);

// The wall clock in milliseconds since the epoch.
std::int64_t nowMilliseconds();

}  // namespace citytwin
