#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "citytwin/city/city_state.hpp"

namespace citytwin::context {

// One value the Smart Data Models mapping puts into a city state: column `column` of `layer`, object
// `index` (its position in the city model's list of that layer).
struct CityStateWrite {
  city::Layer layer = city::Layer::Sensor;
  std::string column;
  std::uint32_t index = 0;
  double value = 0.0;
};

// Writes `writes` into `state` (a CityState of the city they were mapped onto) in order, so a later write
// to the same cell wins, as it did when the mapping ran.
void applyWrites(const std::vector<CityStateWrite>& writes, city::CityState& state);

}  // namespace citytwin::context
