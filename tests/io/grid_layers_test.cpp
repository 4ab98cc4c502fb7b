// The grid layers' source, cable and parent_feeder_id columns, a mapped line of no substation, and files
// whose feeder tree is broken.
#include <doctest/doctest.h>
#include <gdal_priv.h>

#include "citytwin/core/error.hpp"
#include "citytwin/io/city_file.hpp"
#include "citytwin/testing/shared_data.hpp"
#include "citytwin/testing/tiny_city.hpp"

using namespace citytwin;

namespace {

city::CityModel cityWithTree() {
  city::CityModel city = testing::tinyCity();
  city.grid = {};
  city::Substation site;
  site.id = "synth:substation/1";
  site.position = {10, 90};
  site.ratedMva = 0.4;
  site.secondaryKv = 0.4;
  site.source = "synthesised";
  city.grid.substations.push_back(site);
  city::Feeder trunk;
  trunk.id = "synth:substation/1/feeder-1";
  trunk.substation = 0;
  trunk.route = {{10, 90}, {0, 100}, {100, 100}};
  trunk.voltageKv = 0.4;
  trunk.cable = "NAYY 4x150 SE";
  trunk.source = "synthesised";
  trunk.servedBuildings = {0};
  city::Feeder branch = trunk;
  branch.id = "synth:substation/1/feeder-2";
  branch.route = {{100, 100}, {100, 200}};
  branch.cable = "2 x NAYY 4x150 SE";
  branch.parentFeeder = 0;
  branch.servedBuildings = {1, 2};
  city::Feeder mapped;
  mapped.id = "osm:way/7";
  mapped.substation = city::kNoSubstation;
  mapped.route = {{0, 300}, {200, 300}};
  mapped.voltageKv = 63;
  mapped.cable = "power=cable";
  mapped.source = "osm";
  city.grid.feeders = {trunk, branch, mapped};
  return city;
}

// Through GDAL, whose GeoPackage driver provides the ST_ functions the layers' spatial-index triggers call.
void execute(const std::filesystem::path& path, const char* sql) {
  GDALAllRegister();
  const char* drivers[] = {"GPKG", nullptr};
  GDALDataset* dataset =
      GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE, drivers, nullptr, nullptr);
  REQUIRE(dataset != nullptr);
  CPLErrorReset();
  OGRLayer* result = dataset->ExecuteSQL(sql, nullptr, "SQLITE");
  if (result) dataset->ReleaseResultSet(result);
  CHECK(CPLGetLastErrorType() == CE_None);
  GDALClose(dataset);
}

}  // namespace

TEST_CASE("the grid layers keep source, cable, branch structure and lines of no substation") {
  const city::CityModel original = cityWithTree();
  const auto path = testing::scratchDirectory() / "grid-tree.gpkg";
  io::saveCity(original, path);
  CHECK(io::loadCity(path).grid == original.grid);
}

TEST_CASE("a feeder branching off an unknown feeder, or off its own branch, is refused with its id") {
  const auto path = testing::scratchDirectory() / "grid-broken.gpkg";
  io::saveCity(cityWithTree(), path);
  execute(path,
          "UPDATE grid_feeders SET parent_feeder_id = 'nowhere' WHERE id = 'synth:substation/1/feeder-2'");
  CHECK_THROWS_WITH_AS(
      io::loadCity(path),
      doctest::Contains("feeder 'synth:substation/1/feeder-2' branches off unknown feeder 'nowhere'"), Error);
  io::saveCity(cityWithTree(), path);
  execute(path,
          "UPDATE grid_feeders SET parent_feeder_id = 'osm:way/7' WHERE id = 'synth:substation/1/feeder-2'");
  CHECK_THROWS_WITH_AS(io::loadCity(path), doctest::Contains("of another substation"), Error);
}

TEST_CASE("a city file without the source columns (written before them) reads them as empty") {
  const auto path = testing::scratchDirectory() / "grid-old.gpkg";
  io::saveCity(cityWithTree(), path);
  execute(path, "ALTER TABLE grid_substations DROP COLUMN source");
  execute(path, "ALTER TABLE grid_feeders DROP COLUMN source");
  const city::CityModel back = io::loadCity(path);
  CHECK(back.grid.substations.at(0).source.empty());
  CHECK(back.grid.feeders.at(0).source.empty());
  CHECK(back.grid.feeders.at(1).parentFeeder == 0);
}

namespace {

// cityWithTree's secondary substation supplied by a 20 kV feeder of a 110/20 kV primary.
city::CityModel cityWithMediumVoltage() {
  city::CityModel city = cityWithTree();
  city.grid.substations[0].transformer = "0.4 MVA 20/0.4 kV";
  city::Substation primary;
  primary.id = "synth:primary/1";
  primary.position = {-50, 90};
  primary.ratedMva = 40;
  primary.primaryKv = 110;
  primary.secondaryKv = 20;
  primary.transformer = "40 MVA 110/20 kV";
  primary.tapPercent = 3.0;
  primary.source = "synthesised";
  city.grid.substations.push_back(primary);
  city::Feeder mv;
  mv.id = "synth:primary/1/mv-feeder-1";
  mv.substation = 1;
  mv.route = {{-50, 90}, {10, 90}};
  mv.voltageKv = 20;
  mv.cable = "NA2XS2Y 1x95 RM/25 12/20 kV";
  mv.source = "synthesised";
  city.grid.feeders.push_back(mv);
  city.grid.substations[0].supplyFeeder = static_cast<std::int32_t>(city.grid.feeders.size() - 1);
  return city;
}

}  // namespace

TEST_CASE("the grid layers keep transformer types, taps and the MV feeder supplying a secondary") {
  const city::CityModel original = cityWithMediumVoltage();
  const auto path = testing::scratchDirectory() / "grid-mv.gpkg";
  io::saveCity(original, path);
  const city::CityModel back = io::loadCity(path);
  CHECK(back.grid == original.grid);
  CHECK(back.grid.substations[0].supplyFeeder == 3);

  // Written before the MV stage: no transformer, tap or supply columns; every substation fed from upstream.
  execute(path, "ALTER TABLE grid_substations DROP COLUMN transformer");
  execute(path, "ALTER TABLE grid_substations DROP COLUMN tap_percent");
  execute(path, "ALTER TABLE grid_substations DROP COLUMN supply_feeder_id");
  execute(path, "ALTER TABLE grid_substations DROP COLUMN voltage_level");
  execute(path, "ALTER TABLE grid_feeders DROP COLUMN voltage_level");
  const city::CityModel old = io::loadCity(path);
  REQUIRE(old.grid.substations.size() == 2);
  for (const city::Substation& s : old.grid.substations) {
    CHECK(s.transformer.empty());
    CHECK(s.tapPercent == 0.0);
    CHECK(s.supplyFeeder == -1);
  }

  io::saveCity(original, path);
  execute(path, "UPDATE grid_substations SET supply_feeder_id = 'nowhere' WHERE id = 'synth:substation/1'");
  CHECK_THROWS_WITH_AS(
      io::loadCity(path),
      doctest::Contains("substation 'synth:substation/1' is supplied by unknown feeder 'nowhere'"), Error);
}
