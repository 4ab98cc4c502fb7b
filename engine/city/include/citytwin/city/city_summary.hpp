#pragma once

#include <nlohmann/json.hpp>

#include "citytwin/city/city_model.hpp"

namespace citytwin::city {

// What a city holds, as `citytwin city info --json` prints it and the Python module's City.info() returns
// it: object counts, CRS, extent and the terrain grid's size (null without a DEM).
nlohmann::json citySummaryJson(const CityModel& city);

}  // namespace citytwin::city
