#include "citytwin/traffic/demand_calibration.hpp"

#include <doctest/doctest.h>

#include <cmath>

#include "citytwin/scenario/toml_input.hpp"
#include "citytwin/testing/shared_data.hpp"
#include "citytwin/traffic/traffic_model.hpp"
#include "small_town.hpp"

using namespace citytwin;

TEST_CASE("the observed-flow factor compares observed and modelled flows on observed links only") {
  // Two trips over links 0 and 1, one over link 2, in a one-hour window: modelled 2, 1, 1 veh/h on 0, 1, 2.
  const std::vector<std::optional<std::vector<std::int32_t>>> routes = {
      std::vector<std::int32_t>{0, 1}, std::vector<std::int32_t>{0, 2}, std::nullopt};
  const double nan = std::nan("");
  CHECK(traffic::observedFlowFactor(routes, 3600.0, {6.0, nan, nan, 50.0}) == doctest::Approx(3.0));
  CHECK(traffic::observedFlowFactor(routes, 3600.0, {6.0, 1.0, nan, nan}) == doctest::Approx(7.0 / 3.0));
  // Half-hour window: each trip is 2 veh/h.
  CHECK(traffic::observedFlowFactor(routes, 1800.0, {6.0, nan, nan, nan}) == doctest::Approx(1.5));
  // Nothing observed where the demand goes (link 3 carries no modelled trip), or nothing observed at all.
  CHECK(traffic::observedFlowFactor(routes, 3600.0, {nan, nan, nan, 50.0}) == 1.0);
  CHECK(traffic::observedFlowFactor(routes, 3600.0, {0.0, -1.0, 0.0, 0.0}) == 1.0);
}

TEST_CASE("resampling keeps each trip floor(f) times plus once with probability frac(f), reproducibly") {
  const auto twice = traffic::resampleTrips(100, 2.0, 1);
  REQUIRE(twice.size() == 200);
  CHECK(twice[0] == 0);
  CHECK(twice[1] == 0);
  CHECK(twice[199] == 99);
  const auto some = traffic::resampleTrips(10000, 0.3, 5);
  CHECK(static_cast<double>(some.size()) == doctest::Approx(3000.0).epsilon(0.05));
  CHECK(traffic::resampleTrips(10000, 0.3, 5) == some);
  CHECK(traffic::resampleTrips(10000, 0.3, 6) != some);
  CHECK(traffic::resampleTrips(10, 0.0, 1).empty());
}

TEST_CASE("observed flows in the initial state scale the traffic model's demand") {
  const city::CityModel town = traffic::testing::smallTown();
  const Value parameters = scenario::parseToml("trips_per_100m2 = 0.5\ndemand_duration_s = 3600\n", "");
  const auto run = [&](double observedScale, bool calibrate) {
    city::CityState state(town);
    traffic::TrafficModel model;
    Value p = parameters;
    p.set("calibrate_to_observed_flows", calibrate);
    if (observedScale > 0) {
      // Observations on every link: the count the uncalibrated demand would put there, times observedScale,
      // is approximated by a uniform flow; only the sums matter.
      auto& observed = state.column(city::Layer::RoadLink, "observed_flow_veh_per_h", std::nan(""));
      for (double& value : observed) value = observedScale;
    }
    sim::ModelContext context{town, p, "scenario.toml", ".", testing::scratchDirectory(), 7, 0, "", {}};
    model.initialise(context, state);
    return std::make_pair(model.simulation().trips().size(), model.kpis().at("demand_calibration_factor"));
  };
  const auto [baseTrips, baseFactor] = run(0.0, true);
  CHECK(baseFactor == 1.0);
  const auto [lowTrips, lowFactor] = run(1.0, true);
  const auto [highTrips, highFactor] = run(200.0, true);
  CHECK(highFactor == doctest::Approx(200.0 * lowFactor));
  CHECK(static_cast<double>(highTrips) ==
        doctest::Approx(highFactor * static_cast<double>(baseTrips)).epsilon(0.05));
  CHECK(static_cast<double>(lowTrips) ==
        doctest::Approx(lowFactor * static_cast<double>(baseTrips)).epsilon(0.2));
  const auto [offTrips, offFactor] = run(200.0, false);
  CHECK(offFactor == 1.0);
  CHECK(offTrips == baseTrips);
}
