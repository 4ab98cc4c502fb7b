// The 5R1C zone against its own network solved by hand, and the building spec reader's errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

#include "citytwin/core/error.hpp"
#include "citytwin/energy/building_spec.hpp"
#include "citytwin/energy/five_r1c.hpp"
#include "citytwin/energy/solar.hpp"
#include "citytwin/energy/solar_series.hpp"
#include "citytwin/energy/weather.hpp"
#include "citytwin/testing/shared_data.hpp"

using namespace citytwin::energy;

namespace {

FiveR1CParameters smallZone() {
  FiveR1CParameters p;
  p.hVentilation = 20;
  p.totalArea = 4.5 * 50;
  p.hAirSurface = 3.45 * p.totalArea;
  p.hWindow = 15;
  p.massArea = 2.5 * 50;
  p.hSurfaceMass = 9.1 * p.massArea;
  p.hMassOutdoor = massToOutdoorConductance(40, p.hSurfaceMass);
  p.capacity = 165000.0 * 50;
  return p;
}

// A box with a 10 m2 south window: the spec format of ASHRAE 140's case files.
const char* kSpec = R"([building]
name = "box"
floor_area_m2 = 50.0
volume_m3 = 150.0
air_changes_per_hour = 0.5
internal_gains_w = 300.0
heating_setpoint_c = 20.0

[building.mass]
heat_capacity_j_per_m2k = 165000.0
area_factor = 2.5

[[building.opaque]]
name = "walls"
area_m2 = 100.0
u_w_per_m2k = 0.4
azimuth_deg = 0
tilt_deg = 90

[[building.window]]
name = "south"
area_m2 = 10.0
u_w_per_m2k = 1.4
g_value = 0.6
azimuth_deg = 180
tilt_deg = 90
)";

std::string errorOf(const std::string& text) {
  try {
    (void)parseBuildingSpec(text, "spec.toml");
  } catch (const citytwin::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("steady state of the 5R1C network equals the hand-solved network") {
  const FiveR1CParameters p = smallZone();
  const FiveR1CZone zone(p);
  // With 1 kW at the air node and the outdoors at 0 C, the steady air temperature is 1000 W over the
  // conductance seen from the air node: H_ve in parallel with H_is in series with (H_w parallel (H_ms series H_em)).
  const double massPath = 1.0 / (1.0 / p.hSurfaceMass + 1.0 / p.hMassOutdoor);
  const double surfaceToOutdoor = p.hWindow + massPath;
  const double throughSurfaces = 1.0 / (1.0 / p.hAirSurface + 1.0 / surfaceToOutdoor);
  const double expected = 1000.0 / (p.hVentilation + throughSurfaces);
  double mass = 0;
  ZoneStep step;
  for (int hour = 0; hour < 24 * 200; ++hour) {
    step = zone.step(mass, {0, 0, 0, 0}, 1000.0);
    mass = step.massEndC;
  }
  CHECK(step.airC == doctest::Approx(expected).epsilon(1e-9));
  CHECK(step.surfaceC < step.airC);
  CHECK(step.meanMassC < step.surfaceC);
}

TEST_CASE("the controlled step holds the setpoint exactly and respects capacity") {
  const FiveR1CZone zone(smallZone());
  ZoneControl control;
  control.heatingSetpointC = 20;
  control.coolingSetpointC = 26;
  const ZoneStep cold = zone.controlledStep(15, {-5, -5, 200, 0}, control);
  CHECK(cold.airC == doctest::Approx(20.0).epsilon(1e-12));
  CHECK(cold.hvacW > 0);
  const ZoneStep hot = zone.controlledStep(30, {32, 32, 200, 3000}, control);
  CHECK(hot.airC == doctest::Approx(26.0).epsilon(1e-12));
  CHECK(hot.hvacW < 0);
  control.maxHeatingW = 100;
  const ZoneStep capped = zone.controlledStep(15, {-5, -5, 200, 0}, control);
  CHECK(capped.hvacW == doctest::Approx(100.0));
  CHECK(capped.airC < 20.0);
  // The affine response reproduces the full step.
  const auto air = zone.airResponse();
  CHECK(air.massStart * 15 + air.outdoor * -5 + air.supply * -5 + air.internal * 200 + air.hvac * cold.hvacW ==
        doctest::Approx(cold.airC).epsilon(1e-12));
}

TEST_CASE("building spec: values, defaults and extensions") {
  BuildingSpec s = parseBuildingSpec(kSpec, "box.toml");
  CHECK(s.floorAreaM2 == 50.0);
  CHECK(s.heatingSetpointC.value() == 20.0);
  CHECK_FALSE(s.coolingSetpointC.has_value());
  CHECK(s.surfaceHeatTransfer == 3.45);
  CHECK(s.skyModel == SkyDiffuseModel::Perez);
  s = parseBuildingSpec(std::string(kSpec) + "\n[building.system]\nkind = \"heat_pump\"\nheat_pump_supply_temperature_c = 55\n", "box.toml");
  CHECK(s.system.kind == HeatingSystemKind::HeatPump);
  CHECK(s.system.heatPumpSupplyC == 55.0);
}

TEST_CASE("building spec errors name file, line and key") {
  std::string spec = kSpec;
  const std::string unknown = errorOf(spec.replace(spec.find("volume_m3"), 9, "volume_m4"));
  CHECK(unknown.find("spec.toml:4") != std::string::npos);
  CHECK(unknown.find("building.volume_m4") != std::string::npos);
  spec = kSpec;
  const std::string type = errorOf(spec.replace(spec.find("0.4"), 3, "\"thin\""));
  CHECK(type.find("spec.toml:16") != std::string::npos);
  CHECK(type.find("u_w_per_m2k") != std::string::npos);
  spec = kSpec;
  const std::string missing = errorOf(spec.replace(spec.find("floor_area_m2 = 50.0"), 20, ""));
  CHECK(missing.find("floor_area_m2") != std::string::npos);
  CHECK(missing.find("missing") != std::string::npos);
  CHECK(errorOf("[building\nname=1").find("spec.toml:1") != std::string::npos);
}

TEST_CASE("sun position: solar noon, equinox and azimuth conventions") {
  // Near the March equinox at longitude 0, UTC: the sun is due south at about 12:07, at zenith ~ latitude.
  const SunPosition noon = sunPosition(80, 12.12, 45.0, 0.0, 0.0);
  CHECK(noon.zenithDeg == doctest::Approx(45.0).epsilon(0.01));
  CHECK(std::abs(noon.azimuthDeg - 180.0) < 1.0);
  CHECK(sunPosition(80, 8.0, 45.0, 0.0, 0.0).azimuthDeg < 180.0);   // morning: east of south
  CHECK(sunPosition(80, 16.0, 45.0, 0.0, 0.0).azimuthDeg > 180.0);
  CHECK(sunPosition(172, 0.0, 45.0, 0.0, 0.0).zenithDeg > 90.0);     // midnight
  CHECK(relativeAirmass(0) == doctest::Approx(1.0).epsilon(0.001));
}

TEST_CASE("window angular transmittance and heat pump COP") {
  const std::vector<double> a{1.0, -0.189, 0.644, -0.596};
  // A polynomial in the incidence angle (rad): 1 at normal incidence, 0.859 at 1 rad, clipped to 0 at
  // grazing.
  CHECK(incidenceFactor(a, 1.0) == doctest::Approx(1.0));
  CHECK(incidenceFactor(a, std::cos(1.0)) == doctest::Approx(1.0 - 0.189 + 0.644 - 0.596));
  CHECK(incidenceFactor(a, std::cos(1.5)) ==
        doctest::Approx(1.0 - 0.189 * 1.5 + 0.644 * 2.25 - 0.596 * 3.375));
  CHECK(incidenceFactor(a, 1e-9) == 0.0);
  CHECK(incidenceFactor(a, 0.0) == 0.0);
  CHECK(heatPumpCop(7, 35, 0.45) == doctest::Approx(0.45 * 308.15 / 28));
  CHECK(heatPumpCop(-10, 55, 0.45) < heatPumpCop(7, 55, 0.45));
}

TEST_CASE("EPW errors name the line") {
  const auto path = citytwin::testing::scratchDirectory() / "bad.epw";
  {
    std::ofstream out(path);
    out << "LOCATION,Nowhere,,,TMY3,0,45.0,7.0,1.0,100.0\n";
    for (int i = 2; i <= 8; ++i) out << "HEADER LINE " << i << "\n";
    out << "1995,1,1,1,0,flags,abc,-19.7,85,83700,0,0,181,0,0,0,0,0,0,0,0,0.0\n";
  }
  try {
    (void)readEpw(path);
    FAIL("expected an error");
  } catch (const citytwin::InputError& e) {
    CHECK(std::string(e.what()).find("bad.epw:9") != std::string::npos);
    CHECK(std::string(e.what()).find("dry bulb") != std::string::npos);
  }
}

TEST_CASE("every kind of malformed building spec names the file, the line and the key") {
  const auto lineOf = [](const std::string& text, const std::string& needle) {
    const auto at = text.find(needle);
    REQUIRE(at != std::string::npos);
    return "spec.toml:" +
           std::to_string(1 + std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
  };
  const auto expect = [](const std::string& message, std::initializer_list<std::string> parts) {
    INFO(message);
    REQUIRE_FALSE(message.empty());
    for (const std::string& part : parts) CHECK(message.find(part) != std::string::npos);
  };
  const std::string spec = kSpec;
  const auto with = [&](const std::string& from, const std::string& to) {
    std::string text = spec;
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
  };
  // Missing section and missing keys: the table that lacks the key.
  expect(errorOf("[house]\nname = \"x\"\n"), {"spec.toml", "building", "missing [building] table"});
  expect(errorOf(with("g_value = 0.6\n", "")),
         {lineOf(spec, "[[building.window]]"), "building.window.g_value", "missing"});
  expect(errorOf(with("heat_capacity_j_per_m2k = 165000.0\n", "")),
         {lineOf(spec, "[building.mass]"), "building.mass.heat_capacity_j_per_m2k", "missing"});
  // Non-numeric values and values of the wrong kind, on their own line.
  expect(errorOf(with("area_m2 = 10.0", "area_m2 = \"ten\"")),
         {lineOf(spec, "area_m2 = 10.0"), "building.window.area_m2", "expected a number"});
  expect(errorOf(with("name = \"box\"", "name = 3")), {"spec.toml:2", "building.name", "expected a string"});
  expect(errorOf(with("[building.mass]", "mass = 4\n[building.solar]")),
         {"building.mass", "expected a table"});
  expect(errorOf(spec + "incidence_angle_coefficients = [1.0, \"x\"]\n"),
         {"building.window.incidence_angle_coefficients", "expected numbers"});
  expect(errorOf(spec + "incidence_angle_coefficients = [0.0, 1.0]\n"),
         {"building.window.incidence_angle_coefficients",
          "first coefficient (normal incidence) must be positive"});
  // Values outside their range, inconsistent setpoints, an unknown system.
  expect(errorOf(with("g_value = 0.6", "g_value = 1.6")),
         {lineOf(spec, "g_value"), "building.window.g_value", "outside"});
  expect(errorOf(with("heating_setpoint_c = 20.0", "heating_setpoint_c = 20.0\ncooling_setpoint_c = 18.0")),
         {"spec.toml:8", "cooling_setpoint_c", "below the heating setpoint"});
  expect(errorOf(spec + "[building.system]\nkind = \"stove\"\n"), {"building.system.kind", "heat_pump"});
  // Not TOML at all, and a file that is not there.
  expect(errorOf("[building]\nname = \"box\nfloor_area_m2 = 50\n"), {"spec.toml:2"});
  CHECK_THROWS_WITH_AS((void)readBuildingSpec("/nonexistent/spec.toml"),
                       doctest::Contains("/nonexistent/spec.toml"), citytwin::Error);
}
