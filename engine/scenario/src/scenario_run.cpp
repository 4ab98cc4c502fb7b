#include "citytwin/scenario/scenario_run.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>

#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/fingerprint.hpp"
#include "citytwin/core/progress.hpp"
#include "citytwin/core/terminal.hpp"
#include "citytwin/scenario/scenario_parser.hpp"
#include "citytwin/sim/branch.hpp"
#include "citytwin/sim/parallel_branches.hpp"
#include "citytwin/store/run_database.hpp"

namespace citytwin::scenario {
namespace {

// Branches advance in this many slices so the progress line moves; slicing does not change results.
constexpr sim::SimTime kSlices = 100;

void writeKpisJson(const VariantOutcome& variant, const std::filesystem::path& directory) {
  nlohmann::json document;
  document["variant"] = variant.name;
  document["completed"] = variant.completed;
  document["reached_s"] = variant.reachedSeconds;
  nlohmann::json kpis = nlohmann::json::object();
  for (const auto& [model, values] : variant.kpis) {
    for (const auto& [kpi, value] : values) kpis[model + "." + kpi] = value;
  }
  document["kpis"] = kpis;
  AtomicOutput output(directory / "kpis.json");
  {
    std::ofstream out(output.temporaryPath());
    out << document.dump(2) << '\n';
    if (!out) throw Error(output.finalPath().string() + ": cannot write");
  }
  output.commit();
}

// What the run records of a branch that ran in this process; `drawEvents` first (an ensemble member's
// draws), then the branch's own events.
BranchResult collectResult(const sim::Branch& branch, std::vector<sim::Event> drawEvents) {
  BranchResult result;
  result.completed = branch.finished();
  result.reachedSeconds = sim::toSeconds(branch.now());
  result.kpis = branch.currentKpis();
  result.series.reserve(branch.kpiSeries().size());
  for (const sim::KpiSample& sample : branch.kpiSeries()) {
    result.series.push_back(
        {branch.modelName(sample.model), branch.kpiName(sample.kpi), sim::toSeconds(sample.t), sample.value});
  }
  result.events = std::move(drawEvents);
  result.events.insert(result.events.end(), branch.events().begin(), branch.events().end());
  return result;
}

// Every file under `folder`, with its path relative to `root`.
void readFilesUnder(const std::filesystem::path& folder, const std::filesystem::path& root,
                    std::vector<OutputFile>& files) {
  if (!std::filesystem::exists(folder)) return;
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
    if (entry.is_regular_file()) paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  for (const std::filesystem::path& path : paths) {
    std::ifstream in(path, std::ios::binary);
    OutputFile file;
    file.path = path.lexically_relative(root).generic_string();
    file.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) throw Error(path.string() + ": cannot read back an output file");
    files.push_back(std::move(file));
  }
}

void writeFile(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw Error(path.string() + ": cannot write");
}

// The estimated cost of a simulation, for dealing the largest first: the models it runs over the run's
// duration (members of a branch cost about the same; what they draw is not known before they run).
double estimatedCost(const Scenario& spec, const BranchRun& run) {
  return static_cast<double>(branchModels(spec, run.branch).size()) * sim::toSeconds(spec.duration);
}

}  // namespace

RunOutcome runScenario(const Scenario& spec, const city::CityModel& city, const sim::ModelRegistry& registry,
                       const RunOptions& options) {
  validate(spec, registry);
  checkAgainstCity(spec, city);
  const std::vector<BranchRun> runs = branchRuns(spec);
  const std::size_t count = runs.size();
  const bool recording = options.dealer == nullptr || options.dealer->recordsRun();
  if (recording) {
    std::filesystem::create_directories(options.outDirectory);
    for (const BranchRun& run : runs)
      std::filesystem::create_directories(options.outDirectory / runFolder(spec, run));
  }

  // In one process every branch is built before anything runs, so every input error surfaces first.
  std::vector<std::unique_ptr<sim::Branch>> branches;
  std::vector<std::vector<sim::Event>> drawEvents(count);
  if (options.dealer == nullptr) {
    branches.resize(count);
    sim::forEachInParallel(count, [&](std::size_t i) {
      sim::BranchSpec branchSpec = makeBranchSpec(
          spec, runs[i], city, options.outDirectory / runFolder(spec, runs[i]), &drawEvents[i]);
      branchSpec.prepareState = options.prepareState;
      branches[i] = std::make_unique<sim::Branch>(std::move(branchSpec), registry);
    });
  }

  std::unique_ptr<store::RunDatabase> defaultRecorder;
  store::RunRecorder* recorder = options.recorder;
  RunOutcome outcome;
  if (recording) {
    if (recorder == nullptr) {
      defaultRecorder = std::make_unique<store::RunDatabase>(options.outDirectory / "run.sqlite");
      recorder = defaultRecorder.get();
    }
    outcome.database = recorder->location();
    store::RunDescription description{spec.file.string(), spec.name, spec.text, {}, options.threads};
    description.inputs.push_back({"scenario", spec.file.string(), fingerprintText(spec.text)});
    description.inputs.insert(description.inputs.end(), options.inputs.begin(), options.inputs.end());
    outcome.runId = recorder->beginRun(description);
  }

  const auto started = std::chrono::steady_clock::now();
  std::atomic<bool> failed{false};
  const sim::Scheduler::StopRequested stop = [&] {
    return failed.load(std::memory_order_relaxed) ||
           (options.stop != nullptr && options.stop->load(std::memory_order_relaxed));
  };
  std::exception_ptr failure;
  std::string failureMessage;
  std::vector<BranchResult> results;
  if (options.dealer == nullptr) {
    std::unique_ptr<Progress> progress;
    if (options.showProgress && interactiveFeedbackEnabled()) {
      progress =
          std::make_unique<Progress>("running " + spec.name, count * static_cast<std::uint64_t>(kSlices));
    }
    try {
      sim::forEachInParallel(count, [&](std::size_t i) {
        sim::Branch& branch = *branches[i];
        try {
          for (sim::SimTime slice = 1; slice <= kSlices; ++slice) {
            if (!branch.advanceTo(spec.duration * slice / kSlices, stop)) return;
            if (progress) progress->advance();
          }
        } catch (...) {
          failed.store(true);
          throw;
        }
      });
    } catch (const std::exception& e) {
      failure = std::current_exception();
      failureMessage = e.what();
    } catch (...) {
      failure = std::current_exception();
      failureMessage = "unknown error";
    }
    if (progress) progress->finish();
    for (std::size_t i = 0; i < count; ++i)
      results.push_back(collectResult(*branches[i], std::move(drawEvents[i])));
  } else {
    std::vector<double> costs(count);
    for (std::size_t i = 0; i < count; ++i) costs[i] = estimatedCost(spec, runs[i]);
    // A simulation dealt to this process: built, run, and its files written to a private folder and read
    // back, so the recording process can write them where a run in one process would have.
    const auto runOne = [&](std::size_t i) {
      BranchResult result;
      const std::filesystem::path staging =
          std::filesystem::temp_directory_path() /
          ("citytwin-" + std::to_string(::getpid()) + "-" + std::to_string(i));
      try {
        std::vector<sim::Event> draws;
        sim::BranchSpec branchSpec = makeBranchSpec(spec, runs[i], city, staging, &draws);
        branchSpec.prepareState = options.prepareState;
        sim::Branch branch(std::move(branchSpec), registry);
        branch.run(stop);
        result = collectResult(branch, std::move(draws));
        if (result.completed) {
          branch.writeOutputs(staging, options.writeRaster);
          readFilesUnder(staging, staging, result.files);
        }
      } catch (const std::exception& e) {
        result.failure = spec.branchName(runs[i].branch) +
                         (runs[i].member >= 0 ? " member " + std::to_string(runs[i].member) : std::string()) +
                         ": " + e.what();
      }
      std::error_code ignored;
      std::filesystem::remove_all(staging, ignored);
      return result;
    };
    results = options.dealer->deal(costs, runOne);
    if (!recording) {
      outcome.recorded = false;
      return outcome;
    }
    if (results.size() != count)
      throw Error("the ranks returned " + std::to_string(results.size()) + " results for " +
                  std::to_string(count) + " simulations");
    for (const BranchResult& result : results) {
      if (!result.failure.empty()) {
        failureMessage = result.failure;
        failure = std::make_exception_ptr(Error(failureMessage));
        break;
      }
    }
  }
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  bool allCompleted = true;
  for (std::size_t i = 0; i < count; ++i) {
    VariantOutcome variant;
    variant.name = spec.branchName(runs[i].branch);
    variant.member = runs[i].member;
    variant.description = spec.branchDescription(runs[i].branch);
    variant.completed = results[i].completed;
    variant.reachedSeconds = results[i].reachedSeconds;
    variant.kpis = results[i].kpis;
    allCompleted = allCompleted && variant.completed;
    outcome.variants.push_back(std::move(variant));
  }
  outcome.status = failure ? store::RunStatus::Failed
                           : (allCompleted ? store::RunStatus::Completed : store::RunStatus::Interrupted);

  // Per-variant files first: the database's final status is the last thing written.
  if (!failure) {
    for (std::size_t i = 0; i < count; ++i) {
      const std::filesystem::path directory = options.outDirectory / runFolder(spec, runs[i]);
      if (outcome.variants[i].completed) {
        if (options.dealer == nullptr) branches[i]->writeOutputs(directory, options.writeRaster);
        for (const OutputFile& file : results[i].files) writeFile(directory / file.path, file.bytes);
      }
      writeKpisJson(outcome.variants[i], directory);
    }
  }
  if (spec.ensemble && outcome.status == store::RunStatus::Completed) {
    for (std::size_t branch = 0; branch < spec.branchCount(); ++branch) {
      std::vector<const std::map<std::string, sim::Kpis>*> members;
      for (std::size_t i = 0; i < count; ++i) {
        if (runs[i].branch == branch) members.push_back(&results[i].kpis);
      }
      outcome.distributions.push_back(
          summariseMembers(spec.branchName(branch), members, spec.ensemble->thresholds));
    }
  }

  const std::unique_ptr<store::RunResultsTransaction> recorded = recorder->beginResults(outcome.runId);
  for (std::size_t i = 0; i < count; ++i) {
    const BranchResult& result = results[i];
    const VariantOutcome& variant = outcome.variants[i];
    const store::RunStatus variantStatus =
        variant.completed ? store::RunStatus::Completed
                          : (failure ? store::RunStatus::Failed : store::RunStatus::Interrupted);
    const std::int64_t variantId = recorded->addVariant(
        {static_cast<int>(runs[i].branch), variant.name, variant.description, variantStatus,
         variant.reachedSeconds, sim::toSeconds(spec.duration), variant.member});
    for (const BranchResult::Sample& sample : result.series)
      recorded->addKpiSample(variantId, sample.model, sample.kpi, sample.tSeconds, sample.value);
    for (const auto& [model, values] : variant.kpis) {
      for (const auto& [kpi, value] : values) recorded->addFinalKpi(variantId, model, kpi, value);
    }
    for (const sim::Event& event : options.runEvents) {
      recorded->addEvent(variantId, sim::toSeconds(event.time), event.source, event.kind, event.entity,
                         event.message);
    }
    for (const sim::Event& event : result.events) {
      recorded->addEvent(variantId, sim::toSeconds(event.time), event.source, event.kind, event.entity,
                         event.message);
    }
  }
  for (const VariantDistribution& distribution : outcome.distributions) {
    for (const KpiDistribution& kpi : distribution.kpis) {
      recorded->addKpiDistribution({distribution.variant, kpi.model, kpi.kpi,
                                    static_cast<std::int64_t>(kpi.members), kpi.mean, kpi.std, kpi.p5,
                                    kpi.p50, kpi.p95});
    }
    for (const ThresholdProbability& threshold : distribution.thresholds) {
      recorded->addThresholdProbability(
          {distribution.variant, threshold.expression, static_cast<std::int64_t>(threshold.members),
           static_cast<std::int64_t>(threshold.crossing), threshold.probability});
    }
  }
  recorded->commit(outcome.status, failureMessage, outcome.seconds);
  if (failure) std::rethrow_exception(failure);
  return outcome;
}

}  // namespace citytwin::scenario
