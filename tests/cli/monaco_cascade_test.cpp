// The cascade (flood, energy, traffic) on Monaco as a user runs it: `citytwin city import` from the
// shared OSM extract, SRTM DEM and area, then `citytwin run` of 40 mm in 30 minutes at 10 m cells.
// Plausibility bounds (models/flood/README.md, "Monaco"): the sea takes the run-off and never counts as
// flooding, no water deeper than 3 m, and the traffic and energy models run on the flooded city.

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "citytwin/testing/run_command.hpp"
#include "citytwin/testing/shared_data.hpp"

using namespace citytwin;
using testing::runCommand;

TEST_CASE("Monaco: the flood, energy and traffic cascade runs on the imported city") {
  const auto folder = testing::sharedData("city/monaco");
  if (!folder) return;
  const auto scratch = testing::scratchDirectory();
  const auto city = scratch / "monaco.gpkg";
  const auto imported = runCommand({testing::citytwinBinary(), "city", "import", "--osm",
                                    (*folder / "monaco-latest.osm.pbf").string(), "--dem",
                                    (*folder / "monaco_dem_srtm3_wgs84.tif").string(), "--aoi",
                                    (*folder / "monaco_aoi.geojson").string(), "--out", city.string()});
  REQUIRE_MESSAGE(imported.exitCode == 0, imported.standardError);
  const auto scenario = scratch / "monaco_cascade.toml";
  std::ofstream(scenario) << R"(name = "monaco_cascade"
city = "monaco.gpkg"
start = 2026-07-01T14:00:00Z
duration = "45m"
step = "5m"
seed = 1
models = ["flood", "energy", "traffic"]

[flood]
cell_size_m = 10
use_rain_gauges = false
snapshot_interval = 0
rain_series = [[0, 80], [1800, 80], [1801, 0]]

[energy]
weather = { synthetic = true, latitude = 43.73, longitude = 7.42, elevation_m = 50, mean_temperature_c = 16, seed = 1 }
)";
  const auto run = runCommand({testing::citytwinBinary(), "run", scenario.string(), "--out",
                               (scratch / "run").string(), "--json", "--threads", "2"});
  REQUIRE_MESSAGE(run.exitCode == 0, run.standardError);
  const auto kpis = nlohmann::json::parse(run.standardOutput)["variants"][0]["kpis"];
  MESSAGE("Monaco cascade: flooded " << kpis["flood.flooded_area_m2"] << " m2, max depth "
                                     << kpis["flood.max_depth_m"] << " m, "
                                     << kpis["flood.buildings_over_0_3m"] << " buildings over 0.3 m, "
                                     << kpis["flood.impassable_links"] << " impassable links, "
                                     << kpis["traffic.trips"] << " trips");
  CHECK(kpis["flood.max_depth_m"].get<double>() < 3.0);
  CHECK(kpis["flood.sea_outflow_m3"].get<double>() > 0.0);
  // Monaco's land is about 2 km²; the whole city cannot stand 0.1 m deep after 40 mm of rain.
  CHECK(kpis["flood.flooded_area_m2"].get<double>() > 0.0);
  CHECK(kpis["flood.flooded_area_m2"].get<double>() < 0.5e6);
  CHECK(std::abs(kpis["flood.volume_balance_error"].get<double>()) < 1e-4);
  CHECK(kpis["traffic.trips"].get<double>() > 0.0);
  CHECK(kpis["energy.power_flow_failures"].get<double>() == 0.0);
}
