#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "citytwin/traffic/microsimulation.hpp"

namespace citytwin::traffic {

// Every trip of a city run, routed or not, in the order the demand produced them.
struct CityTrip {
  std::int32_t originNode = 0, destinationNode = 0;  // indices into the node ids
  double requestedDepartS = 0.0;
  std::int32_t simulated = -1;  // index into Microsimulation::trips(), -1 when no route was found
};

// Writes traffic/trips.csv: id, origin, destination, requested_depart_s, depart_s, arrive_s, travel_time_s,
// route_length_m, completed, status (format in models/traffic/README.md), atomically. Trips are named
// "trip<k>" after their position k in `trips`.
void writeTripTable(const std::filesystem::path& path, const std::vector<CityTrip>& trips,
                    const std::vector<TripRecord>& records, const std::vector<std::string>& nodeIds);

}  // namespace citytwin::traffic
