// Parts of the viewer that need no display: colour ramps, the run folder layout, saved viewpoints.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "citytwin/core/error.hpp"
#include "citytwin/testing/shared_data.hpp"
#include "citytwin/viewer/colour_ramp.hpp"
#include "citytwin/viewer/run_results.hpp"
#include "citytwin/viewer/viewpoint.hpp"
#include "readable_numbers.hpp"
#include "result_tables.hpp"

namespace viewer = citytwin::viewer;

TEST_CASE("a colour ramp interpolates between its stops and clamps outside them") {
  const viewer::ColourRamp ramp("test", "m", {{0.0, {0, 0, 0, 1}}, {2.0, {1, 0.5f, 0, 1}}});
  CHECK(ramp.at(1.0).r == doctest::Approx(0.5));
  CHECK(ramp.at(1.0).g == doctest::Approx(0.25));
  CHECK(ramp.at(-5.0) == ramp.stops().front().colour);
  CHECK(ramp.at(9.0) == ramp.stops().back().colour);
  CHECK_THROWS_AS(viewer::ColourRamp("bad", "", {{1.0, {}}, {0.0, {}}}), citytwin::Error);
  // A diverging ramp is white at zero, red above, blue below.
  const auto diverging = viewer::divergingRamp("d", "m", 1.0);
  CHECK(diverging.at(0.0).r == doctest::Approx(diverging.at(0.0).b));
  CHECK(diverging.at(1.0).r > diverging.at(1.0).b);
  CHECK(diverging.at(-1.0).b > diverging.at(-1.0).r);
}

TEST_CASE("a run folder lists its variants, depth snapshots in time order and its time span") {
  const auto run = citytwin::testing::scratchDirectory() / "run";
  for (const char* variant : {"base", "levee"}) {
    std::filesystem::create_directories(run / variant / "flood");
    for (const char* name : {"depth-7200.tif", "depth-600.tif", "max-depth.tif", "notes.txt"}) {
      std::ofstream(run / variant / "flood" / name) << "x";
    }
  }
  std::filesystem::create_directories(run / "base" / "traffic");
  std::ofstream(run / "base" / "traffic" / "vehicles.csv")
      << "t,id,x,y,heading\n300,car1,0,0,90\n9000,car1,10,0,90\n";
  std::filesystem::create_directories(run / "logs");  // not a variant: no result folders inside

  const auto results = viewer::RunResults::open(run);
  REQUIRE(results.variants().size() == 2);
  const auto& base = results.variant("base");
  REQUIRE(base.depthSnapshots.size() == 2);
  CHECK(base.depthSnapshots[0].timeS == 600.0);
  CHECK(base.depthSnapshots[1].timeS == 7200.0);
  CHECK(base.maxDepthFile.has_value());
  CHECK(base.vehiclesFile.has_value());
  CHECK(results.timeSpan().first == 0.0);
  CHECK(results.timeSpan().second == 9000.0);
  CHECK(results.kpis().empty());  // no run.sqlite: the KPI panel is simply empty
  CHECK_THROWS_WITH_AS(results.variant("nosuch"), doctest::Contains("base, levee"), citytwin::Error);
  CHECK_THROWS_AS(viewer::RunResults::open(run / "logs"), citytwin::Error);
}

TEST_CASE("final KPIs are read from run.sqlite whatever the columns of kpi_final") {
  const auto run = citytwin::testing::scratchDirectory() / "kpi-run";
  std::filesystem::create_directories(run / "base" / "flood");
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((run / "run.sqlite").c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db,
                       "CREATE TABLE kpi_final(variant TEXT, name TEXT, value REAL, unit TEXT);"
                       "INSERT INTO kpi_final VALUES('base','flooded_buildings',12,'count');"
                       "INSERT INTO kpi_final VALUES('base','max_depth',1.5,'m');",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  const auto results = viewer::RunResults::open(run);
  REQUIRE(results.kpis().size() == 2);
  REQUIRE(results.kpis()[0].size() == 4);
  CHECK(results.kpis()[0][1].first == "name");
  CHECK(results.kpis()[0][1].second == "flooded_buildings");
  CHECK(results.kpis()[1][3].second == "m");
}

TEST_CASE("a malformed vehicles file is reported with its line") {
  const auto run = citytwin::testing::scratchDirectory() / "bad-run";
  std::filesystem::create_directories(run / "base" / "traffic");
  std::ofstream(run / "base" / "traffic" / "vehicles.csv")
      << "t,id,x,y,heading\n300,car1,0,0,90\nsoon,car1,1,1,0\n";
  CHECK_THROWS_WITH_AS(viewer::RunResults::open(run), doctest::Contains("vehicles.csv:3"), citytwin::Error);
}

TEST_CASE("saved viewpoints round-trip and replace one of the same name") {
  const auto file = citytwin::testing::scratchDirectory() / "town.viewpoints.json";
  CHECK(viewer::loadViewpoints(file).empty());
  viewer::saveViewpoint(file, {"bridge", 500100.0, 5000200.0, 101.0, 350.0, 45.0, 30.0});
  viewer::saveViewpoint(file, {"square", 500300.0, 5000500.0, 120.0, 200.0, 0.0, 60.0});
  viewer::saveViewpoint(file, {"bridge", 500150.0, 5000200.0, 101.0, 300.0, 40.0, 25.0});
  const auto loaded = viewer::loadViewpoints(file);
  REQUIRE(loaded.size() == 2);
  CHECK(loaded[0].name == "bridge");
  CHECK(loaded[0].targetX == 500150.0);
  CHECK(loaded[1].name == "square");
  CHECK(viewer::viewpointFileFor("/data/town.gpkg") == std::filesystem::path("/data/town.viewpoints.json"));

  std::ofstream(file) << "{\"viewpoints\": [{\"name\": 3}]}";
  CHECK_THROWS_WITH_AS(viewer::loadViewpoints(file), doctest::Contains("town.viewpoints.json"),
                       citytwin::Error);
}

TEST_CASE("standard viewpoints frame the whole extent") {
  citytwin::geo::BBox extent{0.0, 0.0, 2000.0, 1000.0};
  const auto viewpoints = viewer::standardViewpoints(extent, 50.0);
  REQUIRE(!viewpoints.empty());
  CHECK(viewpoints.front().name == "overview");
  for (const auto& v : viewpoints) {
    CHECK(v.targetX == 1000.0);
    CHECK(v.distanceM >= 2000.0);
  }
}

TEST_CASE("traffic/links.csv is a road link time series beside state/road_link.csv") {
  const auto run = citytwin::testing::scratchDirectory() / "links-run";
  std::filesystem::create_directories(run / "base" / "traffic");
  std::filesystem::create_directories(run / "base" / "state");
  std::ofstream(run / "base" / "traffic" / "links.csv")
      << "t,link,flow_veh_per_h,mean_speed_kph,density_veh_per_km,vehicles\n"
         "0,l1,100,50,2,1\n0,l2,200,40,5,3\n600,l1,300,30,10,6\n7200,l2,50,45,1,1\n";
  std::ofstream(run / "base" / "state" / "road_link.csv") << "t,id,closed\n0,l1,0\n900,l1,1\n";
  const auto results = viewer::RunResults::open(run);
  const auto& base = results.variant("base");
  REQUIRE(base.linksFile.has_value());
  CHECK(results.timeSpan().second == 7200.0);  // the links series extends the time slider

  const std::unordered_map<std::string, std::size_t> index{{"l1", 0}, {"l2", 1}};
  const auto table = viewer::StateTable::load(
      std::vector<viewer::StateSource>{{base.stateFiles.at(citytwin::city::Layer::RoadLink), "id"},
                                       {*base.linksFile, "link"}},
      index, 2);
  CHECK(table.has("flow_veh_per_h"));
  CHECK(table.has("mean_speed_kph"));
  CHECK(table.has("density_veh_per_km"));
  CHECK(table.has("closed"));
  // Each column keeps its own latest value: the closure at 900 s does not blank the flows written at 600 s.
  CHECK(table.values("flow_veh_per_h", 1000.0)[0] == doctest::Approx(300.0));
  CHECK(table.values("closed", 1000.0)[0] == doctest::Approx(1.0));
  CHECK(table.values("flow_veh_per_h", 1000.0)[1] == doctest::Approx(200.0));
  CHECK(table.values("flow_veh_per_h", 7200.0)[1] == doctest::Approx(50.0));
  CHECK(table.range("mean_speed_kph").first == doctest::Approx(30.0));

  std::ofstream(run / "base" / "traffic" / "links.csv") << "t,id,flow_veh_per_h\n0,l1,100\n";
  CHECK_THROWS_WITH_AS(
      viewer::StateTable::load(std::vector<viewer::StateSource>{{*base.linksFile, "link"}}, index, 2),
      doctest::Contains("link"), citytwin::Error);
}

TEST_CASE("KPI values are shown with four significant digits and their change against the base") {
  using citytwin::viewer::formatChange;
  using citytwin::viewer::formatValue;
  CHECK(formatValue(3621.69743874825) == "3622");
  CHECK(formatValue(33.52607332306468) == "33.53");
  CHECK(formatValue(0.466146) == "0.4661");
  CHECK(formatValue(2.0) == "2");
  CHECK(formatValue(-0.5763601794365606) == "-0.5764");
  CHECK(formatValue(4.1e-07) == "4.1e-07");
  CHECK(formatValue(std::numeric_limits<double>::quiet_NaN()) == "-");
  CHECK(formatChange(110.0, 100.0) == "+10 (+10.0%)");
  CHECK(formatChange(3820.0, 6105.0) == "-2285 (-37.4%)");
  CHECK(formatChange(5.0, 0.0) == "+5 (new)");
  CHECK(formatChange(0.0, 0.0) == "0");
}

TEST_CASE("scale bars are 1, 2 or 5 times a power of ten metres") {
  using citytwin::viewer::scaleBarLength;
  CHECK(scaleBarLength(240.0) == 200.0);
  CHECK(scaleBarLength(99.0) == 50.0);
  CHECK(scaleBarLength(1000.0) == 1000.0);
  CHECK(scaleBarLength(0.0) == 0.0);
}

TEST_CASE("a run's variants are found by their KPI files too, and the base is the variant named base") {
  const auto run = citytwin::testing::scratchDirectory() / "kpi-only-run";
  for (const char* variant : {"a_first", "base"}) {
    std::filesystem::create_directories(run / variant);
    std::ofstream(run / variant / "kpis.json")
        << R"({"kpis": {"energy.peak_demand_mw": 12.5, "flood.x": null}})";
  }
  const auto results = citytwin::viewer::RunResults::open(run);
  REQUIRE(results.variants().size() == 2);
  CHECK(results.base().name == "base");
  CHECK(results.variants().front().kpis.at("energy.peak_demand_mw") == 12.5);
  CHECK(std::isnan(results.variants().front().kpis.at("flood.x")));
  CHECK_FALSE(results.variants().front().hasMapResults());
  std::ofstream(run / "base" / "kpis.json") << "{not json";
  CHECK_THROWS_WITH_AS(citytwin::viewer::RunResults::open(run), doctest::Contains("kpis.json"),
                       citytwin::Error);
}
