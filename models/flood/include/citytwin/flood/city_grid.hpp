#pragma once

#include <cstddef>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/flood/domain.hpp"

namespace citytwin::flood {

struct CityGridOptions {
  double cellSizeM = 0.0;  // 0 = the terrain's own cell size
  double groundManning = 0.035;
  double roadManning = 0.015;  // roads are smoother than gardens and fields
  double roadWidthM = 8.0;
  bool blockBuildings = true;
  // A cell is a wall only where building footprints cover more than this share of it (estimated from
  // 4 × 4 sample points per cell), so the gaps between buildings stay open.
  double buildingCoverToBlock = 0.5;
  bool keepStreetsOpen = true;  // road cells (not bridges or tunnels) are never walls
  double kerbHeightM = 0.0;     // street cells are lowered by this much below the resampled terrain
  double seaLevelM = 0.0;       // lowest sea level of the run: the ground of sea cells is at most this
  bool burnWaterways = true;    // rivers, streams, canals and drains cut channels (README: depth/width rules)
  // Buildings never dam still water deeper than this above what the bare terrain holds: where they
  // would, the lowest wall cell on the pocket's rim opens as a passage (a gate, an alley, a drain).
  // Negative: no passages.
  double buildingDamDepthM = 0.3;
  bool freeEdges = true;  // the domain's edges let water out (for the passages' spill analysis)
};

// What a cell of the flood grid is, beside its ground.
enum class CellWater : unsigned char {
  Land = 0,
  Sea = 1,        // inside the water layer's sea: a fixed-level boundary where it touches land, else a wall
  Permanent = 2,  // a lake, pond, reservoir, riverbank or burnt channel: holds water in dry weather
};

// The rain on one building's roof cells (walls of the grid) and the open cells it runs off onto.
struct RoofDrain {
  std::size_t building = 0;
  double roofAreaM2 = 0.0;               // blocked cells whose larger share belongs to this building
  std::size_t firstRoofCell = 0;         // for the rain zone the roof lies in
  std::vector<std::size_t> outletCells;  // open cells next to the roof, on its downhill side
};

// The flood grid of a city and, for each city object, the cells its flood depth is read from.
struct CityGrid {
  Domain domain;
  std::vector<CellWater> water;               // per cell
  std::vector<std::size_t> seaBoundaryCells;  // open sea cells (fixed level)
  std::size_t passages = 0;                   // wall cells opened so buildings dam no pocket
  std::vector<RoofDrain> roofs;
  std::vector<std::vector<std::size_t>> buildingCells;    // open land cells touching the footprint
  std::vector<std::vector<std::size_t>> roadLinkCells;    // open land cells along the link
  std::vector<std::vector<std::size_t>> substationCells;  // the site's cell and its neighbours
  std::vector<std::size_t> sensorCells;                   // cell of each sensor (SIZE_MAX outside)

  // Open land: cells that count in flood figures (not walls, not sea, not permanent water).
  bool countsAsFlood(std::size_t cell) const {
    return !domain.isBlocked(cell) && (water.empty() || water[cell] == CellWater::Land);
  }
};

// Resamples the terrain (bilinear) to the cell size; marks the water layer's sea and permanent water;
// cuts waterway channels; blocks cells mostly covered by buildings (keeping streets open); rasterises
// roads as smoother Manning. Throws Error when the city has no terrain.
CityGrid buildCityGrid(const city::CityModel& city, const CityGridOptions& options);

// Channel width and depth of a waterway: the tagged values, else the defaults of its kind (README).
double channelWidthM(const city::Waterway& way);
double channelDepthM(const city::Waterway& way);

// Open cells whose centre lies inside the polygon / within `halfWidth` of the polyline.
std::vector<std::size_t> cellsInside(const Domain& domain, const geo::Polygon& polygon);
std::vector<std::size_t> cellsAlong(const Domain& domain, const geo::Polyline& line, double halfWidth);

}  // namespace citytwin::flood
