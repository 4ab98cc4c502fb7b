#pragma once

// Skips recorded by a suite: the runner prints them and exits 77 (CTest: Skipped) instead of passing.

#include <string>
#include <vector>

namespace citytwin::testing {

void recordSkip(const std::string& reason);
std::vector<std::string> recordedSkips();

}  // namespace citytwin::testing
