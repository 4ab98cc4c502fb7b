#include "citytwin/city/road_connectivity.hpp"

#include <algorithm>
#include <limits>

namespace citytwin::city {

RoadComponents stronglyConnectedComponents(const RoadNetwork& network) {
  constexpr std::uint32_t kUnvisited = std::numeric_limits<std::uint32_t>::max();
  const std::size_t n = network.nodes.size();
  const auto outgoing = network.outgoingLinks();
  RoadComponents result;
  result.componentOfNode.assign(n, kUnvisited);
  std::vector<std::uint32_t> index(n, kUnvisited), lowLink(n, 0);
  std::vector<bool> onStack(n, false);
  std::vector<std::uint32_t> stack;
  std::uint32_t nextIndex = 0;
  // Explicit call stack of (node, next outgoing edge position) so large cities cannot overflow.
  std::vector<std::pair<std::uint32_t, std::size_t>> calls;
  for (std::uint32_t start = 0; start < n; ++start) {
    if (index[start] != kUnvisited) continue;
    calls.emplace_back(start, 0);
    index[start] = lowLink[start] = nextIndex++;
    stack.push_back(start);
    onStack[start] = true;
    while (!calls.empty()) {
      auto& [node, edge] = calls.back();
      if (edge < outgoing[node].size()) {
        const std::uint32_t next = network.links[outgoing[node][edge++]].to;
        if (index[next] == kUnvisited) {
          index[next] = lowLink[next] = nextIndex++;
          stack.push_back(next);
          onStack[next] = true;
          calls.emplace_back(next, 0);
        } else if (onStack[next]) {
          lowLink[node] = std::min(lowLink[node], index[next]);
        }
        continue;
      }
      const std::uint32_t finished = node;
      calls.pop_back();
      if (!calls.empty()) lowLink[calls.back().first] = std::min(lowLink[calls.back().first], lowLink[finished]);
      if (lowLink[finished] == index[finished]) {
        const auto component = static_cast<std::uint32_t>(result.componentSizes.size());
        std::uint32_t size = 0;
        std::uint32_t member = 0;
        do {
          member = stack.back();
          stack.pop_back();
          onStack[member] = false;
          result.componentOfNode[member] = component;
          ++size;
        } while (member != finished);
        result.componentSizes.push_back(size);
      }
    }
  }
  for (std::uint32_t c = 0; c < result.componentSizes.size(); ++c) {
    if (result.componentSizes[c] > result.componentSizes[result.largest]) result.largest = c;
  }
  return result;
}

std::size_t RoadComponents::linksInLargest(const RoadNetwork& network) const {
  std::size_t count = 0;
  for (const auto& link : network.links) {
    if (componentOfNode[link.from] == largest && componentOfNode[link.to] == largest) ++count;
  }
  return count;
}

namespace {
std::vector<bool> reachableFromLargest(const RoadNetwork& network, const RoadComponents& components, bool forward) {
  const auto adjacency = forward ? network.outgoingLinks() : network.incomingLinks();
  std::vector<bool> reached(network.nodes.size(), false);
  std::vector<std::uint32_t> frontier;
  for (std::uint32_t n = 0; n < network.nodes.size(); ++n) {
    if (components.componentOfNode[n] == components.largest) {
      reached[n] = true;
      frontier.push_back(n);
    }
  }
  while (!frontier.empty()) {
    const std::uint32_t node = frontier.back();
    frontier.pop_back();
    for (std::uint32_t l : adjacency[node]) {
      const std::uint32_t next = forward ? network.links[l].to : network.links[l].from;
      if (!reached[next]) {
        reached[next] = true;
        frontier.push_back(next);
      }
    }
  }
  return reached;
}
}  // namespace

DeadEndSummary summariseDeadEnds(const RoadNetwork& network, const RoadComponents& components) {
  DeadEndSummary summary;
  const auto enterable = reachableFromLargest(network, components, true);
  const auto leavable = reachableFromLargest(network, components, false);
  for (const auto& link : network.links) {
    const bool inLargest = components.componentOfNode[link.from] == components.largest &&
                           components.componentOfNode[link.to] == components.largest;
    if (inLargest) continue;
    if (enterable[link.from] && enterable[link.to]) {
      ++summary.enterOnlyLinks;
    } else if (leavable[link.from] && leavable[link.to]) {
      ++summary.leaveOnlyLinks;
    } else {
      ++summary.islandLinks;
    }
  }
  for (std::uint32_t c = 0; c < components.componentSizes.size(); ++c) {
    if (c != components.largest) {
      summary.largestOtherComponentNodes = std::max<std::size_t>(summary.largestOtherComponentNodes,
                                                                 components.componentSizes[c]);
    }
  }
  return summary;
}

}  // namespace citytwin::city
