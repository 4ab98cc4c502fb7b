#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "citytwin/traffic/microsimulation.hpp"

namespace citytwin::traffic {

// Iterative dynamic user equilibrium in the manner of SUMO's duaIterate: every iteration simulates all
// trips on their current routes, records each link's travel time per interval (vehicle-seconds spent on
// the link / vehicles that left it in the interval, waiting at its stop line included; the free-flow time
// when nobody left it and nobody was on it), and gives a share of the trips (1 / (iteration + 1), drawn
// from the seed: the method of successive averages) their fastest route on those time-dependent times,
// from the same first to the same last link. It stops when the relative gap
//   sum over trips (route time - fastest route time) / sum over trips route time
// (both on the last iteration's times, from the trip's departure) is at most the target, or after the
// iteration limit. Routes are computed in parallel (TBB), each trip on its own, so the result does not
// depend on the thread count.
struct DynamicEquilibriumOptions {
  int maxIterations = 6;
  double targetRelativeGap = 0.02;
  double intervalS = 300.0;  // link travel times are averaged over intervals of this length
  double endS = 3600.0;      // each iteration simulates [0, endS)
  std::uint64_t seed = 1;
  // Called after each iteration with its number (1-based) and the gap measured on its times.
  std::function<void(int, double)> onIteration;
};
struct DynamicEquilibriumResult {
  int iterations = 0;             // simulations run to measure gaps (0: no trip)
  double relativeGap = 0.0;       // of the returned routes, on the last simulation's link times
  std::vector<double> gaps;       // per iteration
  std::size_t reroutedTrips = 0;  // route changes in all
};

// Replaces routes in `trips` (first and last links kept). The network's closed links are avoided.
DynamicEquilibriumResult iterateDynamicEquilibrium(const MicroNetwork& network,
                                                   const std::vector<VehicleType>& types,
                                                   const MicrosimulationOptions& simulation,
                                                   std::vector<TripRequest>& trips,
                                                   const DynamicEquilibriumOptions& options);

}  // namespace citytwin::traffic
