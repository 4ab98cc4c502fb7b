#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/city/city_state.hpp"
#include "citytwin/sim/model.hpp"
#include "citytwin/sim/sim_time.hpp"

namespace citytwin::sim {

// The time series of the columns the models publish, kept as change records so a week of hourly
// building loads costs memory only where values move: at each recording time an object gets a row
// (all of its layer's recorded columns) when any of them changed since its previous row. Readers take
// an object's value at t from its latest row at or before t (see viewer/README.md, "Run folder layout").
//
// A row at t holds what the city was at t: end-of-step values published at t, and for the columns in
// `forStep` (WrittenValues::ForStep) the values of the step that covers t, which the scheduler publishes
// only when that step ends. So a substation switched off for the step [1 h, 2 h) has its row at 1 h, the
// time of the model's event, not at 2 h when the value reaches the other models.
class StateRecorder {
 public:
  StateRecorder() = default;
  // `interval` <= 0 disables recording. Columns are grouped by layer in first-mention order; those also
  // named in `forStep` are read from the step-values state of observe().
  StateRecorder(const std::vector<AttributeRef>& columns, SimTime interval,
                const std::vector<AttributeRef>& forStep = {});

  bool enabled() const { return interval_ > 0 && !layers_.empty(); }
  // Records at t = 0, at the first boundary in each interval and at `end`. At any other boundary where
  // something happened (a road closed, a substation switched off), `eventColumns` names the columns written
  // by whatever raised the events (nullptr: no event at t): objects get a row there when one of those
  // columns changed, so every event's time is a time of the series even when the interval is coarser than
  // the events, without recording all else that moves. Other calls do nothing.
  // `published` holds the end-of-step values of t, `stepValues` those of the steps covering t (the
  // scheduler's staged state once the steps beginning at t have run).
  void observe(SimTime t, SimTime end, const city::CityState& published, const city::CityState& stepValues,
               const std::vector<AttributeRef>* eventColumns = nullptr);
  void observe(SimTime t, SimTime end, const city::CityState& state,
               const std::vector<AttributeRef>* eventColumns = nullptr) {
    observe(t, end, state, state, eventColumns);
  }
  // One file per layer, `<directory>/<layer>.csv`, header `t,id,<column>,...`, rows by time then object.
  void writeCsv(const std::filesystem::path& directory, const city::CityModel& city) const;
  std::size_t rowCount() const;
  // Every column recorded, layer by layer.
  std::vector<AttributeRef> columns() const;

 private:
  struct Row {
    SimTime t = 0;
    std::uint32_t object = 0;
  };
  struct LayerSeries {
    city::Layer layer = city::Layer::Building;
    std::vector<std::string> columns;
    std::vector<bool> forStep;   // per column: read from the step values
    std::vector<double> last;    // objects × columns, the values of each object's latest row
    std::vector<bool> recorded;  // whether the object has a row yet
    std::vector<Row> rows;
    std::vector<double> values;  // rows × columns
  };
  // `onlyColumns`: an object gets a row only when one of these changed (nullptr: any column).
  void record(SimTime t, const city::CityState& published, const city::CityState& stepValues,
              const std::vector<AttributeRef>* onlyColumns);

  SimTime interval_ = 0;
  SimTime lastMark_ = -1;
  SimTime lastRecorded_ = -1;
  std::vector<LayerSeries> layers_;
};

}  // namespace citytwin::sim
