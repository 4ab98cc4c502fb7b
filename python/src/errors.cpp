#include "errors.hpp"

#include <filesystem>

#include "citytwin/core/error.hpp"

namespace py = pybind11;

namespace citytwin::python {
namespace {

void raise(const char* className, py::object instance) {
  py::object type = py::module_::import("citytwin._errors").attr(className);
  PyErr_SetObject(type.ptr(), instance.ptr());
}

}  // namespace

void registerErrorTranslation(py::module_& /*module*/) {
  py::register_exception_translator([](std::exception_ptr failure) {
    if (!failure) return;
    try {
      std::rethrow_exception(failure);
    } catch (const InputError& e) {
      const InputLocation& where = e.location();
      py::object type = py::module_::import("citytwin._errors").attr("InputError");
      raise("InputError", type(e.what(), where.file, where.line, where.key, e.problem()));
    } catch (const Error& e) {
      py::object type = py::module_::import("citytwin._errors").attr("Error");
      raise("Error", type(e.what()));
    } catch (const std::filesystem::filesystem_error& e) {
      std::string message = e.code().message();
      if (!e.path1().empty()) message = "'" + e.path1().string() + "': " + message;
      py::object type = py::module_::import("citytwin._errors").attr("Error");
      raise("Error", type(message));
    }
  });
}

}  // namespace citytwin::python
