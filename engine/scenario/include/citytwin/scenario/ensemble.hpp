#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "citytwin/core/error.hpp"
#include "citytwin/core/splitmix64.hpp"
#include "citytwin/core/value.hpp"
#include "citytwin/core/value_reader.hpp"
#include "citytwin/sim/branch.hpp"
#include "citytwin/sim/model_registry.hpp"

namespace citytwin::scenario {

// A factor drawn once per member:
//   distribution = "uniform",   min = 0.8, max = 1.2
//   distribution = "normal",    mean = 1.0, std = 0.1
//   distribution = "lognormal", median = 1.0, sigma = 0.3      (exp of a normal: median * exp(sigma * z))
//   distribution = "discrete",  values = [0.5, 1, 2], weights = [1, 2, 1]   (weights optional: equal)
struct Distribution {
  enum class Kind { Uniform, Normal, Lognormal, Discrete };
  Kind kind = Kind::Uniform;
  double first = 1.0;   // uniform: min; normal: mean; lognormal: median
  double second = 1.0;  // uniform: max; normal: std; lognormal: sigma
  std::vector<double> values;
  std::vector<double> weights;  // cumulative, normalised to end at 1

  // Reads the distribution keys of `reader`'s table (marks them known).
  static Distribution parse(const ValueReader& reader);
  // One draw; uses one or two values of `stream` (SplitMix64 only, so draws are the same on every platform).
  double draw(SplitMix64& stream) const;
};

// [[ensemble.scale]]: a numeric input of a model's table multiplied by a drawn factor. The input is a number,
// an array of numbers, or a series of [time, value] pairs (the values are scaled, the times kept).
//   model = "flood", input = "rain_series", distribution = "lognormal", median = 1.0, sigma = 0.25
struct ScalePerturbation {
  std::string model;
  std::string input;  // dotted path inside the model's table
  Distribution factor;
  InputLocation location;  // of `input`
};

// [[ensemble.fail]]: each listed object fails on its own with `probability`: its `attribute` is set to
// `value` (as a set_attribute intervention would, from `at` on).
//   layer = "road_link", ids = ["l1", "l2"], probability = 0.2, attribute = "closed", value = 1, at = "30m"
struct FailurePerturbation {
  std::vector<std::string> ids;
  double probability = 0.0;
  Value source;  // the block as written: layer, attribute, value, at and ids keep their source lines
  std::string file;

  // The set_attribute intervention that fails `failing` (some of `ids`) as the block says.
  sim::Intervention intervention(const std::vector<std::string>& failing) const;
};

// `thresholds = ["flood.buildings_over_0_3m > 100"]`: the share of members whose final KPI crosses it.
struct Threshold {
  enum class Comparison { Greater, GreaterOrEqual, Less, LessOrEqual };
  std::string text;  // as written
  std::string model;
  std::string kpi;
  Comparison comparison = Comparison::Greater;
  double value = 0.0;
  InputLocation location;

  // Parses "model.kpi OP number" (OP one of > >= < <=); throws InputError at `location`.
  static Threshold parse(const std::string& text, const InputLocation& location);
  bool crossedBy(double kpiValue) const;
};

// The [ensemble] table: every branch (the base and each variant) runs `members` times, each member with
// its own seed and its own draws of the perturbations.
struct Ensemble {
  int members = 0;
  std::vector<ScalePerturbation> scales;
  std::vector<FailurePerturbation> failures;
  std::vector<Threshold> thresholds;
};

// Reads the [ensemble] table (`reader` reads that table; `file` names the scenario file). Throws
// InputError (file, line, key) for unknown keys (with the likely intended key), wrong types and values.
Ensemble readEnsemble(const ValueReader& reader);

// Checks what needs the scenario's models and their inputs: each scaled input exists and is numeric,
// each threshold names a KPI a run model defines.
void validateEnsemble(const Ensemble& ensemble, const std::vector<std::string>& models,
                      const std::map<std::string, Value>& modelInputs, const sim::ModelRegistry& registry);

// Member `member`'s seed, from its branch's seed (the scenario's unless the variant sets one, so the
// members of the base and of each variant see the same draws: common random numbers across variants).
std::uint64_t memberSeed(std::uint64_t branchSeed, int member);

// What one member drew, in the order of the [ensemble] table.
struct MemberDraws {
  std::vector<double> factors;                   // one per scale perturbation
  std::vector<std::vector<std::string>> failed;  // the ids failing, one list per failure perturbation
};
MemberDraws drawMember(const Ensemble& ensemble, std::uint64_t seed);

// Applies a member's draws to a branch: scales the inputs of its model tables and appends set_attribute
// interventions for the failing objects. Also returns one event per draw (recorded with the member).
std::vector<sim::Event> applyMemberDraws(const Ensemble& ensemble, const MemberDraws& draws,
                                         sim::BranchSpec& branch);

}  // namespace citytwin::scenario
