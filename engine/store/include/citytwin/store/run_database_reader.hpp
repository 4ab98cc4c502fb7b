#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "citytwin/store/database.hpp"
#include "citytwin/store/run_recorder.hpp"
#include "citytwin/store/run_status.hpp"

namespace citytwin::store {

// A table as stored: column names and every value as SQLite's text of it (NULL as empty).
struct TextTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

// One recorded run (a row of the runs table).
struct RunRecord {
  std::int64_t id = 0;
  std::string scenarioPath;
  std::string scenarioName;
  std::string scenarioText;  // the scenario file as it was run
  std::string startedAt;
  RunStatus status = RunStatus::Running;
  std::string message;
};

// A variant as stored, with the id its KPIs refer to.
struct StoredVariant {
  std::int64_t id = 0;
  VariantRecord record;
};

// One value of a KPI: at a time of the run (series) or at its end (final).
struct KpiSample {
  std::string model;
  std::string kpi;
  double timeS = 0.0;  // 0 for final values
  double value = 0.0;
};

// Reads a run database (RunDatabase's file) without writing to it, so a viewer or a script can look at a
// run while another process records one. The schema is the store's (src/run_schema.hpp); callers never
// name its tables.
class RunDatabaseReader {
 public:
  // Throws Error when the file cannot be opened.
  explicit RunDatabaseReader(const std::filesystem::path& path);

  // The final KPIs of every run, rows in stored order; no rows and no columns when the file has no
  // final-KPI table.
  TextTable finalKpis();
  // Throws Error when there is no such run.
  RunStatus status(std::int64_t runId);
  // 0 when no run is recorded.
  std::int64_t latestRunId();
  // Throws Error when there is no such run.
  RunRecord run(std::int64_t runId);
  std::vector<RunInput> inputs(std::int64_t runId);
  // In the order the run built them (the base first).
  std::vector<StoredVariant> variants(std::int64_t runId);
  // Ordered by model, KPI and time; values stored as NULL are left out.
  std::vector<KpiSample> kpiSeries(std::int64_t variantId);
  std::vector<KpiSample> finalKpis(std::int64_t variantId);

 private:
  Database database_;
};

}  // namespace citytwin::store
