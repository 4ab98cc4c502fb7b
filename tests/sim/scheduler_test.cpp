#include <doctest/doctest.h>

#include <csignal>

#include "citytwin/sim/interrupt.hpp"
#include "citytwin/sim/scheduler.hpp"
#include "test_city.hpp"
#include "test_models.hpp"

using namespace citytwin;
using citytwin::testing::StepLog;

TEST_CASE("models step on their own grids and the last step is cut at the end") {
  StepLog log;
  sim::Scheduler scheduler(7 * sim::kSecond);
  scheduler.add("fast", std::make_unique<citytwin::testing::RecorderModel>("fast", sim::kSecond, &log));
  scheduler.add("slow", std::make_unique<citytwin::testing::RecorderModel>("slow", 3 * sim::kSecond, &log));
  city::CityState published, staged;
  scheduler.bind(published, staged);
  CHECK(scheduler.advanceTo(scheduler.end()));

  const sim::SimTime s = sim::kSecond;
  const std::vector<StepLog::Entry> expected{
      {"fast", 0, s},     {"slow", 0, 3 * s},     {"fast", 1 * s, s}, {"fast", 2 * s, s},
      {"fast", 3 * s, s}, {"slow", 3 * s, 3 * s}, {"fast", 4 * s, s}, {"fast", 5 * s, s},
      {"fast", 6 * s, s}, {"slow", 6 * s, 1 * s}};
  CHECK(log.entries == expected);
  CHECK(scheduler.now() == 7 * s);
  CHECK(scheduler.stepsTaken() == expected.size());
}

TEST_CASE("a step override replaces the preferred step, and advancing in pieces equals one advance") {
  StepLog whole, pieces;
  auto make = [](StepLog* log) {
    auto scheduler = std::make_unique<sim::Scheduler>(10 * sim::kSecond);
    scheduler->add("a", std::make_unique<citytwin::testing::RecorderModel>("a", sim::kSecond, log), 4 * sim::kSecond);
    scheduler->add("b", std::make_unique<citytwin::testing::RecorderModel>("b", 3 * sim::kSecond, log));
    return scheduler;
  };
  city::CityState p1, s1, p2, s2;
  auto one = make(&whole);
  one->bind(p1, s1);
  one->advanceTo(10 * sim::kSecond);
  auto two = make(&pieces);
  two->bind(p2, s2);
  for (sim::SimTime t : {1, 2500, 2500, 7000, 10000}) two->advanceTo(t);
  CHECK(whole.entries == pieces.entries);
  CHECK(whole.entries.front() == StepLog::Entry{"a", 0, 4 * sim::kSecond});
  CHECK(whole.entries.size() == 3 + 4);  // a: 0, 4, 8 (cut to 2 s); b: 0, 3, 6, 9 (cut to 1 s)
}

TEST_CASE("coupling: a model reads what another published at the last boundary, never its staged step") {
  const city::CityModel city = citytwin::testing::stepTestCity();
  std::vector<std::pair<sim::SimTime, double>> seen;
  sim::Scheduler scheduler(6 * sim::kSecond);
  // The consumer is added first: order must not matter for what it reads.
  scheduler.add("consumer", std::make_unique<citytwin::testing::ConsumerModel>(&seen));
  scheduler.add("producer", std::make_unique<citytwin::testing::ProducerModel>());
  scheduler.declareColumns(citytwin::testing::kTestColumns);
  city::CityState published(city), staged(city);
  scheduler.bind(published, staged);
  scheduler.advanceTo(6 * sim::kSecond);

  // The producer (2 s steps) publishes "signal" = 2 at t = 2 s, 4 at 4 s, 6 at 6 s.
  const std::vector<std::pair<sim::SimTime, double>> expected{{0, 0.0},    {1000, 0.0}, {2000, 2.0},
                                                              {3000, 2.0}, {4000, 4.0}, {5000, 4.0}};
  CHECK(seen == expected);
  CHECK(published.column(city::Layer::Building, "signal").front() == 6.0);
  // The consumer's last step (from 5 s) read 4 and published 8 at 6 s.
  CHECK(published.column(city::Layer::Building, "echo").back() == 8.0);
}

TEST_CASE("two models writing one column is an error") {
  sim::Scheduler scheduler(sim::kSecond);
  scheduler.add("p1", std::make_unique<citytwin::testing::ProducerModel>());
  scheduler.add("p2", std::make_unique<citytwin::testing::ProducerModel>());
  city::CityState published, staged;
  CHECK_THROWS_WITH_AS(scheduler.bind(published, staged), doctest::Contains("both write building 'signal'"), Error);
}

namespace {

// A model that only declares what it reads and writes, for the binding checks.
class CouplingModel : public sim::Model {
 public:
  CouplingModel(std::vector<sim::AttributeRead> reads, std::vector<sim::AttributeRef> writes)
      : reads_(std::move(reads)), writes_(std::move(writes)) {}
  sim::ModelDescription describe() const override { return {"coupling", reads_, writes_, sim::kSecond, true, {}, {}}; }
  void initialise(const sim::ModelContext&, city::CityState&) override {}
  void step(sim::SimTime, sim::SimTime, const city::CityState&, city::CityState&) override {}
  sim::Kpis kpis() const override { return {}; }
  std::vector<std::uint8_t> snapshot() const override { return {}; }
  void restore(std::span<const std::uint8_t>) override {}

 private:
  std::vector<sim::AttributeRead> reads_;
  std::vector<sim::AttributeRef> writes_;
};

void bindModels(std::vector<std::pair<std::string, CouplingModel>> models) {
  sim::Scheduler scheduler(sim::kSecond);
  for (auto& [name, model] : models) scheduler.add(name, std::make_unique<CouplingModel>(std::move(model)));
  city::CityState published, staged;
  scheduler.bind(published, staged);
}

}  // namespace

TEST_CASE("binding refuses a model that reads an undeclared column, naming the model and the column") {
  CHECK_THROWS_WITH_AS(
      bindModels({{"reader", CouplingModel({{city::Layer::RoadLink, "flood_depth"}}, {})}}),
      "model 'reader' reads road_link 'flood_depth', which is not a declared coupling column "
      "(citytwin/city/coupling_columns.hpp)",
      Error);
  // Optional or not, and even with a model writing it: an undeclared name is a misspelt coupling.
  CHECK_THROWS_WITH_AS(
      bindModels({{"writer", CouplingModel({}, {{city::Layer::Building, "heat_kw"}})},
                  {"reader", CouplingModel({{city::Layer::Building, "heat_kw", sim::ReadNeed::Optional}}, {})}}),
      doctest::Contains("model 'reader' reads building 'heat_kw', which is not a declared coupling column"),
      Error);
}

TEST_CASE("binding refuses a required read that no model writes and that is not an input of the city") {
  CHECK_THROWS_WITH_AS(bindModels({{"reader", CouplingModel({city::columns::kRoadLinkFloodDepth}, {})}}),
                       "model 'reader' requires road_link 'max_flood_depth_m', but no model of this branch "
                       "writes it and it is not an input of the city",
                       Error);
}

TEST_CASE("a model whose reads are satisfied binds") {
  // Required and written by another model of the branch.
  CHECK_NOTHROW(bindModels({{"reader", CouplingModel({city::columns::kRoadLinkFloodDepth}, {})},
                            {"flood", CouplingModel({}, {city::columns::kRoadLinkFloodDepth})}}));
  // Required and an input of the city (live observations, interventions): no writer needed.
  CHECK_NOTHROW(bindModels({{"reader", CouplingModel({city::columns::kRoadLinkObservedFlow}, {})}}));
  // Optional: the model runs without it.
  CHECK_NOTHROW(bindModels(
      {{"reader", CouplingModel({{city::columns::kSubstationFloodDepth, sim::ReadNeed::Optional}}, {})}}));
  // Declared beyond the header, as a registry does for models outside the engine.
  sim::Scheduler scheduler(sim::kSecond);
  scheduler.add("consumer", std::make_unique<citytwin::testing::ConsumerModel>());
  scheduler.add("producer", std::make_unique<citytwin::testing::ProducerModel>());
  city::CityState published, staged;
  CHECK_THROWS_WITH_AS(scheduler.bind(published, staged),
                       doctest::Contains("model 'consumer' reads building 'signal'"), Error);
  scheduler.declareColumns(citytwin::testing::kTestColumns);
  CHECK_NOTHROW(scheduler.bind(published, staged));
}

TEST_CASE("every coupling column is declared once, with a unit, a meaning and a provider") {
  for (std::size_t i = 0; i < city::kCouplingColumns.size(); ++i) {
    const city::CouplingColumn& column = city::kCouplingColumns[i];
    CAPTURE(column.name);
    CHECK_FALSE(column.unit.empty());
    CHECK_FALSE(column.meaning.empty());
    CHECK((column.modelOutput || column.cityInput));
    for (std::size_t j = 0; j < i; ++j) {
      CHECK_FALSE((city::kCouplingColumns[j].layer == column.layer && city::kCouplingColumns[j].name == column.name));
    }
  }
}

TEST_CASE("a stop request halts at a boundary and the run can go on from there") {
  StepLog log;
  sim::Scheduler scheduler(5 * sim::kSecond);
  scheduler.add("a", std::make_unique<citytwin::testing::RecorderModel>("a", sim::kSecond, &log));
  city::CityState published, staged;
  scheduler.bind(published, staged);
  int polls = 0;
  CHECK_FALSE(scheduler.advanceTo(scheduler.end(), {}, [&] { return ++polls == 3; }));
  CHECK(scheduler.now() == 2 * sim::kSecond);
  CHECK(log.entries.size() == 2);
  CHECK(scheduler.advanceTo(scheduler.end()));
  CHECK(log.entries.size() == 5);
}

TEST_CASE("SIGINT and SIGTERM only raise the interrupt flag") {
  sim::installInterruptHandlers();
  sim::interruptFlag().store(false);
  std::raise(SIGTERM);
  CHECK(sim::interruptFlag().load());
  sim::interruptFlag().store(false);
  sim::installInterruptHandlers();
  std::raise(SIGINT);
  CHECK(sim::interruptFlag().load());
  sim::interruptFlag().store(false);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}
