#include "citytwin/city/road_network.hpp"

#include <array>
#include <utility>

namespace citytwin::city {
namespace {
struct ClassEntry {
  std::string_view name;
  RoadClassDefaults defaults;
};

// Capacities per lane follow the Highway Capacity Manual's orders of magnitude: about 2,000 veh/h on
// motorways, 1,800 on trunk roads, falling to 600 on residential and service streets with frontage.
constexpr std::array<ClassEntry, 16> kClasses{{
    {"motorway", {2, 110.0, 2000.0}},
    {"motorway_link", {1, 60.0, 1500.0}},
    {"trunk", {2, 90.0, 1800.0}},
    {"trunk_link", {1, 50.0, 1400.0}},
    {"primary", {1, 50.0, 1200.0}},
    {"primary_link", {1, 40.0, 1100.0}},
    {"secondary", {1, 50.0, 1000.0}},
    {"secondary_link", {1, 40.0, 900.0}},
    {"tertiary", {1, 40.0, 900.0}},
    {"tertiary_link", {1, 30.0, 800.0}},
    {"unclassified", {1, 30.0, 700.0}},
    {"residential", {1, 30.0, 600.0}},
    {"living_street", {1, 10.0, 300.0}},
    {"service", {1, 20.0, 400.0}},
    {"road", {1, 30.0, 600.0}},
    {"busway", {1, 30.0, 600.0}},
}};
}  // namespace

bool isDrivableHighwayClass(std::string_view highwayClass) {
  for (const auto& entry : kClasses) {
    if (entry.name == highwayClass) return true;
  }
  return false;
}

RoadClassDefaults roadClassDefaults(std::string_view highwayClass) {
  for (const auto& entry : kClasses) {
    if (entry.name == highwayClass) return entry.defaults;
  }
  return {1, 30.0, 600.0};
}

std::vector<std::vector<std::uint32_t>> RoadNetwork::outgoingLinks() const {
  std::vector<std::vector<std::uint32_t>> outgoing(nodes.size());
  for (std::uint32_t i = 0; i < links.size(); ++i) outgoing[links[i].from].push_back(i);
  return outgoing;
}

std::vector<std::vector<std::uint32_t>> RoadNetwork::incomingLinks() const {
  std::vector<std::vector<std::uint32_t>> incoming(nodes.size());
  for (std::uint32_t i = 0; i < links.size(); ++i) incoming[links[i].to].push_back(i);
  return incoming;
}

}  // namespace citytwin::city
