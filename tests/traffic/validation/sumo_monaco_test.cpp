// SUMO side by side on a real city (issue 14): Monaco's OSM extract made into a SUMO network by netconvert,
// citytwin's own exported demand (`citytwin traffic demand`) routed by duarouter, then SUMO and
// `citytwin traffic sim` run on the same network and routes. A second case runs citytwin on its own Monaco
// import with the same demand rules and compares completion, mean trip and vehicle-hours with that SUMO run.
//
// Demand: 0.1 trips per 100 m² of residential floor area (a fifth of the model's default), over the default
// two-hour weekday profile from 07:00, to keep the test's wall time small (SUMO needs about 15 s for it).
// The Monaco import, the OSM XML and the SUMO network are cached in the build folder (monaco-sumo/).

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "citytwin/testing/run_command.hpp"
#include "citytwin/testing/shared_data.hpp"

namespace {

using citytwin::testing::citytwinBinary;
using citytwin::testing::CommandResult;
using citytwin::testing::runCommand;

constexpr const char* kTripsPer100M2 = "0.1";

bool onPath(const std::string& program) {
  return std::system(("command -v " + program + " >/dev/null 2>&1").c_str()) == 0;
}

std::string sumoHome() {
  const char* home = std::getenv("SUMO_HOME");
  return home ? home : "/usr/share/sumo";
}

std::string readText(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void requireSuccess(const CommandResult& result, const std::string& what) {
  REQUIRE_MESSAGE(result.exitCode == 0, what << " failed: " << result.standardError.substr(0, 2000));
}

struct SumoRun {
  std::size_t exported = 0;                 // trips citytwin wrote
  std::size_t routed = 0;                   // of them, routed by duarouter between their own edges
  std::map<std::string, double> durations;  // per arrived vehicle (SUMO tripinfo)
  double meanDuration = 0.0, meanDepartDelay = 0.0, vehicleHours = 0.0;
  std::size_t teleports = 0;
  double updatesPerSecond = 0.0;  // SUMO's own UPS figure (vehicle updates per second of its loop)
  std::filesystem::path net, routes;
};

// netconvert reads OSM XML only: osmium writes the PBF extract as XML (ways citytwin drives on only, so that
// netconvert cuts ways into edges at the nodes citytwin's import cuts them) and SUMO's OSM type map is used
// with service roads opened to cars, as citytwin's import treats them.
std::filesystem::path sumoNetwork(const std::filesystem::path& cache, const std::filesystem::path& pbf) {
  const auto net = cache / "monaco.net.xml";
  if (std::filesystem::exists(net)) return net;
  // The highway classes citytwin imports as roads (engine/city/src/road_network.cpp), and the turn
  // restrictions between them; osmium adds the nodes the kept ways reference.
  requireSuccess(
      runCommand(
          {"osmium", "tags-filter", pbf.string(),
           "w/highway=motorway,motorway_link,trunk,trunk_link,primary,primary_link,secondary,secondary_link,"
           "tertiary,tertiary_link,unclassified,residential,living_street,service,road,busway",
           "r/type=restriction", "--overwrite", "-o", (cache / "monaco.osm").string()}),
      "osmium tags-filter");
  std::string types = readText(std::filesystem::path(sumoHome()) / "data/typemap/osmNetconvert.typ.xml");
  const std::string serviceRule = "allow=\"delivery pedestrian bicycle\"";
  const auto service = types.find("highway.service");
  REQUIRE(service != std::string::npos);
  const auto rule = types.find(serviceRule, service);
  REQUIRE(rule != std::string::npos);
  types.replace(rule, serviceRule.size(), "disallow=\"rail rail_urban rail_electric rail_fast tram ship\"");
  std::ofstream(cache / "cars.typ.xml") << types;
  requireSuccess(
      runCommand({"netconvert", "--osm-files", (cache / "monaco.osm").string(), "--type-files",
                  (cache / "cars.typ.xml").string(), "--remove-edges.isolated", "--tls.guess-signals",
                  "--no-warnings", "-o", (cache / "monaco.partial.net.xml").string()}),
      "netconvert");
  std::filesystem::rename(cache / "monaco.partial.net.xml", net);
  return net;
}

std::filesystem::path monacoCity(const std::filesystem::path& cache, const std::filesystem::path& folder) {
  const auto city = cache / "monaco.gpkg";
  if (std::filesystem::exists(city)) return city;
  requireSuccess(
      runCommand({citytwinBinary(), "city", "import", "--osm", (folder / "monaco-latest.osm.pbf").string(),
                  "--dem", (folder / "monaco_dem_srtm3_wgs84.tif").string(), "--aoi",
                  (folder / "monaco_aoi.geojson").string(), "--out",
                  (cache / "monaco.partial.gpkg").string()}),
      "citytwin city import");
  std::filesystem::rename(cache / "monaco.partial.gpkg", city);
  return city;
}

// Exports the demand, routes it with duarouter and runs SUMO once per test program.
const SumoRun& sumoRun(const std::filesystem::path& cache, const std::filesystem::path& folder) {
  static const SumoRun run = [&] {
    SumoRun r;
    r.net = sumoNetwork(cache, folder / "monaco-latest.osm.pbf");
    const auto city = monacoCity(cache, folder);
    const auto dir = citytwin::testing::scratchDirectory() / "monaco-sumo";
    std::filesystem::create_directories(dir);
    requireSuccess(runCommand({citytwinBinary(), "traffic", "demand", "--city", city.string(), "--out",
                               (dir / "trips.xml").string(), "--trips-per-100m2", kTripsPer100M2}),
                   "citytwin traffic demand");
    // --ignore-errors: a trip whose edge netconvert names differently is dropped from the route (below),
    // not a reason to stop.
    requireSuccess(
        runCommand({"duarouter", "-n", r.net.string(), "-r", (dir / "trips.xml").string(), "-o",
                    (dir / "routed.rou.xml").string(), "--ignore-errors", "--no-warnings", "--no-step-log"}),
        "duarouter");
    pugi::xml_document trips, routed;
    REQUIRE(trips.load_file((dir / "trips.xml").c_str()));
    REQUIRE(routed.load_file((dir / "routed.rou.xml").c_str()));
    std::map<std::string, std::pair<std::string, std::string>> ends;
    for (const pugi::xml_node trip : trips.child("routes").children("trip"))
      ends[trip.attribute("id").value()] = {trip.attribute("from").value(), trip.attribute("to").value()};
    r.exported = ends.size();
    // duarouter drops an unknown edge and routes what is left: only routes between the trip's own edges
    // are kept, for both simulators.
    pugi::xml_document kept;
    pugi::xml_node keptRoot = kept.append_child("routes");
    for (const pugi::xml_node vehicle : routed.child("routes").children("vehicle")) {
      std::istringstream edges(vehicle.child("route").attribute("edges").value());
      std::vector<std::string> route{std::istream_iterator<std::string>(edges), {}};
      const auto it = ends.find(vehicle.attribute("id").value());
      if (route.empty() || it == ends.end() || route.front() != it->second.first ||
          route.back() != it->second.second)
        continue;
      keptRoot.append_copy(vehicle);
      ++r.routed;
    }
    r.routes = dir / "routes.rou.xml";
    REQUIRE(kept.save_file(r.routes.c_str()));
    const CommandResult sumo =
        runCommand({"sumo", "-n", r.net.string(), "-r", r.routes.string(), "--no-step-log",
                    "--duration-log.statistics", "--tripinfo-output", (dir / "tripinfo.xml").string()});
    requireSuccess(sumo, "sumo");
    const auto teleports = sumo.standardOutput.find("Teleports: ");
    if (teleports != std::string::npos)
      r.teleports = std::strtoul(sumo.standardOutput.c_str() + teleports + 11, nullptr, 10);
    const auto ups = sumo.standardOutput.find("UPS: ");
    if (ups != std::string::npos)
      r.updatesPerSecond = std::strtod(sumo.standardOutput.c_str() + ups + 5, nullptr);
    pugi::xml_document tripinfo;
    REQUIRE(tripinfo.load_file((dir / "tripinfo.xml").c_str()));
    for (const pugi::xml_node trip : tripinfo.child("tripinfos").children("tripinfo")) {
      const double duration = trip.attribute("duration").as_double();
      r.durations[trip.attribute("id").value()] = duration;
      r.meanDuration += duration;
      r.meanDepartDelay += trip.attribute("departDelay").as_double();
    }
    REQUIRE(!r.durations.empty());
    r.vehicleHours = r.meanDuration / 3600.0;
    r.meanDuration /= static_cast<double>(r.durations.size());
    r.meanDepartDelay /= static_cast<double>(r.durations.size());
    return r;
  }();
  return run;
}

bool sumoAvailable() {
  for (const char* program : {"sumo", "netconvert", "duarouter", "osmium"})
    if (!onPath(program)) {
      MESSAGE("skipped: " << program << " is not on PATH");
      return false;
    }
  if (!std::filesystem::exists(std::filesystem::path(sumoHome()) / "data/typemap/osmNetconvert.typ.xml")) {
    MESSAGE("skipped: SUMO's OSM type map not found under " << sumoHome() << " (set SUMO_HOME)");
    return false;
  }
  setenv("SUMO_HOME", sumoHome().c_str(), 0);  // netconvert reads its schemas from there
  return true;
}

std::filesystem::path cacheFolder() {
  // Tests run in their build folder: the network and the import survive between runs there.
  const auto cache = std::filesystem::current_path() / "monaco-sumo";
  std::filesystem::create_directories(cache);
  return cache;
}

}  // namespace

// citytwin on SUMO's network and routes: run once, shared by the two cases below.
struct CitytwinOnSumo {
  std::set<std::string> arrived;
  double meanDuration = 0.0;
  std::size_t teleports = 0;
  double updatesPerSecond = 0.0;
};

const CitytwinOnSumo& citytwinOnSumo(const SumoRun& sumo) {
  static const CitytwinOnSumo run = [&] {
    CitytwinOnSumo r;
    const auto out = citytwin::testing::scratchDirectory() / "monaco-sumo" / "citytwin";
    const CommandResult sim =
        runCommand({citytwinBinary(), "traffic", "sim", "--sumo-net", sumo.net.string(), "--sumo-routes",
                    sumo.routes.string(), "--json", "--out", out.string()});
    requireSuccess(sim, "citytwin traffic sim");
    const auto result = nlohmann::json::parse(sim.standardOutput);
    double totalDuration = 0.0;
    std::ifstream csv(out / "tripinfo.csv");
    std::string line;
    std::getline(csv, line);  // header: id,depart_s,arrival_s,duration_s,route_length_m,depart_delay_s,status
    while (std::getline(csv, line)) {
      std::vector<std::string> fields;
      std::stringstream row(line);
      for (std::string field; std::getline(row, field, ',');) fields.push_back(field);
      if (fields.size() != 7 || fields[6] != "arrived") continue;
      r.arrived.insert(fields[0]);
      totalDuration += std::atof(fields[3].c_str());
    }
    r.meanDuration = r.arrived.empty() ? 0.0 : totalDuration / static_cast<double>(r.arrived.size());
    r.teleports = result["jam_teleports"].get<std::size_t>();
    // Speed is measured by `citytwin bench traffic`; this figure is reported, not checked.
    r.updatesPerSecond =
        result["vehicle_steps"].get<double>() / std::max(result["seconds"].get<double>(), 1e-9);
    return r;
  }();
  return run;
}

// Acceptance (issue 14), first part: nearly every exported trip is routed by duarouter between its own
// edges, and the same vehicles arrive in both simulators.
TEST_CASE(
    "Monaco: citytwin and SUMO on the same netconvert network and duarouter routes: the same vehicles "
    "arrive") {
  const auto folder = citytwin::testing::sharedData("city/monaco");
  if (!folder || !sumoAvailable()) return;
  const SumoRun& sumo = sumoRun(cacheFolder(), *folder);
  MESSAGE("Monaco demand: " << sumo.exported << " trips exported, " << sumo.routed
                            << " routed by duarouter between their own edges");
  // Edge ids follow netconvert's names of OSM ways: nearly every trip must find its edges.
  CHECK(static_cast<double>(sumo.routed) >= 0.95 * static_cast<double>(sumo.exported));
  const CitytwinOnSumo& ours = citytwinOnSumo(sumo);
  std::set<std::string> theirs;
  for (const auto& [id, duration] : sumo.durations) theirs.insert(id);
  MESSAGE("Monaco side by side (" << sumo.routed << " vehicles): SUMO " << theirs.size()
                                  << " arrived, mean trip " << sumo.meanDuration << " s, " << sumo.teleports
                                  << " teleports; citytwin " << ours.arrived.size() << " arrived, mean trip "
                                  << ours.meanDuration << " s, " << ours.teleports << " teleports");
  MESSAGE("vehicle updates per second: citytwin "
          << ours.updatesPerSecond << ", SUMO " << sumo.updatesPerSecond << " (ratio "
          << ours.updatesPerSecond / std::max(sumo.updatesPerSecond, 1e-9) << ")");
  CHECK(ours.arrived == theirs);
}

// Acceptance (issue 14), second part: mean trip within 10 % of SUMO's, and no more teleports than SUMO's plus
// 0.2 % of the trips. This does not hold yet: citytwin's vehicles jam at Monaco's netconvert junctions where
// SUMO's flow (figures in the first case's messages and in models/traffic/README.md). The case is marked
// should_fail, so the suite turns red the day both hold, and the mark must then go.
TEST_CASE("Monaco: citytwin and SUMO on the same netconvert network: mean trip and teleports" *
          doctest::should_fail() *
          doctest::description("known failure (issue 14): citytwin jams on Monaco's netconvert junctions")) {
  const auto folder = citytwin::testing::sharedData("city/monaco");
  if (!folder || !sumoAvailable()) {
    FAIL("skipped: the Monaco side by side needs ../shared/data and SUMO");  // keeps should_fail meaningful
  }
  const SumoRun& sumo = sumoRun(cacheFolder(), *folder);
  const CitytwinOnSumo& ours = citytwinOnSumo(sumo);
  CHECK(std::abs(ours.meanDuration - sumo.meanDuration) <= 0.10 * sumo.meanDuration);
  CHECK(static_cast<double>(ours.teleports) <=
        static_cast<double>(sumo.teleports) + 0.002 * static_cast<double>(sumo.routed));
}

// citytwin on its own import (its network, junction rules and routing, the same demand rules) against the
// SUMO run above: completion, mean trip and vehicle-hours. Tolerances: completion within 3 points of SUMO's
// (the issue's 97 % goal), mean trip and vehicle-hours per trip within 15 % (different networks: citytwin's
// import against netconvert's, its own routes against duarouter's).
TEST_CASE("Monaco: citytwin on its own import against SUMO on netconvert's network") {
  const auto folder = citytwin::testing::sharedData("city/monaco");
  if (!folder || !sumoAvailable()) return;
  const auto cache = cacheFolder();
  const SumoRun& sumo = sumoRun(cache, *folder);
  const auto scenario =
      citytwin::testing::writeScratchScenario("monaco_traffic_sumo", R"(name = "monaco_traffic_sumo"
city = ")" + (cache / "monaco.gpkg").string() + R"("
start = 2026-07-01T07:00:00Z
duration = "2h30m"
step = "5m"
seed = 1
models = ["traffic"]

[traffic]
trips_per_100m2 = )" + std::string(kTripsPer100M2) + "\n");
  const CommandResult run =
      runCommand({citytwinBinary(), "run", scenario.string(), "--out",
                  (citytwin::testing::scratchDirectory() / "monaco-own").string(), "--json"});
  requireSuccess(run, "citytwin run");
  const auto kpis = nlohmann::json::parse(run.standardOutput)["variants"][0]["kpis"];
  const double completion = kpis["traffic.trip_completion_rate"].get<double>();
  const double meanTrip = kpis["traffic.mean_travel_time_s"].get<double>();
  const double vehicleHours = kpis["traffic.vehicle_hours_travelled"].get<double>();
  const double trips = kpis["traffic.trips"].get<double>();
  // Of the trips SUMO was given (duarouter found their edges).
  const double sumoCompletion = static_cast<double>(sumo.durations.size()) / static_cast<double>(sumo.routed);
  // SUMO's durations start at the actual departure; citytwin's mean counts from the requested one.
  const double sumoMean = sumo.meanDuration + sumo.meanDepartDelay;
  MESSAGE("Monaco own import: " << trips << " trips, completion " << completion << ", mean trip " << meanTrip
                                << " s, " << vehicleHours << " vehicle-hours, "
                                << kpis["traffic.jam_teleports"] << " teleports; SUMO: " << sumo.routed
                                << " trips, completion " << sumoCompletion << ", mean trip " << sumoMean
                                << " s, " << sumo.vehicleHours << " vehicle-hours");
  CHECK(completion >= sumoCompletion - 0.03);
  CHECK(std::abs(meanTrip - sumoMean) <= 0.15 * sumoMean);
  // Per trip, so that the few trips one side cannot route do not count.
  const double ourHoursPerTrip = vehicleHours / trips;
  const double sumoHoursPerTrip = sumo.vehicleHours / static_cast<double>(sumo.durations.size());
  CHECK(std::abs(ourHoursPerTrip - sumoHoursPerTrip) <= 0.15 * sumoHoursPerTrip);
}
