#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "citytwin/traffic/network.hpp"

namespace citytwin::traffic {

// Readers and writers for the TNTP text formats of the "Transportation Networks for Research"
// collection. Errors are InputError naming file, line and field.

struct TntpNetworkOptions {
  // Override the header's <TOLL FACTOR> / <DISTANCE FACTOR> (some networks publish them only in a README).
  std::optional<double> tollFactor;
  std::optional<double> distanceFactor;
};

TrafficNetwork readTntpNetwork(const std::filesystem::path& path, const TntpNetworkOptions& options = {});
OdDemand readTntpTrips(const std::filesystem::path& path, const TrafficNetwork& network);

struct TntpLinkFlow {
  std::int32_t from = 0;  // 0-based node indices
  std::int32_t to = 0;
  double volume = 0.0;
  double cost = 0.0;
};
std::vector<TntpLinkFlow> readTntpFlows(const std::filesystem::path& path);
// Flows in link order: rows are matched to links by (from, to), the k-th row of a repeated pair to the
// k-th link of that pair. Throws Error when a link has no row.
std::vector<double> linkFlowsFromTntp(const std::vector<TntpLinkFlow>& rows, const TrafficNetwork& network,
                                      const std::filesystem::path& path);
// Writes "From To Volume Cost" rows (1-based node ids) atomically.
void writeTntpFlows(const std::filesystem::path& path, const TrafficNetwork& network,
                    const std::vector<double>& flows, const std::vector<double>& costs);

}  // namespace citytwin::traffic
