#pragma once

#include <filesystem>
#include <memory>

#include "citytwin/geo/coordinate_transform.hpp"

class OGRGeometry;

namespace citytwin::io {

// The union of the polygons in a vector file (GeoJSON or any OGR source), in WGS 84 lon/lat.
class AreaOfInterest {
 public:
  explicit AreaOfInterest(const std::filesystem::path& path);
  ~AreaOfInterest();
  AreaOfInterest(AreaOfInterest&&) noexcept;

  bool contains(geo::LonLat position) const;
  bool contains(const OGRGeometry& geometryInWgs84) const;
  geo::LonLat centre() const;

 private:
  std::unique_ptr<OGRGeometry> area_;
};

}  // namespace citytwin::io
