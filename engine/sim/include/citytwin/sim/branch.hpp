#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/city/city_state.hpp"
#include "citytwin/sim/model.hpp"
#include "citytwin/sim/model_registry.hpp"
#include "citytwin/sim/scheduler.hpp"
#include "citytwin/sim/state_recorder.hpp"

namespace citytwin::sim {

// Everything one branch (the base, or one what-if variant) is made from.
struct BranchSpec {
  std::string name = "base";
  const city::CityModel* city = nullptr;         // shared by all branches; must outlive them
  std::vector<std::string> models;               // the base's models, in publishing order
  std::map<std::string, Value> modelParameters;  // the scenario's [<model>] tables
  std::map<std::string, SimTime> modelSteps;     // overrides of the models' preferred steps
  std::vector<Intervention> interventions;       // this variant's what-ifs
  SimTime end = 0;                               // the branch covers [0, end)
  SimTime kpiInterval = 0;                       // record KPIs this often (0: at every boundary)
  SimTime stateInterval = 0;                     // record published columns this often (0: never)
  // Called on the branch's initial state before the models initialise, e.g. to start from live
  // observations, so the models read those values as their initial conditions; and again after they
  // initialise, so the prepared values replace what the models put there themselves.
  std::function<void(city::CityState&)> prepareState;
  std::string startIso8601;
  std::uint64_t seed = 0;
  std::string scenarioFile;
  std::filesystem::path scenarioDirectory;
  std::filesystem::path outputDirectory;
};

// One KPI value of one model at one boundary; names are interned in the branch (kpiName, modelName).
struct KpiSample {
  std::uint32_t model = 0;
  std::uint32_t kpi = 0;
  SimTime t = 0;
  double value = 0.0;
  friend bool operator==(const KpiSample&, const KpiSample&) = default;
};

// A branch frozen at a boundary: restoring it into a branch built from the same spec (this one or a
// fresh one) continues exactly as the original would have.
struct BranchSnapshot {
  Scheduler::Timing timing;
  city::CityState published;
  city::CityState staged;
  std::vector<std::vector<std::uint8_t>> models;
  std::vector<KpiSample> kpiSeries;
  std::vector<std::string> kpiNames;
  std::vector<Event> events;
  std::vector<SimTime> lastRecordMark;
  std::size_t timedApplied = 0;
  StateRecorder stateRecorder;
};

// A city state with its models and their seed streams, stepped on one clock. Building it creates and
// initialises the models, routes the variant's interventions (engine kinds are applied here, model kinds
// go to the model that declares them) and records the KPIs at t = 0.
//
// Seeds: model m of a branch gets splitmix64(branch seed ^ fingerprint(m)). Variants share the scenario's
// seed unless they set their own, so their differences come from the interventions, not from different
// random draws (common random numbers).
class Branch {
 public:
  // Takes the spec by value: its parameter tables and interventions are moved into the models' contexts.
  Branch(BranchSpec spec, const ModelRegistry& registry);

  const std::string& name() const { return name_; }
  // Steps until `until` (clamped to the end); false when `stop` asked to stop first. `onBoundary` sees
  // the published state of every boundary passed (the one it starts from included).
  bool advanceTo(SimTime until, const Scheduler::StopRequested& stop = {},
                 const Scheduler::BoundaryObserver& onBoundary = {});
  bool run(const Scheduler::StopRequested& stop = {}) { return advanceTo(scheduler_.end(), stop); }
  SimTime now() const { return scheduler_.now(); }
  SimTime end() const { return scheduler_.end(); }
  bool finished() const { return scheduler_.finished(); }

  const city::CityState& state() const { return published_; }
  std::size_t modelCount() const { return scheduler_.modelCount(); }
  const std::string& modelName(std::size_t index) const { return scheduler_.modelName(index); }
  const Model& model(std::size_t index) const { return scheduler_.model(index); }
  bool runsModel(const std::string& name) const;
  const std::vector<KpiSample>& kpiSeries() const { return kpiSeries_; }
  const std::string& kpiName(std::uint32_t index) const { return kpiNames_.at(index); }
  const std::vector<Event>& events() const { return events_; }
  // Each model's KPIs now, by model name.
  std::map<std::string, Kpis> currentKpis() const;
  std::uint64_t stepsTaken() const { return scheduler_.stepsTaken(); }

  // Asks every model to write its result files into `directory` (created when missing).
  // Each model's own files, then its rasters through `writeRaster` when given, then the recorded
  // state series as `directory/state/<layer>.csv` when the spec asked for them.
  void writeOutputs(const std::filesystem::path& directory, const RasterWriter& writeRaster = {}) const;

  // Sets `attribute` of the objects `objects` (indices in the layer's order) to `values` (one each) now,
  // between two advanceTo calls: the steps starting at now() read them, exactly as they read a timed
  // set_attribute intervention whose `at` is now(). Creates the column when missing; records an event.
  // Throws Error for an index outside the layer or a size mismatch.
  void setAttribute(city::Layer layer, const std::string& attribute,
                    const std::vector<std::uint32_t>& objects, const std::vector<double>& values);

  // Throws Error when a model cannot snapshot (ModelDescription::canSnapshot false).
  BranchSnapshot snapshot() const;
  void restore(const BranchSnapshot& snapshot);

 private:
  void recordKpis(std::size_t modelIndex, SimTime t);
  // The model's KPIs now; throws Error naming a KPI the model emits without defining it.
  Kpis definedKpis(std::size_t modelIndex) const;
  void applyTimedSettings(SimTime t);

  // A set_attribute with a time: applied when the clock reaches `at`.
  struct TimedSetting {
    SimTime at = 0;
    city::Layer layer = city::Layer::Building;
    std::string attribute;
    double value = 0.0;
    std::vector<std::uint32_t> objects;
    Event event;
  };
  std::uint32_t internKpi(const std::string& name);

  std::string name_;
  const city::CityModel* city_ = nullptr;
  Scheduler scheduler_;
  city::CityState published_;
  city::CityState staged_;
  SimTime kpiInterval_ = 0;
  std::vector<SimTime> lastRecordMark_;
  std::vector<KpiSample> kpiSeries_;
  std::vector<std::string> kpiNames_;
  std::map<std::string, std::uint32_t> kpiIndex_;
  std::vector<Event> events_;
  std::vector<TimedSetting> timed_;  // ordered by time, then file order
  std::size_t timedApplied_ = 0;
  StateRecorder stateRecorder_;
};

// The seed of model `modelName` in a branch seeded with `branchSeed`.
std::uint64_t modelSeed(std::uint64_t branchSeed, const std::string& modelName);

}  // namespace citytwin::sim
