#include "citytwin/geo/spatial_index.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <queue>

namespace citytwin::geo {
namespace {

// Sort-Tile-Recursive: sort by x, cut into vertical slices, sort each slice by y, pack runs of
// `capacity` consecutive items. Returns the order of `ids` after packing.
void strOrder(std::vector<std::uint32_t>& ids, const std::vector<BBox>& boxes, std::size_t capacity) {
  const std::size_t count = ids.size();
  const auto centreX = [&](std::uint32_t id) { return boxes[id].minX + boxes[id].maxX; };
  const auto centreY = [&](std::uint32_t id) { return boxes[id].minY + boxes[id].maxY; };
  std::stable_sort(ids.begin(), ids.end(), [&](std::uint32_t a, std::uint32_t b) { return centreX(a) < centreX(b); });
  const std::size_t leafCount = (count + capacity - 1) / capacity;
  const auto sliceCount = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(leafCount))));
  const std::size_t sliceSize = sliceCount * capacity;
  for (std::size_t start = 0; start < count; start += sliceSize) {
    const std::size_t end = std::min(count, start + sliceSize);
    std::stable_sort(ids.begin() + static_cast<std::ptrdiff_t>(start), ids.begin() + static_cast<std::ptrdiff_t>(end),
                     [&](std::uint32_t a, std::uint32_t b) { return centreY(a) < centreY(b); });
  }
}

}  // namespace

SpatialIndex::SpatialIndex(const std::vector<BBox>& itemBounds, std::size_t nodeCapacity)
    : itemBounds_(itemBounds), itemCount_(itemBounds.size()) {
  if (itemBounds.empty()) return;
  nodeCapacity = std::max<std::size_t>(nodeCapacity, 2);
  entries_.resize(itemBounds.size());
  std::iota(entries_.begin(), entries_.end(), 0u);
  strOrder(entries_, itemBounds_, nodeCapacity);

  std::vector<std::uint32_t> level;
  for (std::size_t start = 0; start < entries_.size(); start += nodeCapacity) {
    Node leaf;
    leaf.firstChild = static_cast<std::uint32_t>(start);
    leaf.childCount = static_cast<std::uint32_t>(std::min(nodeCapacity, entries_.size() - start));
    for (std::uint32_t k = 0; k < leaf.childCount; ++k) leaf.box.expand(itemBounds_[entries_[start + k]]);
    level.push_back(static_cast<std::uint32_t>(nodes_.size()));
    nodes_.push_back(leaf);
  }
  while (level.size() > 1) {
    std::vector<BBox> levelBoxes;
    levelBoxes.reserve(nodes_.size());
    for (const auto& node : nodes_) levelBoxes.push_back(node.box);
    strOrder(level, levelBoxes, nodeCapacity);
    // Children of one parent must be contiguous in nodes_: copy them in packed order.
    std::vector<std::uint32_t> parents;
    for (std::size_t start = 0; start < level.size(); start += nodeCapacity) {
      Node parent;
      parent.leaf = false;
      parent.firstChild = static_cast<std::uint32_t>(nodes_.size());
      parent.childCount = static_cast<std::uint32_t>(std::min(nodeCapacity, level.size() - start));
      std::vector<Node> children;
      for (std::uint32_t k = 0; k < parent.childCount; ++k) children.push_back(nodes_[level[start + k]]);
      for (const auto& child : children) {
        parent.box.expand(child.box);
        nodes_.push_back(child);
      }
      parents.push_back(static_cast<std::uint32_t>(nodes_.size()));
      nodes_.push_back(parent);
    }
    level = std::move(parents);
  }
  root_ = level.front();
}

std::vector<std::uint32_t> SpatialIndex::query(const BBox& box) const {
  std::vector<std::uint32_t> found;
  if (itemCount_ == 0) return found;
  std::vector<std::uint32_t> stack{root_};
  while (!stack.empty()) {
    const Node& node = nodes_[stack.back()];
    stack.pop_back();
    if (!node.box.intersects(box)) continue;
    for (std::uint32_t k = 0; k < node.childCount; ++k) {
      if (node.leaf) {
        const std::uint32_t id = entries_[node.firstChild + k];
        if (itemBounds_[id].intersects(box)) found.push_back(id);
      } else {
        stack.push_back(node.firstChild + k);
      }
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::vector<std::uint32_t> SpatialIndex::nearest(Vec2 p, std::size_t k,
                                                 const std::function<double(std::uint32_t, Vec2)>& exactDistance) const {
  std::vector<std::uint32_t> result;
  if (itemCount_ == 0 || k == 0) return result;
  // Best-first search. Entries are (squared lower bound, is item, id); an item popped with an exact
  // distance no larger than any remaining bound is final.
  struct Entry {
    double bound;
    int kind;  // 0 node, 1 item with box distance, 2 item with exact distance
    std::uint32_t id;
    bool operator>(const Entry& other) const {
      if (bound != other.bound) return bound > other.bound;
      if (kind != other.kind) return kind < other.kind;
      return id > other.id;
    }
  };
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue;
  queue.push({nodes_[root_].box.squaredDistanceTo(p), 0, root_});
  while (!queue.empty() && result.size() < k) {
    const Entry top = queue.top();
    queue.pop();
    if (top.kind == 2 || (top.kind == 1 && !exactDistance)) {
      result.push_back(top.id);
    } else if (top.kind == 1) {
      const double exact = exactDistance(top.id, p);
      queue.push({exact * exact, 2, top.id});
    } else {
      const Node& node = nodes_[top.id];
      for (std::uint32_t c = 0; c < node.childCount; ++c) {
        if (node.leaf) {
          const std::uint32_t id = entries_[node.firstChild + c];
          queue.push({itemBounds_[id].squaredDistanceTo(p), 1, id});
        } else {
          queue.push({nodes_[node.firstChild + c].box.squaredDistanceTo(p), 0, node.firstChild + c});
        }
      }
    }
  }
  return result;
}

}  // namespace citytwin::geo
