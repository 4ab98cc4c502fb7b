#include "citytwin/scenario/ensemble.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "citytwin/core/spelling.hpp"
#include "citytwin/sim/engine_interventions.hpp"

namespace citytwin::scenario {
namespace {

// Separates the perturbation draws of a member from its models' seeds (which derive from the member seed
// through sim::modelSeed), so adding a model does not change what a member draws.
constexpr std::uint64_t kDrawStream = 0x656e73656d626c65ULL;  // "ensemble"

std::string formatFactor(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

// A standard normal draw (Box-Muller, cosine branch): two uniforms, the first kept away from 0.
double standardNormal(SplitMix64& stream) {
  const double u1 = 1.0 - stream.uniform();  // (0, 1]
  const double u2 = stream.uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

void scaleNumber(Value& node, double factor, const InputLocation& where, const std::string& what) {
  if (!node.isNumber())
    throw InputError(where, what + " is not a number, an array of numbers or a [time, value] series");
  node = Value(node.asNumber() * factor);
}

// Scales a number, every number of an array, or the value column of a [[time, value], ...] series.
void scaleInput(Value& target, double factor, const InputLocation& where, const std::string& what) {
  if (!target.isArray()) {
    scaleNumber(target, factor, where, what);
    return;
  }
  if (target.items().empty()) throw InputError(where, what + " is an empty array");
  for (Value& item : target.items()) {
    if (item.isArray()) {
      if (item.items().size() != 2)
        throw InputError(where, what + " has a series point that is not [time, value]");
      scaleNumber(item.items()[1], factor, where, what);
    } else {
      scaleNumber(item, factor, where, what);
    }
  }
}

}  // namespace

Distribution Distribution::parse(const ValueReader& reader) {
  Distribution distribution;
  const std::string kind = reader.requireString("distribution");
  auto positive = [&](const std::string& key) {
    const double value = reader.requireNumber(key);
    if (!(std::isfinite(value) && value > 0.0)) reader.fail(key, "expected a number > 0");
    return value;
  };
  auto finite = [&](const std::string& key) {
    const double value = reader.requireNumber(key);
    if (!std::isfinite(value)) reader.fail(key, "expected a finite number");
    return value;
  };
  if (kind == "uniform") {
    distribution.kind = Kind::Uniform;
    distribution.first = finite("min");
    distribution.second = finite("max");
    if (distribution.second < distribution.first) reader.fail("max", "must not be below min");
  } else if (kind == "normal") {
    distribution.kind = Kind::Normal;
    distribution.first = finite("mean");
    distribution.second = reader.requireNumber("std");
    if (!(std::isfinite(distribution.second) && distribution.second >= 0.0))
      reader.fail("std", "expected a number >= 0");
  } else if (kind == "lognormal") {
    distribution.kind = Kind::Lognormal;
    distribution.first = positive("median");
    distribution.second = reader.requireNumber("sigma");
    if (!(std::isfinite(distribution.second) && distribution.second >= 0.0))
      reader.fail("sigma", "expected a number >= 0");
  } else if (kind == "discrete") {
    distribution.kind = Kind::Discrete;
    const Value* values = reader.optionalArray("values");
    if (values == nullptr || values->items().empty())
      reader.fail("values", "expected a non-empty array of numbers");
    for (const Value& value : values->items()) {
      if (!value.isNumber() || !std::isfinite(value.asNumber()))
        throw InputError(reader.locationOf(value, "values"), "expected finite numbers");
      distribution.values.push_back(value.asNumber());
    }
    double total = 0.0;
    if (const Value* weights = reader.optionalArray("weights")) {
      if (weights->items().size() != distribution.values.size())
        reader.fail("weights",
                    "expected one weight per value (" + std::to_string(distribution.values.size()) + ")");
      for (const Value& weight : weights->items()) {
        if (!weight.isNumber() || !(weight.asNumber() >= 0.0) || !std::isfinite(weight.asNumber()))
          throw InputError(reader.locationOf(weight, "weights"), "expected numbers >= 0");
        total += weight.asNumber();
        distribution.weights.push_back(total);
      }
      if (!(total > 0.0)) reader.fail("weights", "expected at least one weight > 0");
    } else {
      for (std::size_t i = 0; i < distribution.values.size(); ++i) distribution.weights.push_back(++total);
    }
    for (double& weight : distribution.weights) weight /= total;
  } else {
    const std::vector<std::string> kinds{"uniform", "normal", "lognormal", "discrete"};
    const std::string suggestion = closestSpelling(kind, kinds);
    reader.fail("distribution", "unknown distribution '" + kind + "'" +
                                    (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)") +
                                    "; expected uniform, normal, lognormal or discrete");
  }
  return distribution;
}

double Distribution::draw(SplitMix64& stream) const {
  switch (kind) {
    case Kind::Uniform:
      return first + (second - first) * stream.uniform();
    case Kind::Normal:
      return first + second * standardNormal(stream);
    case Kind::Lognormal:
      return first * std::exp(second * standardNormal(stream));
    case Kind::Discrete: {
      const double u = stream.uniform();
      const auto found = std::upper_bound(weights.begin(), weights.end(), u);
      const std::size_t index =
          std::min<std::size_t>(static_cast<std::size_t>(found - weights.begin()), values.size() - 1);
      return values[index];
    }
  }
  return first;
}

Threshold Threshold::parse(const std::string& text, const InputLocation& location) {
  Threshold threshold;
  threshold.text = text;
  threshold.location = location;
  const std::string form =
      "expected \"<model>.<kpi> <op> <number>\" with <op> one of > >= < <=, e.g. "
      "\"flood.buildings_over_0_3m > 100\"; found '" +
      text + "'";
  const std::size_t op = text.find_first_of("<>");
  if (op == std::string::npos) throw InputError(location, form);
  const bool orEqual = op + 1 < text.size() && text[op + 1] == '=';
  threshold.comparison = text[op] == '>' ? (orEqual ? Comparison::GreaterOrEqual : Comparison::Greater)
                                         : (orEqual ? Comparison::LessOrEqual : Comparison::Less);
  auto trimmed = [](std::string word) {
    const auto first = word.find_first_not_of(" \t");
    const auto last = word.find_last_not_of(" \t");
    return first == std::string::npos ? std::string() : word.substr(first, last - first + 1);
  };
  const std::string name = trimmed(text.substr(0, op));
  const std::string number = trimmed(text.substr(op + (orEqual ? 2 : 1)));
  const std::size_t dot = name.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == name.size() ||
      name.find_first_of(" \t") != std::string::npos)
    throw InputError(location, form);
  threshold.model = name.substr(0, dot);
  threshold.kpi = name.substr(dot + 1);
  std::size_t used = 0;
  try {
    threshold.value = std::stod(number, &used);
  } catch (const std::exception&) {
    throw InputError(location, form);
  }
  if (used != number.size() || !std::isfinite(threshold.value)) throw InputError(location, form);
  return threshold;
}

bool Threshold::crossedBy(double kpiValue) const {
  switch (comparison) {
    case Comparison::Greater:
      return kpiValue > value;
    case Comparison::GreaterOrEqual:
      return kpiValue >= value;
    case Comparison::Less:
      return kpiValue < value;
    case Comparison::LessOrEqual:
      return kpiValue <= value;
  }
  return false;
}

sim::Intervention FailurePerturbation::intervention(const std::vector<std::string>& failing) const {
  Value table = Value::table({{"kind", sim::kSetAttribute}});
  table.setLine(source.line());
  table.set("layer", *source.find("layer"));
  table.set("attribute", source.contains("attribute") ? *source.find("attribute") : Value("closed"));
  table.set("value", source.contains("value") ? *source.find("value") : Value(1.0));
  if (const Value* at = source.find("at")) table.set("at", *at);
  Value ids = Value::array();
  ids.setLine(source.find("ids")->line());
  for (const std::string& id : failing) ids.push(Value(id).setLine(source.find("ids")->line()));
  table.set("ids", std::move(ids));
  return sim::makeIntervention(std::move(table), file);
}

Ensemble readEnsemble(const ValueReader& reader) {
  Ensemble ensemble;
  // Before anything is read, so `member = 40` is reported as itself and not as a missing `members`.
  reader.rejectKeysOutside({"members", "thresholds", "scale", "fail"}, "members, thresholds, scale, fail");
  const auto members = reader.requireInteger("members");
  if (members < 1 || members > 1000000) reader.fail("members", "expected a number of members, 1 to 1000000");
  ensemble.members = static_cast<int>(members);

  if (const Value* scales = reader.node("scale")) {
    if (!scales->isArray()) reader.fail("scale", "expected [[ensemble.scale]] blocks (an array of tables)");
    std::size_t position = 0;
    for (const Value& table : scales->items()) {
      ++position;
      const ValueReader block(table, reader.file(),
                              reader.qualified("scale[" + std::to_string(position) + "]."), table.line());
      if (!table.isTable()) reader.fail("scale", "expected [[ensemble.scale]] blocks (an array of tables)");
      ScalePerturbation scale;
      scale.model = block.requireString("model");
      scale.input = block.requireString("input");
      scale.location = block.locationOf("input");
      scale.factor = Distribution::parse(block);
      block.rejectUnknownKeys(
          "model, input, distribution and its parameters (min, max / mean, std / median, "
          "sigma / values, weights)");
      ensemble.scales.push_back(std::move(scale));
    }
  }
  if (const Value* failures = reader.node("fail")) {
    if (!failures->isArray()) reader.fail("fail", "expected [[ensemble.fail]] blocks (an array of tables)");
    std::size_t position = 0;
    for (const Value& table : failures->items()) {
      ++position;
      const std::string prefix = reader.qualified("fail[" + std::to_string(position) + "].");
      const ValueReader block(table, reader.file(), prefix, table.line());
      if (!table.isTable()) reader.fail("fail", "expected [[ensemble.fail]] blocks (an array of tables)");
      FailurePerturbation failure;
      failure.ids = block.optionalStringArray("ids");
      if (failure.ids.empty()) block.fail("ids", "expected the ids of the objects that may fail");
      failure.probability = block.requireNumber("probability");
      if (!(failure.probability >= 0.0 && failure.probability <= 1.0))
        block.fail("probability", "expected a probability, 0 to 1");
      for (const char* key : {"layer", "attribute", "value", "at"}) block.allow(key);
      block.requireString("layer");
      block.rejectUnknownKeys("layer, ids, probability, attribute, value, at");
      failure.source = table;
      failure.file = reader.file();
      // The layer, attribute, value and at keys are checked as the set_attribute they become.
      sim::parseEngineIntervention(failure.intervention(failure.ids), prefix);
      ensemble.failures.push_back(std::move(failure));
    }
  }
  if (const Value* thresholds = reader.optionalArray("thresholds")) {
    for (const Value& each : thresholds->items()) {
      const InputLocation where = reader.locationOf(each, "thresholds");
      if (!each.isString())
        throw InputError(where, "expected threshold strings such as \"flood.max_depth_m > 1\"");
      ensemble.thresholds.push_back(Threshold::parse(each.asString(), where));
    }
  }
  reader.rejectUnknownKeys("members, thresholds, scale, fail");
  return ensemble;
}

void validateEnsemble(const Ensemble& ensemble, const std::vector<std::string>& models,
                      const std::map<std::string, Value>& modelInputs, const sim::ModelRegistry& registry) {
  for (const ScalePerturbation& scale : ensemble.scales) {
    const InputLocation modelAt{scale.location.file, scale.location.line, "model"};
    if (std::find(models.begin(), models.end(), scale.model) == models.end())
      throw InputError(modelAt, "model '" + scale.model + "' is not one of the scenario's models");
    const auto inputs = modelInputs.find(scale.model);
    const Value* target = inputs == modelInputs.end() ? nullptr : inputs->second.atPath(scale.input);
    if (target == nullptr)
      throw InputError(scale.location, "the [" + scale.model + "] table has no input '" + scale.input + "'");
    Value copy = *target;
    scaleInput(copy, 1.0, scale.location, "input '" + scale.input + "' of [" + scale.model + "]");
  }
  const auto definitions = registry.kpiDefinitions();
  for (const Threshold& threshold : ensemble.thresholds) {
    if (std::find(models.begin(), models.end(), threshold.model) == models.end()) {
      const std::string suggestion = closestSpelling(threshold.model, models);
      throw InputError(threshold.location,
                       "'" + threshold.model + "' is not one of the scenario's models" +
                           (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)"));
    }
    const auto found = definitions.find(threshold.model);
    if (found == definitions.end() || sim::findKpiDefinition(found->second, threshold.kpi) == nullptr) {
      std::vector<std::string> names;
      if (found != definitions.end())
        for (const sim::KpiDefinition& definition : found->second) names.push_back(definition.name);
      const std::string suggestion = closestSpelling(threshold.kpi, names);
      throw InputError(threshold.location,
                       "model '" + threshold.model + "' has no KPI '" + threshold.kpi + "'" +
                           (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)") +
                           "; `citytwin kpis` lists them");
    }
  }
}

std::uint64_t memberSeed(std::uint64_t branchSeed, int member) {
  return splitMix64(branchSeed ^ splitMix64(static_cast<std::uint64_t>(member) + 1));
}

MemberDraws drawMember(const Ensemble& ensemble, std::uint64_t seed) {
  SplitMix64 stream(splitMix64(seed ^ kDrawStream));
  MemberDraws draws;
  for (const ScalePerturbation& scale : ensemble.scales) draws.factors.push_back(scale.factor.draw(stream));
  for (const FailurePerturbation& failure : ensemble.failures) {
    std::vector<std::string>& failed = draws.failed.emplace_back();
    for (const std::string& id : failure.ids) {
      if (stream.uniform() < failure.probability) failed.push_back(id);
    }
  }
  return draws;
}

std::vector<sim::Event> applyMemberDraws(const Ensemble& ensemble, const MemberDraws& draws,
                                         sim::BranchSpec& branch) {
  std::vector<sim::Event> events;
  for (std::size_t i = 0; i < ensemble.scales.size(); ++i) {
    const ScalePerturbation& scale = ensemble.scales[i];
    Value* target = branch.modelParameters[scale.model].atPath(scale.input);
    if (target == nullptr)
      throw InputError(scale.location, "the [" + scale.model + "] table has no input '" + scale.input + "'");
    scaleInput(*target, draws.factors[i], scale.location,
               "input '" + scale.input + "' of [" + scale.model + "]");
    events.push_back({0, "ensemble", "scaled_input", "",
                      scale.model + "." + scale.input + " scaled by " + formatFactor(draws.factors[i])});
  }
  for (std::size_t i = 0; i < ensemble.failures.size(); ++i) {
    const std::vector<std::string>& failed = draws.failed[i];
    for (const std::string& id : failed)
      events.push_back({0, "ensemble", "failed_object", id, id + " fails in this member"});
    if (!failed.empty()) branch.interventions.push_back(ensemble.failures[i].intervention(failed));
  }
  return events;
}

}  // namespace citytwin::scenario
