#include <doctest/doctest.h>

#include "citytwin/core/error.hpp"
#include "citytwin/core/value_reader.hpp"
#include "citytwin/sim/entity_selector.hpp"
#include "citytwin/sim/model_registry.hpp"
#include "citytwin/scenario/toml_input.hpp"
#include "citytwin/testing/shared_data.hpp"
#include "citytwin/traffic/register.hpp"
#include "citytwin/traffic/traffic_model.hpp"
#include "small_town.hpp"

using namespace citytwin;

namespace {

struct Run {
  traffic::TrafficModel model;
  city::CityState state;
};

void initialise(traffic::TrafficModel& model, const city::CityModel& town, city::CityState& state,
                const Value& parameters, std::vector<sim::Intervention> interventions = {}) {
  sim::ModelContext context{town, parameters, "scenario.toml", ".", testing::scratchDirectory(), 7, 0, "", {}};
  context.interventions = std::move(interventions);
  model.initialise(context, state);
}

// Steps minute by minute; returns the sum over steps of all links' published flows.
double stepMinutes(traffic::TrafficModel& model, city::CityState& state, int minutes) {
  double flows = 0.0;
  for (int m = 0; m < minutes; ++m) {
    const city::CityState published = state;
    model.step(m * sim::kMinute, sim::kMinute, published, state);
    for (double f : state.column(city::Layer::RoadLink, "flow_veh_per_h")) flows += f;
  }
  return flows;
}

sim::Intervention closeRoads(std::vector<std::string> ids) {
  sim::Intervention intervention;
  intervention.kind = "close_road";
  Value linkIds = Value::array();
  for (const auto& id : ids) linkIds.push(id);
  intervention.parameters = Value::table({{"kind", "close_road"}, {"ids", linkIds}});
  intervention.sourceFile = "scenario.toml";
  return intervention;
}

}  // namespace

TEST_CASE("the traffic model generates demand from buildings and publishes flows") {
  const city::CityModel town = traffic::testing::smallTown();
  const Value parameters = scenario::parseToml("trips_per_100m2 = 0.5\ndemand_duration_s = 600\n", "");
  city::CityState state(town);
  traffic::TrafficModel model;
  initialise(model, town, state, parameters);
  const std::size_t trips = model.simulation().trips().size();
  CHECK(trips > 20);
  const double flows = stepMinutes(model, state, 30);
  CHECK(flows > 0.0);
  const sim::Kpis kpis = model.kpis();
  CHECK(kpis.at("trips_not_completed") == 0.0);
  CHECK(kpis.at("mean_travel_time_s") > 30.0);
  CHECK(kpis.at("vehicle_hours_travelled") > 0.0);
  CHECK(kpis.at("vehicle_hours_delay") >= 0.0);

  // Same seed, same result.
  city::CityState again(town);
  traffic::TrafficModel twin;
  initialise(twin, town, again, parameters);
  stepMinutes(twin, again, 30);
  CHECK(twin.kpis() == kpis);
  CHECK(again == state);
}

TEST_CASE("flooded roads are closed and avoided") {
  const city::CityModel town = traffic::testing::smallTown();
  const Value parameters = scenario::parseToml("demand_duration_s = 600\n", "");
  city::CityState state(town);
  auto& depth = state.column(city::Layer::RoadLink, "max_flood_depth_m", 0.0);
  // Flood the whole second row of east-west streets except its ends.
  std::vector<std::size_t> flooded;
  for (std::size_t l = 0; l < town.roads.links.size(); ++l) {
    const auto& link = town.roads.links[l];
    if (town.roads.nodes[link.from].position.x == 150.0 && town.roads.nodes[link.to].position.x == 150.0) {
      depth[l] = 0.5;
      flooded.push_back(l);
    }
  }
  traffic::TrafficModel model;
  initialise(model, town, state, parameters);
  stepMinutes(model, state, 30);
  const auto& closed = state.column(city::Layer::RoadLink, "closed");
  for (std::size_t l : flooded) CHECK(closed[l] == 1.0);
  CHECK(model.simulation().trips().size() > 0);
  std::uint64_t exits = 0;
  for (std::size_t l : flooded) exits += model.simulation().linkCounters()[l].exits;
  CHECK(exits == 0);
}

TEST_CASE("interventions: closing every road to the offices strands their trips; scale_demand scales") {
  const city::CityModel town = traffic::testing::smallTown();
  const Value parameters = scenario::parseToml("demand_duration_s = 600\nwork_share = 1.0\nshop_share = 0\nschool_share = 0\n", "");
  std::vector<std::string> intoCorner;
  for (const auto& link : town.roads.links)
    if (link.to == 15) intoCorner.push_back(link.id);
  {
    city::CityState state(town);
    traffic::TrafficModel model;
    initialise(model, town, state, parameters, {closeRoads(intoCorner)});
    stepMinutes(model, state, 20);
    CHECK(model.kpis().at("trips_not_completed") > 0.0);
  }
  city::CityState base(town), doubled(town);
  traffic::TrafficModel one, two;
  initialise(one, town, base, parameters);
  sim::Intervention scale;
  scale.kind = "scale_demand";
  scale.parameters = Value::table({{"kind", "scale_demand"}, {"factor", 2.0}});
  initialise(two, town, doubled, parameters, {scale});
  const double ratio = static_cast<double>(two.simulation().trips().size()) / static_cast<double>(one.simulation().trips().size());
  CHECK(ratio == doctest::Approx(2.0).epsilon(0.15));
}

TEST_CASE("close_road picks its links with the engine's selector, as set_attribute does") {
  const city::CityModel town = traffic::testing::smallTown();
  geo::BBox extent;
  for (const auto& node : town.roads.nodes) extent.expand(node.position);
  const double middleX = (extent.minX + extent.maxX) / 2;
  const std::string area = "area = { bbox = [" + std::to_string(extent.minX - 1) + ", " +
                           std::to_string(extent.minY - 1) + ", " + std::to_string(middleX) + ", " +
                           std::to_string(extent.maxY + 1) + "] }\n";
  const Value selection = scenario::parseToml(area, "scenario.toml");
  const std::vector<std::uint32_t> expected =
      sim::EntitySelector::parse(ValueReader(selection, "scenario.toml"), city::Layer::RoadLink).resolve(town, 7);
  REQUIRE_FALSE(expected.empty());
  REQUIRE(expected.size() < town.roads.links.size());

  sim::Intervention close;
  close.kind = "close_road";
  close.parameters = scenario::parseToml("kind = 'close_road'\n" + area, "scenario.toml");
  close.sourceFile = "scenario.toml";
  city::CityState state(town);
  traffic::TrafficModel model;
  initialise(model, town, state, scenario::parseToml("demand_duration_s = 600\n", ""), {close});
  stepMinutes(model, state, 1);
  const std::vector<double>& closed = state.column(city::columns::kRoadLinkClosed);
  std::vector<std::uint32_t> closedLinks;
  for (std::uint32_t l = 0; l < closed.size(); ++l)
    if (closed[l] == 1.0) closedLinks.push_back(l);
  CHECK(closedLinks == expected);
}

TEST_CASE("bad [traffic] parameters are InputErrors; the model registers under its name") {
  const city::CityModel town = traffic::testing::smallTown();
  city::CityState state(town);
  traffic::TrafficModel model;
  CHECK_THROWS_AS(initialise(model, town, state, scenario::parseToml("time_step_s = -1\n", "")), InputError);
  CHECK_THROWS_AS(initialise(model, town, state, scenario::parseToml("no_such_key = 1\n", "")), InputError);
  CHECK_THROWS_AS(initialise(model, town, state, scenario::parseToml("", ""), {closeRoads({"nope"})}), InputError);
  sim::ModelRegistry registry;
  traffic::registerTrafficModel(registry);
  REQUIRE(registry.contains("traffic"));
  CHECK(registry.create("traffic")->describe().name == "traffic");
}
