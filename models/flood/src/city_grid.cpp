#include "citytwin/flood/city_grid.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "citytwin/core/error.hpp"

namespace citytwin::flood {
namespace {

struct CellRange {
  std::size_t c0 = 0, c1 = 0, r0 = 0, r1 = 0;  // inclusive; empty when c0 > c1
};

CellRange rangeOf(const Domain& d, const geo::BBox& box) {
  CellRange range;
  const double cMin = std::floor((box.minX - d.west) / d.cellSize), cMax = std::floor((box.maxX - d.west) / d.cellSize);
  const double rMin = std::floor((d.north - box.maxY) / d.cellSize), rMax = std::floor((d.north - box.minY) / d.cellSize);
  const double lastC = static_cast<double>(d.columns) - 1, lastR = static_cast<double>(d.rows) - 1;
  if (box.empty() || cMax < 0 || rMax < 0 || cMin > lastC || rMin > lastR) {
    range.c0 = 1;
    return range;
  }
  range.c0 = static_cast<std::size_t>(std::max(0.0, cMin));
  range.c1 = static_cast<std::size_t>(std::min(lastC, cMax));
  range.r0 = static_cast<std::size_t>(std::max(0.0, rMin));
  range.r1 = static_cast<std::size_t>(std::min(lastR, rMax));
  return range;
}

}  // namespace

std::vector<std::size_t> cellsInside(const Domain& d, const geo::Polygon& polygon) {
  std::vector<std::size_t> cells;
  const CellRange range = rangeOf(d, geo::bounds(polygon.outer));
  if (range.c0 > range.c1) return cells;
  for (std::size_t r = range.r0; r <= range.r1; ++r)
    for (std::size_t c = range.c0; c <= range.c1; ++c)
      if (geo::contains(polygon, {d.cellCentreX(c), d.cellCentreY(r)})) cells.push_back(r * d.columns + c);
  return cells;
}

std::vector<std::size_t> cellsAlong(const Domain& d, const geo::Polyline& line, double halfWidth) {
  std::vector<std::size_t> cells;
  if (line.empty()) return cells;
  geo::BBox box;
  for (const geo::Vec2& p : line) box.expand(p);
  const double reach = std::max(halfWidth, 0.5 * d.cellSize);
  box.minX -= reach;
  box.minY -= reach;
  box.maxX += reach;
  box.maxY += reach;
  const CellRange range = rangeOf(d, box);
  if (range.c0 > range.c1) return cells;
  for (std::size_t r = range.r0; r <= range.r1; ++r)
    for (std::size_t c = range.c0; c <= range.c1; ++c)
      if (geo::distanceToPolyline(line, {d.cellCentreX(c), d.cellCentreY(r)}) <= reach) cells.push_back(r * d.columns + c);
  return cells;
}

CityGrid buildCityGrid(const city::CityModel& city, const CityGridOptions& options) {
  const geo::RasterGrid& terrain = city.terrain;
  if (terrain.empty()) throw Error("flood: the city has no terrain raster to build the flood grid from");
  const double cell = options.cellSizeM > 0 ? options.cellSizeM : terrain.cellSize;
  CityGrid grid;
  Domain& d = grid.domain;
  const geo::BBox extent = terrain.extent();
  d.cellSize = cell;
  d.columns = std::max<std::size_t>(2, static_cast<std::size_t>(std::floor(extent.width() / cell)));
  d.rows = std::max<std::size_t>(1, static_cast<std::size_t>(std::floor(extent.height() / cell)));
  d.west = extent.minX;
  d.north = extent.maxY;
  d.uniformManning = options.groundManning;
  d.elevation.resize(d.cellCount());
  d.blocked.assign(d.cellCount(), 0);
  for (std::size_t r = 0; r < d.rows; ++r)
    for (std::size_t c = 0; c < d.columns; ++c) {
      const auto z = terrain.sample({d.cellCentreX(c), d.cellCentreY(r)});
      const std::size_t i = r * d.columns + c;
      if (z && std::isfinite(*z)) d.elevation[i] = *z;
      else d.blocked[i] = 1;
    }
  d.manning.assign(d.cellCount(), static_cast<float>(options.groundManning));
  grid.roadLinkCells.resize(city.roads.links.size());
  for (std::size_t k = 0; k < city.roads.links.size(); ++k) {
    const auto& link = city.roads.links[k];
    grid.roadLinkCells[k] = cellsAlong(d, link.geometry, 0.5 * options.roadWidthM);
    if (link.bridge || link.tunnel) continue;  // a bridge deck or a tunnel is not the ground surface
    for (std::size_t i : grid.roadLinkCells[k]) d.manning[i] = static_cast<float>(options.roadManning);
  }
  grid.buildingCells.resize(city.buildings.size());
  std::vector<std::vector<std::size_t>> footprints(city.buildings.size());
  for (std::size_t b = 0; b < city.buildings.size(); ++b) {
    for (const geo::Polygon& part : city.buildings[b].footprint) {
      auto inside = cellsInside(d, part);
      footprints[b].insert(footprints[b].end(), inside.begin(), inside.end());
    }
    if (options.blockBuildings)
      for (std::size_t i : footprints[b]) d.blocked[i] = 1;
  }
  // A building's flood depth is the water against its walls: the open cells next to its footprint
  // (or its own cells when footprints are not blocked, or the footprint is smaller than a cell).
  for (std::size_t b = 0; b < city.buildings.size(); ++b) {
    std::vector<std::size_t> around;
    auto addNeighbours = [&](std::size_t i) {
      const std::size_t r = i / d.columns, c = i % d.columns;
      for (int dr = -1; dr <= 1; ++dr)
        for (int dc = -1; dc <= 1; ++dc) {
          const long long rr = static_cast<long long>(r) + dr, cc = static_cast<long long>(c) + dc;
          if (rr < 0 || cc < 0 || rr >= static_cast<long long>(d.rows) || cc >= static_cast<long long>(d.columns)) continue;
          const std::size_t j = static_cast<std::size_t>(rr) * d.columns + static_cast<std::size_t>(cc);
          if (!d.isBlocked(j)) around.push_back(j);
        }
    };
    if (footprints[b].empty()) {
      std::size_t c = 0, r = 0;
      const geo::Vec2 p = geo::pointOnSurface(city.buildings[b].footprint);
      if (d.cellAt(p.x, p.y, c, r)) addNeighbours(r * d.columns + c);
    } else {
      for (std::size_t i : footprints[b]) {
        if (!d.isBlocked(i)) around.push_back(i);
        addNeighbours(i);
      }
    }
    std::sort(around.begin(), around.end());
    around.erase(std::unique(around.begin(), around.end()), around.end());
    grid.buildingCells[b] = std::move(around);
  }
  for (auto& cells : grid.roadLinkCells)
    cells.erase(std::remove_if(cells.begin(), cells.end(), [&](std::size_t i) { return d.isBlocked(i); }), cells.end());
  grid.substationCells.resize(city.grid.substations.size());
  for (std::size_t s = 0; s < city.grid.substations.size(); ++s) {
    const geo::Vec2 p = city.grid.substations[s].position;
    grid.substationCells[s] = cellsAlong(d, {p}, d.cellSize);
    std::erase_if(grid.substationCells[s], [&](std::size_t i) { return d.isBlocked(i); });
  }
  grid.sensorCells.resize(city.sensors.size(), std::numeric_limits<std::size_t>::max());
  for (std::size_t s = 0; s < city.sensors.size(); ++s) {
    std::size_t c = 0, r = 0;
    if (d.cellAt(city.sensors[s].position.x, city.sensors[s].position.y, c, r)) grid.sensorCells[s] = r * d.columns + c;
  }
  return grid;
}

}  // namespace citytwin::flood
