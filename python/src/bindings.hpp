#pragma once

#include <pybind11/pybind11.h>

namespace citytwin::python {

// Each part of the module adds its classes and functions to `_citytwin`.
void bindCity(pybind11::module_& module);
void bindScenario(pybind11::module_& module);
void bindRun(pybind11::module_& module);
void bindSimulation(pybind11::module_& module);

}  // namespace citytwin::python
