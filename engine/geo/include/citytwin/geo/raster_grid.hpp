#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "citytwin/geo/geometry.hpp"

namespace citytwin::geo {

// A north-up raster of square cells in the city CRS. Row 0 is the northern edge, as in GeoTIFF.
// Cell (col, row) covers x in [originX + col*cellSize, +cellSize), y in (originY - (row+1)*cellSize, originY - row*cellSize].
struct RasterGrid {
  std::size_t columns = 0;
  std::size_t rows = 0;
  double originX = 0.0;  // west edge
  double originY = 0.0;  // north edge
  double cellSize = 1.0;
  float noData = -9999.0f;
  std::vector<float> values;  // row-major, rows * columns

  RasterGrid() = default;
  RasterGrid(std::size_t columns, std::size_t rows, double originX, double originY, double cellSize,
             float fill = 0.0f);

  bool empty() const { return values.empty(); }
  float& at(std::size_t column, std::size_t row) { return values[row * columns + column]; }
  float at(std::size_t column, std::size_t row) const { return values[row * columns + column]; }
  BBox extent() const;
  Vec2 cellCentre(std::size_t column, std::size_t row) const;
  // The cell holding p, or nullopt outside the grid.
  std::optional<std::pair<std::size_t, std::size_t>> cellAt(Vec2 p) const;
  // Bilinear interpolation between cell centres, clamped at the edges; nullopt outside the extent or
  // where every neighbouring cell is no-data.
  std::optional<double> sample(Vec2 p) const;

  friend bool operator==(const RasterGrid&, const RasterGrid&) = default;
};

}  // namespace citytwin::geo
