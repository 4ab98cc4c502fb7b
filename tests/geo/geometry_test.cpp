#include <doctest/doctest.h>

#include "citytwin/geo/geometry.hpp"

using namespace citytwin::geo;

namespace {
// An L-shaped footprint whose centroid lies outside it:
//   (0,10)+--+(2,10)
//         |  |
//         |  +------+(10,2)
//   (0,0) +---------+(10,0)
Polygon lShape() { return {{{0, 0}, {10, 0}, {10, 2}, {2, 2}, {2, 10}, {0, 10}}, {}}; }
}  // namespace

TEST_CASE("area and orientation of rings and polygons with holes") {
  const Polygon square{{{0, 0}, {4, 0}, {4, 4}, {0, 4}}, {{{1, 1}, {1, 2}, {2, 2}, {2, 1}}}};
  CHECK(signedRingArea(square.outer) == doctest::Approx(16.0));
  CHECK(signedRingArea(square.holes[0]) == doctest::Approx(-1.0));
  CHECK(area(square) == doctest::Approx(15.0));
  CHECK(area(lShape()) == doctest::Approx(36.0));
}

TEST_CASE("point in polygon respects holes") {
  const Polygon square{{{0, 0}, {4, 0}, {4, 4}, {0, 4}}, {{{1, 1}, {1, 2}, {2, 2}, {2, 1}}}};
  CHECK(contains(square, {3, 3}));
  CHECK_FALSE(contains(square, {1.5, 1.5}));
  CHECK_FALSE(contains(square, {5, 1}));
}

TEST_CASE("point on surface lies inside even when the centroid does not") {
  const Polygon shape = lShape();
  const Vec2 c = centroid(shape);
  CHECK_FALSE(contains(shape, c));
  const Vec2 inside = pointOnSurface(MultiPolygon{shape});
  CHECK(contains(shape, inside));
}

TEST_CASE("centroid keeps precision at UTM magnitudes") {
  const Polygon far{{{500000, 5000000}, {500010, 5000000}, {500010, 5000010}, {500000, 5000010}}, {}};
  const Vec2 c = centroid(far);
  CHECK(c.x == doctest::Approx(500005.0).epsilon(1e-12));
  CHECK(c.y == doctest::Approx(5000005.0).epsilon(1e-12));
}

TEST_CASE("distance to a polyline measures to the nearest segment") {
  const Polyline line{{0, 0}, {10, 0}, {10, 10}};
  CHECK(distanceToPolyline(line, {5, 3}) == doctest::Approx(3.0));
  CHECK(distanceToPolyline(line, {12, 5}) == doctest::Approx(2.0));
  CHECK(distanceToPolyline(line, {-3, -4}) == doctest::Approx(5.0));
  CHECK(length(line) == doctest::Approx(20.0));
}

TEST_CASE("distance to a segment clamps to its ends") {
  CHECK(distanceToSegment({5, 3}, {0, 0}, {10, 0}) == doctest::Approx(3.0));
  CHECK(distanceToSegment({-3, 4}, {0, 0}, {10, 0}) == doctest::Approx(5.0));
  CHECK(distanceToSegment({13, 4}, {0, 0}, {10, 0}) == doctest::Approx(5.0));
  CHECK(distanceToSegment({3, 4}, {0, 0}, {0, 0}) == doctest::Approx(5.0));  // a degenerate segment is a point
}

TEST_CASE("orientation and proper segment crossings") {
  CHECK(orientation({0, 0}, {1, 0}, {0, 1}) > 0);
  CHECK(orientation({0, 0}, {1, 0}, {0, -1}) < 0);
  CHECK(orientation({0, 0}, {1, 0}, {2, 0}) == 0);
  CHECK(segmentsCross({0, 0}, {2, 2}, {0, 2}, {2, 0}));
  CHECK_FALSE(segmentsCross({0, 0}, {1, 1}, {3, 0}, {3, 5}));  // apart
  CHECK_FALSE(segmentsCross({0, 0}, {2, 0}, {1, 1}, {3, 1}));  // parallel
}
