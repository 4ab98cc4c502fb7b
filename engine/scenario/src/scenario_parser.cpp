#include "citytwin/scenario/scenario_parser.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "citytwin/core/date_time.hpp"
#include "citytwin/core/value_reader.hpp"
#include "citytwin/scenario/toml_input.hpp"
#include "citytwin/sim/time_text.hpp"

namespace citytwin::scenario {
namespace {

using sim::formatDuration;
using sim::parseDuration;

const std::vector<std::string> kTopLevelKeys{"name",   "description", "city",   "generate",   "start",
                                             "end",    "duration",    "step",   "state_step", "seed",
                                             "models", "steps",       "variant", "ensemble"};

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : ", ") + word;
  return text;
}

// [[block]] syntax: a non-empty array whose elements are all tables.
bool isArrayOfTables(const Value& value) {
  return value.isArray() && !value.items().empty() &&
         std::all_of(value.items().begin(), value.items().end(), [](const Value& v) { return v.isTable(); });
}

// Remembers the source line of `key` (read through `reader`) under `name` in the scenario's line map.
void remember(Scenario& scenario, const ValueReader& reader, const std::string& key,
              const std::string& name = "") {
  scenario.lines[name.empty() ? reader.qualified(key) : name] = reader.locationOf(key).line;
}

std::int64_t readDateTime(const ValueReader& reader, const std::string& key) {
  const Value* node = reader.node(key);
  if (node == nullptr) reader.fail(key, "missing; it is required here (an ISO 8601 date-time)");
  if (node->kind() == Value::Kind::DateTime) {
    if (const auto parsed = parseDateTime(node->asString())) return *parsed;
    reader.fail(key, "not a valid date-time");
  }
  if (node->kind() == Value::Kind::Date) {
    if (const auto parsed = parseDateTime(node->asString())) return *parsed;
  }
  if (node->isString()) {
    if (const auto parsed = parseDateTime(node->asString())) return *parsed;
    reader.fail(key, "'" + node->asString() + "' is not an ISO 8601 date-time such as 2026-07-01T08:00:00Z");
  }
  reader.fail(key,
              "expected an ISO 8601 date-time such as 2026-07-01T08:00:00Z, found " + describeType(*node));
}

sim::SimTime readDuration(const ValueReader& reader, const std::string& key) {
  const Value* node = reader.node(key);
  if (node == nullptr) reader.fail(key, "missing");
  if (!node->isString()) {
    reader.fail(key, "expected a duration string such as \"15m\", \"1h30m\" or \"PT1H\", found " +
                         describeType(*node));
  }
  const std::string& text = node->asString();
  const auto parsed = parseDuration(text);
  if (!parsed)
    reader.fail(key, "'" + text + "' is not a duration such as \"15m\", \"1h30m\", \"2d\" or \"PT1H\"");
  if (*parsed <= 0) reader.fail(key, "expected a duration longer than zero");
  return *parsed;
}

std::optional<std::uint64_t> readSeed(const ValueReader& reader, const std::string& key) {
  const auto seed = reader.optionalInteger(key);
  if (!seed) return std::nullopt;
  if (*seed < 0) reader.fail(key, "expected an integer >= 0");
  return static_cast<std::uint64_t>(*seed);
}

void readCity(const ValueReader& top, Scenario& scenario, const ParseOptions& options) {
  if (options.city) {
    if (top.has("city")) {
      top.requireString("city");  // still type-checked, then replaced
      remember(scenario, top, "city");
    }
    scenario.city = *options.city;
    return;
  }
  const std::string city = top.requireString("city");
  if (city.empty()) top.fail("city", "expected the path of a city file (.gpkg)");
  remember(scenario, top, "city");
  const std::filesystem::path cityPath(city);
  scenario.city = (cityPath.is_absolute() ? cityPath : scenario.directory() / cityPath).lexically_normal();
}

void readGenerate(const ValueReader& top, Scenario& scenario) {
  const Value* generate = top.optionalTable("generate");
  if (generate == nullptr) return;
  const ValueReader reader(*generate, top.file(), "generate.", top.locationOf("generate").line);
  GenerateCitySpec options;
  options.sizeKm = reader.optionalNumber("size_km").value_or(options.sizeKm);
  remember(scenario, reader, "size_km");
  if (!(options.sizeKm > 0.0 && options.sizeKm <= 100.0))
    reader.fail("size_km", "expected a size in km, 0 < size_km <= 100");
  options.seed = readSeed(reader, "seed").value_or(options.seed);
  options.demCellM = reader.optionalNumber("dem_cell_m").value_or(options.demCellM);
  remember(scenario, reader, "dem_cell_m");
  if (!(options.demCellM > 0.0)) reader.fail("dem_cell_m", "expected a cell size in metres > 0");
  reader.rejectUnknownKeys("size_km, seed, dem_cell_m");
  scenario.generate = options;
}

void readTimes(const ValueReader& top, Scenario& scenario) {
  scenario.startEpochMs = readDateTime(top, "start");
  const bool hasEnd = top.has("end");
  const bool hasDuration = top.has("duration");
  if (hasEnd && hasDuration) top.fail("duration", "give either end or duration, not both");
  if (!hasEnd && !hasDuration) top.fail("end", "missing: give end (a date-time) or duration (e.g. \"6h\")");
  if (hasEnd) {
    const std::int64_t end = readDateTime(top, "end");
    if (end <= scenario.startEpochMs)
      top.fail("end", "must be after start (" + scenario.startIso8601() + ")");
    scenario.duration = end - scenario.startEpochMs;
    remember(scenario, top, "end", "duration");
  } else {
    scenario.duration = readDuration(top, "duration");
    remember(scenario, top, "duration");
  }
  if (top.has("step")) {
    scenario.reportStep = readDuration(top, "step");
    remember(scenario, top, "step");
    if (scenario.reportStep > scenario.duration)
      top.fail("step", "is longer than the whole run (" + formatDuration(scenario.duration) + ")");
  }
  if (top.has("state_step")) {
    scenario.stateStep = readDuration(top, "state_step");
    remember(scenario, top, "state_step");
    if (scenario.stateStep > scenario.duration) {
      top.fail("state_step", "is longer than the whole run (" + formatDuration(scenario.duration) + ")");
    }
  }
}

void readModels(const ValueReader& top, const Value& root, Scenario& scenario,
                const sim::ModelRegistry& registry) {
  const Value* modelsNode = top.node("models");
  if (modelsNode == nullptr)
    top.fail("models", "missing: list the models to run, e.g. models = [\"flood\"], or \"all\"");
  if (modelsNode->isString()) {
    if (modelsNode->asString() != "all") {
      top.fail("models", "expected an array of model names or \"all\" (every model of this build)");
    }
    scenario.models = registry.names();
  } else {
    const Value* models = top.optionalArray("models");
    for (const Value& model : models->items()) {
      if (!model.isString()) {
        throw InputError(top.locationOf(model, "models"),
                         "expected model names (strings), found " + describeType(model));
      }
      scenario.lines["models[" + std::to_string(scenario.models.size() + 1) + "]"] =
          top.locationOf(model, "models").line;
      scenario.models.push_back(model.asString());
    }
  }

  if (const Value* steps = top.optionalTable("steps")) {
    const ValueReader reader(*steps, top.file(), "steps.", top.locationOf("steps").line);
    for (const std::string& model : steps->keys()) {
      if (!registry.contains(model)) reader.fail(model, "unknown model '" + model + "'");
      scenario.modelSteps[model] = readDuration(reader, model);
      remember(scenario, reader, model);
    }
  }

  // Top-level tables named after a registered model are that model's inputs.
  for (std::size_t i = 0; i < root.keys().size(); ++i) {
    const std::string& name = root.keys()[i];
    if (std::find(kTopLevelKeys.begin(), kTopLevelKeys.end(), name) != kTopLevelKeys.end()) continue;
    if (!registry.contains(name)) continue;
    if (!root.items()[i].isTable())
      top.fail(name, "expected a table [" + name + "] of the model's parameters");
    top.allow(name);
    remember(scenario, top, name);
    scenario.modelInputs[name] = root.items()[i];
  }
}

void readVariants(const ValueReader& top, Scenario& scenario) {
  const Value* variants = top.node("variant");
  if (variants == nullptr) return;
  if (!isArrayOfTables(*variants)) {
    top.fail("variant", "expected [[variant]] blocks (an array of tables)");
  }
  std::size_t position = 0;
  for (const Value& table : variants->items()) {
    ++position;
    const std::string prefix = "variant[" + std::to_string(position) + "].";
    const ValueReader reader(table, top.file(), prefix, table.line());
    scenario.lines["variant[" + std::to_string(position) + "]"] = table.line();
    Variant variant;
    variant.name = reader.requireString("name");
    remember(scenario, reader, "name");
    variant.description = reader.optionalString("description").value_or("");
    variant.seed = readSeed(reader, "seed");
    if (const Value* list = reader.node("intervention")) {
      if (!isArrayOfTables(*list)) {
        reader.fail("intervention", "expected [[variant.intervention]] blocks (an array of tables)");
      }
      for (const Value& each : list->items())
        variant.interventions.push_back(sim::makeIntervention(each, top.file()));
    }
    reader.rejectUnknownKeys("name, description, seed, intervention");
    scenario.variants.push_back(std::move(variant));
  }
}

}  // namespace

Scenario loadScenario(const std::filesystem::path& file, const sim::ModelRegistry& registry,
                      const ParseOptions& options) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(file.string() + ": cannot read the scenario file (missing or not readable)");
  std::ostringstream text;
  text << in.rdbuf();
  return parseScenario(text.str(), file, registry, options);
}

Scenario parseScenario(std::string text, const std::filesystem::path& file,
                       const sim::ModelRegistry& registry, const ParseOptions& options) {
  Scenario scenario;
  scenario.file = file;
  scenario.text = std::move(text);
  const std::string fileName = file.string();
  const Value root = parseToml(scenario.text, fileName);
  const ValueReader top(root, fileName);
  const std::string expectedKeys =
      joined(kTopLevelKeys) + " or a [<model>] table of a registered model (" +
      (registry.names().empty() ? std::string("none in this build") : joined(registry.names())) + ")";
  // Before anything is read, so `duraton` is reported as itself and not as a missing `end`.
  std::vector<std::string> allowedKeys = kTopLevelKeys;
  for (const std::string& model : registry.names()) allowedKeys.push_back(model);
  top.rejectKeysOutside(allowedKeys, expectedKeys);

  scenario.name = top.optionalString("name").value_or(file.stem().string());
  scenario.description = top.optionalString("description").value_or("");
  readCity(top, scenario, options);
  readGenerate(top, scenario);
  readTimes(top, scenario);
  scenario.seed = readSeed(top, "seed").value_or(1);
  readModels(top, root, scenario, registry);
  readVariants(top, scenario);
  if (const Value* ensemble = top.optionalTable("ensemble")) {
    scenario.ensemble = readEnsemble(ValueReader(*ensemble, fileName, "ensemble.", top.locationOf("ensemble").line));
  }
  top.rejectUnknownKeys(expectedKeys);
  validate(scenario, registry);
  return scenario;
}

}  // namespace citytwin::scenario
