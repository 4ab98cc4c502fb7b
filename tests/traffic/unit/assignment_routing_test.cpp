#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <set>

#include "citytwin/core/error.hpp"
#include "citytwin/scenario/toml_input.hpp"
#include "citytwin/testing/shared_data.hpp"
#include "citytwin/traffic/assignment_routes.hpp"
#include "citytwin/traffic/city_network.hpp"
#include "citytwin/traffic/traffic_model.hpp"
#include "small_town.hpp"

using namespace citytwin;

namespace {

// 400 trips from the south-west corner to the north-east corner in ten minutes: far more than one street
// carries (900 veh/h), so the equilibrium splits them over several paths.
std::filesystem::path cornerToCornerOd() {
  const auto path = citytwin::testing::scratchDirectory() / "corner_to_corner.csv";
  std::ofstream(path) << "origin,destination,trips,depart_start_s,depart_end_s\nn0_0,n3_3,400,0,600\n";
  return path;
}

std::map<std::vector<std::int32_t>, int> routesOf(const std::string& routing) {
  const city::CityModel town = traffic::testing::smallTown();
  const Value parameters =
      scenario::parseToml("od_file = '" + cornerToCornerOd().string() + "'\nrouting = '" + routing +
                  "'\nvehicle_output_interval = 0\nlink_output_interval = 0\n", "");
  city::CityState state(town);
  traffic::TrafficModel model;
  sim::ModelContext context{
      town, parameters, "scenario.toml", ".", citytwin::testing::scratchDirectory(), 7, 0, "", {}};
  model.initialise(context, state);
  std::map<std::vector<std::int32_t>, int> routes;
  for (std::size_t t = 0; t < model.simulation().trips().size(); ++t)
    ++routes[model.simulation().route(static_cast<std::int32_t>(t))];
  return routes;
}

}  // namespace

TEST_CASE("assignment routing spreads vehicles over the paths the equilibrium uses") {
  const auto freeFlow = routesOf("free_flow");
  CHECK(freeFlow.size() == 1);

  const auto assigned = routesOf("assignment");
  CHECK(assigned.size() >= 3);
  int vehicles = 0;
  for (const auto& [route, count] : assigned) vehicles += count;
  CHECK(vehicles == 400);
  CHECK(assigned == routesOf("assignment"));  // the same seed draws the same paths

  // The equilibrium itself: both links out of the corner carry flow, and the vehicles leave by them in
  // proportion to it.
  const city::CityModel town = traffic::testing::smallTown();
  const traffic::MicroNetwork network = traffic::buildCityNetwork(town.roads);
  std::vector<double> capacity;
  for (const auto& link : town.roads.links) capacity.push_back(link.capacityVehPerHour);
  const traffic::AssignmentRoutes equilibrium(network, capacity, {{0, 15, 400.0 * 3600.0 / 900.0}});
  CHECK(equilibrium.relativeGap() < 1e-3);
  std::map<std::int32_t, double> firstLinkShare;
  double out = 0.0;
  for (std::size_t l = 0; l < network.links.size(); ++l)
    if (network.links[l].from == 0) {
      firstLinkShare[static_cast<std::int32_t>(l)] = equilibrium.linkFlows()[l];
      out += equilibrium.linkFlows()[l];
    }
  REQUIRE(firstLinkShare.size() == 2);
  std::map<std::int32_t, int> firstLinkVehicles;
  for (const auto& [route, count] : assigned) firstLinkVehicles[route.front()] += count;
  for (const auto& [link, flow] : firstLinkShare) {
    CHECK(flow > 0.2 * out);
    CHECK(static_cast<double>(firstLinkVehicles[link]) / vehicles ==
          doctest::Approx(flow / out).epsilon(0.15));
  }
}

TEST_CASE("an unknown routing is an InputError naming the key") {
  const city::CityModel town = traffic::testing::smallTown();
  const Value parameters = scenario::parseToml("routing = 'fastest'\n", "");
  city::CityState state(town);
  traffic::TrafficModel model;
  sim::ModelContext context{
      town, parameters, "scenario.toml", ".", citytwin::testing::scratchDirectory(), 7, 0, "", {}};
  CHECK_THROWS_WITH_AS(model.initialise(context, state), doctest::Contains("routing"), InputError);
}
