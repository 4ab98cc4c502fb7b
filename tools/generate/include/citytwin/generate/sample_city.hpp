#pragma once

#include <cstdint>

#include "citytwin/city/city_model.hpp"
#include "citytwin/core/progress.hpp"

namespace citytwin::generate {

// What the sample town looks like: a square town `sizeKm` kilometres on a side (so `sizeKm` 10 is a
// 100 km² town), laid out from `seed`, on a terrain raster of `demCellM` metre cells.
struct SampleCityOptions {
  double sizeKm = 2.0;
  std::uint64_t seed = 1;
  double demCellM = 10.0;
};

// A plausible town built deterministically from the options: the same options give a bit-identical
// city for any thread count. Throws citytwin::Error for options outside the documented ranges
// (sizeKm 0.5..20, demCellM 1..50). `progress`, when given, is advanced through the long phases.
city::CityModel generateSampleCity(const SampleCityOptions& options, Progress* progress = nullptr);

}  // namespace citytwin::generate
