#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "citytwin/core/error.hpp"
#include "citytwin/io/city_file.hpp"
#include "command_registry.hpp"
#include "json_output.hpp"
#include "tiles/tileset_export.hpp"

namespace citytwin::cli {
namespace {

struct Export3dTilesArguments {
  std::string city;
  std::string out;
  std::string run;
  std::string variant;
  std::size_t maxBuildings = 500;
  bool json = false;
};

void runExport3dTiles(const Export3dTilesArguments& arguments) {
  if (arguments.run.empty() && !arguments.variant.empty()) throw Error("--variant needs --run RUN_DIR");
  const auto start = std::chrono::steady_clock::now();
  const city::CityModel city = io::loadCity(arguments.city);
  const auto loaded = std::chrono::steady_clock::now();
  tiles::TilesetOptions options;
  options.out = arguments.out;
  if (!arguments.run.empty()) options.run = arguments.run;
  if (!arguments.variant.empty()) options.variant = arguments.variant;
  options.maxBuildingsPerTile = arguments.maxBuildings;
  const tiles::TilesetSummary summary = tiles::exportTileset(city, options);
  const auto done = std::chrono::steady_clock::now();
  const double loadSeconds = std::chrono::duration<double>(loaded - start).count();
  const double exportSeconds = std::chrono::duration<double>(done - loaded).count();
  if (arguments.json) {
    printJson({{"tileset", (std::filesystem::path(arguments.out) / "tileset.json").string()},
               {"buildings", summary.buildings},
               {"skipped_buildings", summary.skippedBuildings},
               {"building_tiles", summary.buildingTiles},
               {"terrain_tiles", summary.terrainTiles},
               {"tree_depth", summary.treeDepth},
               {"largest_tile_bytes", summary.largestTileBytes},
               {"bytes", summary.bytes},
               {"properties", summary.properties},
               {"load_seconds", loadSeconds},
               {"export_seconds", exportSeconds}});
    return;
  }
  std::printf(
      "wrote %s: %zu buildings in %zu tiles (depth %zu), %zu terrain tiles, %.1f MiB, largest tile %.0f "
      "KiB\n",
      (std::filesystem::path(arguments.out) / "tileset.json").c_str(), summary.buildings,
      summary.buildingTiles, summary.treeDepth, summary.terrainTiles,
      static_cast<double>(summary.bytes) / (1024.0 * 1024.0),
      static_cast<double>(summary.largestTileBytes) / 1024.0);
  if (summary.skippedBuildings > 0) {
    std::printf("left out %zu buildings whose footprint has no area\n", summary.skippedBuildings);
  }
  std::printf("loaded the city in %.2f s, exported in %.2f s\n", loadSeconds, exportSeconds);
}

void registerExport3dTiles(CommandTree& tree) {
  CLI::App& group = tree.group("export", "Write the city and its results in open formats for other tools");
  auto arguments = std::make_shared<Export3dTilesArguments>();
  CLI::App* verb = group.add_subcommand(
      "3dtiles", "OGC 3D Tiles 1.1 of the buildings (with a run's per-building results) and the terrain");
  verb->add_option("city", arguments->city, "City file (.gpkg)")->required();
  verb->add_option("--out", arguments->out, "Output folder (new, empty, or an earlier export)")->required();
  verb->add_option("--run", arguments->run,
                   "Run folder of `citytwin run`: per-building results as attributes");
  verb->add_option("--variant", arguments->variant, "Variant of the run (default: base)");
  verb->add_option("--max-buildings-per-tile", arguments->maxBuildings, "Buildings in one tile at most")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  addJsonFlag(*verb, arguments->json);
  verb->callback([arguments] { runExport3dTiles(*arguments); });
}

const CommandGroupRegistrar registrar(75, registerExport3dTiles);

}  // namespace
}  // namespace citytwin::cli
