#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "citytwin/city/city_model.hpp"

namespace citytwin::io {

struct CityJsonExportOptions {
  bool terrain = false;              // add the DEM as one TINRelief
  std::size_t terrainMaxSide = 256;  // the DEM is decimated to at most this many vertices per side
  double vertexResolutionM = 0.001;  // the integer vertices' scale (transform.scale)
};

struct CityJsonExportReport {
  std::size_t buildings = 0;
  std::size_t roads = 0;  // Road objects: one per street piece, both directions together
  std::size_t terrainTriangles = 0;
  std::size_t vertices = 0;
};

// The city as a CityJSON 2.0 document (engine/io/README.md, "CityJSON"): LoD1 buildings extruded from their
// footprints with semantic surfaces and their attributes, road links as LoD0 MultiLineStrings, optionally
// the terrain, integer vertices with a transform and the city's EPSG code as referenceSystem.
nlohmann::json cityJsonDocument(const city::CityModel& city, const CityJsonExportOptions& options = {},
                                CityJsonExportReport* report = nullptr);

// Writes cityJsonDocument atomically to `path`. Throws Error naming the path when it cannot be written.
CityJsonExportReport exportCityJson(const city::CityModel& city, const std::filesystem::path& path,
                                    const CityJsonExportOptions& options = {});

}  // namespace citytwin::io
