#include <doctest/doctest.h>

#include "citytwin/core/error.hpp"
#include "citytwin/geo/coordinate_transform.hpp"

using namespace citytwin::geo;

TEST_CASE("UTM zone of a position") {
  CHECK(utmEpsgFor({7.42, 43.73}) == 32632);   // Monaco
  CHECK(utmEpsgFor({-0.12, 51.5}) == 32630);   // London
  CHECK(utmEpsgFor({151.2, -33.9}) == 32756);  // Sydney
}

TEST_CASE("WGS 84 to UTM and back agrees with the published projection") {
  const CoordinateTransform utm("EPSG:32632");
  // The central meridian of zone 32 (9°E) at the equator maps to the false easting, 500 000 m.
  const Vec2 origin = utm.fromWgs84({9.0, 0.0});
  CHECK(origin.x == doctest::Approx(500000.0).epsilon(1e-9));
  CHECK(origin.y == doctest::Approx(0.0).scale(1.0));
  const LonLat monaco{7.4246, 43.7384};
  const Vec2 projected = utm.fromWgs84(monaco);
  const LonLat back = utm.toWgs84(projected);
  CHECK(back.lon == doctest::Approx(monaco.lon).epsilon(1e-10));
  CHECK(back.lat == doctest::Approx(monaco.lat).epsilon(1e-10));
  CHECK_FALSE(utm.wkt().empty());
}

TEST_CASE("an unknown CRS is an error naming it") {
  CHECK_THROWS_WITH_AS(CoordinateTransform("EPSG:999999"), doctest::Contains("EPSG:999999"), citytwin::Error);
}
