#include <doctest/doctest.h>

#include "citytwin/city/building.hpp"
#include "citytwin/city/road_network.hpp"
#include "citytwin/testing/tiny_city.hpp"

using namespace citytwin;

TEST_CASE("gross floor area is footprint times storeys") {
  const city::CityModel city = testing::tinyCity();
  CHECK(city.buildings[0].footprintAreaM2() == doctest::Approx(500.0));
  CHECK(city.buildings[0].grossFloorAreaM2() == doctest::Approx(1000.0));
  city::Building noLevels = city.buildings[0];
  noLevels.levels = 0;
  noLevels.heightM = 10.0;  // rounds to 3 storeys of 3 m
  CHECK(noLevels.grossFloorAreaM2() == doctest::Approx(1500.0));
}

TEST_CASE("OSM building tags map to uses") {
  CHECK((city::buildingUseFromOsm("apartments", "", "") == city::BuildingUse::Residential));
  CHECK((city::buildingUseFromOsm("yes", "school", "") == city::BuildingUse::Education));
  CHECK((city::buildingUseFromOsm("yes", "", "bakery") == city::BuildingUse::Retail));
  CHECK((city::buildingUseFromOsm("yes", "", "") == city::BuildingUse::Other));
  CHECK((city::buildingUseFromString(city::toString(city::BuildingUse::Health)) == city::BuildingUse::Health));
}

TEST_CASE("road class defaults and drivability") {
  CHECK(city::isDrivableHighwayClass("primary"));
  CHECK_FALSE(city::isDrivableHighwayClass("footway"));
  CHECK(city::roadClassDefaults("motorway").capacityPerLaneVehPerHour == 2000.0);
}
