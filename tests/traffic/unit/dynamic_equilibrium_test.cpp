#include "citytwin/traffic/dynamic_equilibrium.hpp"

#include <doctest/doctest.h>
#include <tbb/global_control.h>

#include "citytwin/traffic/strong_components.hpp"
#include "micro_network_builder.hpp"

using namespace citytwin::traffic;
using citytwin::traffic::testing::addLink;
using citytwin::traffic::testing::label;

namespace {

// Two routes from node 0 to node 3: a short one over node 1 (links 1-2, 400 m) and one over node 2 (links
// 3-4, 800 m). Each narrows from two lanes to one at its middle node, so a queue forms on its own first
// link (1 or 3). Entry (link 0) and exit (link 5) have two lanes. Free-flow routing sends everyone over
// node 1.
MicroNetwork twoRoutes() {
  MicroNetwork network;
  network.nodeCount = 5;
  addLink(network, 4, 0, 100.0, 2);  // 0: entry
  addLink(network, 0, 1, 200.0, 2);  // 1
  addLink(network, 1, 3, 200.0, 1);  // 2
  addLink(network, 0, 2, 400.0, 2);  // 3
  addLink(network, 2, 3, 400.0, 1);  // 4
  addLink(network, 3, 4, 100.0, 2);  // 5: exit
  network.nodeCount = 6;
  addLink(network, 5, 0, 100.0, 2);  // 6: a second entry (one entry alone cannot insert enough vehicles)
  for (MicroLink& link : network.links) link.speedLimit = 13.89;
  for (auto [from, to] : {std::pair{0, 1}, {1, 2}, {2, 5}, {0, 3}, {3, 4}, {4, 5}, {5, 0}, {6, 1}, {6, 3}})
    network.movements.push_back(Movement{from, to});
  network.finalise();
  return network;
}

std::vector<TripRequest> demand(int vehicles, double everyS) {
  std::vector<TripRequest> trips;
  for (int k = 0; k < vehicles; ++k)
    trips.push_back({label("t", k), {k % 2 ? 6 : 0, 1, 2, 5}, k * everyS, 0});
  return trips;
}

DynamicEquilibriumResult equilibrate(std::vector<TripRequest>& trips, int threads, double targetGap = 0.0) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  DynamicEquilibriumOptions options;
  options.maxIterations = 5;
  options.targetRelativeGap = targetGap;
  options.intervalS = 60.0;
  options.endS = 1200.0;
  options.seed = 3;
  MicrosimulationOptions simulation;
  simulation.timeStep = 0.5;
  return iterateDynamicEquilibrium(twoRoutes(), {VehicleType{}}, simulation, trips, options);
}

}  // namespace

TEST_CASE("the dynamic equilibrium spreads a bottlenecked demand over both routes and lowers the gap") {
  std::vector<TripRequest> trips = demand(300, 1.2);  // 3,000 veh/h from both entries for a single lane
  const DynamicEquilibriumResult result = equilibrate(trips, 2);
  REQUIRE(result.gaps.size() == 5);
  INFO("gaps " << result.gaps[0] << " ... " << result.gaps.back());
  CHECK(result.gaps.front() > 0.05);  // everyone on the short route: queues make the other one faster
  CHECK(result.relativeGap == result.gaps.back());
  CHECK(result.relativeGap < 0.5 * result.gaps.front());
  int viaNodeTwo = 0;
  for (const TripRequest& trip : trips) {
    CHECK((trip.route.front() == 0 || trip.route.front() == 6));
    CHECK(trip.route.back() == 5);
    viaNodeTwo += trip.route[1] == 3;
  }
  CHECK(viaNodeTwo > 30);
  CHECK(viaNodeTwo < 270);
}

TEST_CASE("the dynamic equilibrium gives identical routes and gaps for 1 and 2 threads") {
  std::vector<TripRequest> one = demand(300, 1.2), two = demand(300, 1.2);
  const DynamicEquilibriumResult a = equilibrate(one, 1);
  const DynamicEquilibriumResult b = equilibrate(two, 2);
  CHECK(a.gaps == b.gaps);
  CHECK(a.reroutedTrips == b.reroutedTrips);
  for (std::size_t k = 0; k < one.size(); ++k) CHECK(one[k].route == two[k].route);
}

TEST_CASE("an uncongested demand is at equilibrium on free-flow routes after one simulation") {
  std::vector<TripRequest> trips = demand(10, 30.0);
  const DynamicEquilibriumResult result = equilibrate(trips, 2, 0.01);
  CHECK(result.iterations == 1);
  CHECK(result.relativeGap < 0.01);
  CHECK(result.reroutedTrips == 0);
}

TEST_CASE("the largest strongly connected component leaves out links that cannot be returned from") {
  MicroNetwork network = twoRoutes();
  network.nodeCount = 7;
  addLink(network, 4, 6, 50.0, 1);  // 7: a dead end nobody can leave
  network.movements.push_back(Movement{5, 7});
  network.finalise();
  const auto mask = largestStronglyConnectedLinks(network);
  REQUIRE(mask.size() == 8);
  for (int l = 0; l < 6; ++l) CHECK(mask[static_cast<std::size_t>(l)] == 1);
  CHECK(mask[6] == 0);  // the second entry cannot be reached
  CHECK(mask[7] == 0);
  network.links[3].closed = true;  // closed links are not part of it
  CHECK(largestStronglyConnectedLinks(network)[3] == 0);
}
