#include <doctest/doctest.h>

#include <tbb/global_control.h>

#include <map>

#include "citytwin/traffic/microsimulation.hpp"
#include "citytwin/traffic/trip_statistics.hpp"
#include "micro_network_builder.hpp"

using namespace citytwin::traffic;
using citytwin::traffic::testing::addLink;
using citytwin::traffic::testing::label;

namespace {

// A 3 x 3 grid of nodes 200 m apart, two-way links with 2 lanes; the centre node has a fixed-time signal.
MicroNetwork grid() {
  MicroNetwork network;
  network.nodeCount = 9;
  auto node = [](int x, int y) { return y * 3 + x; };
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 3; ++x) {
      const int here = node(x, y);
      const int neighbours[2] = {x + 1 < 3 ? node(x + 1, y) : -1, y + 1 < 3 ? node(x, y + 1) : -1};
      for (int there : neighbours) {
        if (there < 0) continue;
        for (int direction = 0; direction < 2; ++direction) {
          MicroLink link;
          link.from = direction ? there : here;
          link.to = direction ? here : there;
          link.id = label(link.from, ">", link.to);
          link.lengthM = 200.0;
          link.speedLimit = 13.89;
          link.lanes = 2;
          network.links.push_back(link);
        }
      }
    }
  network.signals.push_back({{{20.0, "GGGGrrrr"}, {3.0, "yyyyrrrr"}, {20.0, "rrrrGGGG"}, {3.0, "rrrryyyy"}}, 0.0});
  for (std::int32_t in = 0; in < static_cast<std::int32_t>(network.links.size()); ++in) {
    int index = 0;
    for (std::int32_t out = 0; out < static_cast<std::int32_t>(network.links.size()); ++out) {
      if (network.links[in].to != network.links[out].from || network.links[out].to == network.links[in].from) continue;
      Movement movement{in, out};
      if (network.links[in].to == 4) {
        const bool vertical = network.links[in].from == 1 || network.links[in].from == 7;
        movement.signal = 0;
        movement.signalIndex = vertical ? 0 : 4;
      }
      network.movements.push_back(movement);
      ++index;
    }
  }
  network.finalise();
  return network;
}

std::int32_t linkId(const MicroNetwork& network, int from, int to) {
  for (std::size_t l = 0; l < network.links.size(); ++l)
    if (network.links[l].from == from && network.links[l].to == to) return static_cast<std::int32_t>(l);
  return -1;
}

Microsimulation loaded(int trips, bool laneChanging = true) {
  const MicroNetwork network = grid();
  VehicleType car;
  car.idm.desiredSpeed = 15.0;
  MicrosimulationOptions options;
  options.laneChanging = laneChanging;
  options.lanesPerTask = 2;  // many small tasks, so several threads really share the work
  Microsimulation sim(network, {car}, options);
  const int corners[4] = {0, 2, 8, 6};
  for (int k = 0; k < trips; ++k) {
    const int a = corners[k % 4], b = corners[(k + 2) % 4];
    const int firstTo = a == 0 ? 1 : a == 2 ? 5 : a == 8 ? 7 : 3;
    const std::int32_t first = linkId(network, a, firstTo);
    const std::int32_t last = linkId(network, b == 0 ? 1 : b == 2 ? 1 : b == 8 ? 7 : 7, b);
    auto route = *sim.fastestRoute(first, last);
    route.insert(route.begin(), first);
    sim.addTrip({label("v", k), route, 2.0 * k, 0});
  }
  return sim;
}

}  // namespace

TEST_CASE("vehicles cross the grid and arrive") {
  Microsimulation sim = loaded(40);
  sim.runUntil(3600.0);
  const TripStatistics stats = summariseTrips(sim.trips());
  CHECK(stats.arrived == 40);
  CHECK(sim.finished());
  // 600-800 m at up to 50 km/h, with a signal: between free-flow time and a few minutes.
  CHECK(stats.meanTravelTimeS > 40.0);
  CHECK(stats.meanTravelTimeS < 300.0);
  CHECK(sim.vehicleSteps() > 0);
}

TEST_CASE("results are identical for any thread count and after snapshot/restore") {
  auto run = [](int threads) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
    Microsimulation sim = loaded(60);
    sim.runUntil(120.0);
    return sim.snapshot();
  };
  const auto one = run(1);
  CHECK(run(2) == one);
  CHECK(run(4) == one);

  Microsimulation a = loaded(60);
  a.runUntil(60.0);
  const auto middle = a.snapshot();
  a.runUntil(200.0);
  Microsimulation b = loaded(60);
  b.restore(middle);
  b.runUntil(200.0);
  CHECK(a.snapshot() == b.snapshot());
}

TEST_CASE("MOBIL lane changes happen on two-lane links, never overlap vehicles, and can be switched off") {
  Microsimulation with = loaded(200), without = loaded(200, false);
  double smallestGap = 1e9;
  while (with.time() < 900.0 && !with.finished()) {
    with.step();
    const auto positions = with.positions();
    for (std::size_t i = 1; i < positions.size(); ++i) {
      const auto &leader = positions[i - 1], &follower = positions[i];
      if (leader.link != follower.link || leader.lane != follower.lane) continue;
      smallestGap = std::min(smallestGap, leader.offsetM - 5.0 - follower.offsetM);
    }
  }
  without.runUntil(900.0);
  CHECK(smallestGap >= 0.0);
  CHECK(with.laneChanges() > 10);
  CHECK(without.laneChanges() == 0);
  CHECK(summariseTrips(with.trips()).arrived == 200);
}

// Link 0 (two lanes) splits into link 1, reached only from its right lane (0), and link 2, only from its left
// lane (1), as SUMO's lane-to-lane connections say; both are fed from link 3, whose lanes lead anywhere.
TEST_CASE("vehicles leave a link only by lanes that lead where they go, and all arrive") {
  MicroNetwork network;
  network.nodeCount = 5;
  addLink(network, 0, 1, 300.0, 2);  // 0
  addLink(network, 1, 2, 200.0, 1);  // 1
  addLink(network, 1, 3, 200.0, 1);  // 2
  addLink(network, 4, 0, 200.0, 2);  // 3
  Movement right{0, 1};
  right.fromLanes = 1u;
  Movement left{0, 2};
  left.fromLanes = 2u;
  network.movements = {right, left, Movement{3, 0}};
  network.finalise();
  Microsimulation sim(network, {VehicleType{}}, MicrosimulationOptions{});
  for (int k = 0; k < 120; ++k) sim.addTrip({label("v", k), {3, 0, k % 3 == 0 ? 1 : 2}, 1.5 * k, 0});
  std::map<std::int32_t, std::int32_t> laneOnSplit;  // trip -> its last lane on link 0
  int checked = 0;
  while (!sim.finished() && sim.time() < 3600.0) {
    sim.step();
    for (const auto& p : sim.positions()) {
      if (p.link == 0) {
        laneOnSplit[p.trip] = p.lane;
      } else if ((p.link == 1 || p.link == 2) && laneOnSplit.count(p.trip)) {
        CHECK(laneOnSplit[p.trip] == (p.link == 1 ? 0 : 1));
        laneOnSplit.erase(p.trip);
        ++checked;
      }
    }
  }
  CHECK(checked == 120);
  CHECK(summariseTrips(sim.trips()).arrived == 120);
}

TEST_CASE("closing a link reroutes vehicles around it") {
  Microsimulation sim = loaded(20);
  const std::int32_t closed = linkId(sim.network(), 1, 4);
  sim.setClosed(closed, true);
  const std::int32_t closed2 = linkId(sim.network(), 4, 7);
  sim.setClosed(closed2, true);
  sim.resetLinkCounters();
  sim.runUntil(3600.0);
  CHECK(sim.linkCounters()[closed].exits == 0);
  CHECK(sim.linkCounters()[closed2].exits == 0);
  CHECK(summariseTrips(sim.trips()).arrived == 20);
}

TEST_CASE("a vehicle whose destination is cut off is stranded") {
  Microsimulation sim = loaded(4);
  // Node 8 is reached only from 5 and 7.
  sim.setClosed(linkId(sim.network(), 5, 8), true);
  sim.setClosed(linkId(sim.network(), 7, 8), true);
  sim.runUntil(3600.0);
  const TripStatistics stats = summariseTrips(sim.trips());
  CHECK(stats.stranded == 1);
  CHECK(stats.arrived == 3);
}

TEST_CASE("a red light holds the queue") {
  MicroNetwork network = grid();
  network.signals[0].phases = {{100.0, "rrrrrrrr"}};
  Microsimulation sim(network, {VehicleType{}});
  const std::int32_t in = linkId(network, 1, 4), out = linkId(network, 4, 7);
  for (int k = 0; k < 5; ++k) sim.addTrip({label("q", k), {in, out}, 3.0 * k, 0});
  sim.runUntil(90.0);
  CHECK(summariseTrips(sim.trips()).arrived == 0);
  CHECK(sim.runningCount() == 5);
  for (const auto& position : sim.positions()) CHECK(position.offsetM < 200.0);
}
