#include <doctest/doctest.h>

#include "citytwin/city/city_index.hpp"
#include "citytwin/testing/tiny_city.hpp"

using namespace citytwin;

TEST_CASE("finding buildings and links by place") {
  const city::CityModel city = testing::tinyCity();
  const city::CityIndex index(city);
  const geo::Vec2 insideB2 = geo::pointOnSurface(city.buildings[2].footprint);
  CHECK(index.buildingAt(insideB2) == 2u);
  CHECK_FALSE(index.buildingAt({500000.0 + 90.0, 4800000.0 + 130.0}));
  // Nearest building to a point just east of B0.
  CHECK(index.nearestBuildings({500000.0 + 48.0, 4800000.0 + 130.0}, 1) == std::vector<std::uint32_t>{0});
  // Nearest links to a point on the south street: its two directions.
  const auto nearest = index.nearestRoadLinks({500000.0 + 50.0, 4800000.0 + 101.0}, 2);
  REQUIRE(nearest.size() == 2);
  CHECK(city.roads.links[nearest[0]].id.rfind("tiny:link/0-1", 0) == 0);
  CHECK(city.roads.links[nearest[1]].id.rfind("tiny:link/0-1", 0) == 0);
  const auto inBlock = index.buildingsIn({500000.0, 4800000.0 + 150.0, 500000.0 + 100.0, 4800000.0 + 200.0});
  CHECK(inBlock == std::vector<std::uint32_t>{1, 2});
}
