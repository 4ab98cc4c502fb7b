// CityJSON against real data: Delft's 3D city model (../shared/data/city/cityjson, CityJSON 2.0, EPSG:7415)
// imports with all of its buildings and the heights of its geometry, and Monaco, imported from OSM, goes
// through CityJSON and back with its buildings unchanged within the stated tolerances.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "citytwin/geo/coordinate_transform.hpp"
#include "citytwin/io/cityjson_export.hpp"
#include "citytwin/io/cityjson_import.hpp"
#include "citytwin/io/osm_import.hpp"
#include "citytwin/testing/monaco_import.hpp"
#include "citytwin/testing/shared_data.hpp"

using nlohmann::json;
using namespace citytwin;

namespace {

// The z range of every Building's geometry, read straight from the file: the reference the import's heights
// must match.
std::map<std::string, std::pair<double, double>> zRanges(const std::filesystem::path& path) {
  std::ifstream file(path);
  const json document = json::parse(file);
  const double scale = document["transform"]["scale"][2], translate = document["transform"]["translate"][2];
  std::map<std::string, std::pair<double, double>> ranges;
  for (const auto& [id, object] : document["CityObjects"].items()) {
    if (object["type"] != "Building") continue;
    double low = 1e300, high = -1e300;
    for (const json& geometry : object["geometry"])
      for (const json& shell : geometry["boundaries"])
        for (const json& surface : shell)
          for (const json& ring : surface)
            for (const json& index : ring) {
              const double z =
                  document["vertices"][index.get<std::size_t>()][2].get<double>() * scale + translate;
              low = std::min(low, z);
              high = std::max(high, z);
            }
    ranges[id] = {low, high};
  }
  return ranges;
}

}  // namespace

TEST_CASE("Delft's CityJSON imports all 160 buildings with the heights of the model") {
  const auto delft = testing::sharedData("city/cityjson/delft.city.json");
  if (!delft) return;
  io::CityJsonImportOptions options;
  options.cityjson = *delft;
  const io::CityJsonImportResult result = io::importCityJson(options);
  CHECK(result.report.sourceEpsg == 7415);
  CHECK(result.report.cityObjects == 570);  // PROVENANCE.md
  CHECK(result.city.crsEpsg == 32631);      // Delft lies in UTM zone 31
  REQUIRE(result.city.buildings.size() == 160);
  CHECK(result.report.heightsFromGeometry == 160);

  const auto ranges = zRanges(*delft);
  std::ifstream file(*delft);
  const json document = json::parse(file);
  double largestGapToMeasured = 0.0;
  for (const city::Building& b : result.city.buildings) {
    INFO(b.id);
    const auto range = ranges.at(b.id);
    CHECK(std::abs(b.heightM - (range.second - range.first)) < 1e-6);
    CHECK(std::abs(b.groundElevationM - range.first) < 1e-6);
    CHECK((b.heightSource == city::HeightSource::Tagged));
    // The file's own measuredHeight (from another survey of the roofs) agrees within a metre.
    const double measured = document["CityObjects"][b.id]["attributes"]["measuredHeight"].get<double>();
    largestGapToMeasured = std::max(largestGapToMeasured, std::abs(b.heightM - measured));
    CHECK(b.footprintAreaM2() > 1.0);
    CHECK(b.footprint.size() >= 1);
  }
  MESSAGE("largest gap between the model's height and measuredHeight: " << largestGapToMeasured << " m");
  CHECK(largestGapToMeasured < 1.0);
  // The centre of the file's extent (RD 84878.65, 447586.82) lies at 4.36580 E, 52.01221 N (gdaltransform
  // from EPSG:28992, the horizontal part of 7415): the buildings must land within about 100 m of it.
  const geo::BBox extent = result.city.extent();
  const geo::CoordinateTransform utm("EPSG:32631");
  const geo::LonLat centre = utm.toWgs84(extent.centre());
  CHECK(std::abs(centre.lon - 4.36580) < 0.0015);
  CHECK(std::abs(centre.lat - 52.01221) < 0.001);
}

TEST_CASE("Monaco exported to CityJSON and imported again keeps its buildings") {
  const auto options = testing::monacoImportOptions();
  if (!options) return;
  const city::CityModel monaco = io::importOsm(*options).city;
  const auto path = testing::scratchDirectory() / "monaco.city.json";
  const io::CityJsonExportReport exported = io::exportCityJson(monaco, path);
  CHECK(exported.buildings == monaco.buildings.size());
  io::CityJsonImportOptions back;
  back.cityjson = path;
  const io::CityJsonImportResult result = io::importCityJson(back);
  CHECK(result.city.crsEpsg == monaco.crsEpsg);
  REQUIRE(result.city.buildings.size() == monaco.buildings.size());
  std::map<std::string, const city::Building*> imported;
  for (const city::Building& b : result.city.buildings) imported[b.id] = &b;
  std::size_t areaMismatches = 0, heightMismatches = 0;
  for (const city::Building& before : monaco.buildings) {
    REQUIRE(imported.count(before.id) == 1);
    const city::Building& after = *imported[before.id];
    if (std::abs(after.heightM - before.heightM) > 0.002) ++heightMismatches;
    // 1 mm vertices: areas agree within 0.5 % or 0.05 m² for the smallest sheds.
    const double tolerance = std::max(0.05, 0.005 * before.footprintAreaM2());
    if (std::abs(after.footprintAreaM2() - before.footprintAreaM2()) > tolerance) ++areaMismatches;
  }
  CHECK(areaMismatches == 0);
  CHECK(heightMismatches == 0);
}
