#include <doctest/doctest.h>

#include <cmath>

#include <pugixml.hpp>

#include <cstdlib>
#include <set>
#include <sstream>
#include <string>

#include "citytwin/testing/shared_data.hpp"
#include "citytwin/traffic/sumo_io.hpp"
#include "citytwin/traffic/trip_statistics.hpp"

using namespace citytwin::traffic;

namespace {

bool onPath(const std::string& program) { return std::system(("command -v " + program + " >/dev/null 2>&1").c_str()) == 0; }

std::string sumoHome() {
  const char* home = std::getenv("SUMO_HOME");
  return home ? home : "/usr/share/sumo";
}

// SUMO and citytwin run the same routes on the same grid: every vehicle arrives in both, and the mean travel
// times agree within 15 %.
void compareWithSumo(const std::filesystem::path& dir, int vehicles) {
  const std::string tag = std::to_string(vehicles);
  std::ostringstream period;
  period << 3600.0 / vehicles;
  const std::string commands =
      "cd '" + dir.string() + "' && export SUMO_HOME='" + sumoHome() + "' && python3 '" + sumoHome() +
      "/tools/randomTrips.py' -n grid.net.xml -e 3600 -p " + period.str() +
      " --fringe-factor 10 --min-distance 600 --seed 1 -o trips" + tag + ".xml >>log.txt 2>&1 && "
      "duarouter -n grid.net.xml -r trips" + tag + ".xml -o routes" + tag + ".rou.xml --no-step-log >>log.txt 2>&1 && "
      "sumo -n grid.net.xml -r routes" + tag + ".rou.xml --tripinfo-output tripinfo" + tag +
      ".xml --no-step-log >>log.txt 2>&1";
  REQUIRE(std::system(commands.c_str()) == 0);

  pugi::xml_document tripinfo;
  REQUIRE(tripinfo.load_file((dir / ("tripinfo" + tag + ".xml")).c_str()));
  std::set<std::string> sumoArrived;
  double sumoDuration = 0.0;
  for (const pugi::xml_node trip : tripinfo.child("tripinfos").children("tripinfo")) {
    sumoArrived.insert(trip.attribute("id").value());
    sumoDuration += trip.attribute("duration").as_double();
  }
  REQUIRE(sumoArrived.size() >= static_cast<std::size_t>(vehicles));
  sumoDuration /= static_cast<double>(sumoArrived.size());

  const SumoNetwork network = readSumoNetwork(dir / "grid.net.xml");
  const SumoDemand demand = readSumoRoutes(dir / ("routes" + tag + ".rou.xml"), network);
  Microsimulation sim(network.network, demand.types, MicrosimulationOptions{1.0, 4.0, 30.0});
  for (const TripRequest& trip : demand.trips) sim.addTrip(trip);
  sim.runUntil(40000.0);
  std::set<std::string> ours;
  for (const TripRecord& trip : sim.trips())
    if (trip.arrived()) ours.insert(trip.id);
  const TripStatistics stats = summariseTrips(sim.trips());
  INFO("SUMO " << sumoArrived.size() << " arrived, mean " << sumoDuration << " s; citytwin " << stats.arrived
               << " arrived, mean " << stats.meanTravelTimeS << " s");
  CHECK(ours == sumoArrived);
  CHECK(sim.jamTeleports() == 0);
  CHECK(std::abs(stats.meanTravelTimeS - sumoDuration) / sumoDuration < 0.15);
  MESSAGE(vehicles << " vehicles, mean travel time: SUMO " << sumoDuration << " s, citytwin " << stats.meanTravelTimeS
                   << " s");
}

}  // namespace

// A 10 x 10 grid (two lanes each way, 200 m blocks, fixed-time signals whose left turns give way to oncoming
// traffic) with 5,000 and 20,000 trips in an hour. With 5,000, queues form at the signals (SUMO's mean waiting
// time is about a third of the trip); with 20,000 they often outlast a green, and the left turns find few gaps.
TEST_CASE("side by side with SUMO on a netgenerate grid") {
  if (!onPath("sumo") || !onPath("netgenerate") || !onPath("duarouter") || !onPath("python3")) {
    MESSAGE("skipped: sumo, netgenerate, duarouter or python3 is not on PATH");
    return;
  }
  const std::string randomTrips = sumoHome() + "/tools/randomTrips.py";
  if (std::system(("test -f " + randomTrips).c_str()) != 0) {
    MESSAGE("skipped: " << randomTrips << " not found (set SUMO_HOME)");
    return;
  }
  const auto dir = citytwin::testing::scratchDirectory() / "sumo";
  std::filesystem::create_directories(dir);
  REQUIRE(std::system(("cd '" + dir.string() +
                       "' && netgenerate --grid --grid.number 10 --grid.length 200 --default.lanenumber 2 "
                       "--default.speed 13.89 --default-junction-type traffic_light -o grid.net.xml >log.txt 2>&1")
                          .c_str()) == 0);
  SUBCASE("5,000 vehicles") { compareWithSumo(dir, 5000); }
  SUBCASE("20,000 vehicles") { compareWithSumo(dir, 20000); }
}
