#include "citytwin/traffic/departure_profile.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "citytwin/core/splitmix64.hpp"
#include "citytwin/traffic/sumo_trips.hpp"

using namespace citytwin;
using namespace citytwin::traffic;

TEST_CASE("the weekday profile peaks in the morning and its draws follow the rates") {
  const DepartureProfile profile = DepartureProfile::weekdayVehicleTrips();
  // The hour's rate at its middle (NHTS 2001: 3,893 at 07 h, 2,994 at 08 h), linear in between.
  CHECK(profile.rateAt(7.5 * 3600) == doctest::Approx(3893));
  CHECK(profile.rateAt(8.5 * 3600) == doctest::Approx(2994));
  CHECK(profile.rateAt(8.0 * 3600) == doctest::Approx((3893 + 2994) / 2.0));
  CHECK(profile.rateAt(8.0 * 3600 + 86400) == doctest::Approx(profile.rateAt(8.0 * 3600)));  // wraps
  const DepartureProfile::Window window = profile.window(7 * 3600.0, 7200.0);
  SplitMix64 random(5);
  int firstHour = 0;
  const int draws = 20000;
  for (int k = 0; k < draws; ++k) {
    const double u = random.uniform();
    const double t = window.sample(u, random.uniform());
    REQUIRE(t >= 0.0);
    REQUIRE(t <= 7200.0);
    firstHour += t < 3600.0;
  }
  // Expected share of 07-08 in the window: integral of the piecewise-linear rate over each hour.
  const double first =
      (profile.rateAt(7 * 3600) + 2 * profile.rateAt(7.5 * 3600) + profile.rateAt(8 * 3600)) / 4;
  const double second =
      (profile.rateAt(8 * 3600) + 2 * profile.rateAt(8.5 * 3600) + profile.rateAt(9 * 3600)) / 4;
  const double expected = first / (first + second);
  CHECK(expected > 0.5);
  CHECK(static_cast<double>(firstHour) / draws == doctest::Approx(expected).epsilon(0.03));
}

TEST_CASE("SUMO edge ids follow netconvert's naming of OSM ways") {
  city::RoadLink link;
  link.osmWayId = 4097656;
  link.id = "osm:way/4097656:1:b";
  CHECK(sumoEdgeId(link, 3) == "-4097656#1");
  link.id = "osm:way/4097656:0:f";
  CHECK(sumoEdgeId(link, 1) == "4097656");
  CHECK(sumoEdgeId(link, 2) == "4097656#0");
  link.osmWayId = 0;
  link.id = "l0_1";
  CHECK(sumoEdgeId(link, 1) == "l0_1");  // not from OSM: its own id
}
