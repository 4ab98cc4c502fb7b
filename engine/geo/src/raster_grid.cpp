#include "citytwin/geo/raster_grid.hpp"

#include <algorithm>
#include <cmath>

namespace citytwin::geo {

RasterGrid::RasterGrid(std::size_t columns_, std::size_t rows_, double originX_, double originY_,
                       double cellSize_, float fill)
    : columns(columns_),
      rows(rows_),
      originX(originX_),
      originY(originY_),
      cellSize(cellSize_),
      values(columns_ * rows_, fill) {}

BBox RasterGrid::extent() const {
  return {originX, originY - static_cast<double>(rows) * cellSize, originX + static_cast<double>(columns) * cellSize,
          originY};
}

Vec2 RasterGrid::cellCentre(std::size_t column, std::size_t row) const {
  return {originX + (static_cast<double>(column) + 0.5) * cellSize,
          originY - (static_cast<double>(row) + 0.5) * cellSize};
}

std::optional<std::pair<std::size_t, std::size_t>> RasterGrid::cellAt(Vec2 p) const {
  const double fx = (p.x - originX) / cellSize;
  const double fy = (originY - p.y) / cellSize;
  if (fx < 0 || fy < 0) return std::nullopt;
  const auto column = static_cast<std::size_t>(fx);
  const auto row = static_cast<std::size_t>(fy);
  if (column >= columns || row >= rows) return std::nullopt;
  return std::make_pair(column, row);
}

std::optional<double> RasterGrid::sample(Vec2 p) const {
  if (empty() || !extent().contains(p)) return std::nullopt;
  // Continuous cell coordinates measured from the centre of cell (0, 0).
  const double fx = std::clamp((p.x - originX) / cellSize - 0.5, 0.0, static_cast<double>(columns - 1));
  const double fy = std::clamp((originY - p.y) / cellSize - 0.5, 0.0, static_cast<double>(rows - 1));
  const auto c0 = static_cast<std::size_t>(std::floor(fx));
  const auto r0 = static_cast<std::size_t>(std::floor(fy));
  const std::size_t c1 = std::min(c0 + 1, columns - 1);
  const std::size_t r1 = std::min(r0 + 1, rows - 1);
  const double tx = fx - static_cast<double>(c0);
  const double ty = fy - static_cast<double>(r0);
  const std::size_t cs[4] = {c0, c1, c0, c1};
  const std::size_t rs[4] = {r0, r0, r1, r1};
  const double weights[4] = {(1 - tx) * (1 - ty), tx * (1 - ty), (1 - tx) * ty, tx * ty};
  double sum = 0.0;
  double weightSum = 0.0;
  for (int k = 0; k < 4; ++k) {
    const float value = at(cs[k], rs[k]);
    if (value == noData || std::isnan(value)) continue;
    sum += weights[k] * value;
    weightSum += weights[k];
  }
  if (weightSum <= 0.0) return std::nullopt;
  return sum / weightSum;
}

}  // namespace citytwin::geo
