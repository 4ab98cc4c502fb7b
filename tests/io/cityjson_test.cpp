// CityJSON export and import on the hand-drawn tiny city: the document's structure (LoD1 solids with
// outward faces, integer vertices with a transform, the CRS), the round trip of the buildings, and clear
// errors on malformed files.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "citytwin/core/error.hpp"
#include "citytwin/io/cityjson_export.hpp"
#include "citytwin/io/cityjson_import.hpp"
#include "citytwin/testing/shared_data.hpp"
#include "citytwin/testing/tiny_city.hpp"

using nlohmann::json;
using namespace citytwin;

namespace {

std::filesystem::path writeScratch(const std::string& name, const std::string& text) {
  const auto path = testing::scratchDirectory() / name;
  std::ofstream(path) << text;
  return path;
}

// Signed volume of a closed shell (divergence theorem over its faces, fan-triangulated): positive when
// every face looks outwards.
double shellVolume(const json& shell, const json& vertices, const json& transform) {
  const auto point = [&](const json& index) {
    const json& v = vertices[index.get<std::size_t>()];
    std::array<double, 3> p{};
    for (int a = 0; a < 3; ++a)
      p[a] =
          v[a].get<double>() * transform["scale"][a].get<double>() + transform["translate"][a].get<double>();
    return p;
  };
  double volume = 0.0;
  for (const json& surface : shell) {
    for (const json& ring : surface) {  // holes wind the other way and subtract
      const auto a = point(ring[0]);
      for (std::size_t i = 1; i + 1 < ring.size(); ++i) {
        const auto b = point(ring[i]), c = point(ring[i + 1]);
        volume += (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) +
                   a[2] * (b[0] * c[1] - b[1] * c[0])) /
                  6.0;
      }
    }
  }
  return volume;
}

}  // namespace

TEST_CASE("the CityJSON export writes LoD1 solids facing outwards, roads as lines and the CRS") {
  const city::CityModel city = testing::tinyCity();
  io::CityJsonExportOptions options;
  options.terrain = true;
  io::CityJsonExportReport report;
  const json document = io::cityJsonDocument(city, options, &report);
  CHECK(document["type"] == "CityJSON");
  CHECK(document["version"] == "2.0");
  CHECK(document["metadata"]["referenceSystem"] == "https://www.opengis.net/def/crs/EPSG/0/32632");
  CHECK(report.buildings == 3);
  // Four two-way streets become one Road each; the one-way spur its own.
  CHECK(report.roads == 5);
  CHECK(report.terrainTriangles == 2 * 7 * 5);
  const json& vertices = document["vertices"];
  CHECK(vertices.size() == report.vertices);
  for (const json& v : vertices)
    for (const json& c : v) REQUIRE(c.is_number_integer());

  for (const city::Building& building : city.buildings) {
    INFO(building.id);
    const json& object = document["CityObjects"][building.id];
    CHECK(object["type"] == "Building");
    CHECK(object["attributes"]["measuredHeight"].get<double>() == doctest::Approx(building.heightM));
    CHECK(object["attributes"]["function"] == std::string(city::toString(building.use)));
    CHECK(object["attributes"]["yearOfConstruction"] == building.yearBuilt);
    const json& geometry = object["geometry"][0];
    CHECK(geometry["type"] == "Solid");
    CHECK(geometry["lod"] == "1");
    // A box: floor, roof and four walls; its volume is footprint area times height, positive (outwards).
    CHECK(geometry["boundaries"][0].size() == 6);
    const double volume = shellVolume(geometry["boundaries"][0], vertices, document["transform"]);
    CHECK(volume == doctest::Approx(building.footprintAreaM2() * building.heightM).epsilon(1e-4));
    CHECK(geometry["semantics"]["values"][0][0] == 0);  // GroundSurface
    CHECK(geometry["semantics"]["surfaces"][0]["type"] == "GroundSurface");
  }
  const json& road = document["CityObjects"]["tiny:link/0-1:f"];
  CHECK(road["type"] == "Road");
  CHECK(road["geometry"][0]["type"] == "MultiLineString");
  CHECK(road["attributes"]["linkIds"] == json::array({"tiny:link/0-1:f", "tiny:link/0-1:b"}));
  CHECK(document["CityObjects"]["terrain"]["type"] == "TINRelief");
}

TEST_CASE("a city exported to CityJSON and imported again keeps its buildings") {
  const city::CityModel city = testing::tinyCity();
  const auto path = testing::scratchDirectory() / "tiny.city.json";
  io::exportCityJson(city, path);
  io::CityJsonImportOptions options;
  options.cityjson = path;
  const io::CityJsonImportResult result = io::importCityJson(options);
  CHECK(result.report.sourceEpsg == 32632);
  CHECK(result.city.crsEpsg == 32632);  // the UTM zone of the data, as the OSM import chooses
  REQUIRE(result.city.buildings.size() == city.buildings.size());
  for (std::size_t i = 0; i < city.buildings.size(); ++i) {
    const city::Building& before = city.buildings[i];
    const city::Building& after = result.city.buildings[i];
    INFO(before.id);
    CHECK(after.id == before.id);
    CHECK(std::abs(after.heightM - before.heightM) <= 0.002);
    CHECK(std::abs(after.groundElevationM - before.groundElevationM) <= 0.002);
    CHECK((after.heightSource == city::HeightSource::Tagged));
    CHECK((after.use == before.use));
    CHECK(after.levels == before.levels);
    CHECK(after.yearBuilt == before.yearBuilt);
    CHECK(after.footprintAreaM2() == doctest::Approx(before.footprintAreaM2()).epsilon(1e-4));
    // Every corner comes back within 2 cm (1 mm vertex grid, and the way through WGS 84).
    REQUIRE(after.footprint.size() == 1);
    for (const geo::Vec2& corner : before.footprint[0].outer) {
      double nearest = 1e9;
      for (const geo::Vec2& p : after.footprint[0].outer)
        nearest = std::min(nearest, geo::distance(corner, p));
      CHECK(nearest < 0.02);
    }
  }
}

TEST_CASE("a building whose floor is many triangles imports as its outline") {
  // An L-shaped LoD1 block of 3 m whose floor is four triangles and whose roof is one polygon, without
  // semantics: the footprint is the union of the faces looking down.
  const std::string text = R"({"type":"CityJSON","version":"2.0",
    "transform":{"scale":[0.01,0.01,0.01],"translate":[500000,4800000,10]},
    "metadata":{"referenceSystem":"https://www.opengis.net/def/crs/EPSG/0/32632"},
    "vertices":[[0,0,0],[2000,0,0],[2000,1000,0],[1000,1000,0],[1000,2000,0],[0,2000,0],
                [0,0,300],[2000,0,300],[2000,1000,300],[1000,1000,300],[1000,2000,300],[0,2000,300]],
    "CityObjects":{"L":{"type":"Building","attributes":{"measuredHeight":2.5},"geometry":[{"type":"Solid","lod":"1.2",
      "boundaries":[[[[0,3,1]],[[1,3,2]],[[0,5,3]],[[3,5,4]],[[6,7,8,9,10,11]],
        [[0,1,7,6]],[[1,2,8,7]],[[2,3,9,8]],[[3,4,10,9]],[[4,5,11,10]],[[5,0,6,11]]]]}]}}})";
  io::CityJsonImportOptions options;
  options.cityjson = writeScratch("l.city.json", text);
  const auto result = io::importCityJson(options);
  REQUIRE(result.city.buildings.size() == 1);
  const city::Building& b = result.city.buildings[0];
  CHECK(b.footprint.size() == 1);
  CHECK(b.footprintAreaM2() == doctest::Approx(300.0).epsilon(1e-4));
  CHECK(b.heightM == doctest::Approx(3.0));  // the model's z range wins over measuredHeight
  CHECK(b.groundElevationM == doctest::Approx(10.0));
}

TEST_CASE("malformed CityJSON files are refused with the file and the field named") {
  const auto refused = [](const std::string& name, const std::string& text, const std::string& expected) {
    io::CityJsonImportOptions options;
    options.cityjson = writeScratch(name, text);
    INFO(name);
    try {
      io::importCityJson(options);
      FAIL("accepted");
    } catch (const Error& e) {
      const std::string message = e.what();
      INFO(message);
      CHECK(message.find(name) != std::string::npos);
      CHECK(message.find(expected) != std::string::npos);
    }
  };
  const std::string head =
      R"({"type":"CityJSON","version":"2.0","metadata":{"referenceSystem":"https://www.opengis.net/def/crs/EPSG/0/32632"},)";
  refused("truncated.city.json", R"({"type":"CityJSON","vert)", "not valid JSON");
  refused("other.city.json", R"({"type":"FeatureCollection"})", "type");
  refused("nocrs.city.json", R"({"type":"CityJSON","vertices":[],"CityObjects":{}})",
          "metadata.referenceSystem");
  refused("noobjects.city.json", head + R"("vertices":[]})", "missing 'CityObjects'");
  refused(
      "badindex.city.json",
      head +
          R"("vertices":[[0,0,0]],"CityObjects":{"b1":{"type":"Building","geometry":[{"type":"MultiSurface",
            "lod":"0","boundaries":[[[0,0,7]]]}]}}})",
      "CityObjects.b1.geometry[0].boundaries[0][0][2]: vertex index 7 out of range");
  refused(
      "badlod.city.json",
      head +
          R"("vertices":[[0,0,0]],"CityObjects":{"b1":{"type":"Building","geometry":[{"type":"Solid","lod":"high","boundaries":[]}]}}})",
      "CityObjects.b1.geometry[0].lod");
  refused("badvertex.city.json", head + R"("vertices":[[0,0]],"CityObjects":{}})", "vertices[0]");
  refused(
      "badsemantics.city.json",
      head +
          R"("vertices":[[0,0,0],[1,0,0],[1,1,0]],"CityObjects":{"b1":{"type":"Building","geometry":[{"type":"MultiSurface",
            "lod":"0","boundaries":[[[0,1,2]]],"semantics":{"surfaces":[],"values":[3]}}]}}})",
      "semantic surface index 3 out of range");
}

TEST_CASE("a missing CityJSON file is named") {
  io::CityJsonImportOptions options;
  options.cityjson = testing::scratchDirectory() / "absent.city.json";
  CHECK_THROWS_WITH_AS(io::importCityJson(options),
                       doctest::Contains("absent.city.json: CityJSON file does not exist"), Error);
}
