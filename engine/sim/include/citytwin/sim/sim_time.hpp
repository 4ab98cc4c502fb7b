#pragma once

#include <cstdint>

namespace citytwin::sim {

// Simulated time in integer milliseconds since the scenario's start. Integer ticks keep multi-rate
// stepping exact: a 1 s traffic step and a 1 h energy step meet at the same boundary with no rounding.
using SimTime = std::int64_t;

inline constexpr SimTime kMillisecond = 1;
inline constexpr SimTime kSecond = 1000;
inline constexpr SimTime kMinute = 60 * kSecond;
inline constexpr SimTime kHour = 60 * kMinute;
inline constexpr SimTime kDay = 24 * kHour;

inline constexpr double toSeconds(SimTime t) { return static_cast<double>(t) / static_cast<double>(kSecond); }

}  // namespace citytwin::sim
