#include <doctest/doctest.h>

#include <cmath>

#include "citytwin/core/error.hpp"
#include "citytwin/traffic/assignment.hpp"
#include "citytwin/traffic/link_cost.hpp"

using namespace citytwin::traffic;

namespace {

NetworkLink linearLink(int from, int to, double freeFlow, double slope) {
  // cost = freeFlow + slope * v  (BPR with power 1: t0 * b / capacity = slope)
  NetworkLink link;
  link.from = from;
  link.to = to;
  link.freeFlowTime = freeFlow;
  link.capacity = 1.0;
  link.power = 1.0;
  link.b = freeFlow > 0 ? slope / freeFlow : 0.0;
  return link;
}

// Braess's network: 0 -> 1 -> 3 and 0 -> 2 -> 3 with a free shortcut 1 -> 2; 6 trips from 0 to 3.
// Costs 10v on (0,1) and (2,3), 50 + v on (0,2) and (1,3), 10 + v on the shortcut: the known equilibrium
// puts 2 trips on each of the three paths, path cost 92.
TrafficNetwork braess() {
  TrafficNetwork network;
  network.zoneCount = 4;
  network.nodeCount = 4;
  network.firstThroughNode = 0;
  auto steep = [](int from, int to) {
    NetworkLink link;
    link.from = from;
    link.to = to;
    link.freeFlowTime = 1e-12;  // (almost) zero free-flow time with cost 10 v
    link.capacity = 1.0;
    link.power = 1.0;
    link.b = 10.0 / 1e-12;
    return link;
  };
  network.links = {steep(0, 1), linearLink(0, 2, 50, 1), linearLink(1, 3, 50, 1), steep(2, 3), linearLink(1, 2, 10, 1)};
  network.buildAdjacency();
  return network;
}

}  // namespace

TEST_CASE("Algorithm B reproduces Braess's equilibrium") {
  const TrafficNetwork network = braess();
  OdDemand demand;
  demand.byOrigin.resize(4);
  demand.byOrigin[0].push_back({3, 6.0});
  AssignmentOptions options;
  options.targetRelativeGap = 1e-12;
  const AssignmentResult result = assignUserEquilibrium(network, demand, options);
  CHECK(result.converged);
  CHECK(result.flows[0] == doctest::Approx(4.0).epsilon(1e-8));
  CHECK(result.flows[1] == doctest::Approx(2.0).epsilon(1e-8));
  CHECK(result.flows[2] == doctest::Approx(2.0).epsilon(1e-8));
  CHECK(result.flows[3] == doctest::Approx(4.0).epsilon(1e-8));
  CHECK(result.flows[4] == doctest::Approx(2.0).epsilon(1e-8));
  CHECK(result.tstt == doctest::Approx(6.0 * 92.0).epsilon(1e-8));
}

TEST_CASE("two parallel routes split so their costs are equal") {
  TrafficNetwork network;
  network.zoneCount = 2;
  network.nodeCount = 2;
  network.links = {linearLink(0, 1, 10, 1), linearLink(0, 1, 20, 1)};
  network.buildAdjacency();
  OdDemand demand;
  demand.byOrigin.resize(2);
  demand.byOrigin[0].push_back({1, 30.0});
  const AssignmentResult result = assignUserEquilibrium(network, demand);
  // 10 + x = 20 + (30 - x)  ->  x = 20
  CHECK(result.flows[0] == doctest::Approx(20.0).epsilon(1e-9));
  CHECK(result.flows[1] == doctest::Approx(10.0).epsilon(1e-9));
  CHECK(result.relativeGap <= 1e-8);
  // Beckmann: integral of 10 + x from 0 to 20 plus integral of 20 + x from 0 to 10
  CHECK(result.beckmann == doctest::Approx(200 + 200 + 200 + 50).epsilon(1e-9));
}

TEST_CASE("zones below the first through node carry no through traffic") {
  // 0 -> 1 -> 2 is short but node 1 is a zone; the long way 0 -> 3 -> 2 must be used.
  TrafficNetwork network;
  network.zoneCount = 3;
  network.nodeCount = 4;
  network.firstThroughNode = 3;
  network.links = {linearLink(0, 1, 1, 0), linearLink(1, 2, 1, 0), linearLink(0, 3, 5, 0), linearLink(3, 2, 5, 0)};
  network.buildAdjacency();
  OdDemand demand;
  demand.byOrigin.resize(3);
  demand.byOrigin[0].push_back({2, 7.0});
  const AssignmentResult result = assignUserEquilibrium(network, demand);
  CHECK(result.flows[0] == 0.0);
  CHECK(result.flows[2] == doctest::Approx(7.0));
  CHECK(result.tstt == doctest::Approx(70.0));
}

TEST_CASE("an unreachable destination with trips is an error") {
  TrafficNetwork network;
  network.zoneCount = 2;
  network.nodeCount = 2;
  network.links = {linearLink(1, 0, 1, 0)};
  network.buildAdjacency();
  OdDemand demand;
  demand.byOrigin.resize(2);
  demand.byOrigin[0].push_back({1, 1.0});
  CHECK_THROWS_AS(assignUserEquilibrium(network, demand), citytwin::Error);
}

TEST_CASE("toll and distance factors enter the generalized cost") {
  TrafficNetwork network;
  network.zoneCount = 2;
  network.nodeCount = 2;
  network.links = {linearLink(0, 1, 10, 0), linearLink(0, 1, 12, 0)};
  network.links[0].toll = 5.0;  // tolled fast route
  network.buildAdjacency();
  OdDemand demand;
  demand.byOrigin.resize(2);
  demand.byOrigin[0].push_back({1, 1.0});
  CHECK(assignUserEquilibrium(network, demand).flows[0] == doctest::Approx(1.0));
  network.tollFactor = 1.0;  // now 15 vs 12
  CHECK(assignUserEquilibrium(network, demand).flows[1] == doctest::Approx(1.0));
  network.tollFactor = 0.0;
  network.links[1].length = 10.0;
  network.distanceFactor = 0.5;  // 10 vs 17
  CHECK(assignUserEquilibrium(network, demand).flows[0] == doctest::Approx(1.0));
}
