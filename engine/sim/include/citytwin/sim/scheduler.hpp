#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "citytwin/city/city_state.hpp"
#include "citytwin/city/coupling_columns.hpp"
#include "citytwin/sim/model.hpp"
#include "citytwin/sim/sim_time.hpp"

namespace citytwin::sim {

// One simulated clock driving models that step at different rates over [0, end).
//
// Every model steps on its own grid 0, dt, 2dt, ... (the last step is cut at `end`). At a boundary t the
// scheduler first publishes, in the order the models were added, the `writes` columns of every model
// whose step ends at t (staged -> published), then starts the steps that begin at t, in the same order.
// Each starting model reads `published` as of t — the same view for all of them — and writes its
// results into `staged`, which stays invisible until its own step ends. So model B stepping at t sees
// exactly what model A published at t or before, never a half-finished step, whatever the order.
//
// Two models may not write the same column: which of them wins would otherwise depend on the order.
// A model reads only declared coupling columns (city::kCouplingColumns and those given to
// declareColumns), and what it requires must be written by a model of the scheduler or be an input of
// the city; bind() checks both, so a misspelt or missing coupling fails before the first step.
class Scheduler {
 public:
  // Called after a model's outputs were published at boundary t, while its internal state is that of t.
  using PublishObserver = std::function<void(std::size_t modelIndex, SimTime t)>;
  // Polled once per boundary; returning true stops advanceTo() at that boundary.
  using StopRequested = std::function<bool()>;
  // Called once per boundary t after every model whose step ends at t has published: the state of t.
  using BoundaryObserver = std::function<void(SimTime t)>;
  // Called once per boundary t after the steps that begin at t have run, and at the end of the run: then
  // `staged` holds, for every model, the values of its step that covers t (see WrittenValues::ForStep).
  using StepsStartedObserver = std::function<void(SimTime t)>;

  explicit Scheduler(SimTime end);

  // `step` <= 0 uses the model's preferred step. Returns the model's index (its publishing order).
  std::size_t add(std::string name, std::unique_ptr<Model> model, SimTime step = 0);
  // Declares coupling columns beyond city::kCouplingColumns (ModelRegistry::declaredColumns); the views
  // must outlive the scheduler.
  void declareColumns(std::span<const city::CouplingColumn> columns);
  // Checks the models' reads, then creates every declared `writes` column in both states and binds them;
  // call after the last add() and again whenever the two states were replaced (restore). Throws Error,
  // naming the model and the column, on conflicting writers, on a read of an undeclared column and on
  // a required read that no model writes and that is not an input of the city.
  void bind(city::CityState& published, city::CityState& staged);

  // Advances boundary by boundary until `until` (clamped to end). Returns false when stopped earlier.
  // Events the models report are appended to `events` (may be null).
  bool advanceTo(SimTime until, const PublishObserver& onPublish = {}, const StopRequested& stop = {},
                 std::vector<Event>* events = nullptr, const BoundaryObserver& onBoundary = {},
                 const StepsStartedObserver& onStepsStarted = {});

  SimTime now() const { return now_; }
  SimTime end() const { return end_; }
  bool finished() const { return now_ >= end_; }
  std::size_t modelCount() const { return slots_.size(); }
  const std::string& modelName(std::size_t index) const { return slots_.at(index).name; }
  const ModelDescription& description(std::size_t index) const { return slots_.at(index).description; }
  SimTime modelStep(std::size_t index) const { return slots_.at(index).step; }
  Model& model(std::size_t index) { return *slots_.at(index).model; }
  const Model& model(std::size_t index) const { return *slots_.at(index).model; }
  std::uint64_t stepsTaken() const { return stepsTaken_; }

  // The clock and each model's place on its grid: with the models' snapshots and both states, all that
  // is needed to continue identically.
  struct Timing {
    SimTime now = 0;
    std::vector<SimTime> nextStart;
    std::vector<SimTime> pendingEnd;
    std::uint64_t stepsTaken = 0;
  };
  Timing timing() const;
  void setTiming(const Timing& timing);

 private:
  struct ColumnPair {
    std::vector<double>* published;
    std::vector<double>* staged;
  };
  struct Slot {
    std::string name;
    std::unique_ptr<Model> model;
    ModelDescription description;
    SimTime step = 0;
    SimTime nextStart = 0;
    SimTime pendingEnd = kNone;
    std::vector<ColumnPair> columns;
  };
  static constexpr SimTime kNone = -1;

  const city::CouplingColumn* findColumn(const AttributeRef& attribute) const;
  void checkReads() const;

  SimTime end_;
  SimTime now_ = 0;
  std::uint64_t stepsTaken_ = 0;
  std::vector<Slot> slots_;
  std::vector<city::CouplingColumn> extraColumns_;
  city::CityState* published_ = nullptr;
  city::CityState* staged_ = nullptr;
};

}  // namespace citytwin::sim
