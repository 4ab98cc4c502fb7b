#pragma once

#include <memory>
#include <string>

#include "citytwin/geo/geometry.hpp"

namespace citytwin::geo {

// A geographic position in degrees (WGS 84).
struct LonLat {
  double lon = 0.0;
  double lat = 0.0;
};

// The EPSG code of the WGS 84 UTM zone holding a position (326xx north, 327xx south).
int utmEpsgFor(LonLat position);

// Transforms between WGS 84 (lon/lat, degrees) and one projected CRS (metres), through PROJ.
// Not thread-safe: give each thread its own instance.
class CoordinateTransform {
 public:
  // `crs` is anything PROJ understands: "EPSG:32632", a WKT string, a PROJ string.
  explicit CoordinateTransform(const std::string& crs);
  ~CoordinateTransform();
  CoordinateTransform(CoordinateTransform&&) noexcept;
  CoordinateTransform& operator=(CoordinateTransform&&) noexcept;

  Vec2 fromWgs84(LonLat position) const;
  LonLat toWgs84(Vec2 position) const;
  // The CRS as OGC WKT 2, for file metadata.
  std::string wkt() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace citytwin::geo
