#pragma once

#include <cstdint>
#include <vector>

#include "tiles/globe_frame.hpp"

namespace citytwin::cli::tiles {

// Triangles of one tile's content in glTF's frame (x east, y up, z south of the tileset root; 3D Tiles turns
// glTF's y-up into z-up), with normals and, for features, the feature each vertex belongs to.
struct TileMesh {
  std::vector<float> positions;   // x, y, z per vertex
  std::vector<float> normals;     // x, y, z per vertex
  std::vector<float> featureIds;  // one per vertex; empty for content without features
  std::vector<std::uint32_t> indices;

  std::size_t vertexCount() const { return positions.size() / 3; }
  // Appends a vertex given in east-north-up; returns its index.
  std::uint32_t addVertex(const Enu& position, const Enu& normal);
  void addTriangle(std::uint32_t a, std::uint32_t b, std::uint32_t c) {
    indices.insert(indices.end(), {a, b, c});
  }
  // Appends `other`, with `featureId` for each of its vertices.
  void append(const TileMesh& other, float featureId);
};

// The unit normal of the triangle a, b, c seen counter-clockwise from its front; zero when degenerate.
Enu faceNormal(const Enu& a, const Enu& b, const Enu& c);

}  // namespace citytwin::cli::tiles
