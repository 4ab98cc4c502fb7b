#pragma once

#include <pybind11/pybind11.h>

#include <string>

#include "citytwin/core/value.hpp"

namespace citytwin::python {

// A Python value as the engine's input tree: bool, int, float, str, datetime/date (ISO 8601), list/tuple
// (array) and dict with str keys (table, key order kept). Throws InputError naming `key` otherwise.
Value toValue(const pybind11::handle& object, const std::string& key);

}  // namespace citytwin::python
