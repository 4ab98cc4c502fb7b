#include <doctest/doctest.h>

#include "citytwin/sim/time_text.hpp"

using namespace citytwin;
using sim::parseDuration;

TEST_CASE("durations: unit sums and ISO 8601") {
  CHECK(parseDuration("90s") == 90 * sim::kSecond);
  CHECK(parseDuration("15m") == 15 * sim::kMinute);
  CHECK(parseDuration("1h30m") == 90 * sim::kMinute);
  CHECK(parseDuration("1.5h") == 90 * sim::kMinute);
  CHECK(parseDuration("2d") == 2 * sim::kDay);
  CHECK(parseDuration("250ms") == 250);
  CHECK(parseDuration("PT1H30M") == 90 * sim::kMinute);
  CHECK(parseDuration("P1DT2H") == sim::kDay + 2 * sim::kHour);
  CHECK(parseDuration("PT0.5S") == 500);
  for (const char* bad : {"", "15", "m", "15x", "1h-5m", "P", "PT", "P1M", "PT1H2D", "0.0001s", "1..5h"}) {
    CAPTURE(bad);
    CHECK_FALSE(parseDuration(bad).has_value());
  }
  CHECK(sim::formatDuration(90 * sim::kMinute + 250) == "1h30m250ms");
}

