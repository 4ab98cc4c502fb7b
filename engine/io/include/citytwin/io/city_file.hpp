#pragma once

#include <filesystem>

#include "citytwin/city/city_model.hpp"

namespace citytwin::io {

// The city file is a GeoPackage that ogrinfo and QGIS open as they are:
//   vector layers  road_nodes, road_links, buildings, sensors, grid_substations, grid_feeders
//   raster         dem (Float32 gridded coverage)
//   tables         citytwin_metadata (key, value), citytwin_provenance (role, source, fingerprint)
inline constexpr int kCityFileSchemaVersion = 1;

// Writes the city atomically: a failure leaves no file behind. Throws Error naming the path.
void saveCity(const city::CityModel& city, const std::filesystem::path& gpkg);

// Reads a city written by saveCity, or from any other source openCitySource (city_source.hpp) chooses for
// the location. Throws Error naming the location and the missing or malformed part.
city::CityModel loadCity(const std::filesystem::path& location);

}  // namespace citytwin::io
