#pragma once

// The street network as the cable routes of the grid synthesis see it (internal to the energy model).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <queue>
#include <utility>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/geo/geometry.hpp"
#include "citytwin/geo/spatial_index.hpp"

namespace citytwin::energy {

inline constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

// Cables follow streets in either direction, so one-way rules do not apply; each street piece is one edge.
class StreetGraph {
 public:
  struct Edge {
    std::uint32_t to;
    double lengthM;
    std::uint32_t link;
  };

  explicit StreetGraph(const city::RoadNetwork& roads) : roads_(roads), edges_(roads.nodes.size()) {
    for (std::uint32_t l = 0; l < roads.links.size(); ++l) {
      const city::RoadLink& link = roads.links[l];
      if (link.from == link.to) continue;
      const double length = link.lengthM > 0 ? link.lengthM : geo::length(link.geometry);
      edges_[link.from].push_back({link.to, length, l});
      edges_[link.to].push_back({link.from, length, l});
    }
    std::vector<geo::BBox> boxes;
    for (std::uint32_t n = 0; n < roads.nodes.size(); ++n) {
      if (edges_[n].empty()) continue;
      const geo::Vec2 p = roads.nodes[n].position;
      boxes.push_back({p.x, p.y, p.x, p.y});
      connected_.push_back(n);
    }
    index_ = geo::SpatialIndex(boxes);
  }

  bool empty() const { return connected_.empty(); }
  std::size_t size() const { return edges_.size(); }
  geo::Vec2 position(std::uint32_t node) const { return roads_.nodes[node].position; }
  const std::vector<Edge>& edges(std::uint32_t node) const { return edges_[node]; }

  std::uint32_t nearestNode(geo::Vec2 p) const { return connected_[index_.nearest(p, 1).front()]; }

  // Where equipment serving `p` stands: kSiteOffsetM from the street node nearest it, towards it (off the
  // carriageway); `p` itself without streets.
  geo::Vec2 siteBeside(geo::Vec2 p) const {
    constexpr double kSiteOffsetM = 4.0;
    if (empty()) return p;
    const geo::Vec2 node = position(nearestNode(p));
    const double d = geo::distance(node, p);
    return d > 0 ? geo::Vec2{node.x + (p.x - node.x) / d * kSiteOffsetM,
                             node.y + (p.y - node.y) / d * kSiteOffsetM}
                 : geo::Vec2{node.x + kSiteOffsetM, node.y};
  }

  // The street geometry of an edge walked from `from`.
  geo::Polyline geometry(const Edge& edge, std::uint32_t from) const {
    const city::RoadLink& link = roads_.links[edge.link];
    geo::Polyline line = link.geometry;
    if (line.size() < 2) line = {roads_.nodes[link.from].position, roads_.nodes[link.to].position};
    if (link.from != from) std::reverse(line.begin(), line.end());
    return line;
  }

  // Shortest-path tree from `root` until every target is settled (ties: the first path found, in node and
  // link order). previous[n] is the edge index into edges(parent) that reaches n, with the parent.
  struct Tree {
    std::vector<double> distance;
    std::vector<std::uint32_t> parent;
    std::vector<std::uint32_t> parentEdge;
  };
  Tree shortestPaths(std::uint32_t root, const std::vector<std::uint32_t>& targets) const {
    constexpr double kInfinity = std::numeric_limits<double>::infinity();
    Tree t{std::vector<double>(size(), kInfinity), std::vector<std::uint32_t>(size(), kNone),
           std::vector<std::uint32_t>(size(), kNone)};
    std::vector<char> wanted(size(), 0), settled(size(), 0);
    std::size_t remaining = 0;
    for (std::uint32_t n : targets)
      if (!wanted[n]) wanted[n] = 1, ++remaining;
    using Entry = std::pair<double, std::uint32_t>;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue;
    t.distance[root] = 0;
    queue.push({0.0, root});
    while (!queue.empty() && remaining > 0) {
      const auto [d, node] = queue.top();
      queue.pop();
      if (settled[node]) continue;
      settled[node] = 1;
      if (wanted[node]) --remaining;
      for (std::uint32_t e = 0; e < edges_[node].size(); ++e) {
        const Edge& edge = edges_[node][e];
        const double candidate = d + edge.lengthM;
        if (candidate < t.distance[edge.to]) {
          t.distance[edge.to] = candidate;
          t.parent[edge.to] = node;
          t.parentEdge[edge.to] = e;
          queue.push({candidate, edge.to});
        }
      }
    }
    return t;
  }

 private:
  const city::RoadNetwork& roads_;
  std::vector<std::vector<Edge>> edges_;
  std::vector<std::uint32_t> connected_;
  geo::SpatialIndex index_;
};

// A radial cable tree along the shortest street paths from a root to items (buildings, substations): the
// sections between branch points, breadth first from the root, each with the items whose nearest street node
// it reaches. The first section starts at the root's own position.
struct StreetTreeSection {
  geo::Polyline route;
  std::int32_t parent = -1;  // index into StreetTree::sections; -1: leaves the root
  std::vector<std::uint32_t> items;
};
struct StreetTree {
  std::uint32_t rootNode = kNone;
  std::vector<StreetTreeSection> sections;
  std::vector<std::uint32_t> atRoot;       // items whose nearest street node is the root's
  std::vector<std::uint32_t> unreachable;  // items no street path reaches (all of them without streets)
};

inline StreetTree streetTree(const StreetGraph& streets, geo::Vec2 rootPosition,
                             const std::vector<geo::Vec2>& items) {
  StreetTree out;
  if (streets.empty()) {
    for (std::uint32_t i = 0; i < items.size(); ++i) out.unreachable.push_back(i);
    return out;
  }
  const std::uint32_t root = streets.nearestNode(rootPosition);
  out.rootNode = root;
  std::vector<std::uint32_t> access(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) access[i] = streets.nearestNode(items[i]);
  const StreetGraph::Tree tree = streets.shortestPaths(root, access);
  std::vector<std::vector<std::uint32_t>> children(streets.size()), itemsAt(streets.size());
  std::vector<char> used(streets.size(), 0);
  used[root] = 1;
  for (std::uint32_t i = 0; i < items.size(); ++i) {
    const std::uint32_t node = access[i];
    if (!std::isfinite(tree.distance[node])) {
      out.unreachable.push_back(i);
      continue;
    }
    itemsAt[node].push_back(i);
    for (std::uint32_t n = node; n != root && !used[n]; n = tree.parent[n]) used[n] = 1;
  }
  for (std::uint32_t n = 0; n < streets.size(); ++n)
    if (used[n] && n != root) children[tree.parent[n]].push_back(n);

  struct Start {
    std::uint32_t node, child;
    std::int32_t parent;
  };
  std::queue<Start> starts;
  for (std::uint32_t c : children[root]) starts.push({root, c, -1});
  while (!starts.empty()) {
    const Start start = starts.front();
    starts.pop();
    StreetTreeSection section;
    section.parent = start.parent;
    if (start.node == root) section.route.push_back(rootPosition);
    section.route.push_back(streets.position(start.node));
    std::uint32_t from = start.node, node = start.child;
    while (true) {
      const StreetGraph::Edge& edge = streets.edges(from)[tree.parentEdge[node]];
      const geo::Polyline piece = streets.geometry(edge, from);
      section.route.insert(section.route.end(), piece.begin() + 1, piece.end());
      section.items.insert(section.items.end(), itemsAt[node].begin(), itemsAt[node].end());
      if (children[node].size() != 1) break;
      from = node;
      node = children[node].front();
    }
    const auto index = static_cast<std::int32_t>(out.sections.size());
    out.sections.push_back(std::move(section));
    for (std::uint32_t c : children[node]) starts.push({node, c, index});
  }
  out.atRoot = itemsAt[root];
  return out;
}

}  // namespace citytwin::energy
