#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "citytwin/scenario/scenario.hpp"
#include "citytwin/sim/model_registry.hpp"

namespace citytwin::scenario {

struct ParseOptions {
  // The city the scenario runs on, supplied by the caller (a service running it on the city it serves):
  // the scenario's `city` key becomes optional and this city replaces it.
  std::optional<std::filesystem::path> city;
};

// Reads a scenario file into a Scenario (parsed once) and validates it (validate()). Throws InputError
// naming the file, line and key for malformed TOML, an unknown key, a wrong type, a bad time or duration,
// an unknown model or intervention kind.
Scenario loadScenario(const std::filesystem::path& file, const sim::ModelRegistry& registry,
                      const ParseOptions& options = {});
// The same from text; `file` names it in messages and anchors relative paths.
Scenario parseScenario(std::string text, const std::filesystem::path& file,
                       const sim::ModelRegistry& registry, const ParseOptions& options = {});

}  // namespace citytwin::scenario
