#pragma once

#include <string>
#include <vector>

namespace citytwin::testing {

struct CommandResult {
  int exitCode = -1;
  std::string standardOutput;
  std::string standardError;
};

// Runs a program (no shell) and captures its output; arguments are passed as they are.
CommandResult runCommand(const std::vector<std::string>& argv);

// The citytwin binary under test ($CITYTWIN_BINARY, set by CTest).
std::string citytwinBinary();

}  // namespace citytwin::testing
