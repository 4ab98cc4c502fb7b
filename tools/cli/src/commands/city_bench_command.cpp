#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <unistd.h>
#include <vector>

#include "child_process.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/core/terminal.hpp"
#include "command_registry.hpp"
#include "json_output.hpp"

namespace citytwin::cli {
namespace {

struct BenchCase {
  std::string name;
  std::vector<std::string> arguments;  // a citytwin command line run in a child process
};

std::filesystem::path defaultSharedData() {
  if (const char* fromEnvironment = std::getenv("CITYTWIN_SHARED_DATA"); fromEnvironment && *fromEnvironment) {
    return fromEnvironment;
  }
  return "../shared/data";
}

void runCityBench(const std::vector<double>& sizesKm2, const std::string& sharedData, bool json) {
  const std::filesystem::path scratch =
      std::filesystem::temp_directory_path() / ("citytwin-bench-city-" + std::to_string(::getpid()));
  std::filesystem::create_directories(scratch);
  std::vector<BenchCase> cases;
  const std::filesystem::path monaco = std::filesystem::path(sharedData) / "city" / "monaco";
  const bool haveMonaco = std::filesystem::exists(monaco / "monaco-latest.osm.pbf");
  if (haveMonaco) {
    cases.push_back({"import monaco",
                     {"city", "import", "--osm", (monaco / "monaco-latest.osm.pbf").string(), "--dem",
                      (monaco / "monaco_dem_srtm3_wgs84.tif").string(), "--aoi", (monaco / "monaco_aoi.geojson").string(),
                      "--out", (scratch / "monaco.gpkg").string(), "--json"}});
  } else if (!json) {
    std::fprintf(stderr, "bench city: Monaco reference data not found under %s; skipping its import\n",
                 monaco.string().c_str());
  }
  for (double area : sizesKm2) {
    char side[32];
    std::snprintf(side, sizeof side, "%.6g", std::sqrt(area));
    char name[64];
    std::snprintf(name, sizeof name, "generate %.0f km2", area);
    cases.push_back({name,
                     {"city", "generate", "--size-km", side, "--out",
                      (scratch / ("generated-" + std::string(side) + ".gpkg")).string(), "--json"}});
  }

  nlohmann::json results = nlohmann::json::array();
  if (!json) std::printf("%-20s %10s %14s %12s %12s\n", "case", "seconds", "peak_MiB", "buildings", "road_links");
  for (const auto& benchCase : cases) {
    const ChildUsage usage = runSelf(benchCase.arguments);
    if (usage.exitCode != 0) {
      std::filesystem::remove_all(scratch);
      throw Error("bench city: case '" + benchCase.name + "' failed with exit code " + std::to_string(usage.exitCode));
    }
    const nlohmann::json info = nlohmann::json::parse(usage.standardOutput);
    const auto file = std::filesystem::path(info.at("file").get<std::string>());
    nlohmann::json row{{"case", benchCase.name},
                       {"seconds", usage.wallSeconds},
                       {"peak_rss_mib", usage.peakResidentMiB},
                       {"buildings", info.at("buildings")},
                       {"road_links", info.at("road_links")},
                       {"file_mib", static_cast<double>(std::filesystem::file_size(file)) / (1024.0 * 1024.0)}};
    if (!json) {
      std::printf("%-20s %10.2f %14.1f %12zu %12zu\n", benchCase.name.c_str(), usage.wallSeconds,
                  usage.peakResidentMiB, info.at("buildings").get<std::size_t>(),
                  info.at("road_links").get<std::size_t>());
      std::fflush(stdout);
    }
    results.push_back(row);
  }
  std::filesystem::remove_all(scratch);
  if (json) printJson({{"cases", results}});
}

void registerCityBench(CommandTree& tree) {
  struct Arguments {
    std::vector<double> sizesKm2{1.0, 10.0, 100.0};
    std::string sharedData = defaultSharedData().string();
    bool json = false;
  };
  auto arguments = std::make_shared<Arguments>();
  CLI::App* bench = tree.bench.add_subcommand(
      "city", "Time and peak memory of importing Monaco and of generating sample cities, each in its own process");
  bench->add_option("--areas", arguments->sizesKm2, "Areas of the generated cities in km²")
      ->delimiter(',')
      ->capture_default_str();
  bench->add_option("--shared-data", arguments->sharedData, "Reference data folder holding city/monaco")
      ->capture_default_str();
  addJsonFlag(*bench, arguments->json);
  bench->callback([arguments] { runCityBench(arguments->sizesKm2, arguments->sharedData, arguments->json); });
}

const CommandGroupRegistrar registrar(90, registerCityBench);

}  // namespace
}  // namespace citytwin::cli
