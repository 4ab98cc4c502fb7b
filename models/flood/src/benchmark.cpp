#include "citytwin/flood/benchmark.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "citytwin/core/error.hpp"
#include "citytwin/flood/ascii_grid.hpp"
#include "citytwin/flood/lisflood_case.hpp"

namespace citytwin::flood {
namespace {

using Clock = std::chrono::steady_clock;

double triadBandwidth(std::size_t elements, int threads) {
  std::unique_ptr<double[]> a(new double[elements]), b(new double[elements]), c(new double[elements]);
  tbb::task_arena arena(threads);
  const std::size_t blocks = static_cast<std::size_t>(threads) * 16;
  auto forBlocks = [&](auto&& body) {
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, blocks, 1), [&](const tbb::blocked_range<std::size_t>& range) {
        for (std::size_t k = range.begin(); k != range.end(); ++k) {
          const std::size_t begin = elements * k / blocks, end = elements * (k + 1) / blocks;
          body(begin, end);
        }
      }, tbb::static_partitioner());
    });
  };
  forBlocks([&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      a[i] = 0.0;
      b[i] = 1.0;
      c[i] = 2.0;
    }
  });
  double best = 0.0;
  const double scalar = 3.0;
  for (int repeat = 0; repeat < 5; ++repeat) {
    const auto start = Clock::now();
    forBlocks([&](std::size_t begin, std::size_t end) {
      double* __restrict pa = a.get();
      const double* __restrict pb = b.get();
      const double* __restrict pc = c.get();
      for (std::size_t i = begin; i < end; ++i) pa[i] = pb[i] + scalar * pc[i];
    });
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    best = std::max(best, 3.0 * 8.0 * static_cast<double>(elements) / seconds / 1e9);
  }
  // Keep the result observable so the loop is not optimised away.
  if (a[elements / 2] != 7.0) best = -best;
  return best;
}

}  // namespace

Domain benchmarkDomain(std::size_t columns, std::size_t rows, double cellSize) {
  Domain domain;
  domain.columns = columns;
  domain.rows = rows;
  domain.cellSize = cellSize;
  domain.west = 0.0;
  domain.north = static_cast<double>(rows) * cellSize;
  domain.uniformManning = 0.03;
  domain.elevation.resize(columns * rows);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < columns; ++c) {
      const double x = static_cast<double>(c) * cellSize, y = static_cast<double>(r) * cellSize;
      // A valley sloping to the east with rolling hills: water collects in many hollows.
      domain.elevation[r * columns + c] = 20.0 - 0.001 * x + 2.0 * std::sin(x / 230.0) * std::cos(y / 170.0) +
                                          0.5 * std::sin((x + y) / 53.0);
    }
  return domain;
}

Domain wetBenchmarkDomain(std::size_t columns, std::size_t rows, double cellSize) {
  Domain domain = benchmarkDomain(columns, rows, cellSize);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < columns; ++c) {
      const double x = static_cast<double>(c) * cellSize, y = static_cast<double>(r) * cellSize;
      domain.elevation[r * columns + c] = 10.0 - 0.001 * x + 0.2 * std::sin(x / 230.0) * std::cos(y / 170.0) +
                                          0.05 * std::sin((x + y) / 53.0);
    }
  return domain;
}

Forcing benchmarkForcing() {
  Forcing forcing;
  forcing.rainfall.uniform = TimeSeries::constant(50.0);
  EdgeBoundary outlet;
  outlet.edge = Edge::East;
  outlet.from = -1e12;
  outlet.to = 1e12;
  outlet.type = BoundaryType::Free;
  forcing.edges.push_back(outlet);
  return forcing;
}

namespace {

double wetFractionOf(const std::vector<double>& depths, double threshold) {
  const auto wet = std::count_if(depths.begin(), depths.end(), [&](double h) { return h > threshold; });
  return static_cast<double>(wet) / static_cast<double>(depths.size());
}

// The scenario path: float storage, maxima tracked, advancing to each coupling time as FloodModel does.
WetRun runScenario(const Domain& domain, const BenchmarkOptions& options, int threads,
                   std::vector<double>& depths) {
  SimulationOptions simOptions;
  simOptions.precision = Precision::Single;
  simOptions.threads = threads;
  simOptions.trackMaxima = true;
  simOptions.maxTimeStep = 10.0;
  Simulation simulation(domain, benchmarkForcing(), simOptions);
  simulation.setDepths(std::vector<double>(domain.cellCount(), kWetBenchmarkDepth));
  const auto start = Clock::now();
  const std::clock_t cpuStart = std::clock();
  for (double t = options.couplingSeconds; t < options.wetSimulatedSeconds + 1e-9;
       t += options.couplingSeconds)
    simulation.advanceTo(t);
  WetRun run;
  run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  run.cpuSeconds = static_cast<double>(std::clock() - cpuStart) / CLOCKS_PER_SEC;
  run.cellUpdatesPerCpuSecond = static_cast<double>(simulation.cellUpdates()) / run.cpuSeconds;
  run.threads = threads;
  run.steps = simulation.stepInfo().steps;
  run.cellUpdatesPerSecond = static_cast<double>(simulation.cellUpdates()) / run.seconds;
  depths = simulation.depths();
  run.wetFraction = wetFractionOf(depths, simOptions.wetThreshold);
  return run;
}

// The same grid written as a LISFLOOD-FP case: DEM, start depths, rain and a free east edge.
std::filesystem::path writeParCase(const Domain& domain, const BenchmarkOptions& options,
                                   const std::filesystem::path& folder) {
  namespace fs = std::filesystem;
  fs::create_directories(folder);
  AsciiGrid header;
  header.columns = domain.columns;
  header.rows = domain.rows;
  header.cellSize = domain.cellSize;
  header.xllCorner = domain.west;
  header.yllCorner = domain.south();
  writeAsciiGrid(folder / "wet.dem.asc", header, domain.elevation, 6);
  writeAsciiGrid(folder / "wet.start.asc", header,
                 std::vector<double>(domain.cellCount(), kWetBenchmarkDepth), 3);
  std::ofstream(folder / "wet.rain") << "rain on grid\n2 seconds\n50 0\n50 "
                                     << options.wetSimulatedSeconds + 1.0 << "\n";
  std::ofstream(folder / "wet.bci") << "E -1e12 1e12 FREE\n";
  const fs::path par = folder / "wet.par";
  std::ofstream(par)
      << "DEMfile wet.dem.asc\nstartfile wet.start.asc\nrainfall wet.rain\nbcifile wet.bci\nresroot wet\n"
      << "dirroot results\nsim_time " << options.wetSimulatedSeconds << "\ninitial_tstep 10\nmassint "
      << options.couplingSeconds << "\nfpfric 0.03\nacceleration\n";
  return par;
}

std::string fileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

BenchmarkResult runFloodBenchmark(const BenchmarkOptions& options) {
  BenchmarkResult result;
  {
    namespace fs = std::filesystem;
    const Domain wet = wetBenchmarkDomain(options.wetColumns, options.wetRows, options.wetCellSize);
    result.wetCells = wet.cellCount();
    std::vector<double> reference;
    for (int threads : options.threadCounts) {
      std::vector<double> depths;
      const WetRun run = runScenario(wet, options, threads, depths);
      result.scenarioRuns.push_back(run);
      result.bestWet = std::max(result.bestWet, run.cellUpdatesPerSecond);
      if (reference.empty())
        reference = std::move(depths);
      else if (depths != reference)
        result.wetIdenticalAcrossThreads = false;
    }
    const fs::path folder =
        options.workDirectory.empty()
            ? fs::temp_directory_path() / ("citytwin-bench-flood-" + std::to_string(::getpid()))
            : options.workDirectory;
    const fs::path par = writeParCase(wet, options, folder);
    std::string referenceMax;
    for (int threads : options.threadCounts) {
      LisfloodCase lisfloodCase = readLisfloodCase(par);
      lisfloodCase.options.threads = threads;
      result.parPrecision = lisfloodCase.options.precision;
      const std::clock_t cpuStart = std::clock();
      const LisfloodRunResult run =
          runLisfloodCase(lisfloodCase, folder / ("results-" + std::to_string(threads)));
      WetRun row;
      // The run's whole CPU time (with its file output), scaled to the stepping share of its wall time.
      row.cpuSeconds = static_cast<double>(std::clock() - cpuStart) / CLOCKS_PER_SEC * run.steppingSeconds /
                       run.wallSeconds;
      row.cellUpdatesPerCpuSecond = static_cast<double>(run.cellUpdates) / row.cpuSeconds;
      row.threads = threads;
      row.steps = run.steps;
      row.seconds = run.steppingSeconds;
      row.cellUpdatesPerSecond = static_cast<double>(run.cellUpdates) / run.steppingSeconds;
      row.wetFraction = wetFractionOf(readAsciiGrid(run.outputDirectory / "wet.max").values, 0.001);
      result.parRuns.push_back(row);
      result.bestPar = std::max(result.bestPar, row.cellUpdatesPerSecond);
      std::string maxima = fileBytes(run.outputDirectory / "wet.max");
      if (referenceMax.empty())
        referenceMax = std::move(maxima);
      else if (maxima != referenceMax)
        result.wetIdenticalAcrossThreads = false;
    }
    if (options.workDirectory.empty()) {
      std::error_code ignored;
      fs::remove_all(folder, ignored);
    }
    // Local inertial, float, per cell and step: z, h and the two old face discharges read, the new
    // faces and depths written (7 x 4 bytes), and the four maxima read and written (8 x 4 bytes).
    result.bytesPerCellUpdate = 60.0;
  }
  result.cells = options.columns * options.rows;
  const Domain domain = benchmarkDomain(options.columns, options.rows, options.cellSize);
  const std::vector<double> initial(result.cells, 0.02);  // after the first minutes of rain: every cell wet
  for (Scheme scheme : {Scheme::LocalInertial, Scheme::FiniteVolume}) {
    std::vector<double> reference;
    for (int threads : options.threadCounts) {
      SimulationOptions simOptions;
      simOptions.scheme = scheme;
      simOptions.precision = options.precision;
      simOptions.threads = threads;
      simOptions.trackMaxima = false;
      simOptions.maxTimeStep = 5.0;
      Simulation simulation(domain, benchmarkForcing(), simOptions);
      simulation.setDepths(initial);
      simulation.step(1e9);  // warm the caches and page in every array
      const int steps = scheme == Scheme::LocalInertial ? options.localInertialSteps : options.finiteVolumeSteps;
      const auto start = Clock::now();
      for (int s = 0; s < steps; ++s) simulation.step(1e9);
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      BenchmarkRun run;
      run.scheme = scheme;
      run.threads = threads;
      run.steps = steps;
      run.seconds = seconds;
      run.cellUpdatesPerSecond = static_cast<double>(result.cells) * steps / seconds;
      result.runs.push_back(run);
      double& best = scheme == Scheme::LocalInertial ? result.bestLocalInertial : result.bestFiniteVolume;
      best = std::max(best, run.cellUpdatesPerSecond);
      std::vector<double> depths = simulation.depths();
      if (reference.empty())
        reference = std::move(depths);
      else if (depths != reference)
        result.identicalAcrossThreads = false;
    }
  }
  for (int threads : options.threadCounts) {
    TriadRun triad{threads, triadBandwidth(options.triadElements, threads)};
    result.triad.push_back(triad);
    result.bestTriad = std::max(result.bestTriad, triad.gigabytesPerSecond);
  }
  return result;
}

}  // namespace citytwin::flood
