#include "dem_reprojection.hpp"

#include <gdal_priv.h>
#include <gdal_utils.h>
#include <ogr_spatialref.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "citytwin/core/error.hpp"
#include "gdal_session.hpp"

namespace citytwin::io {
namespace {

// The DEM's footprint in the city CRS, from points sampled along its edges (a curved edge in the
// target CRS is not a straight line between corners).
geo::BBox footprintInCity(GDALDataset& dataset, const OGRSpatialReference& source, int cityEpsg) {
  OGRSpatialReference target;
  target.importFromEPSG(cityEpsg);
  target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  OGRSpatialReference from(source);
  from.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  std::unique_ptr<OGRCoordinateTransformation> transform(OGRCreateCoordinateTransformation(&from, &target));
  geo::BBox box;
  if (!transform) return box;
  double t[6];
  dataset.GetGeoTransform(t);
  const double width = dataset.GetRasterXSize();
  const double height = dataset.GetRasterYSize();
  constexpr int kSamples = 21;
  for (int i = 0; i < kSamples; ++i) {
    const double f = static_cast<double>(i) / (kSamples - 1);
    const std::pair<double, double> pixels[4] = {
        {f * width, 0}, {f * width, height}, {0, f * height}, {width, f * height}};
    for (auto [px, py] : pixels) {
      double x = t[0] + px * t[1] + py * t[2];
      double y = t[3] + px * t[4] + py * t[5];
      if (transform->Transform(1, &x, &y)) box.expand(geo::Vec2{x, y});
    }
  }
  return box;
}

double nativeCellMetres(GDALDataset& dataset, const OGRSpatialReference& source, double latitude) {
  double t[6];
  dataset.GetGeoTransform(t);
  if (source.IsGeographic()) {
    const double metresPerDegree = 111320.0;
    const double dx = std::abs(t[1]) * metresPerDegree * std::cos(latitude * M_PI / 180.0);
    const double dy = std::abs(t[5]) * metresPerDegree;
    return std::min(dx, dy);
  }
  return std::min(std::abs(t[1]), std::abs(t[5])) * source.GetLinearUnits();
}

}  // namespace

geo::RasterGrid reprojectDem(const std::filesystem::path& dem, int cityEpsg, const geo::BBox& extent,
                             double cellM) {
  const std::unique_ptr<GDALDataset> source = openReadOnlyDataset(dem, GDAL_OF_RASTER, "DEM file", "raster");
  GdalErrorCapture errors;
  const OGRSpatialReference* sourceSrs = source->GetSpatialRef();
  if (!sourceSrs || sourceSrs->IsEmpty()) {
    throw Error(dem.string() +
                ": DEM has no coordinate reference system; assign one (e.g. gdal_edit.py -a_srs)");
  }
  double t[6];
  if (source->GetGeoTransform(t) != CE_None) throw Error(dem.string() + ": DEM has no georeferencing");

  const geo::BBox demBox = footprintInCity(*source, *sourceSrs, cityEpsg);
  if (demBox.empty() || !demBox.intersects(extent)) {
    throw Error(dem.string() + ": DEM does not overlap the city's data (DEM covers x " +
                std::to_string(demBox.minX) + "…" + std::to_string(demBox.maxX) + ", y " +
                std::to_string(demBox.minY) + "…" + std::to_string(demBox.maxY) +
                " in EPSG:" + std::to_string(cityEpsg) + "; data covers x " + std::to_string(extent.minX) +
                "…" + std::to_string(extent.maxX) + ", y " + std::to_string(extent.minY) + "…" +
                std::to_string(extent.maxY) + ")");
  }

  if (cellM <= 0) {
    OGRSpatialReference target;
    target.importFromEPSG(cityEpsg);
    OGRSpatialReference wgs84;
    wgs84.SetWellKnownGeogCS("WGS84");
    // The latitude only scales a geographic DEM's cell width; the city's centre is close enough.
    double latitude = 45.0;
    target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> toWgs(OGRCreateCoordinateTransformation(&target, &wgs84));
    if (toWgs) {
      double x = extent.centre().x, y = extent.centre().y;
      if (toWgs->Transform(1, &x, &y)) latitude = y;
    }
    // Whole metres keep the grid's corners exact in every format that stores them.
    cellM = std::max(1.0, std::round(nativeCellMetres(*source, *sourceSrs, latitude)));
  }
  // Snap the grid to whole cells around the data, with one cell of margin for interpolation.
  const double minX = std::floor(extent.minX / cellM) * cellM - cellM;
  const double maxX = std::ceil(extent.maxX / cellM) * cellM + cellM;
  const double minY = std::floor(extent.minY / cellM) * cellM - cellM;
  const double maxY = std::ceil(extent.maxY / cellM) * cellM + cellM;
  const auto columns = static_cast<int>(std::llround((maxX - minX) / cellM));
  const auto rows = static_cast<int>(std::llround((maxY - minY) / cellM));

  const std::string srs = "EPSG:" + std::to_string(cityEpsg);
  std::vector<std::string> arguments = {"-of",
                                        "MEM",
                                        "-t_srs",
                                        srs,
                                        "-r",
                                        "bilinear",
                                        "-te",
                                        std::to_string(minX),
                                        std::to_string(minY),
                                        std::to_string(maxX),
                                        std::to_string(maxY),
                                        "-ts",
                                        std::to_string(columns),
                                        std::to_string(rows),
                                        "-ot",
                                        "Float32",
                                        "-dstnodata",
                                        "-9999"};
  std::vector<char*> argv;
  for (auto& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  GDALWarpAppOptions* options = GDALWarpAppOptionsNew(argv.data(), nullptr);
  GDALDatasetH sources[] = {GDALDataset::ToHandle(source.get())};
  int usageError = 0;
  std::unique_ptr<GDALDataset> warped(
      GDALDataset::FromHandle(GDALWarp("", nullptr, 1, sources, options, &usageError)));
  GDALWarpAppOptionsFree(options);
  if (!warped) throw Error(dem.string() + ": cannot reproject the DEM: " + errors.failureText());

  geo::RasterGrid grid(static_cast<std::size_t>(columns), static_cast<std::size_t>(rows), minX, maxY, cellM);
  grid.noData = -9999.0f;
  if (warped->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, columns, rows, grid.values.data(), columns, rows,
                                         GDT_Float32, 0, 0, nullptr) != CE_None) {
    throw Error(dem.string() + ": cannot read the reprojected DEM: " + errors.failureText());
  }
  return grid;
}

}  // namespace citytwin::io
