#include "citytwin/geo/geometry.hpp"

#include <algorithm>
#include <cmath>

namespace citytwin::geo {

double distance(Vec2 a, Vec2 b) { return std::hypot(a.x - b.x, a.y - b.y); }

void BBox::expand(Vec2 p) {
  minX = std::min(minX, p.x);
  minY = std::min(minY, p.y);
  maxX = std::max(maxX, p.x);
  maxY = std::max(maxY, p.y);
}

void BBox::expand(const BBox& other) {
  if (other.empty()) return;
  minX = std::min(minX, other.minX);
  minY = std::min(minY, other.minY);
  maxX = std::max(maxX, other.maxX);
  maxY = std::max(maxY, other.maxY);
}

bool BBox::intersects(const BBox& other) const {
  return !(other.minX > maxX || other.maxX < minX || other.minY > maxY || other.maxY < minY);
}

bool BBox::contains(Vec2 p) const { return p.x >= minX && p.x <= maxX && p.y >= minY && p.y <= maxY; }

double BBox::squaredDistanceTo(Vec2 p) const {
  const double dx = std::max({minX - p.x, 0.0, p.x - maxX});
  const double dy = std::max({minY - p.y, 0.0, p.y - maxY});
  return dx * dx + dy * dy;
}

double signedRingArea(const Ring& ring) {
  if (ring.size() < 3) return 0.0;
  double twice = 0.0;
  for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
    twice += (ring[j].x - ring[i].x) * (ring[j].y + ring[i].y);
  }
  return twice / 2.0;
}

double area(const Polygon& polygon) {
  double total = std::abs(signedRingArea(polygon.outer));
  for (const auto& hole : polygon.holes) total -= std::abs(signedRingArea(hole));
  return std::max(total, 0.0);
}

double area(const MultiPolygon& parts) {
  double total = 0.0;
  for (const auto& part : parts) total += area(part);
  return total;
}

double length(const Polyline& line) {
  double total = 0.0;
  for (std::size_t i = 1; i < line.size(); ++i) total += distance(line[i - 1], line[i]);
  return total;
}

BBox bounds(const Ring& ring) {
  BBox box;
  for (Vec2 p : ring) box.expand(p);
  return box;
}

BBox bounds(const MultiPolygon& parts) {
  BBox box;
  for (const auto& part : parts) box.expand(bounds(part.outer));
  return box;
}


bool contains(const Ring& ring, Vec2 p) {
  bool inside = false;
  for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
    const Vec2 a = ring[i];
    const Vec2 b = ring[j];
    if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

bool contains(const Polygon& polygon, Vec2 p) {
  if (!contains(polygon.outer, p)) return false;
  for (const auto& hole : polygon.holes) {
    if (contains(hole, p)) return false;
  }
  return true;
}

bool contains(const MultiPolygon& parts, Vec2 p) {
  return std::any_of(parts.begin(), parts.end(), [p](const Polygon& part) { return contains(part, p); });
}

Vec2 centroid(const Polygon& polygon) {
  const Ring& ring = polygon.outer;
  double twiceArea = 0.0;
  double cx = 0.0;
  double cy = 0.0;
  if (ring.empty()) return {};
  // Relative to the first vertex, so projected coordinates in the millions lose no precision.
  const Vec2 origin = ring.front();
  for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
    const double xi = ring[i].x - origin.x, yi = ring[i].y - origin.y;
    const double xj = ring[j].x - origin.x, yj = ring[j].y - origin.y;
    const double cross = xj * yi - xi * yj;
    twiceArea += cross;
    cx += (xj + xi) * cross;
    cy += (yj + yi) * cross;
  }
  if (std::abs(twiceArea) < 1e-12) {
    const BBox box = bounds(ring);
    return box.centre();
  }
  return {origin.x + cx / (3.0 * twiceArea), origin.y + cy / (3.0 * twiceArea)};
}

namespace {

// Widest interior span of the horizontal line y = scanY across the polygon's edges.
bool widestSpanMidpoint(const Polygon& polygon, double scanY, Vec2& midpoint, double& width) {
  std::vector<double> crossings;
  auto collect = [&](const Ring& ring) {
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
      const Vec2 a = ring[i];
      const Vec2 b = ring[j];
      if ((a.y > scanY) != (b.y > scanY)) crossings.push_back(a.x + (scanY - a.y) * (b.x - a.x) / (b.y - a.y));
    }
  };
  collect(polygon.outer);
  for (const auto& hole : polygon.holes) collect(hole);
  std::sort(crossings.begin(), crossings.end());
  bool found = false;
  for (std::size_t i = 0; i + 1 < crossings.size(); i += 2) {
    const double span = crossings[i + 1] - crossings[i];
    if (span > width) {
      width = span;
      midpoint = {(crossings[i] + crossings[i + 1]) / 2, scanY};
      found = true;
    }
  }
  return found;
}

}  // namespace

Vec2 pointOnSurface(const MultiPolygon& parts) {
  if (parts.empty()) return {};
  // The largest part carries the point, as in GEOS.
  const Polygon* largest = &parts.front();
  for (const auto& part : parts) {
    if (area(part) > area(*largest)) largest = &part;
  }
  const Vec2 c = centroid(*largest);
  if (contains(*largest, c)) return c;
  const BBox box = bounds(largest->outer);
  Vec2 best = c;
  double bestWidth = -1.0;
  // Scan lines between vertices avoid degenerate crossings exactly at a vertex.
  widestSpanMidpoint(*largest, (box.minY + box.maxY) / 2 + box.height() * 1e-7, best, bestWidth);
  for (int k = 1; k < 16 && bestWidth <= 0.0; ++k) {
    widestSpanMidpoint(*largest, box.minY + box.height() * (k + 0.5) / 16.0, best, bestWidth);
  }
  return best;
}

double distanceToSegment(Vec2 p, Vec2 a, Vec2 b) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double lengthSquared = dx * dx + dy * dy;
  double t = lengthSquared > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / lengthSquared : 0.0;
  t = std::clamp(t, 0.0, 1.0);
  return distance(p, {a.x + t * dx, a.y + t * dy});
}

double distanceToPolyline(const Polyline& line, Vec2 p) {
  if (line.empty()) return std::numeric_limits<double>::infinity();
  if (line.size() == 1) return distance(line.front(), p);
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t i = 1; i < line.size(); ++i) best = std::min(best, distanceToSegment(p, line[i - 1], line[i]));
  return best;
}

double orientation(Vec2 a, Vec2 b, Vec2 c) { return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x); }

bool segmentsCross(Vec2 a0, Vec2 a1, Vec2 b0, Vec2 b1) {
  const double d1 = orientation(b0, b1, a0), d2 = orientation(b0, b1, a1);
  const double d3 = orientation(a0, a1, b0), d4 = orientation(a0, a1, b1);
  return ((d1 > 0) != (d2 > 0)) && ((d3 > 0) != (d4 > 0));
}

}  // namespace citytwin::geo
