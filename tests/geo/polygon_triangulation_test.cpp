#include "citytwin/geo/polygon_triangulation.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace citytwin::geo;

namespace {

double trianglesArea(const std::vector<std::uint32_t>& triangles, const std::vector<Vec2>& points) {
  double total = 0.0;
  for (std::size_t t = 0; t + 2 < triangles.size(); t += 3) {
    const double signedArea =
        orientation(points[triangles[t]], points[triangles[t + 1]], points[triangles[t + 2]]) / 2;
    CHECK(signedArea > 0.0);  // counter-clockwise
    total += signedArea;
  }
  return total;
}

}  // namespace

TEST_CASE("a concave footprint with a hole is covered exactly by counter-clockwise triangles") {
  // An L-shaped courtyard building, given clockwise, with a square hole.
  Polygon polygon;
  polygon.outer = {{0, 0}, {0, 30}, {10, 30}, {10, 10}, {30, 10}, {30, 0}};
  polygon.holes = {{{2, 2}, {6, 2}, {6, 6}, {2, 6}}};
  std::vector<Vec2> points;
  std::vector<std::size_t> ringSizes;
  const auto triangles = triangulate(polygon, points, ringSizes);
  CHECK(ringSizes == std::vector<std::size_t>{6, 4});
  CHECK(points.size() == 10);
  CHECK(triangles.size() % 3 == 0);
  CHECK(trianglesArea(triangles, points) == doctest::Approx(area(polygon)).epsilon(1e-12));
  CHECK(area(polygon) == doctest::Approx(500.0 - 16.0));
}

TEST_CASE("a ring of fewer than three distinct vertices gives no triangles") {
  Polygon polygon;
  polygon.outer = {{0, 0}, {1, 1}, {1, 1}};
  std::vector<Vec2> points;
  std::vector<std::size_t> ringSizes;
  CHECK(triangulate(polygon, points, ringSizes).empty());
}
