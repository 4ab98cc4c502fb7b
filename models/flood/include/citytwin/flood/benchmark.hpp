#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "citytwin/flood/simulation.hpp"

namespace citytwin::flood {

struct BenchmarkOptions {
  // The fully wet rain-on-grid case, run as users run it: through Simulation as the city model does
  // (float, maxima tracked, advancing to coupling times) and through a LISFLOOD-FP .par file.
  std::size_t wetColumns = 1000;  // 1000 x 1000 = 1 million cells
  std::size_t wetRows = 1000;
  double wetCellSize = 5.0;
  double wetSimulatedSeconds = 600.0;   // about 380 steps
  double couplingSeconds = 60.0;        // the city model's default coupling step; the .par massint
  std::filesystem::path workDirectory;  // the .par case's files; empty: a folder in the temp directory
  // The kernel-only case (maxima off, fixed step count), the earlier benchmark.
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

// One timed run of the wet case. Cell updates count every cell of the grid once per step.
struct WetRun {
  int threads = 1;
  std::int64_t steps = 0;
  double seconds = 0.0;  // stepping only: the .par run's loop of steps and .mass lines, no file reading
  double cpuSeconds = 0.0;  // the whole process's CPU time over the same span, all threads
  double cellUpdatesPerSecond = 0.0;
  double cellUpdatesPerCpuSecond = 0.0;  // what the process got done per CPU-second it was given
  double wetFraction = 0.0;  // cells deeper than the wet threshold at the end
};

struct TriadRun {
  int threads = 1;
  double gigabytesPerSecond = 0.0;
};

struct BenchmarkResult {
  std::size_t wetCells = 0;
  std::vector<WetRun> scenarioRuns;  // Simulation as the city model drives it
  std::vector<WetRun> parRuns;       // readLisfloodCase + runLisfloodCase on the same grid
  Precision parPrecision = Precision::Double;
  bool wetIdenticalAcrossThreads = true;  // final depths (scenario) and .max files (.par), 1 vs 2 threads
  double bestWet = 0.0;                   // best scenario run
  double bestPar = 0.0;
  double bytesPerCellUpdate = 0.0;  // local-inertial memory traffic per cell update (float storage)
  std::size_t cells = 0;
  std::vector<BenchmarkRun> runs;
  std::vector<TriadRun> triad;
  bool identicalAcrossThreads = true;  // final depths bit-identical for every thread count
  double bestLocalInertial = 0.0;
  double bestFiniteVolume = 0.0;
  double bestTriad = 0.0;
};

// The fully wet case (see BenchmarkOptions) and a generated rain-on-grid case (hilly terrain, 50 mm/h,
// wet at the start) timed for each scheme and thread count, plus a STREAM-triad loop on the same
// machine in the same run.
BenchmarkResult runFloodBenchmark(const BenchmarkOptions& options);

// The benchmark's terrain and forcing, for tests.
Domain benchmarkDomain(std::size_t columns, std::size_t rows, double cellSize);
Forcing benchmarkForcing();
// The fully wet case: a gentle valley (1:1000 to the east) with 0.25 m of undulation under 0.3 m of
// water, 50 mm/h of rain, free east edge; no cell dries within the benchmark's minutes.
Domain wetBenchmarkDomain(std::size_t columns, std::size_t rows, double cellSize);
inline constexpr double kWetBenchmarkDepth = 0.3;

}  // namespace citytwin::flood
