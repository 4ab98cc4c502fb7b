#include "citytwin/store/run_database.hpp"

#include <chrono>
#include <ctime>

#include "citytwin/core/error.hpp"

namespace citytwin::store {
namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS schema_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO schema_info (key, value) VALUES ('run_schema_version', '1');
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  scenario_path TEXT NOT NULL,
  scenario_name TEXT NOT NULL,
  scenario_text TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'failed')),
  message TEXT NOT NULL DEFAULT '',
  threads INTEGER NOT NULL,
  seconds REAL);
CREATE TABLE IF NOT EXISTS run_inputs (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  role TEXT NOT NULL,
  path TEXT NOT NULL,
  fingerprint TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS variants (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'failed')),
  reached_s REAL NOT NULL,
  end_s REAL NOT NULL,
  UNIQUE (run_id, name));
CREATE TABLE IF NOT EXISTS kpi_series (
  variant_id INTEGER NOT NULL REFERENCES variants(id),
  model TEXT NOT NULL,
  kpi TEXT NOT NULL,
  t_s REAL NOT NULL,
  value REAL);
CREATE INDEX IF NOT EXISTS kpi_series_by_variant ON kpi_series (variant_id, model, kpi, t_s);
CREATE TABLE IF NOT EXISTS kpi_final (
  variant_id INTEGER NOT NULL REFERENCES variants(id),
  model TEXT NOT NULL,
  kpi TEXT NOT NULL,
  value REAL,
  PRIMARY KEY (variant_id, model, kpi));
CREATE TABLE IF NOT EXISTS events (
  variant_id INTEGER NOT NULL REFERENCES variants(id),
  t_s REAL NOT NULL,
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  entity TEXT NOT NULL,
  message TEXT NOT NULL);
)sql";

}  // namespace

std::string_view runStatusName(RunStatus status) {
  switch (status) {
    case RunStatus::Running: return "running";
    case RunStatus::Completed: return "completed";
    case RunStatus::Interrupted: return "interrupted";
    case RunStatus::Failed: return "failed";
  }
  return "failed";
}

RunStatus runStatusFromString(std::string_view text) {
  for (RunStatus status : {RunStatus::Running, RunStatus::Completed, RunStatus::Interrupted, RunStatus::Failed}) {
    if (runStatusName(status) == text) return status;
  }
  throw Error("unknown run status '" + std::string(text) + "'");
}

std::string utcNowIso8601() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

RunDatabase::RunDatabase(const std::filesystem::path& path) : database_(path) {
  {
    Transaction transaction(database_);
    database_.execute(kSchema);
    transaction.commit();
  }
  Statement version(database_, "SELECT value FROM schema_info WHERE key = 'run_schema_version'");
  if (!version.step() || version.text(0) != "1") {
    throw Error(path.string() + ": run database schema version " + version.text(0) + " is not supported (expected 1)");
  }
  insertVariant_ = std::make_unique<Statement>(
      database_,
      "INSERT INTO variants (run_id, position, name, description, status, reached_s, end_s) VALUES (?, ?, ?, ?, ?, ?, ?)");
  insertSample_ = std::make_unique<Statement>(
      database_, "INSERT INTO kpi_series (variant_id, model, kpi, t_s, value) VALUES (?, ?, ?, ?, ?)");
  insertFinal_ = std::make_unique<Statement>(
      database_, "INSERT OR REPLACE INTO kpi_final (variant_id, model, kpi, value) VALUES (?, ?, ?, ?)");
  insertEvent_ = std::make_unique<Statement>(
      database_, "INSERT INTO events (variant_id, t_s, source, kind, entity, message) VALUES (?, ?, ?, ?, ?, ?)");
}

RunDatabase::~RunDatabase() = default;

std::int64_t RunDatabase::beginRun(const std::string& scenarioPath, const std::string& scenarioName,
                                   const std::string& scenarioText, const std::vector<RunInput>& inputs, int threads) {
  Transaction transaction(database_);
  Statement run(database_,
                "INSERT INTO runs (scenario_path, scenario_name, scenario_text, started_at, status, threads) "
                "VALUES (?, ?, ?, ?, 'running', ?)");
  run.bind(1, scenarioPath).bind(2, scenarioName).bind(3, scenarioText).bind(4, utcNowIso8601()).bind(5, threads);
  run.run();
  const std::int64_t runId = database_.lastInsertId();
  Statement input(database_, "INSERT INTO run_inputs (run_id, role, path, fingerprint) VALUES (?, ?, ?, ?)");
  for (const RunInput& each : inputs) {
    input.bind(1, runId).bind(2, each.role).bind(3, each.path).bind(4, each.fingerprint);
    input.run();
  }
  transaction.commit();
  return runId;
}

std::int64_t RunDatabase::addVariant(std::int64_t runId, int position, const std::string& name,
                                     const std::string& description, RunStatus status, double reachedSeconds,
                                     double endSeconds) {
  insertVariant_->bind(1, runId).bind(2, position).bind(3, name).bind(4, description).bind(5, runStatusName(status));
  insertVariant_->bind(6, reachedSeconds).bind(7, endSeconds);
  insertVariant_->run();
  return database_.lastInsertId();
}

void RunDatabase::addKpiSample(std::int64_t variantId, std::string_view model, std::string_view kpi, double tSeconds,
                               double value) {
  insertSample_->bind(1, variantId).bind(2, model).bind(3, kpi).bind(4, tSeconds).bind(5, value);
  insertSample_->run();
}

void RunDatabase::addFinalKpi(std::int64_t variantId, std::string_view model, std::string_view kpi, double value) {
  insertFinal_->bind(1, variantId).bind(2, model).bind(3, kpi).bind(4, value);
  insertFinal_->run();
}

void RunDatabase::addEvent(std::int64_t variantId, double tSeconds, std::string_view source, std::string_view kind,
                           std::string_view entity, std::string_view message) {
  insertEvent_->bind(1, variantId).bind(2, tSeconds).bind(3, source).bind(4, kind).bind(5, entity).bind(6, message);
  insertEvent_->run();
}

void RunDatabase::finishRun(std::int64_t runId, RunStatus status, const std::string& message, double seconds) {
  Statement finish(database_, "UPDATE runs SET status = ?, message = ?, ended_at = ?, seconds = ? WHERE id = ?");
  finish.bind(1, runStatusName(status)).bind(2, message).bind(3, utcNowIso8601()).bind(4, seconds).bind(5, runId);
  finish.run();
}

RunStatus RunDatabase::status(std::int64_t runId) {
  Statement query(database_, "SELECT status FROM runs WHERE id = ?");
  query.bind(1, runId);
  if (!query.step()) throw Error(database_.path().string() + ": no run " + std::to_string(runId));
  return runStatusFromString(query.text(0));
}

std::int64_t RunDatabase::latestRunId() {
  Statement query(database_, "SELECT COALESCE(MAX(id), 0) FROM runs");
  query.step();
  return query.integer(0);
}

}  // namespace citytwin::store
