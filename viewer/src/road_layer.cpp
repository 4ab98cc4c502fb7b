#include <osg/PolygonOffset>

#include <algorithm>
#include <cmath>

#include "scene_layers.hpp"
#include "tiled_mesh.hpp"

namespace citytwin::viewer {
namespace {

constexpr double kLiftM = 0.6;  // above the terrain mesh, which cuts corners between DEM samples

// Points along a polyline no further apart than `step`, so the ribbon follows the ground.
std::vector<geo::Vec2> densify(const geo::Polyline& line, double step) {
  std::vector<geo::Vec2> points;
  for (std::size_t i = 0; i + 1 < line.size(); ++i) {
    const geo::Vec2 a = line[i];
    const geo::Vec2 b = line[i + 1];
    const double length = geo::distance(a, b);
    const int pieces = std::max(1, static_cast<int>(std::ceil(length / step)));
    for (int k = 0; k < pieces; ++k) {
      const double t = static_cast<double>(k) / pieces;
      points.push_back({a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t});
    }
  }
  if (!line.empty()) points.push_back(line.back());
  return points;
}

}  // namespace

double roadHalfWidthM(const city::RoadLink& link) {
  const std::string& c = link.highwayClass;
  const auto is = [&c](std::string_view prefix) { return c.rfind(prefix, 0) == 0; };
  double width = 5.0;
  if (is("motorway")) width = 14.0;
  else if (is("trunk")) width = 12.0;
  else if (is("primary")) width = 10.0;
  else if (is("secondary")) width = 9.0;
  else if (is("tertiary")) width = 8.0;
  else if (is("residential") || is("unclassified") || is("living_street")) width = 7.0;
  else if (is("service")) width = 4.5;
  width = std::max(width, 3.5 * link.lanes * (link.oneWay ? 1.0 : 2.0));
  return width / 2.0;
}

RoadLayer buildRoadLayer(const SceneFrame& frame, const city::RoadNetwork& roads) {
  TiledMesh mesh(tileSizeFor(frame.extent()));
  const double step = std::max(frame.terrain().empty() ? 50.0 : frame.terrain().cellSize * 2.0, 5.0);
  const osg::Vec3 up(0.0f, 0.0f, 1.0f);
  for (std::size_t index = 0; index < roads.links.size(); ++index) {
    const city::RoadLink& link = roads.links[index];
    if (link.geometry.size() < 2) continue;
    const std::vector<geo::Vec2> points = densify(link.geometry, step);
    const double halfWidth = roadHalfWidthM(link);
    // Two-way streets: each direction draws the half on its right, so opposite links never overlap.
    const double left = link.oneWay ? -halfWidth : 0.0;
    const double right = halfWidth;
    const double totalLength = geo::length(link.geometry);
    // Bridges span their valley: a straight deck between the ground at both ends.
    const double startZ = frame.groundAt(points.front());
    const double endZ = frame.groundAt(points.back());
    TiledMesh::Tile& tile = mesh.tileAt(link.geometry[link.geometry.size() / 2]);
    double travelled = 0.0;
    std::uint32_t previousLeft = 0;
    std::uint32_t previousRight = 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (i > 0) travelled += geo::distance(points[i - 1], points[i]);
      // Direction: average of the neighbouring segments, so consecutive pieces join without gaps.
      const geo::Vec2 before = points[i > 0 ? i - 1 : i];
      const geo::Vec2 after = points[i + 1 < points.size() ? i + 1 : i];
      double dx = after.x - before.x;
      double dy = after.y - before.y;
      const double length = std::hypot(dx, dy);
      if (length < 1e-9) continue;
      dx /= length;
      dy /= length;
      const geo::Vec2 rightDir{dy, -dx};
      double z = frame.groundAt(points[i]);
      if (link.bridge && totalLength > 0) z = startZ + (endZ - startZ) * (travelled / totalLength);
      z += kLiftM;
      const geo::Vec2 l{points[i].x + rightDir.x * left, points[i].y + rightDir.y * left};
      const geo::Vec2 r{points[i].x + rightDir.x * right, points[i].y + rightDir.y * right};
      const std::uint32_t vl = tile.add(frame.toScene(l, z), up, index);
      const std::uint32_t vr = tile.add(frame.toScene(r, z), up, index);
      if (i > 0) tile.quad(previousLeft, previousRight, vr, vl);
      previousLeft = vl;
      previousRight = vr;
    }
  }
  RoadLayer layer;
  layer.node = mesh.build();
  layer.colours = std::make_unique<IndexedColours>(roads.links.size(), false, kRoadColourUnit);
  layer.node->setStateSet(layer.colours->stateSet());
  // Drawn just in front of the terrain they lie on.
  layer.node->getStateSet()->setAttributeAndModes(new osg::PolygonOffset(-1.0f, -4.0f));
  return layer;
}

}  // namespace citytwin::viewer
