// The spill analysis (priority-flood depression filling) and the city grid's rules that keep streets
// open, block only cells mostly under buildings, mark the sea and cut waterway channels.

#include "citytwin/flood/spill_analysis.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "citytwin/flood/city_grid.hpp"

using namespace citytwin;
using namespace citytwin::flood;

namespace {

Domain flatDomain(std::size_t columns, std::size_t rows, double z = 10.0) {
  Domain d;
  d.columns = columns;
  d.rows = rows;
  d.cellSize = 1.0;
  d.elevation.assign(columns * rows, z);
  d.blocked.assign(columns * rows, 0);
  return d;
}

const std::vector<double> kNoOutlets;

// The defining property of depression filling: a cell's spill level is its ground or the lowest
// spill level of its open neighbours, whichever is higher (outlets excepted), and never below ground.
void checkFixedPoint(const Domain& d, const SpillAnalysis& spill, bool freeEdges) {
  for (std::size_t r = 0; r < d.rows; ++r)
    for (std::size_t c = 0; c < d.columns; ++c) {
      const std::size_t i = r * d.columns + c;
      if (d.isBlocked(i) || !std::isfinite(spill.spillLevel[i])) continue;
      CHECK(spill.spillLevel[i] >= d.elevation[i]);
      if (freeEdges && (r == 0 || c == 0 || r + 1 == d.rows || c + 1 == d.columns)) {
        CHECK(spill.spillLevel[i] == d.elevation[i]);
        continue;
      }
      double lowest = std::numeric_limits<double>::infinity();
      auto look = [&](std::size_t j) {
        if (!d.isBlocked(j)) lowest = std::min(lowest, spill.spillLevel[j]);
      };
      if (c > 0) look(i - 1);
      if (c + 1 < d.columns) look(i + 1);
      if (r > 0) look(i - d.columns);
      if (r + 1 < d.rows) look(i + d.columns);
      CHECK(spill.spillLevel[i] == std::max(d.elevation[i], lowest));
    }
}

}  // namespace

TEST_CASE("spill analysis: a bowl fills to its lowest rim, a walled pocket to the wall's gap") {
  Domain d = flatDomain(7, 7);
  // A 3 × 3 hollow 2 m deep in the middle, with a rim 1 m high and a notch 0.4 m high on the east.
  for (std::size_t r = 1; r <= 5; ++r)
    for (std::size_t c = 1; c <= 5; ++c) d.elevation[r * 7 + c] = 11.0;
  for (std::size_t r = 2; r <= 4; ++r)
    for (std::size_t c = 2; c <= 4; ++c) d.elevation[r * 7 + c] = 8.0;
  d.elevation[3 * 7 + 5] = 10.4;
  const SpillAnalysis spill = analyseSpill(d, kNoOutlets, true);
  CHECK(spill.enclosedCells == 0);
  CHECK(spill.pocketDepth(d, 3 * 7 + 3) == doctest::Approx(2.4));
  CHECK(spill.deepestPocket(d) == doctest::Approx(2.4));
  CHECK(spill.pocketDepth(d, 0) == 0.0);
  checkFixedPoint(d, spill, true);

  // A wall of blocked cells across the notch: now the rim at 11 m holds the water.
  d.blocked[3 * 7 + 5] = 1;
  const SpillAnalysis walled = analyseSpill(d, kNoOutlets, true);
  CHECK(walled.pocketDepth(d, 3 * 7 + 3) == doctest::Approx(3.0));
  CHECK(std::isnan(walled.spillLevel[3 * 7 + 5]));
  checkFixedPoint(d, walled, true);

  // Walls all round: no way out at any level.
  for (std::size_t r = 1; r <= 5; ++r)
    for (std::size_t c = 1; c <= 5; ++c)
      if (r == 1 || r == 5 || c == 1 || c == 5) d.blocked[r * 7 + c] = 1;
  const SpillAnalysis enclosed = analyseSpill(d, kNoOutlets, true);
  CHECK(enclosed.enclosedCells == 9);
  CHECK(std::isinf(enclosed.pocketDepth(d, 3 * 7 + 3)));
}

TEST_CASE("spill analysis: a fixed-level outlet drains to its level; closed edges keep water in") {
  Domain d = flatDomain(5, 1);
  d.elevation = {1.0, 3.0, 2.0, 3.0, 0.0};
  std::vector<double> outlets(5, std::numeric_limits<double>::quiet_NaN());
  outlets[4] = 0.5;  // the sea at 0.5 m
  const SpillAnalysis spill = analyseSpill(d, outlets, false);
  CHECK(spill.spillLevel[4] == 0.5);
  CHECK(spill.spillLevel[2] == 3.0);
  CHECK(spill.spillLevel[0] == 3.0);
  CHECK(spill.pocketDepth(d, 0) == 2.0);
  const SpillAnalysis none = analyseSpill(d, kNoOutlets, false);
  CHECK(none.enclosedCells == 5);
}

TEST_CASE(
    "spill analysis: on random terrain with walls every open cell has a path to an outlet at its level") {
  std::mt19937 random(7);
  std::uniform_real_distribution<double> height(0.0, 5.0);
  std::bernoulli_distribution wall(0.2);
  Domain d = flatDomain(60, 40);
  for (std::size_t i = 0; i < d.cellCount(); ++i) {
    d.elevation[i] = height(random);
    d.blocked[i] = wall(random) ? 1 : 0;
  }
  const SpillAnalysis spill = analyseSpill(d, kNoOutlets, true);
  checkFixedPoint(d, spill, true);
  // With the fixed point, every cell with a finite spill level has a neighbour whose level is no higher,
  // down to an outlet; the rest are walls or walled in.
  std::size_t reachable = 0;
  for (std::size_t i = 0; i < d.cellCount(); ++i)
    if (!d.isBlocked(i) && std::isfinite(spill.spillLevel[i])) ++reachable;
  CHECK(reachable + spill.enclosedCells + [&] {
    std::size_t blocked = 0;
    for (unsigned char b : d.blocked) blocked += b;
    return blocked;
  }() == d.cellCount());
  CHECK(spill.enclosedCells > 0);  // 20 % walls leave some cells walled in
}

TEST_CASE(
    "city grid: only cells mostly under a building are walls, streets stay open, the sea is a boundary") {
  city::CityModel city;
  city.crsEpsg = 32632;
  // 10 × 10 cells of 10 m, the ground falling 0.1 m per cell to the east; the DEM has no data over the
  // sea's outer column (as many DEMs leave the sea) and 0 m over its inner one (as SRTM does).
  city.terrain = geo::RasterGrid(10, 10, 0.0, 100.0, 10.0);
  for (std::size_t r = 0; r < 10; ++r)
    for (std::size_t c = 0; c < 10; ++c)
      city.terrain.at(c, r) = c == 9   ? city.terrain.noData
                              : c == 8 ? 0.0f
                                       : static_cast<float>(5.0 - 0.1 * static_cast<double>(c));
  auto square = [](double x0, double y0, double x1, double y1) {
    city::Building b;
    b.footprint = {geo::Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}, {}}};
    return b;
  };
  city.buildings.push_back(square(10, 80, 17, 90));  // covers 70 % of cell (1, 1)
  city.buildings.push_back(square(30, 80, 34, 90));  // covers 40 % of cell (3, 1)
  city.buildings.push_back(square(50, 50, 70, 70));  // four whole cells (5..6, 3..4), crossed by a street
  city::RoadLink street;
  street.geometry = {{0, 65}, {100, 65}};  // along row 3
  city.roads.links.push_back(street);
  // The sea: the two eastern columns.
  city.water.areas.push_back(
      {"coastline", city::WaterKind::Sea, {geo::Polygon{{{80, 0}, {100, 0}, {100, 100}, {80, 100}}, {}}}});
  CityGridOptions options;
  options.cellSizeM = 10;
  const CityGrid grid = buildCityGrid(city, options);
  const Domain& d = grid.domain;
  auto at = [&](std::size_t c, std::size_t r) { return r * d.columns + c; };
  CHECK(d.isBlocked(at(1, 1)));
  CHECK_FALSE(d.isBlocked(at(3, 1)));
  CHECK_FALSE(d.isBlocked(at(5, 3)));  // the street runs through the building's northern row
  CHECK(d.isBlocked(at(5, 4)));
  CHECK(d.isBlocked(at(6, 4)));
  CHECK((grid.water[at(8, 5)] == CellWater::Sea));
  CHECK_FALSE(d.isBlocked(at(8, 5)));               // next to land: a fixed-level cell
  CHECK(d.isBlocked(at(9, 5)));                     // farther out: a wall the solver skips
  CHECK((grid.water[at(9, 5)] == CellWater::Sea));  // sea by the coastline although the DEM has no data
  CHECK(d.elevation[at(8, 5)] <= 0.0);              // at most the sea level
  CHECK_FALSE(grid.countsAsFlood(at(8, 5)));
  CHECK(grid.seaBoundaryCells.size() == 10);
  // Roofs: the 70 % building and the big one have roof cells; their rain runs to the lowest open
  // cells beside them, which lie to the east (downhill).
  REQUIRE(grid.roofs.size() == 2);
  for (const RoofDrain& roof : grid.roofs) {
    REQUIRE_FALSE(roof.outletCells.empty());
    for (std::size_t i : roof.outletCells) CHECK_FALSE(d.isBlocked(i));
  }
  CHECK(grid.roofs[1].roofAreaM2 == doctest::Approx(200.0));
  // Every open cell drains: the sea and the free edges take all water.
  std::vector<double> outlets(d.cellCount(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t i : grid.seaBoundaryCells) outlets[i] = 0.0;
  const SpillAnalysis spill = analyseSpill(d, outlets, false);
  CHECK(spill.enclosedCells == 0);
  CHECK(spill.deepestPocket(d) == doctest::Approx(0.0));
}

TEST_CASE("city grid: a waterway cuts a channel whose bed never rises downstream") {
  city::CityModel city;
  city.crsEpsg = 32632;
  city.terrain = geo::RasterGrid(20, 5, 0.0, 50.0, 10.0);
  for (std::size_t r = 0; r < 5; ++r)
    for (std::size_t c = 0; c < 20; ++c)
      city.terrain.at(c, r) =
          static_cast<float>(10.0 - 0.2 * static_cast<double>(c) + (c == 10 ? 3.0 : 0.0));  // a bump
  city::Waterway stream;
  stream.kind = city::WaterKind::Stream;
  stream.line = {{0, 25}, {200, 25}};
  city.water.waterways.push_back(stream);
  CityGridOptions options;
  options.cellSizeM = 10;
  const CityGrid grid = buildCityGrid(city, options);
  const Domain& d = grid.domain;
  double previous = std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < d.columns; ++c) {
    const std::size_t i = 2 * d.columns + c;
    CHECK((grid.water[i] == CellWater::Permanent));
    CHECK(d.elevation[i] <= previous + 1e-9);
    CHECK(d.elevation[i] <= city.terrain.at(c, 2) - channelDepthM(stream) + 1e-6);
    previous = d.elevation[i];
  }
  std::vector<double> none;
  const SpillAnalysis spill = analyseSpill(d, none, true);
  CHECK(spill.pocketDepth(d, 2 * d.columns + 9) == doctest::Approx(0.0));
}
