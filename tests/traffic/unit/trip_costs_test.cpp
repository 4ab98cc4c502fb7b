#include "citytwin/traffic/trip_costs.hpp"

#include <doctest/doctest.h>

using namespace citytwin::traffic;

namespace {

TripRecord trip(double requested, double depart, double arrival, double freeFlow, double delay,
                bool stranded = false) {
  TripRecord record;
  record.requestedDepartS = requested;
  record.departS = depart;
  record.arrivalS = arrival;
  record.freeFlowS = freeFlow;
  record.delayS = delay;
  record.stranded = stranded;
  return record;
}

}  // namespace

TEST_CASE("every trip requested so far is charged: arrived, driving, waiting, stranded and unrouted") {
  const double now = 1000.0;
  const std::vector<TripRecord> trips{
      trip(0, 10, 400, 300, 60),          // arrived: 60 s lost driving + 10 s waiting to enter
      trip(100, 100, -1, 500, 40),        // driving: 40 s lost so far, 200 s of its route left
      trip(600, -1, -1, 300, 0),          // waiting to enter since 600 s, whole 300 s route left
      trip(200, 250, -1, 400, 30, true),  // stranded by a closure
      trip(2000, -1, -1, 300, 0),         // not requested yet: not counted
  };
  const std::vector<double> remaining{0, 200, 300, 0, 300};
  const std::vector<UnroutedTrip> unrouted{{300, 250}, {5000, 100}};
  const TripCosts costs = chargeTrips(trips, remaining, unrouted, now);
  CHECK(costs.requested == 5);
  CHECK(costs.arrived == 1);
  // 70 + 40 + 400 + (800 + 400) + (700 + 250)
  CHECK(costs.delayS == doctest::Approx(70 + 40 + 400 + 1200 + 950));
  // 400 + (900 + 200) + (400 + 300) + 1200 + 950
  CHECK(costs.chargedTimeS == doctest::Approx(400 + 1100 + 700 + 1200 + 950));
}

TEST_CASE("a trip made impossible costs more than the same trip made late") {
  const double now = 3600.0;
  const TripRecord late = trip(0, 0, 3500, 600, 2900);
  const TripRecord stranded = trip(0, 0, -1, 600, 100, true);
  const TripCosts made = chargeTrips({late}, {0}, {}, now);
  const TripCosts lost = chargeTrips({stranded}, {0}, {}, now);
  const TripCosts unrouted = chargeTrips({}, {}, {{0, 600}}, now);
  CHECK(lost.delayS > made.delayS);
  CHECK(lost.chargedTimeS > made.chargedTimeS);
  CHECK(unrouted.delayS == lost.delayS);
}
