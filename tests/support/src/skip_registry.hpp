#pragma once

#include <string>
#include <vector>

namespace citytwin::testing {

void recordSkip(const std::string& reason);
std::vector<std::string> recordedSkips();

}  // namespace citytwin::testing
