// OGC API – Features of `citytwin serve --city`, read by GDAL's own client: ogrinfo lists the collections
// and ogr2ogr copies every building into a GeoPackage, for the sample town and Monaco. Paging, bbox, single
// features, errors and the live values merged into the properties are checked over HTTP. Loopback only;
// every service is stopped by its ServiceProcess even when a check fails.
#include <doctest/doctest.h>
#include <gdal_priv.h>
#include <httplib.h>
#include <ogrsf_frmts.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "citytwin/testing/run_command.hpp"
#include "citytwin/testing/service_process.hpp"
#include "citytwin/testing/shared_data.hpp"

using nlohmann::json;

namespace {

std::string binary() {
  return citytwin::testing::citytwinBinary();
}

// Runs a program (no shell) and returns its standard output; fails the test on a non-zero exit.
std::string run(const std::vector<std::string>& argv) {
  const auto result = citytwin::testing::runCommand(argv);
  INFO(argv.front() << " " << (argv.size() > 1 ? argv[1] : "") << "\n"
                    << result.standardOutput << result.standardError);
  REQUIRE(result.exitCode == 0);
  return result.standardOutput;
}

json getJson(httplib::Client& client, const std::string& path, int expectedStatus = 200) {
  const auto response = client.Get(path);
  REQUIRE(response);
  INFO(path << " -> " << response->status << " " << response->body.substr(0, 400));
  REQUIRE(response->status == expectedStatus);
  return json::parse(response->body);
}

long long layerFeatureCount(const std::filesystem::path& gpkg, const char* layer) {
  GDALAllRegister();
  std::unique_ptr<GDALDataset> dataset(
      GDALDataset::Open(gpkg.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
  REQUIRE(dataset);
  OGRLayer* found = dataset->GetLayerByName(layer);
  REQUIRE(found);
  return found->GetFeatureCount(TRUE);
}

// ogrinfo lists the collections and ogr2ogr copies the buildings; returns the city's counts for more checks.
json checkWithGdal(const std::string& city, const std::string& name) {
  const json info = json::parse(run({binary(), "city", "info", city, "--json"}));
  const auto scratch = citytwin::testing::scratchDirectory();
  const auto service = citytwin::testing::ServiceProcess::start(
      binary(), {"--city", city, "--db", (scratch / (name + ".sqlite")).string()});
  REQUIRE(service);
  const std::string api = "OAPIF:http://127.0.0.1:" + std::to_string(service->port()) + "/ogcapi";

  const std::string listing = run({"ogrinfo", "-ro", "-so", "-q", api});
  INFO(listing);
  CHECK(listing.find("buildings") != std::string::npos);
  CHECK(listing.find("road_links") != std::string::npos);
  if (info["sensors"].get<std::size_t>() > 0) CHECK(listing.find("sensors") != std::string::npos);

  const auto copy = scratch / (name + "-buildings.gpkg");
  run({"ogr2ogr", "-f", "GPKG", copy.string(), api, "buildings"});
  const long long copied = layerFeatureCount(copy, "buildings");
  MESSAGE(name << ": ogr2ogr copied " << copied << " of " << info["buildings"].get<long long>()
               << " buildings");
  CHECK(copied == info["buildings"].get<long long>());

  const auto roads = scratch / (name + "-roads.gpkg");
  run({"ogr2ogr", "-f", "GPKG", roads.string(), api, "road_links"});
  CHECK(layerFeatureCount(roads, "road_links") == info["road_links"].get<long long>());
  return info;
}

}  // namespace

TEST_CASE("the sample town's features: GDAL reads every building, paging, bbox, items and live values") {
  const auto scratch = citytwin::testing::scratchDirectory();
  const std::string city = (scratch / "sample.gpkg").string();
  run({binary(), "city", "generate", "--out", city, "--size-km", "1", "--seed", "1", "--json"});
  const json info = checkWithGdal(city, "sample");

  const auto service = citytwin::testing::ServiceProcess::start(
      binary(), {"--city", city, "--db", (scratch / "paging.sqlite").string()});
  REQUIRE(service);
  httplib::Client client("127.0.0.1", service->port());
  client.set_read_timeout(20);

  const json landing = getJson(client, "/ogcapi");
  CHECK(landing["links"].size() >= 3);
  const json conformance = getJson(client, "/ogcapi/conformance");
  CHECK(conformance["conformsTo"].dump().find("conf/geojson") != std::string::npos);
  const json collections = getJson(client, "/ogcapi/collections");
  std::set<std::string> ids;
  for (const json& c : collections["collections"]) ids.insert(c["id"].get<std::string>());
  CHECK(ids.count("buildings") == 1);
  CHECK(ids.count("grid_substations") == 1);

  // Pages of 7 walked through their next links give every building exactly once.
  const std::size_t buildings = info["buildings"].get<std::size_t>();
  std::set<std::string> seen;
  std::string next = "/ogcapi/collections/buildings/items?limit=7";
  std::size_t pages = 0;
  while (!next.empty() && pages < 10000) {
    const json page = getJson(client, next);
    CHECK(page["numberMatched"] == buildings);
    CHECK(page["features"].size() <= 7);
    for (const json& f : page["features"]) seen.insert(f["id"].get<std::string>());
    next.clear();
    for (const json& l : page["links"]) {
      if (l["rel"] == "next")
        next = l["href"].get<std::string>().substr(l["href"].get<std::string>().find("/ogcapi"));
    }
    ++pages;
  }
  CHECK(seen.size() == buildings);
  CHECK(pages == (buildings + 6) / 7);

  // bbox: a box around the first building holds it and fewer than all.
  const json first = getJson(client, "/ogcapi/collections/buildings/items?limit=1")["features"][0];
  const json& ring = first["geometry"]["coordinates"][0][0];
  double lon = 0, lat = 0;
  for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
    lon += ring[i][0].get<double>() / static_cast<double>(ring.size() - 1);
    lat += ring[i][1].get<double>() / static_cast<double>(ring.size() - 1);
  }
  char box[200];
  std::snprintf(box, sizeof box, "%.7f,%.7f,%.7f,%.7f", lon - 1e-5, lat - 1e-5, lon + 1e-5, lat + 1e-5);
  const json inBox = getJson(client, std::string("/ogcapi/collections/buildings/items?bbox=") + box);
  CHECK(inBox["numberMatched"].get<std::size_t>() >= 1);
  CHECK(inBox["numberMatched"].get<std::size_t>() < buildings);
  getJson(client, "/ogcapi/collections/buildings/items?bbox=1,2,3", 400);
  getJson(client, "/ogcapi/collections/buildings/items?limit=0", 400);
  getJson(client, "/ogcapi/collections/nothing/items", 404);

  // One feature by id (percent-encoded: ids hold ':' and '/'), and a live observation merged into it.
  const std::string id = first["id"];
  std::string encoded;
  for (const unsigned char c : id) {
    char hex[4];
    std::snprintf(hex, sizeof hex, "%%%02X", c);
    encoded += std::isalnum(c) ? std::string(1, static_cast<char>(c)) : std::string(hex);
  }
  const std::string itemPath = "/ogcapi/collections/buildings/items/" + encoded;
  CHECK(getJson(client, itemPath)["id"] == id);
  getJson(client, "/ogcapi/collections/buildings/items/no-such-building", 404);
  const json entity = {
      {"id", "urn:ngsi-ld:Building:observed-1"},
      {"type", "Building"},
      {"location", {{"type", "GeoProperty"}, {"value", {{"type", "Point"}, {"coordinates", {lon, lat}}}}}},
      {"floorsAboveGround", {{"type", "Property"}, {"value", 17}}}};
  const auto posted = client.Post("/ngsi-ld/v1/entities", entity.dump(), "application/json");
  REQUIRE(posted);
  REQUIRE(posted->status == 201);
  const json feature = getJson(client, itemPath);
  INFO(feature.dump());
  CHECK(feature["properties"]["live_observed_levels"] == 17);
  // Every feature of the collection carries the live column, null where nothing was observed.
  const json page = getJson(client, "/ogcapi/collections/buildings/items?limit=3");
  for (const json& f : page["features"]) CHECK(f["properties"].contains("live_observed_levels"));
}

TEST_CASE("Monaco's features: ogrinfo lists the collections, ogr2ogr copies every building") {
  const auto folder = citytwin::testing::sharedData("city/monaco");
  if (!folder) return;
  const auto scratch = citytwin::testing::scratchDirectory();
  const std::string city = (scratch / "monaco.gpkg").string();
  run({binary(), "city", "import", "--osm", (*folder / "monaco-latest.osm.pbf").string(), "--dem",
       (*folder / "monaco_dem_srtm3_wgs84.tif").string(), "--aoi", (*folder / "monaco_aoi.geojson").string(),
       "--out", city, "--json"});
  checkWithGdal(city, "monaco");
}
