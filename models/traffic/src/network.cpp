#include "citytwin/traffic/network.hpp"

namespace citytwin::traffic {

namespace {
void buildStar(int nodeCount, const std::vector<NetworkLink>& links, bool forward, std::vector<std::int32_t>& start,
               std::vector<std::int32_t>& list) {
  start.assign(static_cast<std::size_t>(nodeCount) + 1, 0);
  for (const NetworkLink& link : links) ++start[static_cast<std::size_t>(forward ? link.from : link.to) + 1];
  for (int n = 0; n < nodeCount; ++n) start[n + 1] += start[n];
  list.assign(links.size(), 0);
  std::vector<std::int32_t> fill(start.begin(), start.end() - 1);
  for (std::size_t a = 0; a < links.size(); ++a) {
    const int node = forward ? links[a].from : links[a].to;
    list[fill[node]++] = static_cast<std::int32_t>(a);
  }
}
}  // namespace

void TrafficNetwork::buildAdjacency() {
  buildStar(nodeCount, links, true, outStart, outLinks);
  buildStar(nodeCount, links, false, inStart, inLinks);
}

double OdDemand::total() const {
  double sum = 0.0;
  for (const auto& row : byOrigin)
    for (const Entry& entry : row) sum += entry.trips;
  return sum;
}

void OdDemand::scale(double factor) {
  for (auto& row : byOrigin)
    for (Entry& entry : row) entry.trips *= factor;
}

}  // namespace citytwin::traffic
