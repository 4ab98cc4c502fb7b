#include "citytwin/sim/kpi_definition.hpp"

#include <algorithm>

namespace citytwin::sim {

std::string_view toString(KpiDirection direction) {
  switch (direction) {
    case KpiDirection::LowerIsBetter:
      return "lower_is_better";
    case KpiDirection::HigherIsBetter:
      return "higher_is_better";
    case KpiDirection::Neutral:
      return "neutral";
  }
  return "neutral";
}

const KpiDefinition* findKpiDefinition(const std::vector<KpiDefinition>& definitions, std::string_view name) {
  const auto found = std::find_if(definitions.begin(), definitions.end(),
                                  [&](const KpiDefinition& definition) { return definition.name == name; });
  return found == definitions.end() ? nullptr : &*found;
}

}  // namespace citytwin::sim
