// The native part of the `citytwin` Python package (python/citytwin wraps it with pandas and dask).
#include "bindings.hpp"
#include "errors.hpp"

PYBIND11_MODULE(_citytwin, module) {
  module.doc() = "Native part of citytwin: the engine's city, scenario, run and simulation objects.";
  module.attr("__version__") = CITYTWIN_VERSION;
  citytwin::python::registerErrorTranslation(module);
  citytwin::python::bindCity(module);
  citytwin::python::bindScenario(module);
  citytwin::python::bindRun(module);
  citytwin::python::bindSimulation(module);
}
