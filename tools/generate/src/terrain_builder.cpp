#include "terrain_builder.hpp"

#include <cmath>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

namespace citytwin::generate::detail {

geo::RasterGrid buildTerrain(const TownPlan& plan, Progress* progress) {
  const double cell = plan.options.demCellM;
  const double span = plan.sizeM + 2 * plan.terrainMarginM;
  const auto cells = static_cast<std::size_t>(std::ceil(span / cell - 1e-9));
  geo::RasterGrid grid(cells, cells, plan.town.minX - plan.terrainMarginM, plan.town.maxY + plan.terrainMarginM, cell);
  // Every cell is a pure function of its centre, so rows fill independently on any thread count.
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, grid.rows, 16), [&](const tbb::blocked_range<std::size_t>& rows) {
    for (std::size_t row = rows.begin(); row != rows.end(); ++row) {
      for (std::size_t column = 0; column < grid.columns; ++column) {
        grid.at(column, row) = static_cast<float>(plan.groundElevationM(grid.cellCentre(column, row)));
      }
    }
    if (progress) progress->advance(rows.size());
  });
  return grid;
}

double terrainElevationM(const geo::RasterGrid& terrain, const TownPlan& plan, geo::Vec2 p) {
  if (const auto value = terrain.sample(p)) return *value;
  return plan.groundElevationM(p);
}

}  // namespace citytwin::generate::detail
