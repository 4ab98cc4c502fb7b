#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "citytwin/io/city_file.hpp"
#include "citytwin/testing/run_command.hpp"
#include "citytwin/testing/shared_data.hpp"
#include "citytwin/testing/tiny_city.hpp"

using namespace citytwin;
using testing::runCommand;

namespace {
std::vector<std::string> monacoImport(const std::filesystem::path& folder, const std::filesystem::path& out) {
  return {testing::citytwinBinary(), "city", "import", "--osm", (folder / "monaco-latest.osm.pbf").string(),
          "--dem", (folder / "monaco_dem_srtm3_wgs84.tif").string(), "--aoi", (folder / "monaco_aoi.geojson").string(),
          "--out", out.string()};
}
}  // namespace

TEST_CASE("every verb answers --help") {
  for (const auto& verb : std::vector<std::vector<std::string>>{
           {"--help"}, {"city", "--help"}, {"city", "import", "--help"}, {"city", "info", "--help"},
           {"city", "generate", "--help"}, {"bench", "city", "--help"}}) {
    std::vector<std::string> argv{testing::citytwinBinary()};
    argv.insert(argv.end(), verb.begin(), verb.end());
    const auto result = runCommand(argv);
    CHECK_MESSAGE(result.exitCode == 0, "citytwin " << verb.back());
    CHECK(result.standardOutput.find("Usage") != std::string::npos);
  }
}

TEST_CASE("city info --json has exactly the documented keys") {
  const auto path = testing::scratchDirectory() / "tiny.gpkg";
  io::saveCity(testing::tinyCity(), path);
  const auto result = runCommand({testing::citytwinBinary(), "city", "info", path.string(), "--json"});
  REQUIRE(result.exitCode == 0);
  const auto info = nlohmann::json::parse(result.standardOutput);
  std::vector<std::string> keys;
  for (const auto& [key, value] : info.items()) keys.push_back(key);
  CHECK(keys == std::vector<std::string>{"buildings", "crs", "dem_size", "extent", "road_links", "road_nodes", "sensors"});
  CHECK(info["buildings"] == 3);
  CHECK(info["road_links"] == 9);
  CHECK(info["road_nodes"] == 5);
  CHECK(info["sensors"] == 2);
  CHECK(info["crs"] == "EPSG:32632");
  CHECK(info["dem_size"]["columns"] == 8);
  CHECK(result.standardError.empty());
}

TEST_CASE("a missing input fails with its name and leaves no output") {
  const auto out = testing::scratchDirectory() / "never.gpkg";
  const auto result = runCommand({testing::citytwinBinary(), "city", "import", "--osm", "/nonexistent/city.osm.pbf",
                                  "--out", out.string()});
  CHECK(result.exitCode == 1);
  CHECK(result.standardError.find("/nonexistent/city.osm.pbf") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
  const auto info = runCommand({testing::citytwinBinary(), "city", "info", "/nonexistent/city.gpkg"});
  CHECK(info.exitCode == 1);
  CHECK(info.standardError.find("/nonexistent/city.gpkg") != std::string::npos);
}

TEST_CASE("Monaco through the command line: an unwritable output, a truncated file, then a good import") {
  const auto folder = testing::sharedData("city/monaco");
  if (!folder) return;
  const auto unwritable = runCommand(monacoImport(*folder, "/nonexistent-folder/monaco.gpkg"));
  CHECK(unwritable.exitCode == 1);
  CHECK(unwritable.standardError.find("/nonexistent-folder/monaco.gpkg") != std::string::npos);

  const auto out = testing::scratchDirectory() / "monaco.gpkg";
  auto withBadDem = monacoImport(*folder, out);
  withBadDem[6] = (*folder / "monaco_aoi.geojson").string();  // --dem given a vector file
  const auto badDem = runCommand(withBadDem);
  CHECK(badDem.exitCode == 1);
  CHECK(badDem.standardError.find("monaco_aoi.geojson") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));

  auto json = monacoImport(*folder, out);
  json.push_back("--json");
  const auto imported = runCommand(json);
  REQUIRE(imported.exitCode == 0);
  const auto report = nlohmann::json::parse(imported.standardOutput);
  CHECK(report["buildings"] == 1225);
  CHECK(report["crs"] == "EPSG:32632");

  const auto ogrinfo = runCommand({"ogrinfo", "-ro", "-q", out.string()});
  if (ogrinfo.exitCode == 127) {
    MESSAGE("ogrinfo is not installed; the layer listing is not checked");
    return;
  }
  REQUIRE(ogrinfo.exitCode == 0);
  for (const char* layer : {"road_links", "road_nodes", "buildings", "sensors", "grid_substations", "grid_feeders",
                            "citytwin_metadata", "citytwin_provenance"}) {
    CHECK_MESSAGE(ogrinfo.standardOutput.find(layer) != std::string::npos, layer);
  }
  const auto raster = runCommand({"gdalinfo", "GPKG:" + out.string() + ":dem"});
  CHECK(raster.exitCode == 0);
  CHECK(raster.standardOutput.find("Float32") != std::string::npos);
}
