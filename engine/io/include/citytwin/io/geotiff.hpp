#pragma once

#include <filesystem>

#include "citytwin/geo/raster_grid.hpp"

namespace citytwin::io {

// Writes a single-band Float32 GeoTIFF (deflate-compressed, tiled) in the CRS `epsg`. The file appears
// only once complete.
void writeGeoTiff(const geo::RasterGrid& grid, int epsg, const std::filesystem::path& path);

// Reads band 1 of any raster GDAL opens, as floats. `epsgOut` receives the CRS's EPSG code (0 if it has
// none or none can be identified). The raster must be north-up with square cells.
geo::RasterGrid readRaster(const std::filesystem::path& path, int* epsgOut = nullptr);

}  // namespace citytwin::io
