#include "tiles/globe_frame.hpp"

#include <cmath>
#include <numbers>

namespace citytwin::cli::tiles {

std::array<double, 3> geodeticToEcef(geo::LonLat position, double heightM) {
  constexpr double kSemiMajorAxisM = 6378137.0;
  constexpr double kFlattening = 1.0 / 298.257223563;
  constexpr double kEccentricitySquared = kFlattening * (2.0 - kFlattening);
  const double lon = position.lon * std::numbers::pi / 180.0;
  const double lat = position.lat * std::numbers::pi / 180.0;
  const double sinLat = std::sin(lat);
  const double primeVerticalRadius =
      kSemiMajorAxisM / std::sqrt(1.0 - kEccentricitySquared * sinLat * sinLat);
  return {(primeVerticalRadius + heightM) * std::cos(lat) * std::cos(lon),
          (primeVerticalRadius + heightM) * std::cos(lat) * std::sin(lon),
          (primeVerticalRadius * (1.0 - kEccentricitySquared) + heightM) * sinLat};
}

GlobeFrame::GlobeFrame(const std::string& crs, geo::Vec2 origin, double originHeightM) : toWgs84_(crs) {
  const geo::LonLat lonLat = toWgs84_.toWgs84(origin);
  originEcef_ = geodeticToEcef(lonLat, originHeightM);
  const double lon = lonLat.lon * std::numbers::pi / 180.0;
  const double lat = lonLat.lat * std::numbers::pi / 180.0;
  east_ = {-std::sin(lon), std::cos(lon), 0.0};
  north_ = {-std::sin(lat) * std::cos(lon), -std::sin(lat) * std::sin(lon), std::cos(lat)};
  up_ = {std::cos(lat) * std::cos(lon), std::cos(lat) * std::sin(lon), std::sin(lat)};
}

Enu GlobeFrame::toEnu(geo::LonLat position, double heightM) const {
  const auto ecef = geodeticToEcef(position, heightM);
  const double dx = ecef[0] - originEcef_[0];
  const double dy = ecef[1] - originEcef_[1];
  const double dz = ecef[2] - originEcef_[2];
  return {dx * east_[0] + dy * east_[1] + dz * east_[2], dx * north_[0] + dy * north_[1] + dz * north_[2],
          dx * up_[0] + dy * up_[1] + dz * up_[2]};
}

std::array<double, 16> GlobeFrame::enuToEcef() const {
  return {east_[0], east_[1], east_[2], 0.0, north_[0],      north_[1],      north_[2],      0.0,
          up_[0],   up_[1],   up_[2],   0.0, originEcef_[0], originEcef_[1], originEcef_[2], 1.0};
}

}  // namespace citytwin::cli::tiles
