#include "citytwin/sim/branch.hpp"

#include <doctest/doctest.h>
#include <tbb/global_control.h>

#include <algorithm>

#include "citytwin/scenario/toml_input.hpp"
#include "citytwin/sim/parallel_branches.hpp"
#include "test_city.hpp"
#include "test_models.hpp"

using namespace citytwin;

namespace {

sim::Intervention intervention(const std::string& text) {
  sim::Intervention result;
  result.parameters = scenario::parseToml(text, "variant.toml");
  result.kind = result.parameters.find("kind")->asString();
  result.sourceFile = "variant.toml";
  return result;
}

sim::BranchSpec spec(const city::CityModel& city, std::string name = "base") {
  sim::BranchSpec result;
  result.name = std::move(name);
  result.city = &city;
  result.models = {"producer", "consumer", "noisy"};
  result.modelParameters["noisy"] = scenario::parseToml("gain = 1.5\nprofile = [1, 2, 3]", "");
  result.end = 30 * sim::kSecond;
  result.seed = 7;
  result.scenarioFile = "test.toml";
  return result;
}

struct Outcome {
  city::CityState state;
  std::vector<sim::KpiSample> series;
  std::vector<sim::Event> events;
  friend bool operator==(const Outcome&, const Outcome&) = default;
};

Outcome outcomeOf(const sim::Branch& branch) {
  return {branch.state(), branch.kpiSeries(), branch.events()};
}

}  // namespace

TEST_CASE("a branch records KPI series at boundaries and model events with their source") {
  const city::CityModel city = citytwin::testing::stepTestCity();
  sim::ModelRegistry registry;
  citytwin::testing::registerTestModels(registry);
  sim::Branch branch(spec(city), registry);
  CHECK(branch.run());
  CHECK(branch.finished());
  // producer: t = 0 and every 2 s up to 30 s -> 16 samples of "steps".
  std::size_t producerSamples = 0;
  for (const sim::KpiSample& sample : branch.kpiSeries()) {
    if (branch.modelName(sample.model) == "producer") {
      CHECK(branch.kpiName(sample.kpi) == "steps");
      CHECK(sample.value == static_cast<double>(sample.t / (2 * sim::kSecond)));
      ++producerSamples;
    }
  }
  CHECK(producerSamples == 16);
  REQUIRE(branch.events().size() == 1);
  CHECK(branch.events()[0].source == "producer");
  CHECK(branch.events()[0].time == 4 * sim::kSecond);
  CHECK(branch.currentKpis().at("producer").at("steps") == 15.0);
}

TEST_CASE("a KPI interval thins the series but keeps the end") {
  const city::CityModel city = citytwin::testing::stepTestCity();
  sim::ModelRegistry registry;
  citytwin::testing::registerTestModels(registry);
  sim::BranchSpec thin = spec(city);
  thin.kpiInterval = 10 * sim::kSecond;
  sim::Branch branch(thin, registry);
  branch.run();
  std::vector<sim::SimTime> consumerTimes;
  for (const sim::KpiSample& sample : branch.kpiSeries()) {
    if (branch.modelName(sample.model) == "consumer") consumerTimes.push_back(sample.t);
  }
  CHECK(consumerTimes == std::vector<sim::SimTime>{0, 10000, 20000, 30000});
}

TEST_CASE("snapshot and restore continue exactly as the uninterrupted branch") {
  const city::CityModel city = citytwin::testing::stepTestCity();
  sim::ModelRegistry registry;
  citytwin::testing::registerTestModels(registry);

  // A timed intervention still pending at the snapshot must apply once after restoring.
  auto timedSpec = [&] {
    sim::BranchSpec result = spec(city);
    result.interventions.push_back(
        intervention("kind = 'set_attribute'\nlayer = 'building'\nattribute = 'factor'\nvalue = 4\nall = "
                     "true\nat = '10s'"));
    return result;
  };
  sim::Branch straight(timedSpec(), registry);
  straight.run();

  sim::Branch paused(timedSpec(), registry);
  paused.advanceTo(7 * sim::kSecond);  // mid-step for the 2 s and 3 s models
  const sim::BranchSnapshot snapshot = paused.snapshot();
  paused.run();
  CHECK(outcomeOf(paused) == outcomeOf(straight));

  // Back to 7 s in the same branch, and into a fresh one.
  paused.restore(snapshot);
  CHECK(paused.now() == 7 * sim::kSecond);
  paused.run();
  CHECK(outcomeOf(paused) == outcomeOf(straight));

  sim::Branch fresh(timedSpec(), registry);
  fresh.restore(snapshot);
  fresh.run();
  CHECK(outcomeOf(fresh) == outcomeOf(straight));
  CHECK(fresh.currentKpis() == straight.currentKpis());
  CHECK(straight.events().back().time == 10 * sim::kSecond);
}

TEST_CASE("setAttribute between two advances acts as the timed intervention at that time") {
  const city::CityModel city = citytwin::testing::stepTestCity();
  sim::ModelRegistry registry;
  citytwin::testing::registerTestModels(registry);
  sim::BranchSpec timed = spec(city);
  timed.interventions.push_back(
      intervention("kind = 'set_attribute'\nlayer = 'building'\nattribute = 'factor'\nvalue = 4\nall = "
                   "true\nat = '12s'"));
  sim::Branch scheduled(timed, registry);
  scheduled.run();

  sim::Branch scripted(spec(city), registry);
  std::vector<sim::SimTime> boundaries;
  scripted.advanceTo(12 * sim::kSecond, {}, [&](sim::SimTime t) { boundaries.push_back(t); });
  CHECK(boundaries.front() == 0);
  CHECK(boundaries.back() == 12 * sim::kSecond);
  CHECK(std::is_sorted(boundaries.begin(), boundaries.end()));
  std::vector<std::uint32_t> all(city.buildings.size());
  for (std::uint32_t i = 0; i < all.size(); ++i) all[i] = i;
  scripted.setAttribute(city::Layer::Building, "factor", all, std::vector<double>(all.size(), 4.0));
  scripted.run();
  CHECK(scripted.state() == scheduled.state());
  CHECK(scripted.kpiSeries() == scheduled.kpiSeries());

  sim::Branch plain(spec(city), registry);
  plain.run();
  CHECK_FALSE(plain.state() == scheduled.state());  // the setting changes the outcome

  CHECK_THROWS_WITH_AS(scripted.setAttribute(city::Layer::Building, "factor", {0, 1}, {1.0}),
                       "setting 'factor': 2 objects but 1 values", Error);
  CHECK_THROWS_AS(
      scripted.setAttribute(city::Layer::Building, "factor", {static_cast<std::uint32_t>(all.size())}, {1.0}),
      Error);
}

TEST_CASE("variants run side by side without leaking into each other or into the base") {
  const city::CityModel city = citytwin::testing::stepTestCity();
  sim::ModelRegistry registry;
  citytwin::testing::registerTestModels(registry);

  sim::Branch alone(spec(city), registry);
  alone.run();

  sim::BranchSpec doubled = spec(city, "doubled");
  doubled.interventions.push_back(
      intervention("kind = 'set_attribute'\nlayer = 'building'\nattribute = 'factor'\nvalue = 2.0\nwhere = { "
                   "use = 'residential' }"));
  sim::BranchSpec boosted = spec(city, "boosted");
  boosted.interventions.push_back(intervention("kind = 'boost'\namount = 3"));
  boosted.interventions.push_back(intervention("kind = 'disable_model'\nmodel = 'consumer'"));

  sim::Branch base(spec(city), registry), first(doubled, registry), second(boosted, registry);
  const std::vector<bool> completed = sim::runBranches({&base, &first, &second});
  CHECK(completed == std::vector<bool>{true, true, true});
  CHECK(outcomeOf(base) == outcomeOf(alone));

  const auto& factor = first.state().column(city::Layer::Building, "factor");
  CHECK(factor == std::vector<double>{2, 2, 1, 2, 1, 2});
  CHECK(base.state().column(city::Layer::Building, "factor") == std::vector<double>(6, 1.0));
  CHECK(first.currentKpis().at("noisy").at("total_load") != base.currentKpis().at("noisy").at("total_load"));
  CHECK_FALSE(second.runsModel("consumer"));
  CHECK(second.currentKpis().count("consumer") == 0);
  CHECK_FALSE(second.state().has(city::Layer::Building, "echo"));
  CHECK(second.currentKpis().at("noisy").at("total_load") > base.currentKpis().at("noisy").at("total_load"));
  // Each engine intervention is logged as an event at t = 0.
  REQUIRE_FALSE(first.events().empty());
  CHECK(first.events().front().source == "engine");
  CHECK(first.events().front().message.find("on 4 objects") != std::string::npos);
}

TEST_CASE("results are bit-identical with 1, 2 and 4 threads") {
  const city::CityModel city = [] {
    city::CityModel bigger = citytwin::testing::stepTestCity();
    // Enough buildings for the models' parallel loops to be split across threads.
    const city::Building first = bigger.buildings.front();
    for (int i = 0; i < 500; ++i) {
      city::Building copy = first;
      copy.id = "tiny:building/extra-" + std::to_string(i);
      bigger.buildings.push_back(copy);
    }
    return bigger;
  }();
  sim::ModelRegistry registry;
  citytwin::testing::registerTestModels(registry);
  auto runAll = [&](int threads) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                              static_cast<std::size_t>(threads));
    std::vector<std::unique_ptr<sim::Branch>> branches;
    for (int v = 0; v < 4; ++v) {
      sim::BranchSpec variant = spec(city, "v" + std::to_string(v));
      variant.interventions.push_back(
          intervention("kind = 'set_attribute'\nlayer = 'building'\nattribute = 'factor'\nvalue = 3.0\n"
                       "where = { use = 'residential' }\nfraction = 0." +
                       std::to_string(2 * v + 1)));
      branches.push_back(std::make_unique<sim::Branch>(variant, registry));
    }
    std::vector<sim::Branch*> pointers;
    for (auto& branch : branches) pointers.push_back(branch.get());
    sim::runBranches(pointers);
    std::vector<Outcome> outcomes;
    for (auto& branch : branches) outcomes.push_back(outcomeOf(*branch));
    return outcomes;
  };
  const auto one = runAll(1);
  const auto two = runAll(2);
  const auto four = runAll(4);
  CHECK(one == two);
  CHECK(one == four);
  CHECK(one[0].state != one[3].state);  // the variants do differ
}

TEST_CASE("a failing branch stops the others and its error is reported") {
  const city::CityModel city = citytwin::testing::stepTestCity();
  sim::ModelRegistry registry;
  citytwin::testing::registerTestModels(registry);
  sim::BranchSpec broken = spec(city, "broken");
  broken.interventions.push_back(
      intervention("kind = 'scale_series'\nmodel = 'noisy'\nseries = 'missing'\nfactor = 2"));
  CHECK_THROWS_WITH_AS(sim::Branch(std::move(broken), registry),
                       doctest::Contains("variant.toml:3: key 'series'"), InputError);
}

namespace {

// Emits a KPI its description does not define.
class UndefinedKpiModel : public sim::Model {
 public:
  sim::ModelDescription describe() const override {
    return {"undefined_kpi",
            {},
            {},
            sim::kSecond,
            true,
            {},
            {{"defined", "1", "a defined KPI", sim::KpiDirection::Neutral, "now"}}};
  }
  void initialise(const sim::ModelContext&, city::CityState&) override {}
  void step(sim::SimTime, sim::SimTime, const city::CityState&, city::CityState&) override {}
  sim::Kpis kpis() const override { return {{"defined", 1.0}, {"undeclared", 2.0}}; }
  std::vector<std::uint8_t> snapshot() const override { return {}; }
  void restore(std::span<const std::uint8_t>) override {}
};

}  // namespace

TEST_CASE("a model that reports a KPI without defining it fails the branch, naming the KPI") {
  const city::CityModel city = citytwin::testing::stepTestCity();
  sim::ModelRegistry registry;
  registry.add("undefined_kpi", [] { return std::make_unique<UndefinedKpiModel>(); });
  sim::BranchSpec branchSpec = spec(city);
  branchSpec.models = {"undefined_kpi"};
  branchSpec.modelParameters.clear();
  auto run = [&] {
    sim::Branch branch(branchSpec, registry);
    branch.run();
  };
  CHECK_THROWS_WITH_AS(run(), doctest::Contains("'undeclared'"), Error);
  const auto definitions = registry.kpiDefinitions();
  REQUIRE(definitions.count("undefined_kpi") == 1);
  CHECK(definitions.at("undefined_kpi").front().name == "defined");
}
