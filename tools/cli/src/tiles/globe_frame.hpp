#pragma once

#include <array>
#include <string>

#include "citytwin/geo/coordinate_transform.hpp"

namespace citytwin::cli::tiles {

// East, north, up (metres) in the local tangent frame of a tileset's root.
struct Enu {
  double east = 0.0;
  double north = 0.0;
  double up = 0.0;
};

// Places city coordinates on the globe: city CRS -> WGS 84 through PROJ, then geodetic -> Earth-centred
// (ECEF, WGS 84 ellipsoid) -> the east-north-up frame at the origin. Tile content is written in that frame
// so its coordinates stay small floats; the root transform of the tileset is the frame's ENU -> ECEF matrix.
// Heights are taken as ellipsoidal (the DEM's heights above the geoid differ by the geoid undulation, tens of
// metres at most, which moves the whole city up or down but not its shape). Not thread-safe (PROJ): one per
// thread.
class GlobeFrame {
 public:
  GlobeFrame(const std::string& crs, geo::Vec2 origin, double originHeightM);

  Enu toEnu(geo::Vec2 cityPosition, double heightM) const { return toEnu(toWgs84(cityPosition), heightM); }
  // The two steps apart, so a position's lon/lat is computed once for several heights.
  geo::LonLat toWgs84(geo::Vec2 cityPosition) const { return toWgs84_.toWgs84(cityPosition); }
  Enu toEnu(geo::LonLat position, double heightM) const;
  // Column-major 4x4 ENU -> ECEF matrix, as 3D Tiles' `transform` wants it.
  std::array<double, 16> enuToEcef() const;

 private:
  geo::CoordinateTransform toWgs84_;
  std::array<double, 3> originEcef_{};
  std::array<double, 3> east_{};
  std::array<double, 3> north_{};
  std::array<double, 3> up_{};
};

// WGS 84 geodetic position (degrees, metres above the ellipsoid) -> ECEF metres.
std::array<double, 3> geodeticToEcef(geo::LonLat position, double heightM);

}  // namespace citytwin::cli::tiles
