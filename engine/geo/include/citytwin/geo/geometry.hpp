#pragma once

#include <cstddef>
#include <limits>
#include <vector>

namespace citytwin::geo {

// A position in the city's projected CRS, in metres (x east, y north).
struct Vec2 {
  double x = 0.0;
  double y = 0.0;
  friend bool operator==(const Vec2&, const Vec2&) = default;
};

double distance(Vec2 a, Vec2 b);

struct BBox {
  double minX = std::numeric_limits<double>::infinity();
  double minY = std::numeric_limits<double>::infinity();
  double maxX = -std::numeric_limits<double>::infinity();
  double maxY = -std::numeric_limits<double>::infinity();

  bool empty() const { return minX > maxX || minY > maxY; }
  void expand(Vec2 p);
  void expand(const BBox& other);
  bool intersects(const BBox& other) const;
  bool contains(Vec2 p) const;
  double width() const { return maxX - minX; }
  double height() const { return maxY - minY; }
  Vec2 centre() const { return {(minX + maxX) / 2, (minY + maxY) / 2}; }
  // Squared distance from p to the nearest point of the box (0 inside).
  double squaredDistanceTo(Vec2 p) const;
  friend bool operator==(const BBox&, const BBox&) = default;
};

using Ring = std::vector<Vec2>;      // closed implicitly: the last vertex is not repeated
using Polyline = std::vector<Vec2>;

struct Polygon {
  Ring outer;
  std::vector<Ring> holes;
  friend bool operator==(const Polygon&, const Polygon&) = default;
};

// A building footprint may be a multipolygon (OSM relations); most are one polygon.
using MultiPolygon = std::vector<Polygon>;

double signedRingArea(const Ring& ring);  // positive when counter-clockwise
double area(const Polygon& polygon);
double area(const MultiPolygon& parts);
double length(const Polyline& line);
BBox bounds(const Ring& ring);
BBox bounds(const MultiPolygon& parts);
bool contains(const Ring& ring, Vec2 p);
bool contains(const Polygon& polygon, Vec2 p);
bool contains(const MultiPolygon& parts, Vec2 p);
Vec2 centroid(const Polygon& polygon);
// A point guaranteed to lie inside the polygon (the area-weighted centroid when that is inside,
// else the middle of the widest interior span of a horizontal scan line), as GEOS's PointOnSurface.
Vec2 pointOnSurface(const MultiPolygon& parts);
// The point of a polyline nearest to p, and its distance.
double distanceToPolyline(const Polyline& line, Vec2 p);
// Distance from p to the nearest point of the segment a-b (a point when a == b).
double distanceToSegment(Vec2 p, Vec2 a, Vec2 b);
// Twice the signed area of the triangle a, b, c: positive when c lies left of a->b, 0 when collinear.
double orientation(Vec2 a, Vec2 b, Vec2 c);
// True when each segment has its ends on different sides of the other's line, an end on the line
// counting with the right-hand side: crossings and some end-point touches count, collinear overlaps do not.
bool segmentsCross(Vec2 a0, Vec2 a1, Vec2 b0, Vec2 b1);

}  // namespace citytwin::geo
