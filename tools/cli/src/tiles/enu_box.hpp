#pragma once

#include <algorithm>
#include <array>
#include <limits>
#include <nlohmann/json.hpp>

#include "tiles/tile_mesh.hpp"

namespace citytwin::cli::tiles {

// An axis-aligned box in the root's east-north-up frame: a tile's 3D Tiles bounding volume.
struct EnuBox {
  std::array<double, 3> minimum{std::numeric_limits<double>::infinity(),
                                std::numeric_limits<double>::infinity(),
                                std::numeric_limits<double>::infinity()};
  std::array<double, 3> maximum{-std::numeric_limits<double>::infinity(),
                                -std::numeric_limits<double>::infinity(),
                                -std::numeric_limits<double>::infinity()};

  bool empty() const { return minimum[0] > maximum[0]; }
  void expand(const EnuBox& other) {
    for (int axis = 0; axis < 3; ++axis) {
      minimum[axis] = std::min(minimum[axis], other.minimum[axis]);
      maximum[axis] = std::max(maximum[axis], other.maximum[axis]);
    }
  }
  // The box of a mesh's vertices (stored in glTF's x east, y up, z south).
  static EnuBox of(const TileMesh& mesh) {
    EnuBox box;
    for (std::size_t v = 0; v < mesh.vertexCount(); ++v) {
      const std::array<double, 3> enu{mesh.positions[3 * v], -static_cast<double>(mesh.positions[3 * v + 2]),
                                      mesh.positions[3 * v + 1]};
      for (int axis = 0; axis < 3; ++axis) {
        box.minimum[axis] = std::min(box.minimum[axis], enu[axis]);
        box.maximum[axis] = std::max(box.maximum[axis], enu[axis]);
      }
    }
    return box;
  }
  // 3D Tiles' "box": centre, then the three half-axes (a little padding keeps flat boxes non-degenerate).
  nlohmann::json toJson() const {
    nlohmann::json box = nlohmann::json::array();
    std::array<double, 3> half{};
    for (int axis = 0; axis < 3; ++axis) {
      box.push_back((minimum[axis] + maximum[axis]) / 2.0);
      half[axis] = (maximum[axis] - minimum[axis]) / 2.0 + 0.01;
    }
    for (int axis = 0; axis < 3; ++axis) {
      for (int component = 0; component < 3; ++component) box.push_back(axis == component ? half[axis] : 0.0);
    }
    return {{"box", box}};
  }
};

}  // namespace citytwin::cli::tiles
