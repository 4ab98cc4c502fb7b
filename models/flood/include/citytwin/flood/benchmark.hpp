#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "citytwin/flood/simulation.hpp"

namespace citytwin::flood {

struct BenchmarkOptions {
  std::size_t columns = 2000;            // 2000 x 2000 = 4 million cells
  std::size_t rows = 2000;
  double cellSize = 5.0;
  int localInertialSteps = 40;
  int finiteVolumeSteps = 8;
  std::vector<int> threadCounts = {1, 2};
  Precision precision = Precision::Single;
  std::size_t triadElements = 16u << 20;  // doubles per STREAM array (3 arrays of 128 MiB)
};

struct BenchmarkRun {
  Scheme scheme = Scheme::LocalInertial;
  int threads = 1;
  std::int64_t steps = 0;
  double seconds = 0.0;
  double cellUpdatesPerSecond = 0.0;
};

struct TriadRun {
  int threads = 1;
  double gigabytesPerSecond = 0.0;
};

struct BenchmarkResult {
  std::size_t cells = 0;
  std::vector<BenchmarkRun> runs;
  std::vector<TriadRun> triad;
  bool identicalAcrossThreads = true;  // final depths bit-identical for every thread count
  double bestLocalInertial = 0.0;
  double bestFiniteVolume = 0.0;
  double bestTriad = 0.0;
};

// A generated rain-on-grid case (hilly terrain, 50 mm/h, already wet) timed for each scheme and thread
// count, plus a STREAM-triad loop on the same machine in the same run.
BenchmarkResult runFloodBenchmark(const BenchmarkOptions& options);

// The benchmark's terrain and forcing, for tests.
Domain benchmarkDomain(std::size_t columns, std::size_t rows, double cellSize);
Forcing benchmarkForcing();

}  // namespace citytwin::flood
