#include "citytwin/traffic/shortest_path.hpp"

#include <algorithm>
#include <functional>
#include <limits>

namespace citytwin::traffic {

ShortestPathTree::ShortestPathTree(const TrafficNetwork& network) : network_(network) {
  distance_.resize(static_cast<std::size_t>(network.nodeCount));
  predecessor_.resize(static_cast<std::size_t>(network.nodeCount));
  settled_.reserve(static_cast<std::size_t>(network.nodeCount));
  done_.resize(static_cast<std::size_t>(network.nodeCount));
}

void ShortestPathTree::compute(int origin, const std::vector<double>& linkCosts,
                               const std::vector<std::uint8_t>& closed) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::fill(distance_.begin(), distance_.end(), kInf);
  std::fill(predecessor_.begin(), predecessor_.end(), -1);
  std::fill(done_.begin(), done_.end(), std::uint8_t{0});
  settled_.clear();
  heap_.clear();
  distance_[origin] = 0.0;
  heap_.emplace_back(0.0, origin);
  const auto later = std::greater<std::pair<double, std::int32_t>>();
  while (!heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    const auto [d, node] = heap_.back();
    heap_.pop_back();
    if (done_[node]) continue;
    done_[node] = 1;
    settled_.push_back(node);
    if (node != origin && !network_.allowsThrough(node)) continue;
    for (std::int32_t k = network_.outStart[node]; k < network_.outStart[node + 1]; ++k) {
      const std::int32_t link = network_.outLinks[k];
      if (!closed.empty() && closed[link]) continue;
      const std::int32_t head = network_.links[link].to;
      const double candidate = d + linkCosts[link];
      if (!done_[head] && candidate < distance_[head]) {
        distance_[head] = candidate;
        predecessor_[head] = link;
        heap_.emplace_back(candidate, head);
        std::push_heap(heap_.begin(), heap_.end(), later);
      }
    }
  }
}

}  // namespace citytwin::traffic
