#include "citytwin/core/terminal.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace citytwin {
namespace {
std::atomic<bool> machineReadable{false};
}

void setMachineReadableOutput(bool enabled) { machineReadable = enabled; }

bool interactiveFeedbackEnabled() {
  if (machineReadable) return false;
  static const bool underCi = [] {
    const char* ci = std::getenv("CI");
    return ci != nullptr && *ci != '\0' && std::string_view(ci) != "false" && std::string_view(ci) != "0";
  }();
  if (underCi) return false;
  return isatty(fileno(stderr)) != 0;
}

}  // namespace citytwin
