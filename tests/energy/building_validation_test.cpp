// ASHRAE 140-2020 Case 600 and 600FF with the Denver TMY3 weather: annual heating and cooling, and the annual
// mean free-floating temperature, inside the acceptance ranges stored in the case files ([expected]).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "citytwin/energy/building_simulation.hpp"
#include "citytwin/energy/building_spec.hpp"
#include "citytwin/energy/weather.hpp"
#include "citytwin/scenario/toml_input.hpp"
#include "citytwin/testing/shared_data.hpp"

using namespace citytwin::energy;

namespace {
citytwin::Value readCaseFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return citytwin::scenario::parseToml(text.str(), path.string());
}

std::pair<double, double> range(const citytwin::Value& file, const char* key) {
  const citytwin::Value* a = file.atPath(std::string("expected.") + key);
  REQUIRE(a != nullptr);
  REQUIRE(a->isArray());
  REQUIRE(a->size() == 2);
  return {a->items()[0].toNumber().value(), a->items()[1].toNumber().value()};
}
}  // namespace

TEST_CASE("ASHRAE 140 Case 600: annual heating and cooling inside the acceptance ranges") {
  const auto bestest = citytwin::testing::sharedData("energy/bestest/case600.toml");
  const auto epw = citytwin::testing::sharedData("energy/weather/USA_CO_Denver.Intl.AP.725650_TMY3.epw");
  if (!bestest || !epw) return;
  const citytwin::Value file = readCaseFile(*bestest);
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
  const citytwin::Value file = readCaseFile(*bestest);
  const BuildingYear y = simulateBuildingYear(readBuildingSpec(*bestest), readEpw(*epw));
  const auto mean = range(file, "annual_mean_air_temperature_c");
  INFO("min " << y.minAirC << " mean " << y.meanAirC << " max " << y.maxAirC);
  CHECK(y.meanAirC >= mean.first);
  CHECK(y.meanAirC <= mean.second);
  CHECK(y.heatingMwh == 0.0);
  CHECK(y.coolingMwh == 0.0);
}
