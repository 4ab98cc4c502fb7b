#include <doctest/doctest.h>

#include "citytwin/core/error.hpp"
#include "citytwin/store/run_database.hpp"
#include "citytwin/testing/shared_data.hpp"

using namespace citytwin;

TEST_CASE("a run is recorded as running first, then with its results and final status") {
  const auto path = citytwin::testing::scratchDirectory() / "run.sqlite";
  store::RunDatabase runs(path);
  const std::int64_t id = runs.beginRun("s.toml", "storm", "seed = 1", {{"scenario", "s.toml", "abc"}}, 2);
  CHECK(runs.status(id) == store::RunStatus::Running);
  {
    // Another connection sees the committed "running" row while the run goes on.
    store::RunDatabase reader(path);
    CHECK(reader.status(id) == store::RunStatus::Running);
  }
  {
    store::Transaction transaction(runs.database());
    const std::int64_t base = runs.addVariant(id, 0, "base", "", store::RunStatus::Completed, 60, 60);
    runs.addKpiSample(base, "flood", "flooded_area_m2", 0, 0);
    runs.addKpiSample(base, "flood", "flooded_area_m2", 60, 125.5);
    runs.addFinalKpi(base, "flood", "flooded_area_m2", 125.5);
    runs.addEvent(base, 30, "traffic", "road_closed", "osm:way/1:0:f", "closed by water 0.4 m deep");
    runs.finishRun(id, store::RunStatus::Completed, "", 1.5);
    transaction.commit();
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

  // A second run appends to the same database.
  const std::int64_t second = runs.beginRun("s.toml", "storm", "seed = 2", {}, 1);
  CHECK(second > id);
  CHECK(runs.status(id) == store::RunStatus::Completed);
}

TEST_CASE("results written in an abandoned transaction vanish; the run stays 'running'") {
  const auto path = citytwin::testing::scratchDirectory() / "abandoned.sqlite";
  store::RunDatabase runs(path);
  const std::int64_t id = runs.beginRun("s.toml", "storm", "", {}, 1);
  {
    store::Transaction transaction(runs.database());
    runs.addVariant(id, 0, "base", "", store::RunStatus::Completed, 60, 60);
    runs.finishRun(id, store::RunStatus::Completed, "", 1);
  }
  CHECK(runs.status(id) == store::RunStatus::Running);
  store::Statement variants(runs.database(), "SELECT COUNT(*) FROM variants");
  REQUIRE(variants.step());
  CHECK(variants.integer(0) == 0);
  CHECK_THROWS_AS(store::runStatusFromString("paused"), Error);
}
