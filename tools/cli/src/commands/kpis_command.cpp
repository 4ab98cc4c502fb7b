#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "citytwin/models/builtin_models.hpp"
#include "citytwin/sim/model_registry.hpp"
#include "command_registry.hpp"
#include "json_output.hpp"

namespace citytwin::cli {
namespace {

// `citytwin kpis`: every KPI a model of this build can emit, with its unit, direction, window and meaning,
// from the models' own definitions (ModelDescription::kpis).
void listKpis(bool json) {
  sim::ModelRegistry registry;
  models::registerBuiltinModels(registry);
  const auto definitions = registry.kpiDefinitions();
  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [model, kpis] : definitions)
      for (const sim::KpiDefinition& kpi : kpis)
        list.push_back({{"name", model + "." + kpi.name},
                        {"model", model},
                        {"kpi", kpi.name},
                        {"unit", kpi.unit},
                        {"direction", std::string(sim::toString(kpi.direction))},
                        {"window", kpi.window},
                        {"meaning", kpi.meaning}});
    printJson({{"kpis", list}});
    return;
  }
  std::size_t nameWidth = 3, unitWidth = 4;
  for (const auto& [model, kpis] : definitions)
    for (const sim::KpiDefinition& kpi : kpis) {
      nameWidth = std::max(nameWidth, model.size() + 1 + kpi.name.size());
      unitWidth = std::max(unitWidth, kpi.unit.size());
    }
  std::printf("%-*s  %-*s  %-6s  %s\n", static_cast<int>(nameWidth), "kpi", static_cast<int>(unitWidth),
              "unit", "better", "meaning (window)");
  for (const auto& [model, kpis] : definitions)
    for (const sim::KpiDefinition& kpi : kpis) {
      const char* better = kpi.direction == sim::KpiDirection::LowerIsBetter    ? "lower"
                           : kpi.direction == sim::KpiDirection::HigherIsBetter ? "higher"
                                                                                : "-";
      std::printf("%-*s  %-*s  %-6s  %s (%s)\n", static_cast<int>(nameWidth),
                  (model + "." + kpi.name).c_str(), static_cast<int>(unitWidth), kpi.unit.c_str(), better,
                  kpi.meaning.c_str(), kpi.window.c_str());
    }
}

void registerKpisCommand(CommandTree& tree) {
  auto json = std::make_shared<bool>(false);
  CLI::App* kpis = tree.root.add_subcommand(
      "kpis",
      "List every KPI the models can emit: unit, which way is better, over what window, what it means");
  addJsonFlag(*kpis, *json);
  kpis->callback([json] { listKpis(*json); });
}

const CommandGroupRegistrar registrar(65, registerKpisCommand);

}  // namespace
}  // namespace citytwin::cli
