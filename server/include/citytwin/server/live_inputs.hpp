#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "citytwin/context/live_state.hpp"
#include "citytwin/scenario/scenario.hpp"
#include "citytwin/sim/model.hpp"

namespace citytwin::server {

// An observation further than this from the scenario's start time is flagged: the live state describes
// another moment than the one the run simulates (hours old, another season).
inline constexpr std::int64_t kLiveObservationMaxOffsetMs = 3'600'000;

// What a run started from the live state does with one of its inputs, so no observation is dropped without
// a word: which of the live value and the scenario's setting wins and why ("precedence"), or that an
// observation is far from the scenario's start ("stale").
struct LiveInputNote {
  std::string kind;     // "precedence" or "stale"
  std::string input;    // LiveObservation::inputs: "rain", "river_level", "load", "observed_flow", ...
  std::string winner;   // precedence: "live", "scenario" or "both"; stale: "live" (used, but flagged)
  std::string entity;   // stale: the entity's id; empty for precedence
  std::string message;  // one line for people
};

// The notes for a run of `spec` from `live`: one "precedence" note per input the live state carries (as the
// models of the base use it, with the scenario keys that decide it), then one "stale" note per entity
// observed more than `maxOffsetMs` before or after the scenario's start.
std::vector<LiveInputNote> liveInputNotes(const scenario::Scenario& spec, const context::LiveState& live,
                                          std::int64_t maxOffsetMs = kLiveObservationMaxOffsetMs);

// {"precedence": [{"input", "winner", "message"}], "stale": [{"input", "entity", "message"}],
//  "max_offset_s"}: the "inputs" section of `citytwin run --json`.
nlohmann::json liveInputsJson(const std::vector<LiveInputNote>& notes,
                              std::int64_t maxOffsetMs = kLiveObservationMaxOffsetMs);

// The notes as events at t = 0 (source "live", kind "live_input_precedence" or "live_observation_stale"),
// recorded with every variant in the run database.
std::vector<sim::Event> liveInputEvents(const std::vector<LiveInputNote>& notes);

}  // namespace citytwin::server
