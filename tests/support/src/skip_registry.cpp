#include "citytwin/testing/skip_registry.hpp"

#include <mutex>

namespace citytwin::testing {
namespace {
std::mutex skipsMutex;
std::vector<std::string>& skips() {
  static std::vector<std::string> reasons;
  return reasons;
}
}  // namespace

void recordSkip(const std::string& reason) {
  std::lock_guard lock(skipsMutex);
  for (const auto& known : skips()) {
    if (known == reason) return;
  }
  skips().push_back(reason);
}

std::vector<std::string> recordedSkips() {
  std::lock_guard lock(skipsMutex);
  return skips();
}

}  // namespace citytwin::testing
