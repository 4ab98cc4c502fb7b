#include "citytwin/store/run_database_reader.hpp"

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

}  // namespace citytwin::store
