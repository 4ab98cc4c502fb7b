#include <doctest/doctest.h>

#include <algorithm>

#include "citytwin/traffic/city_network.hpp"
#include "citytwin/traffic/microsimulation.hpp"
#include "micro_network_builder.hpp"

using namespace citytwin;
using namespace citytwin::traffic;
using citytwin::traffic::testing::addLink;
using citytwin::traffic::testing::label;

namespace {

city::RoadLink road(std::uint32_t from, std::uint32_t to, const std::string& highway) {
  city::RoadLink link;
  link.id = label(from, ">", to);
  link.from = from;
  link.to = to;
  link.lengthM = 50.0;
  link.highwayClass = highway;
  link.oneWay = true;
  return link;
}

city::RoadNetwork fourNodes() {
  city::RoadNetwork roads;
  for (int k = 0; k < 4; ++k) {
    city::RoadNode node;
    node.id = label(k);
    node.position = {k * 50.0, (k % 2) * 50.0};
    roads.nodes.push_back(node);
  }
  return roads;
}

// Whether movement from -> to at its node gives way to foe from -> foe to.
bool givesWay(const MicroNetwork& network, std::int32_t from, std::int32_t to, std::int32_t foeFrom,
              std::int32_t foeTo) {
  const Movement* own = network.movement(from, to);
  const Movement* foe = network.movement(foeFrom, foeTo);
  REQUIRE(own);
  REQUIRE(foe);
  const auto foes = network.foes(*own);
  return std::find(foes.begin(), foes.end(), static_cast<std::int32_t>(foe - network.movements.data())) !=
         foes.end();
}

}  // namespace

TEST_CASE("on a roundabout circulating traffic has priority and a primary road's entry gives way") {
  city::RoadNetwork roads = fourNodes();
  roads.links.push_back(road(0, 1, "residential"));  // 0: the ring, arriving
  roads.links.push_back(road(2, 1, "primary"));      // 1: the entry
  roads.links.push_back(road(1, 3, "residential"));  // 2: the ring, leaving
  for (const bool roundabout : {true, false}) {
    CAPTURE(roundabout);
    roads.links[0].junction = roads.links[2].junction = roundabout ? "roundabout" : "";
    const MicroNetwork network = buildCityNetwork(roads);
    // A roundabout: the entry waits for the ring; otherwise the primary road goes first.
    CHECK(givesWay(network, 1, 2, 0, 2) == roundabout);
    CHECK(givesWay(network, 0, 2, 1, 2) == !roundabout);
    CHECK(network.movement(0, 2)->major == roundabout);
    CHECK(network.movement(1, 2)->major == !roundabout);
  }
}

TEST_CASE("an approach with a stop or give-way sign gives way to the unsigned one") {
  city::RoadNetwork roads = fourNodes();
  roads.links.push_back(road(0, 1, "secondary"));    // 0: signed
  roads.links.push_back(road(2, 1, "residential"));  // 1
  roads.links.push_back(road(1, 3, "residential"));  // 2
  for (const std::string sign : {"stop", "give_way", ""}) {
    CAPTURE(sign);
    roads.links[0].endSign = sign;
    const MicroNetwork network = buildCityNetwork(roads);
    CHECK(givesWay(network, 0, 2, 1, 2) == !sign.empty());
    CHECK(givesWay(network, 1, 2, 0, 2) == sign.empty());  // unsigned: the secondary road goes first
  }
}

TEST_CASE("en-route rerouting sends the vehicles behind a queue that does not move round it") {
  // An approach splits into a short way whose second link is held by a light that never turns green and
  // a longer way round; every trip is routed the short way.
  MicroNetwork network;
  network.nodeCount = 6;
  const std::int32_t in = addLink(network, 0, 1, 1000.0, 1);
  const std::int32_t shortA = addLink(network, 1, 2, 100.0, 1);
  const std::int32_t shortB = addLink(network, 2, 3, 100.0, 1);
  const std::int32_t longA = addLink(network, 1, 4, 300.0, 1);
  const std::int32_t longB = addLink(network, 4, 3, 300.0, 1);
  const std::int32_t out = addLink(network, 3, 5, 100.0, 1);
  network.signals.push_back({{{100.0, "r"}}, 0.0});
  Movement held{shortA, shortB};
  held.signal = 0;
  held.signalIndex = 0;
  network.movements = {{in, shortA}, held, {shortB, out}, {in, longA}, {longA, longB}, {longB, out}};
  network.finalise();
  for (const double period : {60.0, 0.0}) {
    CAPTURE(period);
    MicrosimulationOptions options;
    options.jamTeleportS = 0.0;
    options.reroutePeriodS = period;
    Microsimulation sim(network, {VehicleType{}}, options);
    for (int k = 0; k < 20; ++k) sim.addTrip({label("t", k), {in, shortA, shortB, out}, 5.0 * k, 0});
    sim.runUntil(900.0);
    const auto arrived = std::count_if(sim.trips().begin(), sim.trips().end(),
                                       [](const TripRecord& r) { return r.arrived(); });
    if (period > 0.0) {
      CHECK(arrived >= 10);  // all but those already on the held link when its queue showed
      CHECK(sim.enRouteReroutes() >= static_cast<std::uint64_t>(arrived));
      for (std::size_t k = 0; k < sim.trips().size(); ++k)
        if (sim.trips()[k].arrived()) CHECK(sim.route(static_cast<std::int32_t>(k))[1] == longA);
    } else {
      CHECK(arrived == 0);
      CHECK(sim.enRouteReroutes() == 0);
    }
  }
}
