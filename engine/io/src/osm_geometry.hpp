#pragma once

#include <ogr_geometry.h>

#include "citytwin/geo/coordinate_transform.hpp"
#include "citytwin/geo/geometry.hpp"

namespace citytwin::io {

// OSM geometries as GDAL reads them (WGS 84) projected into the city's CRS.
geo::Polyline projectLine(const OGRLineString& line, const geo::CoordinateTransform& toCity);
// A ring without its closing vertex.
geo::Ring projectRing(const OGRLineString& ring, const geo::CoordinateTransform& toCity);
// The polygons of a Polygon or MultiPolygon (other types give none), outer rings counter-clockwise and holes
// clockwise, as GeoPackage readers and extrusion expect; parts with fewer than three vertices are dropped.
geo::MultiPolygon projectPolygons(const OGRGeometry& geometry, const geo::CoordinateTransform& toCity);

}  // namespace citytwin::io
