#pragma once

#include <cstddef>
#include <vector>

#include "citytwin/geo/raster_grid.hpp"

namespace citytwin::flood {

// The computational grid: square cells, row 0 at the north edge (as ESRI ASCII grids and GeoTIFF).
struct Domain {
  std::size_t columns = 0;
  std::size_t rows = 0;
  double cellSize = 1.0;
  double west = 0.0;   // x of the west edge
  double north = 0.0;  // y of the north edge
  std::vector<double> elevation;        // rows * columns, m; no-data cells must be blocked
  std::vector<unsigned char> blocked;   // 1 = no water enters (building, outside the DEM); empty = none
  double uniformManning = 0.035;        // used where `manning` is empty
  std::vector<float> manning;           // per-cell Manning n, or empty

  std::size_t cellCount() const { return columns * rows; }
  bool isBlocked(std::size_t cell) const { return !blocked.empty() && blocked[cell] != 0; }
  double cellCentreX(std::size_t column) const { return west + (static_cast<double>(column) + 0.5) * cellSize; }
  double cellCentreY(std::size_t row) const { return north - (static_cast<double>(row) + 0.5) * cellSize; }
  double south() const { return north - static_cast<double>(rows) * cellSize; }
  // The cell containing (x, y), or false outside the grid.
  bool cellAt(double x, double y, std::size_t& column, std::size_t& row) const;
  // A raster with this domain's geometry (for outputs).
  geo::RasterGrid makeRaster(float fill = 0.0f) const;
  // Throws Error when sizes disagree or a value is not finite where the cell is not blocked.
  void validate() const;
};

Domain domainFromRaster(const geo::RasterGrid& elevation);

}  // namespace citytwin::flood
