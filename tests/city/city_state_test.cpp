#include <doctest/doctest.h>

#include "citytwin/city/city_state.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/testing/tiny_city.hpp"

using namespace citytwin;

TEST_CASE("state columns have one value per object of their layer") {
  const city::CityModel city = testing::tinyCity();
  city::CityState state(city);
  auto& depth = state.column(city::Layer::RoadLink, "max_flood_depth_m");
  CHECK(depth.size() == city.roads.links.size());
  depth[2] = 0.45;
  CHECK(state.has(city::Layer::RoadLink, "max_flood_depth_m"));
  CHECK_FALSE(state.has(city::Layer::Building, "max_flood_depth_m"));
  const city::CityState& view = state;
  CHECK(view.column(city::Layer::RoadLink, "max_flood_depth_m")[2] == 0.45);
  CHECK(state.column(city::Layer::Building, "supplied", 1.0) == std::vector<double>(3, 1.0));
}

TEST_CASE("reading a missing column names layer and attribute") {
  const city::CityState state(testing::tinyCity());
  CHECK_THROWS_WITH_AS(static_cast<void>(state.column(city::Layer::Substation, "energized")),
                       doctest::Contains("'energized' on layer 'substation'"), Error);
  CHECK_THROWS_AS(city::layerFromString("lakes"), Error);
  CHECK((city::layerFromString("road_link") == city::Layer::RoadLink));
}
