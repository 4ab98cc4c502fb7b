#pragma once

#include <cstdint>

#include "citytwin/store/database.hpp"
#include "citytwin/store/run_status.hpp"

// Questions the recorder and the reader both answer about the runs in a run database.
namespace citytwin::store::run_queries {

// Throws Error naming the file when there is no such run.
RunStatus status(Database& database, std::int64_t runId);
// 0 when no run is recorded.
std::int64_t latestRunId(Database& database);

}  // namespace citytwin::store::run_queries
