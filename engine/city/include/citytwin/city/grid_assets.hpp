#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "citytwin/geo/geometry.hpp"

namespace citytwin::city {

// A primary substation (HV/MV) or secondary substation (MV/LV) of the electric grid.
struct Substation {
  std::string id;
  std::string name;
  geo::Vec2 position;
  double groundElevationM = 0.0;
  double ratedMva = 0.0;
  double primaryKv = 0.0;
  double secondaryKv = 0.0;
  // Water depth at the site above which it is switched off (flood protection level).
  double floodThresholdM = 0.3;
  friend bool operator==(const Substation&, const Substation&) = default;
};

// A feeder line leaving a substation; buildings are served by the feeder named in `servedBuildings`.
struct Feeder {
  std::string id;
  std::uint32_t substation = 0;  // index into GridAssets::substations
  geo::Polyline route;
  double voltageKv = 0.0;
  double ratedAmps = 0.0;
  double resistanceOhmPerKm = 0.0;
  double reactanceOhmPerKm = 0.0;
  std::vector<std::uint32_t> servedBuildings;  // indices into CityModel::buildings
  friend bool operator==(const Feeder&, const Feeder&) = default;
};

struct GridAssets {
  std::vector<Substation> substations;
  std::vector<Feeder> feeders;
  friend bool operator==(const GridAssets&, const GridAssets&) = default;
};

}  // namespace citytwin::city
