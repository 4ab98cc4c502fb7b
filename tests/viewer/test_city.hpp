#pragma once

#include <cmath>
#include <string>

#include "citytwin/city/city_model.hpp"

namespace citytwin::viewer::testing {

// A small town the tests can picture:
//
//   north  ~~~~ hills (140 m) ~~~~
//          +----+----+----+----+      a 5 x 3 street grid (residential), buildings in each block:
//          | ## | ## | ## | ## |      4 per block, alternately residential, commercial, office
//          +----+----+----+----+
//          | ## | ## | ## | ## |
//          +====+====+====+====+      primary road along the valley side
//   ~~~~~~~~~~~~~ river valley (100 m), floods first ~~~~~~~~~~~~~
//   south  ~~~~ hills ~~~~
//
// 1000 m x 800 m in EPSG:32632, a 10 m DEM.
inline constexpr double kWest = 500000.0;
inline constexpr double kNorth = 5000800.0;
inline constexpr double kCell = 10.0;
inline constexpr double kRiverY = kNorth - 560.0;  // valley floor runs west-east here

inline double groundElevation(double x, double y) {
  const double fromRiver = std::fabs(y - kRiverY);
  return 100.0 + 40.0 * std::min(1.0, fromRiver / 300.0) + 3.0 * std::sin((x - kWest) / 90.0);
}

inline city::CityModel makeTestCity() {
  city::CityModel city;
  city.crsEpsg = 32632;
  city.name = "viewer test town";
  city.terrain = geo::RasterGrid(100, 80, kWest, kNorth, kCell);
  for (std::size_t row = 0; row < city.terrain.rows; ++row) {
    for (std::size_t column = 0; column < city.terrain.columns; ++column) {
      const geo::Vec2 c = city.terrain.cellCentre(column, row);
      city.terrain.at(column, row) = static_cast<float>(groundElevation(c.x, c.y));
    }
  }
  // Street grid: nodes every 150 m east, 120 m north, north of the valley.
  const int columns = 5;
  const int rows = 3;
  const auto nodeX = [](int i) { return kWest + 200.0 + 150.0 * i; };
  const auto nodeY = [](int j) { return kNorth - 380.0 + 120.0 * j; };
  for (int j = 0; j < rows; ++j) {
    for (int i = 0; i < columns; ++i) {
      city::RoadNode node;
      node.id = "test:node/" + std::to_string(j * columns + i);
      node.position = {nodeX(i), nodeY(j)};
      city.roads.nodes.push_back(node);
    }
  }
  const auto addStreet = [&](int from, int to, const std::string& highwayClass) {
    for (int direction = 0; direction < 2; ++direction) {
      const int a = direction == 0 ? from : to;
      const int b = direction == 0 ? to : from;
      city::RoadLink link;
      link.id = "test:way/" + std::to_string(from) + "-" + std::to_string(to) + (direction == 0 ? ":f" : ":b");
      link.from = static_cast<std::uint32_t>(a);
      link.to = static_cast<std::uint32_t>(b);
      link.geometry = {city.roads.nodes[a].position, city.roads.nodes[b].position};
      link.lengthM = geo::length(link.geometry);
      link.highwayClass = highwayClass;
      link.name = highwayClass == "primary" ? "Valley Road" : "Street " + std::to_string(from);
      city.roads.links.push_back(link);
    }
  };
  for (int j = 0; j < rows; ++j) {
    for (int i = 0; i + 1 < columns; ++i) addStreet(j * columns + i, j * columns + i + 1, j == 0 ? "primary" : "residential");
  }
  for (int j = 0; j + 1 < rows; ++j) {
    for (int i = 0; i < columns; ++i) addStreet(j * columns + i, (j + 1) * columns + i, "residential");
  }
  // Four buildings in each block, 24 m x 18 m, set back from the streets.
  const city::BuildingUse uses[3] = {city::BuildingUse::Residential, city::BuildingUse::Commercial, city::BuildingUse::Office};
  int count = 0;
  for (int j = 0; j + 1 < rows; ++j) {
    for (int i = 0; i + 1 < columns; ++i) {
      for (int k = 0; k < 4; ++k) {
        const double x0 = nodeX(i) + 25.0 + (k % 2) * 65.0;
        const double y0 = nodeY(j) + 22.0 + (k / 2) * 50.0;
        city::Building building;
        building.id = "test:building/" + std::to_string(count);
        building.footprint = {geo::Polygon{{{x0, y0}, {x0 + 34.0, y0}, {x0 + 34.0, y0 + 26.0}, {x0, y0 + 26.0}}, {}}};
        building.use = uses[count % 3];
        building.levels = 2 + count % 5;
        building.heightM = building.levels * city::kStoreyHeightM;
        building.heightSource = city::HeightSource::Generated;
        building.groundElevationM = groundElevation(x0, y0);
        city.buildings.push_back(building);
        ++count;
      }
    }
  }
  city::Sensor gauge;
  gauge.id = "urn:ngsi-ld:Device:river-gauge-1";
  gauge.type = "RiverGauge";
  gauge.position = {kWest + 500.0, kRiverY + 40.0};
  gauge.observedAttributes = {"waterLevel"};
  city.sensors.push_back(gauge);
  return city;
}

// Water depth over the valley floor: `halfWidthM` either side of the river, `depthM` deep at its centre.
inline geo::RasterGrid makeFloodDepth(double halfWidthM, double depthM) {
  geo::RasterGrid depth(100, 80, kWest, kNorth, kCell, 0.0f);
  for (std::size_t row = 0; row < depth.rows; ++row) {
    for (std::size_t column = 0; column < depth.columns; ++column) {
      const double fromRiver = std::fabs(depth.cellCentre(column, row).y - kRiverY);
      if (fromRiver < halfWidthM) depth.at(column, row) = static_cast<float>(depthM * (1.0 - 0.5 * fromRiver / halfWidthM));
    }
  }
  return depth;
}

}  // namespace citytwin::viewer::testing
