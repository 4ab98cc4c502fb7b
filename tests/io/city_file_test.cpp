#include <doctest/doctest.h>

#include <sqlite3.h>

#include <filesystem>

#include "citytwin/core/error.hpp"
#include "citytwin/io/city_file.hpp"
#include "citytwin/testing/shared_data.hpp"
#include "citytwin/testing/tiny_city.hpp"

using namespace citytwin;

TEST_CASE("a city saved and loaded back is identical") {
  const city::CityModel original = testing::tinyCity();
  const auto path = testing::scratchDirectory() / "tiny.gpkg";
  io::saveCity(original, path);
  REQUIRE(std::filesystem::exists(path));
  const city::CityModel loaded = io::loadCity(path);
  CHECK(loaded.crsEpsg == original.crsEpsg);
  CHECK(loaded.roads == original.roads);
  CHECK(loaded.buildings == original.buildings);
  CHECK(loaded.grid == original.grid);
  CHECK(loaded.sensors == original.sensors);
  CHECK(loaded.terrain == original.terrain);
  CHECK(loaded.provenance == original.provenance);
  CHECK(loaded == original);
}

TEST_CASE("saving over an existing file replaces it whole") {
  city::CityModel city = testing::tinyCity();
  const auto path = testing::scratchDirectory() / "replace.gpkg";
  io::saveCity(city, path);
  city.buildings.pop_back();
  city.grid.feeders[0].servedBuildings.pop_back();
  io::saveCity(city, path);
  CHECK(io::loadCity(path).buildings.size() == 2);
}

TEST_CASE("an unwritable output path is refused before anything is written") {
  const city::CityModel city = testing::tinyCity();
  const auto missingFolder = testing::scratchDirectory() / "no-such-folder" / "city.gpkg";
  CHECK_THROWS_WITH_AS(io::saveCity(city, missingFolder), doctest::Contains("does not exist"), Error);
  CHECK_FALSE(std::filesystem::exists(missingFolder));
}

TEST_CASE("loading reports a missing file, a non-city GeoPackage and a bad schema version") {
  CHECK_THROWS_WITH_AS(io::loadCity(testing::scratchDirectory() / "absent.gpkg"), doctest::Contains("does not exist"),
                       Error);
  const auto text = testing::scratchDirectory() / "not-a-city.gpkg";
  { std::FILE* file = std::fopen(text.c_str(), "w"); std::fputs("hello", file); std::fclose(file); }
  CHECK_THROWS_WITH_AS(io::loadCity(text), doctest::Contains("not-a-city.gpkg"), Error);

  const auto path = testing::scratchDirectory() / "future.gpkg";
  io::saveCity(testing::tinyCity(), path);
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "UPDATE citytwin_metadata SET value = '99' WHERE key = 'schema_version'", nullptr, nullptr,
                       nullptr) == SQLITE_OK);
  sqlite3_close(db);
  CHECK_THROWS_WITH_AS(io::loadCity(path), doctest::Contains("schema version 99 is not supported"), Error);
}
