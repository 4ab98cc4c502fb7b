#include "run_queries.hpp"

#include <string>

#include "citytwin/core/error.hpp"
#include "run_schema.hpp"

namespace citytwin::store::run_queries {

RunStatus status(Database& database, std::int64_t runId) {
  Statement query(database, run_schema::kSelectStatus);
  query.bind(1, runId);
  if (!query.step()) throw Error(database.path().string() + ": no run " + std::to_string(runId));
  return runStatusFromString(query.text(0));
}

std::int64_t latestRunId(Database& database) {
  Statement query(database, run_schema::kSelectLatestRun);
  query.step();
  return query.integer(0);
}

}  // namespace citytwin::store::run_queries
