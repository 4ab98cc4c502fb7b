#pragma once

#include <cstdint>
#include <vector>

#include "citytwin/city/road_network.hpp"

namespace citytwin::traffic {

// Where a vehicle is drawn: map position (city CRS metres) and compass heading (degrees, 0 = north,
// 90 = east) from its link, lane and distance along the link.
struct PlacedVehicle {
  double x = 0.0, y = 0.0, headingDeg = 0.0;
};

// Places vehicles on the city's road geometry. The simulated length of a link may differ from the length of
// its polyline, so the distance is scaled to the polyline; each lane is drawn `laneWidthM` apart to the right
// of the centre line (lane 0 nearest to it), which keeps the two directions of a street apart.
class VehiclePlacement {
 public:
  explicit VehiclePlacement(const city::RoadNetwork& roads, double laneWidthM = 3.25);
  PlacedVehicle place(std::int32_t link, int lane, double offsetM, double simulatedLengthM) const;

 private:
  std::vector<std::uint32_t> pointStart_;  // per link, into points_ / along_
  std::vector<geo::Vec2> points_;
  std::vector<double> along_;  // cumulative polyline length at every point
  double laneWidth_;
};

}  // namespace citytwin::traffic
