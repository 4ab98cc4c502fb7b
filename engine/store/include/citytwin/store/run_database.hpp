#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "citytwin/store/database.hpp"

namespace citytwin::store {

enum class RunStatus { Running, Completed, Interrupted, Failed };
std::string_view runStatusName(RunStatus status);
RunStatus runStatusFromString(std::string_view text);

// One input a run read, with its content fingerprint, so a later look can tell whether it changed.
struct RunInput {
  std::string role;  // "scenario", "city"
  std::string path;
  std::string fingerprint;
};

// The run database (run.sqlite): every run of a scenario with its text, inputs, variants, KPI time series,
// final KPIs and events. Schema (see scenarios/README.md):
//   runs(id, scenario_path, scenario_name, scenario_text, started_at, ended_at, status, message, threads, seconds)
//   run_inputs(run_id, role, path, fingerprint)
//   variants(id, run_id, position, name, description, status, reached_s, end_s)
//   kpi_series(variant_id, model, kpi, t_s, value)   kpi_final(variant_id, model, kpi, value)
//   events(variant_id, t_s, source, kind, entity, message)
// A run is recorded as "running" (committed) before it starts; its results and final status are written
// in one transaction at the end, so the file always says either "running" or the whole outcome.
class RunDatabase {
 public:
  explicit RunDatabase(const std::filesystem::path& path);
  ~RunDatabase();

  Database& database() { return database_; }

  // Commits a "running" row and returns its id.
  std::int64_t beginRun(const std::string& scenarioPath, const std::string& scenarioName,
                        const std::string& scenarioText, const std::vector<RunInput>& inputs, int threads);

  // The following write into the current transaction (open one with Transaction(database())).
  std::int64_t addVariant(std::int64_t runId, int position, const std::string& name, const std::string& description,
                          RunStatus status, double reachedSeconds, double endSeconds);
  void addKpiSample(std::int64_t variantId, std::string_view model, std::string_view kpi, double tSeconds,
                    double value);
  void addFinalKpi(std::int64_t variantId, std::string_view model, std::string_view kpi, double value);
  void addEvent(std::int64_t variantId, double tSeconds, std::string_view source, std::string_view kind,
                std::string_view entity, std::string_view message);
  void finishRun(std::int64_t runId, RunStatus status, const std::string& message, double seconds);

  RunStatus status(std::int64_t runId);
  std::int64_t latestRunId();

 private:
  Database database_;
  std::unique_ptr<Statement> insertVariant_;
  std::unique_ptr<Statement> insertSample_;
  std::unique_ptr<Statement> insertFinal_;
  std::unique_ptr<Statement> insertEvent_;
};

// UTC now as "2026-07-01T12:00:00Z".
std::string utcNowIso8601();

}  // namespace citytwin::store
