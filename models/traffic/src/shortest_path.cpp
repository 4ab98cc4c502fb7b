#include "citytwin/traffic/shortest_path.hpp"

#include <algorithm>
#include <limits>

namespace citytwin::traffic {

ShortestPathTree::ShortestPathTree(const TrafficNetwork& network) : network_(network) {
  const auto n = static_cast<std::size_t>(network.nodeCount);
  distance_.resize(n);
  predecessor_.resize(n);
  settled_.reserve(n);
  heapIndex_.assign(n, -1);
  heap_.reserve(n);
  outHead_.resize(network.outLinks.size());
  for (std::size_t k = 0; k < network.outLinks.size(); ++k)
    outHead_[k] = network.links[network.outLinks[k]].to;
}

// Ties in distance are broken by node number, so the settled order is a function of the costs alone.
bool ShortestPathTree::before(std::int32_t a, std::int32_t b) const {
  return distance_[a] < distance_[b] || (distance_[a] == distance_[b] && a < b);
}

void ShortestPathTree::siftUp(std::size_t index) {
  const std::int32_t node = heap_[index];
  while (index > 0) {
    const std::size_t parent = (index - 1) / 2;
    if (!before(node, heap_[parent])) break;
    heap_[index] = heap_[parent];
    heapIndex_[heap_[index]] = static_cast<std::int32_t>(index);
    index = parent;
  }
  heap_[index] = node;
  heapIndex_[node] = static_cast<std::int32_t>(index);
}

void ShortestPathTree::siftDown(std::size_t index) {
  const std::int32_t node = heap_[index];
  const std::size_t size = heap_.size();
  for (;;) {
    std::size_t child = 2 * index + 1;
    if (child >= size) break;
    if (child + 1 < size && before(heap_[child + 1], heap_[child])) ++child;
    if (!before(heap_[child], node)) break;
    heap_[index] = heap_[child];
    heapIndex_[heap_[index]] = static_cast<std::int32_t>(index);
    index = child;
  }
  heap_[index] = node;
  heapIndex_[node] = static_cast<std::int32_t>(index);
}

void ShortestPathTree::compute(int origin, const std::vector<double>& linkCosts,
                               const std::vector<std::uint8_t>& closed) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  constexpr std::int32_t kSettled = -2;
  std::fill(distance_.begin(), distance_.end(), kInf);
  std::fill(predecessor_.begin(), predecessor_.end(), -1);
  std::fill(heapIndex_.begin(), heapIndex_.end(), -1);
  settled_.clear();
  heap_.clear();
  distance_[origin] = 0.0;
  heap_.push_back(origin);
  heapIndex_[origin] = 0;
  const std::int32_t* outStart = network_.outStart.data();
  const std::int32_t* outLinks = network_.outLinks.data();
  const std::int32_t* outHead = outHead_.data();
  const double* cost = linkCosts.data();
  const bool anyClosed = !closed.empty();
  while (!heap_.empty()) {
    const std::int32_t node = heap_.front();
    heapIndex_[node] = kSettled;
    const std::int32_t last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) {
      heap_.front() = last;
      siftDown(0);
    }
    settled_.push_back(node);
    if (node != origin && !network_.allowsThrough(node)) continue;
    const double d = distance_[node];
    for (std::int32_t k = outStart[node]; k < outStart[node + 1]; ++k) {
      const std::int32_t link = outLinks[k];
      if (anyClosed && closed[link]) continue;
      const std::int32_t head = outHead[k];
      const std::int32_t where = heapIndex_[head];
      if (where == kSettled) continue;
      const double candidate = d + cost[link];
      if (candidate < distance_[head]) {
        distance_[head] = candidate;
        predecessor_[head] = link;
        if (where < 0) {
          heap_.push_back(head);
          siftUp(heap_.size() - 1);
        } else {
          siftUp(static_cast<std::size_t>(where));
        }
      }
    }
  }
}

}  // namespace citytwin::traffic
