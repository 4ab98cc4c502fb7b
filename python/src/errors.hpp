#pragma once

#include <pybind11/pybind11.h>

namespace citytwin::python {

// Maps the engine's errors onto citytwin.InputError (with .file, .line, .key) and citytwin.Error, both
// defined in citytwin/_errors.py, with the message the command line prints.
void registerErrorTranslation(pybind11::module_& module);

}  // namespace citytwin::python
