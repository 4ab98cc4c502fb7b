#include "tiles/tile_mesh.hpp"

#include <cmath>

namespace citytwin::cli::tiles {

std::uint32_t TileMesh::addVertex(const Enu& p, const Enu& n) {
  const auto index = static_cast<std::uint32_t>(vertexCount());
  positions.insert(positions.end(),
                   {static_cast<float>(p.east), static_cast<float>(p.up), static_cast<float>(-p.north)});
  normals.insert(normals.end(),
                 {static_cast<float>(n.east), static_cast<float>(n.up), static_cast<float>(-n.north)});
  return index;
}

void TileMesh::append(const TileMesh& other, float featureId) {
  const auto offset = static_cast<std::uint32_t>(vertexCount());
  positions.insert(positions.end(), other.positions.begin(), other.positions.end());
  normals.insert(normals.end(), other.normals.begin(), other.normals.end());
  featureIds.insert(featureIds.end(), other.vertexCount(), featureId);
  for (const std::uint32_t index : other.indices) indices.push_back(index + offset);
}

Enu faceNormal(const Enu& a, const Enu& b, const Enu& c) {
  const double ux = b.east - a.east, uy = b.north - a.north, uz = b.up - a.up;
  const double vx = c.east - a.east, vy = c.north - a.north, vz = c.up - a.up;
  const double nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
  const double length = std::sqrt(nx * nx + ny * ny + nz * nz);
  if (!(length > 0.0)) return {};
  return {nx / length, ny / length, nz / length};
}

}  // namespace citytwin::cli::tiles
