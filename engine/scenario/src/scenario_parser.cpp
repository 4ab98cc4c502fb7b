#include "citytwin/scenario/scenario_parser.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "citytwin/sim/engine_interventions.hpp"
#include "citytwin/sim/time_text.hpp"
#include "citytwin/sim/toml_reader.hpp"

namespace citytwin::scenario {
namespace {

using sim::formatDuration;
using sim::formatIsoDateTime;
using sim::parseDuration;
using sim::parseIsoDateTime;

const std::vector<std::string> kTopLevelKeys{"name",   "description", "city",   "generate",   "start",
                                             "end",    "duration",    "step",   "state_step", "seed",
                                             "models", "steps",       "variant"};

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : ", ") + word;
  return text;
}

toml::table parseToml(const std::string& text, const std::string& file) {
  try {
    return toml::parse(std::string_view(text), std::string_view(file));
  } catch (const toml::parse_error& error) {
    throw InputError({file, static_cast<std::size_t>(error.source().begin.line), ""},
                     "not valid TOML: " + std::string(error.description()));
  }
}

std::int64_t readDateTime(const sim::TomlReader& reader, const std::string& key) {
  const toml::node* node = reader.node(key);
  if (node == nullptr) reader.fail(key, "missing; it is required here (an ISO 8601 date-time)");
  if (const auto* value = node->as_date_time()) {
    const toml::date_time& dt = value->get();
    std::ostringstream text;
    text << dt.date << 'T' << dt.time;
    if (dt.offset) text << *dt.offset;
    if (const auto parsed = parseIsoDateTime(text.str())) return *parsed;
    reader.fail(key, "not a valid date-time");
  }
  if (const auto* value = node->as_date()) {
    std::ostringstream text;
    text << value->get();
    if (const auto parsed = parseIsoDateTime(text.str())) return *parsed;
  }
  if (const auto* value = node->as_string()) {
    if (const auto parsed = parseIsoDateTime(value->get())) return *parsed;
    reader.fail(key, "'" + value->get() + "' is not an ISO 8601 date-time such as 2026-07-01T08:00:00Z");
  }
  reader.fail(key, "expected an ISO 8601 date-time such as 2026-07-01T08:00:00Z, found " +
                       sim::describeTomlType(*node));
}

sim::SimTime readDuration(const sim::TomlReader& reader, const std::string& key) {
  const toml::node* node = reader.node(key);
  if (node == nullptr) reader.fail(key, "missing");
  if (!node->is_string()) {
    reader.fail(key, "expected a duration string such as \"15m\", \"1h30m\" or \"PT1H\", found " +
                         sim::describeTomlType(*node));
  }
  const std::string text = node->as_string()->get();
  const auto parsed = parseDuration(text);
  if (!parsed)
    reader.fail(key, "'" + text + "' is not a duration such as \"15m\", \"1h30m\", \"2d\" or \"PT1H\"");
  if (*parsed <= 0) reader.fail(key, "expected a duration longer than zero");
  return *parsed;
}

std::uint64_t readSeed(const sim::TomlReader& reader, const std::string& key, std::uint64_t fallback) {
  const auto seed = reader.optionalInteger(key);
  if (!seed) return fallback;
  if (*seed < 0) reader.fail(key, "expected an integer >= 0");
  return static_cast<std::uint64_t>(*seed);
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

// Moves the intervention table at `node` into an Intervention (moving keeps toml++'s source lines).
sim::Intervention takeIntervention(toml::node& node, const std::string& file) {
  sim::Intervention intervention;
  intervention.line = static_cast<std::size_t>(node.source().begin.line);
  intervention.kind = node.as_table()->get_as<std::string>("kind")
                          ? node.as_table()->get_as<std::string>("kind")->get()
                          : std::string();
  intervention.parameters = std::move(*node.as_table());
  intervention.sourceFile = file;
  return intervention;
}

void parseVariants(const sim::TomlReader& top, toml::table& root, ScenarioSpec& spec,
                   const sim::ModelRegistry& registry) {
  toml::node* variantsNode = root.get("variant");
  if (variantsNode == nullptr) return;
  if (!variantsNode->is_array_of_tables())
    top.fail("variant", "expected [[variant]] blocks (an array of tables)");
  const auto kinds = modelInterventionKinds(registry);
  std::set<std::string> names{"base"};
  std::size_t position = 0;
  for (toml::node& variantNode : *variantsNode->as_array()) {
    ++position;
    toml::table& table = *variantNode.as_table();
    const std::string prefix = "variant[" + std::to_string(position) + "].";
    const sim::TomlReader reader(table, top.file(), prefix,
                                 static_cast<std::size_t>(variantNode.source().begin.line));
    VariantSpec variant;
    variant.line = static_cast<std::size_t>(variantNode.source().begin.line);
    variant.name = reader.requireString("name");
    if (!isValidVariantName(variant.name)) {
      reader.fail("name",
                  "'" + variant.name +
                      "' is not a valid variant name: use letters, digits, - and _ (it names a folder)");
    }
    if (!names.insert(variant.name).second) {
      reader.fail("name", variant.name == "base" ? "'base' is the name of the base; pick another"
                                                 : "a variant named '" + variant.name + "' already exists");
    }
    variant.description = reader.optionalString("description").value_or("");
    variant.seed = readSeed(reader, "seed", spec.seed);
    variant.models = spec.models;

    std::vector<sim::Intervention> interventions;
    if (toml::node* list = table.get("intervention")) {
      reader.allow("intervention");
      if (!list->is_array_of_tables()) {
        reader.fail("intervention", "expected [[variant.intervention]] blocks (an array of tables)");
      }
      for (toml::node& each : *list->as_array()) interventions.push_back(takeIntervention(each, top.file()));
    }
    reader.rejectUnknownKeys("name, description, seed, intervention");

    // Engine kinds first (toggles decide which models run), then model kinds against the final list.
    std::size_t index = 0;
    for (const sim::Intervention& intervention : interventions) {
      ++index;
      const std::string ivPrefix = prefix + "intervention[" + std::to_string(index) + "].";
      const sim::TomlReader ivReader(intervention.parameters, top.file(), ivPrefix, intervention.line);
      const std::string kind = ivReader.requireString("kind");
      variant.interventionKinds.push_back(kind);
      if (!sim::isEngineInterventionKind(kind)) continue;
      const sim::EngineAction action = sim::parseEngineIntervention(intervention, ivPrefix);
      if (const auto* toggle = std::get_if<sim::ToggleModel>(&action)) {
        if (!registry.contains(toggle->model)) {
          ivReader.fail("model",
                        "unknown model '" + toggle->model + "'; known models: " + joined(registry.names()));
        }
        const auto found = std::find(variant.models.begin(), variant.models.end(), toggle->model);
        if (toggle->enable && found == variant.models.end()) variant.models.push_back(toggle->model);
        if (!toggle->enable && found != variant.models.end()) variant.models.erase(found);
      } else if (const auto* scale = std::get_if<sim::ScaleSeries>(&action)) {
        if (!registry.contains(scale->model)) {
          ivReader.fail("model",
                        "unknown model '" + scale->model + "'; known models: " + joined(registry.names()));
        }
        const toml::table* parameters = root.get_as<toml::table>(scale->model);
        toml::table copy = parameters != nullptr ? *parameters : toml::table{};
        sim::ScaleSeries located = *scale;
        sim::Intervention where;
        where.sourceFile = top.file();
        where.line = static_cast<std::size_t>(ivReader.locationOf("series").line);
        where.kind = kind;
        sim::applyScaleSeries(located, where, copy);
      }
    }
    index = 0;
    for (const sim::Intervention& intervention : interventions) {
      ++index;
      if (sim::isEngineInterventionKind(intervention.kind)) continue;
      const std::string ivPrefix = prefix + "intervention[" + std::to_string(index) + "].";
      const sim::TomlReader ivReader(intervention.parameters, top.file(), ivPrefix, intervention.line);
      const auto owner = kinds.find(intervention.kind);
      if (owner == kinds.end()) {
        std::vector<std::string> known{sim::kSetAttribute, sim::kScaleSeries, sim::kEnableModel,
                                       sim::kDisableModel};
        for (const auto& [kind, model] : kinds) known.push_back(kind + " (" + model + ")");
        ivReader.fail("kind",
                      "unknown intervention kind '" + intervention.kind + "'; known kinds: " + joined(known));
      }
      if (std::find(variant.models.begin(), variant.models.end(), owner->second) == variant.models.end()) {
        ivReader.fail("kind", "intervention kind '" + intervention.kind + "' belongs to model '" +
                                  owner->second +
                                  "', which this variant does not run (add it to models or enable_model it)");
      }
    }
    spec.variants.push_back(std::move(variant));
  }
}

}  // namespace

ScenarioSpec loadScenario(const std::filesystem::path& file, const sim::ModelRegistry& registry,
                          const ParseOptions& options) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(file.string() + ": cannot read the scenario file (missing or not readable)");
  std::ostringstream text;
  text << in.rdbuf();
  return parseScenario(text.str(), file, registry, options);
}

ScenarioSpec parseScenario(std::string text, const std::filesystem::path& file,
                           const sim::ModelRegistry& registry, const ParseOptions& options) {
  ScenarioSpec spec;
  spec.file = file;
  spec.text = std::move(text);
  const std::string fileName = file.string();
  toml::table root = parseToml(spec.text, fileName);
  const sim::TomlReader top(root, fileName);

  spec.name = top.optionalString("name").value_or(file.stem().string());
  spec.description = top.optionalString("description").value_or("");

  if (options.city) {
    if (top.has("city")) top.requireString("city");  // still type-checked, then replaced
    spec.cityLocation = top.has("city") ? top.locationOf("city") : InputLocation{fileName, 0, "city"};
    spec.city = *options.city;
  } else {
    const std::string city = top.requireString("city");
    if (city.empty()) top.fail("city", "expected the path of a city file (.gpkg)");
    spec.cityLocation = top.locationOf("city");
    const std::filesystem::path cityPath(city);
    spec.city = (cityPath.is_absolute() ? cityPath : spec.directory() / cityPath).lexically_normal();
  }

  if (const toml::table* generate = top.optionalTable("generate")) {
    const sim::TomlReader reader(*generate, fileName, "generate.", top.locationOf("generate").line);
    GenerateCitySpec options;
    options.sizeKm = reader.optionalNumber("size_km").value_or(options.sizeKm);
    if (!(options.sizeKm > 0.0 && options.sizeKm <= 100.0))
      reader.fail("size_km", "expected a size in km, 0 < size_km <= 100");
    options.seed = readSeed(reader, "seed", options.seed);
    options.demCellM = reader.optionalNumber("dem_cell_m").value_or(options.demCellM);
    if (!(options.demCellM > 0.0)) reader.fail("dem_cell_m", "expected a cell size in metres > 0");
    reader.rejectUnknownKeys("size_km, seed, dem_cell_m");
    spec.generate = options;
  }

  spec.startEpochMs = readDateTime(top, "start");
  spec.startIso8601 = formatIsoDateTime(spec.startEpochMs);
  const bool hasEnd = top.has("end");
  const bool hasDuration = top.has("duration");
  if (hasEnd && hasDuration) top.fail("duration", "give either end or duration, not both");
  if (!hasEnd && !hasDuration) top.fail("end", "missing: give end (a date-time) or duration (e.g. \"6h\")");
  if (hasEnd) {
    const std::int64_t end = readDateTime(top, "end");
    if (end <= spec.startEpochMs) top.fail("end", "must be after start (" + spec.startIso8601 + ")");
    spec.duration = end - spec.startEpochMs;
  } else {
    spec.duration = readDuration(top, "duration");
  }
  if (top.has("step")) {
    spec.reportStep = readDuration(top, "step");
    if (spec.reportStep > spec.duration)
      top.fail("step", "is longer than the whole run (" + formatDuration(spec.duration) + ")");
  }
  if (top.has("state_step")) {
    spec.stateStep = readDuration(top, "state_step");
    if (spec.stateStep > spec.duration) {
      top.fail("state_step", "is longer than the whole run (" + formatDuration(spec.duration) + ")");
    }
  }
  spec.seed = readSeed(top, "seed", 1);

  const toml::node* modelsNode = top.node("models");
  if (modelsNode == nullptr)
    top.fail("models", "missing: list the models to run, e.g. models = [\"flood\"], or \"all\"");
  if (modelsNode->is_string()) {
    if (modelsNode->as_string()->get() != "all") {
      top.fail("models", "expected an array of model names or \"all\" (every model of this build)");
    }
    spec.models = registry.names();
  }
  const toml::array empty;
  const toml::array* models = modelsNode->is_string() ? &empty : top.optionalArray("models");
  for (const toml::node& model : *models) {
    if (!model.is_string()) {
      throw InputError(top.locationOf(model, "models"),
                       "expected model names (strings), found " + sim::describeTomlType(model));
    }
    const std::string name(*model.as_string());
    if (!registry.contains(name)) {
      throw InputError(top.locationOf(model, "models"),
                       "unknown model '" + name + "'; this build knows: " +
                           (registry.names().empty() ? std::string("no models") : joined(registry.names())));
    }
    if (std::find(spec.models.begin(), spec.models.end(), name) != spec.models.end()) {
      throw InputError(top.locationOf(model, "models"), "model '" + name + "' is listed twice");
    }
    spec.models.push_back(name);
  }

  if (const toml::table* steps = top.optionalTable("steps")) {
    const sim::TomlReader reader(*steps, fileName, "steps.", top.locationOf("steps").line);
    for (const auto& [key, value] : *steps) {
      const std::string model(key.str());
      if (!registry.contains(model)) reader.fail(model, "unknown model '" + model + "'");
      spec.modelSteps[model] = readDuration(reader, model);
    }
  }

  // Top-level tables named after a registered model are that model's parameters.
  for (const auto& [key, value] : root) {
    const std::string name(key.str());
    if (std::find(kTopLevelKeys.begin(), kTopLevelKeys.end(), name) != kTopLevelKeys.end()) continue;
    if (!registry.contains(name)) continue;
    if (!value.is_table()) top.fail(name, "expected a table [" + name + "] of the model's parameters");
    top.allow(name);
  }

  spec.variants.push_back({"base", "", spec.seed, spec.models, {}, 0});
  parseVariants(top, root, spec, registry);
  top.allow("variant");
  top.rejectUnknownKeys(
      joined(kTopLevelKeys) + " or a [<model>] table of a registered model (" +
      (registry.names().empty() ? std::string("none in this build") : joined(registry.names())) + ")");
  return spec;
}

void checkAgainstCity(const ScenarioSpec& spec, const city::CityModel& city) {
  toml::table root = parseToml(spec.text, spec.file.string());
  toml::array* variants = root.get_as<toml::array>("variant");
  if (variants == nullptr) return;
  std::size_t position = 0;
  for (toml::node& variant : *variants) {
    ++position;
    toml::array* interventions = variant.as_table()->get_as<toml::array>("intervention");
    if (interventions == nullptr) continue;
    std::size_t index = 0;
    for (toml::node& each : *interventions) {
      ++index;
      const sim::Intervention intervention = takeIntervention(each, spec.file.string());
      if (intervention.kind != sim::kSetAttribute) continue;
      const std::string prefix =
          "variant[" + std::to_string(position) + "].intervention[" + std::to_string(index) + "].";
      std::get<sim::SetAttribute>(sim::parseEngineIntervention(intervention, prefix)).selector.checkIds(city);
    }
  }
}

sim::BranchSpec makeBranchSpec(const ScenarioSpec& spec, std::size_t index, const city::CityModel& city,
                               const std::filesystem::path& outputDirectory) {
  if (index >= spec.variants.size()) throw Error("scenario has no variant " + std::to_string(index));
  toml::table root = parseToml(spec.text, spec.file.string());
  sim::BranchSpec branch;
  branch.name = spec.variants[index].name;
  branch.city = &city;
  branch.models = spec.models;
  for (auto& [key, value] : root) {
    const std::string name(key.str());
    if (std::find(kTopLevelKeys.begin(), kTopLevelKeys.end(), name) != kTopLevelKeys.end()) continue;
    if (toml::table* table = value.as_table()) branch.modelParameters.emplace(name, std::move(*table));
  }
  branch.modelSteps = spec.modelSteps;
  if (index > 0) {
    toml::table& variant = *root.get_as<toml::array>("variant")->get(index - 1)->as_table();
    if (toml::array* interventions = variant.get_as<toml::array>("intervention")) {
      for (toml::node& each : *interventions)
        branch.interventions.push_back(takeIntervention(each, spec.file.string()));
    }
  }
  branch.end = spec.duration;
  branch.kpiInterval = spec.reportStep;
  branch.stateInterval = spec.stateStep;
  branch.startIso8601 = spec.startIso8601;
  branch.seed = spec.variants[index].seed;
  branch.scenarioFile = spec.file.string();
  branch.scenarioDirectory = spec.directory();
  branch.outputDirectory = outputDirectory;
  return branch;
}

}  // namespace citytwin::scenario
