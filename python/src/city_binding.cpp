// citytwin._citytwin.City: a city file, loaded once and shared by the runs and simulations that use it.
#include <pybind11/stl.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "bindings.hpp"
#include "citytwin/city/city_summary.hpp"
#include "citytwin/io/vector_table.hpp"
#include "raster_array.hpp"
#include "shared_state.hpp"

namespace py = pybind11;

namespace citytwin::python {
namespace {

struct NativeCity {
  std::filesystem::path path;
  std::shared_ptr<const city::CityModel> model;
};

// {"columns": [(name, kind, values, null mask)], "geometry": [wkt]} for the Python layer to make a
// DataFrame of.
py::dict layerColumns(const std::filesystem::path& path, const std::string& layer) {
  io::VectorTable table;
  {
    py::gil_scoped_release release;
    table = io::readVectorTable(path, layer);
  }
  py::list columns;
  for (const io::VectorColumn& column : table.columns) {
    py::array_t<std::uint8_t> nulls(static_cast<py::ssize_t>(column.null.size()), column.null.data());
    switch (column.kind) {
      case io::VectorColumn::Kind::Integer:
        columns.append(
            py::make_tuple(column.name, "integer",
                           py::array_t<std::int64_t>(static_cast<py::ssize_t>(column.integers.size()),
                                                     column.integers.data()),
                           nulls));
        break;
      case io::VectorColumn::Kind::Real:
        columns.append(py::make_tuple(
            column.name, "real",
            py::array_t<double>(static_cast<py::ssize_t>(column.reals.size()), column.reals.data()), nulls));
        break;
      case io::VectorColumn::Kind::Text:
        columns.append(py::make_tuple(column.name, "text", py::cast(column.texts), nulls));
        break;
    }
  }
  py::dict result;
  result["columns"] = columns;
  result["geometry"] = py::cast(table.geometryWkt);
  return result;
}

}  // namespace

void bindCity(py::module_& module) {
  py::class_<NativeCity, std::shared_ptr<NativeCity>>(module, "City", "A loaded city file (native part).")
      .def_static(
          "open",
          [](const std::string& path) {
            auto city = std::make_shared<NativeCity>();
            city->path = path;
            py::gil_scoped_release release;
            city->model = loadSharedCity(city->path);
            return city;
          },
          py::arg("path"))
      .def_static(
          "generate",
          [](double sizeKm, std::uint64_t seed, double demCellM, const std::string& path) {
            auto city = std::make_shared<NativeCity>();
            city->path = path;
            py::gil_scoped_release release;
            city->model = generateCity(sizeKm, seed, demCellM, city->path);
            return city;
          },
          py::arg("size_km"), py::arg("seed"), py::arg("dem_cell_m"), py::arg("path"))
      .def_property_readonly("path", [](const NativeCity& city) { return city.path.string(); })
      .def("info_json", [](const NativeCity& city) { return city::citySummaryJson(*city.model).dump(); })
      .def("layer_columns",
           [](const NativeCity& city, const std::string& layer) { return layerColumns(city.path, layer); })
      .def("dem",
           [](const NativeCity& city) { return rasterTuple(city.model->terrain, city.model->crsEpsg); });
}

}  // namespace citytwin::python
