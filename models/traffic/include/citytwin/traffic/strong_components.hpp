#pragma once

#include <cstdint>
#include <vector>

#include "citytwin/traffic/micro_network.hpp"

namespace citytwin::traffic {

// The links of the network's largest strongly connected component, as a mask per link: vertices are the
// open links, edges the movements between them (so turn bans and missing U-turns count). From any link
// of the component every other one can be reached, so a trip that starts and ends on it always has a
// route. Ties between components of equal size go to the one holding the lowest link index.
std::vector<std::uint8_t> largestStronglyConnectedLinks(const MicroNetwork& network);

}  // namespace citytwin::traffic
