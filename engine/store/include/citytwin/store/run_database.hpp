#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "citytwin/store/database.hpp"
#include "citytwin/store/run_recorder.hpp"

namespace citytwin::store {

// The run database (run.sqlite): every run of a scenario with its text, inputs, variants, KPI time series,
// final KPIs and events, appended run after run. Schema (src/run_schema.hpp, see scenarios/README.md):
//   runs(id, scenario_path, scenario_name, scenario_text, started_at, ended_at, status, message, threads, seconds)
//   run_inputs(run_id, role, path, fingerprint)
//   variants(id, run_id, position, name, description, status, reached_s, end_s, member)   (member: ensembles)
//   kpi_series(variant_id, model, kpi, t_s, value)   kpi_final(variant_id, model, kpi, value)
//   events(variant_id, t_s, source, kind, entity, message)
//   ensemble_kpis(run_id, variant, model, kpi, members, mean, std, p5, p50, p95)
//   ensemble_thresholds(run_id, variant, expression, members, crossing, probability)
// A run is recorded as "running" (committed) before it starts; its results and final status are written
// in one SQLite transaction at the end, so the file always says either "running" or the whole outcome.
class RunDatabase final : public RunRecorder {
 public:
  // Creates the file and its tables when missing, migrates a file of schema 1 to 2 (variants gain member);
  // throws Error for a schema version it does not know.
  explicit RunDatabase(const std::filesystem::path& path);
  ~RunDatabase() override;

  Database& database() { return database_; }

  std::int64_t beginRun(const RunDescription& run) override;
  // Opens an SQLite transaction on this connection; one at a time.
  std::unique_ptr<RunResultsTransaction> beginResults(std::int64_t runId) override;
  std::string location() const override { return database_.path().string(); }

  RunStatus status(std::int64_t runId);
  std::int64_t latestRunId();

 private:
  Database database_;
};

// UTC now as "2026-07-01T12:00:00Z".
std::string utcNowIso8601();

}  // namespace citytwin::store
