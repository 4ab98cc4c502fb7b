#pragma once

#include <filesystem>
#include <vector>

#include "citytwin/traffic/microsimulation.hpp"

namespace citytwin::traffic {

struct TripStatistics {
  std::size_t trips = 0;
  std::size_t arrived = 0;
  std::size_t stranded = 0;
  double meanTravelTimeS = 0.0;  // arrived trips, from entering the network to leaving it
  double meanSpeed = 0.0;        // arrived trips: mean of route length / travel time (m/s)
  double meanDepartDelayS = 0.0;
};
TripStatistics summariseTrips(const std::vector<TripRecord>& trips);

// One row per trip: id, depart, arrival, duration, route length, depart delay, status (like SUMO's
// tripinfo output); written atomically.
void writeTripInfoCsv(const std::filesystem::path& path, const std::vector<TripRecord>& trips);

}  // namespace citytwin::traffic
