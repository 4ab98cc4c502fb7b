#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "citytwin/geo/raster_grid.hpp"

namespace citytwin::cli::tiles {

struct TerrainTiles {
  nlohmann::json root;  // the root tile (without transform), empty when the DEM has no cells
  std::size_t tiles = 0;
  std::uintmax_t bytes = 0;
  std::size_t largestTileBytes = 0;
};

// The DEM as a quadtree of GLB tiles in `folder` (named <level>_<column>_<row>.glb): a leaf holds
// `tileCells` x `tileCells` cells at full resolution, and each level above takes every second vertex of the
// one below (refine REPLACE; geometric error = the vertex spacing). Vertices are the cell centres; cells
// without data leave holes. `crs` and the origin place it on the globe as the buildings are.
TerrainTiles writeTerrainTiles(const geo::RasterGrid& dem, const std::string& crs, geo::Vec2 origin,
                               double originHeightM, std::size_t tileCells,
                               const std::filesystem::path& folder);

}  // namespace citytwin::cli::tiles
