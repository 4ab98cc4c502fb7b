#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "citytwin/sim/model.hpp"

namespace citytwin::scenario {

// A file a simulation wrote, carried to the process that records the run.
struct OutputFile {
  std::string path;  // relative to the run folder, '/'-separated
  std::vector<std::uint8_t> bytes;
};

// Everything the run records of one simulation (a branch, or one ensemble member), as plain values, so
// that it can travel between processes (MPI ranks) and be recorded as if it had run in the recorder's.
struct BranchResult {
  struct Sample {
    std::string model;
    std::string kpi;
    double tSeconds = 0.0;
    double value = 0.0;
  };
  bool completed = false;
  double reachedSeconds = 0.0;
  std::map<std::string, sim::Kpis> kpis;  // by model, at the end (or where it stopped)
  std::vector<Sample> series;
  std::vector<sim::Event> events;  // the member's draws first, then the branch's own
  std::vector<OutputFile> files;   // only when the files could not be written in place
  std::string failure;             // empty unless the simulation threw
};

// The bytes of a result, and the result from them (throws Error when they are cut short or malformed).
std::vector<std::uint8_t> encodeBranchResult(const BranchResult& result);
BranchResult decodeBranchResult(std::span<const std::uint8_t> bytes);

}  // namespace citytwin::scenario
