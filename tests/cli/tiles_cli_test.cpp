// `citytwin export 3dtiles` on a generated sample town with a short flood run of two variants: the tileset's
// tree, tiles and features read back independently, the per-building results compared with the run's state
// CSV, the placement on the globe checked through PROJ, the glTF validated by Khronos' validator, and the
// page of viewer/web opened in headless Chromium showing the buildings coloured by the run's flood depth.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <numbers>
#include <set>

#include "citytwin/geo/coordinate_transform.hpp"
#include "citytwin/io/city_file.hpp"
#include "citytwin/testing/run_command.hpp"
#include "citytwin/testing/shared_data.hpp"
#include "citytwin/testing/skip_registry.hpp"
#include "tiles_checks.hpp"

using namespace citytwin;
using testing::runCommand;
namespace tiles = citytwin::testing::tiles;

namespace {

struct Town {
  std::filesystem::path city;
  std::filesystem::path run;
};

// A 1 km town and 20 minutes of heavy rain, base and twice the rain: small enough for a test.
const Town& town() {
  static const Town made = [] {
    Town town;
    town.city = testing::scratchDirectory() / "town.gpkg";
    const auto generated = runCommand({testing::citytwinBinary(), "city", "generate", "--size-km", "1",
                                       "--out", town.city.string(), "--json"});
    REQUIRE(generated.exitCode == 0);
    const auto scenario = testing::writeScratchScenario("town_rain", R"(name = "town_rain"
description = "20 minutes of heavy rain on a 1 km town"
city = ")" + town.city.string() + R"("
start = 2026-07-01T14:00:00Z
duration = "20m"
step = "1m"
state_step = "10m"
seed = 1
models = ["flood"]
[flood]
cell_size_m = 20
rain_series = [[0, 90], [1200, 90]]
[[variant]]
name = "more_rain"
description = "twice the rain"
[[variant.intervention]]
kind = "add_rainfall"
mm_per_h = 90
start_s = 0
end_s = 1200
)");
    town.run = testing::scratchDirectory() / "town_run";
    const auto ran =
        runCommand({testing::citytwinBinary(), "run", scenario.string(), "--out", town.run.string()});
    REQUIRE_MESSAGE(ran.exitCode == 0, ran.standardError);
    return town;
  }();
  return made;
}

std::filesystem::path exportTown(const std::string& variant) {
  const auto out = testing::scratchDirectory() / ("tiles-" + variant);
  const auto result = runCommand({testing::citytwinBinary(), "export", "3dtiles", town().city.string(),
                                  "--out", out.string(), "--run", town().run.string(), "--variant", variant,
                                  "--max-buildings-per-tile", "200", "--json"});
  REQUIRE_MESSAGE(result.exitCode == 0, result.standardError);
  return out;
}

nlohmann::json readJson(const std::filesystem::path& file) {
  std::ifstream in(file);
  return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("every building is one feature of a bounded tile in a tree of shrinking geometric error") {
  const auto out = exportTown("more_rain");
  const auto tileset = readJson(out / "tileset.json");
  CHECK(tileset.at("asset").at("version") == "1.1");
  const city::CityModel city = io::loadCity(town().city);

  std::multiset<std::string> featureIds;
  std::size_t tilesWithContent = 0;
  for (const auto& [tile, parentError] : tiles::allTiles(tileset)) {
    CHECK(tile.at("refine") == "ADD");
    CHECK(tile.at("boundingVolume").at("box").size() == 12);
    const double error = tile.at("geometricError");
    CHECK(error >= 0.0);
    CHECK(error <= parentError);
    if (!tile.contains("children")) CHECK(error == 0.0);
    const auto glb = tiles::readGlb(out / tile.at("content").at("uri").get<std::string>());
    const auto features = tiles::readTileFeatures(glb);
    CHECK(features.ids.size() >= 1);
    CHECK(features.ids.size() <= 200);
    featureIds.insert(features.ids.begin(), features.ids.end());
    ++tilesWithContent;
    // Every vertex lies inside the tile's bounding box (east, north, up; glTF has y up and z south).
    const auto& box = tile.at("boundingVolume").at("box");
    const int position = glb.json.at("meshes").at(0).at("primitives").at(0).at("attributes").at("POSITION");
    const auto& accessor = glb.json.at("accessors").at(static_cast<std::size_t>(position));
    const double low[3] = {accessor.at("min")[0], -accessor.at("max")[2].get<double>(),
                           accessor.at("min")[1]};
    const double high[3] = {accessor.at("max")[0], -accessor.at("min")[2].get<double>(),
                            accessor.at("max")[1]};
    for (int axis = 0; axis < 3; ++axis) {
      const double centre = box[axis], half = box[3 + 4 * axis];
      CHECK(low[axis] >= centre - half - 1e-3);
      CHECK(high[axis] <= centre + half + 1e-3);
    }
  }
  CHECK(tilesWithContent > 1);
  std::multiset<std::string> cityIds;
  for (const auto& building : city.buildings) cityIds.insert(building.id);
  CHECK(featureIds == cityIds);
  CHECK(std::filesystem::exists(out / "terrain" / "tileset.json"));
}

TEST_CASE("the features carry the variant's results and their change against the base") {
  const auto out = exportTown("more_rain");
  const auto tileset = readJson(out / "tileset.json");
  const auto variantDepth =
      tiles::stateExtremes(town().run / "more_rain" / "state" / "building.csv", "max_flood_depth_m", true);
  const auto baseDepth =
      tiles::stateExtremes(town().run / "base" / "state" / "building.csv", "max_flood_depth_m", true);
  const city::CityModel city = io::loadCity(town().city);
  std::map<std::string, const city::Building*> byId;
  for (const auto& building : city.buildings) byId[building.id] = &building;
  std::size_t compared = 0;
  std::size_t deeper = 0;
  for (const auto& [tile, parentError] : tiles::allTiles(tileset)) {
    const auto features =
        tiles::readTileFeatures(tiles::readGlb(out / tile.at("content").at("uri").get<std::string>()));
    REQUIRE(features.numbers.count("max_flood_depth_m") == 1);
    REQUIRE(features.numbers.count("max_flood_depth_m_change") == 1);
    for (std::size_t f = 0; f < features.ids.size(); ++f) {
      const auto& id = features.ids[f];
      CHECK(features.numbers.at("height_m")[f] == doctest::Approx(byId.at(id)->heightM).epsilon(1e-6));
      CHECK(features.numbers.at("floor_area_m2")[f] ==
            doctest::Approx(byId.at(id)->grossFloorAreaM2()).epsilon(1e-6));
      if (!variantDepth.count(id) || !baseDepth.count(id)) continue;
      CHECK(features.numbers.at("max_flood_depth_m")[f] ==
            doctest::Approx(variantDepth.at(id)).epsilon(1e-6));
      CHECK(features.numbers.at("max_flood_depth_m_change")[f] ==
            doctest::Approx(variantDepth.at(id) - baseDepth.at(id)).epsilon(1e-5).scale(1e-6));
      ++compared;
      if (variantDepth.at(id) > baseDepth.at(id)) ++deeper;
    }
  }
  CHECK(compared == variantDepth.size());
  CHECK(deeper > 0);  // twice the rain floods some buildings deeper
  const auto& properties = tileset.at("extras").at("citytwin").at("properties");
  CHECK(properties.at("max_flood_depth_m").at("breaks").size() == 5);
}

TEST_CASE("the root transform puts the city's centre on the WGS 84 ellipsoid where PROJ puts it") {
  const auto out = exportTown("base");
  const auto tileset = readJson(out / "tileset.json");
  const auto& transform = tileset.at("root").at("transform");
  REQUIRE(transform.size() == 16);
  const city::CityModel city = io::loadCity(town().city);
  const geo::LonLat centre = geo::CoordinateTransform(city.crsName()).toWgs84(city.extent().centre());
  const double x = transform[12], y = transform[13], z = transform[14];
  CHECK(std::atan2(y, x) * 180.0 / std::numbers::pi == doctest::Approx(centre.lon).epsilon(1e-9));
  // Geodetic latitude from ECEF (Bowring's formula, exact to well under a millimetre at these heights).
  const double a = 6378137.0, f = 1.0 / 298.257223563, b = a * (1 - f), e2 = f * (2 - f), ep2 = e2 / (1 - e2);
  const double p = std::hypot(x, y), theta = std::atan2(z * a, p * b);
  const double lat =
      std::atan2(z + ep2 * b * std::pow(std::sin(theta), 3), p - e2 * a * std::pow(std::cos(theta), 3));
  CHECK(lat * 180.0 / std::numbers::pi == doctest::Approx(centre.lat).epsilon(1e-9));
  // The third column is the local up: the ellipsoid's normal there.
  CHECK(transform[8].get<double>() ==
        doctest::Approx(std::cos(lat) * std::cos(std::atan2(y, x))).epsilon(1e-9));
  CHECK(transform[10].get<double>() == doctest::Approx(std::sin(lat)).epsilon(1e-9));
}

TEST_CASE("the GLB content validates with Khronos' glTF validator") {
  if (const auto missing = tiles::validatorMissing()) {
    testing::recordSkip(*missing + ": the glTF content was not validated");
    return;
  }
  const auto out = exportTown("base");
  std::vector<std::filesystem::path> files;
  for (const auto& folder : {out / "buildings", out / "terrain"}) {
    std::vector<std::filesystem::path> glbs;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
      if (entry.path().extension() == ".glb") glbs.push_back(entry.path());
    }
    std::sort(glbs.begin(), glbs.end());
    if (glbs.size() > 3) glbs.resize(3);  // a sample keeps the test short
    files.insert(files.end(), glbs.begin(), glbs.end());
  }
  REQUIRE(files.size() >= 2);
  const auto reports = tiles::validateGltf(files);
  REQUIRE(reports.size() == files.size());
  for (const auto& report : reports) {
    CHECK_MESSAGE(report.at("errors") == 0, report.dump());
    CHECK_MESSAGE(report.at("warnings") == 0, report.dump());
  }
}

TEST_CASE("bad input fails with a message naming it and leaves foreign folders alone") {
  const auto out = testing::scratchDirectory() / "tiles-bad";
  const auto missingRun = runCommand({testing::citytwinBinary(), "export", "3dtiles", town().city.string(),
                                      "--out", out.string(), "--run", "/nonexistent/run"});
  CHECK(missingRun.exitCode == 1);
  CHECK(missingRun.standardError.find("/nonexistent/run") != std::string::npos);
  const auto unknownVariant =
      runCommand({testing::citytwinBinary(), "export", "3dtiles", town().city.string(), "--out", out.string(),
                  "--run", town().run.string(), "--variant", "nope"});
  CHECK(unknownVariant.exitCode == 1);
  CHECK(unknownVariant.standardError.find("no variant 'nope'") != std::string::npos);
  CHECK(unknownVariant.standardError.find("more_rain") != std::string::npos);
  const auto foreign = testing::scratchDirectory() / "not-tiles";
  std::filesystem::create_directories(foreign);
  std::ofstream(foreign / "notes.txt") << "keep me";
  const auto refused = runCommand(
      {testing::citytwinBinary(), "export", "3dtiles", town().city.string(), "--out", foreign.string()});
  CHECK(refused.exitCode == 1);
  CHECK(refused.standardError.find("notes.txt") != std::string::npos);
  CHECK(std::filesystem::exists(foreign / "notes.txt"));
  CHECK_FALSE(std::filesystem::exists(foreign / "tileset.json"));
}

TEST_CASE("headless Chromium shows the town coloured by the run's flood depth and picks a building") {
  if (const auto missing = tiles::browserMissing()) {
    testing::recordSkip(*missing + ": the web page was not opened");
    return;
  }
  const auto out = exportTown("more_rain");
  const auto png = testing::scratchDirectory() / "town.png";
  const auto page = tiles::capturePage(out, "index.html?color=max_flood_depth_m&pick=first", png);
  INFO(page.dump());
  REQUIRE(page.at("state") == "loaded");
  const auto counts = tiles::countRampColours(png);
  CHECK(counts.width == 800);
  CHECK(counts.warm > 200);  // the deepest-flooded sixth of the buildings
  CHECK(counts.cool > 200);  // the least flooded
  const city::CityModel city = io::loadCity(town().city);
  const auto picked = page.at("picked");
  REQUIRE(picked.is_string());
  CHECK(std::any_of(city.buildings.begin(), city.buildings.end(),
                    [&](const city::Building& b) { return b.id == picked.get<std::string>(); }));
}
