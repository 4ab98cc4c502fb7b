#include "scene_frame.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace citytwin::viewer {

SceneFrame::SceneFrame(const city::CityModel& city) : terrain_(&city.terrain) {
  extent_ = city.extent();
  if (extent_.empty()) extent_ = geo::BBox{-500.0, -500.0, 500.0, 500.0};
  origin_ = extent_.centre();
  double lowest = std::numeric_limits<double>::infinity();
  double highest = -std::numeric_limits<double>::infinity();
  for (float v : city.terrain.values) {
    if (v == city.terrain.noData || !std::isfinite(v)) continue;
    lowest = std::min(lowest, static_cast<double>(v));
    highest = std::max(highest, static_cast<double>(v));
  }
  if (lowest <= highest) {
    minElevation_ = lowest;
    maxElevation_ = highest;
  }
}

double SceneFrame::groundAt(geo::Vec2 p) const {
  if (terrain_->empty()) return minElevation_;
  if (const auto z = terrain_->sample(p)) return *z;
  // Outside the DEM: clamp to its nearest edge cell so roads leaving the grid stay on the ground.
  const geo::BBox box = terrain_->extent();
  const double half = terrain_->cellSize / 2;
  const geo::Vec2 clamped{std::clamp(p.x, box.minX + half, box.maxX - half), std::clamp(p.y, box.minY + half, box.maxY - half)};
  if (const auto z = terrain_->sample(clamped)) return *z;
  return minElevation_;
}

}  // namespace citytwin::viewer
