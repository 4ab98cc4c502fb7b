#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "citytwin/city/building.hpp"
#include "citytwin/energy/five_r1c.hpp"

namespace citytwin::energy {

// Façade orientations the city model bins walls into (compass bearings 0, 45, ..., 315), plus the roof.
inline constexpr int kFacadeOrientations = 8;
inline constexpr int kSolarSurfaces = kFacadeOrientations + 1;   // index 8: roof (horizontal)

// Daily profile families for internal gains and electricity (see the typology table in the README).
enum class ScheduleKind : std::uint8_t { Residential, Office, Retail, Education, Health, Industrial, Worship };
inline constexpr int kScheduleKinds = 7;

// Envelope of a construction era (TABULA/IWU-like values for Central Europe).
struct EraEnvelope {
  int lastYear;           // era covers years up to this one
  double uWall, uRoof, uFloor, uWindow, gWindow, airChangesPerHour;
  double heatCapacityPerM2, massAreaFactor;   // ISO 13790 classes: heavy 260 kJ/m2K / 3.0, medium 165 kJ/m2K / 2.5
};
// Internal loads of a use (CEA DE use types: occupant gains + appliances + lighting).
struct UseProfile {
  double internalGainsWPerM2;     // peak sensible internal gains
  double electricityWPerM2;       // peak appliances and lighting electricity
  double heatingSetpointC, coolingSetpointC;
  bool cooled;
  double windowToWallRatio;
  ScheduleKind schedule;
};

const EraEnvelope& eraEnvelope(int yearBuilt);   // year 0 (unknown) takes the 1949-1978 era
const UseProfile& useProfile(city::BuildingUse use);
// Fraction of peak internal gains/electricity in `hourOfDay` (0..23) on a weekday or a weekend day.
double scheduleFraction(ScheduleKind kind, int hourOfDay, bool weekend);

// What-if changes to the envelope of a building.
struct EnvelopeOverride {
  bool retrofitted = false;
  double uWall = 0.2, uRoof = 0.15, uWindow = 1.0, uFloor = 0.25;
};

// Everything the city model needs to know of one building, derived from footprint, height or levels, use and year.
struct BuildingThermalModel {
  FiveR1CParameters zone;
  double floorAreaM2 = 0;
  double footprintAreaM2 = 0;
  // Solar gain per W/m2 on each orientation: effective window aperture (g, frame; multiplied by the transmitted
  // irradiance) and opaque absorption factor alpha R_se U A (multiplied by the total irradiance).
  std::array<double, kSolarSurfaces> windowAperture{};
  std::array<double, kSolarSurfaces> opaqueAbsorption{};
  double skyRadiationLossW = 0;   // constant extra loss to the sky (ISO 13790 11.3.5)
  const UseProfile* use = nullptr;
  bool modernHeating = false;     // low-temperature heat distribution (built 1995 or later, or retrofitted)
};

BuildingThermalModel deriveThermalModel(const city::Building& building, const EnvelopeOverride& envelope = {});

// Storeys and height from what is known: levels, else height / 3 m, else 2 storeys.
int effectiveLevels(const city::Building& building);
double effectiveHeightM(const city::Building& building);

}  // namespace citytwin::energy
