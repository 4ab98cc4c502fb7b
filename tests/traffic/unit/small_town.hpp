#pragma once

#include <sstream>
#include <string>

#include "citytwin/city/city_model.hpp"

namespace citytwin::traffic::testing {

template <class... Parts>
std::string townLabel(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

// A 4 x 4 street grid (150 m blocks, two-way, signals at the inner nodes) with homes in the south-west,
// offices in the north-east, a shop and a school.
inline city::CityModel smallTown() {
  city::CityModel town;
  town.crsEpsg = 32632;
  auto node = [](int x, int y) { return static_cast<std::uint32_t>(y * 4 + x); };
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) {
      city::RoadNode n;
      n.id = townLabel("n", x, "_", y);
      n.position = {150.0 * x, 150.0 * y};
      n.trafficSignals = (x == 1 || x == 2) && (y == 1 || y == 2);
      town.roads.nodes.push_back(n);
    }
  auto addLink = [&](std::uint32_t a, std::uint32_t b) {
    for (int d = 0; d < 2; ++d) {
      city::RoadLink link;
      link.from = d ? b : a;
      link.to = d ? a : b;
      link.id = townLabel("l", link.from, "_", link.to);
      link.lengthM = 150.0;
      link.lanes = 1;
      link.speedLimitKph = 50.0;
      link.highwayClass = "residential";
      link.geometry = {town.roads.nodes[link.from].position, town.roads.nodes[link.to].position};
      town.roads.links.push_back(link);
    }
  };
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) {
      if (x + 1 < 4) addLink(node(x, y), node(x + 1, y));
      if (y + 1 < 4) addLink(node(x, y), node(x, y + 1));
    }
  auto addBuilding = [&](double x, double y, city::BuildingUse use, int levels) {
    city::Building b;
    b.id = townLabel("b", town.buildings.size());
    b.footprint = {geo::Polygon{{{x, y}, {x + 20, y}, {x + 20, y + 20}, {x, y + 20}}, {}}};
    b.levels = levels;
    b.heightM = 3.0 * levels;
    b.use = use;
    town.buildings.push_back(b);
  };
  for (int k = 0; k < 6; ++k) addBuilding(10.0 + 30 * k, 20.0, city::BuildingUse::Residential, 4);
  addBuilding(420.0, 430.0, city::BuildingUse::Office, 5);
  addBuilding(300.0, 420.0, city::BuildingUse::Office, 5);
  addBuilding(430.0, 200.0, city::BuildingUse::Retail, 1);
  addBuilding(200.0, 430.0, city::BuildingUse::Education, 2);
  return town;
}

}  // namespace citytwin::traffic::testing
