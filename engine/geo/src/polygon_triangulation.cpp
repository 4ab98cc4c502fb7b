#include "citytwin/geo/polygon_triangulation.hpp"

#include <algorithm>
#include <limits>

namespace citytwin::geo {
namespace {

double cross(Vec2 o, Vec2 a, Vec2 b) {
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

bool insideTriangle(Vec2 p, Vec2 a, Vec2 b, Vec2 c) {
  return cross(a, b, p) >= 0 && cross(b, c, p) >= 0 && cross(c, a, p) >= 0;
}

// Appends `ring` to `points` with the wanted orientation and returns the indices of its vertices.
std::vector<std::uint32_t> appendRing(const geo::Ring& ring, bool counterClockwise,
                                      std::vector<Vec2>& points) {
  std::vector<std::uint32_t> indices;
  const bool isCounterClockwise = geo::signedRingArea(ring) > 0;
  const std::size_t n = ring.size();
  for (std::size_t i = 0; i < n; ++i) {
    const Vec2 p = isCounterClockwise == counterClockwise ? ring[i] : ring[n - 1 - i];
    if (!points.empty() && !indices.empty() && points.back() == p) continue;  // repeated vertex
    indices.push_back(static_cast<std::uint32_t>(points.size()));
    points.push_back(p);
  }
  if (indices.size() > 1 && points[indices.front()] == points[indices.back()]) {
    indices.pop_back();
    points.pop_back();
  }
  if (indices.size() < 3) {
    points.resize(points.size() - indices.size());
    indices.clear();
  }
  return indices;
}

}  // namespace

std::vector<std::uint32_t> triangulate(const Polygon& polygon, std::vector<Vec2>& points,
                                       std::vector<std::size_t>& ringSizes) {
  std::vector<std::uint32_t> triangles;
  ringSizes.clear();
  std::vector<std::uint32_t> loop = appendRing(polygon.outer, true, points);
  if (loop.size() < 3) return triangles;
  ringSizes.push_back(loop.size());

  // Holes join the outer loop through a two-way bridge from their right-most vertex to the nearest
  // loop vertex on its right, so one simple (weakly) polygon remains to be clipped.
  std::vector<std::vector<std::uint32_t>> holes;
  for (const auto& ring : polygon.holes) {
    auto hole = appendRing(ring, false, points);
    if (hole.size() >= 3) {
      ringSizes.push_back(hole.size());
      holes.push_back(std::move(hole));
    }
  }
  std::sort(holes.begin(), holes.end(), [&](const auto& a, const auto& b) {
    const auto maxX = [&](const auto& h) {
      double m = -std::numeric_limits<double>::infinity();
      for (auto i : h) m = std::max(m, points[i].x);
      return m;
    };
    return maxX(a) > maxX(b);
  });
  for (const auto& hole : holes) {
    std::size_t rightMost = 0;
    for (std::size_t i = 1; i < hole.size(); ++i) {
      if (points[hole[i]].x > points[hole[rightMost]].x) rightMost = i;
    }
    const Vec2 h = points[hole[rightMost]];
    std::size_t best = 0;
    double bestDistance = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < loop.size(); ++i) {
      const Vec2 p = points[loop[i]];
      const double d = (p.x - h.x) * (p.x - h.x) + (p.y - h.y) * (p.y - h.y) + (p.x < h.x ? 1e12 : 0.0);
      if (d < bestDistance) {
        bestDistance = d;
        best = i;
      }
    }
    std::vector<std::uint32_t> joined(loop.begin(), loop.begin() + static_cast<std::ptrdiff_t>(best) + 1);
    for (std::size_t k = 0; k <= hole.size(); ++k) joined.push_back(hole[(rightMost + k) % hole.size()]);
    joined.push_back(loop[best]);
    joined.insert(joined.end(), loop.begin() + static_cast<std::ptrdiff_t>(best) + 1, loop.end());
    loop = std::move(joined);
  }

  // Ear clipping: O(n^2), ample for building footprints.
  std::size_t guard = 0;
  std::size_t i = 0;
  while (loop.size() > 3 && guard < loop.size() * 2) {
    const std::size_t n = loop.size();
    const std::uint32_t a = loop[(i + n - 1) % n];
    const std::uint32_t b = loop[i % n];
    const std::uint32_t c = loop[(i + 1) % n];
    bool ear = cross(points[a], points[b], points[c]) > 0;
    for (std::size_t k = 0; ear && k < n; ++k) {
      const std::uint32_t v = loop[k];
      if (v == a || v == b || v == c) continue;
      if (points[v] == points[a] || points[v] == points[b] || points[v] == points[c]) continue;
      if (insideTriangle(points[v], points[a], points[b], points[c])) ear = false;
    }
    if (ear) {
      triangles.insert(triangles.end(), {a, b, c});
      loop.erase(loop.begin() + static_cast<std::ptrdiff_t>(i % n));
      guard = 0;
      if (i >= loop.size()) i = 0;
    } else {
      i = (i + 1) % n;
      ++guard;
    }
  }
  if (loop.size() == 3) {
    triangles.insert(triangles.end(), {loop[0], loop[1], loop[2]});
  } else {
    // Degenerate remainder (self-touching input): close it with a fan rather than leave a hole in the roof.
    for (std::size_t k = 1; k + 1 < loop.size(); ++k)
      triangles.insert(triangles.end(), {loop[0], loop[k], loop[k + 1]});
  }
  return triangles;
}

}  // namespace citytwin::geo
