#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "citytwin/core/error.hpp"
#include "command_registry.hpp"
#include "json_output.hpp"

namespace citytwin::cli {
namespace {

// Generates a sample city of each area and exports it to 3D Tiles, each step in its own process, so the
// export's time and peak memory are its own.
void runTilesBench(const std::vector<double>& areasKm2, bool json) {
  const std::filesystem::path scratch =
      std::filesystem::temp_directory_path() / ("citytwin-bench-tiles-" + std::to_string(::getpid()));
  std::filesystem::create_directories(scratch);
  struct Cleanup {
    std::filesystem::path folder;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(folder, ec);
    }
  } cleanup{scratch};

  nlohmann::json rows = nlohmann::json::array();
  if (!json) {
    std::printf("%-10s %10s %8s %8s %10s %10s %12s %10s\n", "area_km2", "buildings", "tiles", "terrain",
                "MiB", "max_KiB", "export_s", "peak_MiB");
  }
  for (const double area : areasKm2) {
    char side[32];
    std::snprintf(side, sizeof side, "%.6g", std::sqrt(area));
    const auto city = scratch / ("city-" + std::string(side) + ".gpkg");
    const ChildUsage generated =
        runSelf({"city", "generate", "--size-km", side, "--out", city.string(), "--json"});
    if (generated.exitCode != 0)
      throw Error("bench tiles: generating a " + std::string(side) + " km city failed");
    const auto out = scratch / ("tiles-" + std::string(side));
    const ChildUsage exported =
        runSelf({"export", "3dtiles", city.string(), "--out", out.string(), "--json"});
    if (exported.exitCode != 0)
      throw Error("bench tiles: exporting the " + std::string(side) + " km city failed");
    const nlohmann::json info = nlohmann::json::parse(exported.standardOutput);
    const double mib = info.at("bytes").get<double>() / (1024.0 * 1024.0);
    const double largestKib = info.at("largest_tile_bytes").get<double>() / 1024.0;
    nlohmann::json row{{"area_km2", area},
                       {"buildings", info.at("buildings")},
                       {"building_tiles", info.at("building_tiles")},
                       {"terrain_tiles", info.at("terrain_tiles")},
                       {"tree_depth", info.at("tree_depth")},
                       {"mib", mib},
                       {"largest_tile_kib", largestKib},
                       {"load_seconds", info.at("load_seconds")},
                       {"export_seconds", info.at("export_seconds")},
                       {"process_seconds", exported.wallSeconds},
                       {"peak_rss_mib", exported.peakResidentMiB}};
    if (!json) {
      std::printf("%-10g %10zu %8zu %8zu %10.1f %10.0f %12.2f %10.0f\n", area,
                  info.at("buildings").get<std::size_t>(), info.at("building_tiles").get<std::size_t>(),
                  info.at("terrain_tiles").get<std::size_t>(), mib, largestKib,
                  info.at("export_seconds").get<double>(), exported.peakResidentMiB);
      std::fflush(stdout);
    }
    rows.push_back(row);
    std::filesystem::remove_all(out);
    std::filesystem::remove(city);
  }
  if (json) printJson({{"cases", rows}});
}

void registerTilesBench(CommandTree& tree) {
  struct Arguments {
    std::vector<double> areasKm2{1.0, 10.0, 100.0};
    bool json = false;
  };
  auto arguments = std::make_shared<Arguments>();
  CLI::App* bench = tree.bench.add_subcommand("tiles",
                                              "Time, size and peak memory of the 3D Tiles export of "
                                              "generated cities (export seconds exclude loading)");
  bench->add_option("--areas", arguments->areasKm2, "Areas of the generated cities in km²")
      ->delimiter(',')
      ->capture_default_str();
  addJsonFlag(*bench, arguments->json);
  bench->callback([arguments] { runTilesBench(arguments->areasKm2, arguments->json); });
}

const CommandGroupRegistrar registrar(92, registerTilesBench);

}  // namespace
}  // namespace citytwin::cli
