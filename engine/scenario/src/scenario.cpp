#include "citytwin/scenario/scenario.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>
#include <variant>

#include "citytwin/core/date_time.hpp"
#include "citytwin/core/value_reader.hpp"
#include "citytwin/sim/engine_interventions.hpp"
#include "citytwin/sim/time_text.hpp"

namespace citytwin::scenario {
namespace {

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : ", ") + word;
  return text;
}

bool isValidVariantName(const std::string& name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

// The kind -> model table of every registered model's own intervention kinds.
std::map<std::string, std::string> modelInterventionKinds(const sim::ModelRegistry& registry) {
  std::map<std::string, std::string> kinds;
  for (const std::string& name : registry.names()) {
    for (const std::string& kind : registry.create(name)->describe().interventionKinds)
      kinds.emplace(kind, name);
  }
  return kinds;
}

void validateSteps(const Scenario& scenario, const sim::ModelRegistry& registry) {
  const std::string wholeRun =
      "is longer than the whole run (" + sim::formatDuration(scenario.duration) + ")";
  if (scenario.duration <= 0)
    throw InputError(scenario.locationOf("duration"), "expected a duration longer than zero");
  if (scenario.reportStep < 0)
    throw InputError(scenario.locationOf("step"), "expected a duration longer than zero");
  if (scenario.reportStep > scenario.duration) throw InputError(scenario.locationOf("step"), wholeRun);
  if (scenario.stateStep < 0)
    throw InputError(scenario.locationOf("state_step"), "expected a duration longer than zero");
  if (scenario.stateStep > scenario.duration) throw InputError(scenario.locationOf("state_step"), wholeRun);
  for (const auto& [model, step] : scenario.modelSteps) {
    if (!registry.contains(model))
      throw InputError(scenario.locationOf("steps." + model), "unknown model '" + model + "'");
    if (step <= 0)
      throw InputError(scenario.locationOf("steps." + model), "expected a duration longer than zero");
  }
}

void validateModels(const Scenario& scenario, const sim::ModelRegistry& registry) {
  for (std::size_t i = 0; i < scenario.models.size(); ++i) {
    const std::string& name = scenario.models[i];
    const InputLocation where = scenario.locationOf("models", "models[" + std::to_string(i + 1) + "]");
    if (!registry.contains(name)) {
      throw InputError(where,
                       "unknown model '" + name + "'; this build knows: " +
                           (registry.names().empty() ? std::string("no models") : joined(registry.names())));
    }
    if (std::find(scenario.models.begin(), scenario.models.begin() + static_cast<std::ptrdiff_t>(i), name) !=
        scenario.models.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw InputError(where, "model '" + name + "' is listed twice");
    }
  }
  for (const auto& [name, inputs] : scenario.modelInputs) {
    if (!registry.contains(name)) {
      throw InputError(scenario.locationOf(name),
                       "no registered model has this name; this build knows: " +
                           (registry.names().empty() ? std::string("no models") : joined(registry.names())));
    }
    if (!inputs.isTable())
      throw InputError(scenario.locationOf(name),
                       "expected a table [" + name + "] of the model's parameters");
  }
}

void validateVariant(const Scenario& scenario, std::size_t position, const sim::ModelRegistry& registry,
                     const std::map<std::string, std::string>& kinds) {
  const Variant& variant = scenario.variants[position - 1];
  const std::string prefix = "variant[" + std::to_string(position) + "].";
  const std::string file = scenario.file.string();
  std::vector<std::string> models = scenario.models;

  // Engine kinds first (toggles decide which models run), then model kinds against the final list.
  std::size_t index = 0;
  for (const sim::Intervention& intervention : variant.interventions) {
    ++index;
    const std::string ivPrefix = prefix + "intervention[" + std::to_string(index) + "].";
    const ValueReader ivReader(intervention.parameters, file, ivPrefix, intervention.line);
    const std::string kind = ivReader.requireString("kind");
    if (!sim::isEngineInterventionKind(kind)) continue;
    const sim::EngineAction action = sim::parseEngineIntervention(intervention, ivPrefix);
    if (const auto* toggle = std::get_if<sim::ToggleModel>(&action)) {
      if (!registry.contains(toggle->model)) {
        ivReader.fail("model",
                      "unknown model '" + toggle->model + "'; known models: " + joined(registry.names()));
      }
      const auto found = std::find(models.begin(), models.end(), toggle->model);
      if (toggle->enable && found == models.end()) models.push_back(toggle->model);
      if (!toggle->enable && found != models.end()) models.erase(found);
    } else if (const auto* scale = std::get_if<sim::ScaleSeries>(&action)) {
      if (!registry.contains(scale->model)) {
        ivReader.fail("model",
                      "unknown model '" + scale->model + "'; known models: " + joined(registry.names()));
      }
      const auto inputs = scenario.modelInputs.find(scale->model);
      Value copy = inputs != scenario.modelInputs.end() ? inputs->second : Value::table();
      sim::applyScaleSeries(*scale, intervention, copy);
    }
  }
  index = 0;
  for (const sim::Intervention& intervention : variant.interventions) {
    ++index;
    if (sim::isEngineInterventionKind(intervention.kind)) continue;
    const std::string ivPrefix = prefix + "intervention[" + std::to_string(index) + "].";
    const ValueReader ivReader(intervention.parameters, file, ivPrefix, intervention.line);
    const auto owner = kinds.find(intervention.kind);
    if (owner == kinds.end()) {
      std::vector<std::string> known{sim::kSetAttribute, sim::kScaleSeries, sim::kEnableModel,
                                     sim::kDisableModel};
      for (const auto& [kind, model] : kinds) known.push_back(kind + " (" + model + ")");
      ivReader.fail("kind",
                    "unknown intervention kind '" + intervention.kind + "'; known kinds: " + joined(known));
    }
    if (std::find(models.begin(), models.end(), owner->second) == models.end()) {
      ivReader.fail("kind", "intervention kind '" + intervention.kind + "' belongs to model '" +
                                owner->second +
                                "', which this variant does not run (add it to models or enable_model it)");
    }
  }
}

}  // namespace

Variant& Variant::intervene(Value table) {
  interventions.push_back(sim::makeIntervention(std::move(table)));
  return *this;
}

Variant& Scenario::addVariant(std::string variantName, std::string variantDescription) {
  Variant& variant = variants.emplace_back();
  variant.name = std::move(variantName);
  variant.description = std::move(variantDescription);
  return variant;
}

std::string Scenario::startIso8601() const {
  return formatDateTime(startEpochMs, DateTimeFraction::WhenNonZero);
}

std::string Scenario::branchName(std::size_t branch) const {
  return branch == 0 ? std::string("base") : variants.at(branch - 1).name;
}

std::string Scenario::branchDescription(std::size_t branch) const {
  return branch == 0 ? std::string() : variants.at(branch - 1).description;
}

std::uint64_t Scenario::branchSeed(std::size_t branch) const {
  return branch == 0 ? seed : variants.at(branch - 1).seed.value_or(seed);
}

InputLocation Scenario::locationOf(const std::string& key, const std::string& lineKey) const {
  const auto found = lines.find(lineKey.empty() ? key : lineKey);
  return {file.string(), found == lines.end() ? 0 : found->second, key};
}

void validate(const Scenario& scenario, const sim::ModelRegistry& registry) {
  if (scenario.city.empty())
    throw InputError(scenario.locationOf("city"), "expected the path of a city file (.gpkg)");
  if (scenario.generate) {
    if (!(scenario.generate->sizeKm > 0.0 && scenario.generate->sizeKm <= 100.0)) {
      throw InputError(scenario.locationOf("generate.size_km"), "expected a size in km, 0 < size_km <= 100");
    }
    if (!(scenario.generate->demCellM > 0.0))
      throw InputError(scenario.locationOf("generate.dem_cell_m"), "expected a cell size in metres > 0");
  }
  validateSteps(scenario, registry);
  validateModels(scenario, registry);

  const auto kinds = modelInterventionKinds(registry);
  std::set<std::string> names{"base"};
  for (std::size_t position = 1; position <= scenario.variants.size(); ++position) {
    const Variant& variant = scenario.variants[position - 1];
    const std::string nameKey = "variant[" + std::to_string(position) + "].name";
    if (!isValidVariantName(variant.name)) {
      throw InputError(scenario.locationOf(nameKey),
                       "'" + variant.name +
                           "' is not a valid variant name: use letters, digits, - and _ (it names a folder)");
    }
    if (!names.insert(variant.name).second) {
      throw InputError(scenario.locationOf(nameKey),
                       variant.name == "base" ? "'base' is the name of the base; pick another"
                                              : "a variant named '" + variant.name + "' already exists");
    }
    validateVariant(scenario, position, registry, kinds);
  }
  if (scenario.ensemble) validateEnsemble(*scenario.ensemble, scenario.models, scenario.modelInputs, registry);
}

std::vector<BranchRun> branchRuns(const Scenario& scenario) {
  std::vector<BranchRun> runs;
  for (std::size_t branch = 0; branch < scenario.branchCount(); ++branch) {
    if (!scenario.ensemble) {
      runs.push_back({branch, -1});
      continue;
    }
    for (int member = 0; member < scenario.ensemble->members; ++member) runs.push_back({branch, member});
  }
  return runs;
}

std::filesystem::path runFolder(const Scenario& scenario, const BranchRun& run) {
  std::filesystem::path folder = scenario.branchName(run.branch);
  if (run.member < 0) return folder;
  std::string number = std::to_string(run.member);
  const std::size_t width = std::max<std::size_t>(3, std::to_string(scenario.memberCount() - 1).size());
  if (number.size() < width) number.insert(0, width - number.size(), '0');
  return folder / ("member-" + number);
}

std::vector<std::string> branchModels(const Scenario& scenario, std::size_t branch) {
  std::vector<std::string> models = scenario.models;
  if (branch == 0) return models;
  for (const sim::Intervention& intervention : scenario.variants.at(branch - 1).interventions) {
    if (intervention.kind != sim::kEnableModel && intervention.kind != sim::kDisableModel) continue;
    const auto toggle = std::get<sim::ToggleModel>(sim::parseEngineIntervention(intervention));
    const auto found = std::find(models.begin(), models.end(), toggle.model);
    if (toggle.enable && found == models.end()) models.push_back(toggle.model);
    if (!toggle.enable && found != models.end()) models.erase(found);
  }
  return models;
}

void checkAgainstCity(const Scenario& scenario, const city::CityModel& city) {
  if (scenario.ensemble) {
    std::size_t position = 0;
    for (const FailurePerturbation& failure : scenario.ensemble->failures) {
      const std::string prefix = "ensemble.fail[" + std::to_string(++position) + "].";
      std::get<sim::SetAttribute>(sim::parseEngineIntervention(failure.intervention(failure.ids), prefix))
          .selector.checkIds(city);
    }
  }
  for (std::size_t position = 1; position <= scenario.variants.size(); ++position) {
    std::size_t index = 0;
    for (const sim::Intervention& intervention : scenario.variants[position - 1].interventions) {
      ++index;
      if (intervention.kind != sim::kSetAttribute) continue;
      const std::string prefix =
          "variant[" + std::to_string(position) + "].intervention[" + std::to_string(index) + "].";
      std::get<sim::SetAttribute>(sim::parseEngineIntervention(intervention, prefix)).selector.checkIds(city);
    }
  }
}

sim::BranchSpec makeBranchSpec(const Scenario& scenario, std::size_t branch, const city::CityModel& city,
                               const std::filesystem::path& outputDirectory) {
  if (branch >= scenario.branchCount()) throw Error("scenario has no variant " + std::to_string(branch));
  sim::BranchSpec spec;
  spec.name = scenario.branchName(branch);
  spec.city = &city;
  spec.models = scenario.models;
  spec.modelParameters = scenario.modelInputs;
  spec.modelSteps = scenario.modelSteps;
  if (branch > 0) spec.interventions = scenario.variants[branch - 1].interventions;
  spec.end = scenario.duration;
  spec.kpiInterval = scenario.reportStep;
  spec.stateInterval = scenario.stateStep;
  spec.startIso8601 = scenario.startIso8601();
  spec.seed = scenario.branchSeed(branch);
  spec.scenarioFile = scenario.file.string();
  spec.scenarioDirectory = scenario.directory();
  spec.outputDirectory = outputDirectory;
  return spec;
}

sim::BranchSpec makeBranchSpec(const Scenario& scenario, const BranchRun& run, const city::CityModel& city,
                               const std::filesystem::path& outputDirectory, std::vector<sim::Event>* drawEvents) {
  sim::BranchSpec spec = makeBranchSpec(scenario, run.branch, city, outputDirectory);
  if (run.member < 0) return spec;
  if (!scenario.ensemble || run.member >= scenario.ensemble->members)
    throw Error("scenario has no ensemble member " + std::to_string(run.member));
  spec.name = runFolder(scenario, run).generic_string();
  spec.seed = memberSeed(spec.seed, run.member);
  std::vector<sim::Event> events =
      applyMemberDraws(*scenario.ensemble, drawMember(*scenario.ensemble, spec.seed), spec);
  if (drawEvents != nullptr) *drawEvents = std::move(events);
  return spec;
}

}  // namespace citytwin::scenario
