#pragma once

#include <optional>

#include "citytwin/io/osm_import.hpp"
#include "citytwin/testing/shared_data.hpp"

namespace citytwin::testing {

// How the suites import Monaco, the real city of the reference data: its OSM extract, an SRTM DEM of the
// folder (`dem`) and its area of interest. nullopt after recording the skip when the data are missing.
inline std::optional<io::OsmImportOptions> monacoImportOptions(const char* dem = "monaco_dem_srtm3_wgs84.tif") {
  const auto folder = sharedData("city/monaco");
  if (!folder) return std::nullopt;
  io::OsmImportOptions options;
  options.osm = *folder / "monaco-latest.osm.pbf";
  options.dem = *folder / dem;
  options.areaOfInterest = *folder / "monaco_aoi.geojson";
  return options;
}

}  // namespace citytwin::testing
