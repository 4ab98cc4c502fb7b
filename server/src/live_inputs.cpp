#include "citytwin/server/live_inputs.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "citytwin/core/date_time.hpp"

namespace citytwin::server {
namespace {

bool runsModel(const scenario::Scenario& spec, const std::string& model) {
  return std::find(spec.models.begin(), spec.models.end(), model) != spec.models.end();
}

const Value* parameter(const scenario::Scenario& spec, const std::string& model, std::string_view key) {
  const auto table = spec.modelInputs.find(model);
  if (table == spec.modelInputs.end() || !table->second.isTable()) return nullptr;
  return table->second.find(key);
}

// A boolean key of a model's table; `fallback` when absent (or not a boolean: the model rejects that).
bool flag(const scenario::Scenario& spec, const std::string& model, std::string_view key, bool fallback) {
  const Value* value = parameter(spec, model, key);
  if (value == nullptr) return fallback;
  return value->toBoolean().value_or(fallback);
}

// The rules are those of the models (models/*/README.md): who reads the input, and which key decides.
LiveInputNote decide(const scenario::Scenario& spec, const std::string& input) {
  LiveInputNote note{"precedence", input, "", "", ""};
  const auto set = [&](std::string winner, std::string message) {
    note.winner = std::move(winner);
    note.message = "live " + input + ": " + std::move(message);
    return note;
  };
  if (input == "rain") {
    if (!runsModel(spec, "flood")) return set("scenario", "not used: the run has no flood model");
    const bool scenarioRain = parameter(spec, "flood", "rain_mm_per_h") != nullptr ||
                              parameter(spec, "flood", "rain_series") != nullptr;
    const bool gauges = flag(spec, "flood", "use_rain_gauges", !scenarioRain);
    if (!gauges) {
      return set("scenario",
                 "ignored: [flood] sets the rain (rain_mm_per_h or rain_series) and use_rain_gauges is "
                 "not true, so the scenario's rain falls everywhere");
    }
    return set("live", scenarioRain
                           ? "wins: [flood] use_rain_gauges = true, so each gauge's reading replaces the "
                             "scenario's rain in its zone for the whole run"
                           : "used: the scenario sets no rain, so each gauge's reading falls in its zone");
  }
  if (input == "river_level") {
    if (!runsModel(spec, "flood")) return set("scenario", "not used: the run has no flood model");
    if (!flag(spec, "flood", "use_river_levels", true)) {
      return set("scenario", "ignored: [flood] use_river_levels = false, the river starts dry");
    }
    if (parameter(spec, "flood", "inflow") != nullptr) {
      return set("both",
                 "fills the river up to the observed stage at the start; the scenario's [[flood.inflow]] "
                 "series drive it from then on");
    }
    return set("live", "fills the river up to the observed stage at the start");
  }
  if (input == "load") {
    if (!runsModel(spec, "energy")) return set("scenario", "not used: the run has no energy model");
    if (!flag(spec, "energy", "use_observed_loads", true)) {
      return set("scenario", "ignored: [energy] use_observed_loads = false, the modelled loads are used");
    }
    return set("live",
               "wins: metered loads replace the modelled loads of their buildings and substations, in "
               "every variant, whatever its energy interventions (set [energy] use_observed_loads = false "
               "to keep the modelled ones)");
  }
  if (input == "observed_flow") {
    if (!runsModel(spec, "traffic")) return set("scenario", "not used: the run has no traffic model");
    if (!flag(spec, "traffic", "calibrate_to_observed_flows", true)) {
      return set("scenario",
                 "ignored: [traffic] calibrate_to_observed_flows = false, the generated demand is used");
    }
    return set("both",
               "scales the scenario's generated demand so its flows on the counted links match the "
               "counts; scale_demand interventions apply on top");
  }
  if (input == "road_status") {
    if (!runsModel(spec, "traffic")) return set("scenario", "not used: the run has no traffic model");
    return set("both", "a road closed live or by the scenario is closed");
  }
  return set("live", "written into the city state at the start; the scenario sets no value for it");
}

std::string hoursText(std::int64_t ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f h", static_cast<double>(ms) / 3'600'000.0);
  return text;
}

}  // namespace

std::vector<LiveInputNote> liveInputNotes(const scenario::Scenario& spec, const context::LiveState& live,
                                          std::int64_t maxOffsetMs) {
  std::vector<std::string> inputs;
  for (const context::LiveObservation& observation : live.observations()) {
    for (const std::string& input : observation.inputs) {
      if (std::find(inputs.begin(), inputs.end(), input) == inputs.end()) inputs.push_back(input);
    }
  }
  std::vector<LiveInputNote> notes;
  for (const std::string& input : inputs) notes.push_back(decide(spec, input));

  const std::string start = formatDateTime(spec.startEpochMs, DateTimeFraction::WhenNonZero);
  for (const context::LiveObservation& observation : live.observations()) {
    if (observation.observedMs == 0) continue;
    const std::int64_t offset = observation.observedMs - spec.startEpochMs;
    if (std::llabs(offset) <= maxOffsetMs) continue;
    std::string inputsText;
    for (const std::string& input : observation.inputs) inputsText += (inputsText.empty() ? "" : "/") + input;
    notes.push_back({"stale", inputsText, "live", observation.entity,
                     "live " + inputsText + " of " + observation.entity + " observed " +
                         formatDateTime(observation.observedMs, DateTimeFraction::WhenNonZero) + ", " +
                         hoursText(std::llabs(offset)) + (offset < 0 ? " before" : " after") +
                         " the scenario's start " + start + " (more than " + hoursText(maxOffsetMs) +
                         "): used as the state at the start all the same"});
  }
  return notes;
}

nlohmann::json liveInputsJson(const std::vector<LiveInputNote>& notes, std::int64_t maxOffsetMs) {
  nlohmann::json precedence = nlohmann::json::array();
  nlohmann::json stale = nlohmann::json::array();
  for (const LiveInputNote& note : notes) {
    if (note.kind == "precedence") {
      precedence.push_back({{"input", note.input}, {"winner", note.winner}, {"message", note.message}});
    } else {
      stale.push_back({{"input", note.input}, {"entity", note.entity}, {"message", note.message}});
    }
  }
  return {{"precedence", precedence},
          {"stale", stale},
          {"max_offset_s", static_cast<double>(maxOffsetMs) / 1000.0}};
}

std::vector<sim::Event> liveInputEvents(const std::vector<LiveInputNote>& notes) {
  std::vector<sim::Event> events;
  for (const LiveInputNote& note : notes) {
    events.push_back({0, "live",
                      note.kind == "precedence" ? "live_input_precedence" : "live_observation_stale",
                      note.kind == "precedence" ? note.input : note.entity, note.message});
  }
  return events;
}

}  // namespace citytwin::server
