#pragma once

#include <cstdint>
#include <vector>

#include "citytwin/traffic/idm.hpp"

namespace citytwin::traffic {

// Vehicles on a single-lane ring road driving by the IDM: the classical test of a car-following model's
// fundamental diagram and of its string (in)stability.
struct RingRoadOptions {
  IdmParameters idm;
  double lengthM = 2000.0;
  int vehicles = 40;
  double timeStep = 0.1;          // s (ballistic update)
  double warmupSeconds = 1800.0;  // discarded before measuring
  double measureSeconds = 600.0;
  double perturbationM = 1.0;     // initial displacement of one vehicle, to seed any instability
};

struct RingRoadResult {
  double densityPerKm = 0.0;
  double flowPerHour = 0.0;       // density x space-mean speed, averaged over the measuring period
  double meanSpeed = 0.0;         // m/s
  double minSpeed = 0.0;          // lowest speed seen in the measuring period
  double maxSpeed = 0.0;
  double speedStdDev = 0.0;       // across vehicles, averaged over the measuring period
};

RingRoadResult simulateRingRoad(const RingRoadOptions& options);

}  // namespace citytwin::traffic
