#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "citytwin/store/database.hpp"
#include "citytwin/testing/run_command.hpp"
#include "citytwin/testing/shared_data.hpp"

using citytwin::testing::citytwinBinary;
using citytwin::testing::runCommand;

namespace {

// The cascade of scenarios/cascade_flood_energy_traffic.toml, cut to two hours, with the state recorded
// every 25 min: coarser than the events (roads close minutes apart, a closure by hand at 31 min), so each
// event's time must become a recording time of its own. A variant closes one road by hand at 31 min.
const char* kCascade = R"toml(name = "aligned"
city = "city/town.gpkg"
generate = { size_km = 2, seed = 1 }
start = 2026-07-01T14:00:00Z
duration = "2h"
step = "10m"
state_step = "25m"
seed = 1
models = ["flood", "energy", "traffic"]

[flood]
cell_size_m = 20
scheme = "local_inertial"
precision = "float"
rain_series = [[0, 0], [900, 60], [2700, 60], [3600, 0]]
infiltration_mm_per_h = 5
drainage_mm_per_h = 10

[[flood.inflow]]
name = "river"
x = [498805.0, 498805.0]
y = [4999550.0, 5000050.0]
series = [[0, 80], [2700, 600], [7200, 240]]

[energy]
weather = { synthetic = true, latitude = 45.15, longitude = 9.0, elevation_m = 100, mean_temperature_c = 12.5, seed = 1 }

[[variant]]
name = "closure"
[[variant.intervention]]
kind = "set_attribute"
layer = "road_link"
attribute = "closed"
value = 1
id = "sample:way/1:0:f"
at = "31m"
)toml";

struct Event {
  double t = 0;
  std::string kind;
  std::string entity;
};

// A state file as change records: per object, its rows (time, column -> value) in time order.
struct StateSeries {
  std::map<std::string, std::vector<std::pair<double, std::map<std::string, double>>>> rows;

  // The object's value at t: its latest row at or before t (the readers' rule, viewer/README.md).
  double at(const std::string& id, const std::string& column, double t) const {
    const auto found = rows.find(id);
    REQUIRE(found != rows.end());
    double value = std::nan("");
    for (const auto& [rowT, values] : found->second) {
      if (rowT > t) break;
      value = values.at(column);
    }
    return value;
  }
  // The first time the column of the object takes `value`; -1 when never.
  double firstTime(const std::string& id, const std::string& column, double value) const {
    for (const auto& [rowT, values] : rows.at(id)) {
      if (values.at(column) == value) return rowT;
    }
    return -1;
  }
};

StateSeries readState(const std::filesystem::path& file) {
  std::ifstream in(file);
  REQUIRE(in);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  {
    std::istringstream fields(line);
    for (std::string field; std::getline(fields, field, ',');) header.push_back(field);
  }
  StateSeries series;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<std::string> cells;
    for (std::string field; std::getline(fields, field, ',');) cells.push_back(field);
    std::map<std::string, double> values;
    for (std::size_t c = 2; c < header.size(); ++c) {
      values[header[c]] = c < cells.size() && !cells[c].empty() ? std::stod(cells[c]) : std::nan("");
    }
    series.rows[cells.at(1)].emplace_back(std::stod(cells.at(0)), std::move(values));
  }
  return series;
}

std::vector<Event> readEvents(const std::filesystem::path& database, const std::string& variant) {
  citytwin::store::Database db(database, citytwin::store::Database::Mode::ReadOnly);
  citytwin::store::Statement query(db,
                                   "SELECT e.t_s, e.kind, e.entity FROM events e JOIN variants v ON v.id = "
                                   "e.variant_id WHERE v.name = ? ORDER BY e.t_s");
  query.bind(1, variant);
  std::vector<Event> events;
  while (query.step()) events.push_back({query.real(0), query.text(1), query.text(2)});
  return events;
}

}  // namespace

TEST_CASE(
    "cascade: every coupling event shows in the state files, the hourly file and run.sqlite at its time") {
  const auto directory = citytwin::testing::scratchDirectory();
  const auto scenario = directory / "aligned.toml";
  std::ofstream(scenario) << kCascade;
  const auto out = directory / "aligned-out";
  const auto result =
      runCommand({citytwinBinary(), "run", scenario.string(), "--out", out.string(), "--json"});
  INFO(result.standardError);
  REQUIRE(result.exitCode == 0);

  // Base: substations switched off by the flood, their buildings, and roads closed by water.
  const std::vector<Event> events = readEvents(out / "run.sqlite", "base");
  const StateSeries substations = readState(out / "base" / "state" / "substation.csv");
  const StateSeries buildings = readState(out / "base" / "state" / "building.csv");
  const StateSeries roads = readState(out / "base" / "state" / "road_link.csv");
  std::size_t deenergised = 0;
  std::size_t roadsClosed = 0;
  double firstOutage = -1;
  for (const Event& event : events) {
    INFO(event.kind << " " << event.entity << " at " << event.t << " s");
    if (event.kind == "substation_deenergised") {
      ++deenergised;
      if (firstOutage < 0) firstOutage = event.t;
      CHECK(substations.at(event.entity, "energized", event.t) == 0.0);
      CHECK(substations.at(event.entity, "energized", event.t - 1) == 1.0);
    } else if (event.kind == "road_closed") {
      ++roadsClosed;
      CHECK(roads.at(event.entity, "closed", event.t) == 1.0);
      CHECK(roads.at(event.entity, "closed", event.t - 1) == 0.0);
      // The water that closed it is in the same row.
      CHECK(roads.at(event.entity, "max_flood_depth_m", event.t) > 0.3);
    }
  }
  // The scenario must produce the events the test is about, some of them between two regular recordings.
  REQUIRE(deenergised > 0);
  REQUIRE(roadsClosed > 0);
  CHECK(std::any_of(events.begin(), events.end(), [](const Event& event) {
    return event.kind == "road_closed" && std::fmod(event.t, 25 * 60.0) != 0.0;
  }));

  // Every switch-off in the state has its event at the same time, and no building is unsupplied before the
  // first switch-off; some are from it on.
  std::map<std::string, double> eventTime;
  for (const Event& event : events) {
    if (event.kind == "substation_deenergised") eventTime.emplace(event.entity, event.t);
  }
  for (const auto& [id, rows] : substations.rows) {
    const double off = substations.firstTime(id, "energized", 0.0);
    if (off < 0) continue;
    INFO(id);
    REQUIRE(eventTime.count(id) == 1);
    CHECK(eventTime.at(id) == off);
  }
  double firstUnsupplied = -1;
  for (const auto& [id, rows] : buildings.rows) {
    const double t = buildings.firstTime(id, "supplied", 0.0);
    if (t >= 0 && (firstUnsupplied < 0 || t < firstUnsupplied)) firstUnsupplied = t;
  }
  CHECK(firstUnsupplied == firstOutage);

  // The hourly energy file: the hour of the first outage is the first with unserved load.
  std::ifstream hourly(out / "base" / "energy_hourly.csv");
  std::string line;
  std::getline(hourly, line);
  double firstUnservedHour = -1;
  while (std::getline(hourly, line) && firstUnservedHour < 0) {
    std::istringstream fields(line);
    std::vector<std::string> cells;
    for (std::string field; std::getline(fields, field, ',');) cells.push_back(field);
    if (std::stod(cells.at(4)) > 0) firstUnservedHour = std::stod(cells.at(0));
  }
  CHECK(firstUnservedHour * 3600.0 == firstOutage);

  // A road closed by hand at 31 min is closed from 31 min in the state, as its event says.
  const std::vector<Event> closureEvents = readEvents(out / "run.sqlite", "closure");
  const auto closure = std::find_if(closureEvents.begin(), closureEvents.end(),
                                    [](const Event& event) { return event.kind == "set_attribute"; });
  REQUIRE(closure != closureEvents.end());
  CHECK(closure->t == 1860.0);
  CHECK(closure->entity == "sample:way/1:0:f");
  const StateSeries closureRoads = readState(out / "closure" / "state" / "road_link.csv");
  CHECK(closureRoads.at(closure->entity, "closed", 1860.0) == 1.0);
  CHECK(closureRoads.at(closure->entity, "closed", 1859.0) == 0.0);
}
