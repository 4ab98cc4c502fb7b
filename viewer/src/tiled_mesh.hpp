#pragma once

#include <osg/Geometry>
#include <osg/Group>

#include <cmath>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "citytwin/geo/geometry.hpp"

namespace citytwin::viewer {

// Collects triangles of many small objects into one geometry per square tile of the city, so that the
// scene has few draw calls yet keeps view-frustum culling; every vertex remembers its object.
class TiledMesh {
 public:
  explicit TiledMesh(double tileSizeM) : tileSize_(tileSizeM) {}

  struct Tile {
    std::vector<osg::Vec3> vertices;
    std::vector<osg::Vec3> normals;
    std::vector<float> objects;
    std::vector<std::uint32_t> triangles;
    std::vector<std::uint32_t> distantTriangles;  // the subset drawn from far away (e.g. roofs without walls)

    std::uint32_t add(const osg::Vec3& vertex, const osg::Vec3& normal, std::size_t object) {
      vertices.push_back(vertex);
      normals.push_back(normal);
      objects.push_back(static_cast<float>(object));
      return static_cast<std::uint32_t>(vertices.size() - 1);
    }
    void triangle(std::uint32_t a, std::uint32_t b, std::uint32_t c) { triangles.insert(triangles.end(), {a, b, c}); }
    void quad(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
      triangle(a, b, c);
      triangle(a, c, d);
    }
  };

  using Key = std::pair<long, long>;
  Key keyOf(geo::Vec2 p) const {
    return {static_cast<long>(std::floor(p.x / tileSize_)), static_cast<long>(std::floor(p.y / tileSize_))};
  }
  // The tile holding city position p.
  Tile& tileAt(geo::Vec2 p) { return tiles_[keyOf(p)]; }
  Tile& tile(const Key& key) { return tiles_[key]; }

  // One geometry per non-empty tile, in a fixed tile order. Tiles with distant triangles become a level of
  // detail node: all triangles nearer than `detailRangeM`, only the distant subset beyond.
  osg::ref_ptr<osg::Group> build(double detailRangeM = 0.0) const;

 private:
  double tileSize_;
  std::map<std::pair<long, long>, Tile> tiles_;
};

// Tile edge for a city of the given extent: about 16 x 16 tiles, each 200 m to 1 km wide.
double tileSizeFor(const geo::BBox& extent);

}  // namespace citytwin::viewer
