#pragma once

#include <filesystem>

#include "citytwin/geo/raster_grid.hpp"

namespace citytwin::io {

// Warps a DEM (any GDAL raster with a CRS) onto a north-up grid in the city CRS covering `extent`
// (bilinear). `cellM` 0 keeps about the DEM's own resolution. Throws Error when the DEM has no CRS or
// does not overlap `extent`.
geo::RasterGrid reprojectDem(const std::filesystem::path& dem, int cityEpsg, const geo::BBox& extent, double cellM);

}  // namespace citytwin::io
