#include "citytwin/energy/typology.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "citytwin/geo/geometry.hpp"

namespace citytwin::energy {
namespace {

// Construction eras; see README "Typology table".
constexpr EraEnvelope kEras[] = {
    {1918, 1.50, 1.20, 1.00, 2.80, 0.75, 0.8, 260000, 3.0},
    {1948, 1.30, 1.10, 0.90, 2.80, 0.75, 0.7, 260000, 3.0},
    {1978, 1.10, 0.80, 0.80, 2.70, 0.75, 0.6, 165000, 2.5},
    {1994, 0.60, 0.40, 0.60, 2.00, 0.70, 0.5, 165000, 2.5},
    {2009, 0.35, 0.25, 0.40, 1.40, 0.60, 0.4, 165000, 2.5},
    {100000, 0.22, 0.16, 0.30, 1.00, 0.50, 0.4, 165000, 2.5},
};

// Uses, in the order of city::BuildingUse.
constexpr UseProfile kUses[] = {
    {16.4, 14.4, 21, 26, false, 0.20, ScheduleKind::Residential},   // Residential
    {44.0, 35.3, 20, 26, true, 0.30, ScheduleKind::Retail},         // Commercial
    {34.3, 30.2, 21, 26, true, 0.40, ScheduleKind::Office},         // Office
    {26.8, 20.8, 18, 28, false, 0.15, ScheduleKind::Industrial},    // Industrial
    {44.0, 35.3, 20, 26, true, 0.30, ScheduleKind::Retail},         // Retail
    {45.0, 25.0, 21, 26, false, 0.30, ScheduleKind::Education},     // Education
    {31.5, 24.0, 22, 26, true, 0.30, ScheduleKind::Health},         // Health
    {34.3, 30.2, 21, 26, true, 0.35, ScheduleKind::Office},         // Public
    {10.0, 5.0, 16, 30, false, 0.10, ScheduleKind::Worship},        // Religious
    {16.4, 14.4, 21, 26, false, 0.20, ScheduleKind::Residential},   // Other
};

// Fractions of peak per hour of day: {weekday, weekend} for each schedule kind.
constexpr double kSchedules[kScheduleKinds][2][24] = {
    // Residential
    {{0.5, 0.4, 0.4, 0.4, 0.4, 0.5, 0.7, 0.8, 0.6, 0.4, 0.4, 0.4, 0.5, 0.5, 0.4, 0.4, 0.5, 0.7, 0.9, 1.0, 1.0, 0.9, 0.8, 0.6},
     {0.5, 0.4, 0.4, 0.4, 0.4, 0.4, 0.5, 0.6, 0.8, 0.8, 0.7, 0.7, 0.8, 0.7, 0.6, 0.6, 0.7, 0.8, 0.9, 1.0, 1.0, 0.9, 0.8, 0.6}},
    // Office
    {{0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.3, 0.6, 1.0, 1.0, 0.8, 0.5, 0.6, 1.0, 0.8, 0.6, 0.3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1},
     {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1}},
    // Retail
    {{0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 0.8, 0.9, 1.0, 1.0, 1.0, 0.9, 0.9, 1.0, 1.0, 0.9, 0.6, 0.3, 0.1, 0.1, 0.1},
     {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.4, 0.8, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.6, 0.3, 0.1, 0.1, 0.1, 0.1, 0.1}},
    // Education
    {{0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.1, 0.5, 1.0, 1.0, 1.0, 1.0, 0.8, 0.8, 0.6, 0.4, 0.2, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05},
     {0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05}},
    // Health
    {{0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.7, 0.9, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.9, 0.8, 0.8, 0.7, 0.7, 0.6, 0.6},
     {0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.7, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.7, 0.7, 0.7, 0.6, 0.6, 0.6}},
    // Industrial
    {{0.2, 0.2, 0.2, 0.2, 0.2, 0.3, 0.8, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.8, 0.8, 0.6, 0.3, 0.2},
     {0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2}},
    // Worship
    {{0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.3, 0.5, 0.3, 0.1, 0.1, 0.1, 0.1},
     {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 1.0, 1.0, 0.5, 0.2, 0.2, 0.2, 0.2, 0.3, 0.5, 0.3, 0.1, 0.1, 0.1, 0.1}},
};

constexpr double kSolarAbsorptance = 0.6;
constexpr double kExternalSurfaceResistance = 0.04;
constexpr double kSkyTemperatureDifference = 11.0;
constexpr double kFrameFraction = 0.25;
constexpr double kWindowCorrection = 0.9;    // F_w of ISO 13790 11.4.2 (no angular data)

}  // namespace

const EraEnvelope& eraEnvelope(int yearBuilt) {
  if (yearBuilt <= 0) return kEras[2];
  for (const EraEnvelope& era : kEras)
    if (yearBuilt <= era.lastYear) return era;
  return kEras[std::size(kEras) - 1];
}

const UseProfile& useProfile(city::BuildingUse use) {
  const auto index = static_cast<std::size_t>(use);
  return kUses[std::min(index, std::size(kUses) - 1)];
}

double scheduleFraction(ScheduleKind kind, int hourOfDay, bool weekend) {
  return kSchedules[static_cast<int>(kind)][weekend ? 1 : 0][std::clamp(hourOfDay, 0, 23)];
}

int effectiveLevels(const city::Building& b) {
  if (b.levels > 0) return b.levels;
  if (b.heightM > 0) return std::max(1, static_cast<int>(std::lround(b.heightM / city::kStoreyHeightM)));
  return 2;
}

double effectiveHeightM(const city::Building& b) {
  if (b.heightM > 0) return b.heightM;
  return effectiveLevels(b) * city::kStoreyHeightM;
}

BuildingThermalModel deriveThermalModel(const city::Building& b, const EnvelopeOverride& envelope) {
  const EraEnvelope& era = eraEnvelope(b.yearBuilt);
  const UseProfile& use = useProfile(b.use);
  BuildingThermalModel m;
  m.use = &use;
  m.modernHeating = envelope.retrofitted || b.yearBuilt >= 1995;
  const double uWall = envelope.retrofitted ? envelope.uWall : era.uWall;
  const double uRoof = envelope.retrofitted ? envelope.uRoof : era.uRoof;
  const double uFloor = envelope.retrofitted ? envelope.uFloor : era.uFloor;
  const double uWindow = envelope.retrofitted ? envelope.uWindow : era.uWindow;
  const double footprint = std::max(b.footprintAreaM2(), 1.0);
  const double height = effectiveHeightM(b);
  const int levels = effectiveLevels(b);
  m.footprintAreaM2 = footprint;
  m.floorAreaM2 = footprint * levels;

  // Walls from the footprint's outer rings: each edge is a façade of edge length x height, facing outwards.
  double wallConductance = 0, windowConductance = 0;
  double perimeter = 0;
  for (const geo::Polygon& polygon : b.footprint) {
    const geo::Ring& ring = polygon.outer;
    if (ring.size() < 3) continue;
    const double orientationSign = geo::signedRingArea(ring) >= 0 ? 1.0 : -1.0;   // CCW: outward = right of edge
    for (std::size_t i = 0; i < ring.size(); ++i) {
      const geo::Vec2 a = ring[i], c = ring[(i + 1) % ring.size()];
      const double dx = c.x - a.x, dy = c.y - a.y;
      const double length = std::hypot(dx, dy);
      if (length <= 0) continue;
      perimeter += length;
      // Outward normal (dy, -dx) for a counter-clockwise ring; compass bearing atan2(east, north).
      double bearing = std::atan2(orientationSign * dy, -orientationSign * dx) * 180.0 / std::numbers::pi;
      if (bearing < 0) bearing += 360.0;
      const int bin = static_cast<int>(std::lround(bearing / 45.0)) % kFacadeOrientations;
      const double gross = length * height;
      const double window = gross * use.windowToWallRatio;
      const double wall = gross - window;
      wallConductance += uWall * wall;
      windowConductance += uWindow * window;
      m.opaqueAbsorption[bin] += kSolarAbsorptance * kExternalSurfaceResistance * uWall * wall;
      m.windowAperture[bin] += window * (1.0 - kFrameFraction) * era.gWindow * kWindowCorrection;
      m.skyRadiationLossW += 0.5 * 5.0 * 0.9 * kSkyTemperatureDifference * kExternalSurfaceResistance * (uWall * wall + uWindow * window);
    }
  }
  if (perimeter == 0) {
    // No usable outline: a square of the same area facing the four cardinal directions.
    const double side = std::sqrt(footprint);
    for (int bin = 0; bin < kFacadeOrientations; bin += 2) {
      const double gross = side * height, window = gross * use.windowToWallRatio, wall = gross - window;
      wallConductance += uWall * wall;
      windowConductance += uWindow * window;
      m.opaqueAbsorption[bin] += kSolarAbsorptance * kExternalSurfaceResistance * uWall * wall;
      m.windowAperture[bin] += window * (1.0 - kFrameFraction) * era.gWindow * kWindowCorrection;
    }
  }
  m.opaqueAbsorption[kFacadeOrientations] = kSolarAbsorptance * kExternalSurfaceResistance * uRoof * footprint;
  m.skyRadiationLossW += 5.0 * 0.9 * kSkyTemperatureDifference * kExternalSurfaceResistance * uRoof * footprint;

  const double volume = footprint * height;
  FiveR1CParameters& z = m.zone;
  z.hVentilation = 1200.0 * era.airChangesPerHour * volume / 3600.0;
  z.totalArea = 4.5 * m.floorAreaM2;
  z.hAirSurface = 3.45 * z.totalArea;
  z.massArea = era.massAreaFactor * m.floorAreaM2;
  z.hSurfaceMass = 9.1 * z.massArea;
  z.capacity = era.heatCapacityPerM2 * m.floorAreaM2;
  z.hWindow = windowConductance;
  // Ground floor towards the ground with b = 0.5 (ISO 13790's simplified ground factor).
  const double hOpaque = wallConductance + uRoof * footprint + 0.5 * uFloor * footprint;
  z.hMassOutdoor = massToOutdoorConductance(std::min(hOpaque, 0.95 * z.hSurfaceMass), z.hSurfaceMass);
  return m;
}

}  // namespace citytwin::energy
