#include "osm_geometry.hpp"

#include <algorithm>

namespace citytwin::io {

geo::Polyline projectLine(const OGRLineString& line, const geo::CoordinateTransform& toCity) {
  geo::Polyline result;
  for (int i = 0; i < line.getNumPoints(); ++i)
    result.push_back(toCity.fromWgs84({line.getX(i), line.getY(i)}));
  return result;
}

geo::Ring projectRing(const OGRLineString& ring, const geo::CoordinateTransform& toCity) {
  geo::Ring result = projectLine(ring, toCity);
  if (result.size() > 1 && result.front() == result.back()) result.pop_back();
  return result;
}

geo::MultiPolygon projectPolygons(const OGRGeometry& geometry, const geo::CoordinateTransform& toCity) {
  geo::MultiPolygon parts;
  auto addPolygon = [&](const OGRPolygon& polygon) {
    geo::Polygon part;
    part.outer = projectRing(*polygon.getExteriorRing(), toCity);
    if (geo::signedRingArea(part.outer) < 0) std::reverse(part.outer.begin(), part.outer.end());
    for (int h = 0; h < polygon.getNumInteriorRings(); ++h) {
      geo::Ring hole = projectRing(*polygon.getInteriorRing(h), toCity);
      if (geo::signedRingArea(hole) > 0) std::reverse(hole.begin(), hole.end());
      part.holes.push_back(std::move(hole));
    }
    if (part.outer.size() >= 3) parts.push_back(std::move(part));
  };
  const auto type = wkbFlatten(geometry.getGeometryType());
  if (type == wkbPolygon) addPolygon(*geometry.toPolygon());
  if (type == wkbMultiPolygon)
    for (const OGRPolygon* polygon : *geometry.toMultiPolygon()) addPolygon(*polygon);
  return parts;
}

}  // namespace citytwin::io
