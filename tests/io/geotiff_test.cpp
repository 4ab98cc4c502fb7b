#include <doctest/doctest.h>

#include "citytwin/core/error.hpp"
#include "citytwin/io/geotiff.hpp"
#include "citytwin/testing/shared_data.hpp"

using namespace citytwin;

TEST_CASE("a GeoTIFF written and read back keeps values, georeferencing and CRS") {
  geo::RasterGrid grid(5, 3, 373000.0, 4845000.0, 2.5);
  for (std::size_t i = 0; i < grid.values.size(); ++i) grid.values[i] = 0.125f * static_cast<float>(i);
  grid.values[4] = grid.noData;
  const auto path = testing::scratchDirectory() / "depth.tif";
  io::writeGeoTiff(grid, 32632, path);
  int epsg = 0;
  const geo::RasterGrid back = io::readRaster(path, &epsg);
  CHECK(epsg == 32632);
  CHECK(back == grid);
}

TEST_CASE("reading a raster that is missing or not a raster names the file") {
  CHECK_THROWS_WITH_AS(io::readRaster(testing::scratchDirectory() / "nothing.tif"), doctest::Contains("nothing.tif"),
                       Error);
  const auto text = testing::scratchDirectory() / "text.tif";
  { std::FILE* file = std::fopen(text.c_str(), "w"); std::fputs("not a raster", file); std::fclose(file); }
  CHECK_THROWS_WITH_AS(io::readRaster(text), doctest::Contains("not a readable raster"), Error);
}
