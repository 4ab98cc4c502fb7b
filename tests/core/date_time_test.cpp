#include <doctest/doctest.h>

#include "citytwin/core/date_time.hpp"

using namespace citytwin;

TEST_CASE("date-times parse with zones and fractions") {
  CHECK(parseDateTime("1970-01-01T00:00:00Z") == 0);
  CHECK(parseDateTime("2016-12-07T11:10:00Z") == 1481109000000LL);
  CHECK(parseDateTime("2016-12-07T11:10:00") == 1481109000000LL);
  CHECK(parseDateTime("2016-12-07T12:10:00+01:00") == 1481109000000LL);
  CHECK(parseDateTime("2016-11-30T07:00:00.25Z") == parseDateTime("2016-11-30T07:00:00Z").value() + 250);
  CHECK(parseDateTime("2026-07-01T08:00:00Z") == 1782892800000LL);
  CHECK(parseDateTime("2026-07-01T10:00:00+02:00") == parseDateTime("2026-07-01T08:00:00Z"));
  CHECK(parseDateTime("2026-07-01 08:00:00.5") == *parseDateTime("2026-07-01T08:00:00Z") + 500);
  CHECK(parseDateTime("2024-02-29") == parseDateTime("2024-02-29T00:00Z"));
  for (const char* bad : {"2016-13-07T11:10:00Z", "yesterday", "2016-12-07T11:10:00Zjunk", "2026-02-30T00:00:00Z",
                          "2025-02-29", "2026-07-01T24:00:00Z", "2026-07-01T08:00:00+2", "2026-7-1"}) {
    CAPTURE(bad);
    CHECK_FALSE(parseDateTime(bad).has_value());
  }
}

TEST_CASE("date-times format with milliseconds, through the fast path and across years") {
  CHECK(formatDateTime(1481109000123LL) == "2016-12-07T11:10:00.123Z");
  CHECK(parseDateTime(formatDateTime(-86400001)) == -86400001);
  CHECK(formatDateTime(0) == "1970-01-01T00:00:00.000Z");
  CHECK(formatDateTime(0) == "1970-01-01T00:00:00.000Z");  // the remembered result
  CHECK(formatDateTime(951782400001) == "2000-02-29T00:00:00.001Z");
  CHECK(formatDateTime(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(formatDateTime(253402300799999) == "9999-12-31T23:59:59.999Z");
  CHECK(formatDateTime(253402300800000) == "10000-01-01T00:00:00.000Z");
}

TEST_CASE("date-times format without a zero fraction for scenarios and reports") {
  CHECK(formatDateTime(*parseDateTime("2026-07-01T10:00:00+02:00"), DateTimeFraction::WhenNonZero) ==
        "2026-07-01T08:00:00Z");
  CHECK(formatDateTime(-1, DateTimeFraction::WhenNonZero) == "1969-12-31T23:59:59.999Z");
  CHECK(formatDateTime(253402300800000, DateTimeFraction::WhenNonZero) == "10000-01-01T00:00:00Z");
}
