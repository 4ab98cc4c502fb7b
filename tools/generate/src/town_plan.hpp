#pragma once

#include <cstdint>

#include "citytwin/generate/river_course.hpp"
#include "citytwin/generate/sample_city.hpp"
#include "citytwin/geo/geometry.hpp"

namespace citytwin::generate::detail {

// Character of a neighbourhood: decides parcel sizes, building heights, uses and ages.
enum class Zone : std::uint8_t { HistoricCentre, Centre, Inner, Outer, Industrial };

// The large-scale decisions about the town, all in world coordinates (EPSG:32632 metres).
struct TownPlan {
  SampleCityOptions options;
  double sizeM = 0.0;
  geo::BBox town;              // the built-up square
  double terrainMarginM = 0.0; // terrain beyond the town on every side
  RiverCourse river;
  double floodplainHalfWidthM = 0.0;
  double valleyRiseM = 0.0;
  double valleyRiseScaleM = 0.0;
  double hillAmplitudeM = 0.0;
  geo::Vec2 centre;
  double centreRadiusM = 0.0;
  geo::Vec2 industrialCentre;
  double industrialRadiusM = 0.0;

  Zone zoneAt(geo::Vec2 p) const;
  // Ground elevation of the undisturbed landscape (the terrain raster samples it at cell centres).
  double groundElevationM(geo::Vec2 p) const;
};

// Validates the options (throws citytwin::Error naming the option) and lays out the town.
TownPlan planTown(const SampleCityOptions& options);

// World position of the town's centre: EPSG:32632 around 45.1°N 9°E, well inside zone 32.
inline constexpr double kTownCentreEasting = 500000.0;
inline constexpr double kTownCentreNorthing = 5000000.0;
inline constexpr int kSampleCityEpsg = 32632;

}  // namespace citytwin::generate::detail
