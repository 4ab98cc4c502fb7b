#include "citytwin/store/run_status.hpp"

#include "citytwin/core/error.hpp"

namespace citytwin::store {

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

}  // namespace citytwin::store
