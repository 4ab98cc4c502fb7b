#pragma once

#include <vector>

#include "citytwin/sim/kpi_definition.hpp"

namespace citytwin::traffic {

// Every KPI TrafficModel::kpis() emits, with unit, meaning and direction.
std::vector<sim::KpiDefinition> trafficKpiDefinitions();

}  // namespace citytwin::traffic
