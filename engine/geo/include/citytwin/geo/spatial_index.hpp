#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "citytwin/geo/geometry.hpp"

namespace citytwin::geo {

// A static R-tree bulk-loaded with Sort-Tile-Recursive packing over item bounding boxes.
// Items are identified by their index in the vector given to build(); queries return indices sorted
// ascending so results never depend on tree layout.
class SpatialIndex {
 public:
  SpatialIndex() = default;
  explicit SpatialIndex(const std::vector<BBox>& itemBounds, std::size_t nodeCapacity = 16);

  std::size_t size() const { return itemCount_; }
  // Items whose bounding box intersects `box`.
  std::vector<std::uint32_t> query(const BBox& box) const;
  // The k items whose bounding boxes are nearest to p (ties broken by index). `exactDistance`, when
  // given, refines the box distance (e.g. distance to a polyline) for the final ranking.
  std::vector<std::uint32_t> nearest(Vec2 p, std::size_t k,
                                     const std::function<double(std::uint32_t, Vec2)>& exactDistance = {}) const;

 private:
  struct Node {
    BBox box;
    std::uint32_t firstChild = 0;  // index into nodes_ (internal) or into entries_ (leaf)
    std::uint32_t childCount = 0;
    bool leaf = true;
  };
  std::vector<Node> nodes_;
  std::vector<std::uint32_t> entries_;  // item ids in leaf order
  std::vector<BBox> itemBounds_;
  std::size_t itemCount_ = 0;
  std::uint32_t root_ = 0;
};

}  // namespace citytwin::geo
