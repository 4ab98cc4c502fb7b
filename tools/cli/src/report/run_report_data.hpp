#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "citytwin/sim/kpi_definition.hpp"
#include "citytwin/store/run_database_reader.hpp"
#include "report/svg_charts.hpp"

namespace citytwin::cli::report {

using KpiKey = std::pair<std::string, std::string>;  // model, kpi

struct ReportVariant {
  std::int64_t id = 0;  // in the run database
  store::VariantRecord record;
  std::filesystem::path folder;                     // <run>/<variant>
  std::map<KpiKey, double> finals;                  // kpi_final
  std::map<KpiKey, std::vector<LinePoint>> series;  // kpi_series
};

// What a report shows of the latest run recorded in a run folder (scenarios/README.md "Outputs").
struct RunReportData {
  std::filesystem::path folder;
  store::RunRecord run;
  std::string description;              // the scenario's `description`
  std::string start;                    // the scenario's `start`, as written
  std::filesystem::path city;           // the city file the run used (run_inputs)
  std::vector<ReportVariant> variants;  // the base first
  std::map<std::string, std::vector<sim::KpiDefinition>> definitions;  // by model
  double floodedDepthM = 0.1;  // [flood] flooded_depth_m of the scenario (the flood model's default: 0.1)

  const sim::KpiDefinition* definition(const KpiKey& key) const;
  // Every model.kpi any variant reported, sorted.
  std::vector<KpiKey> kpiKeys() const;
};

// Throws Error (naming the folder) when it is not a run folder: no run.sqlite, or no run recorded in it.
RunReportData loadRunReport(const std::filesystem::path& folder);

}  // namespace citytwin::cli::report
