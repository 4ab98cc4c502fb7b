#include <doctest/doctest.h>

#include <filesystem>

#include "citytwin/core/error.hpp"
#include "citytwin/core/fingerprint.hpp"
#include "citytwin/io/city_file.hpp"
#include "citytwin/io/city_source.hpp"
#include "citytwin/io/geopackage_city_source.hpp"
#include "citytwin/testing/shared_data.hpp"
#include "citytwin/testing/tiny_city.hpp"

using namespace citytwin;

TEST_CASE("a GeoPackage city source reads what saveCity wrote and describes itself as an input") {
  const city::CityModel original = testing::tinyCity();
  const auto path = testing::scratchDirectory() / "source.gpkg";
  io::saveCity(original, path);

  const auto source = io::openCitySource(path.string());
  REQUIRE(dynamic_cast<const io::GeoPackageCitySource*>(source.get()) != nullptr);
  CHECK(source->location() == path.string());
  CHECK(source->read() == original);
  const city::InputProvenance provenance = source->provenance();
  CHECK(provenance.role == "city");
  CHECK(provenance.source == path.string());
  CHECK(provenance.fingerprint == fingerprintFile(path));
}

TEST_CASE("the source is chosen by scheme, then by extension, with GeoPackage as the default") {
  const auto folder = testing::scratchDirectory() / "sources";
  std::filesystem::create_directories(folder);
  const auto saved = folder / "city.gpkg";
  io::saveCity(testing::tinyCity(), saved);
  const auto path = folder / "city.unusual";
  std::filesystem::copy_file(saved, path, std::filesystem::copy_options::overwrite_existing);

  // An explicit scheme is removed before the path is opened.
  const auto schemed = io::openCitySource("gpkg:" + path.string());
  CHECK(schemed->location() == path.string());
  CHECK(schemed->read() == testing::tinyCity());
  // An unknown extension is a GeoPackage; a colon that does not follow a known scheme is part of the path.
  CHECK(io::openCitySource(path.string())->location() == path.string());
  CHECK(io::loadCity(path) == testing::tinyCity());
  CHECK(io::openCitySource("run:2/city.gpkg")->location() == "run:2/city.gpkg");
  CHECK(io::openCitySource("GPKG:city.gpkg")->location() == "city.gpkg");
}

TEST_CASE("opening reads nothing; reading a missing city names it") {
  const auto missing = testing::scratchDirectory() / "absent-source.gpkg";
  const auto source = io::openCitySource(missing.string());
  CHECK_THROWS_WITH_AS(source->read(), doctest::Contains("absent-source.gpkg: city file does not exist"), Error);
}
