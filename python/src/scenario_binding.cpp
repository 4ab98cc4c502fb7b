// citytwin._citytwin.Scenario: a scenario as a value, read from a file by the engine's parser or built in
// code from Python values, validated by the same scenario::validate either way.
#include <pybind11/stl.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>

#include "bindings.hpp"
#include "citytwin/core/date_time.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/scenario/scenario_parser.hpp"
#include "citytwin/sim/time_text.hpp"
#include "native_scenario.hpp"
#include "shared_state.hpp"
#include "values.hpp"

namespace py = pybind11;

namespace citytwin::python {
namespace {

// A duration given as text ("2h", "PT30M") or as seconds.
sim::SimTime readDuration(const py::handle& value, const std::string& key) {
  if (py::isinstance<py::str>(value)) {
    const std::string text = value.cast<std::string>();
    const auto parsed = sim::parseDuration(text);
    if (!parsed) {
      throw InputError({"", 0, key},
                       "'" + text + "' is not a duration such as \"15m\", \"1h30m\", \"2d\" or \"PT1H\"");
    }
    if (*parsed <= 0) throw InputError({"", 0, key}, "expected a duration longer than zero");
    return *parsed;
  }
  if (py::isinstance<py::bool_>(value) || !py::hasattr(value, "__float__")) {
    throw InputError({"", 0, key}, "expected a duration string such as \"15m\" or a number of seconds");
  }
  const double seconds = py::reinterpret_borrow<py::object>(value).cast<double>();
  if (!std::isfinite(seconds) || seconds <= 0.0)
    throw InputError({"", 0, key}, "expected a duration longer than zero");
  return static_cast<sim::SimTime>(std::llround(seconds * static_cast<double>(sim::kSecond)));
}

std::int64_t readStart(const py::handle& value) {
  const Value start = toValue(value, "start");
  if (start.isString() || start.kind() == Value::Kind::DateTime || start.kind() == Value::Kind::Date) {
    if (const auto parsed = parseDateTime(start.asString())) return *parsed;
  }
  throw InputError({"", 0, "start"},
                   "expected an ISO 8601 date-time such as 2026-07-01T08:00:00Z or a datetime");
}

std::unique_ptr<NativeScenario> create(const std::string& city, const py::object& start,
                                       const py::object& duration, const py::object& step,
                                       const py::object& stateStep, const py::object& models,
                                       const py::dict& inputs, std::int64_t seed, const std::string& name,
                                       const std::string& description, const py::object& generate) {
  auto native = std::make_unique<NativeScenario>();
  scenario::Scenario& spec = native->spec;
  spec.name = name;
  spec.description = description;
  spec.city = city;
  if (!generate.is_none()) {
    const Value table = toValue(generate, "generate");
    if (!table.isTable())
      throw InputError({"", 0, "generate"}, "expected a dict such as {\"size_km\": 2, \"seed\": 1}");
    scenario::GenerateCitySpec options;
    for (std::size_t i = 0; i < table.keys().size(); ++i) {
      const std::string& key = table.keys()[i];
      const Value& item = table.items()[i];
      if (key == "size_km" && item.isNumber())
        options.sizeKm = item.asNumber();
      else if (key == "seed" && item.isInteger() && item.asInteger() >= 0)
        options.seed = static_cast<std::uint64_t>(item.asInteger());
      else if (key == "dem_cell_m" && item.isNumber())
        options.demCellM = item.asNumber();
      else
        throw InputError({"", 0, "generate." + key},
                         "expected size_km (number), seed (integer >= 0) or dem_cell_m (number)");
    }
    spec.generate = options;
  }
  spec.startEpochMs = readStart(start);
  spec.duration = readDuration(duration, "duration");
  if (!step.is_none()) spec.reportStep = readDuration(step, "step");
  if (spec.reportStep > spec.duration) throw InputError({"", 0, "step"}, "is longer than the whole run");
  if (!stateStep.is_none()) spec.stateStep = readDuration(stateStep, "state_step");
  if (spec.stateStep > spec.duration) throw InputError({"", 0, "state_step"}, "is longer than the whole run");
  if (seed < 0) throw InputError({"", 0, "seed"}, "expected an integer >= 0");
  spec.seed = static_cast<std::uint64_t>(seed);
  const sim::ModelRegistry& registry = modelRegistry();
  if (py::isinstance<py::str>(models)) {
    if (models.cast<std::string>() != "all")
      throw InputError({"", 0, "models"},
                       "expected a list of model names or \"all\" (every model of this build)");
    spec.models = registry.names();
  } else {
    std::size_t index = 0;
    for (const py::handle model : models) {
      ++index;
      if (!py::isinstance<py::str>(model))
        throw InputError({"", 0, "models[" + std::to_string(index) + "]"},
                         "expected a model name (a string)");
      spec.models.push_back(model.cast<std::string>());
    }
  }
  for (const auto& [key, table] : inputs) {
    const std::string model = py::str(key).cast<std::string>();
    if (!registry.contains(model)) {
      std::string known;
      for (const std::string& each : registry.names()) known += (known.empty() ? "" : ", ") + each;
      throw InputError({"", 0, "inputs." + model}, "unknown model '" + model + "'; known models: " + known);
    }
    Value parameters = toValue(table, model);
    if (!parameters.isTable()) throw InputError({"", 0, model}, "expected a dict of the model's parameters");
    spec.modelInputs[model] = std::move(parameters);
  }
  scenario::validate(spec, registry);
  return native;
}

}  // namespace

void bindScenario(py::module_& module) {
  py::class_<NativeScenario>(module, "Scenario", "A validated scenario (native part).")
      .def_static(
          "from_file",
          [](const std::string& path) {
            py::gil_scoped_release release;
            auto native = std::make_unique<NativeScenario>();
            native->spec = scenario::loadScenario(path, modelRegistry());
            return native;
          },
          py::arg("path"))
      .def_static("create", &create, py::arg("city"), py::arg("start"), py::arg("duration"), py::arg("step"),
                  py::arg("state_step"), py::arg("models"), py::arg("inputs"), py::arg("seed"),
                  py::arg("name"), py::arg("description"), py::arg("generate"))
      .def(
          "add_variant",
          [](NativeScenario& native, const std::string& name, const py::list& interventions,
             const std::string& description, std::optional<std::int64_t> seed) {
            scenario::Variant variant;
            variant.name = name;
            variant.description = description;
            if (seed) {
              if (*seed < 0) throw InputError({"", 0, "seed"}, "expected an integer >= 0");
              variant.seed = static_cast<std::uint64_t>(*seed);
            }
            const std::string prefix =
                "variant[" + std::to_string(native.spec.variants.size() + 1) + "].intervention";
            std::size_t index = 0;
            for (const py::handle intervention : interventions) {
              const std::string key = prefix + "[" + std::to_string(++index) + "]";
              Value table = toValue(intervention, key);
              if (!table.isTable())
                throw InputError({"", 0, key}, "expected a dict such as {\"kind\": \"set_attribute\", ...}");
              if (!table.contains("kind"))
                throw InputError({"", 0, key + ".kind"}, "missing: every intervention names its kind");
              variant.intervene(std::move(table));
            }
            native.spec.variants.push_back(std::move(variant));
            try {
              scenario::validate(native.spec, modelRegistry());
            } catch (...) {
              native.spec.variants.pop_back();  // the scenario stays as it was, valid
              throw;
            }
          },
          py::arg("name"), py::arg("interventions"), py::arg("description"), py::arg("seed"))
      .def_property_readonly("variants",
                             [](const NativeScenario& native) {
                               std::vector<std::string> names;
                               for (const auto& variant : native.spec.variants) names.push_back(variant.name);
                               return names;
                             })
      .def_property_readonly("name", [](const NativeScenario& native) { return native.spec.name; })
      .def_property_readonly("file", [](const NativeScenario& native) { return native.spec.file.string(); })
      .def_property_readonly("city", [](const NativeScenario& native) { return native.spec.city.string(); })
      .def_property_readonly("models", [](const NativeScenario& native) { return native.spec.models; })
      .def_property_readonly("start", [](const NativeScenario& native) { return native.spec.startIso8601(); })
      .def_property_readonly(
          "duration", [](const NativeScenario& native) { return sim::toSeconds(native.spec.duration); })
      .def_property_readonly("seed", [](const NativeScenario& native) { return native.spec.seed; });
}

}  // namespace citytwin::python
