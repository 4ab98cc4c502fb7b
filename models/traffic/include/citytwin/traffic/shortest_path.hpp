#pragma once

#include <cstdint>
#include <vector>

#include "citytwin/traffic/network.hpp"

namespace citytwin::traffic {

// Dijkstra with a binary heap on the network's forward star, honouring the no-through-zone rule.
// Reuses its buffers between calls.
class ShortestPathTree {
 public:
  explicit ShortestPathTree(const TrafficNetwork& network);

  // Labels from `origin` with the given link costs (all >= 0). Links whose `closed[link]` is nonzero
  // are skipped when `closed` is not empty.
  void compute(int origin, const std::vector<double>& linkCosts, const std::vector<std::uint8_t>& closed = {});

  const std::vector<double>& distance() const { return distance_; }
  const std::vector<std::int32_t>& predecessorLink() const { return predecessor_; }  // -1 at origin/unreached
  // Nodes in the order they were settled (a topological order of the tree).
  const std::vector<std::int32_t>& settledOrder() const { return settled_; }

 private:
  const TrafficNetwork& network_;
  std::vector<double> distance_;
  std::vector<std::int32_t> predecessor_;
  std::vector<std::int32_t> settled_;
  std::vector<std::uint8_t> done_;
  std::vector<std::pair<double, std::int32_t>> heap_;
};

}  // namespace citytwin::traffic
