#pragma once

#include <cstddef>
#include <vector>

#include "citytwin/traffic/microsimulation.hpp"

namespace citytwin::traffic {

// A trip of the demand that had no open route when the run started, so it never entered the simulation.
struct UnroutedTrip {
  double requestedDepartS = 0.0;
  double freeFlowS = 0.0;  // on the network without the run's closures (0 when even that has no route)
};

// What the trips requested by a time cost, counting the ones that fail: a trip that has not arrived is
// charged its time so far, a trip that cannot be made (stranded by closures, never routable) its time so
// far plus the journey it did not make at free flow. A closure can thus never lower the delay by
// removing trips: a trip made impossible costs at least as much as it could in any other variant.
struct TripCosts {
  std::size_t requested = 0;  // trips whose requested departure has passed
  std::size_t arrived = 0;
  double delayS = 0.0;        // summed over the requested trips
  double chargedTimeS = 0.0;  // summed travel times, from requested departure, failures charged as above
};

// `remainingFreeFlowS` is Microsimulation::remainingFreeFlowS() (one entry per simulated trip).
TripCosts chargeTrips(const std::vector<TripRecord>& trips, const std::vector<double>& remainingFreeFlowS,
                      const std::vector<UnroutedTrip>& unrouted, double nowS);

}  // namespace citytwin::traffic
