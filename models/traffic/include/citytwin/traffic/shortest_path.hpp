#pragma once

#include <cstdint>
#include <vector>

#include "citytwin/traffic/network.hpp"

namespace citytwin::traffic {

// Dijkstra with an indexed binary heap (decrease-key, so the heap never holds more than one entry per
// node) on the network's forward star, honouring the no-through-zone rule. Reuses its buffers between
// calls. The network's links must not change while the tree exists (their heads are copied next to the
// forward star).
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
  bool before(std::int32_t a, std::int32_t b) const;
  void siftUp(std::size_t index);
  void siftDown(std::size_t index);

  const TrafficNetwork& network_;
  std::vector<double> distance_;
  std::vector<std::int32_t> predecessor_;
  std::vector<std::int32_t> settled_;
  std::vector<std::int32_t> heapIndex_;  // per node: slot in heap_, -1 never queued, -2 settled
  std::vector<std::int32_t> heap_;       // nodes, ordered by (distance, node)
  std::vector<std::int32_t> outHead_;    // head node of every forward-star entry
};

}  // namespace citytwin::traffic
