#include "citytwin/flood/benchmark.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

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

BenchmarkResult runFloodBenchmark(const BenchmarkOptions& options) {
  BenchmarkResult result;
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
