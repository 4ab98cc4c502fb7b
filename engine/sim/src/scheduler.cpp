#include "citytwin/sim/scheduler.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include "citytwin/core/error.hpp"

namespace citytwin::sim {

Scheduler::Scheduler(SimTime end) : end_(end) {
  if (end <= 0) throw Error("a simulation needs a positive duration");
}

std::size_t Scheduler::add(std::string name, std::unique_ptr<Model> model, SimTime step) {
  if (!model) throw Error("model '" + name + "' is null");
  if (now_ != 0 || stepsTaken_ != 0) throw Error("models must be added before the clock starts");
  Slot slot;
  slot.name = std::move(name);
  slot.description = model->describe();
  slot.step = step > 0 ? step : slot.description.preferredStep;
  if (slot.step <= 0) throw Error("model '" + slot.name + "' has no positive step");
  slot.model = std::move(model);
  slots_.push_back(std::move(slot));
  published_ = nullptr;
  staged_ = nullptr;
  return slots_.size() - 1;
}

void Scheduler::declareColumns(std::span<const city::CouplingColumn> columns) {
  extraColumns_.insert(extraColumns_.end(), columns.begin(), columns.end());
}

const city::CouplingColumn* Scheduler::findColumn(const AttributeRef& attribute) const {
  const auto named = [&](const city::CouplingColumn& column) {
    return column.layer == attribute.layer && column.name == attribute.name;
  };
  if (const auto found = std::find_if(city::kCouplingColumns.begin(), city::kCouplingColumns.end(), named);
      found != city::kCouplingColumns.end()) {
    return &*found;
  }
  const auto found = std::find_if(extraColumns_.begin(), extraColumns_.end(), named);
  return found == extraColumns_.end() ? nullptr : &*found;
}

void Scheduler::checkReads() const {
  const auto written = [&](const AttributeRef& attribute) {
    return std::any_of(slots_.begin(), slots_.end(), [&](const Slot& slot) {
      const auto& writes = slot.description.writes;
      return std::find(writes.begin(), writes.end(), attribute) != writes.end();
    });
  };
  for (const Slot& slot : slots_) {
    for (const AttributeRead& read : slot.description.reads) {
      const AttributeRef& attribute = read.attribute;
      const std::string named = std::string(city::toString(attribute.layer)) + " '" + attribute.name + "'";
      const city::CouplingColumn* column = findColumn(attribute);
      if (column == nullptr) {
        throw Error("model '" + slot.name + "' reads " + named +
                    ", which is not a declared coupling column (citytwin/city/coupling_columns.hpp)");
      }
      if (read.need == ReadNeed::Required && !column->cityInput && !written(attribute)) {
        throw Error("model '" + slot.name + "' requires " + named +
                    ", but no model of this branch writes it and it is not an input of the city");
      }
    }
  }
}

void Scheduler::bind(city::CityState& published, city::CityState& staged) {
  checkReads();
  std::map<std::pair<city::Layer, std::string>, std::string> writer;
  for (Slot& slot : slots_) {
    slot.columns.clear();
    for (const AttributeRef& attribute : slot.description.writes) {
      const auto [found, inserted] =
          writer.emplace(std::make_pair(attribute.layer, attribute.name), slot.name);
      if (!inserted) {
        if (found->second == slot.name) continue;  // declared twice by one model
        throw Error("models '" + found->second + "' and '" + slot.name + "' both write " +
                    std::string(city::toString(attribute.layer)) + " '" + attribute.name +
                    "': a column has one writer");
      }
      std::vector<double>& publishedColumn = published.column(attribute.layer, attribute.name);
      std::vector<double>& stagedColumn = staged.column(attribute.layer, attribute.name);
      if (stagedColumn.size() != publishedColumn.size()) stagedColumn = publishedColumn;
      slot.columns.push_back({&publishedColumn, &stagedColumn});
    }
  }
  published_ = &published;
  staged_ = &staged;
}

bool Scheduler::advanceTo(SimTime until, const PublishObserver& onPublish, const StopRequested& stop,
                          std::vector<Event>* events, const BoundaryObserver& onBoundary,
                          const StepsStartedObserver& onStepsStarted) {
  if (published_ == nullptr || staged_ == nullptr) throw Error("scheduler used before bind()");
  until = std::min(until, end_);
  while (true) {
    // Publish what ends here, in the fixed order of the models.
    for (std::size_t index = 0; index < slots_.size(); ++index) {
      Slot& slot = slots_[index];
      if (slot.pendingEnd != now_) continue;
      for (const ColumnPair& pair : slot.columns) *pair.published = *pair.staged;
      slot.pendingEnd = kNone;
      if (onPublish) onPublish(index, now_);
    }
    if (onBoundary) onBoundary(now_);
    if (now_ >= end_ && onStepsStarted) onStepsStarted(now_);  // no step starts at the end
    if (now_ >= until) return true;
    if (stop && stop()) return false;

    // Start the steps that begin here; all of them read the same published state.
    SimTime next = until;
    for (Slot& slot : slots_) {
      if (slot.pendingEnd == kNone && slot.nextStart == now_) {
        const SimTime stepEnd = std::min(now_ + slot.step, end_);
        // A model continues from its own last values (and from what interventions set on its columns).
        for (const ColumnPair& pair : slot.columns) *pair.staged = *pair.published;
        slot.model->step(now_, stepEnd - now_, *published_, *staged_);
        ++stepsTaken_;
        if (events != nullptr) {
          for (Event& event : slot.model->takeEvents()) {
            if (event.source.empty()) event.source = slot.name;
            events->push_back(std::move(event));
          }
        }
        slot.pendingEnd = stepEnd;
        slot.nextStart = stepEnd;
      }
      if (slot.pendingEnd != kNone) next = std::min(next, slot.pendingEnd);
    }
    if (onStepsStarted) onStepsStarted(now_);
    now_ = next;
  }
}

Scheduler::Timing Scheduler::timing() const {
  Timing result;
  result.now = now_;
  result.stepsTaken = stepsTaken_;
  for (const Slot& slot : slots_) {
    result.nextStart.push_back(slot.nextStart);
    result.pendingEnd.push_back(slot.pendingEnd);
  }
  return result;
}

void Scheduler::setTiming(const Timing& timing) {
  if (timing.nextStart.size() != slots_.size() || timing.pendingEnd.size() != slots_.size()) {
    throw Error("scheduler timing is for " + std::to_string(timing.nextStart.size()) + " models, not " +
                std::to_string(slots_.size()));
  }
  now_ = timing.now;
  stepsTaken_ = timing.stepsTaken;
  for (std::size_t index = 0; index < slots_.size(); ++index) {
    slots_[index].nextStart = timing.nextStart[index];
    slots_[index].pendingEnd = timing.pendingEnd[index];
  }
}

}  // namespace citytwin::sim
