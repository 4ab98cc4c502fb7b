#include "citytwin/flood/city_grid.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>

#include "citytwin/core/error.hpp"
#include "citytwin/flood/spill_analysis.hpp"

namespace citytwin::flood {
namespace {

struct CellRange {
  std::size_t c0 = 0, c1 = 0, r0 = 0, r1 = 0;  // inclusive; empty when c0 > c1
};

CellRange rangeOf(const Domain& d, const geo::BBox& box) {
  CellRange range;
  const double cMin = std::floor((box.minX - d.west) / d.cellSize),
               cMax = std::floor((box.maxX - d.west) / d.cellSize);
  const double rMin = std::floor((d.north - box.maxY) / d.cellSize),
               rMax = std::floor((d.north - box.minY) / d.cellSize);
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
      if (geo::distanceToPolyline(line, {d.cellCentreX(c), d.cellCentreY(r)}) <= reach)
        cells.push_back(r * d.columns + c);
  return cells;
}

double channelWidthM(const city::Waterway& way) {
  if (way.widthM > 0) return way.widthM;
  switch (way.kind) {
    case city::WaterKind::River:
      return 10.0;
    case city::WaterKind::Canal:
      return 8.0;
    case city::WaterKind::Stream:
      return 2.0;
    case city::WaterKind::Drain:
      return 1.5;
    default:
      return 2.0;
  }
}

double channelDepthM(const city::Waterway& way) {
  if (way.depthM > 0) return way.depthM;
  switch (way.kind) {
    case city::WaterKind::River:
      return 2.0;
    case city::WaterKind::Canal:
      return 2.0;
    case city::WaterKind::Stream:
      return 0.5;
    case city::WaterKind::Drain:
      return 0.5;
    default:
      return 0.5;
  }
}

namespace {

constexpr int kCoverSamples = 4;  // per cell side: 16 points estimate the share a footprint covers

void forEachNeighbour4(const Domain& d, std::size_t i, const auto& visit) {
  const std::size_t r = i / d.columns, c = i % d.columns;
  if (c > 0) visit(i - 1);
  if (c + 1 < d.columns) visit(i + 1);
  if (r > 0) visit(i - d.columns);
  if (r + 1 < d.rows) visit(i + d.columns);
}

void forEachNeighbour8(const Domain& d, std::size_t i, const auto& visit) {
  const std::size_t r = i / d.columns, c = i % d.columns;
  for (int dr = -1; dr <= 1; ++dr)
    for (int dc = -1; dc <= 1; ++dc) {
      if (dr == 0 && dc == 0) continue;
      const long long rr = static_cast<long long>(r) + dr, cc = static_cast<long long>(c) + dc;
      if (rr < 0 || cc < 0 || rr >= static_cast<long long>(d.rows) || cc >= static_cast<long long>(d.columns))
        continue;
      visit(static_cast<std::size_t>(rr) * d.columns + static_cast<std::size_t>(cc));
    }
}

// Bits of the 4 × 4 sample points of each cell that lie inside the footprint.
std::vector<std::pair<std::size_t, std::uint16_t>> footprintCover(const Domain& d,
                                                                  const geo::MultiPolygon& footprint) {
  std::vector<std::pair<std::size_t, std::uint16_t>> cover;
  for (const geo::Polygon& part : footprint) {
    const CellRange range = rangeOf(d, geo::bounds(part.outer));
    if (range.c0 > range.c1) continue;
    for (std::size_t r = range.r0; r <= range.r1; ++r)
      for (std::size_t c = range.c0; c <= range.c1; ++c) {
        std::uint16_t bits = 0;
        for (int sy = 0; sy < kCoverSamples; ++sy)
          for (int sx = 0; sx < kCoverSamples; ++sx) {
            const geo::Vec2 p{d.west + (static_cast<double>(c) + (sx + 0.5) / kCoverSamples) * d.cellSize,
                              d.north - (static_cast<double>(r) + (sy + 0.5) / kCoverSamples) * d.cellSize};
            if (geo::contains(part, p))
              bits = static_cast<std::uint16_t>(bits | (1u << (sy * kCoverSamples + sx)));
          }
        if (bits != 0) cover.emplace_back(r * d.columns + c, bits);
      }
  }
  std::sort(cover.begin(), cover.end());
  std::vector<std::pair<std::size_t, std::uint16_t>> merged;
  for (const auto& [cell, bits] : cover) {
    if (!merged.empty() && merged.back().first == cell)
      merged.back().second = static_cast<std::uint16_t>(merged.back().second | bits);
    else
      merged.emplace_back(cell, bits);
  }
  return merged;
}

// Lowers the cells along a waterway to a bed that never rises downstream (OSM draws waterways in the
// direction of flow), so the channel drains even where the coarse terrain has bumps along it.
void burnChannel(Domain& d, const std::vector<CellWater>& water, const std::vector<unsigned char>& noData,
                 const geo::RasterGrid& terrain, const city::Waterway& way,
                 std::vector<unsigned char>& channel) {
  const double depth = channelDepthM(way);
  std::vector<geo::Vec2> samples;
  std::vector<double> bed;
  double running = std::numeric_limits<double>::infinity();
  const double step = 0.25 * d.cellSize;
  for (std::size_t k = 0; k + 1 < way.line.size(); ++k) {
    const geo::Vec2 a = way.line[k], b = way.line[k + 1];
    const auto count = static_cast<std::size_t>(std::ceil(geo::distance(a, b) / step));
    for (std::size_t s = 0; s <= count; ++s) {
      const double f = count == 0 ? 0.0 : static_cast<double>(s) / static_cast<double>(count);
      const geo::Vec2 p{a.x + f * (b.x - a.x), a.y + f * (b.y - a.y)};
      const auto z = terrain.sample(p);
      if (z && std::isfinite(*z)) running = std::min(running, *z - depth);
      if (!std::isfinite(running)) continue;
      samples.push_back(p);
      bed.push_back(running);
    }
  }
  if (samples.empty()) return;
  // Wide enough that the channel is connected through cell faces even where it runs diagonally.
  for (std::size_t i : cellsAlong(d, way.line, std::max(0.5 * channelWidthM(way), 0.75 * d.cellSize))) {
    if (water[i] == CellWater::Sea || noData[i]) continue;
    const geo::Vec2 centre{d.cellCentreX(i % d.columns), d.cellCentreY(i / d.columns)};
    std::size_t nearest = 0;
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t s = 0; s < samples.size(); ++s) {
      const double dist = std::hypot(samples[s].x - centre.x, samples[s].y - centre.y);
      if (dist < best) {
        best = dist;
        nearest = s;
      }
    }
    d.elevation[i] = std::min(d.elevation[i], bed[nearest]);
    channel[i] = 1;
  }
}

// Opens wall cells until buildings dam no pocket deeper than `tolerance` above what the terrain without
// them holds (walled-in courtyards included): in each such pocket, the wall cell on its rim where the
// bare terrain's water would leave lowest becomes open ground. Returns how many cells it opened.
std::size_t openPassages(Domain& d, std::vector<unsigned char>& roof, std::span<const double> outlets,
                         bool freeEdges, double tolerance) {
  Domain bare = d;
  for (std::size_t i = 0; i < d.cellCount(); ++i)
    if (roof[i]) bare.blocked[i] = 0;
  const SpillAnalysis terrain = analyseSpill(bare, outlets, freeEdges);
  std::size_t opened = 0;
  std::vector<unsigned char> dammed(d.cellCount(), 0), seen(d.cellCount(), 0);
  while (true) {
    const SpillAnalysis walled = analyseSpill(d, outlets, freeEdges);
    bool any = false;
    for (std::size_t i = 0; i < d.cellCount(); ++i) {
      dammed[i] = !d.isBlocked(i) && walled.spillLevel[i] > terrain.spillLevel[i] + tolerance;
      any = any || dammed[i];
    }
    if (!any) break;
    std::fill(seen.begin(), seen.end(), 0);
    std::vector<std::size_t> toOpen;
    for (std::size_t start = 0; start < d.cellCount(); ++start) {
      if (!dammed[start] || seen[start]) continue;
      // One pocket: the dammed cells connected to `start`; its best passage is the rim's wall cell the
      // bare terrain drains through lowest (ties: the lower index).
      std::vector<std::size_t> stack{start};
      seen[start] = 1;
      std::size_t best = std::numeric_limits<std::size_t>::max();
      while (!stack.empty()) {
        const std::size_t i = stack.back();
        stack.pop_back();
        forEachNeighbour4(d, i, [&](std::size_t j) {
          if (dammed[j] && !seen[j]) {
            seen[j] = 1;
            stack.push_back(j);
          } else if (roof[j] &&
                     (best == std::numeric_limits<std::size_t>::max() ||
                      std::pair(terrain.spillLevel[j], j) < std::pair(terrain.spillLevel[best], best))) {
            best = j;
          }
        });
      }
      if (best != std::numeric_limits<std::size_t>::max()) toOpen.push_back(best);
    }
    if (toOpen.empty()) break;  // dammed by something other than buildings (no-data walls)
    for (std::size_t i : toOpen) {
      if (!roof[i]) continue;
      roof[i] = 0;
      d.blocked[i] = 0;
      ++opened;
    }
  }
  return opened;
}

}  // namespace

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
  const std::size_t n = d.cellCount();
  d.elevation.assign(n, 0.0);
  d.blocked.assign(n, 0);
  std::vector<unsigned char> noData(n, 0);
  for (std::size_t r = 0; r < d.rows; ++r)
    for (std::size_t c = 0; c < d.columns; ++c) {
      const auto z = terrain.sample({d.cellCentreX(c), d.cellCentreY(r)});
      const std::size_t i = r * d.columns + c;
      if (z && std::isfinite(*z))
        d.elevation[i] = *z;
      else
        noData[i] = 1;
    }

  // Water layer: the sea's ground is at most the sea level (a DEM shows the sea as 0 m or no data);
  // lakes and ponds keep their ground and are only kept out of the flood figures.
  grid.water.assign(n, CellWater::Land);
  for (const city::WaterArea& area : city.water.areas)
    for (const geo::Polygon& part : area.area)
      for (std::size_t i : cellsInside(d, part)) {
        if (area.kind == city::WaterKind::Sea)
          grid.water[i] = CellWater::Sea;
        else if (grid.water[i] == CellWater::Land)
          grid.water[i] = CellWater::Permanent;
      }
  for (std::size_t i = 0; i < n; ++i) {
    if (grid.water[i] != CellWater::Sea) continue;
    d.elevation[i] = noData[i] ? options.seaLevelM : std::min(d.elevation[i], options.seaLevelM);
    noData[i] = 0;
  }
  if (options.burnWaterways) {
    std::vector<unsigned char> channel(n, 0);
    for (const city::Waterway& way : city.water.waterways)
      if (!way.underground) burnChannel(d, grid.water, noData, terrain, way, channel);
    for (std::size_t i = 0; i < n; ++i)
      if (channel[i] && grid.water[i] == CellWater::Land) grid.water[i] = CellWater::Permanent;
  }
  for (std::size_t i = 0; i < n; ++i)
    if (noData[i]) d.blocked[i] = 1;

  // Roads: smoother ground; with keepStreetsOpen a swath wide enough to be connected through cell
  // faces is never a wall, and may sit a kerb below the pavements.
  d.manning.assign(n, static_cast<float>(options.groundManning));
  std::vector<unsigned char> street(n, 0);
  grid.roadLinkCells.resize(city.roads.links.size());
  for (std::size_t k = 0; k < city.roads.links.size(); ++k) {
    const auto& link = city.roads.links[k];
    grid.roadLinkCells[k] = cellsAlong(d, link.geometry, 0.5 * options.roadWidthM);
    if (link.bridge || link.tunnel) continue;  // a bridge deck or a tunnel is not the ground surface
    for (std::size_t i : grid.roadLinkCells[k]) d.manning[i] = static_cast<float>(options.roadManning);
    for (std::size_t i : cellsAlong(d, link.geometry, std::max(0.5 * options.roadWidthM, 0.75 * d.cellSize)))
      if (grid.water[i] == CellWater::Land && !noData[i]) street[i] = 1;
  }
  if (options.kerbHeightM > 0)
    for (std::size_t i = 0; i < n; ++i)
      if (street[i]) d.elevation[i] -= options.kerbHeightM;

  // Buildings: the share of each cell their footprints cover (all buildings together decide a wall);
  // a wall cell's roof belongs to the building that covers most of it.
  std::vector<std::uint16_t> covered(n, 0);
  std::vector<int> coverOfOwner(n, 0);
  std::vector<std::size_t> owner(n, std::numeric_limits<std::size_t>::max());
  std::vector<std::vector<std::size_t>> touched(city.buildings.size());
  for (std::size_t b = 0; b < city.buildings.size(); ++b)
    for (const auto& [i, bits] : footprintCover(d, city.buildings[b].footprint)) {
      covered[i] = static_cast<std::uint16_t>(covered[i] | bits);
      touched[b].push_back(i);
      const int count = std::popcount(bits);
      if (count > coverOfOwner[i]) {
        coverOfOwner[i] = count;
        owner[i] = b;
      }
    }
  const int wallSamples =
      static_cast<int>(std::floor(options.buildingCoverToBlock * kCoverSamples * kCoverSamples));
  std::vector<unsigned char> roof(n, 0);
  if (options.blockBuildings)
    for (std::size_t i = 0; i < n; ++i)
      if (std::popcount(covered[i]) > wallSamples && !(options.keepStreetsOpen && street[i]) &&
          !d.isBlocked(i)) {
        d.blocked[i] = 1;
        roof[i] = 1;
      }

  // The sea is a fixed-level boundary where it meets open land; farther out it is a wall the solver skips.
  for (std::size_t i = 0; i < n; ++i) {
    if (grid.water[i] != CellWater::Sea || d.isBlocked(i)) continue;
    bool coast = false;
    forEachNeighbour4(
        d, i, [&](std::size_t j) { coast = coast || (!d.isBlocked(j) && grid.water[j] != CellWater::Sea); });
    if (coast) grid.seaBoundaryCells.push_back(i);
  }
  for (std::size_t i = 0; i < n; ++i)
    if (grid.water[i] == CellWater::Sea &&
        !std::binary_search(grid.seaBoundaryCells.begin(), grid.seaBoundaryCells.end(), i))
      d.blocked[i] = 1;
  if (options.blockBuildings && options.buildingDamDepthM >= 0) {
    std::vector<double> outlets(n, std::numeric_limits<double>::quiet_NaN());
    for (std::size_t i : grid.seaBoundaryCells) outlets[i] = options.seaLevelM;
    grid.passages = openPassages(d, roof, outlets, options.freeEdges, options.buildingDamDepthM);
  }

  // Roof rain runs off onto the open cells around the roof, on its downhill side: the lowest third of
  // them (at least one). A roof walled in by other roofs drains to the nearest open cells beyond them.
  std::vector<std::vector<std::size_t>> roofCells(city.buildings.size());
  for (std::size_t i = 0; i < n; ++i)
    if (roof[i] && owner[i] < city.buildings.size()) roofCells[owner[i]].push_back(i);
  std::vector<std::size_t> seenBy(n, std::numeric_limits<std::size_t>::max());
  for (std::size_t b = 0; b < city.buildings.size(); ++b) {
    if (roofCells[b].empty()) continue;
    RoofDrain drain;
    drain.building = b;
    drain.roofAreaM2 = static_cast<double>(roofCells[b].size()) * cell * cell;
    drain.firstRoofCell = roofCells[b].front();
    std::vector<std::size_t> frontier = roofCells[b], outlets;
    for (std::size_t i : roofCells[b]) seenBy[i] = b;
    for (int ring = 0; ring < 64 && outlets.empty() && !frontier.empty(); ++ring) {
      std::vector<std::size_t> next;
      for (std::size_t i : frontier)
        forEachNeighbour4(d, i, [&](std::size_t j) {
          if (seenBy[j] == b) return;
          seenBy[j] = b;
          if (!d.isBlocked(j))
            outlets.push_back(j);
          else if (!noData[j] && grid.water[j] != CellWater::Sea)
            next.push_back(j);
        });
      frontier = std::move(next);
    }
    if (outlets.empty()) continue;  // no open cell reachable: the roof's rain stays out of the grid
    std::sort(outlets.begin(), outlets.end(), [&](std::size_t a, std::size_t c) {
      return std::pair(d.elevation[a], a) < std::pair(d.elevation[c], c);
    });
    outlets.resize(std::max<std::size_t>(1, outlets.size() / 3));
    std::sort(outlets.begin(), outlets.end());
    drain.outletCells = std::move(outlets);
    grid.roofs.push_back(std::move(drain));
  }

  // A building's flood depth is the water against its walls: the open land cells its footprint touches
  // and those next to its roof cells (or around its point on surface when it touches no cell).
  grid.buildingCells.resize(city.buildings.size());
  for (std::size_t b = 0; b < city.buildings.size(); ++b) {
    std::vector<std::size_t> around;
    auto add = [&](std::size_t j) {
      if (grid.countsAsFlood(j)) around.push_back(j);
    };
    for (std::size_t i : touched[b]) add(i);
    for (std::size_t i : roofCells[b]) forEachNeighbour8(d, i, add);
    if (around.empty()) {
      std::size_t c = 0, r = 0;
      const geo::Vec2 p = geo::pointOnSurface(city.buildings[b].footprint);
      if (d.cellAt(p.x, p.y, c, r)) {
        add(r * d.columns + c);
        forEachNeighbour8(d, r * d.columns + c, add);
      }
    }
    std::sort(around.begin(), around.end());
    around.erase(std::unique(around.begin(), around.end()), around.end());
    grid.buildingCells[b] = std::move(around);
  }
  for (auto& cells : grid.roadLinkCells)
    std::erase_if(cells, [&](std::size_t i) { return !grid.countsAsFlood(i); });
  grid.substationCells.resize(city.grid.substations.size());
  for (std::size_t s = 0; s < city.grid.substations.size(); ++s) {
    const geo::Vec2 p = city.grid.substations[s].position;
    grid.substationCells[s] = cellsAlong(d, {p}, d.cellSize);
    std::erase_if(grid.substationCells[s], [&](std::size_t i) { return !grid.countsAsFlood(i); });
  }
  grid.sensorCells.resize(city.sensors.size(), std::numeric_limits<std::size_t>::max());
  for (std::size_t s = 0; s < city.sensors.size(); ++s) {
    std::size_t c = 0, r = 0;
    if (d.cellAt(city.sensors[s].position.x, city.sensors[s].position.y, c, r))
      grid.sensorCells[s] = r * d.columns + c;
  }
  return grid;
}

}  // namespace citytwin::flood
