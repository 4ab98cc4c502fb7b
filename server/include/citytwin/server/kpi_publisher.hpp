#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "citytwin/scenario/scenario.hpp"
#include "citytwin/scenario/scenario_run.hpp"
#include "citytwin/sim/kpi_definition.hpp"

namespace citytwin::server {

// The KPIs of a run as Smart Data Models `KeyPerformanceIndicator` entities
// (dataModel.KeyPerformanceIndicator, normalized NGSI-LD with the Smart Data Models @context), so that the
// dashboards of a city's data platform show the what-ifs beside the observations: one entity per variant and
// KPI, with `kpiValue`, `calculationPeriod` (the simulated period), `name`, `description`, `category`,
// `calculationMethod`, `process` (scenario and variant) and `source` (the run). Ids are stable per scenario,
// variant and KPI, so a later run of the same scenario updates them (the broker's history keeps the earlier
// values). In an ensemble, each variant's mean over its members.
nlohmann::json kpiIndicatorEntities(const scenario::Scenario& spec, const scenario::RunOutcome& outcome,
                                    const std::map<std::string, std::vector<sim::KpiDefinition>>& definitions,
                                    const std::string& calculatedAt);

struct KpiPublication {
  std::size_t entities = 0;
  std::size_t refused = 0;  // entities the broker refused (207)
  std::string firstError;
};

// Upserts the entities at the NGSI-LD broker at `url` (batch upsert, merged), 100 per request. Throws Error
// when the broker cannot be reached or answers with an error.
KpiPublication publishKpis(const std::string& url, const std::string& token, const nlohmann::json& entities);

}  // namespace citytwin::server
