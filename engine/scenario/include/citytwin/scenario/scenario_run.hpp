#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/scenario/branch_dealer.hpp"
#include "citytwin/scenario/ensemble_statistics.hpp"
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
  // Spreads the simulations over processes (MpiBranchDealer); null: all run here, side by side.
  BranchDealer* dealer = nullptr;
};

struct VariantOutcome {
  std::string name;
  int member = -1;  // the ensemble member, -1 outside an ensemble
  std::string description;
  bool completed = false;
  double reachedSeconds = 0.0;
  std::map<std::string, sim::Kpis> kpis;  // by model, at the end (or where it stopped)
};

struct RunOutcome {
  std::int64_t runId = 0;
  store::RunStatus status = store::RunStatus::Running;
  // Base first, then the variants in file order; in an ensemble each one's members in order.
  std::vector<VariantOutcome> variants;
  std::vector<VariantDistribution> distributions;  // per variant over its members (ensembles that completed)
  bool recorded = true;  // false on the MPI ranks that only ran simulations for rank 0
  double seconds = 0.0;                  // wall-clock time of the simulation
  std::filesystem::path database;        // where the recorder keeps the run (RunRecorder::location)
};

// Validates the scenario (validate(), checkAgainstCity()), builds every branch (so every input error
// surfaces before anything runs), records the run as "running", runs base and variants side by side,
// then writes per-variant outputs and records, in one RunResultsTransaction, the KPI series, final KPIs,
// events and the final status: completed, interrupted (stop was set) or failed (a model threw; the
// exception is rethrown after the record is written). With an ensemble, every member of every branch is one
// simulation, and the run also records each variant's distribution of final KPIs. With a dealer, the
// simulations run where it sends them and the recording process (MPI rank 0) writes the same files and
// records as a run in one process would.
RunOutcome runScenario(const Scenario& spec, const city::CityModel& city,
                       const sim::ModelRegistry& registry, const RunOptions& options);

}  // namespace citytwin::scenario
