#pragma once

#include <string>
#include <variant>
#include <vector>

#include "citytwin/sim/entity_selector.hpp"
#include "citytwin/sim/intervention.hpp"
#include "citytwin/sim/sim_time.hpp"

namespace citytwin::sim {

// The intervention kinds the engine itself understands; every other kind belongs to a model.
inline constexpr const char* kSetAttribute = "set_attribute";
inline constexpr const char* kScaleSeries = "scale_series";
inline constexpr const char* kEnableModel = "enable_model";
inline constexpr const char* kDisableModel = "disable_model";
bool isEngineInterventionKind(const std::string& kind);

// kind = "set_attribute": give a state column a value on selected objects, before the first step or
// at `at` (a duration from the start, e.g. "1h30m": applied at that boundary, after the models due then
// have published and before the steps starting then).
//   layer = "road_link", attribute = "closed", value = 1.0, plus the selector keys (EntitySelector).
struct SetAttribute {
  city::Layer layer = city::Layer::Building;
  std::string attribute;
  double value = 0.0;
  SimTime at = 0;
  EntitySelector selector;
};

// kind = "scale_series": multiply a numeric input of a model's [<model>] table (a number or an array of
// numbers, e.g. a rainfall hyetograph) by `factor`.  model = "flood", series = "rain.intensity_mm_per_h".
struct ScaleSeries {
  std::string model;
  std::string series;  // dotted path inside the model's table
  double factor = 1.0;
};

// kind = "enable_model" / "disable_model":  model = "energy".
struct ToggleModel {
  std::string model;
  bool enable = true;
};

using EngineAction = std::variant<SetAttribute, ScaleSeries, ToggleModel>;

// Parses and validates an engine intervention; throws InputError (file, line, key) on any problem,
// including unknown keys.
EngineAction parseEngineIntervention(const Intervention& intervention, const std::string& keyPrefix = "");

// Applies a scale_series to a copy of the model's parameters; throws InputError naming the intervention's
// `series` key when the path is missing or not numeric.
void applyScaleSeries(const ScaleSeries& scale, const Intervention& source, Value& modelParameters);

}  // namespace citytwin::sim
