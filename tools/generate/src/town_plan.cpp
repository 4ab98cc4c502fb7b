#include "town_plan.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "citytwin/core/error.hpp"
#include "seeded_random.hpp"
#include "value_noise.hpp"

namespace citytwin::generate::detail {
namespace {

void requireInRange(double value, double low, double high, const char* option) {
  if (!(value >= low && value <= high)) {
    throw Error("sample city: option " + std::string(option) + " = " + std::to_string(value) +
                " is outside the supported range " + std::to_string(low) + ".." + std::to_string(high));
  }
}

}  // namespace

TownPlan planTown(const SampleCityOptions& options) {
  requireInRange(options.sizeKm, 0.5, 20.0, "size_km");
  requireInRange(options.demCellM, 1.0, 50.0, "dem_cell_m");

  TownPlan plan;
  plan.options = options;
  const std::uint64_t seed = options.seed;
  RandomStream draw(seed, Purpose::Town);
  const double size = options.sizeKm * 1000.0;
  plan.sizeM = size;
  const double west = std::round(kTownCentreEasting - size / 2);
  const double south = std::round(kTownCentreNorthing - size / 2);
  plan.town = {west, south, west + size, south + size};
  // Whole cells of margin so flood water can leave the town and hills frame the valley.
  plan.terrainMarginM = std::ceil(std::max(200.0, 10 * options.demCellM) / options.demCellM) * options.demCellM;

  RiverCourse& river = plan.river;
  river.originX = west - plan.terrainMarginM;
  river.meanY = south + size * draw.uniform(0.36, 0.44);
  const double amplitude = std::min(0.045 * size, 150.0) * draw.uniform(0.8, 1.2);
  const double wavelength = std::clamp(0.9 * size, 700.0, 3200.0) * draw.uniform(0.85, 1.15);
  river.meanders[0] = {amplitude, wavelength, draw.uniform(0.0, 2 * std::numbers::pi)};
  river.meanders[1] = {0.2 * amplitude, 0.5 * wavelength, draw.uniform(0.0, 2 * std::numbers::pi)};
  // The flat bed is at least ~two cells wide so the channel stays a connected depression on the raster.
  river.bedHalfWidthM = std::max(6.0 + 1.5 * options.sizeKm, 0.9 * options.demCellM);
  river.halfWidthM = river.bedHalfWidthM + 5.0;
  river.bedElevationAtOriginM = std::round(draw.uniform(150.0, 210.0));
  river.bedSlope = 0.0008;
  river.bankDepthM = 3.0 + 0.1 * options.sizeKm;

  plan.floodplainHalfWidthM = std::clamp(0.12 * size, 120.0, 600.0);
  plan.valleyRiseM = std::clamp(0.012 * size, 8.0, 40.0);
  plan.valleyRiseScaleM = std::clamp(0.15 * size, 300.0, 1500.0);
  plan.hillAmplitudeM = std::clamp(0.004 * size, 6.0, 30.0);

  // The old town sits on the north bank, as river towns tend to; industry lies downstream on the south bank.
  plan.centre.x = west + size * draw.uniform(0.47, 0.53);
  plan.centre.y = river.centreY(plan.centre.x) + std::clamp(0.12 * size, 150.0, 500.0);
  plan.centreRadiusM = std::clamp(0.15 * size, 250.0, 1200.0);
  plan.industrialCentre.x = west + 0.8 * size;
  plan.industrialCentre.y = river.centreY(plan.industrialCentre.x) - std::clamp(0.15 * size, 200.0, 1200.0);
  plan.industrialRadiusM = std::clamp(0.1 * size, 150.0, 900.0);
  return plan;
}

Zone TownPlan::zoneAt(geo::Vec2 p) const {
  if (geo::distance(p, industrialCentre) < industrialRadiusM) return Zone::Industrial;
  const double r = geo::distance(p, centre);
  if (r < 0.5 * centreRadiusM) return Zone::HistoricCentre;
  if (r < centreRadiusM) return Zone::Centre;
  if (r < 2.2 * centreRadiusM) return Zone::Inner;
  // Larger towns grow more industrial estates on their outskirts.
  if (sizeM >= 3000.0 && valueNoise(options.seed, 7, p.x - town.minX, p.y - town.minY, 1500.0) > 0.8) {
    return Zone::Industrial;
  }
  return Zone::Outer;
}

double TownPlan::groundElevationM(geo::Vec2 p) const {
  const double d = river.offset(p);
  const double bed = river.bedElevationM(p.x);
  const double floodplain = bed + river.bankDepthM;
  // The floodplain rises gently away from the river, then the valley sides climb towards the hills.
  double surface = floodplain + 0.004 * std::min(d, floodplainHalfWidthM);
  if (d > floodplainHalfWidthM) {
    surface += valleyRiseM * (1.0 - std::exp(-(d - floodplainHalfWidthM) / valleyRiseScaleM));
  }
  const double local = 0.75 * valueNoise(options.seed, 1, p.x - town.minX, p.y - town.minY, 1000.0) +
                       0.25 * valueNoise(options.seed, 2, p.x - town.minX, p.y - town.minY, 350.0);
  surface += hillAmplitudeM * local * smoothStep(0.5 * floodplainHalfWidthM, floodplainHalfWidthM + 400.0, d);
  if (d < river.halfWidthM) {
    const double bank = std::clamp((d - river.bedHalfWidthM) / (river.halfWidthM - river.bedHalfWidthM), 0.0, 1.0);
    const double edge = river.bankDepthM + 0.004 * river.halfWidthM;
    surface = std::min(surface, bed + edge * bank);
  }
  return surface;
}

}  // namespace citytwin::generate::detail
