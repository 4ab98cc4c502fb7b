#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

// Checks shared by the 3D Tiles suites (sample town and Monaco): what a `citytwin export 3dtiles` folder
// holds, read back independently of the exporter, and the browser and glTF validator runs.
namespace citytwin::testing::tiles {

// One GLB read back: its JSON chunk and binary chunk.
struct Glb {
  nlohmann::json json;
  std::string binary;
};
Glb readGlb(const std::filesystem::path& file);

// The features of a building tile: ids and each FLOAT32 property, from EXT_structural_metadata.
struct TileFeatures {
  std::vector<std::string> ids;
  std::map<std::string, std::vector<float>> numbers;
  std::size_t vertexCount = 0;
};
TileFeatures readTileFeatures(const Glb& glb);

// Every tile of a tileset.json, depth first, with its parent's geometric error (the root's: the tileset's).
struct TileEntry {
  nlohmann::json tile;
  double parentGeometricError = 0.0;
};
std::vector<TileEntry> allTiles(const nlohmann::json& tileset);

// Per building id, the largest (or smallest) value of `column` in a run's state/building.csv.
std::map<std::string, double> stateExtremes(const std::filesystem::path& csv, const std::string& column,
                                            bool largest);

// The folder of the web page (viewer/web in the source tree).
std::filesystem::path webFolder();

// Why the glTF validator cannot run (node or the npm package missing), or nullopt when it can.
std::optional<std::string> validatorMissing();
// Runs the validator over `files`; returns its JSON lines, one per file.
std::vector<nlohmann::json> validateGltf(const std::vector<std::filesystem::path>& files);

// Why the page cannot be opened (chromium, python3 or the cesium package missing), or nullopt when it can.
std::optional<std::string> browserMissing();

// Serves the page with `tiles` as its tiles/ folder, opens `query` in headless Chromium, waits for the page
// to report loaded, and saves a screenshot to `png`; returns capture-page.py's JSON line (state, status,
// picked).
nlohmann::json capturePage(const std::filesystem::path& tiles, const std::string& query,
                           const std::filesystem::path& png);

// Counts of strongly warm (red/orange) and strongly cool (blue) pixels of a screenshot, outside its top-left
// panel: the ramp's two ends on buildings; the globe, the sky and the grey terrain are neither.
struct ColourCounts {
  int width = 0;
  int height = 0;
  std::size_t warm = 0;
  std::size_t cool = 0;
};
ColourCounts countRampColours(const std::filesystem::path& png);

}  // namespace citytwin::testing::tiles
