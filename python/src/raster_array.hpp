#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>

#include "citytwin/geo/raster_grid.hpp"

namespace citytwin::python {

// (2-D float32 array rows x columns, GDAL geotransform tuple, "EPSG:<code>") for a north-up grid; cells
// holding the grid's no-data value become NaN.
inline pybind11::tuple rasterTuple(const geo::RasterGrid& grid, int epsg) {
  namespace py = pybind11;
  py::array_t<float> array({static_cast<py::ssize_t>(grid.rows), static_cast<py::ssize_t>(grid.columns)});
  float* out = array.mutable_data();
  for (std::size_t i = 0; i < grid.values.size(); ++i) {
    out[i] = grid.values[i] == grid.noData ? std::numeric_limits<float>::quiet_NaN() : grid.values[i];
  }
  const py::tuple transform =
      py::make_tuple(grid.originX, grid.cellSize, 0.0, grid.originY, 0.0, -grid.cellSize);
  return py::make_tuple(array, transform, epsg > 0 ? "EPSG:" + std::to_string(epsg) : std::string());
}

}  // namespace citytwin::python
