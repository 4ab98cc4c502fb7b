#pragma once

#include <string_view>

// The run database's schema, written once for the recorder (run_database.cpp) and the reader
// (run_database_reader.cpp). A change to a table bumps kVersion and the schema_info row of kCreate together.
namespace citytwin::store::run_schema {

inline constexpr std::string_view kVersion = "2";
inline constexpr std::string_view kFinalKpiTable = "kpi_final";

inline constexpr std::string_view kCreate = R"sql(
CREATE TABLE IF NOT EXISTS schema_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO schema_info (key, value) VALUES ('run_schema_version', '2');
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
  member INTEGER CHECK (member IS NULL OR member >= 0),
  UNIQUE (run_id, name, member));
CREATE UNIQUE INDEX IF NOT EXISTS variants_one_plain_per_name ON variants (run_id, name) WHERE member IS NULL;
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
CREATE TABLE IF NOT EXISTS ensemble_kpis (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  variant TEXT NOT NULL,
  model TEXT NOT NULL,
  kpi TEXT NOT NULL,
  members INTEGER NOT NULL,
  mean REAL, std REAL, p5 REAL, p50 REAL, p95 REAL,
  PRIMARY KEY (run_id, variant, model, kpi));
CREATE TABLE IF NOT EXISTS ensemble_thresholds (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  variant TEXT NOT NULL,
  expression TEXT NOT NULL,
  members INTEGER NOT NULL,
  crossing INTEGER NOT NULL,
  probability REAL,
  PRIMARY KEY (run_id, variant, expression));
CREATE TABLE IF NOT EXISTS events (
  variant_id INTEGER NOT NULL REFERENCES variants(id),
  t_s REAL NOT NULL,
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  entity TEXT NOT NULL,
  message TEXT NOT NULL);
)sql";

// Version 1 -> 2: variants gain `member` (ensemble members; their UNIQUE constraint changes, so the table is
// rebuilt with its rows and ids); the ensemble tables are created by kCreate afterwards.
inline constexpr std::string_view kMigrate1To2 = R"sql(
CREATE TABLE variants_v2 (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'failed')),
  reached_s REAL NOT NULL,
  end_s REAL NOT NULL,
  member INTEGER CHECK (member IS NULL OR member >= 0),
  UNIQUE (run_id, name, member));
INSERT INTO variants_v2 (id, run_id, position, name, description, status, reached_s, end_s, member)
  SELECT id, run_id, position, name, description, status, reached_s, end_s, NULL FROM variants;
DROP TABLE variants;
ALTER TABLE variants_v2 RENAME TO variants;
UPDATE schema_info SET value = '2' WHERE key = 'run_schema_version';
)sql";
inline constexpr std::string_view kHasSchemaInfo =
    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_info'";
inline constexpr std::string_view kSelectVersion = "SELECT value FROM schema_info WHERE key = 'run_schema_version'";
inline constexpr std::string_view kInsertRun =
    "INSERT INTO runs (scenario_path, scenario_name, scenario_text, started_at, status, threads) "
    "VALUES (?, ?, ?, ?, 'running', ?)";
inline constexpr std::string_view kInsertInput =
    "INSERT INTO run_inputs (run_id, role, path, fingerprint) VALUES (?, ?, ?, ?)";
inline constexpr std::string_view kInsertVariant =
    "INSERT INTO variants (run_id, position, name, description, status, reached_s, end_s, member) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr std::string_view kInsertKpiDistribution =
    "INSERT INTO ensemble_kpis (run_id, variant, model, kpi, members, mean, std, p5, p50, p95) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr std::string_view kInsertThreshold =
    "INSERT INTO ensemble_thresholds (run_id, variant, expression, members, crossing, probability) "
    "VALUES (?, ?, ?, ?, ?, ?)";
inline constexpr std::string_view kInsertSample =
    "INSERT INTO kpi_series (variant_id, model, kpi, t_s, value) VALUES (?, ?, ?, ?, ?)";
inline constexpr std::string_view kInsertFinal =
    "INSERT OR REPLACE INTO kpi_final (variant_id, model, kpi, value) VALUES (?, ?, ?, ?)";
inline constexpr std::string_view kInsertEvent =
    "INSERT INTO events (variant_id, t_s, source, kind, entity, message) VALUES (?, ?, ?, ?, ?, ?)";
inline constexpr std::string_view kFinishRun =
    "UPDATE runs SET status = ?, message = ?, ended_at = ?, seconds = ? WHERE id = ?";
inline constexpr std::string_view kSelectStatus = "SELECT status FROM runs WHERE id = ?";
inline constexpr std::string_view kSelectRun =
    "SELECT id, scenario_path, scenario_name, scenario_text, started_at, status, message "
    "FROM runs WHERE id = ?";
inline constexpr std::string_view kSelectInputs =
    "SELECT role, path, fingerprint FROM run_inputs WHERE run_id = ? ORDER BY rowid";
// A file of schema 1 (read-only readers do not migrate it) has no member column: every variant reads as -1.
inline constexpr std::string_view kHasMemberColumn =
    "SELECT COUNT(*) FROM pragma_table_info('variants') WHERE name = 'member'";
inline constexpr std::string_view kSelectVariantsSchema1 =
    "SELECT id, position, name, description, status, reached_s, end_s, NULL FROM variants WHERE run_id = ? "
    "ORDER BY position";
inline constexpr std::string_view kSelectVariants =
    "SELECT id, position, name, description, status, reached_s, end_s, member FROM variants WHERE run_id = ? "
    "ORDER BY position, member";
inline constexpr std::string_view kSelectSeries =
    "SELECT model, kpi, t_s, value FROM kpi_series WHERE variant_id = ? AND value IS NOT NULL "
    "ORDER BY model, kpi, t_s";
inline constexpr std::string_view kSelectFinals =
    "SELECT model, kpi, value FROM kpi_final WHERE variant_id = ? AND value IS NOT NULL ORDER BY model, kpi";
inline constexpr std::string_view kSelectLatestRun = "SELECT COALESCE(MAX(id), 0) FROM runs";

}  // namespace citytwin::store::run_schema
