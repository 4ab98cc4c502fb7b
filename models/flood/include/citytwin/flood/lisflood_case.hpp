#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "citytwin/flood/ascii_grid.hpp"
#include "citytwin/flood/simulation.hpp"

namespace citytwin {
class Progress;
}

namespace citytwin::flood {

// A LISFLOOD-FP 8 parameter file and the inputs it names, ready to run. Paths in the .par resolve
// against the folder of the .par file.
struct LisfloodCase {
  std::filesystem::path parFile;
  AsciiGrid dem;                        // header reused for every output grid
  Domain domain;
  Forcing forcing;
  SimulationOptions options;
  std::optional<std::vector<double>> initialDepths;  // startfile
  double simTime = 0.0;
  double massInterval = 10.0;
  double saveInterval = 0.0;            // 0: no snapshots
  std::string resroot = "res";
  std::filesystem::path dirroot;        // absolute
  std::filesystem::path stageFile;
  std::vector<std::pair<double, double>> stagePoints;
  std::vector<std::string> ignoredKeys;  // recognised by LISFLOOD-FP but without effect here
};

// Throws InputError naming the file, line and key on anything malformed or missing.
LisfloodCase readLisfloodCase(const std::filesystem::path& parFile);

struct LisfloodRunResult {
  std::filesystem::path outputDirectory;
  std::vector<std::filesystem::path> files;
  std::int64_t steps = 0;
  std::uint64_t cellUpdates = 0;
  double wallSeconds = 0.0;
  double steppingSeconds = 0.0;  // the loop of steps with its .mass/.stage lines and snapshots
  MassBalance mass;
};

// Runs the case, writing RESROOT-NNNN.wd, RESROOT.max, RESROOT.mass and (with a stagefile)
// RESROOT.stage into `outputDirectory` (the .par's dirroot when empty), as LISFLOOD-FP does.
LisfloodRunResult runLisfloodCase(const LisfloodCase& lisfloodCase, const std::filesystem::path& outputDirectory,
                                  Progress* progress = nullptr);

}  // namespace citytwin::flood
