#include "tiles/terrain_tiles.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <cmath>
#include <fstream>
#include <memory>

#include "citytwin/core/error.hpp"
#include "tiles/enu_box.hpp"
#include "tiles/glb_content.hpp"
#include "tiles/globe_frame.hpp"

namespace citytwin::cli::tiles {
namespace {

struct TerrainTile {
  std::size_t level = 0;
  std::size_t column = 0;  // tile index west to east
  std::size_t row = 0;     // tile index north to south
  std::size_t stride = 1;  // DEM cells between vertices
  std::vector<std::size_t> children;
  EnuBox box;
  bool hasContent = false;
  std::string uri;
};

// The vertex columns (or rows) of a tile: every `stride`-th cell from `first`, and always the last, shared
// with the neighbouring tile so that tiles meet without cracks.
std::vector<std::size_t> latticeLine(std::size_t first, std::size_t span, std::size_t stride,
                                     std::size_t cells) {
  std::vector<std::size_t> line;
  const std::size_t last = std::min(first + span, cells - 1);
  for (std::size_t c = first; c < last; c += stride) line.push_back(c);
  if (first < last) line.push_back(last);
  return line;
}

TileMesh terrainMesh(const geo::RasterGrid& dem, const TerrainTile& tile, std::size_t span,
                     const GlobeFrame& frame) {
  const auto columns = latticeLine(tile.column * span, span, tile.stride, dem.columns);
  const auto rows = latticeLine(tile.row * span, span, tile.stride, dem.rows);
  TileMesh mesh;
  if (columns.size() < 2 || rows.size() < 2) return mesh;
  const std::size_t width = columns.size();
  std::vector<Enu> positions(width * rows.size());
  std::vector<bool> valid(positions.size(), false);
  for (std::size_t j = 0; j < rows.size(); ++j) {
    for (std::size_t i = 0; i < width; ++i) {
      const float z = dem.at(columns[i], rows[j]);
      if (!std::isfinite(z) || z == dem.noData) continue;
      positions[j * width + i] = frame.toEnu(dem.cellCentre(columns[i], rows[j]), z);
      valid[j * width + i] = true;
    }
  }
  // Counter-clockwise from above: south-west, south-east, north-east; south-west, north-east, north-west.
  std::vector<std::array<std::size_t, 3>> triangles;
  std::vector<Enu> normals(positions.size());
  for (std::size_t j = 0; j + 1 < rows.size(); ++j) {
    for (std::size_t i = 0; i + 1 < width; ++i) {
      const std::size_t nw = j * width + i, ne = nw + 1, sw = nw + width, se = sw + 1;
      if (!valid[nw] || !valid[ne] || !valid[sw] || !valid[se]) continue;
      for (const auto& triangle :
           {std::array<std::size_t, 3>{sw, se, ne}, std::array<std::size_t, 3>{sw, ne, nw}}) {
        const Enu n = faceNormal(positions[triangle[0]], positions[triangle[1]], positions[triangle[2]]);
        for (const std::size_t v : triangle) {
          normals[v].east += n.east;
          normals[v].north += n.north;
          normals[v].up += n.up;
        }
        triangles.push_back(triangle);
      }
    }
  }
  std::vector<std::uint32_t> index(positions.size(), 0);
  std::vector<bool> used(positions.size(), false);
  for (const auto& triangle : triangles) {
    for (const std::size_t v : triangle) used[v] = true;
  }
  for (std::size_t v = 0; v < positions.size(); ++v) {
    if (!used[v]) continue;
    Enu n = normals[v];
    const double length = std::sqrt(n.east * n.east + n.north * n.north + n.up * n.up);
    n = length > 0.0 ? Enu{n.east / length, n.north / length, n.up / length} : Enu{0.0, 0.0, 1.0};
    index[v] = mesh.addVertex(positions[v], n);
  }
  for (const auto& triangle : triangles)
    mesh.addTriangle(index[triangle[0]], index[triangle[1]], index[triangle[2]]);
  return mesh;
}

nlohmann::json tileJson(const std::vector<TerrainTile>& tiles, std::size_t t, double cellSize) {
  const TerrainTile& tile = tiles[t];
  nlohmann::json children = nlohmann::json::array();
  for (const std::size_t child : tile.children) {
    if (!tiles[child].box.empty()) children.push_back(tileJson(tiles, child, cellSize));
  }
  nlohmann::json json{
      {"boundingVolume", tile.box.toJson()},
      {"geometricError", children.empty() ? 0.0 : cellSize * static_cast<double>(tile.stride)},
      {"refine", "REPLACE"}};
  if (tile.hasContent) json["content"] = {{"uri", tile.uri}};
  if (!children.empty()) json["children"] = children;
  return json;
}

}  // namespace

TerrainTiles writeTerrainTiles(const geo::RasterGrid& dem, const std::string& crs, geo::Vec2 origin,
                               double originHeightM, std::size_t tileCells,
                               const std::filesystem::path& folder) {
  TerrainTiles result;
  if (dem.columns < 2 || dem.rows < 2 || tileCells < 1) return result;
  std::size_t rootStride = 1;
  while (tileCells * rootStride < dem.columns - 1 || tileCells * rootStride < dem.rows - 1) rootStride *= 2;

  std::vector<TerrainTile> tiles;
  tiles.push_back({0, 0, 0, rootStride, {}, {}, false, {}});
  for (std::size_t t = 0; t < tiles.size(); ++t) {
    if (tiles[t].stride == 1) continue;
    const std::size_t childStride = tiles[t].stride / 2;
    const std::size_t childSpan = tileCells * childStride;
    for (std::size_t dy = 0; dy < 2; ++dy) {
      for (std::size_t dx = 0; dx < 2; ++dx) {
        const std::size_t column = 2 * tiles[t].column + dx, row = 2 * tiles[t].row + dy;
        if (column * childSpan >= dem.columns - 1 || row * childSpan >= dem.rows - 1) continue;
        tiles[t].children.push_back(tiles.size());
        tiles.push_back({tiles[t].level + 1, column, row, childStride, {}, {}, false, {}});
      }
    }
  }

  std::filesystem::create_directories(folder);
  tbb::enumerable_thread_specific<std::unique_ptr<GlobeFrame>> frames;
  std::vector<std::size_t> sizes(tiles.size(), 0);
  tbb::parallel_for(std::size_t{0}, tiles.size(), [&](std::size_t t) {
    auto& frame = frames.local();
    if (!frame) frame = std::make_unique<GlobeFrame>(crs, origin, originHeightM);
    TerrainTile& tile = tiles[t];
    const TileMesh mesh = terrainMesh(dem, tile, tileCells * tile.stride, *frame);
    if (mesh.indices.empty()) return;
    tile.box = EnuBox::of(mesh);
    tile.hasContent = true;
    tile.uri = std::to_string(tile.level) + "_" + std::to_string(tile.column) + "_" +
               std::to_string(tile.row) + ".glb";
    const std::string glb = encodeGlb(mesh, nullptr, {0.55, 0.58, 0.50, 1.0});
    std::ofstream out(folder / tile.uri, std::ios::binary);
    out.write(glb.data(), static_cast<std::streamsize>(glb.size()));
    if (!out) throw Error((folder / tile.uri).string() + ": cannot write");
    sizes[t] = glb.size();
  });
  // A tile's volume holds its children's, which may reach past its own coarser vertices.
  for (std::size_t t = tiles.size(); t-- > 0;) {
    for (const std::size_t child : tiles[t].children) tiles[t].box.expand(tiles[child].box);
  }
  for (std::size_t t = 0; t < tiles.size(); ++t) {
    if (!tiles[t].hasContent) continue;
    ++result.tiles;
    result.bytes += sizes[t];
    result.largestTileBytes = std::max(result.largestTileBytes, sizes[t]);
  }
  if (!tiles[0].box.empty()) result.root = tileJson(tiles, 0, dem.cellSize);
  return result;
}

}  // namespace citytwin::cli::tiles
