#pragma once

#include <nlohmann/json.hpp>

#include "citytwin/context/live_state.hpp"
#include "citytwin/scenario/scenario_run.hpp"
#include "citytwin/scenario/scenario.hpp"

namespace citytwin::server {

// A run's result as `citytwin run --json` prints it and a what-if job reports it: {"scenario", "variants":
// [{"name", "kpis": {"<model>.<kpi>": value}}], "seconds"}.
nlohmann::json runOutcomeJson(const scenario::Scenario& spec, const scenario::RunOutcome& outcome);

// {"entities", "mapped", "rainfall_mm_per_h", "river_level_m"} (the last two only when observed).
nlohmann::json liveSnapshotJson(const context::LiveSnapshot& snapshot);

}  // namespace citytwin::server
