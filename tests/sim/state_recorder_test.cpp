#include "citytwin/sim/state_recorder.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "citytwin/sim/branch.hpp"
#include "test_city.hpp"
#include "test_models.hpp"

using namespace citytwin;

namespace {

std::vector<std::string> linesOf(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::filesystem::path freshDirectory(const std::string& name) {
  const auto directory =
      std::filesystem::temp_directory_path() / ("citytwin-sim-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(directory);
  return directory;
}

// A branch of the producer alone, whose Building "signal" is the time its last step ended.
sim::BranchSpec producerSpec(const city::CityModel& city, sim::SimTime end) {
  sim::BranchSpec spec;
  spec.city = &city;
  spec.models = {"producer"};
  spec.end = end;
  spec.scenarioFile = "test.toml";
  return spec;
}

}  // namespace

TEST_CASE("the state recorder keeps a row per object only when its values changed, once per interval") {
  const city::CityModel city = citytwin::testing::stepTestCity();
  city::CityState state(city);
  auto& load = state.column(city::Layer::Building, "load");
  sim::StateRecorder recorder({{city::Layer::Building, "load"}}, 10 * sim::kSecond);
  REQUIRE(recorder.enabled());
  recorder.observe(0, 30 * sim::kSecond, state);
  CHECK(recorder.rowCount() == city.buildings.size());  // the first record holds every object

  load[1] = 5.0;
  recorder.observe(5 * sim::kSecond, 30 * sim::kSecond, state);  // same interval as t = 0: skipped
  CHECK(recorder.rowCount() == city.buildings.size());
  recorder.observe(10 * sim::kSecond, 30 * sim::kSecond, state);
  CHECK(recorder.rowCount() == city.buildings.size() + 1);  // only building 1 changed
  recorder.observe(30 * sim::kSecond, 30 * sim::kSecond, state);
  CHECK(recorder.rowCount() == city.buildings.size() + 1);  // nothing changed since

  const auto directory = freshDirectory("recorder");
  recorder.writeCsv(directory, city);
  const auto lines = linesOf(directory / "building.csv");
  REQUIRE(lines.size() == city.buildings.size() + 2);
  CHECK(lines.front() == "t,id,load");
  CHECK(lines[1] == "0,tiny:building/0,0");
  CHECK(lines.back() == "10,tiny:building/1,5");
  std::filesystem::remove_all(directory);
}

TEST_CASE("a boundary with an event gets rows for the event's columns even inside an interval") {
  // Recorded every 10 min; a road closed at 13 min must show at 13 min, not at the next recording (20 min),
  // while a load that moved meanwhile waits for the regular recording.
  const city::CityModel city = citytwin::testing::stepTestCity();
  city::CityState state(city);
  auto& closed = state.column(city::Layer::Building, "closed", 0.0);
  auto& load = state.column(city::Layer::Building, "load", 0.0);
  const sim::AttributeRef closedColumn{city::Layer::Building, "closed"};
  const sim::AttributeRef loadColumn{city::Layer::Building, "load"};
  sim::StateRecorder recorder({closedColumn, loadColumn}, 10 * sim::kMinute);
  recorder.observe(0, sim::kHour, state);
  recorder.observe(10 * sim::kMinute, sim::kHour, state);
  closed[1] = 1.0;
  load[2] = 7.0;
  const std::vector<sim::AttributeRef> eventColumns{closedColumn};
  recorder.observe(13 * sim::kMinute, sim::kHour, state, &eventColumns);
  closed[3] = 1.0;  // changed without an event inside the same interval: waits for 20 min
  recorder.observe(16 * sim::kMinute, sim::kHour, state);
  recorder.observe(20 * sim::kMinute, sim::kHour, state);
  CHECK(recorder.columns() == std::vector<sim::AttributeRef>{closedColumn, loadColumn});

  const auto directory = freshDirectory("event-rows");
  recorder.writeCsv(directory, city);
  const auto lines = linesOf(directory / "building.csv");
  REQUIRE(lines.size() == 1 + city.buildings.size() + 3);
  CHECK(lines[lines.size() - 3] == "780,tiny:building/1,1,0");
  CHECK(lines[lines.size() - 2] == "1200,tiny:building/2,0,7");
  CHECK(lines.back() == "1200,tiny:building/3,1,0");
  std::filesystem::remove_all(directory);
}

TEST_CASE("step values are labelled with the step they hold for, end-of-step values with their boundary") {
  // An hourly model switches building 2 off for [1 h, 2 h): its staged value says so from 1 h, its published
  // value only from 2 h. A depth (end of step) published at 1 h is taken from the published state.
  const city::CityModel city = citytwin::testing::stepTestCity();
  city::CityState published(city);
  city::CityState staged(city);
  published.column(city::Layer::Building, "supplied", 1.0);
  staged.column(city::Layer::Building, "supplied", 1.0);
  published.column(city::Layer::Building, "depth", 0.0);
  staged.column(city::Layer::Building, "depth", 0.0);
  const sim::AttributeRef supplied{city::Layer::Building, "supplied"};
  const sim::AttributeRef depth{city::Layer::Building, "depth"};
  sim::StateRecorder recorder({depth, supplied}, sim::kHour, {supplied});
  recorder.observe(0, 3 * sim::kHour, published, staged);
  staged.column(city::Layer::Building, "supplied")[2] = 0.0;  // the step from 1 h
  published.column(city::Layer::Building, "depth")[2] = 0.5;  // reached at 1 h
  staged.column(city::Layer::Building, "depth")[2] = 0.9;     // a step still running: not read
  recorder.observe(sim::kHour, 3 * sim::kHour, published, staged);
  published.column(city::Layer::Building, "supplied")[2] = 0.0;  // published when the hour ends
  recorder.observe(2 * sim::kHour, 3 * sim::kHour, published, staged);

  const auto directory = freshDirectory("step-values");
  recorder.writeCsv(directory, city);
  const auto lines = linesOf(directory / "building.csv");
  // One change row, at 1 h: nothing new at 2 h, when the outage reaches the published state.
  REQUIRE(lines.size() == 1 + city.buildings.size() + 1);
  CHECK(lines.front() == "t,id,depth,supplied");
  CHECK(lines.back() == "3600,tiny:building/2,0.5,0");
  std::filesystem::remove_all(directory);
}

TEST_CASE("a disabled state recorder records and writes nothing") {
  const city::CityModel city = citytwin::testing::stepTestCity();
  city::CityState state(city);
  sim::StateRecorder recorder({{city::Layer::Building, "load"}}, 0);
  CHECK_FALSE(recorder.enabled());
  recorder.observe(0, sim::kSecond, state);
  CHECK(recorder.rowCount() == 0);
  const auto directory = freshDirectory("disabled");
  recorder.writeCsv(directory, city);
  CHECK_FALSE(std::filesystem::exists(directory));
}

TEST_CASE("a branch writes the published columns it recorded as state/<layer>.csv") {
  const city::CityModel city = citytwin::testing::stepTestCity();
  sim::ModelRegistry registry;
  citytwin::testing::registerTestModels(registry);
  sim::BranchSpec spec = producerSpec(city, 30 * sim::kSecond);
  spec.stateInterval = 10 * sim::kSecond;
  sim::Branch branch(spec, registry);
  REQUIRE(branch.run());
  const auto directory = freshDirectory("branch");
  branch.writeOutputs(directory);
  const auto lines = linesOf(directory / "state" / "building.csv");
  // t = 0, 10, 20 and 30 s, and 4 s, the time of the event of the producer's second step; six buildings
  // each: the producer's signal changes every time.
  REQUIRE(lines.size() == 1 + 5 * city.buildings.size());
  CHECK(lines.front() == "t,id,signal");
  CHECK(lines[1 + city.buildings.size()] == "4,tiny:building/0,4");
  CHECK(lines[1 + 2 * city.buildings.size()] == "10,tiny:building/0,10");
  CHECK(lines.back() == "30,tiny:building/5,30");
  std::filesystem::remove_all(directory);
}

TEST_CASE("a branch's prepared initial state is what its models start from") {
  const city::CityModel city = citytwin::testing::stepTestCity();
  sim::ModelRegistry registry;
  citytwin::testing::registerTestModels(registry);
  sim::BranchSpec spec = producerSpec(city, 4 * sim::kSecond);
  spec.prepareState = [](city::CityState& state) { state.column(city::Layer::Building, "signal")[2] = 42.0; };
  sim::Branch branch(spec, registry);
  CHECK(branch.state().column(city::Layer::Building, "signal")[2] == 42.0);
  REQUIRE(branch.run());
  CHECK(branch.state().column(city::Layer::Building, "signal")[2] == 4.0);  // overwritten by the producer
}
