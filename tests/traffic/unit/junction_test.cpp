#include <doctest/doctest.h>

#include <cmath>

#include "citytwin/traffic/microsimulation.hpp"
#include "citytwin/traffic/trip_statistics.hpp"
#include "micro_network_builder.hpp"

using namespace citytwin::traffic;
using citytwin::traffic::testing::addLink;
using citytwin::traffic::testing::label;

namespace {

// SUMO's default car (accel 2.6, decel 4.5, tau 1, minGap 2.5): town traffic, unlike the IDM's highway defaults.
VehicleType townCar() {
  VehicleType car;
  car.idm.acceleration = 2.6;
  car.idm.comfortableDeceleration = 4.5;
  car.idm.timeHeadway = 1.0;
  car.idm.minimumGap = 2.5;
  return car;
}

// A queue that builds up during a 60 s red and discharges in a 30 s green, across a junction `junctionM`
// long: the vehicles that left the approach by the end of the amber.
std::uint64_t dischargedInOneGreen(double junctionM) {
  MicroNetwork network;
  network.nodeCount = 3;
  const std::int32_t approach = addLink(network, 0, 1, 400.0, 1);
  const std::int32_t exit = addLink(network, 1, 2, 400.0, 1);
  network.signals.push_back({{{60.0, "r"}, {30.0, "G"}, {3.0, "y"}, {60.0, "r"}}, 0.0});
  Movement through{approach, exit};
  through.signal = 0;
  through.signalIndex = 0;
  through.lengthM = junctionM;
  network.movements = {through};
  network.finalise();
  Microsimulation sim(network, {townCar()}, MicrosimulationOptions{});
  for (int k = 0; k < 40; ++k) sim.addTrip({label("q", k), {approach, exit}, 1.5 * k, 0});
  sim.runUntil(93.0);
  return sim.linkTotals()[approach].exits;
}

// A four-armed junction (centre node 0; arms 1 west, 2 east, 3 south, 4 north). The southern approach turns
// left to the west on a minor green ('g') and gives way to the northern approach's straight movement,
// which has a major green ('G') for 150 s.
struct LeftTurn {
  MicroNetwork network;
  std::int32_t southIn = 0, westOut = 0, northIn = 0, southOut = 0;
};

LeftTurn leftTurnJunction(bool givesWay) {
  LeftTurn j;
  MicroNetwork& n = j.network;
  n.nodeCount = 5;
  j.southIn = addLink(n, 3, 0, 300.0, 1);
  j.westOut = addLink(n, 0, 1, 300.0, 1);
  j.northIn = addLink(n, 4, 0, 150.0, 1);
  j.southOut = addLink(n, 0, 3, 300.0, 1);
  n.signals.push_back({{{150.0, "Gg"}, {3.0, "yy"}, {100.0, "rr"}}, 0.0});
  Movement straight{j.northIn, j.southOut};
  straight.signal = 0;
  straight.signalIndex = 0;
  straight.lengthM = 20.0;
  Movement left{j.southIn, j.westOut};
  left.signal = 0;
  left.signalIndex = 1;
  left.lengthM = 24.0;
  left.waitM = 12.0;
  n.movements = {straight, left};
  n.yieldsFromPriority = false;
  if (givesWay) n.yieldRules.push_back({j.southIn, j.westOut, j.northIn, j.southOut});
  n.finalise();
  return j;
}

}  // namespace

TEST_CASE("a junction's length does not hold back the queue discharging across it") {
  const std::uint64_t direct = dischargedInOneGreen(0.0);
  const std::uint64_t across = dischargedInOneGreen(25.0);
  INFO("discharged in one green: " << direct << " with no junction length, " << across << " across 25 m");
  // A 30 s green at a saturation headway of about 2 s.
  CHECK(direct >= 12);
  CHECK(std::abs(static_cast<double>(across) - static_cast<double>(direct)) <= 1.0);
}

TEST_CASE("a minor left turn waits inside the junction while oncoming vehicles come, then turns") {
  for (const bool givesWay : {true, false}) {
    CAPTURE(givesWay);
    const LeftTurn j = leftTurnJunction(givesWay);
    Microsimulation sim(j.network, {townCar()}, MicrosimulationOptions{});
    // Oncoming vehicles every 3 s until 99 s; the left turner leaves at 10 s.
    for (int k = 0; k <= 33; ++k) sim.addTrip({label("oncoming", k), {j.northIn, j.southOut}, 3.0 * k, 0});
    sim.addTrip({"left", {j.southIn, j.westOut}, 10.0, 0});
    const auto leftTrip = static_cast<std::int32_t>(sim.trips().size()) - 1;
    double waitedInside = 0.0, turnedAt = -1.0, lastOncoming = 0.0;
    while (sim.time() < 400.0 && turnedAt < 0.0) {
      sim.step();
      for (const auto& p : sim.positions()) {
        if (p.link == j.northIn) lastOncoming = sim.time();
        if (p.trip != leftTrip || p.link != j.westOut) continue;
        if (p.offsetM < 0.0 && p.speed < 0.1) waitedInside += 0.5;
        if (p.offsetM >= 0.0) turnedAt = sim.time();
      }
    }
    REQUIRE(turnedAt > 0.0);
    INFO("turned at " << turnedAt << " s, waited inside " << waitedInside << " s, last oncoming approach at "
                      << lastOncoming << " s");
    if (givesWay) {
      // Standing inside the junction (negative offsets on the exit) until the stream has passed, then
      // turning in the gap after it, before the green ends at 150 s.
      CHECK(waitedInside > 60.0);
      CHECK(turnedAt > lastOncoming);
      CHECK(turnedAt < 150.0);
    } else {
      CHECK(waitedInside == 0.0);
      CHECK(turnedAt < 50.0);
    }
  }
}

TEST_CASE("a vehicle arrives in the lane its connection leads to") {
  MicroNetwork network;
  network.nodeCount = 3;
  const std::int32_t in = addLink(network, 0, 1, 200.0, 2);
  const std::int32_t out = addLink(network, 1, 2, 200.0, 2);
  Movement crossOver{in, out};
  crossOver.arrivalLane[0] = 1;  // from the right lane into the left lane
  crossOver.arrivalLane[1] = 0;
  network.movements = {crossOver};
  network.finalise();
  MicrosimulationOptions options;
  options.laneChanging = false;
  Microsimulation sim(network, {VehicleType{}}, options);
  sim.addTrip({"right", {in, out}, 0.0, 0});  // both lanes empty: it starts in the right lane
  int seenOut = 0;
  while (!sim.finished() && sim.time() < 120.0) {
    sim.step();
    for (const auto& p : sim.positions()) {
      if (p.link == in) CHECK(p.lane == 0);
      if (p.link == out) {
        CHECK(p.lane == 1);
        ++seenOut;
      }
    }
  }
  CHECK(seenOut > 0);
  CHECK(summariseTrips(sim.trips()).arrived == 1);
}

// Two vehicles arrive side by side on a short link, each in the lane the other needs for its next turn:
// neither finds a gap, so they swap lanes at the stop line and both go on without a jam.
TEST_CASE("two vehicles each standing in the lane the other needs swap lanes") {
  MicroNetwork network;
  network.nodeCount = 5;
  const std::int32_t feeder = addLink(network, 4, 0, 200.0, 2);
  const std::int32_t split = addLink(network, 0, 1, 15.0, 2);
  const std::int32_t right = addLink(network, 1, 2, 200.0, 1);
  const std::int32_t left = addLink(network, 1, 3, 200.0, 1);
  Movement crossOver{feeder, split};
  crossOver.arrivalLane[0] = 1;
  crossOver.arrivalLane[1] = 0;
  Movement toRight{split, right};
  toRight.fromLanes = 1u;
  Movement toLeft{split, left};
  toLeft.fromLanes = 2u;
  network.movements = {crossOver, toRight, toLeft};
  network.finalise();
  Microsimulation sim(network, {VehicleType{}}, MicrosimulationOptions{});
  sim.addTrip({"to-right", {feeder, split, right}, 0.0, 0});  // starts in the feeder's right lane
  sim.addTrip({"to-left", {feeder, split, left}, 0.0, 0});    // and beside it, in the left lane
  sim.runUntil(200.0);
  CHECK(summariseTrips(sim.trips()).arrived == 2);
  CHECK(sim.jamTeleports() == 0);
  CHECK(sim.laneChanges() >= 2);
  for (const TripRecord& trip : sim.trips()) CHECK(trip.arrivalS < 100.0);
}

TEST_CASE("a vehicle held by a light that never turns green is moved on after the jam time") {
  for (const double jamS : {300.0, 0.0}) {
    CAPTURE(jamS);
    MicroNetwork network;
    network.nodeCount = 3;
    const std::int32_t in = addLink(network, 0, 1, 200.0, 1);
    const std::int32_t out = addLink(network, 1, 2, 200.0, 1);
    network.signals.push_back({{{100.0, "r"}}, 0.0});
    Movement held{in, out};
    held.signal = 0;
    held.signalIndex = 0;
    network.movements = {held};
    network.finalise();
    MicrosimulationOptions options;
    options.jamTeleportS = jamS;
    Microsimulation sim(network, {VehicleType{}}, options);
    sim.addTrip({"held", {in, out}, 0.0, 0});
    sim.runUntil(1000.0);
    if (jamS > 0.0) {
      CHECK(sim.jamTeleports() == 1);
      REQUIRE(sim.trips()[0].arrived());
      // It reaches the stop line after about 20 s and stands there for the jam time before it moves on.
      CHECK(sim.trips()[0].arrivalS > 300.0);
      CHECK(sim.trips()[0].arrivalS < 400.0);
    } else {
      CHECK(sim.jamTeleports() == 0);
      CHECK_FALSE(sim.trips()[0].arrived());
    }
  }
}
