#include "citytwin/scenario/scenario_run.hpp"

#include <chrono>
#include <exception>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

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

}  // namespace

RunOutcome runScenario(const Scenario& spec, const city::CityModel& city,
                       const sim::ModelRegistry& registry, const RunOptions& options) {
  validate(spec, registry);
  checkAgainstCity(spec, city);
  std::filesystem::create_directories(options.outDirectory);
  const std::size_t count = spec.branchCount();
  std::vector<std::unique_ptr<sim::Branch>> branches(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::filesystem::create_directories(options.outDirectory / spec.branchName(i));
  }
  sim::forEachInParallel(count, [&](std::size_t i) {
    sim::BranchSpec branchSpec = makeBranchSpec(spec, i, city, options.outDirectory / spec.branchName(i));
    branchSpec.prepareState = options.prepareState;
    branches[i] = std::make_unique<sim::Branch>(std::move(branchSpec), registry);
  });

  std::unique_ptr<store::RunDatabase> defaultRecorder;
  store::RunRecorder* recorder = options.recorder;
  if (recorder == nullptr) {
    defaultRecorder = std::make_unique<store::RunDatabase>(options.outDirectory / "run.sqlite");
    recorder = defaultRecorder.get();
  }
  RunOutcome outcome;
  outcome.database = recorder->location();
  store::RunDescription description{spec.file.string(), spec.name, spec.text, {}, options.threads};
  description.inputs.push_back({"scenario", spec.file.string(), fingerprintText(spec.text)});
  description.inputs.insert(description.inputs.end(), options.inputs.begin(), options.inputs.end());
  outcome.runId = recorder->beginRun(description);

  const auto started = std::chrono::steady_clock::now();
  std::atomic<bool> failed{false};
  const sim::Scheduler::StopRequested stop = [&] {
    return failed.load(std::memory_order_relaxed) ||
           (options.stop != nullptr && options.stop->load(std::memory_order_relaxed));
  };
  std::exception_ptr failure;
  std::string failureMessage;
  {
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
  }
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  bool allCompleted = true;
  for (std::size_t i = 0; i < count; ++i) {
    const sim::Branch& branch = *branches[i];
    VariantOutcome variant;
    variant.name = spec.branchName(i);
    variant.description = spec.branchDescription(i);
    variant.completed = branch.finished();
    variant.reachedSeconds = sim::toSeconds(branch.now());
    variant.kpis = branch.currentKpis();
    allCompleted = allCompleted && variant.completed;
    outcome.variants.push_back(std::move(variant));
  }
  outcome.status = failure ? store::RunStatus::Failed
                           : (allCompleted ? store::RunStatus::Completed : store::RunStatus::Interrupted);

  // Per-variant files first: the database's final status is the last thing written.
  if (!failure) {
    for (std::size_t i = 0; i < count; ++i) {
      const std::filesystem::path directory = options.outDirectory / spec.branchName(i);
      if (outcome.variants[i].completed) branches[i]->writeOutputs(directory, options.writeRaster);
      writeKpisJson(outcome.variants[i], directory);
    }
  }

  const std::unique_ptr<store::RunResultsTransaction> results = recorder->beginResults(outcome.runId);
  for (std::size_t i = 0; i < count; ++i) {
    const sim::Branch& branch = *branches[i];
    const VariantOutcome& variant = outcome.variants[i];
    const store::RunStatus variantStatus =
        variant.completed ? store::RunStatus::Completed
                          : (failure ? store::RunStatus::Failed : store::RunStatus::Interrupted);
    const std::int64_t variantId =
        results->addVariant({static_cast<int>(i), variant.name, variant.description, variantStatus,
                             variant.reachedSeconds, sim::toSeconds(spec.duration)});
    for (const sim::KpiSample& sample : branch.kpiSeries()) {
      results->addKpiSample(variantId, branch.modelName(sample.model), branch.kpiName(sample.kpi),
                            sim::toSeconds(sample.t), sample.value);
    }
    for (const auto& [model, values] : variant.kpis) {
      for (const auto& [kpi, value] : values) results->addFinalKpi(variantId, model, kpi, value);
    }
    for (const sim::Event& event : options.runEvents) {
      results->addEvent(variantId, sim::toSeconds(event.time), event.source, event.kind, event.entity,
                        event.message);
    }
    for (const sim::Event& event : branch.events()) {
      results->addEvent(variantId, sim::toSeconds(event.time), event.source, event.kind, event.entity,
                        event.message);
    }
  }
  results->commit(outcome.status, failureMessage, outcome.seconds);
  if (failure) std::rethrow_exception(failure);
  return outcome;
}

}  // namespace citytwin::scenario
