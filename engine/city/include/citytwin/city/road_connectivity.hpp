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

// Links outside the largest component, by why a vehicle cannot make a round trip through them:
// a dead end that traffic can enter from the main network but not leave (a one-way ramp into a garage,
// a street cut by the area's edge), one it can leave but not enter, or an island with no drivable
// connection at all (its access road lies outside the area or is private).
struct DeadEndSummary {
  std::size_t enterOnlyLinks = 0;
  std::size_t leaveOnlyLinks = 0;
  std::size_t islandLinks = 0;
  std::size_t largestOtherComponentNodes = 0;
};
DeadEndSummary summariseDeadEnds(const RoadNetwork& network, const RoadComponents& components);

}  // namespace citytwin::city
