#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "citytwin/city/city_model.hpp"

namespace citytwin::cli::tiles {

struct TilesetOptions {
  std::filesystem::path out;                 // folder: tileset.json, buildings/, terrain/
  std::optional<std::filesystem::path> run;  // a `citytwin run` folder for per-building results
  std::string variant = "base";
  std::size_t maxBuildingsPerTile = 500;            // bounds each tile's size, so large cities stream
  std::size_t maxTileBytes = std::size_t{1} << 20;  // geometry of one tile (a single building may exceed it)
  std::size_t terrainTileCells = 64;                // DEM cells along a terrain tile's side
};

struct TilesetSummary {
  std::size_t buildings = 0;         // features written
  std::size_t skippedBuildings = 0;  // footprints without an area, nothing to extrude
  std::size_t buildingTiles = 0;
  std::size_t terrainTiles = 0;
  std::size_t treeDepth = 0;  // levels of the building tree
  std::size_t largestTileBytes = 0;
  std::uintmax_t bytes = 0;             // all files written
  std::vector<std::string> properties;  // per-building properties of the features
};

// Writes the city as OGC 3D Tiles 1.1 (layout and rules in viewer/web/README.md): `tileset.json` for the
// buildings (a k-d tree over their footprints, refine ADD, the largest buildings in the upper tiles) and
// `terrain/tileset.json` for the DEM (a quadtree, refine REPLACE), both placed on the globe by an
// east-north-up root transform at the city's centre. Throws Error for a bad run or variant, or an output
// folder holding anything but an earlier export.
TilesetSummary exportTileset(const city::CityModel& city, const TilesetOptions& options);

}  // namespace citytwin::cli::tiles
