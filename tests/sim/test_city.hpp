#pragma once

#include <string>

#include "citytwin/city/city_model.hpp"

namespace citytwin::testing {

// A tiny city drawn by hand: six buildings in a row (x = 0, 20, ... 100), three road nodes joined by
// four directed links, a substation and two sensors.
inline city::CityModel stepTestCity() {
  city::CityModel city;
  city.crsEpsg = 32632;
  city.name = "tiny";
  const city::BuildingUse uses[] = {city::BuildingUse::Residential, city::BuildingUse::Residential,
                                    city::BuildingUse::Commercial,  city::BuildingUse::Residential,
                                    city::BuildingUse::Office,      city::BuildingUse::Residential};
  for (int i = 0; i < 6; ++i) {
    city::Building building;
    building.id = "tiny:building/" + std::to_string(i);
    const double x = 20.0 * i;
    building.footprint = {geo::Polygon{{{x, 0}, {x + 10, 0}, {x + 10, 10}, {x, 10}}, {}}};
    building.heightM = 6.0 + i;
    building.levels = 2;
    building.use = uses[i];
    building.yearBuilt = 1950 + 10 * i;
    city.buildings.push_back(building);
  }
  for (int i = 0; i < 3; ++i) {
    city.roads.nodes.push_back({"tiny:node/" + std::to_string(i), {50.0 * i, -10.0}, 0.0, false});
  }
  auto link = [&](const std::string& id, std::uint32_t from, std::uint32_t to, const std::string& highway) {
    city::RoadLink l;
    l.id = id;
    l.from = from;
    l.to = to;
    l.geometry = {city.roads.nodes[from].position, city.roads.nodes[to].position};
    l.lengthM = 50.0;
    l.highwayClass = highway;
    city.roads.links.push_back(l);
  };
  link("tiny:way/1:0:f", 0, 1, "primary");
  link("tiny:way/1:0:b", 1, 0, "primary");
  link("tiny:way/2:0:f", 1, 2, "residential");
  link("tiny:way/2:0:b", 2, 1, "residential");
  city::Substation substation;
  substation.id = "tiny:substation/1";
  substation.position = {60, 40};
  city.grid.substations.push_back(substation);
  city.sensors.push_back({"urn:ngsi-ld:Device:rain-1", "RainGauge", {5, 5}, {"precipitation"}, ""});
  city.sensors.push_back({"urn:ngsi-ld:Device:counter-1", "TrafficCounter", {25, -10}, {"intensity"}, "tiny:way/1:0:f"});
  return city;
}

}  // namespace citytwin::testing
