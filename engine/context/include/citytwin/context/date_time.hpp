#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace citytwin::context {

// Milliseconds since 1970-01-01T00:00:00Z of an ISO 8601 date-time ("2016-12-07T11:10:00Z",
// "2020-09-16T13:30:00+05:30", "2016-11-30T07:00:00.00Z"; no zone means UTC); nullopt when malformed.
std::optional<std::int64_t> parseDateTime(std::string_view text);
// "2016-12-07T11:10:00.000Z"
std::string formatDateTime(std::int64_t millisecondsSinceEpoch);
std::int64_t nowMilliseconds();

}  // namespace citytwin::context
