#include "citytwin/energy/building_simulation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "citytwin/energy/solar_series.hpp"

namespace citytwin::energy {

FiveR1CParameters zoneParameters(const BuildingSpec& s) {
  FiveR1CParameters p;
  p.hVentilation = 1200.0 * s.airChangesPerHour * s.volumeM3 / 3600.0;
  p.totalArea = 4.5 * s.floorAreaM2;
  p.hAirSurface = s.surfaceHeatTransfer * p.totalArea;
  p.massArea = s.massAreaFactor * s.floorAreaM2;
  p.hSurfaceMass = 9.1 * p.massArea;
  p.capacity = s.heatCapacityPerFloorArea * s.floorAreaM2;
  for (const WindowElement& w : s.windows) p.hWindow += w.u * w.areaM2;
  double hOpaque = 0;
  for (const OpaqueElement& o : s.opaque) hOpaque += o.temperatureFactor * o.u * o.areaM2;
  p.hMassOutdoor = massToOutdoorConductance(hOpaque, p.hSurfaceMass);
  return p;
}

std::vector<double> solarGains(const BuildingSpec& s, const Weather& weather) {
  const std::vector<SkyState> sky = skyStates(weather);
  std::vector<double> gains(sky.size(), 0.0);
  constexpr double kDeg = 3.14159265358979323846 / 180.0;
  for (const OpaqueElement& o : s.opaque) {
    if (o.towardsGround || o.areaM2 == 0) continue;
    const Plane plane{o.tiltDeg, o.azimuthDeg};
    const double factor = o.solarAbsorptance * s.externalSurfaceResistance * o.u * o.areaM2;
    const double skyView = 0.5 * (1.0 + std::cos(o.tiltDeg * kDeg));
    const double skyLoss = skyView * 5.0 * o.emissivity * s.skyTemperatureDifferenceK * s.externalSurfaceResistance * o.u * o.areaM2;
    for (std::size_t t = 0; t < sky.size(); ++t)
      gains[t] += factor * planeOfArray(plane, sky[t], s.skyModel, s.groundReflectance).total() - skyLoss;
  }
  for (const WindowElement& w : s.windows) {
    if (w.areaM2 == 0) continue;
    const Plane plane{w.tiltDeg, w.azimuthDeg};
    const double area =
        w.areaM2 * (1.0 - w.frameFraction) * w.gValue * w.shadingFactor * s.windowCorrectionFactor;
    const double skyView = 0.5 * (1.0 + std::cos(w.tiltDeg * kDeg));
    const double skyLoss = skyView * 5.0 * 0.84 * s.skyTemperatureDifferenceK * s.externalSurfaceResistance * w.u * w.areaM2;
    // The angular polynomial applies to the beam; diffuse light passes at g(0), as in the Modelica Buildings
    // ISO 13790 glazing model (ISO 13790 11.3.3 itself has no angular term).
    for (std::size_t t = 0; t < sky.size(); ++t) {
      const PlaneIrradiance poa = planeOfArray(plane, sky[t], s.skyModel, s.groundReflectance);
      gains[t] += area * (poa.beam * incidenceFactor(w.incidenceCoefficients, poa.cosIncidence) +
                          poa.skyDiffuse + poa.groundDiffuse) -
                  skyLoss;
    }
  }
  return gains;
}

double hourMeanOutdoorC(const Weather& weather, std::size_t hour) {
  // EPW temperatures are instantaneous values at the end of each hour (the irradiances are averages over it):
  // the mean over the hour is that of its two ends. The first hour of the file wraps around to the last.
  const std::size_t previous = hour == 0 ? weather.hours.size() - 1 : hour - 1;
  return 0.5 * (weather.hours[previous].dryBulbC + weather.hours[hour].dryBulbC);
}

BuildingYear simulateBuildingYear(const BuildingSpec& s, const Weather& weather, int warmupHours) {
  const FiveR1CZone zone(zoneParameters(s));
  const std::vector<double> solar = solarGains(s, weather);
  ZoneControl control;
  if (s.heatingSetpointC) control.heatingSetpointC = *s.heatingSetpointC;
  if (s.coolingSetpointC) control.coolingSetpointC = *s.coolingSetpointC;
  control.maxHeatingW = s.maxHeatingW;
  control.maxCoolingW = s.maxCoolingW;
  const std::size_t n = weather.hours.size();
  double mass = s.heatingSetpointC.value_or(20.0);
  const std::size_t warmup = std::min<std::size_t>(static_cast<std::size_t>(std::max(warmupHours, 0)), n);
  for (std::size_t t = 0; t < warmup; ++t) {
    const double e = hourMeanOutdoorC(weather, t);
    mass = zone.controlledStep(mass, {e, e, s.internalGainsW, solar[t]}, control).massEndC;
  }
  BuildingYear y;
  y.airC.resize(n);
  y.heatingW.resize(n);
  y.coolingW.resize(n);
  y.electricityW.resize(n);
  y.fuelW.resize(n);
  y.minAirC = std::numeric_limits<double>::infinity();
  y.maxAirC = -std::numeric_limits<double>::infinity();
  double sumAir = 0;
  for (std::size_t t = 0; t < n; ++t) {
    const double e = hourMeanOutdoorC(weather, t);
    const ZoneStep step = zone.controlledStep(mass, {e, e, s.internalGainsW, solar[t]}, control);
    mass = step.massEndC;
    y.airC[t] = step.airC;
    y.heatingW[t] = std::max(step.hvacW, 0.0);
    y.coolingW[t] = std::max(-step.hvacW, 0.0);
    switch (s.system.kind) {
      case HeatingSystemKind::Ideal: break;
      case HeatingSystemKind::Boiler: y.fuelW[t] = y.heatingW[t] / s.system.boilerEfficiency; break;
      case HeatingSystemKind::HeatPump:
        y.electricityW[t] = y.heatingW[t] / heatPumpCop(e, s.system.heatPumpSupplyC, s.system.heatPumpCarnotEfficiency);
        break;
    }
    if (s.system.kind != HeatingSystemKind::Ideal) y.electricityW[t] += y.coolingW[t] / s.system.coolingEer;
    y.heatingMwh += y.heatingW[t] * 1e-6;
    y.coolingMwh += y.coolingW[t] * 1e-6;
    y.electricityMwh += y.electricityW[t] * 1e-6;
    y.fuelMwh += y.fuelW[t] * 1e-6;
    y.peakHeatingKw = std::max(y.peakHeatingKw, y.heatingW[t] * 1e-3);
    y.peakCoolingKw = std::max(y.peakCoolingKw, y.coolingW[t] * 1e-3);
    y.minAirC = std::min(y.minAirC, step.airC);
    y.maxAirC = std::max(y.maxAirC, step.airC);
    sumAir += step.airC;
  }
  y.meanAirC = n ? sumAir / static_cast<double>(n) : 0.0;
  return y;
}

}  // namespace citytwin::energy
