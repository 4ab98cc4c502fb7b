#pragma once

#include <memory>
#include <string>
#include <vector>

#include "citytwin/city/water.hpp"
#include "citytwin/geo/coordinate_transform.hpp"
#include "citytwin/io/osm_tags.hpp"

class OGRGeometry;

namespace citytwin::io {

// Collects the water of an OSM file as GDAL's OSM driver reads it (WGS 84), then builds the city's
// water layer in the city CRS:
//   coastlines  natural=coastline ways (lines, or closed ways read as polygons); land lies on their left
//   water areas natural=water, waterway=riverbank, landuse=reservoir (polygons, or closed riverbank lines)
//   waterways   waterway=river|stream|canal|drain|ditch centrelines, with width/depth where tagged
class OsmWaterCollector {
 public:
  OsmWaterCollector();
  ~OsmWaterCollector();
  OsmWaterCollector(OsmWaterCollector&&) noexcept;
  OsmWaterCollector& operator=(OsmWaterCollector&&) noexcept;

  // One feature of the "lines" or "multipolygons" layer; anything that is not water is ignored.
  void consider(const std::string& layerName, const OsmTags& tags, const OGRGeometry& geometry);

  // The water layer inside `extent` (city CRS). The sea is the part of `extent` on the water side of the
  // coastlines, which are cut at the extent's edge: an extract's coastline need not be closed.
  city::WaterLayer build(const geo::CoordinateTransform& toCity, const geo::BBox& extent) const;

  std::size_t coastlines() const { return coastlines_.size(); }

 private:
  struct Feature {
    std::string id;
    city::WaterKind kind = city::WaterKind::WaterBody;
    std::unique_ptr<OGRGeometry> geometry;  // WGS 84
    double widthM = 0.0;
    double depthM = 0.0;
    bool underground = false;
  };
  std::vector<Feature> coastlines_;
  std::vector<Feature> areas_;
  std::vector<Feature> waterways_;
};

// The sea inside `box`: the faces of the box cut by the coastlines (city CRS, land on their left) that
// lie on the coastlines' right. Empty when no coastline crosses the box. Exposed for tests.
geo::MultiPolygon seaInside(const std::vector<geo::Polyline>& coastlines, const geo::BBox& box);

}  // namespace citytwin::io
