#pragma once

#include <string>
#include <string_view>

namespace citytwin::store {

// Where a run or one of its variants ended: still running, ran to its end, stopped early (Ctrl-C), or a
// model threw.
enum class RunStatus { Running, Completed, Interrupted, Failed };
std::string_view runStatusName(RunStatus status);
// Throws Error for a name that is none of runStatusName's.
RunStatus runStatusFromString(std::string_view text);

}  // namespace citytwin::store
