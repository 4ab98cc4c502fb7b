// The flood model behind the engine's model interface, driven directly (not through the scheduler) on
// the hand-drawn tiny city.

#include "citytwin/flood/flood_model.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include "citytwin/city/city_state.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/flood/register.hpp"
#include "citytwin/scenario/toml_input.hpp"
#include "citytwin/testing/shared_data.hpp"
#include "citytwin/testing/tiny_city.hpp"

using namespace citytwin;
using citytwin::flood::FloodModel;

namespace {

struct Run {
  city::CityModel city = testing::tinyCity();
  Value parameters;
  std::vector<sim::Intervention> interventions;
  FloodModel model;
  city::CityState state{city};

  Run(const std::string& floodToml, const std::vector<std::string>& interventionTomls = {}) {
    parameters = scenario::parseToml(floodToml, "scenario.toml");
    for (const std::string& text : interventionTomls) {
      sim::Intervention i;
      i.parameters = scenario::parseToml(text, "scenario.toml");
      i.kind = i.parameters.find("kind")->asString();
      i.sourceFile = "scenario.toml";
      interventions.push_back(std::move(i));
    }
  }
  void initialise(sim::SimTime end = 3600 * sim::kSecond) {
    sim::ModelContext context{
        city, parameters, "scenario.toml",        ".",          testing::scratchDirectory(),
        1,    end,        "2026-07-01T00:00:00Z", interventions};
    model.initialise(context, state);
  }
  void advance(int steps, sim::SimTime dt = 60 * sim::kSecond) {
    for (int k = 0; k < steps; ++k) {
      city::CityState staged = state;
      model.step(now, dt, state, staged);
      state = staged;
      now += dt;
    }
  }
  sim::SimTime now = 0;
};

}  // namespace

TEST_CASE("flood model: describes its coupling and registers by name") {
  FloodModel model;
  const sim::ModelDescription d = model.describe();
  CHECK(d.name == "flood");
  CHECK(d.writes.size() == 3);
  CHECK(std::find(d.writes.begin(), d.writes.end(),
                  sim::AttributeRef{city::Layer::RoadLink, "max_flood_depth_m"}) != d.writes.end());
  CHECK(d.interventionKinds.size() == 4);
  sim::ModelRegistry registry;
  flood::registerFloodModel(registry);
  CHECK(registry.contains("flood"));
  CHECK(registry.create("flood") != nullptr);
}

TEST_CASE("flood model: rain on the tiny city fills the state columns, KPIs and a closed mass balance") {
  Run run(
      "cell_size_m = 5\nrain_mm_per_h = 200\nboundary = \"closed\"\nuse_rain_gauges = false\nprecision = "
      "\"double\"\n");
  run.initialise();
  const auto& grid = run.model.grid();
  CHECK(grid.domain.columns == 48);
  CHECK(grid.domain.rows == 36);
  std::size_t blocked = 0;
  for (unsigned char b : grid.domain.blocked) blocked += b;
  CHECK(blocked > 20);  // three buildings
  run.advance(20);
  const auto kpis = run.model.kpis();
  for (const char* key :
       {"flooded_area_m2", "buildings_over_0_3m", "impassable_links", "volume_balance_error"})
    CHECK(kpis.count(key) == 1);
  CHECK(std::abs(kpis.at("volume_balance_error")) < 1e-9);
  const double openArea = (grid.domain.cellCount() - blocked) * 25.0;
  CHECK(kpis.at("rain_volume_m3") == doctest::Approx(0.2 * 1200.0 / 3600.0 * openArea).epsilon(1e-9));
  // Water runs east and ponds against the closed east edge: the spur n1 -> n4 floods deepest.
  const auto& roads = run.state.column(city::Layer::RoadLink, "max_flood_depth_m");
  CHECK(roads.size() == run.city.roads.links.size());
  CHECK(roads.back() > roads.front());
  CHECK(run.state.column(city::Layer::Building, "max_flood_depth_m").size() == 3);
  CHECK(run.state.column(city::Layer::Substation, "max_flood_depth_m").size() == 1);
  CHECK(kpis.at("flooded_area_m2") > 0.0);
  const auto maxDepth = run.model.maxDepthRaster();
  CHECK(maxDepth.columns == 48);
  CHECK(maxDepth.originX == doctest::Approx(run.city.terrain.originX));
  CHECK(run.model.hazardRaster().values.size() == maxDepth.values.size());
  CHECK(run.model.firstWettingRaster().values.size() == maxDepth.values.size());
  CHECK(run.model.epsg() == 32632);
  run.model.writeOutputs(testing::scratchDirectory());
  CHECK(std::filesystem::exists(testing::scratchDirectory() / "flood_mass_balance.csv"));
  CHECK(std::filesystem::exists(testing::scratchDirectory() / "flood_gauges.csv"));
}

TEST_CASE("flood model: a RainGauge reading in the state drives the rain") {
  Run run("cell_size_m = 10\nrain_mm_per_h = 0\nuse_rain_gauges = true\n");
  run.initialise();
  run.advance(2);
  CHECK(run.model.kpis().at("rain_volume_m3") == 0.0);
  run.state.column(city::Layer::Sensor, "value", 0.0)[1] = 60.0;  // the rain gauge reads 60 mm/h
  run.advance(2);
  const auto& grid = run.model.grid();
  std::size_t blocked = 0;
  for (unsigned char b : grid.domain.blocked) blocked += b;
  const double openArea = (grid.domain.cellCount() - blocked) * 100.0;
  CHECK(run.model.kpis().at("rain_volume_m3") ==
        doctest::Approx(0.06 * 120.0 / 3600.0 * openArea).epsilon(1e-6));
}

TEST_CASE("flood model: a RiverGauge level in the initial state fills the water around the gauge") {
  for (const bool use : {true, false}) {
    Run run(std::string("cell_size_m = 10\nuse_river_levels = ") + (use ? "true" : "false") + "\n");
    run.city.sensors[0].type = "RiverGauge";                       // read as a river gauge for this run
    run.state.column(city::Layer::Sensor, "value", 0.0)[0] = 1.0;  // observed stage: 1 m
    run.initialise();
    const double initial = run.model.kpis().at("initial_river_water_m3");
    if (!use) {
      CHECK(initial == 0.0);
      continue;
    }
    // At least the gauge's own cell holds 1 m; the water is in the model's stored volume from the start.
    CHECK(initial >= 100.0 - 1e-9);
    CHECK(run.model.kpis().at("stored_volume_m3") == doctest::Approx(initial).epsilon(1e-9));
    run.advance(2);
    CHECK(run.model.kpis().at("volume_balance_error") < 1e-6);
  }
}

TEST_CASE("flood model: interventions raise a wall, add drainage and rain, change an inflow") {
  const std::string base =
      "cell_size_m = 5\nrain_mm_per_h = 100\nuse_rain_gauges = false\nprecision = \"double\"\n"
      "[[inflow]]\nname = \"culvert\"\nx = 500050.0\ny = 4800220.0\ndischarge_m3s = 0.5\n";
  Run baseline(base);
  baseline.initialise();
  baseline.advance(10);
  const double baseVolume = baseline.model.kpis().at("stored_volume_m3");

  Run wall(base,
           {"kind = \"raise_line\"\nx = [500010.0, 500090.0]\ny = [4800140.0, 4800140.0]\nheight_m = 2.0\n"});
  wall.initialise();
  std::size_t c = 0, r = 0;
  REQUIRE(wall.model.grid().domain.cellAt(500050.0, 4800140.0, c, r));
  const std::size_t cell = r * wall.model.grid().domain.columns + c;
  CHECK(wall.model.grid().domain.elevation[cell] ==
        doctest::Approx(baseline.model.grid().domain.elevation[cell] + 2.0));

  Run drained(base, {"kind = \"drainage_area\"\nx = [499900.0, 500300.0, 500300.0, 499900.0]\n"
                     "y = [4799900.0, 4799900.0, 4800300.0, 4800300.0]\ncapacity_mm_per_h = 50\n"});
  drained.initialise();
  drained.advance(10);
  CHECK(drained.model.kpis().at("stored_volume_m3") < baseVolume);
  CHECK(std::abs(drained.model.kpis().at("volume_balance_error")) < 1e-9);

  Run wetter(base, {"kind = \"add_rainfall\"\nmm_per_h = 100\nstart_s = 0\nend_s = 300\n"});
  wetter.initialise();
  wetter.advance(10);
  CHECK(wetter.model.kpis().at("rain_volume_m3") ==
        doctest::Approx(baseline.model.kpis().at("rain_volume_m3") * 1.5).epsilon(1e-9));

  Run shut(base, {"kind = \"change_inflow\"\nname = \"culvert\"\nfactor = 0.0\n"});
  shut.initialise();
  shut.advance(10);
  CHECK(baseline.model.kpis().at("inflow_volume_m3") == doctest::Approx(0.5 * 600.0).epsilon(1e-9));
  CHECK(shut.model.kpis().at("inflow_volume_m3") == 0.0);
}

TEST_CASE("flood model: bad parameters and interventions name the file, line and key") {
  Run misspelt("cell_size_m = 5\nrain_mm_per_hour = 3\n");
  try {
    misspelt.initialise();
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK(e.location().line == 2);
    CHECK(e.location().key.find("rain_mm_per_hour") != std::string::npos);
  }
  Run negative("cell_size_m = -5\n");
  CHECK_THROWS_AS(negative.initialise(), InputError);
  Run badWall("cell_size_m = 10\n",
              {"kind = \"raise_line\"\nx = [500010.0]\ny = [4800140.0]\nheight_m = 1\n"});
  CHECK_THROWS_AS(badWall.initialise(), InputError);
}

TEST_CASE("flood model: snapshot and restore continue identically") {
  Run run("cell_size_m = 10\nrain_mm_per_h = 150\nuse_rain_gauges = false\n");
  run.initialise();
  run.advance(3);
  const auto bytes = run.model.snapshot();
  const auto state = run.state;
  run.advance(3);
  const auto reference = run.model.kpis();
  run.model.restore(bytes);
  run.state = state;
  run.now = 3 * 60 * sim::kSecond;
  run.advance(3);
  CHECK(run.model.kpis() == reference);
  CHECK_THROWS_AS(run.model.restore(std::vector<std::uint8_t>(4, 0)), Error);
}

TEST_CASE("flood model: depth and speed snapshots every snapshot_interval from t = 0") {
  Run run(
      "cell_size_m = 5\nrain_mm_per_h = 180\nboundary = \"closed\"\nuse_rain_gauges = false\n"
      "precision = \"double\"\nsnapshot_interval = \"5m\"\n");
  run.initialise();
  run.advance(10);  // 600 s
  const std::vector<sim::RasterOutput> rasters = run.model.rasterOutputs();
  std::vector<std::string> snapshots;
  for (const sim::RasterOutput& r : rasters)
    if (r.name.rfind("depth-", 0) == 0 || r.name.rfind("speed-", 0) == 0) snapshots.push_back(r.name);
  CHECK(snapshots ==
        std::vector<std::string>{"depth-0", "speed-0", "depth-300", "speed-300", "depth-600", "speed-600"});
  auto raster = [&](const std::string& name) {
    const auto found = std::find_if(rasters.begin(), rasters.end(),
                                    [&](const sim::RasterOutput& r) { return r.name == name; });
    REQUIRE(found != rasters.end());
    CHECK(found->epsg == run.model.epsg());
    return found->grid;
  };
  // Closed domain, no losses: the mean depth over open cells is exactly the rain so far (0.05 mm/s),
  // on the open cells and run off the roofs onto them.
  const auto& domain = run.model.grid().domain;
  double roofArea = 0.0;
  for (const auto& roof : run.model.grid().roofs) roofArea += roof.roofAreaM2;
  std::size_t openCells = 0;
  for (std::size_t i = 0; i < domain.cellCount(); ++i) openCells += domain.isBlocked(i) ? 0 : 1;
  const double roofShare =
      1.0 + roofArea / (static_cast<double>(openCells) * domain.cellSize * domain.cellSize);
  auto meanDepth = [&](const geo::RasterGrid& grid) {
    double sum = 0.0;
    std::size_t open = 0;
    for (std::size_t i = 0; i < domain.cellCount(); ++i) {
      if (domain.isBlocked(i)) continue;
      ++open;
      if (grid.values[i] != grid.noData) sum += grid.values[i];
    }
    return sum / static_cast<double>(open);
  };
  CHECK(meanDepth(raster("depth-0")) == 0.0);
  CHECK(meanDepth(raster("depth-300")) == doctest::Approx(0.015 * roofShare).epsilon(1e-5));
  CHECK(meanDepth(raster("depth-600")) == doctest::Approx(0.030 * roofShare).epsilon(1e-5));
  // The last snapshot falls on the end of the run: it is the final depth raster.
  CHECK(raster("depth-600").values == raster("depth_m").values);
  CHECK(raster("speed-600").values == raster("speed_mps").values);

  // Snapshots survive a snapshot/restore of the model.
  const auto bytes = run.model.snapshot();
  Run copy(
      "cell_size_m = 5\nrain_mm_per_h = 180\nboundary = \"closed\"\nuse_rain_gauges = false\n"
      "precision = \"double\"\nsnapshot_interval = \"5m\"\n");
  copy.initialise();
  copy.model.restore(bytes);
  CHECK(copy.model.rasterOutputs().size() == rasters.size());

  Run none("cell_size_m = 10\nrain_mm_per_h = 50\nuse_rain_gauges = false\nsnapshot_interval = 0\n");
  none.initialise();
  none.advance(2);
  CHECK(none.model.rasterOutputs().size() == 6);

  Run unknownUnit("cell_size_m = 10\nsnapshot_interval = \"10 minutes\"\n");
  CHECK_THROWS_AS(unknownUnit.initialise(), InputError);
  Run fraction("cell_size_m = 10\nsnapshot_interval = \"1500ms\"\n");
  CHECK_THROWS_AS(fraction.initialise(), InputError);
}
