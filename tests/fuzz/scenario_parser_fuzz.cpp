// libFuzzer target for scenario files: any byte string read as a scenario (TOML, then every model's keys
// and interventions) must end in a Scenario or an InputError naming where — never another exception, a
// crash, a hang or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string>

#include "citytwin/core/error.hpp"
#include "citytwin/models/builtin_models.hpp"
#include "citytwin/scenario/scenario_parser.hpp"
#include "citytwin/sim/model_registry.hpp"

namespace {

const citytwin::sim::ModelRegistry& registry() {
  static const citytwin::sim::ModelRegistry models = [] {
    citytwin::sim::ModelRegistry built;
    citytwin::models::registerBuiltinModels(built);
    return built;
  }();
  return models;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)citytwin::scenario::parseScenario(std::move(text), "/nonexistent/fuzz.toml", registry());
  } catch (const citytwin::Error&) {
  }
  return 0;
}
