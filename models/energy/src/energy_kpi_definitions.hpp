#pragma once

#include <vector>

#include "citytwin/sim/kpi_definition.hpp"

namespace citytwin::energy {

// Every KPI EnergyModel::kpis() emits, with unit, meaning and direction.
std::vector<sim::KpiDefinition> energyKpiDefinitions();

}  // namespace citytwin::energy
