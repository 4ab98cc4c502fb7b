#include "citytwin/traffic/vehicle_placement.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace citytwin::traffic {

VehiclePlacement::VehiclePlacement(const city::RoadNetwork& roads, double laneWidthM)
    : laneWidth_(laneWidthM) {
  pointStart_.reserve(roads.links.size() + 1);
  pointStart_.push_back(0);
  for (const city::RoadLink& link : roads.links) {
    geo::Polyline line = link.geometry;
    if (line.size() < 2) line = {roads.nodes[link.from].position, roads.nodes[link.to].position};
    double along = 0.0;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (i > 0) along += std::hypot(line[i].x - line[i - 1].x, line[i].y - line[i - 1].y);
      points_.push_back(line[i]);
      along_.push_back(along);
    }
    pointStart_.push_back(static_cast<std::uint32_t>(points_.size()));
  }
}

PlacedVehicle VehiclePlacement::place(std::int32_t link, int lane, double offsetM,
                                      double simulatedLengthM) const {
  const std::uint32_t begin = pointStart_[link], end = pointStart_[link + 1];
  const double total = along_[end - 1];
  const double fraction = simulatedLengthM > 0.0 ? std::clamp(offsetM / simulatedLengthM, 0.0, 1.0) : 0.0;
  const double target = fraction * total;
  // The segment holding the target distance (the last one when the target is at the very end).
  const auto first = along_.begin() + begin + 1, last = along_.begin() + end - 1;
  const std::uint32_t i = static_cast<std::uint32_t>(std::lower_bound(first, last, target) - along_.begin());
  const geo::Vec2 a = points_[i - 1], b = points_[i];
  const double segment = along_[i] - along_[i - 1];
  const double t = segment > 0.0 ? (target - along_[i - 1]) / segment : 0.0;
  const double dx = b.x - a.x, dy = b.y - a.y;
  PlacedVehicle placed;
  placed.x = a.x + t * dx;
  placed.y = a.y + t * dy;
  if (segment > 0.0) {
    const double shift = (lane + 0.5) * laneWidth_ / segment;  // to the right of the direction of travel
    placed.x += dy * shift;
    placed.y -= dx * shift;
    placed.headingDeg = std::atan2(dx, dy) * 180.0 / std::numbers::pi;
    if (placed.headingDeg < 0.0) placed.headingDeg += 360.0;
  }
  return placed;
}

}  // namespace citytwin::traffic
