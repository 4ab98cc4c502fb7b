#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "citytwin/energy/irradiance.hpp"

namespace citytwin::energy {

struct OpaqueElement {
  std::string name;
  double areaM2 = 0;
  double u = 0;
  double azimuthDeg = 0;
  double tiltDeg = 90;
  bool towardsGround = false;        // adjacent = "ground": no sun, no sky radiation
  double temperatureFactor = 1.0;    // b: share of the outdoor temperature difference across the element
  double solarAbsorptance = 0.6;
  double emissivity = 0.9;
};

struct WindowElement {
  std::string name;
  double areaM2 = 0;
  double u = 0;
  double gValue = 0.6;                          // at normal incidence
  std::vector<double> incidenceCoefficients{1.0};  // g(theta)/g(0) = sum a_k theta^k, theta in rad
  double frameFraction = 0.0;
  double shadingFactor = 1.0;
  double azimuthDeg = 180;
  double tiltDeg = 90;
};

// The heating (and cooling) plant that turns thermal demand into fuel and electricity.
enum class HeatingSystemKind { Ideal, Boiler, HeatPump };
struct HeatingSystem {
  HeatingSystemKind kind = HeatingSystemKind::Ideal;
  double boilerEfficiency = 0.9;
  double heatPumpSupplyC = 35.0;        // flow temperature: 35 C floor heating, 55 C radiators
  double heatPumpCarnotEfficiency = 0.45;
  double coolingEer = 3.0;
};

// A single-zone building as the ISO 13790 5R1C model sees it: the format of ASHRAE 140's case600.toml
// ([building], [building.mass], [[building.opaque]], [[building.window]]) with optional extensions
// ([building.solar], [building.system]); see models/energy/README.md.
struct BuildingSpec {
  std::string name;
  std::string source;
  double floorAreaM2 = 0;
  double volumeM3 = 0;
  double airChangesPerHour = 0;
  double internalGainsW = 0;
  double surfaceHeatTransfer = 3.45;   // h_is (W/m2K)
  std::optional<double> heatingSetpointC, coolingSetpointC;
  double maxHeatingW = 1e300, maxCoolingW = 1e300;
  double heatCapacityPerFloorArea = 165000;   // J/(m2 K): ISO 13790 "medium"
  double massAreaFactor = 2.5;
  std::vector<OpaqueElement> opaque;
  std::vector<WindowElement> windows;
  SkyDiffuseModel skyModel = SkyDiffuseModel::Perez;
  double groundReflectance = 0.2;
  double externalSurfaceResistance = 0.04;   // R_se (m2K/W)
  double skyTemperatureDifferenceK = 11.0;   // ISO 13790 11.4.6
  double windowCorrectionFactor = 1.0;       // F_w; 0.9 in ISO 13790 when no angular data is given
  HeatingSystem system;
};

// Reads a building spec; throws InputError naming file, line and key for missing keys, wrong types, unknown keys
// and values out of range.
BuildingSpec readBuildingSpec(const std::filesystem::path& path);
BuildingSpec parseBuildingSpec(const std::string& text, const std::string& sourceName);

}  // namespace citytwin::energy
