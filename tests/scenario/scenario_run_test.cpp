#include <doctest/doctest.h>
#include <fstream>
#include <tbb/global_control.h>

#include "citytwin/core/date_time.hpp"
#include "citytwin/scenario/scenario_parser.hpp"
#include "citytwin/scenario/scenario_run.hpp"
#include "citytwin/sim/time_text.hpp"
#include "citytwin/store/run_database.hpp"
#include "citytwin/testing/shared_data.hpp"
#include "test_city.hpp"
#include "test_models.hpp"

using namespace citytwin;

namespace {

// Raises the stop flag (as Ctrl-C would) once simulated time passes `at`.
class TripwireModel : public citytwin::testing::RecorderModel {
 public:
  TripwireModel(std::atomic<bool>* flag, sim::SimTime at, bool throwInstead)
      : RecorderModel("tripwire", sim::kSecond, &log_), flag_(flag), at_(at), throw_(throwInstead) {}
  sim::ModelDescription describe() const override { return {"tripwire", {}, {}, sim::kSecond, true, {}, {}}; }
  void step(sim::SimTime t, sim::SimTime, const city::CityState&, city::CityState&) override {
    if (t < at_) return;
    if (throw_) throw Error("tripwire model failed at t = " + std::to_string(t / sim::kSecond) + " s");
    flag_->store(true);
  }

 private:
  citytwin::testing::StepLog log_;
  std::atomic<bool>* flag_;
  sim::SimTime at_;
  bool throw_;
};

const char* kScenario = R"toml(name = "run-test"
city = "tiny.gpkg"
start = "2026-07-01T00:00:00Z"
duration = "20s"
seed = 3
models = ["producer", "consumer", "noisy"]

[noisy]
gain = 1.0

[[variant]]
name = "doubled"
[[variant.intervention]]
kind = "set_attribute"
layer = "building"
attribute = "factor"
value = 2.0
all = true

[[variant]]
name = "boosted"
[[variant.intervention]]
kind = "boost"
amount = 4
)toml";

struct Fixture {
  city::CityModel city = citytwin::testing::stepTestCity();
  std::atomic<bool> stop{false};
  sim::ModelRegistry registry;
  std::filesystem::path directory;

  Fixture(const std::string& name, sim::SimTime tripAt = -1, bool throwInstead = false) {
    citytwin::testing::registerTestModels(registry);
    if (tripAt >= 0) {
      registry.add("tripwire", [this, tripAt, throwInstead] {
        return std::make_unique<TripwireModel>(&stop, tripAt, throwInstead);
      });
    }
    directory = citytwin::testing::scratchDirectory() / name;
    std::filesystem::create_directories(directory);
  }

  scenario::Scenario spec(const std::string& extraModels = "") {
    std::string text = kScenario;
    if (!extraModels.empty()) {
      text.replace(text.find("\"noisy\"]"), 8, "\"noisy\", " + extraModels + "]");
    }
    std::ofstream(directory / "scenario.toml") << text;
    return scenario::loadScenario(directory / "scenario.toml", registry);
  }

  scenario::RunOutcome run(const scenario::Scenario& spec) {
    scenario::RunOptions options;
    options.outDirectory = directory / "out";
    options.stop = &stop;
    options.threads = 1;
    options.showProgress = false;
    return scenario::runScenario(spec, city, registry, options);
  }
};

std::int64_t count(store::Database& db, const std::string& sql) {
  store::Statement query(db, sql);
  query.step();
  return query.integer(0);
}

}  // namespace

TEST_CASE("a run writes the run database, per-variant folders, and KPIs that differ by variant") {
  Fixture fixture("complete");
  const scenario::RunOutcome outcome = fixture.run(fixture.spec());
  CHECK(outcome.status == store::RunStatus::Completed);
  REQUIRE(outcome.variants.size() == 3);
  CHECK(outcome.variants[0].name == "base");
  CHECK(outcome.variants[2].name == "boosted");
  const double base = outcome.variants[0].kpis.at("noisy").at("total_load");
  CHECK(outcome.variants[1].kpis.at("noisy").at("total_load") == doctest::Approx(2 * base));
  CHECK(outcome.variants[2].kpis.at("noisy").at("total_load") > base);
  CHECK(outcome.variants[0].kpis.at("producer").at("steps") == 10.0);

  for (const char* variant : {"base", "doubled", "boosted"}) {
    CHECK(std::filesystem::exists(fixture.directory / "out" / variant / "kpis.json"));
  }
  store::RunDatabase database(fixture.directory / "out" / "run.sqlite");
  CHECK(database.status(outcome.runId) == store::RunStatus::Completed);
  CHECK(count(database.database(), "SELECT COUNT(*) FROM variants") == 3);
  CHECK(count(database.database(), "SELECT COUNT(*) FROM kpi_final WHERE model = 'noisy'") == 3);
  // producer: samples at 0, 2, ..., 20 s in each of the three branches.
  CHECK(count(database.database(), "SELECT COUNT(*) FROM kpi_series WHERE model = 'producer'") == 33);
  CHECK(count(database.database(), "SELECT COUNT(*) FROM events WHERE kind = 'set_attribute'") == 1);
  CHECK(count(database.database(), "SELECT COUNT(*) FROM run_inputs WHERE role = 'scenario'") == 1);
  store::Statement text(database.database(), "SELECT scenario_text FROM runs");
  REQUIRE(text.step());
  CHECK(text.text(0) == kScenario);
}

TEST_CASE("the same scenario gives bit-identical KPIs with 1, 2 and 4 threads") {
  std::vector<std::vector<scenario::VariantOutcome>> results;
  for (int threads : {1, 2, 4}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
    Fixture fixture("threads-" + std::to_string(threads));
    results.push_back(fixture.run(fixture.spec()).variants);
  }
  for (std::size_t v = 0; v < results[0].size(); ++v) {
    CHECK(results[1][v].kpis == results[0][v].kpis);
    CHECK(results[2][v].kpis == results[0][v].kpis);
  }
}

TEST_CASE("an interrupted run leaves a database that says interrupted") {
  Fixture fixture("interrupted", 5 * sim::kSecond);
  const scenario::RunOutcome outcome = fixture.run(fixture.spec("\"tripwire\""));
  CHECK(outcome.status == store::RunStatus::Interrupted);
  for (const scenario::VariantOutcome& variant : outcome.variants) {
    CHECK_FALSE(variant.completed);
    CHECK(variant.reachedSeconds < 20.0);
  }
  store::RunDatabase database(fixture.directory / "out" / "run.sqlite");
  CHECK(database.status(outcome.runId) == store::RunStatus::Interrupted);
  CHECK(count(database.database(), "SELECT COUNT(*) FROM variants WHERE status = 'interrupted'") == 3);
  store::Statement integrity(database.database(), "PRAGMA integrity_check");
  REQUIRE(integrity.step());
  CHECK(integrity.text(0) == "ok");
}

TEST_CASE("a model failure marks the run failed and reports the error") {
  Fixture fixture("failed", 3 * sim::kSecond, true);
  const scenario::Scenario spec = fixture.spec("\"tripwire\"");
  CHECK_THROWS_WITH_AS(fixture.run(spec), doctest::Contains("tripwire model failed at t = 3 s"), Error);
  store::RunDatabase database(fixture.directory / "out" / "run.sqlite");
  CHECK(database.status(database.latestRunId()) == store::RunStatus::Failed);
  store::Statement message(database.database(), "SELECT message FROM runs");
  REQUIRE(message.step());
  CHECK(message.text(0).find("tripwire model failed") != std::string::npos);
}

TEST_CASE("an id missing from the city stops the run before anything is recorded") {
  Fixture fixture("bad-id");
  std::string text = kScenario;
  text.replace(text.find("all = true"), 10, "id = \"tiny:building/404\"");
  std::ofstream(fixture.directory / "scenario.toml") << text;
  const scenario::Scenario spec = scenario::loadScenario(fixture.directory / "scenario.toml", fixture.registry);
  CHECK_THROWS_WITH_AS(fixture.run(spec), doctest::Contains("scenario.toml:18: key 'variant[1].intervention[1].id'"),
                       InputError);
  CHECK_FALSE(std::filesystem::exists(fixture.directory / "out" / "run.sqlite"));
}

TEST_CASE("a two-variant scenario built in code, with no file, runs like the same scenario from a file") {
  Fixture fixture("in-code");
  scenario::Scenario inCode;
  inCode.name = "run-test";
  inCode.city = "tiny.gpkg";  // the city is handed to the run; the path only names it
  inCode.startEpochMs = *parseDateTime("2026-07-01T00:00:00Z");
  inCode.duration = 20 * sim::kSecond;
  inCode.seed = 3;
  inCode.models = {"producer", "consumer", "noisy"};
  inCode.modelInputs["noisy"] = Value::table({{"gain", 1.0}});
  inCode.addVariant("doubled").intervene(Value::table(
      {{"kind", "set_attribute"}, {"layer", "building"}, {"attribute", "factor"}, {"value", 2.0}, {"all", true}}));
  inCode.addVariant("boosted").intervene(Value::table({{"kind", "boost"}, {"amount", 4}}));
  const scenario::RunOutcome fromCode = fixture.run(inCode);
  CHECK(fromCode.status == store::RunStatus::Completed);
  CHECK_FALSE(std::filesystem::exists(fixture.directory / "scenario.toml"));

  Fixture fileFixture("in-code-file");
  const scenario::RunOutcome fromFile = fileFixture.run(fileFixture.spec());
  REQUIRE(fromCode.variants.size() == 3);
  REQUIRE(fromFile.variants.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(fromCode.variants[i].name == fromFile.variants[i].name);
    CHECK(fromCode.variants[i].completed);
    CHECK(fromCode.variants[i].kpis == fromFile.variants[i].kpis);
  }
  CHECK(fromCode.variants[1].kpis.at("noisy").at("total_load") ==
        doctest::Approx(2 * fromCode.variants[0].kpis.at("noisy").at("total_load")));
}
