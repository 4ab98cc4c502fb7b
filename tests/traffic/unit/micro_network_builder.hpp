#pragma once

#include <cstdint>
#include <sstream>
#include <string>

#include "citytwin/traffic/micro_network.hpp"

namespace citytwin::traffic::testing {

// Builds names with a stream (GCC 12 warns falsely on chained std::string concatenation).
template <class... Parts>
std::string label(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

// Appends a link named "from>to" and returns its index.
inline std::int32_t addLink(MicroNetwork& network, int from, int to, double lengthM, int lanes) {
  MicroLink link;
  link.id = label(from, ">", to);
  link.from = from;
  link.to = to;
  link.lengthM = lengthM;
  link.lanes = lanes;
  network.links.push_back(link);
  return static_cast<std::int32_t>(network.links.size()) - 1;
}

}  // namespace citytwin::traffic::testing
