#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace citytwin::sim {

// Which way a KPI should move for the city to be better off. Neutral ones describe the run (how many trips
// there were, a calibration factor) and are never ranked.
enum class KpiDirection { LowerIsBetter, HigherIsBetter, Neutral };

std::string_view toString(KpiDirection direction);

// What a KPI means, declared once by the model that emits it (ModelDescription::kpis). The command line's
// `kpis` verb, the comparison tables, the viewer and the report all read these; a model that emits a KPI
// without a definition fails the run.
struct KpiDefinition {
  std::string name;     // as the model emits it, without the model prefix: "vehicle_hours_delay"
  std::string unit;     // "h", "MWh", "m2", "1" for counts and ratios
  std::string meaning;  // one line for people
  KpiDirection direction = KpiDirection::Neutral;
  std::string window;  // over what it is taken: "run so far", "peak over the run", "end of run"
};

// The definition named `name` in `definitions`, or nullptr.
const KpiDefinition* findKpiDefinition(const std::vector<KpiDefinition>& definitions, std::string_view name);

}  // namespace citytwin::sim
