#include <doctest/doctest.h>

#include "citytwin/city/road_connectivity.hpp"
#include "citytwin/testing/tiny_city.hpp"

using namespace citytwin;

TEST_CASE("the block is one strongly connected component and the one-way spur a dead end") {
  const city::CityModel city = testing::tinyCity();
  const city::RoadComponents components = city::stronglyConnectedComponents(city.roads);
  // n0..n3 reach each other; n4 can be entered but not left.
  CHECK(components.componentSizes.size() == 2);
  CHECK(components.componentSizes[components.largest] == 4);
  CHECK(components.componentOfNode[4] != components.largest);
  CHECK(components.linksInLargest(city.roads) == 8);
}

TEST_CASE("closing the spur's way back makes the block the only multi-node component") {
  city::CityModel city = testing::tinyCity();
  // Add the reverse of the spur: now everything is one component.
  city::RoadLink back = city.roads.links.back();
  std::swap(back.from, back.to);
  back.id = "tiny:link/1-4:b";
  city.roads.links.push_back(back);
  const city::RoadComponents components = city::stronglyConnectedComponents(city.roads);
  CHECK(components.componentSizes.size() == 1);
  CHECK(components.linksInLargest(city.roads) == city.roads.links.size());
}
