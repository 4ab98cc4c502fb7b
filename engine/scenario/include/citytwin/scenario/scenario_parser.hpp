#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "citytwin/city/city_model.hpp"
#include "citytwin/scenario/scenario_spec.hpp"
#include "citytwin/sim/branch.hpp"
#include "citytwin/sim/model_registry.hpp"

namespace citytwin::scenario {

struct ParseOptions {
  // The city the scenario runs on, supplied by the caller (a service running it on the city it serves):
  // the scenario's `city` key becomes optional and this city replaces it.
  std::optional<std::filesystem::path> city;
};

// Reads and validates a scenario file. Throws InputError naming the file, line and key for malformed
// TOML, an unknown key, a wrong type, a bad time or duration, an unknown model or intervention kind.
ScenarioSpec loadScenario(const std::filesystem::path& file, const sim::ModelRegistry& registry,
                          const ParseOptions& options = {});
// The same from text; `file` names it in messages and anchors relative paths.
ScenarioSpec parseScenario(std::string text, const std::filesystem::path& file, const sim::ModelRegistry& registry,
                           const ParseOptions& options = {});

// Checks what needs the city: every id named by an engine intervention exists. (Model-specific
// interventions are checked by their model when the branch is built.)
void checkAgainstCity(const ScenarioSpec& spec, const city::CityModel& city);

// The branch of variant `index` (0 = base), with fresh TOML tables re-read from the scenario text.
sim::BranchSpec makeBranchSpec(const ScenarioSpec& spec, std::size_t index, const city::CityModel& city,
                               const std::filesystem::path& outputDirectory);

}  // namespace citytwin::scenario
