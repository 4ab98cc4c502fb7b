#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>

#include "citytwin/city/city_summary.hpp"
#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/core/progress.hpp"
#include "citytwin/io/city_file.hpp"
#include "citytwin/io/cityjson_import.hpp"
#include "citytwin/io/osm_import.hpp"
#include "command_registry.hpp"
#include "json_output.hpp"

#if __has_include(<citytwin/energy/grid_synthesis.hpp>)
#include "citytwin/energy/grid_synthesis.hpp"
#define CITYTWIN_HAS_GRID_SYNTHESIS 1
#endif

#if __has_include(<citytwin/generate/sample_city.hpp>)
#include "citytwin/generate/sample_city.hpp"
#define CITYTWIN_HAS_GENERATOR 1
#endif

namespace citytwin::cli {
namespace {

void printCityInfo(const city::CityModel& city, const std::filesystem::path& path) {
  const geo::BBox extent = city.extent();
  std::printf("city        %s (%s)\n", city.name.c_str(), path.string().c_str());
  std::printf("crs         %s\n", city.crsName().c_str());
  if (!extent.empty()) {
    std::printf("extent      x %.1f … %.1f, y %.1f … %.1f (%.2f × %.2f km)\n", extent.minX, extent.maxX, extent.minY,
                extent.maxY, extent.width() / 1000, extent.height() / 1000);
  }
  std::printf("buildings   %zu\n", city.buildings.size());
  std::printf("road_links  %zu\n", city.roads.links.size());
  std::printf("road_nodes  %zu\n", city.roads.nodes.size());
  std::printf("sensors     %zu\n", city.sensors.size());
  std::map<std::string, std::size_t> bySource;
  for (const auto& substation : city.grid.substations)
    ++bySource[substation.source.empty() ? "unknown source" : substation.source];
  std::string sources;
  for (const auto& [source, count] : bySource)
    sources += (sources.empty() ? " (" : ", ") + std::to_string(count) + " " + source;
  if (!sources.empty()) sources += ")";
  std::printf("grid        %zu substations%s, %zu feeders\n", city.grid.substations.size(), sources.c_str(),
              city.grid.feeders.size());
  if (city.terrain.empty()) {
    std::printf("dem         none\n");
  } else {
    std::printf("dem         %zu × %zu cells of %.1f m\n", city.terrain.columns, city.terrain.rows, city.terrain.cellSize);
  }
  for (const auto& input : city.provenance) {
    std::printf("input       %-9s %s (%s)\n", input.role.c_str(), input.source.c_str(), input.fingerprint.c_str());
  }
}

int parseCrs(const std::string& text) {
  if (text.empty()) return 0;
  std::string digits = text;
  if (digits.rfind("EPSG:", 0) == 0 || digits.rfind("epsg:", 0) == 0) digits = digits.substr(5);
  char* end = nullptr;
  const long code = std::strtol(digits.c_str(), &end, 10);
  if (digits.empty() || *end != '\0' || code <= 0) {
    throw Error("--crs '" + text + "': expected an EPSG code such as EPSG:32632");
  }
  return static_cast<int>(code);
}

struct ImportArguments {
  std::string osm, cityjson, dem, aoi, crs, out, name;
  double demCell = 0.0;
  bool json = false;
  bool noGrid = false;
};

// Where OSM maps no distribution grid, a synthesised one (models/energy/README.md, "Grid synthesis") lets
// the energy model's what-ifs mean something on any imported city.
nlohmann::json synthesiseGrid(city::CityModel& city) {
#ifdef CITYTWIN_HAS_GRID_SYNTHESIS
  const auto started = std::chrono::steady_clock::now();
  const energy::GridSynthesisReport r = energy::synthesiseGrid(city);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return {{"buildings_considered", r.buildingsConsidered},
          {"substations_synthesised", r.substationsSynthesised},
          {"dedicated_substations", r.dedicatedSubstations},
          {"osm_substations_used", r.osmSubstationsUsed},
          {"feeders", r.feeders},
          {"cable_km", r.cableKm},
          {"direct_cables", r.directCables},
          {"design_peak_mw", r.designPeakMw},
          {"max_design_loading", r.maxDesignLoading},
          {"min_design_voltage_pu", r.minDesignVoltagePu},
          {"sizing_rounds", r.sizingRounds},
          {"primaries_synthesised", r.primariesSynthesised},
          {"osm_primaries_used", r.osmPrimariesUsed},
          {"medium_voltage_feeders", r.mediumVoltageFeeders},
          {"medium_voltage_km", r.mediumVoltageKm},
          {"direct_medium_voltage_cables", r.directMediumVoltageCables},
          {"max_medium_voltage_loading", r.maxMediumVoltageLoading},
          {"min_network_voltage_pu", r.minNetworkVoltagePu},
          {"medium_voltage_rounds", r.mediumVoltageRounds},
          {"seconds", seconds}};
#else
  (void)city;
  return nullptr;
#endif
}

// Buildings from a 3D city model instead of OSM (engine/io/README.md, "CityJSON").
void runCityJsonImport(const ImportArguments& arguments) {
  if (!arguments.aoi.empty()) throw Error("--aoi applies to --osm only; a CityJSON file is imported whole");
  io::CityJsonImportOptions options;
  options.cityjson = arguments.cityjson;
  if (!arguments.dem.empty()) options.dem = arguments.dem;
  options.crsEpsg = parseCrs(arguments.crs);
  options.demCellM = arguments.demCell;
  options.name = arguments.name;
  requireWritableOutput(arguments.out);
  const io::CityJsonImportResult result = io::importCityJson(options);
  io::saveCity(result.city, arguments.out);
  const auto& report = result.report;
  if (arguments.json) {
    nlohmann::json document = city::citySummaryJson(result.city);
    document["file"] = arguments.out;
    document["import"] = {{"source_crs", "EPSG:" + std::to_string(report.sourceEpsg)},
                          {"city_objects", report.cityObjects},
                          {"building_objects", report.buildingObjects},
                          {"heights_from_geometry", report.heightsFromGeometry},
                          {"heights_from_measured_height", report.heightsFromAttribute},
                          {"buildings_without_geometry", report.buildingsWithoutGeometry},
                          {"buildings_without_height", report.buildingsWithoutHeight},
                          {"first_skipped", report.firstSkipped},
                          {"geometry_instances", report.geometryInstances}};
    printJson(document);
    return;
  }
  printCityInfo(result.city, arguments.out);
  std::printf("import      %zu Building objects of %zu city objects (EPSG:%d); heights: %zu from the geometry, %zu "
              "from measuredHeight\n",
              report.buildingObjects, report.cityObjects, report.sourceEpsg, report.heightsFromGeometry,
              report.heightsFromAttribute);
  if (report.buildingsWithoutGeometry + report.buildingsWithoutHeight > 0) {
    std::printf("skipped     %zu buildings without a surface, %zu without a height (first: %s)\n",
                report.buildingsWithoutGeometry, report.buildingsWithoutHeight, report.firstSkipped.c_str());
  }
  if (report.geometryInstances > 0) {
    std::printf("skipped     %zu template geometries (GeometryInstance are not read)\n", report.geometryInstances);
  }
}

void runImport(const ImportArguments& arguments) {
  if (arguments.osm.empty() == arguments.cityjson.empty()) {
    throw Error("city import needs exactly one of --osm FILE and --cityjson FILE");
  }
  if (!arguments.cityjson.empty()) return runCityJsonImport(arguments);
  io::OsmImportOptions options;
  options.osm = arguments.osm;
  if (!arguments.dem.empty()) options.dem = arguments.dem;
  if (!arguments.aoi.empty()) options.areaOfInterest = arguments.aoi;
  options.crsEpsg = parseCrs(arguments.crs);
  options.demCellM = arguments.demCell;
  options.name = arguments.name;
  // Fail on an unwritable output before spending time on the import.
  requireWritableOutput(arguments.out);
  io::OsmImportResult result = [&] {
    Progress progress("reading OSM features", 0);
    return io::importOsm(options, &progress);
  }();
  const auto& report = result.report;
  nlohmann::json grid = nullptr;
  if (!arguments.noGrid) grid = synthesiseGrid(result.city);
  io::saveCity(result.city, arguments.out);
  if (arguments.json) {
    nlohmann::json document = city::citySummaryJson(result.city);
    document["file"] = arguments.out;
    document["import"] = {{"osm_building_features", report.osmBuildingFeatures},
                          {"buildings_outside_area", report.buildingsOutsideArea},
                          {"buildings_with_tagged_height", report.buildingsWithTaggedHeight},
                          {"buildings_with_levels", report.buildingsWithLevels},
                          {"drivable_ways", report.drivableWays},
                          {"links_outside_area", report.linksOutsideArea},
                          {"strongly_connected_components", report.stronglyConnectedComponents},
                          {"links_in_largest_component", report.linksInLargestComponent},
                          {"dead_end_links", report.deadEndLinks},
                          {"osm_substations", report.osmSubstations},
                          {"osm_power_lines", report.osmPowerLines}};
    document["grid_synthesis"] = grid;
    printJson(document);
    return;
  }
  printCityInfo(result.city, arguments.out);
  std::printf("import      %zu OSM building polygons, %zu outside the area; %zu drivable ways\n",
              report.osmBuildingFeatures, report.buildingsOutsideArea, report.drivableWays);
  // Counted from the buildings kept, so the three add up to the city's building count.
  std::size_t tagged = 0, fromLevels = 0, byDefault = 0;
  for (const city::Building& building : result.city.buildings) {
    if (building.heightSource == city::HeightSource::Tagged) ++tagged;
    else if (building.heightSource == city::HeightSource::FromLevels) ++fromLevels;
    else ++byDefault;
  }
  std::printf("heights     %zu tagged, %zu from levels, %zu by use default (%zu buildings)\n", tagged, fromLevels,
              byDefault, result.city.buildings.size());
  std::printf("roads       %zu links in the largest strongly connected component, %zu in dead ends or cut-offs "
              "(%zu components)\n",
              report.linksInLargestComponent, report.deadEndLinks, report.stronglyConnectedComponents);
  std::printf("power       %zu OSM substations and transformers, %zu OSM power lines and cables\n",
              report.osmSubstations, report.osmPowerLines);
  if (arguments.noGrid) {
    std::printf("grid        not synthesised (--no-grid)\n");
  } else if (grid.is_null()) {
    std::printf("grid        not synthesised: this build has no energy model\n");
  } else {
    std::printf(
        "grid        synthesised for %zu buildings in %.2f s: %zu new substations (%zu for one large "
        "building), %zu OSM substations used, %zu feeder sections, %.1f km of cable, %zu direct cables\n",
        grid["buildings_considered"].get<std::size_t>(), grid["seconds"].get<double>(),
        grid["substations_synthesised"].get<std::size_t>(), grid["dedicated_substations"].get<std::size_t>(),
        grid["osm_substations_used"].get<std::size_t>(), grid["feeders"].get<std::size_t>(),
        grid["cable_km"].get<double>(), grid["direct_cables"].get<std::size_t>());
    std::printf(
        "grid        design peak %.2f MW; at it: max loading %.0f %%, min voltage %.3f p.u. (%d sizing "
        "rounds)\n",
        grid["design_peak_mw"].get<double>(), grid["max_design_loading"].get<double>() * 100,
        grid["min_design_voltage_pu"].get<double>(), grid["sizing_rounds"].get<int>());
    std::printf(
        "grid        medium voltage: %zu primaries (%zu OSM, %zu synthesised), %zu MV feeder sections, %.1f "
        "km MV "
        "and %.1f km LV cable; at the design peak: max MV loading %.0f %%, min voltage %.3f p.u. (%d "
        "rounds)\n",
        grid["osm_primaries_used"].get<std::size_t>() + grid["primaries_synthesised"].get<std::size_t>(),
        grid["osm_primaries_used"].get<std::size_t>(), grid["primaries_synthesised"].get<std::size_t>(),
        grid["medium_voltage_feeders"].get<std::size_t>(), grid["medium_voltage_km"].get<double>(),
        grid["cable_km"].get<double>(), grid["max_medium_voltage_loading"].get<double>() * 100,
        grid["min_network_voltage_pu"].get<double>(), grid["medium_voltage_rounds"].get<int>());
  }
}

void registerCityCommands(CommandTree& tree) {
  CLI::App& group = tree.group("city", "Build, inspect and generate city models");

  auto importArguments = std::make_shared<ImportArguments>();
  CLI::App* import =
      group.add_subcommand("import", "Import a city from OpenStreetMap data or a CityJSON 3D city model, and a DEM");
  import->add_option("--osm", importArguments->osm, "OpenStreetMap extract (.osm.pbf, .osm or .osm.bz2)");
  import->add_option("--cityjson", importArguments->cityjson,
                     "CityJSON file (1.1 or 2.0): buildings from a 3D city model instead of OSM");
  import->add_option("--dem", importArguments->dem, "Digital elevation model (GeoTIFF or any GDAL raster with a CRS)");
  import->add_option("--aoi", importArguments->aoi, "Area of interest: polygons in GeoJSON (WGS 84)");
  import->add_option("--crs", importArguments->crs, "Projected CRS of the city, e.g. EPSG:32632 (default: UTM zone)");
  import->add_option("--dem-cell", importArguments->demCell, "DEM cell size in metres (default: the DEM's own)");
  import->add_option("--name", importArguments->name, "City name (default: from the OSM file name)");
  import->add_option("--out", importArguments->out, "Output city file (.gpkg)")->required();
  import->add_flag("--no-grid", importArguments->noGrid,
                   "Do not synthesise a distribution grid where OSM maps none (models/energy/README.md)");
  addJsonFlag(*import, importArguments->json);
  import->callback([importArguments] { runImport(*importArguments); });

  auto infoPath = std::make_shared<std::string>();
  auto infoJson = std::make_shared<bool>(false);
  CLI::App* info = group.add_subcommand("info", "Print counts, CRS, extent and DEM size of a city file");
  info->add_option("city", *infoPath, "City file (.gpkg)")->required();
  addJsonFlag(*info, *infoJson);
  info->callback([infoPath, infoJson] {
    const city::CityModel city = io::loadCity(*infoPath);
    if (*infoJson) {
      printJson(city::citySummaryJson(city));
    } else {
      printCityInfo(city, *infoPath);
    }
  });

#ifdef CITYTWIN_HAS_GENERATOR
  struct GenerateArguments {
    std::string out;
    double sizeKm = 2.0;
    std::uint64_t seed = 1;
    double demCell = 10.0;
    bool json = false;
  };
  auto generateArguments = std::make_shared<GenerateArguments>();
  CLI::App* generate = group.add_subcommand("generate", "Generate the deterministic sample city");
  generate->add_option("--out", generateArguments->out, "Output city file (.gpkg)")->required();
  generate->add_option("--size-km", generateArguments->sizeKm, "Side length in km (area = size²)")
      ->check(CLI::Range(0.5, 20.0));
  generate->add_option("--seed", generateArguments->seed, "Random seed");
  generate->add_option("--dem-cell", generateArguments->demCell, "DEM cell size in metres")->check(CLI::Range(1.0, 50.0));
  addJsonFlag(*generate, generateArguments->json);
  generate->callback([generateArguments] {
    requireWritableOutput(generateArguments->out);
    generate::SampleCityOptions options;
    options.sizeKm = generateArguments->sizeKm;
    options.seed = generateArguments->seed;
    options.demCellM = generateArguments->demCell;
    const city::CityModel city = [&] {
      Progress progress("generating sample city", 0);
      return generate::generateSampleCity(options, &progress);
    }();
    io::saveCity(city, generateArguments->out);
    if (generateArguments->json) {
      nlohmann::json document = city::citySummaryJson(city);
      document["file"] = generateArguments->out;
      printJson(document);
    } else {
      printCityInfo(city, generateArguments->out);
    }
  });
#endif
}

const CommandGroupRegistrar registrar(10, registerCityCommands);

}  // namespace
}  // namespace citytwin::cli
