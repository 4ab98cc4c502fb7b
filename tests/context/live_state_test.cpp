// The live state: a set of entities mapped once to city-state writes in commit order (type order, then
// id), replayed into any city state with the same result as mapping each entity into it.
#include "citytwin/context/live_state.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "citytwin/context/city_mapping.hpp"
#include "citytwin/context/live_city.hpp"
#include "citytwin/testing/tiny_city.hpp"

using namespace citytwin;
using namespace citytwin::context;

namespace {

constexpr const char* kModel = "https://smartdatamodels.org/dataModel.";

Attribute number(double value) {
  Attribute attribute;
  attribute.value = value;
  return attribute;
}

Attribute reference(const std::string& id) {
  Attribute attribute;
  attribute.kind = AttributeKind::Relationship;
  attribute.value = id;
  return attribute;
}

Entity rain(const std::string& id, double mmPerH) {
  return {id, {std::string(kModel) + "Weather/WeatherObserved"}, {{"precipitation", {number(mmPerH)}}}, 0, 0};
}

Entity flow(const std::string& id, double vehiclesPerH) {
  return {id,
          {std::string(kModel) + "Transportation/TrafficFlowObserved"},
          {{"intensity", {number(vehiclesPerH)}}, {"refDevice", {reference("urn:ngsi-ld:Device:traffic-counter-1")}}},
          0,
          0};
}

double value(const city::CityState& state, city::Layer layer, const std::string& column, std::size_t index) {
  return state.column(layer, column).at(index);
}

}  // namespace

TEST_CASE("entities are committed in mapped-type order, then by id; other types are left out") {
  std::vector<Entity> entities{flow("urn:b", 1), rain("urn:z", 2), flow("urn:a", 3),
                               {"urn:other", {"https://example.org/Parking"}, {}, 0, 0}, rain("urn:c", 4)};
  const std::vector<Entity> ordered = inCommitOrder(entities);
  std::vector<std::string> ids;
  for (const auto& entity : ordered) ids.push_back(entity.id);
  // WeatherObserved precedes TrafficFlowObserved in mappedEntityTypes().
  CHECK(ids == std::vector<std::string>{"urn:c", "urn:z", "urn:a", "urn:b"});
}

TEST_CASE("a live state replays the writes of the mapping into every state and summarises them") {
  const city::CityModel city = testing::tinyCity();
  const std::vector<Entity> entities{flow("urn:ngsi-ld:TrafficFlowObserved:1", 600), rain("urn:ngsi-ld:W:2", 12.5),
                                     rain("urn:ngsi-ld:W:1", 7.0)};
  const LiveState live(city, entities);

  // Mapping each entity straight into a state, in commit order, gives the same state.
  city::CityState mapped(city);
  const CityContextMapper mapper(city);
  for (const auto& entity : inCommitOrder(entities)) mapper.apply(entity, mapped);
  for (int branch = 0; branch < 2; ++branch) {
    city::CityState replayed(city);
    live.applyTo(replayed);
    CHECK(value(replayed, city::Layer::Sensor, "value", 1) == value(mapped, city::Layer::Sensor, "value", 1));
    CHECK(value(replayed, city::Layer::RoadLink, "observed_flow_veh_per_h", 0) ==
          value(mapped, city::Layer::RoadLink, "observed_flow_veh_per_h", 0));
  }
  // The later id wins the rain gauge: W:2 commits after W:1.
  CHECK(value(mapped, city::Layer::Sensor, "value", 1) == 12.5);
  CHECK(value(mapped, city::Layer::RoadLink, "observed_flow_veh_per_h", 0) == 600.0);

  const LiveSnapshot& snapshot = live.snapshot();
  CHECK(snapshot.entities == 3);
  CHECK(snapshot.mapped == 3);
  REQUIRE(snapshot.rainfallMmPerH);
  CHECK(*snapshot.rainfallMmPerH == 12.5);
  CHECK_FALSE(snapshot.riverLevelM);
}

TEST_CASE("the live city summarises the values the mapping wrote") {
  LiveCity live(testing::tinyCity());
  live.apply({rain("urn:ngsi-ld:W:1", 7.0), {"urn:other", {"https://example.org/Parking"}, {}, 0, 0}});
  const nlohmann::json summary = live.summary();
  INFO(summary.dump());
  CHECK(summary["mapped_entities"] == 1);
  CHECK(summary["unmapped_entities"] == 1);
  CHECK(summary["columns"]["sensor.value"]["urn:ngsi-ld:Device:rain-gauge-1"] == 7.0);
}
