#include "citytwin/flood/domain.hpp"

#include <cmath>
#include <string>

#include "citytwin/core/error.hpp"

namespace citytwin::flood {

bool Domain::cellAt(double x, double y, std::size_t& column, std::size_t& row) const {
  const double c = std::floor((x - west) / cellSize);
  const double r = std::floor((north - y) / cellSize);
  if (!(c >= 0 && r >= 0 && c < static_cast<double>(columns) && r < static_cast<double>(rows))) return false;
  column = static_cast<std::size_t>(c);
  row = static_cast<std::size_t>(r);
  return true;
}

geo::RasterGrid Domain::makeRaster(float fill) const {
  return geo::RasterGrid(columns, rows, west, north, cellSize, fill);
}

void Domain::validate() const {
  if (columns < 2 || rows < 1) throw Error("flood: the grid needs at least 2 columns and 1 row");
  if (!(cellSize > 0) || !std::isfinite(cellSize)) throw Error("flood: the cell size must be positive");
  if (elevation.size() != cellCount()) throw Error("flood: elevation grid size does not match columns x rows");
  if (!blocked.empty() && blocked.size() != cellCount()) throw Error("flood: blocked-cell grid size does not match");
  if (!manning.empty() && manning.size() != cellCount()) throw Error("flood: Manning grid size does not match");
  if (!(uniformManning >= 0)) throw Error("flood: Manning's n must be non-negative");
  for (std::size_t i = 0; i < cellCount(); ++i) {
    if (!isBlocked(i) && !std::isfinite(elevation[i]))
      throw Error("flood: elevation of cell " + std::to_string(i) + " is not finite and the cell is not blocked");
    if (!manning.empty() && !(manning[i] >= 0)) throw Error("flood: Manning's n must be non-negative");
  }
}

Domain domainFromRaster(const geo::RasterGrid& elevation) {
  Domain domain;
  domain.columns = elevation.columns;
  domain.rows = elevation.rows;
  domain.cellSize = elevation.cellSize;
  domain.west = elevation.originX;
  domain.north = elevation.originY;
  domain.elevation.resize(elevation.values.size());
  domain.blocked.assign(elevation.values.size(), 0);
  for (std::size_t i = 0; i < elevation.values.size(); ++i) {
    const float v = elevation.values[i];
    const bool missing = !std::isfinite(v) || v == elevation.noData;
    domain.elevation[i] = missing ? 0.0 : static_cast<double>(v);
    domain.blocked[i] = missing ? 1 : 0;
  }
  return domain;
}

}  // namespace citytwin::flood
