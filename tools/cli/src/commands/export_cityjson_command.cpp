#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "citytwin/core/atomic_output.hpp"
#include "citytwin/io/city_file.hpp"
#include "citytwin/io/cityjson_export.hpp"
#include "command_registry.hpp"
#include "json_output.hpp"

namespace citytwin::cli {
namespace {

struct ExportCityJsonArguments {
  std::string city;
  std::string out;
  bool terrain = false;
  std::size_t terrainMaxSide = 256;
  bool json = false;
};

void runExportCityJson(const ExportCityJsonArguments& arguments) {
  requireWritableOutput(arguments.out);
  const auto started = std::chrono::steady_clock::now();
  const city::CityModel city = io::loadCity(arguments.city);
  io::CityJsonExportOptions options;
  options.terrain = arguments.terrain;
  options.terrainMaxSide = arguments.terrainMaxSide;
  const io::CityJsonExportReport report = io::exportCityJson(city, arguments.out, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto bytes = std::filesystem::file_size(arguments.out);
  if (arguments.json) {
    printJson({{"file", arguments.out},
               {"crs", city.crsName()},
               {"buildings", report.buildings},
               {"roads", report.roads},
               {"terrain_triangles", report.terrainTriangles},
               {"vertices", report.vertices},
               {"bytes", bytes},
               {"seconds", seconds}});
    return;
  }
  std::printf("cityjson    %s (CityJSON 2.0, %s, %.1f MB in %.2f s)\n", arguments.out.c_str(),
              city.crsName().c_str(), static_cast<double>(bytes) / 1e6, seconds);
  std::printf(
      "objects     %zu buildings (LoD1), %zu roads (LoD0 lines), %zu terrain triangles, %zu vertices\n",
      report.buildings, report.roads, report.terrainTriangles, report.vertices);
}

void registerExportCityJsonCommand(CommandTree& tree) {
  CLI::App& group = tree.group("export", "Export a city for other tools (CityJSON, 3D Tiles)");
  auto arguments = std::make_shared<ExportCityJsonArguments>();
  CLI::App* command = group.add_subcommand(
      "cityjson", "Write the city as CityJSON 2.0: LoD1 buildings with attributes, roads as lines, terrain");
  command->add_option("city", arguments->city, "City file (.gpkg)")->required();
  command->add_option("--out", arguments->out, "Output file (.city.json)")->required();
  command->add_flag("--terrain", arguments->terrain, "Add the DEM as a TINRelief (decimated)");
  command
      ->add_option("--terrain-max-side", arguments->terrainMaxSide,
                   "Most terrain vertices per side of the DEM after decimation")
      ->check(CLI::Range(2, 4096))
      ->capture_default_str();
  addJsonFlag(*command, arguments->json);
  command->callback([arguments] { runExportCityJson(*arguments); });
}

const CommandGroupRegistrar registrar(15, registerExportCityJsonCommand);

}  // namespace
}  // namespace citytwin::cli
