#include <cmath>
#include <numbers>

#include "scene_layers.hpp"

namespace citytwin::viewer {

void VehicleLayer::update(const SceneFrame& frame, const std::vector<VehiclePose>& poses) {
  auto* vertices = new osg::Vec3Array;
  auto* colours = new osg::Vec4ubArray;
  colours->setNormalize(true);
  auto* triangles = new osg::DrawElementsUInt(GL_TRIANGLES);
  const Colour base = vehicleColour();
  const auto shaded = [&base](double f) {
    return osg::Vec4ub(static_cast<unsigned char>(base.r * 255 * f), static_cast<unsigned char>(base.g * 255 * f),
                       static_cast<unsigned char>(base.b * 255 * f), 255);
  };
  // A car-sized box, a little enlarged so it reads from a district-wide view.
  constexpr double kHalfLength = 3.0;
  constexpr double kHalfWidth = 1.3;
  constexpr double kHeight = 2.0;
  for (const VehiclePose& pose : poses) {
    const double heading = pose.headingDeg * std::numbers::pi / 180.0;
    const geo::Vec2 forward{std::sin(heading), std::cos(heading)};
    const geo::Vec2 right{forward.y, -forward.x};
    const geo::Vec2 c{pose.x, pose.y};
    const double ground = frame.groundAt(c) + 0.7;
    const geo::Vec2 corners[4] = {
        {c.x + forward.x * kHalfLength + right.x * kHalfWidth, c.y + forward.y * kHalfLength + right.y * kHalfWidth},
        {c.x + forward.x * kHalfLength - right.x * kHalfWidth, c.y + forward.y * kHalfLength - right.y * kHalfWidth},
        {c.x - forward.x * kHalfLength - right.x * kHalfWidth, c.y - forward.y * kHalfLength - right.y * kHalfWidth},
        {c.x - forward.x * kHalfLength + right.x * kHalfWidth, c.y - forward.y * kHalfLength + right.y * kHalfWidth}};
    const auto first = static_cast<unsigned>(vertices->size());
    for (int k = 0; k < 4; ++k) {
      vertices->push_back(frame.toScene(corners[k], ground));
      colours->push_back(shaded(0.7));
    }
    for (int k = 0; k < 4; ++k) {
      vertices->push_back(frame.toScene(corners[k], ground + kHeight));
      colours->push_back(shaded(k < 2 ? 1.0 : 0.9));  // the front is brighter: direction of travel shows
    }
    const unsigned top = first + 4;
    appendIndices(*triangles, {top, top + 1, top + 2, top, top + 2, top + 3});
    for (unsigned k = 0; k < 4; ++k) {
      const unsigned a = first + k;
      const unsigned b = first + (k + 1) % 4;
      appendIndices(*triangles, {a, b, b + 4, a, b + 4, a + 4});
    }
  }
  layer_.replace(vertices, colours, triangles);
}

}  // namespace citytwin::viewer
