#include "area_of_interest.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "citytwin/core/error.hpp"
#include "gdal_session.hpp"

namespace citytwin::io {

AreaOfInterest::AreaOfInterest(const std::filesystem::path& path) {
  const std::unique_ptr<GDALDataset> dataset =
      openReadOnlyDataset(path, GDAL_OF_VECTOR, "area-of-interest file", "vector file");
  OGRSpatialReference wgs84;
  wgs84.SetWellKnownGeogCS("WGS84");
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  auto merged = std::make_unique<OGRMultiPolygon>();
  for (OGRLayer* layer : dataset->GetLayers()) {
    for (auto& feature : *layer) {
      OGRGeometry* geometry = feature->GetGeometryRef();
      if (!geometry) continue;
      std::unique_ptr<OGRGeometry> copy(geometry->clone());
      if (const OGRSpatialReference* srs = layer->GetSpatialRef(); srs && !srs->IsSame(&wgs84)) {
        OGRSpatialReference source(*srs);
        source.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        copy->assignSpatialReference(&source);
        if (copy->transformTo(&wgs84) != OGRERR_NONE) {
          throw Error(path.string() + ": cannot transform the area of interest to WGS 84");
        }
      }
      const auto type = wkbFlatten(copy->getGeometryType());
      if (type == wkbPolygon) {
        merged->addGeometry(copy.get());
      } else if (type == wkbMultiPolygon) {
        for (const OGRPolygon* part : *copy->toMultiPolygon()) merged->addGeometry(part);
      }
    }
  }
  if (merged->IsEmpty()) throw Error(path.string() + ": area of interest holds no polygon");
  area_.reset(merged->UnionCascaded());
  if (!area_) area_ = std::move(merged);
}

AreaOfInterest::~AreaOfInterest() = default;
AreaOfInterest::AreaOfInterest(AreaOfInterest&&) noexcept = default;

bool AreaOfInterest::contains(geo::LonLat position) const {
  const OGRPoint point(position.lon, position.lat);
  return area_->Contains(&point);
}

bool AreaOfInterest::contains(const OGRGeometry& geometryInWgs84) const {
  return area_->Contains(&geometryInWgs84);
}

geo::LonLat AreaOfInterest::centre() const {
  OGREnvelope envelope;
  area_->getEnvelope(&envelope);
  return {(envelope.MinX + envelope.MaxX) / 2, (envelope.MinY + envelope.MaxY) / 2};
}

}  // namespace citytwin::io
