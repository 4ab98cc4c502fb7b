#include "tiles/building_mesh.hpp"

#include <algorithm>

#include "citytwin/geo/polygon_triangulation.hpp"

namespace citytwin::cli::tiles {

TileMesh extrudeBuilding(const city::Building& building, const GlobeFrame& frame) {
  TileMesh mesh;
  const double ground = building.groundElevationM;
  const double roof = ground + std::max(building.heightM, 0.0);
  for (const auto& polygon : building.footprint) {
    std::vector<geo::Vec2> points;
    std::vector<std::size_t> ringSizes;
    const std::vector<std::uint32_t> roofTriangles = geo::triangulate(polygon, points, ringSizes);
    if (points.size() < 3) continue;
    std::vector<Enu> bottom(points.size());
    std::vector<Enu> top(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
      const geo::LonLat position = frame.toWgs84(points[i]);
      bottom[i] = frame.toEnu(position, ground);
      top[i] = frame.toEnu(position, roof);
    }
    // Walls: outer rings run counter-clockwise and holes clockwise, so the solid lies left of each edge and
    // (a, b, b-top) winds counter-clockwise seen from outside.
    std::size_t ringStart = 0;
    for (const std::size_t ringSize : ringSizes) {
      for (std::size_t k = 0; k < ringSize; ++k) {
        const std::size_t a = ringStart + k;
        const std::size_t b = ringStart + (k + 1) % ringSize;
        const Enu normal = faceNormal(bottom[a], bottom[b], top[b]);
        if (normal.east == 0.0 && normal.north == 0.0 && normal.up == 0.0) continue;
        const auto a0 = mesh.addVertex(bottom[a], normal);
        const auto b0 = mesh.addVertex(bottom[b], normal);
        const auto b1 = mesh.addVertex(top[b], normal);
        const auto a1 = mesh.addVertex(top[a], normal);
        mesh.addTriangle(a0, b0, b1);
        mesh.addTriangle(a0, b1, a1);
      }
      ringStart += ringSize;
    }
    if (roofTriangles.empty()) continue;
    const Enu up = faceNormal(top[roofTriangles[0]], top[roofTriangles[1]], top[roofTriangles[2]]);
    const auto first = static_cast<std::uint32_t>(mesh.vertexCount());
    for (const Enu& p : top) mesh.addVertex(p, up);
    for (std::size_t t = 0; t + 2 < roofTriangles.size(); t += 3) {
      mesh.addTriangle(first + roofTriangles[t], first + roofTriangles[t + 1], first + roofTriangles[t + 2]);
    }
  }
  return mesh;
}

}  // namespace citytwin::cli::tiles
