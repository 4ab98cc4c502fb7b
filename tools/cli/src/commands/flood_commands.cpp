// `citytwin flood run --lisflood CASE.par` and `citytwin bench flood`.

#include <cmath>
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>

#include "citytwin/core/error.hpp"
#include "citytwin/core/progress.hpp"
#include "citytwin/flood/benchmark.hpp"
#include "citytwin/flood/lisflood_case.hpp"
#include "command_registry.hpp"
#include "json_output.hpp"

namespace citytwin::cli {
namespace {

struct FloodRunOptions {
  std::string parFile;
  std::string outputDirectory;
  std::string precision = "float";
  int threads = 0;
  bool json = false;
};

struct FloodBenchOptions {
  long long wetCells = 1'000'000;
  double wetTime = 600.0;
  long long cells = 4'000'000;
  int steps = 40;
  bool json = false;
};

nlohmann::json massJson(const flood::MassBalance& m) {
  return {{"initial_volume_m3", m.initialVolume}, {"volume_m3", m.volume},
          {"boundary_inflow_m3", m.boundaryInflow}, {"boundary_outflow_m3", m.boundaryOutflow},
          {"point_inflow_m3", m.pointInflow}, {"rain_m3", m.rainfall},
          {"infiltration_m3", m.infiltration}, {"drainage_m3", m.drainage},
          {"error_m3", m.error()}, {"relative_error", m.relativeError()}};
}

void runLisflood(const FloodRunOptions& options) {
  flood::LisfloodCase lisfloodCase = flood::readLisfloodCase(options.parFile);
  if (options.precision == "float")
    lisfloodCase.options.precision = flood::Precision::Single;
  else if (options.precision == "double")
    lisfloodCase.options.precision = flood::Precision::Double;
  else
    throw Error("--precision: expected float or double, found '" + options.precision + "'");
  lisfloodCase.options.threads = options.threads;
  for (const std::string& key : lisfloodCase.ignoredKeys)
    std::cerr << "citytwin: warning: " << options.parFile << ": key '" << key << "' has no effect here\n";
  const flood::LisfloodRunResult result = flood::runLisfloodCase(lisfloodCase, options.outputDirectory);
  if (options.json) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : result.files) files.push_back(f.string());
    printJson({{"output_directory", result.outputDirectory.string()},
               {"files", files},
               {"scheme", lisfloodCase.options.scheme == flood::Scheme::LocalInertial ? "local_inertial" : "finite_volume"},
               {"steps", result.steps},
               {"cell_updates", result.cellUpdates},
               {"wall_seconds", result.wallSeconds},
               {"mass_balance", massJson(result.mass)}});
    return;
  }
  std::cout << "flood run: " << result.steps << " steps, " << result.files.size() << " files in "
            << result.outputDirectory.string() << " (" << std::fixed << std::setprecision(2) << result.wallSeconds
            << " s)\n";
  std::cout << "mass balance: stored " << std::setprecision(3) << result.mass.volume << " m3, relative error "
            << std::scientific << std::setprecision(2) << result.mass.relativeError() << "\n";
}

const char* precisionName(flood::Precision precision) {
  return precision == flood::Precision::Single ? "float" : "double";
}

void benchFlood(const FloodBenchOptions& options) {
  if (options.cells < 100 || options.wetCells < 100)
    throw Error("--cells, --wet-cells: expected at least 100");
  if (options.steps < 1) throw Error("--steps: expected at least 1");
  if (!(options.wetTime >= 60.0)) throw Error("--wet-time: expected at least 60 (s)");
  flood::BenchmarkOptions bench;
  auto side = [](long long cells) {
    return static_cast<std::size_t>(std::llround(std::sqrt(static_cast<double>(cells))));
  };
  bench.wetColumns = bench.wetRows = side(options.wetCells);
  bench.wetSimulatedSeconds = options.wetTime;
  bench.columns = bench.rows = side(options.cells);
  bench.localInertialSteps = options.steps;
  bench.finiteVolumeSteps = std::max(2, options.steps / 5);
  if (options.cells < 1'000'000) bench.triadElements = 1u << 20;
  Progress progress("bench flood", 1);
  const flood::BenchmarkResult result = flood::runFloodBenchmark(bench);
  progress.advance();
  progress.finish();
  const double parRatio = result.bestWet > 0 ? result.bestPar / result.bestWet : 0.0;
  const double wetBandwidth = result.bestWet * result.bytesPerCellUpdate / 1e9;
  auto wetRows = [](const std::vector<flood::WetRun>& runs) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& run : runs)
      rows.push_back({{"threads", run.threads},
                      {"steps", run.steps},
                      {"seconds", run.seconds},
                      {"cpu_seconds", run.cpuSeconds},
                      {"cell_updates_per_s", run.cellUpdatesPerSecond},
                      {"cell_updates_per_cpu_s", run.cellUpdatesPerCpuSecond},
                      {"wet_fraction", run.wetFraction}});
    return rows;
  };
  if (options.json) {
    nlohmann::json runs = nlohmann::json::array();
    for (const auto& run : result.runs)
      runs.push_back({{"scheme", run.scheme == flood::Scheme::LocalInertial ? "local_inertial" : "finite_volume"},
                      {"threads", run.threads}, {"steps", run.steps}, {"seconds", run.seconds},
                      {"cell_updates_per_s", run.cellUpdatesPerSecond}});
    nlohmann::json triad = nlohmann::json::array();
    for (const auto& t : result.triad) triad.push_back({{"threads", t.threads}, {"gb_per_s", t.gigabytesPerSecond}});
    printJson({{"wet_cells", result.wetCells},
               {"wet_local_inertial_cell_updates_per_s", result.bestWet},
               {"wet_par_cell_updates_per_s", result.bestPar},
               {"wet_par_precision", precisionName(result.parPrecision)},
               {"wet_par_over_scenario", parRatio},
               {"wet_identical_across_threads", result.wetIdenticalAcrossThreads},
               {"wet_bytes_per_cell_update", result.bytesPerCellUpdate},
               {"wet_effective_gb_per_s", wetBandwidth},
               {"wet_scenario_runs", wetRows(result.scenarioRuns)},
               {"wet_par_runs", wetRows(result.parRuns)},
               {"cells", result.cells},
               {"precision", "float"},
               {"local_inertial_cell_updates_per_s", result.bestLocalInertial},
               {"finite_volume_cell_updates_per_s", result.bestFiniteVolume},
               {"stream_triad_gb_per_s", result.bestTriad},
               {"identical_across_threads", result.identicalAcrossThreads},
               {"runs", runs},
               {"stream_triad", triad}});
    return;
  }
  std::cout << "flood bench, fully wet rain on grid: " << result.wetCells << " cells, local inertial, "
            << std::fixed << std::setprecision(0) << bench.wetSimulatedSeconds << " s simulated\n";
  for (const auto& run : result.scenarioRuns)
    std::cout << "  scenario path (float, maxima) threads " << run.threads << ": " << std::setprecision(1)
              << run.cellUpdatesPerSecond / 1e6 << " M cell-updates/s, " << run.cellUpdatesPerCpuSecond / 1e6
              << " M per CPU-second (" << run.steps << " steps, " << std::setprecision(2) << run.seconds
              << " s, wet fraction " << run.wetFraction << ")\n";
  for (const auto& run : result.parRuns)
    std::cout << "  .par path (" << precisionName(result.parPrecision) << ") threads " << run.threads << ": "
              << std::setprecision(1) << run.cellUpdatesPerSecond / 1e6 << " M cell-updates/s, "
              << run.cellUpdatesPerCpuSecond / 1e6 << " M per CPU-second (" << run.steps << " steps, "
              << std::setprecision(2) << run.seconds << " s)\n";
  std::cout << "  .par / scenario: " << std::setprecision(2) << parRatio << "; effective bandwidth "
            << std::setprecision(1) << wetBandwidth << " GB/s (" << std::setprecision(0)
            << result.bytesPerCellUpdate << " bytes per cell update)\n";
  std::cout << "  results identical across thread counts: "
            << (result.wetIdenticalAcrossThreads ? "yes" : "NO") << "\n";
  std::cout << "flood bench, kernel only: " << result.cells
            << " cells, rain on grid, float storage, maxima off\n";
  for (const auto& run : result.runs)
    std::cout << "  " << std::left << std::setw(15)
              << (run.scheme == flood::Scheme::LocalInertial ? "local inertial" : "finite volume") << " threads "
              << run.threads << ": " << std::fixed << std::setprecision(1) << run.cellUpdatesPerSecond / 1e6
              << " M cell-updates/s (" << run.steps << " steps, " << std::setprecision(2) << run.seconds << " s)\n";
  for (const auto& t : result.triad)
    std::cout << "  STREAM triad threads " << t.threads << ": " << std::setprecision(1) << t.gigabytesPerSecond << " GB/s\n";
  std::cout << "  results identical across thread counts: " << (result.identicalAcrossThreads ? "yes" : "NO") << "\n";
}

void registerFloodCommands(CommandTree& tree) {
  CLI::App& flood = tree.group("flood", "Flood simulation");
  flood.require_subcommand(1);
  auto runOptions = std::make_shared<FloodRunOptions>();
  CLI::App* run = flood.add_subcommand("run", "Run a LISFLOOD-FP 8 parameter file");
  run->add_option("--lisflood", runOptions->parFile, "LISFLOOD-FP parameter file (.par)")->required();
  run->add_option("--out", runOptions->outputDirectory, "Output folder (default: the .par's dirroot)");
  run->add_option("--precision", runOptions->precision,
                  "Storage precision: float or double (default float; double conserves mass to 1e-15)");
  run->add_option("--threads", runOptions->threads, "Worker threads (default: all)");
  addJsonFlag(*run, runOptions->json);
  run->callback([runOptions] { runLisflood(*runOptions); });

  auto benchOptions = std::make_shared<FloodBenchOptions>();
  CLI::App* bench = tree.bench.add_subcommand("flood", "Flood solver cell-updates per second and STREAM triad bandwidth");
  bench->add_option("--wet-cells", benchOptions->wetCells,
                    "Cells of the fully wet rain-on-grid case (default 1000000)");
  bench->add_option("--wet-time", benchOptions->wetTime,
                    "Simulated seconds of the fully wet case (default 600)");
  bench->add_option("--cells", benchOptions->cells,
                    "Cells of the kernel-only rain-on-grid case (default 4000000)");
  bench->add_option("--steps", benchOptions->steps,
                    "Timed local-inertial steps of the kernel-only case (finite volume: a fifth)");
  addJsonFlag(*bench, benchOptions->json);
  bench->callback([benchOptions] { benchFlood(*benchOptions); });
}

const CommandGroupRegistrar registrar(40, registerFloodCommands);

}  // namespace
}  // namespace citytwin::cli
