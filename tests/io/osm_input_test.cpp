#include <bzlib.h>
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "citytwin/core/error.hpp"
#include "citytwin/geo/coordinate_transform.hpp"
#include "citytwin/io/geotiff.hpp"
#include "citytwin/io/osm_import.hpp"
#include "citytwin/testing/shared_data.hpp"

using namespace citytwin;

namespace {

// A block in Monaco as JOSM saves it after drawing: new elements with negative ids, no version, and
// action="modify"; one element already in OSM (positive id, a version) edited in place.
constexpr const char* kJosmOsm = R"(<?xml version='1.0' encoding='UTF-8'?>
<osm version='0.6' upload='false' generator='JOSM'>
  <node id='-101' action='modify' visible='true' lat='43.7300' lon='7.4200' />
  <node id='-102' action='modify' visible='true' lat='43.7300' lon='7.4220' />
  <node id='-103' action='modify' visible='true' lat='43.7315' lon='7.4220' />
  <node id='-104' action='modify' visible='true' lat='43.7315' lon='7.4200' />
  <node id='-111' action='modify' visible='true' lat='43.7303' lon='7.4203' />
  <node id='-112' action='modify' visible='true' lat='43.7303' lon='7.4207' />
  <node id='-113' action='modify' visible='true' lat='43.7306' lon='7.4207' />
  <node id='-114' action='modify' visible='true' lat='43.7306' lon='7.4203' />
  <node id='-121' action='modify' visible='true' lat='43.7309' lon='7.4210' />
  <node id='-122' action='modify' visible='true' lat='43.7309' lon='7.4215' />
  <node id='-123' action='modify' visible='true' lat='43.7312' lon='7.4215' />
  <node id='-124' action='modify' visible='true' lat='43.7312' lon='7.4210' />
  <node id='9001' version='3' action='modify' visible='true' lat='43.7304' lon='7.4212' />
  <node id='9002' version='3' visible='true' lat='43.7304' lon='7.4216' />
  <node id='9003' version='3' visible='true' lat='43.7307' lon='7.4216' />
  <node id='9004' version='3' visible='true' lat='43.7307' lon='7.4212' />
  <way id='-201' action='modify' visible='true'>
    <nd ref='-101' /><nd ref='-102' /><nd ref='-103' />
    <tag k='highway' v='residential' />
  </way>
  <way id='-202' action='modify' visible='true'>
    <nd ref='-103' /><nd ref='-104' /><nd ref='-101' />
    <tag k='highway' v='residential' />
  </way>
  <way id='-301' action='modify' visible='true'>
    <nd ref='-111' /><nd ref='-112' /><nd ref='-113' /><nd ref='-114' /><nd ref='-111' />
    <tag k='building' v='yes' />
  </way>
  <way id='-302' action='modify' visible='true'>
    <nd ref='-121' /><nd ref='-122' /><nd ref='-123' /><nd ref='-124' /><nd ref='-121' />
    <tag k='building' v='apartments' />
    <tag k='building:levels' v='6' />
  </way>
  <way id='9101' version='7' action='modify' visible='true'>
    <nd ref='9001' /><nd ref='9002' /><nd ref='9003' /><nd ref='9004' /><nd ref='9001' />
    <tag k='building' v='retail' />
  </way>
</osm>
)";

void writeText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string bzip2(const std::string& text) {
  std::string compressed(text.size() + text.size() / 100 + 600, '\0');
  auto length = static_cast<unsigned>(compressed.size());
  std::string source = text;
  REQUIRE(BZ2_bzBuffToBuffCompress(compressed.data(), &length, source.data(),
                                   static_cast<unsigned>(source.size()), 9, 0, 0) == BZ_OK);
  compressed.resize(length);
  return compressed;
}

// A gentle slope under the block, in UTM 32N, written as the importer's users would bring it.
std::filesystem::path writeDem(const std::filesystem::path& folder) {
  const geo::CoordinateTransform utm("EPSG:32632");
  const geo::Vec2 southWest = utm.fromWgs84({7.4190, 43.7290});
  const geo::Vec2 northEast = utm.fromWgs84({7.4230, 43.7325});
  const double cell = 10.0;
  const auto columns = static_cast<std::size_t>((northEast.x - southWest.x) / cell) + 2;
  const auto rows = static_cast<std::size_t>((northEast.y - southWest.y) / cell) + 2;
  geo::RasterGrid dem(columns, rows, southWest.x, northEast.y + cell, cell);
  for (std::size_t row = 0; row < rows; ++row) {
    for (std::size_t column = 0; column < columns; ++column) dem.at(column, row) = 20.0f + 0.5f * float(row);
  }
  const auto path = folder / "block-dem.tif";
  io::writeGeoTiff(dem, 32632, path);
  return path;
}

io::OsmImportResult importBlock(const std::filesystem::path& osm, const std::filesystem::path& dem) {
  io::OsmImportOptions options;
  options.osm = osm;
  options.dem = dem;
  options.name = "block";
  return io::importOsm(options);
}

}  // namespace

TEST_CASE("an OSM file saved by JOSM, with negative ids and no versions, imports") {
  const auto folder = testing::scratchDirectory();
  const auto osm = folder / "josm-block.osm";
  writeText(osm, kJosmOsm);
  const auto result = importBlock(osm, writeDem(folder));
  const city::CityModel& city = result.city;
  REQUIRE(city.buildings.size() == 3);
  std::map<std::string, const city::Building*> byId;
  for (const auto& building : city.buildings) byId[building.id] = &building;
  REQUIRE(byId.count("osm:way/-301") == 1);
  REQUIRE(byId.count("osm:way/-302") == 1);
  REQUIRE(byId.count("osm:way/9101") == 1);
  CHECK(byId["osm:way/-302"]->levels == 6);
  CHECK((byId["osm:way/9101"]->use == city::BuildingUse::Retail));
  CHECK(result.report.drivableWays == 2);
  CHECK_FALSE(city.roads.links.empty());
  CHECK(result.report.stronglyConnectedComponents == 1);
  for (const auto& building : city.buildings) CHECK(building.groundElevationM > 19.0);
}

TEST_CASE("the same file compressed with bzip2 (.osm.bz2) imports to the same city") {
  const auto folder = testing::scratchDirectory();
  const auto dem = writeDem(folder);
  const auto plain = folder / "plain-block.osm";
  writeText(plain, kJosmOsm);
  const auto compressed = folder / "plain-block.osm.bz2";
  writeText(compressed, bzip2(kJosmOsm));
  // Parallel compressors (pbzip2, lbzip2) write several streams one after another.
  const std::string text = kJosmOsm;
  const auto multiStream = folder / "multi-block.osm.bz2";
  writeText(multiStream, bzip2(text.substr(0, text.size() / 2)) + bzip2(text.substr(text.size() / 2)));

  const auto expected = importBlock(plain, dem).city;
  for (const auto& path : {compressed, multiStream}) {
    CAPTURE(path);
    city::CityModel city = importBlock(path, dem).city;
    REQUIRE(city.buildings.size() == expected.buildings.size());
    for (std::size_t i = 0; i < city.buildings.size(); ++i) {
      CHECK(city.buildings[i].id == expected.buildings[i].id);
      CHECK(city.buildings[i].footprint == expected.buildings[i].footprint);
      CHECK(city.buildings[i].heightM == expected.buildings[i].heightM);
      CHECK(city.buildings[i].groundElevationM == expected.buildings[i].groundElevationM);
    }
    CHECK(city.roads.nodes.size() == expected.roads.nodes.size());
    CHECK(city.roads.links.size() == expected.roads.links.size());
    CHECK(city.terrain == expected.terrain);
  }
}

TEST_CASE("a truncated .osm.bz2 and an unknown ending are refused with the file's name") {
  const auto folder = testing::scratchDirectory();
  const std::string compressed = bzip2(kJosmOsm);
  const auto truncated = folder / "cut.osm.bz2";
  writeText(truncated, compressed.substr(0, compressed.size() / 2));
  io::OsmImportOptions options;
  options.osm = truncated;
  CHECK_THROWS_WITH_AS(io::importOsm(options),
                       doctest::Contains("cut.osm.bz2: truncated or corrupt bzip2 file"), Error);

  const auto unknown = folder / "block.xml";
  writeText(unknown, kJosmOsm);
  options.osm = unknown;
  CHECK_THROWS_WITH_AS(
      io::importOsm(options),
      doctest::Contains("block.xml: unknown OSM file ending; accepted endings are .osm, .osm.pbf"), Error);
}

TEST_CASE("a corrupt .osm gets one short message with the first GDAL error") {
  const auto folder = testing::scratchDirectory();
  const std::string text = kJosmOsm;
  const auto cut = folder / "cut-block.osm";
  writeText(cut, text.substr(0, text.find("<way id='-202'") + 20));
  io::OsmImportOptions options;
  options.osm = cut;
  try {
    io::importOsm(options);
    FAIL("a cut XML file imported");
  } catch (const Error& error) {
    const std::string message = error.what();
    CAPTURE(message);
    CHECK(message.find("cut-block.osm: truncated or corrupt OSM file: ") != std::string::npos);
    // Only GDAL's first error is spelled out; those after it are counted.
    CHECK(message.find("more GDAL message") != std::string::npos);
    CHECK(message.size() < 2048);
  }
}
