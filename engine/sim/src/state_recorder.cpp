#include "citytwin/sim/state_recorder.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/sim/entity_selector.hpp"

namespace citytwin::sim {
namespace {

// Values compare by bit pattern so that NaN (no value yet) is stable and -0.0 versus 0.0 counts as a change
// only when a model really wrote it.
bool sameBits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

void writeNumber(std::ostream& out, double value) {
  if (std::isnan(value)) return;  // an empty field: no value
  out << value;
}

}  // namespace

StateRecorder::StateRecorder(const std::vector<AttributeRef>& columns, SimTime interval,
                             const std::vector<AttributeRef>& forStep)
    : interval_(interval) {
  for (const AttributeRef& column : columns) {
    auto layer = std::find_if(layers_.begin(), layers_.end(),
                              [&](const LayerSeries& series) { return series.layer == column.layer; });
    if (layer == layers_.end()) {
      layers_.push_back({});
      layer = layers_.end() - 1;
      layer->layer = column.layer;
    }
    if (std::find(layer->columns.begin(), layer->columns.end(), column.name) == layer->columns.end()) {
      layer->columns.push_back(column.name);
      layer->forStep.push_back(std::find(forStep.begin(), forStep.end(), column) != forStep.end());
    }
  }
}

void StateRecorder::observe(SimTime t, SimTime end, const city::CityState& published,
                            const city::CityState& stepValues,
                            const std::vector<AttributeRef>* eventColumns) {
  if (!enabled() || t == lastRecorded_) return;
  const SimTime mark = t / interval_;
  const bool regular = t == 0 || t == end || mark != lastMark_;
  if (!regular) {
    // Between two regular recordings: only what the events of t changed.
    if (eventColumns != nullptr) record(t, published, stepValues, eventColumns);
    return;
  }
  lastMark_ = mark;
  record(t, published, stepValues, nullptr);
}

void StateRecorder::record(SimTime t, const city::CityState& published, const city::CityState& stepValues,
                           const std::vector<AttributeRef>* onlyColumns) {
  lastRecorded_ = t;
  for (LayerSeries& series : layers_) {
    const std::size_t columnCount = series.columns.size();
    std::vector<const std::vector<double>*> sources(columnCount, nullptr);
    std::size_t objects = 0;
    for (std::size_t c = 0; c < columnCount; ++c) {
      const city::CityState& state = series.forStep[c] ? stepValues : published;
      if (state.has(series.layer, series.columns[c])) {
        sources[c] = &state.column(series.layer, series.columns[c]);
        objects = std::max(objects, sources[c]->size());
      }
    }
    // A column no model has created yet reads as no value.
    const auto valueOf = [&sources](std::size_t c, std::size_t object) {
      return sources[c] != nullptr && object < sources[c]->size() ? (*sources[c])[object] : std::nan("");
    };
    if (series.recorded.size() < objects) {
      series.recorded.resize(objects, false);
      series.last.resize(objects * columnCount, std::nan(""));
    }
    std::vector<bool> watched(columnCount, true);
    if (onlyColumns != nullptr) {
      for (std::size_t c = 0; c < columnCount; ++c) {
        watched[c] = std::find(onlyColumns->begin(), onlyColumns->end(),
                               AttributeRef{series.layer, series.columns[c]}) != onlyColumns->end();
      }
      if (std::find(watched.begin(), watched.end(), true) == watched.end()) continue;
    }
    for (std::size_t object = 0; object < objects; ++object) {
      bool changed = !series.recorded[object];
      for (std::size_t c = 0; c < columnCount && !changed; ++c) {
        if (!watched[c]) continue;
        const double value = valueOf(c, object);
        changed = !sameBits(value, series.last[object * columnCount + c]);
      }
      if (!changed) continue;
      series.recorded[object] = true;
      series.rows.push_back({t, static_cast<std::uint32_t>(object)});
      for (std::size_t c = 0; c < columnCount; ++c) {
        const double value = valueOf(c, object);
        series.last[object * columnCount + c] = value;
        series.values.push_back(value);
      }
    }
  }
}

std::vector<AttributeRef> StateRecorder::columns() const {
  std::vector<AttributeRef> all;
  for (const LayerSeries& series : layers_) {
    for (const std::string& column : series.columns) all.push_back({series.layer, column});
  }
  return all;
}

std::size_t StateRecorder::rowCount() const {
  std::size_t rows = 0;
  for (const LayerSeries& series : layers_) rows += series.rows.size();
  return rows;
}

void StateRecorder::writeCsv(const std::filesystem::path& directory, const city::CityModel& city) const {
  if (!enabled()) return;
  std::filesystem::create_directories(directory);
  for (const LayerSeries& series : layers_) {
    AtomicOutput output(directory / (std::string(city::toString(series.layer)) + ".csv"));
    {
      std::ofstream out(output.temporaryPath());
      out.precision(9);
      out << "t,id";
      for (const std::string& column : series.columns) out << ',' << column;
      out << '\n';
      const std::size_t columnCount = series.columns.size();
      for (std::size_t r = 0; r < series.rows.size(); ++r) {
        const Row& row = series.rows[r];
        out << toSeconds(row.t) << ',' << entityId(city, series.layer, row.object);
        for (std::size_t c = 0; c < columnCount; ++c) {
          out << ',';
          writeNumber(out, series.values[r * columnCount + c]);
        }
        out << '\n';
      }
      if (!out) throw Error(output.finalPath().string() + ": cannot write");
    }
    output.commit();
  }
}

}  // namespace citytwin::sim
