#include <doctest/doctest.h>

#include <cmath>

#include "citytwin/traffic/idm.hpp"
#include "citytwin/traffic/ring_road.hpp"

using namespace citytwin::traffic;

TEST_CASE("IDM steady state and capacity with Treiber's 2000 parameters") {
  const IdmParameters p;
  // At the equilibrium gap the acceleration vanishes.
  for (double v : {5.0, 15.0, 25.0}) CHECK(std::abs(idmAcceleration(p, p.desiredSpeed, v, idmEquilibriumGap(p, v), 0.0)) < 1e-9);
  CHECK(idmAcceleration(p, p.desiredSpeed, 0.0, INFINITY, 0.0) == doctest::Approx(p.acceleration));
  const IdmCapacity capacity = idmCapacity(p);
  CHECK(capacity.flowPerSecond * 3600.0 == doctest::Approx(1743.0).epsilon(1e-3));
  CHECK(capacity.speed * 3.6 == doctest::Approx(66.8).epsilon(2e-3));
  CHECK(capacity.densityPerMetre * 1000.0 == doctest::Approx(26.1).epsilon(2e-3));
  CHECK(idmEquilibriumSpeed(p, 1.0 / (p.length + p.minimumGap)) == 0.0);
}

TEST_CASE("a short ring road at low density settles to the analytic flow") {
  RingRoadOptions options;
  options.lengthM = 1000.0;
  options.vehicles = 10;
  options.warmupSeconds = 300.0;
  options.measureSeconds = 60.0;
  const RingRoadResult result = simulateRingRoad(options);
  CHECK(result.flowPerHour == doctest::Approx(idmEquilibriumFlow(options.idm, 0.01) * 3600.0).epsilon(1e-3));
}
