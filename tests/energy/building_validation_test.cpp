// ASHRAE 140-2020 Cases 600, 600FF, 900 and 900FF with the Denver TMY3 weather: annual heating and cooling,
// and the free-floating temperatures, inside the ranges stored in the case files ([expected]); Case 600 also
// against the Modelica Buildings library's ISO 13790 5R1C model of the same case, and 600FF and 900FF hour by
// hour against that library's own results for its models of them. Cases 600 and 600FF come from
// ../shared/data/energy/bestest; Cases 900 and 900FF (600 with the standard's heavyweight construction) from
// tests/energy/data/bestest, where their specification and sources are written out.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "citytwin/energy/building_simulation.hpp"
#include "citytwin/energy/building_spec.hpp"
#include "citytwin/energy/weather.hpp"
#include "citytwin/scenario/toml_input.hpp"
#include "citytwin/testing/shared_data.hpp"

using namespace citytwin::energy;

namespace {
citytwin::Value readCaseFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), path.string() << ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  return citytwin::scenario::parseToml(text.str(), path.string());
}

std::filesystem::path heavyCase(const char* name) {
  return std::filesystem::path(CITYTWIN_ENERGY_TEST_DATA) / "bestest" / name;
}

double number(const citytwin::Value& file, const std::string& key) {
  const citytwin::Value* a = file.atPath(key);
  REQUIRE(a != nullptr);
  return a->toNumber().value();
}

// (time in seconds, value) rows of a CSV file after its '#' comments and its header line.
std::vector<std::pair<double, double>> readTimeSeries(const std::filesystem::path& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), path.string() << ": cannot open");
  std::vector<std::pair<double, double>> rows;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    const std::size_t comma = line.find(',');
    REQUIRE_MESSAGE(comma != std::string::npos, path.string() << ": no comma in '" << line << "'");
    rows.emplace_back(std::stod(line.substr(0, comma)), std::stod(line.substr(comma + 1)));
  }
  return rows;
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
  INFO("heating " << y.heatingMwh << " MWh, cooling " << y.coolingMwh << " MWh, peaks " << y.peakHeatingKw
                  << " / " << y.peakCoolingKw << " kW");
  CHECK(y.heatingMwh >= heating.first);
  CHECK(y.heatingMwh <= heating.second);
  CHECK(y.coolingMwh >= cooling.first);
  CHECK(y.coolingMwh <= cooling.second);
  // Setpoints hold: the air never leaves [20, 27] C.
  CHECK(y.minAirC >= 20.0 - 1e-9);
  CHECK(y.maxAirC <= 27.0 + 1e-9);
  // The same model class as the Modelica Buildings library's ISO 13790 5R1C (Buildings.ThermalZones.ISO13790,
  // BESTEST Case600), which integrates continuously under PI control with interpolated weather: annual
  // heating and cooling within 4 % of its results (now 3.2 % and 3.7 % above; the goal is 3 %,
  // see the README's validation notes).
  const double modelicaHeating = number(file, "expected.iso13790_5r1c_reference.annual_heating_mwh");
  const double modelicaCooling = number(file, "expected.iso13790_5r1c_reference.annual_cooling_mwh");
  CHECK(std::abs(y.heatingMwh / modelicaHeating - 1.0) <= 0.04);
  CHECK(std::abs(y.coolingMwh / modelicaCooling - 1.0) <= 0.04);
}

TEST_CASE("ASHRAE 140 Case 900 (heavyweight): annual heating and cooling inside the acceptance ranges") {
  const auto epw = citytwin::testing::sharedData("energy/weather/USA_CO_Denver.Intl.AP.725650_TMY3.epw");
  if (!epw) return;
  const auto spec = heavyCase("case900.toml");
  const citytwin::Value file = readCaseFile(spec);
  const BuildingYear y = simulateBuildingYear(readBuildingSpec(spec), readEpw(*epw));
  const auto heating = range(file, "annual_heating_mwh");
  const auto cooling = range(file, "annual_cooling_mwh");
  INFO("heating " << y.heatingMwh << " MWh, cooling " << y.coolingMwh << " MWh, peaks " << y.peakHeatingKw
                  << " / " << y.peakCoolingKw << " kW");
  CHECK(y.heatingMwh >= heating.first);
  CHECK(y.heatingMwh <= heating.second);
  CHECK(y.coolingMwh >= cooling.first);
  CHECK(y.coolingMwh <= cooling.second);
  CHECK(y.minAirC >= 20.0 - 1e-9);
  CHECK(y.maxAirC <= 27.0 + 1e-9);
}

TEST_CASE(
    "ASHRAE 140 Case 900FF (heavyweight): mean and maximum free-floating temperature inside the ranges") {
  const auto epw = citytwin::testing::sharedData("energy/weather/USA_CO_Denver.Intl.AP.725650_TMY3.epw");
  if (!epw) return;
  const auto spec = heavyCase("case900ff.toml");
  const citytwin::Value file = readCaseFile(spec);
  const BuildingYear y = simulateBuildingYear(readBuildingSpec(spec), readEpw(*epw));
  const auto mean = range(file, "annual_mean_air_temperature_c");
  const auto highest = range(file, "max_air_temperature_c");
  INFO("min " << y.minAirC << " mean " << y.meanAirC << " max " << y.maxAirC);
  CHECK(y.meanAirC >= mean.first);
  CHECK(y.meanAirC <= mean.second);
  CHECK(y.maxAirC >= highest.first);
  CHECK(y.maxAirC <= highest.second);
  // The minimum (-1.5 C) lies below the reference programs' 0.6 to 2.2 C, as the Modelica 5R1C's (0.3 C)
  // does: one mass node cools through the night faster than layered walls. Not asserted; the spread is in the
  // case file.
  CHECK(y.heatingMwh == 0.0);
  CHECK(y.coolingMwh == 0.0);
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

// Our hourly air temperature against the Modelica library's regression results for its own model of a
// free-floating case (the one-hour moving average of the air temperature at 100 instants spread over the
// year), with this model fed the same parameters: the weather reading, sun position, Perez transposition,
// glazing and opaque gains, sky radiation, the network and the mass together. The library's stored values
// interpolate linearly between its hour-end outputs, which are the means of the preceding hours: the same
// interpolation of our hourly means.
namespace {
struct TrajectoryDifference {
  double mean = 0, rms = 0, largest = 0;
};

TrajectoryDifference differenceFromModelica(const char* spec, const char* referenceCsv,
                                            const std::filesystem::path& epw) {
  const BuildingYear y = simulateBuildingYear(readBuildingSpec(heavyCase(spec)), readEpw(epw));
  const auto reference = readTimeSeries(heavyCase(referenceCsv));
  REQUIRE(reference.size() == 101);
  TrajectoryDifference d;
  double sumSquares = 0;
  int count = 0;
  for (std::size_t k = 1; k < reference.size(); ++k) {  // k = 0 is the moving average's initial value
    const double hours = reference[k].first / 3600.0;
    const auto f = static_cast<std::size_t>(std::floor(hours));
    const double w = hours - static_cast<double>(f);
    REQUIRE(f >= 1);
    REQUIRE(f <= y.airC.size());
    const double ours = w > 0 ? (1.0 - w) * y.airC[f - 1] + w * y.airC[f] : y.airC[f - 1];
    const double diff = ours - (reference[k].second - 273.15);
    d.mean += diff;
    sumSquares += diff * diff;
    d.largest = std::max(d.largest, std::abs(diff));
    ++count;
  }
  d.mean /= count;
  d.rms = std::sqrt(sumSquares / count);
  return d;
}
}  // namespace

TEST_CASE(
    "Cases 600FF and 900FF: hourly air temperature against the Modelica ISO 13790 model's own results") {
  const auto epw = citytwin::testing::sharedData("energy/weather/USA_CO_Denver.Intl.AP.725650_TMY3.epw");
  if (!epw) return;
  // Measured: 600FF mean +0.01 K, rms 0.72 K, largest 2.7 K; 900FF +0.01 K, 0.39 K, 1.5 K. The largest
  // differences fall in late-morning and evening hours: our gains lead the library's by about a quarter of an
  // hour (energy README).
  SUBCASE("600FF") {
    const TrajectoryDifference d =
        differenceFromModelica("case600ff_modelica.toml", "modelica_case600ff_troohou.csv", *epw);
    INFO("mean difference " << d.mean << " K, rms " << d.rms << " K, largest " << d.largest << " K");
    CHECK(std::abs(d.mean) <= 0.1);
    CHECK(d.rms <= 1.0);
    CHECK(d.largest <= 3.5);
  }
  SUBCASE("900FF") {
    const TrajectoryDifference d =
        differenceFromModelica("case900ff_modelica.toml", "modelica_case900ff_troohou.csv", *epw);
    INFO("mean difference " << d.mean << " K, rms " << d.rms << " K, largest " << d.largest << " K");
    CHECK(std::abs(d.mean) <= 0.1);
    CHECK(d.rms <= 0.6);
    CHECK(d.largest <= 2.0);
  }
}
