// `citytwin city import` of Monaco writes a grid (OSM substations kept as "osm", the rest synthesised) and an
// energy run on it reports line loading; imported with --no-grid, the run warns and reports no grid KPIs.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "citytwin/testing/run_command.hpp"
#include "citytwin/testing/shared_data.hpp"

using namespace citytwin;
using testing::runCommand;

namespace {

std::vector<std::string> monacoImport(const std::filesystem::path& folder, const std::filesystem::path& out) {
  return {testing::citytwinBinary(),
          "city",
          "import",
          "--osm",
          (folder / "monaco-latest.osm.pbf").string(),
          "--dem",
          (folder / "monaco_dem_srtm3_utm32n_90m.tif").string(),
          "--aoi",
          (folder / "monaco_aoi.geojson").string(),
          "--out",
          out.string(),
          "--json"};
}

// Three July days of the energy model alone on `city`, synthetic weather at Monaco.
nlohmann::json runEnergy(const std::filesystem::path& city, const std::string& name, std::string* warnings) {
  const auto folder = testing::scratchDirectory() / name;
  std::filesystem::create_directories(folder);
  const auto scenario = folder / "energy.toml";
  std::ofstream(scenario)
      << "name = \"" << name << "\"\ncity = \"" << city.string()
      << "\"\nstart = 2026-07-20T00:00:00Z\nduration = \"3d\"\nstep = \"6h\"\nseed = 1\n"
         "models = [\"energy\"]\n[energy]\nweather = { synthetic = true, latitude = 43.73, "
         "longitude = 7.42, elevation_m = 50, mean_temperature_c = 16.5 }\n";
  const auto run =
      runCommand({testing::citytwinBinary(), "run", scenario.string(), "--out", (folder / "out").string()});
  REQUIRE_MESSAGE(run.exitCode == 0, run.standardError);
  *warnings = run.standardError;
  std::ifstream kpis(folder / "out" / "base" / "kpis.json");
  return nlohmann::json::parse(kpis)["kpis"];
}

int sqlCount(const std::filesystem::path& gpkg, const std::string& sql) {
  const auto result = runCommand({"ogrinfo", "-ro", "-q", gpkg.string(), "-sql", sql});
  REQUIRE(result.exitCode == 0);
  const auto at = result.standardOutput.find(" = ");
  REQUIRE(at != std::string::npos);
  return std::stoi(result.standardOutput.substr(at + 3));
}

}  // namespace

TEST_CASE(
    "Monaco: city import writes substations and feeders, every building on a feeder; energy sees loading") {
  const auto folder = testing::sharedData("city/monaco");
  if (!folder) return;
  const auto out = testing::scratchDirectory() / "monaco-grid.gpkg";
  const auto imported = runCommand(monacoImport(*folder, out));
  REQUIRE_MESSAGE(imported.exitCode == 0, imported.standardError);
  const auto report = nlohmann::json::parse(imported.standardOutput);
  CHECK(report["import"]["osm_substations"].get<int>() >= 1);
  const auto& grid = report["grid_synthesis"];
  CHECK(grid["buildings_considered"] == 1225);
  CHECK(grid["substations_synthesised"].get<int>() > 0);
  CHECK(grid["osm_substations_used"].get<int>() >= 1);
  CHECK(grid["primaries_synthesised"].get<int>() >= 1);
  CHECK(grid["medium_voltage_km"].get<double>() > 0);
  CHECK(grid["max_medium_voltage_loading"].get<double>() <= 0.8 + 1e-9);

  if (runCommand({"ogrinfo", "--version"}).exitCode == 0) {
    CHECK(sqlCount(out, "SELECT COUNT(*) AS n FROM grid_substations WHERE source = 'osm'") ==
          report["import"]["osm_substations"].get<int>());
    CHECK(sqlCount(out, "SELECT COUNT(*) AS n FROM grid_substations WHERE source = 'synthesised'") ==
          grid["substations_synthesised"].get<int>() + grid["primaries_synthesised"].get<int>());
    CHECK(sqlCount(out, "SELECT COUNT(*) AS n FROM grid_feeders WHERE source = 'synthesised'") ==
          grid["feeders"].get<int>() + grid["medium_voltage_feeders"].get<int>());
    // The MV stage in the layers: primaries (HV/MV), MV feeders, every building's substation on one.
    CHECK(sqlCount(out, "SELECT COUNT(*) AS n FROM grid_substations WHERE voltage_level = 'HV/MV'") ==
          grid["primaries_synthesised"].get<int>() + grid["osm_primaries_used"].get<int>());
    CHECK(sqlCount(out, "SELECT COUNT(*) AS n FROM grid_feeders WHERE voltage_level = 'MV'") ==
          grid["medium_voltage_feeders"].get<int>());
    CHECK(sqlCount(out,
                   "SELECT COUNT(DISTINCT f.substation_id) AS n FROM grid_feeders f JOIN grid_substations s "
                   "ON s.id = f.substation_id WHERE f.voltage_level = 'LV' AND s.supply_feeder_id = ''") ==
          0);
    CHECK(sqlCount(out, "SELECT COUNT(*) AS n FROM buildings WHERE feeder_id IS NULL OR feeder_id = ''") ==
          0);
  } else {
    MESSAGE("ogrinfo is not installed; the layers' source columns are not checked");
  }

  std::string warnings;
  const nlohmann::json kpis = runEnergy(out, "monaco_grid", &warnings);
  CHECK(kpis["energy.max_line_loading"].get<double>() > 0.05);
  CHECK(kpis["energy.max_line_loading"].get<double>() <= 1.0);
  CHECK(kpis["energy.power_flow_failures"] == 0.0);
  CHECK(kpis["energy.buildings_without_network"] == 0.0);
  CHECK(warnings.find("warning") == std::string::npos);

  // Without the grid: a warning, the count of buildings off any network and no grid KPIs.
  const auto bare = testing::scratchDirectory() / "monaco-bare.gpkg";
  auto noGrid = monacoImport(*folder, bare);
  noGrid.push_back("--no-grid");
  const auto bareImport = runCommand(noGrid);
  REQUIRE(bareImport.exitCode == 0);
  CHECK(nlohmann::json::parse(bareImport.standardOutput)["grid_synthesis"].is_null());
  const nlohmann::json bareKpis = runEnergy(bare, "monaco_bare", &warnings);
  CHECK(warnings.find("warning: energy: no distribution network") != std::string::npos);
  CHECK(bareKpis["energy.buildings_without_network"] == 1225.0);
  CHECK_FALSE(bareKpis.contains("energy.max_line_loading"));
  CHECK_FALSE(bareKpis.contains("energy.power_flow_failures"));
  CHECK(bareKpis["energy.demand_mwh"].get<double>() > 0);
}
