#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "citytwin/store/database.hpp"
#include "citytwin/store/run_status.hpp"

namespace citytwin::store {

// A table as stored: column names and every value as SQLite's text of it (NULL as empty).
struct TextTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
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

 private:
  Database database_;
};

}  // namespace citytwin::store
