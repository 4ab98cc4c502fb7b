#pragma once

#include <cstddef>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/flood/domain.hpp"

namespace citytwin::flood {

struct CityGridOptions {
  double cellSizeM = 0.0;          // 0 = the terrain's own cell size
  double groundManning = 0.035;
  double roadManning = 0.015;      // roads are smoother than gardens and fields
  double roadWidthM = 8.0;
  bool blockBuildings = true;
};

// The flood grid of a city and, for each city object, the cells its flood depth is read from.
struct CityGrid {
  Domain domain;
  std::vector<std::vector<std::size_t>> buildingCells;    // open cells touching the footprint
  std::vector<std::vector<std::size_t>> roadLinkCells;    // open cells along the link
  std::vector<std::vector<std::size_t>> substationCells;  // the site's cell and its neighbours
  std::vector<std::size_t> sensorCells;                   // cell of each sensor (SIZE_MAX outside)
};

// Resamples the terrain (bilinear) to the cell size, blocks building footprints, rasterises roads as
// smoother Manning. Throws Error when the city has no terrain.
CityGrid buildCityGrid(const city::CityModel& city, const CityGridOptions& options);

// Open cells whose centre lies inside the polygon / within `halfWidth` of the polyline.
std::vector<std::size_t> cellsInside(const Domain& domain, const geo::Polygon& polygon);
std::vector<std::size_t> cellsAlong(const Domain& domain, const geo::Polyline& line, double halfWidth);

}  // namespace citytwin::flood
