#include <doctest/doctest.h>

#include <fstream>

#include "citytwin/core/error.hpp"
#include "citytwin/io/geotiff.hpp"
#include "citytwin/io/osm_import.hpp"
#include "citytwin/testing/shared_data.hpp"

using namespace citytwin;

namespace {
void copyPrefix(const std::filesystem::path& from, const std::filesystem::path& to, std::size_t bytes) {
  std::ifstream in(from, std::ios::binary);
  std::string buffer(bytes, '\0');
  in.read(buffer.data(), static_cast<std::streamsize>(bytes));
  std::ofstream out(to, std::ios::binary);
  out.write(buffer.data(), in.gcount());
}
}  // namespace

TEST_CASE("a missing OSM file is named") {
  io::OsmImportOptions options;
  options.osm = testing::scratchDirectory() / "missing.osm.pbf";
  CHECK_THROWS_WITH_AS(io::importOsm(options), doctest::Contains("missing.osm.pbf: OSM file does not exist"), Error);
}

TEST_CASE("a truncated .pbf is reported as truncated") {
  const auto folder = testing::sharedData("city/monaco");
  if (!folder) return;
  const auto truncated = testing::scratchDirectory() / "truncated.osm.pbf";
  copyPrefix(*folder / "monaco-latest.osm.pbf", truncated, 300000);
  io::OsmImportOptions options;
  options.osm = truncated;
  CHECK_THROWS_WITH_AS(io::importOsm(options), doctest::Contains("truncated.osm.pbf"), Error);
}

TEST_CASE("a .pbf cut at 40 % gets one message under 2 KB: the file, the first GDAL error, a count") {
  const auto folder = testing::sharedData("city/monaco");
  if (!folder) return;
  const auto whole = *folder / "monaco-latest.osm.pbf";
  const auto truncated = testing::scratchDirectory() / "monaco-cut.osm.pbf";
  copyPrefix(whole, truncated, std::filesystem::file_size(whole) * 2 / 5);
  io::OsmImportOptions options;
  options.osm = truncated;
  try {
    io::importOsm(options);
    FAIL("a truncated .pbf imported");
  } catch (const Error& error) {
    const std::string message = error.what();
    CAPTURE(message);
    CHECK(message.find("monaco-cut.osm.pbf: truncated or corrupt OSM file: ") != std::string::npos);
    CHECK(message.size() < 2048);
  }
}

TEST_CASE("a DEM without a CRS, and a DEM elsewhere, are refused with the DEM's name") {
  const auto folder = testing::sharedData("city/monaco");
  if (!folder) return;
  const geo::RasterGrid dem = io::readRaster(*folder / "monaco_dem_srtm3_utm32n_90m.tif");
  const auto noCrs = testing::scratchDirectory() / "no-crs.tif";
  io::writeGeoTiff(dem, 0, noCrs);
  io::OsmImportOptions options;
  options.osm = *folder / "monaco-latest.osm.pbf";
  options.areaOfInterest = *folder / "monaco_aoi.geojson";
  options.dem = noCrs;
  CHECK_THROWS_WITH_AS(io::importOsm(options), doctest::Contains("no-crs.tif: DEM has no coordinate reference system"),
                       Error);

  geo::RasterGrid elsewhere = dem;
  elsewhere.originX -= 200000.0;  // 200 km west of Monaco, still in zone 32
  const auto far = testing::scratchDirectory() / "elsewhere.tif";
  io::writeGeoTiff(elsewhere, 32632, far);
  options.dem = far;
  CHECK_THROWS_WITH_AS(io::importOsm(options), doctest::Contains("elsewhere.tif: DEM does not overlap"), Error);
}
