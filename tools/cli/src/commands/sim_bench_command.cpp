#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "citytwin/city/city_state.hpp"
#include "citytwin/sim/scheduler.hpp"
#include "command_registry.hpp"
#include "json_output.hpp"

namespace citytwin::cli {
namespace {

// A model that does nothing, so what is measured is the scheduler: finding due models, handing them the
// state, publishing their columns, collecting events.
class TrivialModel : public sim::Model {
 public:
  explicit TrivialModel(bool writes) : writes_(writes) {}
  sim::ModelDescription describe() const override {
    sim::ModelDescription description{"trivial", {}, {}, sim::kSecond, true, {}, {}};
    if (writes_) description.writes.push_back({city::Layer::Building, "trivial_" + std::to_string(id_)});
    return description;
  }
  void initialise(const sim::ModelContext&, city::CityState&) override {}
  void step(sim::SimTime, sim::SimTime, const city::CityState&, city::CityState&) override { ++steps_; }
  sim::Kpis kpis() const override { return {}; }
  std::vector<std::uint8_t> snapshot() const override { return {}; }
  void restore(std::span<const std::uint8_t>) override {}
  void setId(std::size_t id) { id_ = id; }

 private:
  bool writes_;
  std::size_t id_ = 0;
  std::uint64_t steps_ = 0;
};

struct Measurement {
  std::size_t models = 0;
  bool writes = false;
  std::uint64_t boundaries = 0;
  double secondsTotal = 0.0;
  double nsPerBoundary = 0.0;
  double nsPerModelStep = 0.0;
};

Measurement measure(std::size_t models, bool writes) {
  // About two million model steps per configuration, at least 100 boundaries.
  const std::uint64_t boundaries = std::max<std::uint64_t>(100, 2'000'000 / models);
  sim::Scheduler scheduler(static_cast<sim::SimTime>(boundaries) * sim::kSecond);
  for (std::size_t i = 0; i < models; ++i) {
    auto model = std::make_unique<TrivialModel>(writes);
    model->setId(i);
    scheduler.add("trivial-" + std::to_string(i), std::move(model));
  }
  city::CityModel city;
  city.buildings.resize(1);  // one object per written column: the copy is the scheduler's own cost
  city::CityState published(city), staged(city);
  scheduler.bind(published, staged);
  std::vector<sim::Event> events;
  const auto start = std::chrono::steady_clock::now();
  scheduler.advanceTo(scheduler.end(), {}, [] { return false; }, &events);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Measurement result;
  result.models = models;
  result.writes = writes;
  result.boundaries = boundaries;
  result.secondsTotal = seconds;
  result.nsPerBoundary = seconds * 1e9 / static_cast<double>(boundaries);
  result.nsPerModelStep = seconds * 1e9 / static_cast<double>(scheduler.stepsTaken());
  return result;
}

void registerSimBench(CommandTree& tree) {
  auto json = std::make_shared<bool>(false);
  CLI::App* bench = tree.bench.add_subcommand(
      "sim", "Scheduler overhead per step with 1, 100 and 10,000 trivial model instances");
  addJsonFlag(*bench, *json);
  bench->callback([json] {
    std::vector<Measurement> results;
    for (bool writes : {false, true}) {
      for (std::size_t models : {std::size_t{1}, std::size_t{100}, std::size_t{10'000}}) {
        results.push_back(measure(models, writes));
      }
    }
    if (*json) {
      nlohmann::json rows = nlohmann::json::array();
      for (const Measurement& m : results) {
        rows.push_back({{"models", m.models},
                        {"writes_one_column", m.writes},
                        {"boundaries", m.boundaries},
                        {"seconds", m.secondsTotal},
                        {"ns_per_boundary", m.nsPerBoundary},
                        {"ns_per_model_step", m.nsPerModelStep}});
      }
      printJson({{"benchmark", "sim"}, {"results", rows}});
      return;
    }
    std::printf("%8s  %-7s  %10s  %14s  %16s\n", "models", "writes", "boundaries", "ns/boundary", "ns/model step");
    for (const Measurement& m : results) {
      std::printf("%8zu  %-7s  %10llu  %14.1f  %16.1f\n", m.models, m.writes ? "1 col" : "none",
                  static_cast<unsigned long long>(m.boundaries), m.nsPerBoundary, m.nsPerModelStep);
    }
  });
}

const CommandGroupRegistrar registrar(910, registerSimBench);

}  // namespace
}  // namespace citytwin::cli
