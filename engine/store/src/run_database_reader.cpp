#include "citytwin/store/run_database_reader.hpp"

#include "citytwin/core/error.hpp"
#include "run_queries.hpp"
#include "run_schema.hpp"

namespace citytwin::store {

RunDatabaseReader::RunDatabaseReader(const std::filesystem::path& path) : database_(path, Database::Mode::ReadOnly) {}

TextTable RunDatabaseReader::finalKpis() {
  TextTable table;
  Statement exists(database_, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  exists.bind(1, run_schema::kFinalKpiTable);
  if (!exists.step()) return table;
  // Every column as stored, so a file written by an older or newer recorder still shows what it holds.
  Statement rows(database_, "SELECT * FROM " + std::string(run_schema::kFinalKpiTable));
  const int columns = rows.columnCount();
  for (int c = 0; c < columns; ++c) table.columns.push_back(rows.columnName(c));
  while (rows.step()) {
    std::vector<std::string>& row = table.rows.emplace_back();
    for (int c = 0; c < columns; ++c) row.push_back(rows.text(c));
  }
  return table;
}

RunStatus RunDatabaseReader::status(std::int64_t runId) { return run_queries::status(database_, runId); }

std::int64_t RunDatabaseReader::latestRunId() { return run_queries::latestRunId(database_); }

RunRecord RunDatabaseReader::run(std::int64_t runId) {
  Statement query(database_, run_schema::kSelectRun);
  query.bind(1, runId);
  if (!query.step()) throw Error(database_.path().string() + ": no run " + std::to_string(runId));
  return {query.integer(0), query.text(1), query.text(2),
          query.text(3),    query.text(4), runStatusFromString(query.text(5)),
          query.text(6)};
}

std::vector<RunInput> RunDatabaseReader::inputs(std::int64_t runId) {
  std::vector<RunInput> inputs;
  Statement query(database_, run_schema::kSelectInputs);
  query.bind(1, runId);
  while (query.step()) inputs.push_back({query.text(0), query.text(1), query.text(2)});
  return inputs;
}

std::vector<StoredVariant> RunDatabaseReader::variants(std::int64_t runId) {
  std::vector<StoredVariant> variants;
  Statement hasMember(database_, run_schema::kHasMemberColumn);
  const bool schema1 = hasMember.step() && hasMember.integer(0) == 0;
  Statement query(database_, schema1 ? run_schema::kSelectVariantsSchema1 : run_schema::kSelectVariants);
  query.bind(1, runId);
  while (query.step()) {
    variants.push_back({query.integer(0),
                        {static_cast<int>(query.integer(1)), query.text(2), query.text(3),
                         runStatusFromString(query.text(4)), query.real(5), query.real(6),
                         query.isNull(7) ? -1 : static_cast<int>(query.integer(7))}});
  }
  return variants;
}

std::vector<KpiSample> RunDatabaseReader::kpiSeries(std::int64_t variantId) {
  std::vector<KpiSample> samples;
  Statement query(database_, run_schema::kSelectSeries);
  query.bind(1, variantId);
  while (query.step()) samples.push_back({query.text(0), query.text(1), query.real(2), query.real(3)});
  return samples;
}

std::vector<KpiSample> RunDatabaseReader::finalKpis(std::int64_t variantId) {
  std::vector<KpiSample> samples;
  Statement query(database_, run_schema::kSelectFinals);
  query.bind(1, variantId);
  while (query.step()) samples.push_back({query.text(0), query.text(1), 0.0, query.real(2)});
  return samples;
}

}  // namespace citytwin::store
