#include "values.hpp"

#include <pybind11/stl.h>

#include "citytwin/core/error.hpp"

namespace py = pybind11;

namespace citytwin::python {

Value toValue(const py::handle& object, const std::string& key) {
  if (py::isinstance<py::bool_>(object)) return Value(object.cast<bool>());
  // numpy's integers and floats are accepted through their Python number protocol.
  if (py::isinstance<py::int_>(object) || py::hasattr(object, "__index__")) {
    if (!py::isinstance<py::float_>(object))
      return Value(py::reinterpret_steal<py::int_>(PyNumber_Index(object.ptr())).cast<std::int64_t>());
  }
  if (py::isinstance<py::float_>(object) || py::hasattr(object, "__float__")) {
    if (!py::isinstance<py::str>(object))
      return Value(py::reinterpret_borrow<py::object>(object).cast<double>());
  }
  if (py::isinstance<py::str>(object)) return Value(object.cast<std::string>());
  py::module_ datetime = py::module_::import("datetime");
  if (py::isinstance(object, datetime.attr("datetime"))) {
    py::object moment = py::reinterpret_borrow<py::object>(object);
    if (moment.attr("tzinfo").is_none())
      moment = moment.attr("replace")(py::arg("tzinfo") = datetime.attr("timezone").attr("utc"));
    std::string text = moment.attr("isoformat")().cast<std::string>();
    if (text.size() > 6 && text.compare(text.size() - 6, 6, "+00:00") == 0)
      text = text.substr(0, text.size() - 6) + "Z";
    return Value::temporal(Value::Kind::DateTime, text);
  }
  if (py::isinstance(object, datetime.attr("date"))) {
    return Value::temporal(Value::Kind::Date, object.attr("isoformat")().cast<std::string>());
  }
  if (py::isinstance<py::list>(object) || py::isinstance<py::tuple>(object)) {
    Value array = Value::array();
    std::size_t index = 0;
    for (const py::handle item : object) {
      array.push(toValue(item, key + "[" + std::to_string(++index) + "]"));
    }
    return array;
  }
  if (py::isinstance<py::dict>(object)) {
    Value table = Value::table();
    for (const auto& [name, item] : object.cast<py::dict>()) {
      if (!py::isinstance<py::str>(name)) {
        throw InputError({"", 0, key},
                         "table keys must be strings, found " +
                             py::str(py::type::handle_of(name).attr("__name__")).cast<std::string>());
      }
      const std::string text = name.cast<std::string>();
      table.set(text, toValue(item, key.empty() ? text : key + "." + text));
    }
    return table;
  }
  throw InputError({"", 0, key},
                   "expected a number, a string, a list or a dict, found " +
                       py::str(py::type::handle_of(object).attr("__name__")).cast<std::string>());
}

}  // namespace citytwin::python
