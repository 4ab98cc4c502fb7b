#pragma once

#include <filesystem>

#include "citytwin/city/city_model.hpp"

namespace citytwin::io {

// Reads a GeoPackage city file written by saveCity. Throws Error naming the file and the missing or
// malformed part.
city::CityModel readCityFile(const std::filesystem::path& gpkg);

}  // namespace citytwin::io
