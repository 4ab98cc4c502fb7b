// `citytwin export 3dtiles` on Monaco, the real city of the reference data, after a short storm: every OSM
// building a feature with the run's flood depth, the glTF valid, and the page of viewer/web showing it in
// headless Chromium. Skipped with a message when the reference data are missing.
#include <doctest/doctest.h>

#include <fstream>
#include <set>

#include "citytwin/io/city_file.hpp"
#include "citytwin/io/osm_import.hpp"
#include "citytwin/testing/monaco_import.hpp"
#include "citytwin/testing/run_command.hpp"
#include "citytwin/testing/shared_data.hpp"
#include "citytwin/testing/skip_registry.hpp"
#include "tiles_checks.hpp"

using namespace citytwin;
using testing::runCommand;
namespace tiles = citytwin::testing::tiles;

TEST_CASE("Monaco exports to 3D Tiles with its flood depths and shows them in the browser") {
  const auto import = testing::monacoImportOptions();
  if (!import) return;
  const auto scratch = testing::scratchDirectory();
  const auto cityFile = scratch / "monaco.gpkg";
  const auto imported = runCommand({testing::citytwinBinary(), "city", "import", "--osm",
                                    import->osm.string(), "--dem", import->dem->string(), "--aoi",
                                    import->areaOfInterest->string(), "--out", cityFile.string()});
  REQUIRE_MESSAGE(imported.exitCode == 0, imported.standardError);
  // 20 minutes of 120 mm/h at 20 m cells, the sea a fixed level: enough water to tell buildings apart.
  const auto scenario = testing::writeScratchScenario("monaco_rain", R"(name = "monaco_rain"
description = "20 minutes of heavy rain on Monaco"
city = ")" + cityFile.string() + R"("
start = 2026-07-01T14:00:00Z
duration = "20m"
step = "1m"
state_step = "10m"
seed = 1
models = ["flood"]
[flood]
cell_size_m = 20
use_rain_gauges = false
rain_series = [[0, 120], [1200, 120]]
sea_level_m = 0.0
)");
  const auto run = scratch / "monaco_run";
  const auto ran = runCommand({testing::citytwinBinary(), "run", scenario.string(), "--out", run.string()});
  REQUIRE_MESSAGE(ran.exitCode == 0, ran.standardError);
  const auto out = scratch / "monaco-tiles";
  const auto exported = runCommand({testing::citytwinBinary(), "export", "3dtiles", cityFile.string(),
                                    "--out", out.string(), "--run", run.string(), "--json"});
  REQUIRE_MESSAGE(exported.exitCode == 0, exported.standardError);
  const auto summary = nlohmann::json::parse(exported.standardOutput);
  CHECK(summary.at("largest_tile_bytes").get<double>() < 1.1 * 1024 * 1024);

  std::ifstream in(out / "tileset.json");
  const auto tileset = nlohmann::json::parse(in);
  const city::CityModel city = io::loadCity(cityFile);
  const auto depth = tiles::stateExtremes(run / "base" / "state" / "building.csv", "max_flood_depth_m", true);
  std::multiset<std::string> featureIds;
  std::vector<std::filesystem::path> sample;
  for (const auto& [tile, parentError] : tiles::allTiles(tileset)) {
    const auto file = out / tile.at("content").at("uri").get<std::string>();
    if (sample.size() < 2) sample.push_back(file);
    const auto features = tiles::readTileFeatures(tiles::readGlb(file));
    featureIds.insert(features.ids.begin(), features.ids.end());
    for (std::size_t f = 0; f < features.ids.size(); ++f) {
      if (!depth.count(features.ids[f])) continue;
      CHECK(features.numbers.at("max_flood_depth_m")[f] ==
            doctest::Approx(depth.at(features.ids[f])).epsilon(1e-6));
    }
  }
  std::multiset<std::string> cityIds;
  for (const auto& building : city.buildings) cityIds.insert(building.id);
  CHECK(featureIds.size() + summary.at("skipped_buildings").get<std::size_t>() == cityIds.size());
  CHECK(std::includes(cityIds.begin(), cityIds.end(), featureIds.begin(), featureIds.end()));
  sample.push_back(out / "terrain" / "0_0_0.glb");

  if (const auto missing = tiles::validatorMissing()) {
    testing::recordSkip(*missing + ": Monaco's glTF content was not validated");
  } else {
    for (const auto& report : tiles::validateGltf(sample))
      CHECK_MESSAGE(report.at("errors") == 0, report.dump());
  }
  if (const auto missing = tiles::browserMissing()) {
    testing::recordSkip(*missing + ": Monaco's tiles were not opened in the browser");
    return;
  }
  const auto png = scratch / "monaco.png";
  const auto page = tiles::capturePage(out, "index.html?color=max_flood_depth_m&pick=first", png);
  INFO(page.dump());
  REQUIRE(page.at("state") == "loaded");
  const auto counts = tiles::countRampColours(png);
  CHECK(counts.warm > 200);
  CHECK(counts.cool > 200);
  REQUIRE(page.at("picked").is_string());
  CHECK(cityIds.count(page.at("picked").get<std::string>()) == 1);
}
