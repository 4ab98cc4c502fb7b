#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "citytwin/store/run_status.hpp"

namespace citytwin::store {

// One input a run read, with its content fingerprint, so a later look can tell whether it changed.
struct RunInput {
  std::string role;  // "scenario", "city"
  std::string path;
  std::string fingerprint;
};

// What is known of a run before it starts.
struct RunDescription {
  std::string scenarioPath;
  std::string scenarioName;
  std::string scenarioText;
  std::vector<RunInput> inputs;
  int threads = 0;
};

// One variant's place in the run and how far it got.
struct VariantRecord {
  int position = 0;  // 0 for the base, then the variants in file order
  std::string name;
  std::string description;
  RunStatus status = RunStatus::Running;
  double reachedSeconds = 0.0;
  double endSeconds = 0.0;
  int member = -1;  // the ensemble member (0, 1, ...), -1 outside an ensemble
};

// One final KPI of one variant over its ensemble members.
struct KpiDistributionRecord {
  std::string variant;
  std::string model;
  std::string kpi;
  std::int64_t members = 0;
  double mean = 0.0;
  double std = 0.0;
  double p5 = 0.0;
  double p50 = 0.0;
  double p95 = 0.0;
};

// The share of one variant's members whose final KPI crosses a threshold of the scenario.
struct ThresholdRecord {
  std::string variant;
  std::string expression;  // "flood.buildings_over_0_3m > 100"
  std::int64_t members = 0;
  std::int64_t crossing = 0;
  double probability = 0.0;
};

// The results of one run, written all or nothing: nothing added here is visible to a reader until commit,
// and a writer destroyed before commit (an exception, an early return) leaves the run as it was.
class RunResultsTransaction {
 public:
  virtual ~RunResultsTransaction() = default;

  // Returns the id that the variant's KPIs and events refer to.
  virtual std::int64_t addVariant(const VariantRecord& variant) = 0;
  virtual void addKpiSample(std::int64_t variantId, std::string_view model, std::string_view kpi, double tSeconds,
                            double value) = 0;
  virtual void addFinalKpi(std::int64_t variantId, std::string_view model, std::string_view kpi, double value) = 0;
  virtual void addEvent(std::int64_t variantId, double tSeconds, std::string_view source, std::string_view kind,
                        std::string_view entity, std::string_view message) = 0;
  virtual void addKpiDistribution(const KpiDistributionRecord& distribution) = 0;
  virtual void addThresholdProbability(const ThresholdRecord& threshold) = 0;
  // Records the run's final status, message and wall-clock seconds, and makes everything durable at once.
  virtual void commit(RunStatus status, const std::string& message, double seconds) = 0;
};

// Where the scenario runner records its runs: each run first as "running" (durable before the simulation
// starts, so a crash leaves a trace), then its whole outcome in one RunResultsTransaction. The run
// database (run.sqlite, RunDatabase) is the implementation the command line uses; another store (a
// server's database, an in-memory recorder for a binding) implements the same calls.
class RunRecorder {
 public:
  virtual ~RunRecorder() = default;

  // Records a "running" run and returns its id.
  virtual std::int64_t beginRun(const RunDescription& run) = 0;
  virtual std::unique_ptr<RunResultsTransaction> beginResults(std::int64_t runId) = 0;
  // Where the runs are kept, for messages: a file path, a URL.
  virtual std::string location() const = 0;
};

}  // namespace citytwin::store
