#include "tiles/tileset_export.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <unordered_map>

#include "citytwin/core/error.hpp"
#include "tiles/building_mesh.hpp"
#include "tiles/building_results.hpp"
#include "tiles/enu_box.hpp"
#include "tiles/glb_content.hpp"
#include "tiles/terrain_tiles.hpp"

namespace citytwin::cli::tiles {
namespace {

struct BuildingTile {
  std::vector<std::size_t> buildings;  // its content, largest first
  std::vector<std::size_t> children;
  EnuBox box;                   // its content and all its descendants
  double geometricError = 0.0;  // size of the largest building left to its descendants
  std::string uri;
};

// What a building contributes to the picture from afar: the larger of its height and the side of a square of
// its footprint's area, in metres. Upper tiles hold the largest buildings, so a tile's geometric error is the
// size of the largest building it leaves to its children.
// The bytes a building's mesh takes in a GLB: position, normal and feature id per vertex, and its indices.
std::size_t geometryBytes(const TileMesh& mesh) {
  return mesh.vertexCount() * (3 + 3 + 1) * sizeof(float) + mesh.indices.size() * sizeof(std::uint32_t);
}

double visualSize(const city::Building& building) {
  return std::max(building.heightM, std::sqrt(std::max(building.footprintAreaM2(), 0.0)));
}

class BuildingTree {
 public:
  BuildingTree(const std::vector<TileMesh>& meshes, const std::vector<EnuBox>& boxes,
               const std::vector<double>& sizes, const TilesetOptions& options)
      : meshes_(meshes), boxes_(boxes), sizes_(sizes), options_(options) {}

  // Splits `buildings` into a tile (the largest that fit its bounds) and a k-d split of the rest at the
  // median of their centres along the wider axis; returns the tile's index. Deterministic: ties go by index.
  std::size_t build(std::vector<std::size_t> buildings, std::size_t depth) {
    depth_ = std::max(depth_, depth + 1);
    std::sort(buildings.begin(), buildings.end(), [&](std::size_t a, std::size_t b) {
      return sizes_[a] != sizes_[b] ? sizes_[a] > sizes_[b] : a < b;
    });
    const std::size_t index = tiles_.size();
    tiles_.emplace_back();
    BuildingTile tile;
    std::size_t bytes = 0;
    std::size_t taken = 0;
    while (taken < buildings.size() && taken < options_.maxBuildingsPerTile) {
      const std::size_t b = geometryBytes(meshes_[buildings[taken]]);
      if (taken > 0 && bytes + b > options_.maxTileBytes) break;
      bytes += b;
      tile.box.expand(boxes_[buildings[taken]]);
      tile.buildings.push_back(buildings[taken++]);
    }
    std::vector<std::size_t> rest(buildings.begin() + static_cast<std::ptrdiff_t>(taken), buildings.end());
    if (!rest.empty()) {
      tile.geometricError = sizes_[rest.front()];
      EnuBox centres;
      for (const std::size_t b : rest) centres.expand(centreBox(b));
      const int axis =
          centres.maximum[0] - centres.minimum[0] >= centres.maximum[1] - centres.minimum[1] ? 0 : 1;
      const auto middle = rest.begin() + static_cast<std::ptrdiff_t>(rest.size() / 2);
      std::nth_element(rest.begin(), middle, rest.end(), [&](std::size_t a, std::size_t b) {
        const double ca = centre(a, axis), cb = centre(b, axis);
        return ca != cb ? ca < cb : a < b;
      });
      std::vector<std::size_t> low(rest.begin(), middle), high(middle, rest.end());
      for (auto* half : {&low, &high}) {
        if (half->empty()) continue;
        const std::size_t child = build(std::move(*half), depth + 1);
        tile.children.push_back(child);
        tile.box.expand(tiles_[child].box);
      }
    }
    tile.uri = "buildings/" + std::to_string(index) + ".glb";
    tiles_[index] = std::move(tile);
    return index;
  }

  std::vector<BuildingTile>& tiles() { return tiles_; }
  std::size_t depth() const { return depth_; }

 private:
  double centre(std::size_t b, int axis) const {
    return (boxes_[b].minimum[axis] + boxes_[b].maximum[axis]) / 2.0;
  }
  EnuBox centreBox(std::size_t b) const {
    EnuBox box;
    for (int axis = 0; axis < 3; ++axis) box.minimum[axis] = box.maximum[axis] = centre(b, axis);
    return box;
  }

  const std::vector<TileMesh>& meshes_;
  const std::vector<EnuBox>& boxes_;
  const std::vector<double>& sizes_;
  const TilesetOptions& options_;
  std::vector<BuildingTile> tiles_;
  std::size_t depth_ = 0;
};

nlohmann::json tileJson(const std::vector<BuildingTile>& tiles, std::size_t t) {
  const BuildingTile& tile = tiles[t];
  nlohmann::json json{{"boundingVolume", tile.box.toJson()},
                      {"geometricError", tile.geometricError},
                      {"refine", "ADD"},
                      {"content", {{"uri", tile.uri}}}};
  if (!tile.children.empty()) {
    json["children"] = nlohmann::json::array();
    for (const std::size_t child : tile.children) json["children"].push_back(tileJson(tiles, child));
  }
  return json;
}

void writeFile(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw Error(file.string() + ": cannot write");
}

// The output folder may be new, empty, or an earlier export, which is replaced.
void prepareOutFolder(const std::filesystem::path& out) {
  std::error_code ec;
  if (std::filesystem::exists(out, ec)) {
    if (!std::filesystem::is_directory(out, ec)) throw Error(out.string() + ": exists and is not a folder");
    for (const auto& entry : std::filesystem::directory_iterator(out)) {
      const auto name = entry.path().filename().string();
      if (name != "tileset.json" && name != "buildings" && name != "terrain") {
        throw Error(out.string() + ": holds '" + name +
                    "', not an earlier 3D Tiles export; give an empty or new folder");
      }
    }
    for (const char* name : {"tileset.json", "buildings", "terrain"}) std::filesystem::remove_all(out / name);
  }
  std::filesystem::create_directories(out / "buildings", ec);
  if (ec) throw Error(out.string() + ": cannot create the output folder (" + ec.message() + ")");
}

}  // namespace

TilesetSummary exportTileset(const city::CityModel& city, const TilesetOptions& options) {
  const auto& buildings = city.buildings;
  std::unordered_map<std::string, std::size_t> buildingIndex;
  for (std::size_t b = 0; b < buildings.size(); ++b) buildingIndex.emplace(buildings[b].id, b);
  std::vector<BuildingResult> results;
  if (options.run) results = readBuildingResults(*options.run, options.variant, buildingIndex);
  prepareOutFolder(options.out);

  const std::string crs = city.crsName();
  const geo::BBox extent = city.extent();
  if (extent.empty()) throw Error("3D Tiles export: the city has no extent (no buildings, roads or terrain)");
  const geo::Vec2 origin = extent.centre();
  const double originHeight = city.terrain.empty() ? 0.0 : city.terrain.sample(origin).value_or(0.0);

  std::vector<TileMesh> meshes(buildings.size());
  std::vector<EnuBox> boxes(buildings.size());
  tbb::enumerable_thread_specific<std::unique_ptr<GlobeFrame>> frames;
  tbb::parallel_for(std::size_t{0}, buildings.size(), [&](std::size_t b) {
    auto& frame = frames.local();
    if (!frame) frame = std::make_unique<GlobeFrame>(crs, origin, originHeight);
    meshes[b] = extrudeBuilding(buildings[b], *frame);
    boxes[b] = EnuBox::of(meshes[b]);
  });
  std::vector<std::size_t> drawn;
  std::vector<double> sizes(buildings.size(), 0.0);
  for (std::size_t b = 0; b < buildings.size(); ++b) {
    sizes[b] = visualSize(buildings[b]);
    if (!meshes[b].indices.empty()) drawn.push_back(b);
  }

  TilesetSummary summary;
  summary.buildings = drawn.size();
  summary.skippedBuildings = buildings.size() - drawn.size();
  BuildingTree tree(meshes, boxes, sizes, options);
  if (!drawn.empty()) tree.build(drawn, 0);
  auto& tiles = tree.tiles();
  summary.buildingTiles = tiles.size();
  summary.treeDepth = tree.depth();

  std::vector<std::size_t> tileBytes(tiles.size(), 0);
  tbb::parallel_for(std::size_t{0}, tiles.size(), [&](std::size_t t) {
    const BuildingTile& tile = tiles[t];
    TileMesh mesh;
    FeatureTable features;
    std::vector<FeatureNumber> numbers{
        {"height_m", "height of the building above its ground (m)", {}},
        {"floor_area_m2", "gross floor area: footprint times storeys (m2)", {}}};
    for (const auto& result : results) numbers.push_back({result.name, result.meaning, {}});
    for (std::size_t f = 0; f < tile.buildings.size(); ++f) {
      const std::size_t b = tile.buildings[f];
      mesh.append(meshes[b], static_cast<float>(f));
      features.ids.push_back(buildings[b].id);
      features.uses.emplace_back(city::toString(buildings[b].use));
      numbers[0].values.push_back(static_cast<float>(buildings[b].heightM));
      numbers[1].values.push_back(static_cast<float>(buildings[b].grossFloorAreaM2()));
      for (std::size_t r = 0; r < results.size(); ++r) numbers[2 + r].values.push_back(results[r].values[b]);
    }
    features.numbers = std::move(numbers);
    const std::string glb = encodeGlb(mesh, &features, {0.92, 0.92, 0.92, 1.0});
    writeFile(options.out / tile.uri, glb);
    tileBytes[t] = glb.size();
  });
  for (const std::size_t bytes : tileBytes) {
    summary.bytes += bytes;
    summary.largestTileBytes = std::max(summary.largestTileBytes, bytes);
  }

  // Ranges and class breaks of the per-building values, so a page can colour by them without reading every
  // tile first.
  nlohmann::json properties = nlohmann::json::object();
  const auto describe = [&](const std::string& name, const std::string& meaning, auto valueOf) {
    std::vector<double> values;
    for (const std::size_t b : drawn) {
      const double value = valueOf(b);
      if (std::isfinite(value)) values.push_back(value);
    }
    nlohmann::json entry{{"meaning", meaning}};
    if (!values.empty()) {
      std::sort(values.begin(), values.end());
      nlohmann::json breaks = nlohmann::json::array();
      if (name.ends_with("_change")) {
        // A change diverges around zero: classes at 1/30 and 1/3 of its largest size each side, so
        // the ends hold the large changes and the middle the ones near zero, whatever their count.
        const double largest = std::max(std::abs(values.front()), std::abs(values.back()));
        breaks = {-largest / 3.0, -largest / 30.0, 0.0, largest / 30.0, largest / 3.0};
      } else {
        // Sextiles: a colour ramp of six classes with as many buildings in each, whatever the outliers.
        for (std::size_t k = 1; k < 6; ++k) breaks.push_back(values[k * (values.size() - 1) / 6]);
      }
      entry.update({{"min", values.front()}, {"max", values.back()}, {"breaks", breaks}});
    }
    properties[name] = entry;
    summary.properties.push_back(name);
  };
  describe("height_m", "height of the building above its ground (m)",
           [&](std::size_t b) { return buildings[b].heightM; });
  describe("floor_area_m2", "gross floor area: footprint times storeys (m2)",
           [&](std::size_t b) { return buildings[b].grossFloorAreaM2(); });
  for (const auto& result : results) {
    describe(result.name, result.meaning,
             [&](std::size_t b) { return static_cast<double>(result.values[b]); });
  }

  GlobeFrame frame(crs, origin, originHeight);
  const auto transform = frame.enuToEcef();
  nlohmann::json extras{
      {"city", city.name}, {"crs", crs}, {"buildings", summary.buildings}, {"properties", properties}};
  if (options.run) extras.update({{"run", options.run->string()}, {"variant", options.variant}});

  nlohmann::json root;
  double rootError = 0.0;
  if (!tiles.empty()) {
    root = tileJson(tiles, 0);
    rootError = *std::max_element(sizes.begin(), sizes.end());
  } else {
    EnuBox box;
    box.minimum = {0.0, 0.0, 0.0};
    box.maximum = {0.0, 0.0, 0.0};
    root = {{"boundingVolume", box.toJson()}, {"geometricError", 0.0}, {"refine", "ADD"}};
  }
  root["transform"] = transform;
  const nlohmann::json tileset{{"asset", {{"version", "1.1"}, {"generator", "citytwin export 3dtiles"}}},
                               {"extras", {{"citytwin", extras}}},
                               {"geometricError", rootError},
                               {"root", root}};
  const std::string tilesetText = tileset.dump(1);
  writeFile(options.out / "tileset.json", tilesetText);
  summary.bytes += tilesetText.size();

  TerrainTiles terrain = writeTerrainTiles(city.terrain, crs, origin, originHeight, options.terrainTileCells,
                                           options.out / "terrain");
  if (!terrain.root.is_null()) {
    terrain.root["transform"] = transform;
    const nlohmann::json terrainTileset{
        {"asset", {{"version", "1.1"}, {"generator", "citytwin export 3dtiles"}}},
        {"geometricError",
         2.0 * std::max(terrain.root["geometricError"].get<double>(), city.terrain.cellSize)},
        {"root", terrain.root}};
    const std::string text = terrainTileset.dump(1);
    writeFile(options.out / "terrain" / "tileset.json", text);
    summary.bytes += text.size() + terrain.bytes;
    summary.terrainTiles = terrain.tiles;
    summary.largestTileBytes = std::max(summary.largestTileBytes, terrain.largestTileBytes);
  }
  return summary;
}

}  // namespace citytwin::cli::tiles
