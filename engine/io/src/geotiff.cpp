#include "citytwin/io/geotiff.hpp"

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <cmath>
#include <memory>

#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/error.hpp"
#include "gdal_session.hpp"

namespace citytwin::io {

void writeGeoTiff(const geo::RasterGrid& grid, int epsg, const std::filesystem::path& path) {
  ensureGdalRegistered();
  if (grid.empty()) throw Error(path.string() + ": cannot write an empty raster");
  AtomicOutput output(path);
  GdalErrorCapture errors;
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GTiff");
  if (!driver) throw Error("GDAL has no GTiff driver");
  char** options = nullptr;
  options = CSLSetNameValue(options, "COMPRESS", "DEFLATE");
  options = CSLSetNameValue(options, "PREDICTOR", "3");
  options = CSLSetNameValue(options, "TILED", "YES");
  std::unique_ptr<GDALDataset> dataset(driver->Create(output.temporaryPath().c_str(),
                                                      static_cast<int>(grid.columns),
                                                      static_cast<int>(grid.rows), 1, GDT_Float32, options));
  CSLDestroy(options);
  if (!dataset) throw Error(path.string() + ": cannot create GeoTIFF: " + errors.failureText());
  double transform[6] = {grid.originX, grid.cellSize, 0.0, grid.originY, 0.0, -grid.cellSize};
  dataset->SetGeoTransform(transform);
  if (epsg > 0) {
    OGRSpatialReference srs;
    srs.importFromEPSG(epsg);
    dataset->SetSpatialRef(&srs);
  }
  GDALRasterBand* band = dataset->GetRasterBand(1);
  band->SetNoDataValue(grid.noData);
  const CPLErr written =
      band->RasterIO(GF_Write, 0, 0, static_cast<int>(grid.columns), static_cast<int>(grid.rows),
                     const_cast<float*>(grid.values.data()), static_cast<int>(grid.columns),
                     static_cast<int>(grid.rows), GDT_Float32, 0, 0, nullptr);
  if (written != CE_None) throw Error(path.string() + ": cannot write raster data: " + errors.failureText());
  dataset->FlushCache(false);
  GDALClose(GDALDataset::ToHandle(dataset.release()));
  if (errors.hasFailures()) throw Error(path.string() + ": cannot finish GeoTIFF: " + errors.failureText());
  output.commit();
}

geo::RasterGrid readRaster(const std::filesystem::path& path, int* epsgOut) {
  const std::unique_ptr<GDALDataset> dataset =
      openReadOnlyDataset(path, GDAL_OF_RASTER, "raster file", "raster");
  GdalErrorCapture errors;
  if (dataset->GetRasterCount() < 1) throw Error(path.string() + ": raster has no band");
  double transform[6];
  if (dataset->GetGeoTransform(transform) != CE_None) {
    throw Error(path.string() + ": raster has no georeferencing (geotransform)");
  }
  if (transform[2] != 0.0 || transform[4] != 0.0 || transform[5] >= 0.0) {
    throw Error(path.string() + ": raster must be north-up without rotation");
  }
  if (std::abs(transform[1] + transform[5]) > 1e-9 * std::abs(transform[1])) {
    throw Error(path.string() + ": raster cells must be square (pixel size " + std::to_string(transform[1]) +
                " x " + std::to_string(-transform[5]) + ")");
  }
  geo::RasterGrid grid(static_cast<std::size_t>(dataset->GetRasterXSize()),
                       static_cast<std::size_t>(dataset->GetRasterYSize()), transform[0], transform[3],
                       transform[1]);
  GDALRasterBand* band = dataset->GetRasterBand(1);
  int hasNoData = 0;
  const double noData = band->GetNoDataValue(&hasNoData);
  grid.noData = hasNoData ? static_cast<float>(noData) : -9999.0f;
  if (band->RasterIO(GF_Read, 0, 0, static_cast<int>(grid.columns), static_cast<int>(grid.rows),
                     grid.values.data(), static_cast<int>(grid.columns), static_cast<int>(grid.rows),
                     GDT_Float32, 0, 0, nullptr) != CE_None) {
    throw Error(path.string() + ": cannot read raster data: " + errors.failureText());
  }
  if (epsgOut) {
    *epsgOut = 0;
    if (const OGRSpatialReference* srs = dataset->GetSpatialRef()) {
      OGRSpatialReference copy(*srs);
      if (copy.AutoIdentifyEPSG() == OGRERR_NONE || copy.GetAuthorityCode(nullptr)) {
        const char* code = copy.GetAuthorityCode(nullptr);
        if (code) *epsgOut = std::atoi(code);
      }
    }
  }
  return grid;
}

}  // namespace citytwin::io
