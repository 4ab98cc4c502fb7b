#include <doctest/doctest.h>

#include "citytwin/sim/time_text.hpp"

using namespace citytwin;
using sim::parseDuration;
using sim::parseIsoDateTime;

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

TEST_CASE("ISO 8601 date-times with and without offsets") {
  CHECK(parseIsoDateTime("1970-01-01T00:00:00Z") == 0);
  CHECK(parseIsoDateTime("2026-07-01T08:00:00Z") == 1782892800000LL);
  CHECK(parseIsoDateTime("2026-07-01T10:00:00+02:00") == parseIsoDateTime("2026-07-01T08:00:00Z"));
  CHECK(parseIsoDateTime("2026-07-01 08:00:00.5") == *parseIsoDateTime("2026-07-01T08:00:00Z") + 500);
  CHECK(parseIsoDateTime("2024-02-29") == parseIsoDateTime("2024-02-29T00:00Z"));
  for (const char* bad : {"2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2025-02-29", "2026-07-01T24:00:00Z",
                          "2026-07-01T08:00:00+2", "2026-7-1", "yesterday", "2026-07-01T08:00:00Zjunk"}) {
    CAPTURE(bad);
    CHECK_FALSE(parseIsoDateTime(bad).has_value());
  }
  CHECK(sim::formatIsoDateTime(*parseIsoDateTime("2026-07-01T10:00:00+02:00")) == "2026-07-01T08:00:00Z");
  CHECK(sim::formatIsoDateTime(-1) == "1969-12-31T23:59:59.999Z");
}
