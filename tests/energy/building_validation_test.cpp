// ASHRAE 140-2020 Case 600 and 600FF with the Denver TMY3 weather: annual heating and cooling, and the annual
// mean free-floating temperature, inside the acceptance ranges stored in the case files ([expected]).
#include <doctest/doctest.h>
#include <toml++/toml.h>

#include "citytwin/energy/building_simulation.hpp"
#include "citytwin/energy/building_spec.hpp"
#include "citytwin/energy/weather.hpp"
#include "citytwin/testing/shared_data.hpp"

using namespace citytwin::energy;

namespace {
std::pair<double, double> range(const toml::table& file, const char* key) {
  const toml::array* a = file["expected"][key].as_array();
  REQUIRE(a != nullptr);
  REQUIRE(a->size() == 2);
  return {a->get(0)->value<double>().value(), a->get(1)->value<double>().value()};
}
}  // namespace

TEST_CASE("ASHRAE 140 Case 600: annual heating and cooling inside the acceptance ranges") {
  const auto bestest = citytwin::testing::sharedData("energy/bestest/case600.toml");
  const auto epw = citytwin::testing::sharedData("energy/weather/USA_CO_Denver.Intl.AP.725650_TMY3.epw");
  if (!bestest || !epw) return;
  const toml::table file = toml::parse_file(bestest->string());
  const BuildingYear y = simulateBuildingYear(readBuildingSpec(*bestest), readEpw(*epw));
  const auto heating = range(file, "annual_heating_mwh");
  const auto cooling = range(file, "annual_cooling_mwh");
  INFO("heating " << y.heatingMwh << " MWh, cooling " << y.coolingMwh << " MWh, peaks " << y.peakHeatingKw << " / "
                  << y.peakCoolingKw << " kW");
  CHECK(y.heatingMwh >= heating.first);
  CHECK(y.heatingMwh <= heating.second);
  CHECK(y.coolingMwh >= cooling.first);
  CHECK(y.coolingMwh <= cooling.second);
  // Setpoints hold: the air never leaves [20, 27] C.
  CHECK(y.minAirC >= 20.0 - 1e-9);
  CHECK(y.maxAirC <= 27.0 + 1e-9);
}

TEST_CASE("ASHRAE 140 Case 600FF: annual mean free-floating temperature inside the acceptance range") {
  const auto bestest = citytwin::testing::sharedData("energy/bestest/case600ff.toml");
  const auto epw = citytwin::testing::sharedData("energy/weather/USA_CO_Denver.Intl.AP.725650_TMY3.epw");
  if (!bestest || !epw) return;
  const toml::table file = toml::parse_file(bestest->string());
  const BuildingYear y = simulateBuildingYear(readBuildingSpec(*bestest), readEpw(*epw));
  const auto mean = range(file, "annual_mean_air_temperature_c");
  INFO("min " << y.minAirC << " mean " << y.meanAirC << " max " << y.maxAirC);
  CHECK(y.meanAirC >= mean.first);
  CHECK(y.meanAirC <= mean.second);
  CHECK(y.heatingMwh == 0.0);
  CHECK(y.coolingMwh == 0.0);
}
