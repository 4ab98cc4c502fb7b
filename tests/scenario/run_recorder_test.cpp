#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <string>

#include "citytwin/scenario/scenario_parser.hpp"
#include "citytwin/scenario/scenario_run.hpp"
#include "citytwin/store/run_database_reader.hpp"
#include "citytwin/testing/shared_data.hpp"
#include "test_city.hpp"
#include "test_models.hpp"

using namespace citytwin;

namespace {

// Keeps what the runner records in memory, as a binding or a server with its own store would.
struct MemoryRecorder final : store::RunRecorder {
  struct Outcome {
    std::vector<store::VariantRecord> variants;
    std::map<std::string, double> finals;
    int samples = 0;
    int events = 0;
    int distributions = 0;
    store::RunStatus status = store::RunStatus::Running;
  };
  struct Results final : store::RunResultsTransaction {
    explicit Results(MemoryRecorder& owner) : owner(owner) {}
    std::int64_t addVariant(const store::VariantRecord& variant) override {
      pending.variants.push_back(variant);
      return static_cast<std::int64_t>(pending.variants.size());
    }
    void addKpiSample(std::int64_t, std::string_view, std::string_view, double, double) override { ++pending.samples; }
    void addFinalKpi(std::int64_t variantId, std::string_view model, std::string_view kpi, double value) override {
      pending.finals[std::to_string(variantId) + "." + std::string(model) + "." + std::string(kpi)] = value;
    }
    void addEvent(std::int64_t, double, std::string_view, std::string_view, std::string_view,
                  std::string_view) override {
      ++pending.events;
    }
    void addKpiDistribution(const store::KpiDistributionRecord&) override { ++pending.distributions; }
    void addThresholdProbability(const store::ThresholdRecord&) override { ++pending.distributions; }
    void commit(store::RunStatus status, const std::string&, double) override {
      pending.status = status;
      owner.committed = pending;
    }
    MemoryRecorder& owner;
    Outcome pending;
  };

  std::int64_t beginRun(const store::RunDescription& run) override {
    begun = run;
    return 7;
  }
  std::unique_ptr<store::RunResultsTransaction> beginResults(std::int64_t runId) override {
    CHECK(runId == 7);
    return std::make_unique<Results>(*this);
  }
  std::string location() const override { return "memory"; }

  store::RunDescription begun;
  Outcome committed;
};

const char* kScenario = R"toml(name = "recorder-test"
city = "tiny.gpkg"
start = "2026-07-01T00:00:00Z"
duration = "20s"
seed = 3
models = ["producer", "consumer", "noisy"]

[[variant]]
name = "doubled"
[[variant.intervention]]
kind = "set_attribute"
layer = "building"
attribute = "factor"
value = 2.0
all = true
)toml";

}  // namespace

TEST_CASE("the runner records through the recorder it is given, and into run.sqlite without one") {
  const city::CityModel city = citytwin::testing::stepTestCity();
  sim::ModelRegistry registry;
  citytwin::testing::registerTestModels(registry);
  const auto directory = citytwin::testing::scratchDirectory() / "recorder";
  const scenario::Scenario spec = scenario::parseScenario(kScenario, directory / "scenario.toml", registry);

  MemoryRecorder memory;
  scenario::RunOptions options;
  options.outDirectory = directory / "memory";
  options.threads = 1;
  options.showProgress = false;
  options.recorder = &memory;
  const scenario::RunOutcome recorded = scenario::runScenario(spec, city, registry, options);
  CHECK(recorded.runId == 7);
  CHECK(recorded.database == "memory");
  CHECK_FALSE(std::filesystem::exists(directory / "memory" / "run.sqlite"));
  CHECK(memory.begun.scenarioName == "recorder-test");
  REQUIRE(memory.begun.inputs.size() == 1);
  CHECK(memory.begun.inputs[0].role == "scenario");
  CHECK(memory.committed.status == store::RunStatus::Completed);
  REQUIRE(memory.committed.variants.size() == 2);
  CHECK(memory.committed.variants[1].name == "doubled");
  CHECK(memory.committed.samples > 0);

  // The default recorder writes the same final KPIs into run.sqlite.
  options.outDirectory = directory / "sqlite";
  options.recorder = nullptr;
  const scenario::RunOutcome stored = scenario::runScenario(spec, city, registry, options);
  CHECK(stored.database == directory / "sqlite" / "run.sqlite");
  store::RunDatabaseReader reader(stored.database);
  CHECK(reader.status(stored.runId) == store::RunStatus::Completed);
  const store::TextTable finals = reader.finalKpis();
  CHECK(finals.rows.size() == memory.committed.finals.size());
  for (const auto& row : finals.rows) {
    const auto found = memory.committed.finals.find(row[0] + "." + row[1] + "." + row[2]);
    REQUIRE(found != memory.committed.finals.end());
    CHECK(std::stod(row[3]) == doctest::Approx(found->second));
  }
}
