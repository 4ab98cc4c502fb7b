#include <algorithm>
#include <cmath>

#include "scene_layers.hpp"

namespace citytwin::viewer {
namespace {

osg::Vec4ub toBytes(const Colour& c) {
  const auto channel = [](float v) { return static_cast<unsigned char>(std::clamp(v, 0.0f, 1.0f) * 255.0f + 0.5f); };
  return {channel(c.r), channel(c.g), channel(c.b), 255};
}

constexpr double kSurfaceLiftM = 0.15;  // above the terrain mesh where the depth is only a few centimetres

}  // namespace

void WaterLayer::clear() {
  layer_.replace(new osg::Vec3Array, new osg::Vec4ubArray, nullptr);
  wetCells_ = 0;
}

void WaterLayer::update(const SceneFrame& frame, const geo::RasterGrid& surfaceDepth, const geo::RasterGrid& shownValue,
                        const ColourRamp& ramp, double threshold) {
  const std::size_t columns = surfaceDepth.columns;
  const std::size_t rows = surfaceDepth.rows;
  const auto wet = [&](std::size_t column, std::size_t row) {
    const float depth = surfaceDepth.at(column, row);
    const float shown = shownValue.at(column, row);
    return depth != surfaceDepth.noData && std::isfinite(depth) && std::isfinite(shown) && shown != shownValue.noData &&
           std::fabs(shown) >= threshold;
  };
  // One continuous surface: cell corners are shared, each at the ground there plus the mean depth of the
  // wet cells around it, so the water follows the valley without steps or cracks between cells.
  std::vector<unsigned> cornerIndex((columns + 1) * (rows + 1), ~0u);
  auto* vertices = new osg::Vec3Array;
  auto* colours = new osg::Vec4ubArray;
  colours->setNormalize(true);
  auto* triangles = new osg::DrawElementsUInt(GL_TRIANGLES);
  const auto corner = [&](std::size_t cx, std::size_t cy) {
    unsigned& index = cornerIndex[cy * (columns + 1) + cx];
    if (index != ~0u) return index;
    double depthSum = 0.0;
    double shownSum = 0.0;
    int count = 0;
    for (int dy = -1; dy <= 0; ++dy) {
      for (int dx = -1; dx <= 0; ++dx) {
        const long column = static_cast<long>(cx) + dx;
        const long row = static_cast<long>(cy) + dy;
        if (column < 0 || row < 0 || column >= static_cast<long>(columns) || row >= static_cast<long>(rows)) continue;
        if (!wet(static_cast<std::size_t>(column), static_cast<std::size_t>(row))) continue;
        depthSum += std::max(0.0f, surfaceDepth.at(static_cast<std::size_t>(column), static_cast<std::size_t>(row)));
        shownSum += shownValue.at(static_cast<std::size_t>(column), static_cast<std::size_t>(row));
        ++count;
      }
    }
    const geo::Vec2 p{surfaceDepth.originX + static_cast<double>(cx) * surfaceDepth.cellSize,
                      surfaceDepth.originY - static_cast<double>(cy) * surfaceDepth.cellSize};
    index = static_cast<unsigned>(vertices->size());
    vertices->push_back(frame.toScene(p, frame.groundAt(p) + depthSum / count + kSurfaceLiftM));
    colours->push_back(toBytes(ramp.at(shownSum / count)));
    return index;
  };
  wetCells_ = 0;
  for (std::size_t row = 0; row < rows; ++row) {
    for (std::size_t column = 0; column < columns; ++column) {
      if (!wet(column, row)) continue;
      const unsigned northWest = corner(column, row);
      const unsigned northEast = corner(column + 1, row);
      const unsigned southEast = corner(column + 1, row + 1);
      const unsigned southWest = corner(column, row + 1);
      appendIndices(*triangles, {southWest, southEast, northEast, southWest, northEast, northWest});
      ++wetCells_;
    }
  }
  layer_.replace(vertices, colours, triangles);
}

}  // namespace citytwin::viewer
