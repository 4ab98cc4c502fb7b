#include <doctest/doctest.h>
#include <tbb/global_control.h>

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "citytwin/sim/model.hpp"
#include "citytwin/scenario/toml_input.hpp"
#include "citytwin/testing/shared_data.hpp"
#include "citytwin/traffic/traffic_model.hpp"
#include "small_town.hpp"

using namespace citytwin;

namespace {

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::vector<std::string>> readCsv(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> fields;
    std::stringstream stream(line);
    std::string field;
    while (std::getline(stream, field, ',')) fields.push_back(field);
    if (!line.empty() && line.back() == ',') fields.emplace_back();
    rows.push_back(std::move(fields));
  }
  return rows;
}

// Runs the small town for `minutes` and writes its results into a fresh folder; returns the folder.
std::filesystem::path runAndWrite(const std::string& name, const std::string& parameters, int minutes,
                                  int snapshotAt = -1) {
  const city::CityModel town = traffic::testing::smallTown();
  const Value table = scenario::parseToml(parameters, "");
  city::CityState state(town);
  traffic::TrafficModel model;
  sim::ModelContext context{town, table, "scenario.toml", ".", citytwin::testing::scratchDirectory(), 7, 0,
                            "",   {}};
  model.initialise(context, state);
  std::vector<std::uint8_t> saved;
  city::CityState savedState = state;
  bool rewound = false;
  for (int m = 0; m < minutes; ++m) {
    if (snapshotAt >= 0 && m == snapshotAt && !rewound) {
      saved = model.snapshot();
      savedState = state;
    }
    const city::CityState published = state;
    model.step(m * sim::kMinute, sim::kMinute, published, state);
    if (snapshotAt >= 0 && m == snapshotAt + 5 && !rewound) {  // go back five minutes once and run them again
      model.restore(saved);
      state = savedState;
      m = snapshotAt - 1;
      rewound = true;
    }
  }
  const auto folder = citytwin::testing::scratchDirectory() / name;
  std::filesystem::create_directories(folder);
  model.writeOutputs(folder);
  return folder / "traffic";
}

const char* const kParameters =
    "demand_duration_s = 600\nvehicle_output_interval = 10\nlink_output_interval = 60\n";

}  // namespace

TEST_CASE("result files: vehicles.csv, links.csv and trips.csv have the documented columns") {
  const auto folder = runAndWrite("columns", kParameters, 30);
  const auto vehicles = readCsv(folder / "vehicles.csv");
  REQUIRE(vehicles.size() > 10);
  CHECK(vehicles[0] == std::vector<std::string>{"t", "id", "x", "y", "heading"});
  std::set<std::string> ids;
  for (std::size_t r = 1; r < vehicles.size(); ++r) {
    REQUIRE(vehicles[r].size() == 5);
    const double t = std::stod(vehicles[r][0]), x = std::stod(vehicles[r][2]), y = std::stod(vehicles[r][3]);
    const double heading = std::stod(vehicles[r][4]);
    CHECK(std::fmod(t, 10.0) == doctest::Approx(0.0));
    // The town spans 0..450 m; lanes are drawn a few metres beside the centre line.
    CHECK(x >= -5.0);
    CHECK(x <= 455.0);
    CHECK(y >= -5.0);
    CHECK(y <= 455.0);
    CHECK(heading >= 0.0);
    CHECK(heading < 360.0);
    // Streets run north-south or east-west.
    CHECK(std::fmod(heading, 90.0) == doctest::Approx(0.0));
    ids.insert(vehicles[r][1]);
  }
  CHECK(ids.size() > 5);

  const auto links = readCsv(folder / "links.csv");
  REQUIRE(links.size() > 10);
  CHECK(links[0] == std::vector<std::string>{"t", "link", "flow_veh_per_h", "mean_speed_kph",
                                             "density_veh_per_km", "vehicles"});
  double flow = 0.0;
  for (std::size_t r = 1; r < links.size(); ++r) {
    REQUIRE(links[r].size() == 6);
    CHECK(std::fmod(std::stod(links[r][0]), 60.0) == doctest::Approx(0.0));
    CHECK(links[r][1].rfind("l", 0) == 0);
    flow += std::stod(links[r][2]);
    CHECK(std::stod(links[r][3]) <= 50.0 + 1e-6);  // the speed limit
    CHECK(std::stod(links[r][4]) >= 0.0);
  }
  CHECK(flow > 0.0);

  const auto trips = readCsv(folder / "trips.csv");
  CHECK(trips[0] == std::vector<std::string>{"id", "origin", "destination", "requested_depart_s", "depart_s",
                                             "arrive_s", "travel_time_s", "route_length_m", "completed",
                                             "status"});
  REQUIRE(trips.size() > 20);
  for (std::size_t r = 1; r < trips.size(); ++r) {
    REQUIRE(trips[r].size() == 10);
    CHECK(trips[r][0] == "trip" + std::to_string(r - 1));
    CHECK(trips[r][1].rfind("n", 0) == 0);
    CHECK(trips[r][8] == "1");  // every trip arrives within 30 minutes in this town
    CHECK(trips[r][9] == "arrived");
    CHECK(std::stod(trips[r][6]) ==
          doctest::Approx(std::stod(trips[r][5]) - std::stod(trips[r][4])).epsilon(1e-6));
    CHECK(std::stod(trips[r][7]) >= 150.0);
  }
  CHECK(!std::filesystem::exists(folder / ".." / "traffic_trips.csv"));
}

TEST_CASE("result files: intervals of 0 disable the time series") {
  const auto folder = runAndWrite(
      "disabled", "demand_duration_s = 300\nvehicle_output_interval = 0\nlink_output_interval = 0\n", 10);
  CHECK(!std::filesystem::exists(folder / "vehicles.csv"));
  CHECK(!std::filesystem::exists(folder / "links.csv"));
  CHECK(std::filesystem::exists(folder / "trips.csv"));
}

TEST_CASE("result files are identical bytes for 1 and 4 threads and after going back to a snapshot") {
  std::filesystem::path one, four;
  {
    tbb::global_control single(tbb::global_control::max_allowed_parallelism, 1);
    one = runAndWrite("threads1", kParameters, 30);
  }
  {
    tbb::global_control several(tbb::global_control::max_allowed_parallelism, 4);
    four = runAndWrite("threads4", kParameters, 30);
  }
  const auto rewound = runAndWrite("rewound", kParameters, 30, 8);
  for (const char* name : {"vehicles.csv", "links.csv", "trips.csv"}) {
    INFO(name);
    const std::string reference = readFile(one / name);
    CHECK(reference.size() > 100);
    CHECK(readFile(four / name) == reference);
    CHECK(readFile(rewound / name) == reference);
  }
}
