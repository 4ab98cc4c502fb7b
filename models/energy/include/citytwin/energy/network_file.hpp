#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "citytwin/geo/geometry.hpp"

namespace citytwin::energy {

// A distribution network as a planner or utility describes it: a GeoJSON FeatureCollection in the city's
// projected CRS (metres) whose features carry a `kind` property (format in models/energy/README.md).
// Substations are buses too: the busbar behind their transformer.
struct NetworkBus {
  std::string id;
  geo::Vec2 position;
  double kv = 0;
  bool substation = false;
  double ratedMva = 0;          // substations: transformer rating
  double floodThresholdM = -1;  // substations: < 0 when not given (then the city substation's)
  std::size_t feature = 0;      // index in the file's `features`, for messages
};

struct NetworkLine {
  std::string id;
  std::size_t from = 0, to = 0;  // indices into NetworkFile::buses
  double rOhm = 0, xOhm = 0;     // series impedance of the whole line
  double ratedAmps = 0;          // 0: unrated
  std::size_t feature = 0;
};

struct NetworkService {
  std::string building;  // the city building's id
  std::size_t bus = 0;
  std::size_t feature = 0;
};

struct NetworkFile {
  std::string source;
  std::vector<NetworkBus> buses;
  std::vector<NetworkLine> lines;
  std::vector<NetworkService> services;
};

// Parses the GeoJSON text; errors name `source`, the feature (index and id) and the property.
NetworkFile parseNetworkFile(const std::string& text, const std::string& source);
NetworkFile readNetworkFile(const std::filesystem::path& file);

}  // namespace citytwin::energy
