#pragma once

// Forking scenarios from the live state: `citytwin run --from-live URL` and the service's what-ifs.
// Compiled only with the scenario library; the context parts need the context library as well.

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/scenario/scenario_run.hpp"
#include "citytwin/scenario/scenario.hpp"
#include "citytwin/sim/model_registry.hpp"

#if __has_include(<citytwin/context/live_overlay.hpp>)
#include "citytwin/context/entity_repository.hpp"
#include "citytwin/context/live_overlay.hpp"
#include "citytwin/context/live_state_client.hpp"
#include "citytwin/context/whatif_jobs.hpp"
#define CITYTWIN_HAS_LIVE_STATE 1
#endif

namespace citytwin::cli {

// The run's result as printed by `citytwin run --json`: {"scenario", "variants": [{"name", "kpis"}],
// "seconds"}.
nlohmann::json runOutcomeJson(const scenario::Scenario& spec, const scenario::RunOutcome& outcome);

#ifdef CITYTWIN_HAS_LIVE_STATE
// For RunOptions::prepareState: writes `overlay` into every branch's initial state, so the models start
// from the observations (rain, river levels, flows, loads, closures) and keep them over their own values.
std::function<void(city::CityState&)> liveStatePreparation(
    std::shared_ptr<const context::LiveOverlay> overlay);

// {"entities", "mapped", "rainfall_mm_per_h", "river_level_m"} (the last two only when observed).
nlohmann::json liveSnapshotJson(const context::LiveSnapshot& snapshot);

// What `citytwin serve --city` runs for POST /citytwin/v1/whatif: the scenario, on the served city (its
// `city` key may be left out), from the entities `liveEntities` gives when the job starts; outputs under
// outRoot/<job>.
context::WhatIfRunner makeWhatIfRunner(std::shared_ptr<const city::CityModel> city,
                                       std::filesystem::path cityPath,
                                       std::function<std::vector<context::Entity>()> liveEntities,
                                       std::filesystem::path outRoot);
#endif

}  // namespace citytwin::cli
