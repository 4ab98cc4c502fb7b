#pragma once

#include <vector>

#include "citytwin/sim/kpi_definition.hpp"

namespace citytwin::flood {

// Every KPI FloodModel::kpis() emits, with unit, meaning and direction.
std::vector<sim::KpiDefinition> floodKpiDefinitions();

}  // namespace citytwin::flood
