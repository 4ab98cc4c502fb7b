#include "citytwin/store/run_database.hpp"

#include <chrono>
#include <ctime>

#include "citytwin/core/error.hpp"
#include "run_queries.hpp"
#include "run_schema.hpp"

namespace citytwin::store {
namespace {

// The outcome of one run inside one SQLite transaction, rolled back when destroyed uncommitted.
class SqliteRunResults final : public RunResultsTransaction {
 public:
  SqliteRunResults(Database& database, std::int64_t runId)
      : database_(database),
        runId_(runId),
        transaction_(database),
        insertVariant_(database, run_schema::kInsertVariant),
        insertSample_(database, run_schema::kInsertSample),
        insertFinal_(database, run_schema::kInsertFinal),
        insertEvent_(database, run_schema::kInsertEvent),
        insertDistribution_(database, run_schema::kInsertKpiDistribution),
        insertThreshold_(database, run_schema::kInsertThreshold) {}

  std::int64_t addVariant(const VariantRecord& variant) override {
    insertVariant_.bind(1, runId_).bind(2, variant.position).bind(3, variant.name).bind(4, variant.description);
    insertVariant_.bind(5, runStatusName(variant.status)).bind(6, variant.reachedSeconds).bind(7, variant.endSeconds);
    if (variant.member >= 0)
      insertVariant_.bind(8, variant.member);
    else
      insertVariant_.bindNull(8);
    insertVariant_.run();
    return database_.lastInsertId();
  }

  void addKpiSample(std::int64_t variantId, std::string_view model, std::string_view kpi, double tSeconds,
                    double value) override {
    insertSample_.bind(1, variantId).bind(2, model).bind(3, kpi).bind(4, tSeconds).bind(5, value);
    insertSample_.run();
  }

  void addFinalKpi(std::int64_t variantId, std::string_view model, std::string_view kpi, double value) override {
    insertFinal_.bind(1, variantId).bind(2, model).bind(3, kpi).bind(4, value);
    insertFinal_.run();
  }

  void addEvent(std::int64_t variantId, double tSeconds, std::string_view source, std::string_view kind,
                std::string_view entity, std::string_view message) override {
    insertEvent_.bind(1, variantId).bind(2, tSeconds).bind(3, source).bind(4, kind).bind(5, entity).bind(6, message);
    insertEvent_.run();
  }

  void addKpiDistribution(const KpiDistributionRecord& d) override {
    insertDistribution_.bind(1, runId_).bind(2, d.variant).bind(3, d.model).bind(4, d.kpi).bind(5, d.members);
    insertDistribution_.bind(6, d.mean).bind(7, d.std).bind(8, d.p5).bind(9, d.p50).bind(10, d.p95);
    insertDistribution_.run();
  }

  void addThresholdProbability(const ThresholdRecord& t) override {
    insertThreshold_.bind(1, runId_).bind(2, t.variant).bind(3, t.expression).bind(4, t.members);
    insertThreshold_.bind(5, t.crossing).bind(6, t.probability);
    insertThreshold_.run();
  }

  void commit(RunStatus status, const std::string& message, double seconds) override {
    Statement finish(database_, run_schema::kFinishRun);
    finish.bind(1, runStatusName(status)).bind(2, message).bind(3, utcNowIso8601()).bind(4, seconds).bind(5, runId_);
    finish.run();
    transaction_.commit();
  }

 private:
  Database& database_;
  std::int64_t runId_;
  Transaction transaction_;  // opened before the statements are prepared, ended after they are finalised
  Statement insertVariant_;
  Statement insertSample_;
  Statement insertFinal_;
  Statement insertEvent_;
  Statement insertDistribution_;
  Statement insertThreshold_;
};

}  // namespace

std::string utcNowIso8601() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

RunDatabase::RunDatabase(const std::filesystem::path& path) : database_(path) {
  bool schema1 = false;
  {
    Statement hasSchema(database_, run_schema::kHasSchemaInfo);
    if (hasSchema.step() && hasSchema.integer(0) > 0) {
      Statement version(database_, run_schema::kSelectVersion);
      schema1 = version.step() && version.text(0) == "1";
    }
  }
  if (schema1) {
    // The variants table is rebuilt under the same ids, so the rows that refer to it stay valid; foreign
    // keys are off meanwhile (SQLite's procedure for changing a table's constraints), in one transaction.
    database_.execute("PRAGMA foreign_keys = OFF");
    {
      Transaction transaction(database_);
      database_.execute(run_schema::kMigrate1To2);
      transaction.commit();
    }
    database_.execute("PRAGMA foreign_keys = ON");
  }
  {
    Transaction transaction(database_);
    database_.execute(run_schema::kCreate);
    transaction.commit();
  }
  Statement version(database_, run_schema::kSelectVersion);
  if (!version.step() || version.text(0) != run_schema::kVersion) {
    throw Error(path.string() + ": run database schema version " + version.text(0) + " is not supported (expected " +
                std::string(run_schema::kVersion) + ")");
  }
}

RunDatabase::~RunDatabase() = default;

std::int64_t RunDatabase::beginRun(const RunDescription& run) {
  Transaction transaction(database_);
  Statement insertRun(database_, run_schema::kInsertRun);
  insertRun.bind(1, run.scenarioPath).bind(2, run.scenarioName).bind(3, run.scenarioText).bind(4, utcNowIso8601());
  insertRun.bind(5, run.threads);
  insertRun.run();
  const std::int64_t runId = database_.lastInsertId();
  Statement input(database_, run_schema::kInsertInput);
  for (const RunInput& each : run.inputs) {
    input.bind(1, runId).bind(2, each.role).bind(3, each.path).bind(4, each.fingerprint);
    input.run();
  }
  transaction.commit();
  return runId;
}

std::unique_ptr<RunResultsTransaction> RunDatabase::beginResults(std::int64_t runId) {
  return std::make_unique<SqliteRunResults>(database_, runId);
}

RunStatus RunDatabase::status(std::int64_t runId) { return run_queries::status(database_, runId); }

std::int64_t RunDatabase::latestRunId() { return run_queries::latestRunId(database_); }

}  // namespace citytwin::store
