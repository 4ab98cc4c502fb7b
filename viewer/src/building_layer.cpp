#include <osg/CullFace>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "citytwin/geo/polygon_triangulation.hpp"
#include "scene_layers.hpp"
#include "tiled_mesh.hpp"

namespace citytwin::viewer {
namespace {

// Beyond 6 km a 10 m wall is under three pixels high in a 900-pixel, 30-degree view: far tiles draw their
// roofs only, a fifth of the vertices.
constexpr double kWallDetailRangeM = 6000.0;

double shownHeight(const city::Building& building) {
  if (building.heightM > 0.5) return building.heightM;
  if (building.levels > 0) return building.levels * city::kStoreyHeightM;
  return 6.0;
}

// Walls of one ring: each edge its own quad so walls have flat, outward normals.
void addWalls(TiledMesh::Tile& tile, const SceneFrame& frame, const std::vector<geo::Vec2>& ring, double base, double top,
              std::size_t object) {
  const std::size_t n = ring.size();
  for (std::size_t i = 0; i < n; ++i) {
    const geo::Vec2 a = ring[i];
    const geo::Vec2 b = ring[(i + 1) % n];
    const double dx = b.x - a.x;
    const double dy = b.y - a.y;
    const double length = std::hypot(dx, dy);
    if (length < 1e-6) continue;
    // Counter-clockwise outer rings (clockwise holes) have their outside on the right.
    const osg::Vec3 normal(static_cast<float>(dy / length), static_cast<float>(-dx / length), 0.0f);
    const auto v0 = tile.add(frame.toScene(a, base), normal, object);
    const auto v1 = tile.add(frame.toScene(b, base), normal, object);
    const auto v2 = tile.add(frame.toScene(b, top), normal, object);
    const auto v3 = tile.add(frame.toScene(a, top), normal, object);
    tile.quad(v0, v1, v2, v3);
  }
}

void addBuilding(TiledMesh::Tile& tile, const SceneFrame& frame, const city::Building& building, std::size_t index,
                 std::vector<geo::Vec2>& points, std::vector<geo::Vec2>& ring, std::vector<std::size_t>& ringSizes) {
  const geo::BBox box = geo::bounds(building.footprint);
  // Sit on the lowest ground under the footprint so no wall floats on a slope.
  double base = std::numeric_limits<double>::infinity();
  for (const auto& polygon : building.footprint) {
    for (const auto& p : polygon.outer) base = std::min(base, frame.groundAt(p));
  }
  if (!std::isfinite(base)) return;
  const double top = std::max(frame.groundAt(box.centre()), base) + shownHeight(building);
  base -= 0.5;
  for (const auto& polygon : building.footprint) {
    points.clear();
    const std::vector<std::uint32_t> roof = geo::triangulate(polygon, points, ringSizes);
    if (roof.empty()) continue;
    std::size_t start = 0;
    for (const std::size_t count : ringSizes) {
      ring.assign(points.begin() + static_cast<std::ptrdiff_t>(start), points.begin() + static_cast<std::ptrdiff_t>(start + count));
      addWalls(tile, frame, ring, base, top, index);
      start += count;
    }
    const osg::Vec3 up(0.0f, 0.0f, 1.0f);
    const std::uint32_t first = static_cast<std::uint32_t>(tile.vertices.size());
    for (const auto& p : points) tile.add(frame.toScene(p, top), up, index);
    for (std::size_t i = 0; i + 2 < roof.size(); i += 3) {
      tile.triangle(first + roof[i], first + roof[i + 1], first + roof[i + 2]);
      tile.distantTriangles.insert(tile.distantTriangles.end(), {first + roof[i], first + roof[i + 1], first + roof[i + 2]});
    }
  }
}

}  // namespace

BuildingLayer buildBuildingLayer(const SceneFrame& frame, const std::vector<city::Building>& buildings) {
  TiledMesh mesh(tileSizeFor(frame.extent()));
  // Buildings are grouped by tile first; tiles are then filled in parallel, each in building order, so the
  // meshes are the same for any thread count.
  std::map<TiledMesh::Key, std::vector<std::size_t>> members;
  for (std::size_t index = 0; index < buildings.size(); ++index) {
    if (buildings[index].footprint.empty()) continue;
    members[mesh.keyOf(geo::bounds(buildings[index].footprint).centre())].push_back(index);
  }
  std::vector<std::pair<TiledMesh::Key, std::vector<std::size_t>>> groups(members.begin(), members.end());
  std::vector<TiledMesh::Tile> tiles(groups.size());
  tbb::parallel_for(std::size_t{0}, groups.size(), [&](std::size_t g) {
    std::vector<geo::Vec2> points;
    std::vector<geo::Vec2> ring;
    std::vector<std::size_t> ringSizes;
    for (const std::size_t index : groups[g].second) addBuilding(tiles[g], frame, buildings[index], index, points, ring, ringSizes);
  });
  for (std::size_t g = 0; g < groups.size(); ++g) mesh.tile(groups[g].first) = std::move(tiles[g]);
  BuildingLayer layer;
  layer.node = mesh.build(kWallDetailRangeM);
  layer.colours = std::make_unique<IndexedColours>(buildings.size(), true, kBuildingColourUnit);
  layer.node->setStateSet(layer.colours->stateSet());
  layer.node->getStateSet()->setAttributeAndModes(new osg::CullFace(osg::CullFace::BACK));
  return layer;
}

}  // namespace citytwin::viewer
