#include "citytwin/sim/engine_interventions.hpp"

#include <cmath>

#include "citytwin/core/value_reader.hpp"
#include "citytwin/sim/time_text.hpp"

namespace citytwin::sim {

bool isEngineInterventionKind(const std::string& kind) {
  return kind == kSetAttribute || kind == kScaleSeries || kind == kEnableModel || kind == kDisableModel;
}

EngineAction parseEngineIntervention(const Intervention& intervention, const std::string& keyPrefix) {
  const ValueReader reader(intervention.parameters, intervention.sourceFile, keyPrefix, intervention.line);
  reader.allow("kind");
  // Optional free text, so a scenario can say why.
  (void)reader.optionalString("description");
  const std::string& kind = intervention.kind;
  if (kind == kSetAttribute) {
    SetAttribute action;
    const std::string layerName = reader.requireString("layer");
    try {
      action.layer = city::layerFromString(layerName);
    } catch (const Error& e) {
      reader.fail("layer", e.what());
    }
    action.attribute = reader.requireString("attribute");
    if (action.attribute.empty()) reader.fail("attribute", "expected the name of a state column");
    action.value = reader.requireNumber("value");
    if (!std::isfinite(action.value)) reader.fail("value", "expected a finite number");
    if (const auto at = reader.optionalString("at")) {
      const auto offset = parseDuration(*at);
      if (!offset) reader.fail("at", "'" + *at + "' is not a duration from the start such as \"30m\" or \"PT2H\"");
      action.at = *offset;
    }
    action.selector = EntitySelector::parse(reader, action.layer);
    reader.rejectUnknownKeys("kind, description, layer, attribute, value, at, id, ids, where, area, fraction, all");
    return action;
  }
  if (kind == kScaleSeries) {
    ScaleSeries action;
    action.model = reader.requireString("model");
    action.series = reader.requireString("series");
    action.factor = reader.requireNumber("factor");
    if (!std::isfinite(action.factor)) reader.fail("factor", "expected a finite number");
    reader.rejectUnknownKeys("kind, description, model, series, factor");
    return action;
  }
  if (kind == kEnableModel || kind == kDisableModel) {
    ToggleModel action;
    action.model = reader.requireString("model");
    action.enable = kind == kEnableModel;
    reader.rejectUnknownKeys("kind, description, model");
    return action;
  }
  throw InputError(intervention.locationOf("kind"), "'" + kind + "' is not an engine intervention");
}

void applyScaleSeries(const ScaleSeries& scale, const Intervention& source, Value& modelParameters) {
  Value* target = modelParameters.atPath(scale.series);
  const InputLocation where = source.locationOf("series");
  if (target == nullptr) {
    throw InputError(where, "the [" + scale.model + "] table has no input '" + scale.series + "'");
  }
  // Every number becomes a float, so that scaling an integer input by 1.5 keeps its fraction. The
  // scaled values are new values: they carry no source line.
  auto scaled = [&](const Value& node) {
    if (!node.isNumber()) {
      throw InputError(where, "input '" + scale.series + "' of [" + scale.model +
                                  "] is not a number or an array of numbers");
    }
    return Value(node.toNumber().value_or(0.0) * scale.factor);
  };
  if (target->isArray()) {
    if (target->items().empty()) throw InputError(where, "input '" + scale.series + "' is an empty array");
    for (Value& value : target->items()) value = scaled(value);
    return;
  }
  *target = scaled(*target);
}

}  // namespace citytwin::sim
