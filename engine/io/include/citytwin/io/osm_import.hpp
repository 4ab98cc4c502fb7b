#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "citytwin/city/city_model.hpp"
#include "citytwin/city/road_connectivity.hpp"
#include "citytwin/core/progress.hpp"

namespace citytwin::io {

struct OsmImportOptions {
  std::filesystem::path osm;                 // .osm, .osm.pbf or .osm.bz2 (chosen by the ending)
  std::optional<std::filesystem::path> dem;  // any GDAL raster with a CRS
  std::optional<std::filesystem::path> areaOfInterest;  // GeoJSON (or any OGR source) of polygons, WGS 84
  int crsEpsg = 0;                           // 0: the UTM zone of the data's centre
  double demCellM = 0.0;                     // 0: keep the DEM's own resolution
  std::string name;
};

// Counts worth reporting after an import, beside the city itself.
struct OsmImportReport {
  std::size_t osmBuildingFeatures = 0;     // building (multi)polygons read
  std::size_t buildingsOutsideArea = 0;    // dropped because their point-on-surface is outside the AOI
  std::size_t buildingsWithHeightOrLevelsTag = 0;  // tag present, parseable or not ("RDC")
  std::size_t buildingsWithTaggedHeight = 0;
  std::size_t buildingsWithLevels = 0;    // height from building:levels (no usable height tag)
  std::size_t drivableWays = 0;
  std::size_t linksOutsideArea = 0;        // directed links dropped: an end outside the AOI
  std::size_t stronglyConnectedComponents = 0;
  std::size_t linksInLargestComponent = 0;
  std::size_t deadEndLinks = 0;            // links with an end outside the largest component
  city::DeadEndSummary deadEnds;
  std::size_t osmSubstations = 0;  // power=substation, and transformers outside them, in the area
  std::size_t osmPowerLines = 0;   // power=line, cable, minor_line with a vertex in the area
};

struct OsmImportResult {
  city::CityModel city;
  OsmImportReport report;
};

// Builds a city from OpenStreetMap data (GDAL's OSM driver) and an optional DEM. Throws Error naming
// the file and the problem for a missing or truncated file, a DEM without CRS or not overlapping the data.
OsmImportResult importOsm(const OsmImportOptions& options, Progress* progress = nullptr);

}  // namespace citytwin::io
