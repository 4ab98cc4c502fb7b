// citytwin._citytwin.Simulation: one branch of a scenario stepped from Python. Each simulation has its own
// state; models compute with the GIL released, so Python threads running different simulations run in
// parallel. fork() copies the branch in memory through its snapshot. One simulation is used by one thread
// at a time (its on_step callbacks may read and set it).
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <memory>
#include <unordered_map>

#include "bindings.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/sim/branch.hpp"
#include "citytwin/sim/entity_selector.hpp"
#include "native_scenario.hpp"
#include "shared_state.hpp"

namespace py = pybind11;

namespace citytwin::python {
namespace {

class NativeSimulation {
 public:
  NativeSimulation(std::shared_ptr<const city::CityModel> city, sim::BranchSpec spec)
      : city_(std::move(city)), spec_(std::move(spec)) {
    spec_.city = city_.get();
    branch_ = std::make_unique<sim::Branch>(spec_, modelRegistry());
  }

  static std::unique_ptr<NativeSimulation> create(const NativeScenario& native, const std::string& variant) {
    py::gil_scoped_release release;
    const scenario::Scenario& spec = native.spec;
    std::size_t index = spec.branchCount();
    for (std::size_t i = 0; i < spec.branchCount(); ++i) {
      if (spec.branchName(i) == variant) index = i;
    }
    if (index == spec.branchCount()) {
      std::string names;
      for (std::size_t i = 0; i < spec.branchCount(); ++i) names += (i ? ", " : "") + spec.branchName(i);
      throw Error("scenario '" + spec.name + "' has no variant '" + variant + "' (it has " + names + ")");
    }
    std::shared_ptr<const city::CityModel> city = obtainScenarioCity(spec);
    scenario::validate(spec, modelRegistry());
    scenario::checkAgainstCity(spec, *city);
    sim::BranchSpec branchSpec = scenario::makeBranchSpec(spec, index, *city, {});
    return std::make_unique<NativeSimulation>(std::move(city), std::move(branchSpec));
  }

  double time() const { return sim::toSeconds(branch_->now()); }
  double end() const { return sim::toSeconds(branch_->end()); }
  std::string variant() const { return branch_->name(); }

  void advanceTo(double seconds, const std::function<void(double)>& onStep) {
    if (!std::isfinite(seconds)) throw Error("advance_to: expected a finite time in seconds");
    const auto until = static_cast<sim::SimTime>(std::llround(seconds * static_cast<double>(sim::kSecond)));
    py::gil_scoped_release release;
    if (until < branch_->now()) {
      throw Error("advance_to: t = " + std::to_string(seconds) + " s is before the simulation's time (" +
                  std::to_string(sim::toSeconds(branch_->now())) + " s)");
    }
    sim::Scheduler::BoundaryObserver observer;
    if (onStep) {
      // A boundary where one advance stopped is seen again when the next starts: report it once.
      observer = [this, &onStep](sim::SimTime t) {
        if (t <= lastReported_) return;
        lastReported_ = t;
        py::gil_scoped_acquire acquire;
        onStep(sim::toSeconds(t));
      };
    }
    branch_->advanceTo(until, {}, observer);
  }

  const std::vector<std::string>& ids(city::Layer layer) {
    auto& cached = ids_[layer];
    if (cached.empty()) {
      const std::size_t count = branch_->state().objectCount(layer);
      cached.reserve(count);
      for (std::size_t i = 0; i < count; ++i) cached.push_back(sim::entityId(*city_, layer, i));
    }
    return cached;
  }

  py::array_t<double> get(city::Layer layer, const std::string& column) {
    const std::vector<double>& values = branch_->state().column(layer, column);
    py::array_t<double> array(static_cast<py::ssize_t>(values.size()));
    std::copy(values.begin(), values.end(), array.mutable_data());
    return array;
  }

  std::vector<std::string> columns(city::Layer layer) { return branch_->state().attributes(layer); }

  void set(city::Layer layer, const std::string& column, const std::vector<std::string>& objectIds,
           const std::vector<double>& values) {
    auto& index = index_[layer];
    if (index.empty()) {
      const auto& all = ids(layer);
      for (std::uint32_t i = 0; i < all.size(); ++i) index.emplace(all[i], i);
    }
    std::vector<std::uint32_t> objects;
    objects.reserve(objectIds.size());
    for (const std::string& id : objectIds) {
      const auto found = index.find(id);
      if (found == index.end()) {
        throw InputError({"", 0, "ids"},
                         "no " + std::string(city::toString(layer)) + " with id '" + id + "'");
      }
      objects.push_back(found->second);
    }
    branch_->setAttribute(layer, column, objects, values);
  }

  std::map<std::string, double> kpis() {
    std::map<std::string, double> flat;
    for (const auto& [model, values] : branch_->currentKpis()) {
      for (const auto& [kpi, value] : values) flat[model + "." + kpi] = value;
    }
    return flat;
  }

  std::unique_ptr<NativeSimulation> fork() {
    py::gil_scoped_release release;
    const sim::BranchSnapshot snapshot = branch_->snapshot();
    auto copy = std::make_unique<NativeSimulation>(city_, spec_);
    copy->branch_->restore(snapshot);
    copy->lastReported_ = lastReported_;
    return copy;
  }

 private:
  std::shared_ptr<const city::CityModel> city_;
  sim::BranchSpec spec_;  // what the branch was built from, to build its forks
  std::unique_ptr<sim::Branch> branch_;
  sim::SimTime lastReported_ = -1;
  std::map<city::Layer, std::vector<std::string>> ids_;
  std::map<city::Layer, std::unordered_map<std::string, std::uint32_t>> index_;
};

city::Layer layerOf(const std::string& name) {
  return city::layerFromString(name);
}

}  // namespace

void bindSimulation(py::module_& module) {
  py::class_<NativeSimulation>(module, "Simulation",
                               "One branch of a scenario, stepped from Python (native part).")
      .def(py::init(&NativeSimulation::create), py::arg("scenario"), py::arg("variant"))
      .def_property_readonly("time", &NativeSimulation::time)
      .def_property_readonly("end", &NativeSimulation::end)
      .def_property_readonly("variant", &NativeSimulation::variant)
      .def("advance_to", &NativeSimulation::advanceTo, py::arg("t"), py::arg("on_step"))
      .def("ids", [](NativeSimulation& self, const std::string& layer) { return self.ids(layerOf(layer)); })
      .def("columns",
           [](NativeSimulation& self, const std::string& layer) { return self.columns(layerOf(layer)); })
      .def("get", [](NativeSimulation& self, const std::string& layer,
                     const std::string& column) { return self.get(layerOf(layer), column); })
      .def("set", [](NativeSimulation& self, const std::string& layer, const std::string& column,
                     const std::vector<std::string>& ids,
                     const std::vector<double>& values) { self.set(layerOf(layer), column, ids, values); })
      .def("kpis", &NativeSimulation::kpis)
      .def("fork", &NativeSimulation::fork);
}

}  // namespace citytwin::python
