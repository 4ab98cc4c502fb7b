#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "citytwin/city/city_model.hpp"

namespace citytwin::io {

struct CityJsonImportOptions {
  std::filesystem::path cityjson;            // a CityJSON 1.1 or 2.0 file (.city.json, .json)
  std::optional<std::filesystem::path> dem;  // any GDAL raster with a CRS
  int crsEpsg = 0;                           // 0: the UTM zone of the data's centre, as the OSM import
  double demCellM = 0.0;                     // 0: keep the DEM's own resolution
  std::string name;
};

struct CityJsonImportReport {
  int sourceEpsg = 0;  // metadata.referenceSystem of the file
  std::size_t cityObjects = 0;
  std::size_t buildingObjects = 0;           // type Building
  std::size_t heightsFromGeometry = 0;       // z range of the model
  std::size_t heightsFromAttribute = 0;      // measuredHeight, where the geometry is flat
  std::size_t buildingsWithoutGeometry = 0;  // no surface in their own geometry or their parts: not imported
  std::size_t buildingsWithoutHeight = 0;    // flat geometry and no measuredHeight: not imported
  std::string firstSkipped;                  // id of the first building not imported
  std::size_t geometryInstances = 0;         // template geometries, not read
};

struct CityJsonImportResult {
  city::CityModel city;
  CityJsonImportReport report;
};

// Builds a city's buildings from a CityJSON file (engine/io/README.md, "CityJSON"): the footprint is the
// lowest LoD geometry's ground surface (or the projection of its downward faces), the height its z range;
// vertices are reprojected from the file's CRS into the city's as the OSM import does. Throws Error naming
// the file and the field for anything malformed.
CityJsonImportResult importCityJson(const CityJsonImportOptions& options);

}  // namespace citytwin::io
