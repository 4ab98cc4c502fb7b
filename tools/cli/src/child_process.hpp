#pragma once

#include <string>
#include <vector>

namespace citytwin::cli {

// What a finished child process used: wall time, peak resident memory and how it ended.
struct ChildUsage {
  int exitCode = -1;
  double wallSeconds = 0.0;
  double peakResidentMiB = 0.0;
  std::string standardOutput;
};

// Runs this same executable with `arguments` in a child process and measures it with wait4(), so each
// benchmark case gets its own peak-memory figure uncontaminated by earlier cases.
ChildUsage runSelf(const std::vector<std::string>& arguments);
// The same for another program (found on PATH when `program` has no '/'), e.g. mpiexec starting this one.
ChildUsage runProgram(const std::string& program, const std::vector<std::string>& arguments);

}  // namespace citytwin::cli
