#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "citytwin/core/error.hpp"
#include "command_registry.hpp"
#include "json_output.hpp"

namespace citytwin::cli {
namespace {

struct EnsembleBenchArguments {
  std::filesystem::path scenario = "scenarios/flood_ensemble.toml";
  std::vector<int> ranks{1, 2};
  std::filesystem::path out;
  int repeat = 1;
  bool json = false;
};

struct RankMeasurement {
  int ranks = 0;  // 0: one process without MPI (the reference)
  std::size_t simulations = 0;
  double seconds = 0.0;      // rank 0's wall time of the simulations (startup and city loading excluded)
  double wallSeconds = 0.0;  // the whole command, mpiexec's start included
  std::size_t gatheredBytes = 0;
  double simulationsPerSecond = 0.0;
};

// One `citytwin run` of the scenario with one TBB thread per process, so the ranks are the parallelism.
RankMeasurement measure(const EnsembleBenchArguments& arguments, int ranks) {
  const std::filesystem::path out =
      (arguments.out.empty() ? std::filesystem::temp_directory_path() /
                                   ("citytwin-bench-ensemble-" + std::to_string(::getpid()))
                             : arguments.out) /
      ("ranks-" + std::to_string(ranks));
  std::filesystem::remove_all(out);
  const std::vector<std::string> run{
      "run", arguments.scenario.string(), "--out", out.string(), "--threads", "1", "--json"};
  ChildUsage usage;
  if (ranks == 0) {
    usage = runSelf(run);
  } else {
    std::vector<std::string> launch{"-np", std::to_string(ranks), "--oversubscribe",
                                    std::filesystem::read_symlink("/proc/self/exe").string()};
    launch.insert(launch.end(), run.begin(), run.end());
    usage = runProgram(CITYTWIN_MPIEXEC, launch);
  }
  std::filesystem::remove_all(out);
  if (usage.exitCode != 0) {
    throw Error("bench ensemble: the run on " +
                (ranks == 0 ? std::string("one process") : std::to_string(ranks) + " ranks") +
                " failed (exit " + std::to_string(usage.exitCode) + "); run it alone to see why");
  }
  const nlohmann::json document = nlohmann::json::parse(usage.standardOutput);
  RankMeasurement result;
  result.ranks = ranks;
  result.simulations = document.at("variants").size();
  result.seconds = document.at("seconds").get<double>();
  result.wallSeconds = usage.wallSeconds;
  if (document.contains("mpi"))
    result.gatheredBytes = document["mpi"].at("gathered_bytes").get<std::size_t>();
  result.simulationsPerSecond = static_cast<double>(result.simulations) / result.seconds;
  return result;
}

void runEnsembleBench(const EnsembleBenchArguments& arguments) {
  if (!std::filesystem::exists(arguments.scenario))
    throw Error(arguments.scenario.string() + ": scenario file does not exist (give one with --scenario)");
  // OpenMPI refuses to start as root unless told so; containers and CI run as root.
  if (::geteuid() == 0) {
    ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 0);
    ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 0);
  }
  if (arguments.repeat < 1) throw Error("--repeat: expected a number >= 1");
  std::vector<int> configurations{0};
  for (const int ranks : arguments.ranks) {
    if (ranks < 1) throw Error("--ranks: expected numbers of ranks >= 1");
    configurations.push_back(ranks);
  }
  // Repetitions go round the configurations, so a change of the machine's load hits them all alike; each
  // configuration reports its median repetition.
  std::vector<std::vector<RankMeasurement>> runs(configurations.size());
  for (int repetition = 0; repetition < arguments.repeat; ++repetition) {
    for (std::size_t c = 0; c < configurations.size(); ++c)
      runs[c].push_back(measure(arguments, configurations[c]));
  }
  std::vector<RankMeasurement> results;
  for (std::vector<RankMeasurement>& each : runs) {
    std::sort(each.begin(), each.end(),
              [](const RankMeasurement& a, const RankMeasurement& b) { return a.seconds < b.seconds; });
    results.push_back(each[each.size() / 2]);
  }
  // Speed-ups against one rank measured in this same invocation (the first --ranks entry when 1 is absent).
  const RankMeasurement& oneRank = results.size() > 1 ? results[1] : results[0];
  if (arguments.json) {
    nlohmann::json rows = nlohmann::json::array();
    for (const RankMeasurement& m : results) {
      rows.push_back(
          {{"ranks", m.ranks},
           {"simulations", m.simulations},
           {"seconds", m.seconds},
           {"wall_seconds", m.wallSeconds},
           {"simulations_per_second", m.simulationsPerSecond},
           {"seconds_per_simulation", m.seconds * std::max(1, m.ranks) / static_cast<double>(m.simulations)},
           {"gathered_bytes", m.gatheredBytes},
           {"speedup_vs_first_ranks", m.simulationsPerSecond / oneRank.simulationsPerSecond}});
    }
    printJson({{"benchmark", "ensemble"},
               {"scenario", arguments.scenario.string()},
               {"threads_per_rank", 1},
               {"results", rows}});
    return;
  }
  std::printf("scenario %s, 1 TBB thread per rank, median of %d run%s each\n",
              arguments.scenario.string().c_str(), arguments.repeat, arguments.repeat == 1 ? "" : "s");
  // The reference in one process builds every branch before its clock starts (`run s` leaves building out);
  // on ranks each simulation is built where it runs, inside the clock: compare ranks with ranks.
  std::printf("%-14s  %11s  %9s  %7s  %14s  %10s  %14s  %8s\n", "ranks", "simulations", "run s", "wall s",
              "simulations/s", "s/sim/rank", "gathered bytes", "speedup");
  for (const RankMeasurement& m : results) {
    const std::string speedup =
        m.ranks == 0
            ? std::string("-")
            : std::to_string(m.simulationsPerSecond / oneRank.simulationsPerSecond).substr(0, 4) + "x";
    std::printf("%-14s  %11zu  %9.2f  %7.2f  %14.2f  %10.4f  %14zu  %8s\n",
                m.ranks == 0 ? "1 (no MPI)" : std::to_string(m.ranks).c_str(), m.simulations, m.seconds,
                m.wallSeconds, m.simulationsPerSecond,
                m.seconds * std::max(1, m.ranks) / static_cast<double>(m.simulations), m.gatheredBytes,
                speedup.c_str());
  }
}

void registerEnsembleBench(CommandTree& tree) {
  auto arguments = std::make_shared<EnsembleBenchArguments>();
  CLI::App* bench = tree.bench.add_subcommand(
      "ensemble", "Simulations (branches) per second of an ensemble in one process and on 1 and 2 MPI ranks");
  bench->add_option("--scenario", arguments->scenario,
                    "Scenario with an [ensemble] (default scenarios/flood_ensemble.toml)");
  bench->add_option("--ranks", arguments->ranks, "Numbers of ranks to measure (default 1 2)")->delimiter(',');
  bench->add_option("--repeat", arguments->repeat,
                    "Runs of each configuration, taken in turns; the median is reported");
  bench->add_option("--out", arguments->out, "Scratch folder for the runs (default: a temporary folder)");
  addJsonFlag(*bench, arguments->json);
  bench->callback([arguments] { runEnsembleBench(*arguments); });
}

const CommandGroupRegistrar registrar(915, registerEnsembleBench);

}  // namespace
}  // namespace citytwin::cli
