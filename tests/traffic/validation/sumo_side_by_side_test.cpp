#include <doctest/doctest.h>

#include <cmath>

#include <pugixml.hpp>

#include <cstdlib>
#include <set>
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

}  // namespace

// The same signalised grid and routes run by SUMO and by citytwin: every vehicle arrives in both, and the
// mean travel time agrees within 15 %. The load is that of `citytwin bench traffic`'s lighter case and more:
// a 10 x 10 grid (two lanes each way, 200 m blocks) with 5,000 trips in an hour, where queues form at the
// signals (SUMO's mean waiting time is about a third of the trip).
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
  const std::string d = dir.string();
  const std::string commands =
      "cd '" + d + "' && export SUMO_HOME='" + sumoHome() + "' && "
      "netgenerate --grid --grid.number 10 --grid.length 200 --default.lanenumber 2 --default.speed 13.89 "
      "--default-junction-type traffic_light -o grid.net.xml >log.txt 2>&1 && "
      "python3 '" + randomTrips + "' -n grid.net.xml -e 3600 -p 0.72 --fringe-factor 10 --min-distance 600 --seed 1 "
      "-o trips.xml >>log.txt 2>&1 && "
      "duarouter -n grid.net.xml -r trips.xml -o routes.rou.xml --no-step-log >>log.txt 2>&1 && "
      "sumo -n grid.net.xml -r routes.rou.xml --tripinfo-output tripinfo.xml --no-step-log >>log.txt 2>&1";
  REQUIRE(std::system(commands.c_str()) == 0);

  pugi::xml_document tripinfo;
  REQUIRE(tripinfo.load_file((dir / "tripinfo.xml").c_str()));
  std::set<std::string> sumoArrived;
  double sumoDuration = 0.0;
  for (const pugi::xml_node trip : tripinfo.child("tripinfos").children("tripinfo")) {
    sumoArrived.insert(trip.attribute("id").value());
    sumoDuration += trip.attribute("duration").as_double();
  }
  REQUIRE(sumoArrived.size() >= 5000);
  sumoDuration /= static_cast<double>(sumoArrived.size());

  const SumoNetwork network = readSumoNetwork(dir / "grid.net.xml");
  const SumoDemand demand = readSumoRoutes(dir / "routes.rou.xml", network);
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
  CHECK(std::abs(stats.meanTravelTimeS - sumoDuration) / sumoDuration < 0.15);
  MESSAGE("mean travel time: SUMO " << sumoDuration << " s, citytwin " << stats.meanTravelTimeS << " s");
}
