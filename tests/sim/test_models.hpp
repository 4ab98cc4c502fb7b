#pragma once

#include <array>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <vector>

#include "citytwin/sim/model.hpp"
#include "citytwin/sim/model_registry.hpp"
#include "citytwin/core/value_reader.hpp"

namespace citytwin::testing {

// The test models' coupling columns, declared through the registry as a model outside the engine would.
inline constexpr city::CouplingColumn kSignalColumn{
    .layer = city::Layer::Building, .name = "signal", .unit = "s",
    .meaning = "the time at which the producer's step ended, plus its offset", .modelOutput = true};
inline constexpr city::CouplingColumn kEchoColumn{.layer = city::Layer::Building, .name = "echo", .unit = "s",
                                                  .meaning = "twice the signal the consumer read",
                                                  .modelOutput = true};
inline constexpr city::CouplingColumn kFactorColumn{.layer = city::Layer::Building, .name = "factor", .unit = "1",
                                                    .meaning = "multiplier of the noisy model's load",
                                                    .cityInput = true};
inline constexpr city::CouplingColumn kLoadColumn{.layer = city::Layer::Building, .name = "load", .unit = "kW",
                                                  .meaning = "the noisy model's random walk", .modelOutput = true};
inline constexpr std::array kTestColumns{kSignalColumn, kEchoColumn, kFactorColumn, kLoadColumn};

// Writes its step calls into a shared log, so tests can check the order the scheduler steps models in.
struct StepLog {
  struct Entry {
    std::string model;
    sim::SimTime t;
    sim::SimTime dt;
    friend bool operator==(const Entry&, const Entry&) = default;
  };
  std::vector<Entry> entries;
};

class RecorderModel : public sim::Model {
 public:
  RecorderModel(std::string name, sim::SimTime step, StepLog* log) : name_(std::move(name)), step_(step), log_(log) {}
  sim::ModelDescription describe() const override { return {name_, {}, {}, step_, true, {}, {}}; }
  void initialise(const sim::ModelContext&, city::CityState&) override {}
  void step(sim::SimTime t, sim::SimTime dt, const city::CityState&, city::CityState&) override {
    log_->entries.push_back({name_, t, dt});
  }
  sim::Kpis kpis() const override { return {}; }
  std::vector<std::uint8_t> snapshot() const override { return {}; }
  void restore(std::span<const std::uint8_t>) override {}

 private:
  std::string name_;
  sim::SimTime step_;
  StepLog* log_;
};

// Publishes Building "signal" = the time (s) at which its step ends, plus the `offset` parameter.
class ProducerModel : public sim::Model {
 public:
  sim::ModelDescription describe() const override {
    return {"producer", {}, {{city::Layer::Building, "signal"}}, 2 * sim::kSecond, true, {},
            {{"steps", "steps", "steps taken", sim::KpiDirection::Neutral, "run so far"}}};
  }
  void initialise(const sim::ModelContext& context, city::CityState&) override {
    const ValueReader reader(context.parameters, context.scenarioFile);
    offset_ = reader.optionalNumber("offset").value_or(0.0);
    reader.rejectUnknownKeys("offset");
  }
  void step(sim::SimTime t, sim::SimTime dt, const city::CityState&, city::CityState& staged) override {
    auto& signal = staged.column(city::Layer::Building, "signal");
    for (double& value : signal) value = sim::toSeconds(t + dt) + offset_;
    ++steps_;
    if (steps_ == 2) events_.push_back({t + dt, "", "second_step", "tiny:building/0", "took a second step"});
  }
  sim::Kpis kpis() const override { return {{"steps", static_cast<double>(steps_)}}; }
  std::vector<std::uint8_t> snapshot() const override {
    std::vector<std::uint8_t> bytes(sizeof steps_);
    std::memcpy(bytes.data(), &steps_, sizeof steps_);
    return bytes;
  }
  void restore(std::span<const std::uint8_t> bytes) override { std::memcpy(&steps_, bytes.data(), sizeof steps_); }
  std::vector<sim::Event> takeEvents() override { return std::exchange(events_, {}); }

 private:
  double offset_ = 0.0;
  long steps_ = 0;
  std::vector<sim::Event> events_;
};

// Reads Building "signal" as published and logs what it saw; publishes "echo" = 2 * signal.
class ConsumerModel : public sim::Model {
 public:
  explicit ConsumerModel(std::vector<std::pair<sim::SimTime, double>>* seen = nullptr) : seen_(seen) {}
  sim::ModelDescription describe() const override {
    return {"consumer", {{city::Layer::Building, "signal"}}, {{city::Layer::Building, "echo"}}, sim::kSecond, true, {},
            {{"last_signal", "1", "signal read last", sim::KpiDirection::Neutral, "now"}}};
  }
  void initialise(const sim::ModelContext&, city::CityState& state) override {
    state.column(city::Layer::Building, "signal");
  }
  void step(sim::SimTime t, sim::SimTime, const city::CityState& published, city::CityState& staged) override {
    const auto& signal = published.column(city::Layer::Building, "signal");
    auto& echo = staged.column(city::Layer::Building, "echo");
    for (std::size_t i = 0; i < echo.size(); ++i) echo[i] = 2.0 * signal[i];
    last_ = signal.front();
    if (seen_ != nullptr) seen_->emplace_back(t, signal.front());
  }
  sim::Kpis kpis() const override { return {{"last_signal", last_}}; }
  std::vector<std::uint8_t> snapshot() const override {
    std::vector<std::uint8_t> bytes(sizeof last_);
    std::memcpy(bytes.data(), &last_, sizeof last_);
    return bytes;
  }
  void restore(std::span<const std::uint8_t> bytes) override { std::memcpy(&last_, bytes.data(), sizeof last_); }

 private:
  std::vector<std::pair<sim::SimTime, double>>* seen_;
  double last_ = 0.0;
};

// A stochastic model with parallel work inside: each building's "load" follows a random walk from the
// branch seed, scaled by the column "factor" (set by interventions) and by the parameter `gain`, and by the
// model-specific intervention kind "boost" (`amount`). Reductions are per-block partial sums added in
// block order, so results do not depend on the thread count.
class NoisyModel : public sim::Model {
 public:
  sim::ModelDescription describe() const override {
    return {"noisy", {{city::Layer::Building, "factor"}}, {{city::Layer::Building, "load"}}, 3 * sim::kSecond, true,
            {"boost"}, {{"total_load", "W", "summed load", sim::KpiDirection::LowerIsBetter, "now"}}};
  }
  void initialise(const sim::ModelContext& context, city::CityState& state) override {
    const ValueReader reader(context.parameters, context.scenarioFile);
    gain_ = reader.optionalNumber("gain").value_or(1.0);
    if (const Value* profile = reader.optionalArray("profile")) {
      for (const Value& value : profile->items()) profile_.push_back(value.toNumber().value_or(0.0));
    }
    reader.rejectUnknownKeys("gain, profile");
    for (const sim::Intervention& intervention : context.interventions) {
      const ValueReader boost(intervention.parameters, intervention.sourceFile);
      boost.allow("kind");
      boost_ += boost.requireNumber("amount");
      boost.rejectUnknownKeys("kind, amount");
    }
    rng_ = context.seed | 1;
    walk_.assign(state.objectCount(city::Layer::Building), 0.0);
    auto& factor = state.column(city::Layer::Building, "factor", 1.0);
    (void)factor;
  }
  void step(sim::SimTime t, sim::SimTime, const city::CityState& published, city::CityState& staged) override {
    const auto& factor = published.column(city::Layer::Building, "factor");
    auto& load = staged.column(city::Layer::Building, "load");
    const std::uint64_t base = next();
    const double shape = profile_.empty() ? 1.0 : profile_[static_cast<std::size_t>(t / sim::kSecond) % profile_.size()];
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, walk_.size(), 1),
                      [&](const tbb::blocked_range<std::size_t>& range) {
                        for (std::size_t i = range.begin(); i != range.end(); ++i) {
                          std::uint64_t x = base ^ (0x9e3779b97f4a7c15ULL * (i + 1));
                          x ^= x >> 31;
                          x *= 0xbf58476d1ce4e5b9ULL;
                          x ^= x >> 29;
                          walk_[i] += static_cast<double>(x % 1000) / 1000.0 - 0.5;
                          load[i] = (gain_ * shape + boost_) * factor[i] * (10.0 + walk_[i]);
                        }
                      },
                      tbb::simple_partitioner());
    std::vector<double> partial((load.size() + 1) / 2, 0.0);
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, partial.size(), 1),
                      [&](const tbb::blocked_range<std::size_t>& range) {
                        for (std::size_t b = range.begin(); b != range.end(); ++b) {
                          for (std::size_t i = 2 * b; i < std::min(load.size(), 2 * b + 2); ++i) partial[b] += load[i];
                        }
                      },
                      tbb::simple_partitioner());
    total_ = 0.0;
    for (double p : partial) total_ += p;
  }
  sim::Kpis kpis() const override { return {{"total_load", total_}}; }
  std::vector<std::uint8_t> snapshot() const override {
    std::vector<std::uint8_t> bytes(sizeof rng_ + sizeof total_ + walk_.size() * sizeof(double));
    std::memcpy(bytes.data(), &rng_, sizeof rng_);
    std::memcpy(bytes.data() + sizeof rng_, &total_, sizeof total_);
    std::memcpy(bytes.data() + sizeof rng_ + sizeof total_, walk_.data(), walk_.size() * sizeof(double));
    return bytes;
  }
  void restore(std::span<const std::uint8_t> bytes) override {
    std::memcpy(&rng_, bytes.data(), sizeof rng_);
    std::memcpy(&total_, bytes.data() + sizeof rng_, sizeof total_);
    walk_.resize((bytes.size() - sizeof rng_ - sizeof total_) / sizeof(double));
    std::memcpy(walk_.data(), bytes.data() + sizeof rng_ + sizeof total_, walk_.size() * sizeof(double));
  }

 private:
  std::uint64_t next() {
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    return rng_;
  }
  double gain_ = 1.0;
  double boost_ = 0.0;
  std::vector<double> profile_;
  std::uint64_t rng_ = 1;
  double total_ = 0.0;
  std::vector<double> walk_;
};

inline void registerTestModels(sim::ModelRegistry& registry,
                               std::vector<std::pair<sim::SimTime, double>>* consumerSeen = nullptr) {
  registry.add("producer", [] { return std::make_unique<ProducerModel>(); });
  registry.add("consumer", [consumerSeen] { return std::make_unique<ConsumerModel>(consumerSeen); });
  registry.add("noisy", [] { return std::make_unique<NoisyModel>(); });
  for (const city::CouplingColumn& column : kTestColumns) registry.declareColumn(column);
}

}  // namespace citytwin::testing
