#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/core/value.hpp"
#include "citytwin/scenario/ensemble.hpp"
#include "citytwin/sim/branch.hpp"
#include "citytwin/sim/intervention.hpp"
#include "citytwin/sim/model_registry.hpp"
#include "citytwin/sim/sim_time.hpp"

namespace citytwin::scenario {

// `generate = { size_km = 2, seed = 1 }`: how to make the city file when it does not exist yet.
struct GenerateCitySpec {
  double sizeKm = 2.0;
  std::uint64_t seed = 1;
  double demCellM = 10.0;
};

// A what-if: the base with these interventions applied.
struct Variant {
  std::string name;  // names its output folder: letters, digits, - and _
  std::string description;
  std::optional<std::uint64_t> seed;             // the scenario's seed when unset (common random numbers)
  std::vector<sim::Intervention> interventions;  // in file order

  // Adds an intervention from its table, e.g. Value::table({{"kind", "close_road"}, {"links", ...}}).
  Variant& intervene(Value table);
};

// A scenario as a value: what a scenario file says, or what code builds directly —
//   Scenario s; s.city = "city.gpkg"; s.duration = 6 * sim::kHour; s.models = {"flood"};
//   s.modelInputs["flood"] = Value::table({{"rain_mm_per_h", 30.0}});
//   s.addVariant("levee").intervene(Value::table({{"kind", "raise_line"}, ...}));
//   validate(s, registry);
// Model inputs and interventions are Value trees; when the scenario came from a file, they and `lines`
// keep the source lines, so every error names file:line:key; built in code, errors name the key.
struct Scenario {
  std::filesystem::path file;  // the scenario file; empty when built in code
  std::string text;            // the file's text, recorded with the run; empty when built in code
  std::string name;
  std::string description;
  std::filesystem::path city;  // the city file (a file's relative path is resolved against its folder)
  std::optional<GenerateCitySpec> generate;
  std::int64_t startEpochMs = 0;  // wall-clock time of SimTime 0
  sim::SimTime duration = 0;
  sim::SimTime reportStep = 0;  // KPI series are recorded once per step (0: at every boundary)
  sim::SimTime stateStep = 0;   // published columns are recorded once per step (0: not recorded)
  std::uint64_t seed = 1;
  std::vector<std::string> models;                 // the base's models, in publishing order
  std::map<std::string, Value> modelInputs;        // each model's [<model>] table
  std::map<std::string, sim::SimTime> modelSteps;  // overrides of the models' preferred steps
  std::vector<Variant> variants;                   // the what-ifs in order; the base is implicit
  std::optional<Ensemble> ensemble;                // [ensemble]: every branch runs as that many members
  // Source lines of the settings read from a file, by key ("duration", "variant[2].name", "models[3]").
  std::map<std::string, std::size_t> lines;

  Variant& addVariant(std::string variantName, std::string variantDescription = "");
  std::filesystem::path directory() const { return file.parent_path(); }
  std::string startIso8601() const;

  // Branches: 0 is the base, i > 0 is variants[i - 1].
  std::size_t branchCount() const { return variants.size() + 1; }
  std::string branchName(std::size_t branch) const;
  std::string branchDescription(std::size_t branch) const;
  std::uint64_t branchSeed(std::size_t branch) const;

  // Members per branch: the ensemble's, or 0 without one.
  int memberCount() const { return ensemble ? ensemble->members : 0; }

  // Where a setting came from: the file, its line (0 when unknown) and `key`; `lineKey` names the entry
  // of `lines` when it differs from the key (an element of an array).
  InputLocation locationOf(const std::string& key, const std::string& lineKey = "") const;
};

// Checks everything that does not need the city, whatever the scenario's origin (a file, code): the city
// is named, durations are positive and steps fit the run, every model is registered and listed once,
// variant names are valid and unique, engine interventions are well formed, and every model intervention
// belongs to a model its variant runs. Throws InputError (file, line, key).
void validate(const Scenario& scenario, const sim::ModelRegistry& registry);

// The models branch `branch` runs, in publishing order: the scenario's, with the variant's enable_model
// and disable_model applied.
std::vector<std::string> branchModels(const Scenario& scenario, std::size_t branch);

// One simulation of a run: a branch (0 = base, i = variants[i - 1]) and, in an ensemble, its member
// (-1 without an ensemble).
struct BranchRun {
  std::size_t branch = 0;
  int member = -1;
};

// Every simulation of the scenario in the order the run records them: branch by branch, each branch's
// members in order.
std::vector<BranchRun> branchRuns(const Scenario& scenario);
// Where a simulation's files go inside the run folder: "wall", or "wall/member-007" in an ensemble.
std::filesystem::path runFolder(const Scenario& scenario, const BranchRun& run);

// Checks what needs the city: every id named by an engine intervention exists. (Model-specific
// interventions are checked by their model when the branch is built.)
void checkAgainstCity(const Scenario& scenario, const city::CityModel& city);

// The branch of index `branch` (0 = base, i = variants[i - 1]), with copies of the scenario's model
// inputs and the variant's interventions.
sim::BranchSpec makeBranchSpec(const Scenario& scenario, std::size_t branch, const city::CityModel& city,
                               const std::filesystem::path& outputDirectory);
// The same for one simulation: an ensemble member gets its member seed and its draws of the perturbations
// (the events saying what it drew go to `drawEvents` when given).
sim::BranchSpec makeBranchSpec(const Scenario& scenario, const BranchRun& run, const city::CityModel& city,
                               const std::filesystem::path& outputDirectory,
                               std::vector<sim::Event>* drawEvents = nullptr);

}  // namespace citytwin::scenario
