#include <doctest/doctest.h>

#include "citytwin/core/error.hpp"
#include "citytwin/store/run_database.hpp"
#include "citytwin/store/run_database_reader.hpp"
#include "citytwin/testing/shared_data.hpp"

using namespace citytwin;

TEST_CASE("a run is recorded as running first, then with its results and final status") {
  const auto path = citytwin::testing::scratchDirectory() / "run.sqlite";
  store::RunDatabase runs(path);
  CHECK(runs.location() == path.string());
  const std::int64_t id = runs.beginRun({"s.toml", "storm", "seed = 1", {{"scenario", "s.toml", "abc"}}, 2});
  CHECK(runs.status(id) == store::RunStatus::Running);
  {
    // Another connection sees the committed "running" row while the run goes on.
    store::RunDatabaseReader reader(path);
    CHECK(reader.status(id) == store::RunStatus::Running);
  }
  {
    const auto results = runs.beginResults(id);
    const std::int64_t base = results->addVariant({0, "base", "", store::RunStatus::Completed, 60, 60});
    results->addKpiSample(base, "flood", "flooded_area_m2", 0, 0);
    results->addKpiSample(base, "flood", "flooded_area_m2", 60, 125.5);
    results->addFinalKpi(base, "flood", "flooded_area_m2", 125.5);
    results->addEvent(base, 30, "traffic", "road_closed", "osm:way/1:0:f", "closed by water 0.4 m deep");
    {
      // Nothing is visible to another connection before the commit.
      store::RunDatabaseReader reader(path);
      CHECK(reader.finalKpis().rows.empty());
    }
    results->commit(store::RunStatus::Completed, "", 1.5);
  }
  CHECK(runs.status(id) == store::RunStatus::Completed);
  CHECK(runs.latestRunId() == id);
  store::Statement samples(runs.database(), "SELECT COUNT(*), MAX(value) FROM kpi_series");
  REQUIRE(samples.step());
  CHECK(samples.integer(0) == 2);
  CHECK(samples.real(1) == 125.5);
  store::Statement events(runs.database(), "SELECT kind, entity FROM events");
  REQUIRE(events.step());
  CHECK(events.text(0) == "road_closed");
  store::Statement inputs(runs.database(), "SELECT role, path, fingerprint FROM run_inputs WHERE run_id = ?");
  inputs.bind(1, id);
  REQUIRE(inputs.step());
  CHECK(inputs.text(2) == "abc");

  // A second run appends to the same database.
  const std::int64_t second = runs.beginRun({"s.toml", "storm", "seed = 2", {}, 1});
  CHECK(second > id);
  CHECK(runs.status(id) == store::RunStatus::Completed);
}

TEST_CASE("results written in an abandoned transaction vanish; the run stays 'running'") {
  const auto path = citytwin::testing::scratchDirectory() / "abandoned.sqlite";
  store::RunDatabase runs(path);
  const std::int64_t id = runs.beginRun({"s.toml", "storm", "", {}, 1});
  {
    const auto results = runs.beginResults(id);
    results->addVariant({0, "base", "", store::RunStatus::Completed, 60, 60});
  }
  CHECK(runs.status(id) == store::RunStatus::Running);
  store::Statement variants(runs.database(), "SELECT COUNT(*) FROM variants");
  REQUIRE(variants.step());
  CHECK(variants.integer(0) == 0);
  CHECK_THROWS_AS(store::runStatusFromString("paused"), Error);
  CHECK_THROWS_WITH_AS(runs.status(id + 1), doctest::Contains("no run"), Error);
}

TEST_CASE("the reader gives the final KPIs as stored and never writes") {
  const auto path = citytwin::testing::scratchDirectory() / "reader.sqlite";
  {
    store::RunDatabase runs(path);
    const std::int64_t id = runs.beginRun({"s.toml", "storm", "", {}, 1});
    const auto results = runs.beginResults(id);
    const std::int64_t base = results->addVariant({0, "base", "", store::RunStatus::Completed, 60, 60});
    results->addFinalKpi(base, "flood", "flooded_area_m2", 125.5);
    results->addFinalKpi(base, "traffic", "mean_speed_kph", 31.0);
    results->commit(store::RunStatus::Completed, "", 1);
  }
  store::RunDatabaseReader reader(path);
  CHECK(reader.latestRunId() == 1);
  const store::TextTable kpis = reader.finalKpis();
  CHECK(kpis.columns == std::vector<std::string>{"variant_id", "model", "kpi", "value"});
  REQUIRE(kpis.rows.size() == 2);
  CHECK(kpis.rows[0] == std::vector<std::string>{"1", "flood", "flooded_area_m2", "125.5"});
  CHECK(kpis.rows[1][3] == "31.0");

  // A file without the table reads as no KPIs; a missing file is an error.
  const auto empty = citytwin::testing::scratchDirectory() / "empty.sqlite";
  { store::Database create(empty); create.execute("CREATE TABLE other (x INTEGER)"); }
  CHECK(store::RunDatabaseReader(empty).finalKpis().columns.empty());
  CHECK_THROWS_AS(store::RunDatabaseReader(citytwin::testing::scratchDirectory() / "missing.sqlite"), Error);
}

TEST_CASE("the reader gives a run, its inputs, its variants in order and their KPIs by variant") {
  const auto path = citytwin::testing::scratchDirectory() / "report-reader.sqlite";
  std::int64_t second = 0;
  {
    store::RunDatabase runs(path);
    const std::int64_t id = runs.beginRun({"s.toml", "storm", "name = \"storm\"", {{"city", "c.gpkg", "f"}}, 1});
    const auto results = runs.beginResults(id);
    const std::int64_t base = results->addVariant({0, "base", "", store::RunStatus::Completed, 60, 60});
    second = results->addVariant({1, "wall", "a wall", store::RunStatus::Completed, 60, 60});
    results->addKpiSample(second, "flood", "stored_volume_m3", 30.0, 5.0);
    results->addKpiSample(second, "flood", "stored_volume_m3", 0.0, 1.0);
    results->addFinalKpi(base, "flood", "flooded_area_m2", 125.5);
    results->addFinalKpi(second, "flood", "flooded_area_m2", 100.0);
    results->commit(store::RunStatus::Completed, "", 1);
  }
  store::RunDatabaseReader reader(path);
  const store::RunRecord run = reader.run(1);
  CHECK(run.scenarioName == "storm");
  CHECK(run.scenarioText == "name = \"storm\"");
  CHECK(run.status == store::RunStatus::Completed);
  CHECK_THROWS_AS(reader.run(2), Error);
  const auto inputs = reader.inputs(1);
  REQUIRE(inputs.size() == 1);
  CHECK(inputs[0].role == "city");
  CHECK(inputs[0].path == "c.gpkg");
  const auto variants = reader.variants(1);
  REQUIRE(variants.size() == 2);
  CHECK(variants[0].record.name == "base");
  CHECK(variants[1].record.description == "a wall");
  CHECK(variants[1].id == second);
  const auto series = reader.kpiSeries(second);
  REQUIRE(series.size() == 2);
  CHECK(series[0].timeS == 0.0);  // in time order, whatever the order written
  CHECK(series[1].value == 5.0);
  const auto finals = reader.finalKpis(second);
  REQUIRE(finals.size() == 1);
  CHECK(finals[0].value == 100.0);
}
