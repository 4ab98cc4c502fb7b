#pragma once

#include <cstdint>
#include <vector>

#include "citytwin/city/road_network.hpp"

namespace citytwin::city {

// Strongly connected components of the directed road graph (Tarjan, iterative).
struct RoadComponents {
  std::vector<std::uint32_t> componentOfNode;  // component index per node
  std::vector<std::uint32_t> componentSizes;   // nodes per component
  std::uint32_t largest = 0;                   // index of the component with the most nodes

  // Links whose both ends lie in the largest component.
  std::size_t linksInLargest(const RoadNetwork& network) const;
};

RoadComponents stronglyConnectedComponents(const RoadNetwork& network);

}  // namespace citytwin::city
