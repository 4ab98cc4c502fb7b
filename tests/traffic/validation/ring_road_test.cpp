#include <doctest/doctest.h>

#include <cmath>

#include "citytwin/traffic/idm.hpp"
#include "citytwin/traffic/ring_road.hpp"

using namespace citytwin::traffic;

// Treiber, Hennecke & Helbing (2000): with their parameters the steady-state capacity is 1,743 veh/h/lane;
// the homogeneous flow is string-stable at low and string-unstable at intermediate densities.
TEST_CASE("IDM ring road: analytic fundamental diagram at stable densities") {
  const IdmParameters idm;
  CHECK(idmCapacity(idm).flowPerSecond * 3600.0 == doctest::Approx(1743.0).epsilon(1e-3));
  for (int vehicles : {10, 20, 30, 40}) {  // 5 .. 20 veh/km on 2 km
    RingRoadOptions options;
    options.vehicles = vehicles;
    options.lengthM = 2000.0;
    const RingRoadResult result = simulateRingRoad(options);
    const double analytic = idmEquilibriumFlow(idm, vehicles / options.lengthM) * 3600.0;
    INFO("density " << result.densityPerKm << " veh/km: " << result.flowPerHour << " vs " << analytic << " veh/h");
    CHECK(std::abs(result.flowPerHour - analytic) / analytic < 0.01);
    CHECK(result.speedStdDev < 0.01 * result.meanSpeed);
  }
}

TEST_CASE("IDM ring road: stop-and-go waves at unstable densities") {
  for (int vehicles : {80, 100, 120}) {  // 40 .. 60 veh/km
    RingRoadOptions options;
    options.vehicles = vehicles;
    options.lengthM = 2000.0;
    const RingRoadResult result = simulateRingRoad(options);
    INFO("density " << result.densityPerKm << " veh/km: speeds " << result.minSpeed << " .. " << result.maxSpeed);
    CHECK(result.minSpeed < 1.0);                      // vehicles come (almost) to a stop
    CHECK(result.maxSpeed > 3.0 * result.meanSpeed / 2);  // and drive off again
    CHECK(result.speedStdDev > 0.3 * result.meanSpeed);
    const double analytic = idmEquilibriumFlow(options.idm, vehicles / options.lengthM) * 3600.0;
    CHECK(result.flowPerHour < analytic);  // waves cost throughput
  }
}
