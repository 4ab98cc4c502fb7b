#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/scenario/scenario.hpp"
#include "citytwin/sim/model.hpp"
#include "citytwin/sim/model_registry.hpp"
#include "citytwin/store/run_recorder.hpp"

namespace citytwin::scenario {

struct RunOptions {
  std::filesystem::path outDirectory;       // one folder per variant (and run.sqlite, without a recorder)
  // Where the run is recorded; null: the run database run.sqlite in outDirectory.
  store::RunRecorder* recorder = nullptr;
  int threads = 0;                          // recorded with the run (the caller limits TBB)
  const std::atomic<bool>* stop = nullptr;  // polled at every boundary (Ctrl-C)
  std::vector<store::RunInput> inputs;      // besides the scenario file, e.g. the city file
  bool showProgress = true;                 // a progress line on a terminal
  sim::RasterWriter writeRaster;            // writes models' result rasters; none written when empty
  // Applied to every branch's initial state before its models initialise (e.g. the live state of the
  // city from its context service); all branches start from the same values.
  std::function<void(city::CityState&)> prepareState;
  // Recorded with every variant's events in the run database, before the models' (e.g. which of the live
  // state and the scenario sets an input).
  std::vector<sim::Event> runEvents;
};

struct VariantOutcome {
  std::string name;
  std::string description;
  bool completed = false;
  double reachedSeconds = 0.0;
  std::map<std::string, sim::Kpis> kpis;  // by model, at the end (or where it stopped)
};

struct RunOutcome {
  std::int64_t runId = 0;
  store::RunStatus status = store::RunStatus::Running;
  std::vector<VariantOutcome> variants;  // base first, then the variants in file order
  double seconds = 0.0;                  // wall-clock time of the simulation
  std::filesystem::path database;        // where the recorder keeps the run (RunRecorder::location)
};

// Validates the scenario (validate(), checkAgainstCity()), builds every branch (so every input error
// surfaces before anything runs), records the run as "running", runs base and variants side by side,
// then writes per-variant outputs and records, in one RunResultsTransaction, the KPI series, final KPIs,
// events and the final status: completed, interrupted (stop was set) or failed (a model threw; the
// exception is rethrown after the record is written).
RunOutcome runScenario(const Scenario& spec, const city::CityModel& city,
                       const sim::ModelRegistry& registry, const RunOptions& options);

}  // namespace citytwin::scenario
